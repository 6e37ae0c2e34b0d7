"""The child protection file on a move: transfers out (to the next school) and in.

`Transfer` is one move out: where to, when, who started it, when it was sent and what was
sent (hashes, never the password), and the receipt (who at the new school received it and
when). `TransferIn` is a bundle received from another school; its records are copied into
`ReceivedRecord` rows, read-only and shown apart from this school's own in the chronology.
"""

from __future__ import annotations

from peewee import (
    AutoField,
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
from kiosk.models.pupils import Pupil


@register
class Transfer(BaseModel):
    id = AutoField()
    pupil = ForeignKeyField(Pupil, backref="transfers_out", on_delete="RESTRICT", index=True)
    destination_school = CharField(max_length=200)
    destination_dsl = CharField(max_length=200)
    destination_contact = CharField(max_length=200, default="")  # secure email or phone
    left_on = DateField()
    joining_on = DateField(null=True)
    # "manual", or "roll_import" for a move started from the roll import's leaver item.
    source = CharField(max_length=20, default="manual")
    source_ref = CharField(max_length=64, default="")
    started_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    started_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    sent_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    pdf_sha256 = CharField(max_length=64, default="")
    bundle_sha256 = CharField(max_length=64, default="")
    content_sha256 = CharField(max_length=64, default="")
    receipt_key = CharField(max_length=64, default="")  # hex; checks the receipt code
    restricted_included = TextField(default="")  # comma-separated concern ids the DSL confirmed
    acknowledged_at = DateTimeField(null=True)  # when the sender recorded the receipt
    acknowledged_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    received_by_name = CharField(max_length=200, default="")  # the receiving DSL
    received_on = DateField(null=True)

    class Meta:
        indexes = ((("acknowledged_at", "sent_at"), False),)


@register
class TransferIn(BaseModel):
    id = AutoField()
    pupil = ForeignKeyField(Pupil, backref="transfers_in", on_delete="RESTRICT", index=True)
    from_school = CharField(max_length=200)
    from_dsl = CharField(max_length=200, default="")
    sender_fingerprint = CharField(max_length=40)
    content_sha256 = CharField(max_length=64, unique=True)
    receipt_code = CharField(max_length=20)
    pupil_created = IntegerField(default=0)  # 1 when the pupil was created as joining
    received_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    received_by_name = CharField(max_length=200)
    received_at = DateTimeField(default=utcnow)


@register
class ReceivedRecord(BaseModel):
    """One record from the previous school, as it came (read-only)."""

    transfer = ForeignKeyField(TransferIn, backref="records", on_delete="RESTRICT")
    pupil = ForeignKeyField(Pupil, backref="received_records", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    at = DateTimeField()
    title = TextField()
    detail = TextField(default="")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("pupil", "at"), False),)
