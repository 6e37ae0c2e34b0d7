"""Journeys through the real app at 80x24 with the clock faked (so codes are fixed):
setting up the authenticator from what the screen shows, a code accepted once, drift,
a recovery code used once, wrong codes towards the lockout, and the lost-phone reset
confirmed by the headteacher; and the QR code as drawn, decoded back."""

from __future__ import annotations

import re

import pyotp
import pytest

from kiosk.models import AuditEvent
from kiosk.screens.session.login import LoginScreen
from kiosk.screens.session.two_factor import RecoveryCodesScreen, TwoFactorCodeScreen, TwoFactorEnrolScreen
from kiosk.services import two_factor
from tests.console.helpers import (console_app, login, screen_text, settle, submit_login,
                                   type_into, wait_until)

SIZE = (80, 24)
GROUPS = re.compile(r"\b([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4})\b")


def actions() -> list[str]:
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


def shown_secret(app) -> str:
    """The key exactly as the screen shows it, in its groups of four."""
    found = GROUPS.findall(screen_text(app))
    assert len(found) == 2, screen_text(app)
    return "".join("".join(g) for g in found)


async def give_code(pilot, code: str) -> None:
    await type_into(pilot, "#code", code)
    await pilot.press("enter")
    await settle(pilot)


async def enrol_on_screen(pilot) -> tuple[str, list[str]]:
    """On the set-up screen: read the key, give its code, read the recovery codes."""
    app = pilot.app
    await wait_until(pilot, lambda: GROUPS.search(screen_text(app)) is not None)
    secret = shown_secret(app)
    await give_code(pilot, pyotp.TOTP(secret).generate_otp(two_factor.current_step()))
    await wait_until(pilot, lambda: isinstance(app.screen, RecoveryCodesScreen))
    codes = re.findall(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b", screen_text(app))
    await pilot.press("ctrl+y")
    await wait_until(pilot, lambda: app.actor is not None)
    return secret, codes


async def sign_out(pilot) -> None:
    await pilot.press("ctrl+q")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))


async def test_enrolment_then_codes_once_with_drift(settings, make_user, fake_clock):
    lee = make_user("lee", "dsl")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorEnrolScreen)
        assert app.actor is None  # not signed in until the authenticator is on
        await wait_until(pilot, lambda: GROUPS.search(screen_text(app)) is not None)
        text = screen_text(app)
        assert "Set up your authenticator app" in text and "▀" in text
        # Black on white whatever the theme, quiet zone included (scans on dark and light).
        qr = app.screen.query_one("#enrol-qr")
        assert qr.size.width <= 37 and qr.size.height <= 19
        cells = 0
        for y in (0, qr.size.height // 2):
            for segment in qr.render_line(y):
                if segment.text:
                    cells += len(segment.text)
                    assert segment.style.bgcolor.triplet == (255, 255, 255)
                    assert segment.style.color.triplet == (0, 0, 0)
        assert cells == 2 * qr.size.width
        secret = shown_secret(app)
        # A wrong code does not turn it on.
        right = pyotp.TOTP(secret).generate_otp(two_factor.current_step())
        await give_code(pilot, "123456" if right != "123456" else "654321")
        assert "does not match" in screen_text(app)
        assert not two_factor.is_enrolled(lee.user_id)
        await give_code(pilot, right)
        await wait_until(pilot, lambda: isinstance(app.screen, RecoveryCodesScreen))
        codes = re.findall(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b", screen_text(app))
        assert len(set(codes)) == 10
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: app.actor is not None)
        assert app.actor.username == "lee"
        await sign_out(pilot)

        # Next sign-in: the code is asked for. The code just used to set up is refused
        # (same time step), the next step's is accepted (one step of drift).
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorCodeScreen)
        await give_code(pilot, right)
        assert app.actor is None and "not accepted" in screen_text(app)
        ahead = pyotp.TOTP(secret).generate_otp(two_factor.current_step() + 1)
        await give_code(pilot, ahead)
        assert app.actor is not None and app.actor.username == "lee"
        await sign_out(pilot)

        # Replay: the same code again, still within its window, is refused.
        fake_clock.advance(seconds=30)
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        await give_code(pilot, ahead)
        assert app.actor is None and "not accepted" in screen_text(app)
        # One step behind is still within the drift, and later than the last accepted.
        fake_clock.advance(seconds=60)
        behind = pyotp.TOTP(secret).generate_otp(two_factor.current_step() - 1)
        await give_code(pilot, behind)
        assert app.actor is not None
    assert actions().count("2fa.failure") == 2
    assert "2fa.enrolled" in actions()


async def test_a_recovery_code_works_once(settings, make_user, fake_clock):
    make_user("hana", "headteacher")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "hana", "correct-battery-staple-42")
        _secret, codes = await enrol_on_screen(pilot)
        await sign_out(pilot)
        fake_clock.advance(seconds=120)
        await submit_login(pilot, "hana", "correct-battery-staple-42")
        await give_code(pilot, codes[0].upper())
        assert app.actor is not None
        assert "9 left" in screen_text(app)
        await sign_out(pilot)
        await submit_login(pilot, "hana", "correct-battery-staple-42")
        await give_code(pilot, codes[0])
        assert app.actor is None and "not accepted" in screen_text(app)


