"""Helpers for journey tests through the real app (other domains' tests use these too).

    app = console_app(settings)               # make_app with animations off
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "alice")           # drives the real login screen
        ...

`login` types the username and password into the login screen, waits for the argon2
worker, gives the authenticator code when the role needs one (setting the authenticator
up first if the account has none, as a person with the phone would), then signs the
procedures if the gate appears (sign=True) so the test lands on the home screen. Users from the `make_user` fixture have the password STRONG_PASSWORD.
"""

from __future__ import annotations

from tests.conftest import STRONG_PASSWORD


def console_app(settings, **kwargs):
    from kiosk.app import make_app

    app = make_app(settings, **kwargs)
    app.animation_level = "none"
    # No autosave on a timer: a journey's drafts must not depend on how slow the machine is
    # (tests/console/test_autosave.py calls app.autosave_tick() itself).
    app.AUTOSAVE_SECONDS = 0
    return app


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and the screen catch up."""
    from textual.worker import WorkerCancelled

    for _ in range(rounds):
        for _attempt in range(100):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                # A newer call replaced an older one (a search as you type): the cancelled one
                # is finished with, not a failure; wait for the rest.
                await pilot.pause(0.01)
        await pilot.pause()


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    """Settle until `predicate()` holds (a screen pushed by a worker can land after one
    settle on a loaded machine); fail with the screen's text after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot, rounds=1)
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; the screen shows:\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)


async def type_into(pilot, selector: str, text: str) -> None:
    """Set an input's value as if typed (clears it first)."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    if text:
        widget.insert_text_at_cursor(text)
    # Typing may start a service call (a search as you type): let it land.
    await settle(pilot, rounds=1)


async def type_text_area(pilot, selector: str, text: str) -> None:
    """Type into a multi-line field (after what is there)."""
    area = pilot.app.screen.query_one(selector)
    area.focus()
    await pilot.pause()
    area.insert(text)
    await pilot.pause()


def typed(text: str) -> list[str]:
    """The keys that type `text`, one per character, for `burst`."""
    return list(text)


def burst(app, *keys: str) -> None:
    """Send every key at once, as the terminal driver does for one read of many bytes (a
    fast typist, a paste typed as keys, SSH latency): none is handled before the next is
    sent, unlike pilot.press, which lets the app settle after each key. A key is named as
    pilot.press names it ("tab", "ctrl+s", "a"); `typed(text)` gives the keys of a text."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


async def submit_login(pilot, username: str, password: str) -> None:
    from kiosk.screens.session.login import LoginScreen

    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen), f"expected the login screen, got {screen!r}"
    if getattr(screen, "asleep", False):  # locked while idle: a key wakes it first (and is not typed)
        await pilot.press("space")
        await pilot.pause()
    if not pilot.app.remote_user:
        await type_into(pilot, "#username", username)
    await type_into(pilot, "#password", password)
    await pilot.press("enter")
    await settle(pilot)


async def sign_procedures(pilot) -> None:
    """On the sign-off gate: scroll to the end and agree."""
    from kiosk.screens.session.signoff import SignoffScreen

    screen = pilot.app.screen
    assert isinstance(screen, SignoffScreen)
    screen.query_one("#procedures").focus()
    await pilot.press("end")
    await settle(pilot)
    await pilot.press("ctrl+y")
    await settle(pilot)


async def login(pilot, username: str, password: str = STRONG_PASSWORD, *, sign: bool = True) -> None:
    """Log in through the login screen; by default also pass the sign-off gate.

    Afterwards `pilot.app.actor` is the user and `pilot.app.screen` is their home screen
    (or the drafts offer on top of it, if they had drafts).
    """
    from kiosk.screens.session.signoff import SignoffScreen

    await submit_login(pilot, username, password)
    await pass_second_factor(pilot)
    assert pilot.app.actor is not None, "login failed:\n" + screen_text(pilot.app)
    if sign and isinstance(pilot.app.screen, SignoffScreen):
        await sign_procedures(pilot)
        # The "thank you" toast would otherwise lie over the next screen's text for a while.
        pilot.app.clear_notifications()
        await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows right now (every layer, toasts included), as plain lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def clear_of_a_step_end(margin: float = 5.0) -> None:
    """On the real clock, wait for the next 30-second step when this one is about to end: a
    code worked out now must still be within the allowed drift when the console checks it (a
    loaded machine can take seconds between the two)."""
    import time

    from kiosk import clock
    from kiosk.services import two_factor

    if isinstance(clock._clock, clock.FakeClock):
        return
    left = two_factor.STEP_SECONDS - time.time() % two_factor.STEP_SECONDS
    if left < margin:
        time.sleep(left + 0.05)


