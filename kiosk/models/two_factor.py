"""Second-factor tables: TOTP enrolments, recovery codes, and resets awaiting confirmation.

Rows are account settings, never deleted: an enrolment that ends (reset, replaced,
abandoned) keeps its row with `ended_at` and why, so the account's history stays whole.
"""

from __future__ import annotations

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, TextField

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register
from kiosk.models.core import User


@register
class TotpEnrolment(BaseModel):
    """One authenticator set up for one account. Live = confirmed and not ended."""

    user = ForeignKeyField(User, backref="totp_enrolments", on_delete="RESTRICT")
    secret = TextField()  # sealed by kiosk.fieldcrypt, bound to the user's id
    created_at = DateTimeField(default=utcnow)
    confirmed_at = DateTimeField(null=True)
    # The time step (unix time // 30) of the last code accepted: a code is accepted once.
    last_step = BigIntegerField(default=0)
    ended_at = DateTimeField(null=True)
    ended_reason = CharField(max_length=40, default="")  # reset, abandoned
    # When the holder was told, at a sign-in, that this factor had been reset.
    holder_told_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "ended_at"), False),)


@register
class RecoveryCode(BaseModel):
    """A single-use code for when the phone is not to hand. Only a keyed hash is kept."""

    enrolment = ForeignKeyField(TotpEnrolment, backref="recovery_codes", on_delete="RESTRICT")
    code_hash = CharField(max_length=64, index=True)
    used_at = DateTimeField(null=True)


@register
class TwoFactorReset(BaseModel):
    """An administrator's request to clear someone's second factor. It takes effect only
    when the headteacher or the DSL confirms it (never the holder or the requester)."""

    user = ForeignKeyField(User, backref="two_factor_resets", on_delete="RESTRICT")
    reason = CharField(max_length=40)  # password_reset, lost_phone
    requested_by = CharField(max_length=64)
    requested_by_id = BigIntegerField(null=True)
    requested_origin = CharField(max_length=120)
    requested_at = DateTimeField(default=utcnow)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)
    decision = CharField(max_length=20, default="")  # confirmed, declined