async def test_wrong_codes_lock_the_account(settings, make_user, fake_clock):
    lee = make_user("lee", "dsl")
    from tests.console.helpers import enrol_authenticator

    enrol_authenticator(lee)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        for _ in range(4):
            await give_code(pilot, "000001")
            assert isinstance(app.screen, TwoFactorCodeScreen)
        await give_code(pilot, "000001")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert "This account is locked" in app.screen.query_one("#login-notice").render().plain
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert app.actor is None and "locked" in screen_text(app)
    assert "account.lockout" in actions()


async def test_lost_phone_reset_confirmed_by_the_headteacher(settings, make_user, admin, fake_clock):
    lee = make_user("lee", "dsl")
    make_user("hana", "headteacher")
    from tests.console.helpers import enrol_authenticator

    old_secret = enrol_authenticator(lee)
    request = two_factor.request_reset(admin, "lee", "lost_phone")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # Until confirmed, nothing changes: lee is still asked for the old phone's code.
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorCodeScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        # The headteacher confirms in the console.
        await login(pilot, "hana")
        assert re.search(r"1 Account changes to confirm  \[z\]", screen_text(app))  # her home
        await pilot.press("z")
        await wait_until(pilot, lambda: "lee" in screen_text(app) and "lost phone" in screen_text(app))
        await pilot.press("y")
        await settle(pilot)
        assert two_factor.is_enrolled(lee.user_id)  # one press only asks again
        assert "Press y again" in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: not two_factor.is_enrolled(lee.user_id))
        assert "Nothing waiting for you." in screen_text(app)
        await sign_out(pilot)
        # lee is told, and sets up the new phone.
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorEnrolScreen)
        assert "was reset" in screen_text(app)
        new_secret, _ = await enrol_on_screen(pilot)
        assert new_secret != old_secret
    done = [a for a in actions() if a.startswith("2fa.reset")]
    assert done == ["2fa.reset_requested", "2fa.reset_confirmed", "2fa.reset_told"]
    assert request.username == "lee"


@pytest.mark.parametrize("username", ["a", "alison.smith", "x" * 64])
def test_the_qr_code_fits_and_decodes_back(username):
    """Drawn as it is on screen, it fits beside the key at 80x24 and reads back."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from kiosk.widgets.qr import qr_lines

    secret = pyotp.random_base32()
    uri = two_factor.provisioning_uri(username, secret)
    lines = qr_lines(uri)
    assert len(lines) <= 19 and max(len(line) for line in lines) <= 37
    # Back from characters to modules (black = dark), scaled up as a camera would see it.
    top = {" ": False, "▀": True, "▄": False, "█": True}
    bottom = {" ": False, "▀": False, "▄": True, "█": True}
    modules = []
    for line in lines:
        modules.append([top[c] for c in line])
        modules.append([bottom[c] for c in line])
    scale = 6
    pixels = bytearray()
    for row in modules:
        line = bytes(0 if dark else 255 for dark in row for _ in range(scale))
        pixels.extend(line * scale)
    image = memoryview(bytes(pixels)).cast("B", (len(modules) * scale, len(modules[0]) * scale))
    found = zxingcpp.read_barcodes(image)
    assert [r.text for r in found] == [uri]
    assert pyotp.parse_uri(found[0].text).secret == secret


async def test_the_administrator_asks_for_a_reset_on_the_accounts_screen(settings, make_user, fake_clock):
    from kiosk.screens.admin.accounts import AccountsScreen
    from tests.console.helpers import enrol_authenticator

    make_user("itadmin", "admin")
    lee = make_user("lee", "dsl")
    enrol_authenticator(lee)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "itadmin")  # the administrator too sets up an authenticator
        assert two_factor.is_enrolled(app.actor.user_id)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        app.screen.query_one("#accounts").move_cursor(row=1)  # itadmin, lee
        await pilot.press("a")
        await pilot.press("y")
        await settle(pilot)
        assert "headteacher or the DSL confirms" in screen_text(app)
    assert two_factor.is_enrolled(lee.user_id)  # still on until confirmed
    assert "2fa.reset_requested" in actions()


async def test_all_staff_when_the_school_says_so(settings, make_user, fake_clock):
    make_user("sam", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "sam")  # without the setting: no code
        assert not two_factor.is_enrolled(app.actor.user_id)
    app = console_app(settings.with_(two_factor_all_staff=True))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "sam", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorEnrolScreen) and app.actor is None
        await enrol_on_screen(pilot)
        assert app.actor.username == "sam" and two_factor.is_enrolled(app.actor.user_id)


async def test_escape_and_idling_on_the_code_screen_go_back_to_sign_in(settings, make_user, fake_clock):
    from tests.console.helpers import enrol_authenticator

    enrol_authenticator(make_user("lee", "dsl"))
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorCodeScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await submit_login(pilot, "lee", "correct-battery-staple-42")
        assert isinstance(app.screen, TwoFactorCodeScreen)
        fake_clock.advance(seconds=app.idle_seconds + 1)
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.actor is None and "cancelled after a spell without use" in screen_text(app)
