"""Change my password: forced after an account is created or reset, or by choice.

When forced, the screen is a gate: escape signs out instead of going back.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Label, Static

from kiosk.screens.base import KioskScreen
from kiosk.services.accounts import MIN_PASSWORD_LENGTH
from kiosk.widgets.inputs import SafeInput


class PasswordScreen(KioskScreen):
    SCREEN_TITLE = "Change your password"
    AUTO_FOCUS = "#current"
    BINDINGS = [Binding("escape", "back", "Back")]

    class Outcome(Message):
        def __init__(self, error: str | None = None) -> None:
            super().__init__()
            self.error = error

    def __init__(self, forced: bool = False) -> None:
        super().__init__()
        self.forced = forced
        self.busy = False

    def compose_body(self):
        with VerticalScroll(id="password-box", classes="box"):
            if self.forced:
                yield Static(Content("Before you carry on, choose a new password that only you know."),
                             classes="intro")
            yield Static(Content(f"At least {MIN_PASSWORD_LENGTH} characters; a few unrelated words work well."),
                         classes="hint")
            yield Static(Content(""), id="password-message")
            yield Label(Content("Current (or temporary) password"))
            # Enter moves on as Tab does, at once: old<Tab>new<Tab>new<Enter> typed in one
            # burst lands in the three boxes as typed (kiosk.widgets.typed).
            yield SafeInput(id="current", password=True, max_length=256, next_on_enter=True)
            yield Label(Content("New password"))
            yield SafeInput(id="new", password=True, max_length=256, next_on_enter=True)
            yield Label(Content("New password again"))
            yield SafeInput(id="confirm", password=True, max_length=256)
            yield Button(Content("Change password"), id="change", variant="primary")

    def action_back(self) -> None:
        if self.forced:
            self.app.call_later(self.app.lock_session, "logout")
        else:
            super().action_back()

    def _say(self, text: str) -> None:
        self.query_one("#password-message", Static).update(Content(text))

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        """Enter in the last box (the first two move on by themselves)."""
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        current = self.query_one("#current", SafeInput).value
        new = self.query_one("#new", SafeInput).value
        confirm = self.query_one("#confirm", SafeInput).value
        if not current or not new:
            self._say("Fill in all three boxes.")
            return
        if new != confirm:
            self._say("The two new passwords differ; type them again.")
            self.query_one("#new", SafeInput).value = ""
            self.query_one("#confirm", SafeInput).value = ""
            self.query_one("#new", SafeInput).focus()
            return
        self.busy = True
        self.query_one("#change", Button).disabled = True
        self._say("Saving…")
        self._change(self.app.actor, current, new)

    def _change(self, actor, current: str, new: str) -> None:
        from kiosk.services import accounts

        self.run_service(accounts.change_password, actor, current, new,
                         then=lambda _: self.post_message(self.Outcome()),
                         failed=lambda exc: self.post_message(self.Outcome(error=str(exc))),
                         group="password", exclusive=True)

    def on_password_screen_outcome(self, message: Outcome) -> None:
        self.busy = False
        self.query_one("#change", Button).disabled = False
        for box in ("current", "new", "confirm"):
            self.query_one(f"#{box}", SafeInput).value = ""
        if message.error:
            self._say(message.error)
            self.query_one("#current", SafeInput).focus()
            return
        self.notify("Password changed.", markup=False)
        if self.forced:
            self.app.call_later(self.app.password_done)
        else:
            self.dismiss()
