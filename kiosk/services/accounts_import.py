"""Staff accounts in bulk (`kiosk users import FILE`): plan (the dry run), then create.

A dry run of the same file (same SHA-256, found in the audit trail) must come first.
Existing accounts are never changed by an import (roles are changed one person at a time,
`kiosk users set-roles`). A new account gets a random temporary password, printed once by
the caller and changed at first sign-in.

Roles that read case records (and admin) are not granted by a bulk import: the accounts
issue's rule is that such a grant waits for the headteacher's or the DSL's confirmation,
and that confirmation step is not in this build. Such accounts are created with the staff
role only and the roles asked for are reported as "to confirm"; grant them with `kiosk
users set-roles` once confirmed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from kiosk import db as dbmod
from kiosk.capabilities import CAPABILITIES, CASE_RECORD_CAPS, Cap, Role, parse_role
from kiosk.errors import ValidationError
from kiosk.imports.common import RefusedRow
from kiosk.imports.staff_csv import StaffRow, read_staff
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

# Never granted by a bulk import (see the module docstring).
HELD_ROLES = frozenset({r for r in Role if CAPABILITIES[r] & CASE_RECORD_CAPS} | {Role.ADMIN})


@dataclass(frozen=True)
class NewAccount:
    username: str
    full_name: str
    email: str
    granted: tuple[str, ...]
    to_confirm: tuple[str, ...]  # asked for, not granted (see HELD_ROLES)
    password: str = ""  # the temporary password (only after a real import)


@dataclass
class StaffPlan:
    file_name: str
    sha256: str
    new: list[NewAccount] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "existing": len(self.existing), "refused": len(self.refused),
                "roles_to_confirm": sum(1 for a in self.new if a.to_confirm)}


def _plan(data: bytes, name: str) -> tuple[StaffPlan, list[StaffRow]]:
    from kiosk.models import User
    from kiosk.services.accounts import validate_username

    parsed = read_staff(data, name)
    plan = StaffPlan(name, hashlib.sha256(data).hexdigest(), refused=list(parsed.refused))
    taken = {u for (u,) in User.select(User.username).tuples()}
    rows = []
    for row in parsed.rows:
        try:
            username = validate_username(row.username)
            full = clean(row.full_name, "full name", required=True)
            roles = [parse_role(r) for r in row.roles]
        except (ValidationError, ValueError) as exc:
            plan.refused.append(RefusedRow(row.line, row.username, str(exc)))
            continue
        if username in taken:
            plan.existing.append(username)
            continue
        granted = tuple(sorted(r.value for r in roles if r not in HELD_ROLES)) or ("staff",)
        held = tuple(sorted(r.value for r in roles if r in HELD_ROLES))
        plan.new.append(NewAccount(username, full, row.email, granted, held))
        rows.append(row)
    plan.refused.sort(key=lambda r: r.line)
    return plan, rows


def _previewed(sha256: str) -> bool:
    """Whether this exact file has had a dry run (the audit trail keeps its hash)."""
    from kiosk.models import AuditEvent

    return (AuditEvent.select(AuditEvent.seq)
            .where((AuditEvent.action == "account.import.preview") & AuditEvent.detail.contains(sha256))
            .exists())


def temporary_password() -> str:
    # 16 characters from a 64-symbol alphabet: ~96 bits, and passes the password policy.
    return secrets.token_urlsafe(12)


def import_staff(actor: Actor, data: bytes, name: str, *, dry_run: bool = False) -> StaffPlan:
    """Create the new accounts in one transaction (argon2 hashing done before it)."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import User, UserRole
    from kiosk.services.accounts import hasher

    with dbmod.translate_errors():
        plan, _ = _plan(data, name)
        if not dry_run and not _previewed(plan.sha256):
            raise ValidationError("file", f"{name}: run it with --dry-run first and check the list "
                                          "(the same file then imports)")
    if dry_run:
        audit.record(actor, "account.import.preview", "user", "", {"file": name[:200], "sha256": plan.sha256, **plan.counts})
        return plan
    ready = []
    for account in plan.new:
        password = temporary_password()
        ready.append((account, password, hasher().hash(password)))
    created = []
    with dbmod.write():
        taken = {u for (u,) in User.select(User.username).tuples()}
        for account, password, digest in ready:
            if account.username in taken:  # made by someone else since the plan
                plan.existing.append(account.username)
                continue
            user = User.create(username=account.username, full_name=account.full_name, email=account.email or None,
                               password_hash=digest, must_change_password=True)
            for role in account.granted:
                UserRole.create(user=user, role=role)
            audit.record(actor, "account.create", "user", user.id,
                         {"username": account.username, "roles": list(account.granted),
                          "roles_to_confirm": list(account.to_confirm), "by": "import"})
            created.append(NewAccount(account.username, account.full_name, account.email,
                                      account.granted, account.to_confirm, password))
        plan.new = created
        audit.record(actor, "account.import", "user", "", {"file": name[:200], "sha256": plan.sha256, **plan.counts})
    return plan
