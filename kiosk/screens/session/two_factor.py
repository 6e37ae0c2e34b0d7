"""The second step of signing in: the authenticator code, or setting one up.

Nobody is signed in on these screens (`app.actor` stays None): the password was right,
and the session begins only when the code is. Escape goes back to the login screen; so
does a spell without a key pressed (the idle time of a session).

Enrolment: the QR code (black on white half-blocks, 37x19 at most) beside the secret
in groups of four for typing, then one code from the app to turn it on, then the ten
recovery codes, shown this once.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static

from kiosk.errors import AccountLocked
from kiosk.services import two_factor
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.qr import QrCode
from kiosk.widgets.service import ServiceCaller


class _PendingScreen(ServiceCaller, Screen):
    """A step before the session: escape or idling returns to the login screen."""

    BINDINGS = [Binding("escape", "cancel", "Cancel sign-in")]

    def __init__(self, result) -> None:
        super().__init__()
        self.result = result  # accounts.LoginResult: the actor-to-be
        self.busy = False

    def on_mount(self) -> None:
        self.set_interval(1.0, self._idle_check)

    def _idle_check(self) -> None:
        app = self.app
        if app.screen is self and app.idle_for() >= app.idle_seconds:
            app.call_later(app.abandon_sign_in, "Sign-in cancelled after a spell without use.")

    def action_cancel(self) -> None:
        self.app.call_later(self.app.abandon_sign_in)

    class Done(Message):
        def __init__(self, value=None, error: str | None = None, locked: bool = False) -> None:
            super().__init__()
            self.value = value
            self.error = error
            self.locked = locked

    def step(self, fn, *args) -> None:
        """A service call of this sign-in step; its result or refusal comes back as Done."""
        self.run_service(fn, *args, then=lambda value: self.post_message(self.Done(value)),
                         failed=lambda exc: self.post_message(self.Done(
                             error=str(exc), locked=isinstance(exc, AccountLocked))),
                         group="second-factor", exclusive=True)


class TwoFactorCodeScreen(_PendingScreen):
    AUTO_FOCUS = "#code"

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(Content.styled(self.app.profile.school_name, "bold"), id="login-school")
            yield Static(Content(f"Signing in as {self.result.actor.username}"), classes="hint")
            yield Label(Content("Code from your authenticator app"))
            yield SafeInput(id="code", max_length=24, placeholder="6 digits, or a recovery code")
            yield Static(Content("Lost your phone? Use one of your recovery codes, or ask the "
                                 "IT administrator for a reset."), classes="hint")
            yield Static(Content(""), id="login-message")
        yield Footer()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        code = event.value.strip()
        if self.busy or not code:
            return
        self.busy = True
        self.query_one("#login-message", Static).update(Content("Checking…"))
        self._verify(code)

    def _verify(self, code: str) -> None:
        self.step(two_factor.verify, self.result.actor, code)

    @on(_PendingScreen.Done)
    def _verified(self, message: _PendingScreen.Done) -> None:
        self.busy = False
        box = self.query_one("#code", SafeInput)
        box.value = ""
        if message.locked:
            self.app.call_later(self.app.abandon_sign_in, message.error)
            return
        if message.error:
            self.query_one("#login-message", Static).update(Content(message.error))
            box.focus()
            return
        if message.value.method == "recovery":
            left = message.value.recovery_left
            self.app.notify(f"Recovery code used; {left} left. Ask for a reset if your phone is lost.",
                            severity="warning", markup=False, timeout=10)
        self.app.second_factor_done(self.result)


class TwoFactorEnrolScreen(_PendingScreen):
    AUTO_FOCUS = "#code"

    def __init__(self, result, notice: str = "") -> None:
        super().__init__(result)
        self.notice = notice
        self.enrolment = None  # two_factor.Enrolment once the worker has made it

    def compose(self) -> ComposeResult:
        with Horizontal(id="enrol-layout"):
            yield QrCode(id="enrol-qr")
            with VerticalScroll(id="enrol-side"):
                yield Static(Content.styled("Set up your authenticator app", "bold"))
                if self.notice:
                    yield Static(Content(self.notice), id="enrol-notice")
                yield Static(Content("Your role needs a code from your phone as well as your "
                                     "password. Scan the code with an authenticator app, or "
                                     "type this key into it:"), classes="hint")
                yield Static(Content(""), id="enrol-secret")
                yield Label(Content("Then type the 6-digit code it shows"))
                yield SafeInput(id="code", max_length=12, restrict=r"[0-9 ]*")
                yield Static(Content(""), id="login-message")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._start()

    def _start(self) -> None:
        self.step(two_factor.start_enrolment, self.result.actor)

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        code = event.value.strip()
        if self.busy or not code or self.enrolment is None:
            return
        self.busy = True
        self.query_one("#login-message", Static).update(Content("Checking…"))
        self._confirm(self.enrolment.id, code)

    def _confirm(self, enrolment_id: int, code: str) -> None:
        self.step(two_factor.confirm_enrolment, self.result.actor, enrolment_id, code)

    @on(_PendingScreen.Done)
    def _step_done(self, message: _PendingScreen.Done) -> None:
        self.busy = False
        box = self.query_one("#code", SafeInput)
        box.value = ""
        if message.error:
            self.query_one("#login-message", Static).update(Content(message.error))
            box.focus()
            return
        if isinstance(message.value, two_factor.Enrolment):
            self.enrolment = message.value
            self.query_one("#enrol-qr", QrCode).show(self.enrolment.uri)
            secret = self.enrolment.grouped.split(" ")
            lines = " ".join(secret[:4]) + "\n" + " ".join(secret[4:])
            self.query_one("#enrol-secret", Static).update(Content.styled(lines, "bold"))
            return
        self.app.call_later(self.app.show_recovery_codes, self.result, message.value)


class RecoveryCodesScreen(_PendingScreen):
    AUTO_FOCUS = "#done"
    BINDINGS = [Binding("ctrl+y", "done", "I have written them down")]

    def __init__(self, result, codes: list[str]) -> None:
        super().__init__(result)
        self.codes = list(codes)

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(Content.styled("Your authenticator is set up. Recovery codes:", "bold"))
            yield Static(Content("Write these down now and keep them apart from your phone. Each "
                                 "works once, in place of a code. They will not be shown again."),
                         classes="hint")
            half = (len(self.codes) + 1) // 2
            rows = [f"{a}    {b}" for a, b in zip(self.codes[:half], self.codes[half:] + [""])]
            yield Static(Content.styled("\n".join(rows), "bold"), id="recovery-codes")
            yield Button(Content("I have written them down"), id="done", variant="primary")
        yield Footer()

    def action_cancel(self) -> None:
        # Both factors were given (the set-up took a code): escape carries on, as "done" does.
        self.action_done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_done()

    def action_done(self) -> None:
        self.codes = []
        self.app.second_factor_done(self.result)
