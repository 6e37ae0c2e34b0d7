"""Accounts, roles, SSH keys, the audit chain, schema metadata, sign-offs, drafts, alerts
and the mail outbox."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigAutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register


@register
class Meta(BaseModel):
    """Key/value facts about the database itself: schema version, audit chain head."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


@register
class User(BaseModel):
    id = AutoField()
    username = CharField(max_length=64, unique=True)
    full_name = CharField(max_length=200)
    password_hash = CharField(max_length=255)
    must_change_password = BooleanField(default=True)
    failed_attempts = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    deactivated_at = DateTimeField(null=True)
    password_changed_at = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)
    # Bumped by every change an administrator makes to the account (roles, deactivation,
    # password reset): a signed-in session holding an older number is over.
    account_version = IntegerField(default=0)
    # Where content-free notices of new alerts go (kiosk.services.mail); empty: none.
    email = CharField(max_length=254, null=True)


@register
class UserRole(BaseModel):
    user = ForeignKeyField(User, backref="role_rows", on_delete="RESTRICT")
    role = CharField(max_length=40)
    granted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "role"), True),)


@register
class SshKey(BaseModel):
    """A public key that lets its user reach the login screen over SSH (never alone)."""

    user = ForeignKeyField(User, backref="ssh_keys", on_delete="RESTRICT")
    fingerprint = CharField(max_length=120, index=True)
    public_key = TextField()
    comment = CharField(max_length=200, default="")
    added_at = DateTimeField(default=utcnow)
    removed_at = DateTimeField(null=True)


@register
class AuditEvent(BaseModel):
    """Append-only, hash-chained. No code path updates or deletes these rows.

    `at` is stored as ISO text so the hash input is byte-identical on every backend.
    """

    seq = BigAutoField()
    at = CharField(max_length=32, index=True)
    actor_id = IntegerField(null=True, index=True)
    actor = CharField(max_length=64)
    origin = CharField(max_length=120)
    action = CharField(max_length=64, index=True)
    target_type = CharField(max_length=40, default="")
    target_id = CharField(max_length=64, default="")
    detail = TextField(default="")
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)

    class Meta:
        # The second: sign-in's "since your last visit" (the user's events after a time).
        indexes = ((("target_type", "target_id"), False), (("target_type", "target_id", "at"), False))


@register
class ProcedureSignoff(BaseModel):
    """A member of staff confirming they have read and agree to the procedures (para 3)."""

    user = ForeignKeyField(User, backref="signoffs", on_delete="RESTRICT")
    version = CharField(max_length=40)
    signed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "version"), True),)


@register
class Draft(BaseModel):
    """A form kept when the screen locked mid-entry; visible only to its owner.

    One row per (user, form); the payload is the form's fields as JSON.
    """

    user = ForeignKeyField(User, backref="drafts", on_delete="RESTRICT")
    form = CharField(max_length=64)
    payload = TextField()
    saved_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "form"), True),)


@register
class RoleGrant(BaseModel):
    """A role that reads case records, asked for by an administrator in the console: the
    role is given only when the headteacher or the DSL confirms (never by the requester)."""

    user = ForeignKeyField(User, backref="role_grants", on_delete="RESTRICT")
    role = CharField(max_length=40)
    requested_by = ForeignKeyField(User, backref="+", null=True, on_delete="RESTRICT")  # null: the shell
    requested_at = DateTimeField(default=utcnow)
    decision = CharField(max_length=16, default="pending", index=True)  # pending, confirmed, refused
    decided_by = ForeignKeyField(User, backref="+", null=True, on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)
    reason = TextField(default="")


@register
class LoginThrottle(BaseModel):
    """Failed sign-ins for a name that is not an active account, counted like an account's
    own (User.failed_attempts), so the answer after five tries is the same whether or not
    the name exists. Rows are small and pruned once their lock has long expired."""

    name = CharField(max_length=64, unique=True)
    failures = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow, index=True)


@register
class Alert(BaseModel):
    """An in-app alert to one user. Carries no content: who logged it, when, and a
    non-revealing label (category), until the recipient opens the record itself."""

    recipient = ForeignKeyField(User, backref="alerts", on_delete="RESTRICT")
    kind = CharField(max_length=40)  # child_concern, adult_allegation, adult_low_level, ...
    record_type = CharField(max_length=40)
    record_id = IntegerField()
    label = CharField(max_length=200, default="")  # e.g. the category; never the text
    raised_by = CharField(max_length=200, default="")
    urgent = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("recipient", "read_at", "created_at"), False),
            # Every open console asks "anything new for me since id N" every 2 seconds. SQLite's
            # index on recipient already ends in the rowid; PostgreSQL needs the pair to
            # answer from the index alone (kiosk bench: "alert poll").
            (("recipient", "id"), False),
        )


@register
class MailOutbox(BaseModel):
    """A content-free e-mail notice waiting for the school's mail relay.

    Written in the same transaction as the alert it announces, sent afterwards by any
    console process or `kiosk mail send-pending`, retried until it is sent. It holds no
    text: the message is built at sending time from when and how urgent, nothing else.
    state: pending, sent, dropped (the account may no longer be told), given_up.
    """

    recipient = ForeignKeyField(User, backref="mail_notices", on_delete="RESTRICT")
    kind = CharField(max_length=40)
    urgent = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)  # when the concern was recorded
    state = CharField(max_length=12, default="pending")
    attempts = IntegerField(default=0)
    next_try_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    last_error = CharField(max_length=300, default="")

    class Meta:
        indexes = ((("state", "next_try_at"), False),)


@register
class RetentionGate(BaseModel):
    """Open (one row) only inside the retention process's own transaction: the append-only
    triggers let a DELETE through while it is there (see kiosk.appendonly)."""

    opened = IntegerField(default=1)