def authenticator_code(user_id: int) -> str:
    """What the person's authenticator app shows now: a code for the earliest step within
    the allowed drift that has not been used yet (a code is accepted once)."""
    import pyotp

    from kiosk.services import two_factor

    from kiosk import clock

    live = two_factor._live(user_id)
    assert live is not None, "no authenticator set up for this account"
    clear_of_a_step_end()
    for _ in range(2):
        now = two_factor.current_step()
        for step in range(now - two_factor.DRIFT_STEPS, now + two_factor.DRIFT_STEPS + 1):
            if step > live.last_step:
                return pyotp.TOTP(two_factor._secret(live)).generate_otp(step)
        # Signed in three times at one faked moment: the person waits for the next code.
        if not isinstance(clock._clock, clock.FakeClock):
            break
        clock._clock.advance(seconds=two_factor.STEP_SECONDS)
    raise AssertionError("every code within the drift window has been used; advance the clock")


async def pass_second_factor(pilot) -> None:
    """If the sign-in asks for a code (or to set up an authenticator), give it."""
    import pyotp

    from kiosk.screens.session.two_factor import RecoveryCodesScreen, TwoFactorCodeScreen, TwoFactorEnrolScreen
    from kiosk.services import two_factor

    screen = pilot.app.screen
    if isinstance(screen, TwoFactorEnrolScreen):
        await wait_until(pilot, lambda: screen.enrolment is not None)
        # One step behind (within the drift) leaves two later codes for later sign-ins.
        clear_of_a_step_end()
        code = pyotp.TOTP(screen.enrolment.secret).generate_otp(two_factor.current_step() - 1)
        await type_into(pilot, "#code", code)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, RecoveryCodesScreen))
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: pilot.app.actor is not None)
    elif isinstance(screen, TwoFactorCodeScreen):
        await type_into(pilot, "#code", authenticator_code(screen.result.actor.user_id))
        await pilot.press("enter")
        await wait_until(pilot, lambda: pilot.app.actor is not None)


def enrol_authenticator(actor) -> str:
    """Set up an authenticator for `actor` through the service (as if done at a first
    sign-in) and return its secret."""
    import pyotp

    from kiosk.services import two_factor

    started = two_factor.start_enrolment(actor)
    clear_of_a_step_end(margin=1.0)
    two_factor.confirm_enrolment(actor, started.id,
                                 pyotp.TOTP(started.secret).generate_otp(two_factor.current_step() - 1))
    return started.secret


class CellsOnArrival:
    """Every table of a screen or dialog looked at right after a service's result is shown
    (`then`), before the table next goes idle: Textual measures an auto-width column only
    then, and until then it shows the header's width ("Late" for "Late Signer"), for as
    long as a busy machine takes. `cut` lists each cell shown cut at that moment; `shown`
    names the tables ("Screen#table") that had rows.

        cells = CellsOnArrival(monkeypatch)
        ... open screens ...
        assert not cells.cut
    """

    def __init__(self, monkeypatch) -> None:
        from kiosk.widgets.service import ServiceCaller

        self.cut: list[str] = []
        self.shown: set[str] = set()
        original = ServiceCaller._service_done
        watcher = self

        def done(caller, then, result) -> None:
            original(caller, then, result)
            if caller.is_attached:
                watcher.look_at(caller)

        monkeypatch.setattr(ServiceCaller, "_service_done", done)

    def look_at(self, node) -> None:
        from rich.text import Text
        from textual.widgets import DataTable

        for table in node.query(DataTable):
            where = f"{type(table.screen).__name__}#{table.id}"
            console = table.app.console
            for row_key, row in table.rows.items():
                self.shown.add(where)
                for column, cell in zip(table.ordered_columns, table.get_row(row_key)):
                    text = cell if isinstance(cell, Text) else Text(str(cell))
                    if not text.plain:
                        continue
                    width = column.content_width if column.auto_width else column.width
                    lines = len(text.wrap(console, width)) if width > 0 else None
                    if lines is None or lines > row.height:
                        self.cut.append(f"{where} column {str(column.label)!r}: {text.plain!r} "
                                        f"in {row.height} line(s) of {width}")
