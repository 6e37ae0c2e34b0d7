"""Accounts: hashing, rehash, lockout and unlock, unknown users, deactivation."""

from __future__ import annotations

import pytest

from kiosk.errors import AccountLocked, AuthError, PermissionDenied, ValidationError
from kiosk.models import AuditEvent, User
from kiosk.services import accounts
from tests.conftest import STRONG_PASSWORD

# These test the hashing itself: argon2 with its real parameters.
pytestmark = pytest.mark.real_argon2


def test_password_is_stored_as_argon2id_with_owasp_minimum(make_user):
    make_user("alice", "staff")
    digest = User.get(User.username == "alice").password_hash
    assert digest.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in digest
    assert STRONG_PASSWORD not in digest


def test_login_success_and_generic_failure(make_user):
    make_user("alice", "staff")
    result = accounts.authenticate("alice", STRONG_PASSWORD)
    assert result.actor.username == "alice"
    with pytest.raises(AuthError) as wrong:
        accounts.authenticate("alice", "wrong password here")
    with pytest.raises(AuthError) as unknown:
        accounts.authenticate("nobody", "wrong password here")
    assert str(wrong.value) == str(unknown.value) == accounts.GENERIC_LOGIN_FAILURE
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert actions.count("login.failure") == 2 and "login.success" in actions


def test_unknown_username_costs_a_hash_verification(make_user, monkeypatch):
    calls = []
    real = accounts.hasher()

    class Counting:
        def verify(self, h, p):
            calls.append(h)
            return real.verify(h, p)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "hasher", Counting)
    with pytest.raises(AuthError):
        accounts.authenticate("ghost", "whatever password")
    assert len(calls) == 1


def test_rehash_at_login_when_parameters_change(make_user, monkeypatch):
    make_user("alice", "staff")
    old = User.get(User.username == "alice").password_hash
    monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 3)
    accounts.hasher.cache_clear()
    try:
        accounts.authenticate("alice", STRONG_PASSWORD)
        new = User.get(User.username == "alice").password_hash
        assert new != old and "t=3" in new
    finally:
        monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 2)
        accounts.hasher.cache_clear()


def test_lockout_after_five_failures_for_fifteen_minutes(make_user, admin, fake_clock):
    make_user("alice", "staff")
    for _ in range(4):
        with pytest.raises(AuthError) as exc:
            accounts.authenticate("alice", "not the password")
        assert not isinstance(exc.value, AccountLocked)
    with pytest.raises(AccountLocked):
        accounts.authenticate("alice", "not the password")
    with pytest.raises(AccountLocked):  # right password, still locked
        accounts.authenticate("alice", STRONG_PASSWORD)
    fake_clock.advance(minutes=14)
    with pytest.raises(AccountLocked):
        accounts.authenticate("alice", STRONG_PASSWORD)
    fake_clock.advance(minutes=2)
    assert accounts.authenticate("alice", STRONG_PASSWORD).actor.username == "alice"


def test_admin_unlocks(make_user, admin):
    make_user("alice", "staff")
    for _ in range(5):
        with pytest.raises(AuthError):
            accounts.authenticate("alice", "not the password")
    accounts.unlock(admin, "alice")
    assert accounts.authenticate("alice", STRONG_PASSWORD)


def test_success_resets_failure_count(make_user):
    make_user("alice", "staff")
    for _ in range(4):
        with pytest.raises(AuthError):
            accounts.authenticate("alice", "not the password")
    accounts.authenticate("alice", STRONG_PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError) as exc:
            accounts.authenticate("alice", "not the password")
        assert not isinstance(exc.value, AccountLocked)


@pytest.mark.parametrize("bad", ["short1", "password1234", "aaaaaaaaaaaaaaa", "alice-is-great-99",
                                 "abcdabcdabcd", "12345678abcd", "qwertyuiop12"])
def test_password_policy(make_user, admin, bad):
    with pytest.raises(ValidationError) as exc:
        accounts.create_user(admin, "alice", "Alice", ["staff"], bad)
    assert exc.value.field == "password"
    assert User.select().count() == 0


def test_forced_change_after_creation_and_reset(database, admin):
    accounts.create_user(admin, "bob", "Bob", ["staff"], STRONG_PASSWORD)
    result = accounts.authenticate("bob", STRONG_PASSWORD)
    assert result.must_change_password
    accounts.change_password(result.actor, STRONG_PASSWORD, "a-brand-new-passphrase")
    assert not accounts.authenticate("bob", "a-brand-new-passphrase").must_change_password
    accounts.reset_password(admin, "bob", "temporary-pass-9876")
    assert accounts.authenticate("bob", "temporary-pass-9876").must_change_password


def test_change_password_checks_current_and_policy(make_user):
    actor = make_user("carol", "staff")
    with pytest.raises(ValidationError):
        accounts.change_password(actor, "wrong current pw", "another-long-passphrase")
    with pytest.raises(ValidationError):
        accounts.change_password(actor, STRONG_PASSWORD, "short")


def test_deactivated_account_cannot_log_in_and_is_kept(make_user, admin):
    make_user("dave", "staff")
    accounts.deactivate(admin, "dave")
    with pytest.raises(AuthError):
        accounts.authenticate("dave", STRONG_PASSWORD)
    assert User.get(User.username == "dave").active is False


