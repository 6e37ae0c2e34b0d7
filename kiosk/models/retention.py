"""Retention: decisions on records that reached their review date, and the tombstones of
records removed. A tombstone says what was removed, when, by whom and why, never what the
record said."""

from __future__ import annotations

from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register
from kiosk.models.core import User


@register
class RetentionDecision(BaseModel):
    """A proposal to remove (confirmed by a second person) or a decision to keep for now."""

    id = AutoField()
    record_type = CharField(max_length=40)  # concern, adult_concern
    record_id = IntegerField()
    kind = CharField(max_length=20)  # remove, keep
    reason = TextField()
    rule = TextField(default="")
    proposed_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    proposed_at = DateTimeField(default=utcnow)
    keep_until = DateField(null=True)  # kind keep: the next review
    # kind remove: pending until a second holder confirms (or withdrawn by either).
    state = CharField(max_length=20, default="pending")  # pending, removed, withdrawn, kept
    confirmed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    confirmed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("record_type", "record_id"), False),)


@register
class RetentionTombstone(BaseModel):
    id = AutoField()
    record_type = CharField(max_length=40)
    record_id = IntegerField()
    ref = CharField(max_length=40)
    pupil_ids = CharField(max_length=400, default="")  # comma-separated: where the chronology shows it
    rule = TextField(default="")
    reason = TextField()
    proposed_by = CharField(max_length=200)
    confirmed_by = CharField(max_length=200)
    removed_at = DateTimeField(default=utcnow)
