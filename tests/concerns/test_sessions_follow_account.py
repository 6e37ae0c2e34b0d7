"""Sessions follow the account: a deactivation, a role change or a password reset by an
administrator takes effect at the user's next service call, whatever the session holds."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.errors import NotFound, PermissionDenied, SessionEnded
from kiosk.models import AuditEvent
from kiosk.services import accounts, concerns
from tests.conftest import STRONG_PASSWORD


def _stale_refusals() -> int:
    return AuditEvent.select().where(AuditEvent.action == "session.stale_refused").count()


def test_a_deactivated_deputy_can_no_longer_open_or_act(school, record, admin):
    deputy = school.users["deputy"]
    rec = record()
    concerns.get_concern(deputy, rec.id)  # fine while active
    accounts.deactivate(admin, "deputy")
    with pytest.raises(SessionEnded):
        concerns.get_concern(deputy, rec.id)
    with pytest.raises(SessionEnded):
        concerns.add_action(deputy, rec.id, kind="monitor", action_date=date(2026, 11, 26),
                            taken_by="Mr Deputy", notes="Checked", rationale="Look for a pattern")
    assert _stale_refusals() == 2


def test_a_deputy_demoted_to_staff_no_longer_reads_a_restricted_concern(school, record, admin):
    deputy, dsl = school.users["deputy"], school.users["dsl"]
    rec = record()
    concerns.restrict(dsl, rec.id, [dsl.user_id, deputy.user_id], "Family member on staff")
    concerns.get_concern(deputy, rec.id)
    accounts.set_roles(admin, "deputy", ["staff"])
    with pytest.raises(SessionEnded):
        concerns.get_concern(deputy, rec.id)
    with pytest.raises(SessionEnded):
        concerns.inbox(deputy)
    # Signed in again, they are what the account says now: staff.
    fresh = accounts.authenticate("deputy", STRONG_PASSWORD).actor
    with pytest.raises((PermissionDenied, NotFound)) as refused:
        concerns.get_concern(fresh, rec.id)
    assert not isinstance(refused.value, SessionEnded)


def test_a_password_reset_ends_the_session_but_not_an_unchanged_role_list(school, record, admin):
    dsl = school.users["dsl"]
    concerns.inbox(dsl)
    accounts.set_roles(admin, "dsl", ["dsl"])  # the same roles: nothing changed
    concerns.inbox(dsl)
    accounts.reset_password(admin, "dsl", "Another-strong-passphrase-9")
    with pytest.raises(SessionEnded):
        concerns.inbox(dsl)
    with pytest.raises(SessionEnded):
        accounts.change_password(dsl, STRONG_PASSWORD, "Yet-another-strong-passphrase-7")