def test_duplicate_username_and_unknown_role(make_user, admin):
    make_user("erin", "staff")
    with pytest.raises(ValidationError):
        accounts.create_user(admin, "ERIN", "Erin 2", ["staff"], STRONG_PASSWORD)
    with pytest.raises(ValidationError) as exc:
        accounts.create_user(admin, "frank", "Frank", ["wizard"], STRONG_PASSWORD)
    assert "unknown role" in str(exc.value)


def test_only_admin_manages_accounts(make_user):
    head = make_user("head", "headteacher")
    with pytest.raises(PermissionDenied):
        accounts.create_user(head, "x1", "X", ["staff"], STRONG_PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.list_users(head)
    assert AuditEvent.select().where(AuditEvent.action == "permission.denied").count() == 2


def test_user_may_hold_several_roles(make_user):
    actor = make_user("multi", "dsl", "headteacher")
    assert {r.value for r in actor.roles} == {"dsl", "headteacher"}


def test_remote_origin_needs_a_remote_role(make_user):
    make_user("dana", "deputy_dsl")
    make_user("sam", "staff")
    origin = "ssh:198.51.100.7:50000"
    assert accounts.authenticate("dana", STRONG_PASSWORD, origin, allowed_roles=("dsl", "deputy_dsl"))
    with pytest.raises(AuthError):
        accounts.authenticate("sam", STRONG_PASSWORD, origin, allowed_roles=("dsl", "deputy_dsl"))
    # A caller that forgets the role list is refused for any remote origin (fails closed).
    with pytest.raises(AuthError):
        accounts.authenticate("dana", STRONG_PASSWORD, origin)
    assert accounts.authenticate("sam", STRONG_PASSWORD, "terminal")
    assert AuditEvent.select().where(AuditEvent.action == "login.refused_role").count() == 2


def test_weak_passwords_are_refused_with_zxcvbns_feedback(admin, database):
    with pytest.raises(ValidationError) as exc:
        accounts.create_user(admin, "alice", "Alice", ["staff"], "abcdabcdabcd")
    assert "too easy to guess" in exc.value.problem
    assert "Repeats like" in exc.value.problem  # zxcvbn's own warning, shown to the person
    accounts.create_user(admin, "alice", "Alice", ["staff"], "violet-harbour-tram-73")


def _fail(name, times, password="not the password"):
    errors = []
    for _ in range(times):
        with pytest.raises(AuthError) as exc:
            accounts.authenticate(name, password)
        errors.append(exc.value)
    return errors


def test_unknown_names_are_throttled_exactly_like_known_ones(make_user, fake_clock):
    make_user("alice", "staff")
    make_user("dora", "staff")
    from kiosk.services.actor import shell_actor

    accounts.deactivate(shell_actor("shell:test"), "dora")
    known, unknown, inactive = _fail("alice", 6), _fail("nobody", 6), _fail("dora", 6)
    for errors in (known, unknown, inactive):
        assert [type(e) for e in errors] == [AuthError] * 4 + [AccountLocked] * 2
    assert {str(e) for e in known[4:]} == {str(e) for e in unknown[4:]} == {str(e) for e in inactive[4:]}
    assert {str(e) for e in known[:4]} == {str(e) for e in unknown[:4]}


def test_the_failure_count_resets_when_a_lock_expires(make_user, fake_clock):
    make_user("alice", "staff")
    for name in ("alice", "nobody"):
        _fail(name, 5)
        fake_clock.advance(minutes=16)
        # After the lock: four more wrong tries are four, not nine.
        assert [type(e) for e in _fail(name, 4)] == [AuthError] * 4
        with pytest.raises(AccountLocked):
            accounts.authenticate(name, "not the password")
        fake_clock.advance(minutes=16)
    assert accounts.authenticate("alice", STRONG_PASSWORD).actor.username == "alice"


def test_sign_in_tells_of_failed_attempts_and_resets_since_last_visit(make_user, admin, fake_clock):
    make_user("alice", "staff")
    first = accounts.authenticate("alice", STRONG_PASSWORD)
    assert first.failed_since_last == 0 and first.password_reset_at is None
    fake_clock.advance(hours=1)
    _fail("alice", 3)
    fake_clock.advance(minutes=1)
    second = accounts.authenticate("alice", STRONG_PASSWORD)
    assert second.failed_since_last == 3 and second.password_reset_at is None
    fake_clock.advance(hours=1)
    accounts.reset_password(admin, "alice", "violet-harbour-tram-73")
    fake_clock.advance(minutes=1)
    third = accounts.authenticate("alice", "violet-harbour-tram-73")
    assert third.failed_since_last == 0 and third.password_reset_at is not None
    # Left at the forced change (Escape), the next sign-in still tells it; once changed, not.
    assert accounts.authenticate("alice", "violet-harbour-tram-73").password_reset_at is not None
    accounts.change_password(third.actor, "violet-harbour-tram-73", "amber-kettle-orbit-58")
    assert accounts.authenticate("alice", "amber-kettle-orbit-58").password_reset_at is None
