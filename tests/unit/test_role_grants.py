"""An administrator in the console cannot change their own roles, and a role that reads case
records waits for the headteacher or the DSL to confirm it; password resets are visible to them."""

from __future__ import annotations

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.models import UserRole
from kiosk.services import accounts
from tests.conftest import STRONG_PASSWORD


def _roles(username):
    return sorted(accounts.get_user_info(_shell(), username).roles)


def _shell(setup: bool = False):
    from kiosk.services.actor import shell_actor

    return shell_actor("shell:test", setup=setup)


@pytest.fixture
def people(make_user):
    return {
        "it": make_user("it", "admin"),
        "it2": make_user("it2", "admin"),
        "head": make_user("head", "headteacher"),
        "dsl": make_user("dsl", "dsl"),
        "deputy": make_user("deputy", "deputy_dsl"),
        "sam": make_user("sam", "staff"),
    }


def test_an_administrator_cannot_change_their_own_roles(people):
    with pytest.raises(ValidationError, match="your own roles"):
        accounts.set_roles(people["it"], "it", ["admin", "dsl"])
    with pytest.raises(ValidationError, match="your own roles"):
        accounts.set_roles(people["it"], "it", ["staff"])
    assert _roles("it") == ["admin"]


@pytest.mark.parametrize("role", ["dsl", "deputy_dsl", "headteacher", "pastoral",
                                  "director_of_education", "trust_safeguarding_lead"])
def test_a_case_record_role_waits_for_the_head_or_the_dsl(people, role):
    it, head = people["it"], people["head"]
    accounts.set_roles(it, "sam", ["staff", role])
    assert _roles("sam") == ["staff"]  # not yet
    pending = accounts.role_grants(head)
    assert [(g.username, g.role, g.decision) for g in pending] == [("sam", role, "pending")]
    accounts.decide_grant(head, pending[0].id, confirm=True)
    assert _roles("sam") == sorted(["staff", role])
    assert accounts.role_grants(head) == []


def test_a_new_account_with_a_case_role_starts_as_staff(people):
    accounts.create_user(people["it"], "newdsl", "New Dsl", ["deputy_dsl"], STRONG_PASSWORD)
    assert _roles("newdsl") == ["staff"]
    grant = accounts.role_grants(people["dsl"])[0]
    accounts.decide_grant(people["dsl"], grant.id, confirm=False, reason="Not agreed by the governors")
    assert _roles("newdsl") == ["staff"]
    assert accounts.role_grants(people["dsl"], pending_only=False)[0].decision == "refused"


def test_other_roles_are_given_at_once_and_kiosk_users_waits_too(people):
    accounts.set_roles(people["it"], "sam", ["staff", "governor"])
    assert _roles("sam") == ["governor", "staff"]
    info = accounts.set_roles(_shell(), "sam", ["governor", "dsl"])  # `kiosk users set-roles`
    assert info.roles == ("governor",) and info.pending_roles == ("dsl",)
    assert accounts.role_grants(people["head"])[0].requested_by == "the shell (kiosk users)"
    accounts.set_roles(_shell(setup=True), "sam", ["dsl"])  # a set-up step (demo, tests)
    assert _roles("sam") == ["dsl"]


def test_the_first_head_or_dsl_is_set_up_without_a_confirmer(database):
    shell = _shell()
    accounts.create_user(shell, "it", "IT", ["admin"], STRONG_PASSWORD)
    accounts.create_user(shell, "head", "Head", ["headteacher"], STRONG_PASSWORD)
    assert _roles("head") == ["headteacher"]  # nobody could have confirmed it
    info = accounts.create_user(shell, "dsl", "Dsl", ["dsl"], STRONG_PASSWORD)
    assert info.roles == ("staff",) and info.pending_roles == ("dsl",)


def test_who_may_decide(people):
    it, head, deputy = people["it"], people["head"], people["deputy"]
    accounts.set_roles(it, "sam", ["staff", "dsl"])
    grant = accounts.role_grants(head)[0]
    for nobody in (it, deputy, people["sam"]):
        with pytest.raises(PermissionDenied):
            accounts.decide_grant(nobody, grant.id, confirm=True)
    # A head who is also an administrator cannot confirm what they asked for.
    accounts.set_roles(_shell(), "head", ["headteacher", "admin"])
    head_admin = accounts.authenticate("head", STRONG_PASSWORD).actor
    accounts.set_roles(head_admin, "deputy", ["deputy_dsl", "headteacher"])
    mine = [g for g in accounts.role_grants(people["dsl"]) if g.username == "deputy"][0]
    with pytest.raises(ValidationError, match="someone else"):
        accounts.decide_grant(head_admin, mine.id, confirm=True)
    accounts.decide_grant(people["dsl"], mine.id, confirm=True)
    with pytest.raises(NotFound):
        accounts.decide_grant(people["dsl"], mine.id, confirm=True)
    assert UserRole.select().where(UserRole.role == "headteacher").count() == 2


