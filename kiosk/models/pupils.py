"""Pupils and the flags the DSL team keeps about them (with their history)."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register
from kiosk.models.core import User

from kiosk.rules.vocabulary import PUPIL_FLAGS  # noqa: E402,F401 (one list; see there)


@register
class Pupil(BaseModel):
    id = AutoField()
    upn = CharField(max_length=13, null=True, unique=True)  # unique pupil number, optional
    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    preferred_name = CharField(max_length=100, default="")
    date_of_birth = DateField()
    year_group = IntegerField()
    form_group = CharField(max_length=20, default="")
    active = BooleanField(default=True)
    # Lower-cased copies for prefix search that uses an index on every backend.
    first_key = CharField(max_length=100, index=True)
    last_key = CharField(max_length=100, index=True)
    preferred_key = CharField(max_length=100, index=True, default="")
    created_at = DateTimeField(default=utcnow)
    cp_plan = BooleanField(default=False)
    child_in_need = BooleanField(default=False)
    looked_after = BooleanField(default=False)
    previously_looked_after = BooleanField(default=False)
    young_carer = BooleanField(default=False)
    send = BooleanField(default=False)
    early_help_open = BooleanField(default=False)
    phone_disclaimer = BooleanField(default=False)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"


@register
class PupilFlagChange(BaseModel):
    """Append-only history of flag changes; it appears on the pupil's chronology."""

    pupil = ForeignKeyField(Pupil, backref="flag_changes", on_delete="RESTRICT")
    flag = CharField(max_length=40)
    value = BooleanField()
    reason = TextField(default="")
    by = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow, index=True)