def test_the_head_sees_password_resets(people):
    accounts.reset_password(people["it"], "sam", "violet-harbour-tram-73")
    changes = accounts.account_changes(people["head"])
    assert changes[0].action == "password reset" and changes[0].username == "sam"
    assert changes[0].by == "it"
    with pytest.raises(PermissionDenied):
        accounts.account_changes(people["it2"])


async def test_the_head_confirms_a_grant_in_the_console(settings, people, monkeypatch):
    from kiosk.screens.admin.role_grants import RoleGrantsScreen
    from tests.console.helpers import CellsOnArrival, console_app, login, screen_text, settle, wait_until

    cells = CellsOnArrival(monkeypatch)  # every cell whole as the rows land

    accounts.set_roles(people["it"], "sam", ["staff", "deputy_dsl"])
    accounts.reset_password(people["it"], "deputy", "violet-harbour-tram-73")
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await login(pilot, "head")
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, RoleGrantsScreen))
        shown = screen_text(app)
        assert "sam" in shown and "Deputy DSL" in shown
        assert "password reset" in shown and "deputy" in shown
        await pilot.press("y")
        # The confirmation, then the list read again, each in a worker.
        await wait_until(pilot, lambda: "Nothing waiting for you." in screen_text(app))
    assert {"RoleGrantsScreen#grants", "RoleGrantsScreen#changes"} <= cells.shown and not cells.cut, cells.cut
    assert _roles("sam") == ["deputy_dsl", "staff"]


def test_menu_keys_are_unique():
    from kiosk.screens.session.home import HomeScreen
    from kiosk.screens.session.menu import MENU

    keys = [e.key for e in MENU] + [b.key for b in HomeScreen.BINDINGS if len(b.key) == 1]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_one_home_count_for_grants_and_authenticator_resets(people, fake_clock):
    from kiosk.services import two_factor
    from tests.console.helpers import enrol_authenticator

    assert accounts.home_counts(people["head"]) == []  # nothing waiting: no number at all
    accounts.set_roles(people["it"], "sam", ["staff", "deputy_dsl"])
    enrol_authenticator(people["deputy"])
    two_factor.request_reset(people["it"], "deputy", "lost_phone")
    [count] = accounts.home_counts(people["head"])
    assert (count.label, count.value, count.key, count.urgent) == ("Account changes to confirm", 2, "z", True)
    assert accounts.home_counts(people["it"]) == []  # an administrator confirms nothing
    from kiosk.services.home import home_counts

    labels = [c.label for c in home_counts(people["dsl"])]
    assert labels.count("Account changes to confirm") == 1
    assert not any("Authenticator resets" in label for label in labels)


async def test_the_head_confirms_grants_and_resets_on_one_screen(settings, people, fake_clock):
    import re

    from kiosk.screens.admin.role_grants import RoleGrantsScreen
    from kiosk.services import two_factor
    from tests.console.helpers import console_app, enrol_authenticator, login, screen_text, settle, wait_until

    accounts.set_roles(people["it"], "sam", ["staff", "deputy_dsl"])
    enrol_authenticator(people["deputy"])
    two_factor.request_reset(people["it"], "deputy", "lost_phone")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "head")
        assert re.search(r"2 Account changes to confirm  \[z\]", screen_text(app))
        await pilot.press("2")  # the old separate screen's key is gone
        await settle(pilot)
        assert not isinstance(app.screen, RoleGrantsScreen)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, RoleGrantsScreen))
        shown = screen_text(app)
        assert "Role: Deputy DSL" in shown and "Clear authenticator (lost phone)" in shown
        await pilot.press("y")  # the grant, first in the list
        await wait_until(pilot, lambda: "Role: Deputy DSL" not in screen_text(app))
        assert _roles("sam") == ["deputy_dsl", "staff"]
        await pilot.press("y")  # the reset asks again first
        await wait_until(pilot, lambda: "Press y again" in screen_text(app))
        assert two_factor.is_enrolled(people["deputy"].user_id)
        await pilot.press("y")
        await wait_until(pilot, lambda: not two_factor.is_enrolled(people["deputy"].user_id))
        # The list is read again in a worker after the reset.
        await wait_until(pilot, lambda: "Nothing waiting for you." in screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        assert "Account changes to confirm" not in screen_text(app)
