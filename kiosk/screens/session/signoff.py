"""The procedures sign-off gate (paragraph 3).

At first login and whenever the procedures' version changes, the user reads the
procedures to the end before "I have read and agree" is enabled; nothing else is
reachable until they sign. Escape signs out.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from kiosk.screens.base import KioskScreen
from kiosk.screens.help.procedures import ProceduresText


class SignoffScreen(KioskScreen):
    SCREEN_TITLE = "Sign the procedures"
    AUTO_FOCUS = "#procedures"
    BINDINGS = [
        Binding("escape", "back", "Sign out"),
        Binding("ctrl+y", "agree", "Agree"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reached_end = False

    def compose_body(self):
        yield Static(
            Content("Please read the school's child protection procedures to the end "
                    "(page down or arrows), then confirm."),
            id="signoff-intro",
        )
        yield ProceduresText(self.app.profile, id="procedures")
        with Horizontal(id="signoff-bar"):
            yield Static(Content("Scroll to the end to confirm."), id="signoff-hint")
            yield Button(Content("I have read and agree"), id="agree", variant="success",
                         disabled=True)

    def on_mount(self) -> None:
        scroller = self.query_one("#procedures", ProceduresText)
        self.watch(scroller, "scroll_y", self._scrolled, init=False)
        self.call_after_refresh(self._scrolled)

    def on_resize(self) -> None:
        self.call_after_refresh(self._scrolled)

    def _scrolled(self, *_: object) -> None:
        if self.reached_end:
            return
        scroller = self.query_one("#procedures", ProceduresText)
        if scroller.max_scroll_y <= 0 and scroller.virtual_size.height == 0:
            return  # not laid out yet
        if scroller.scroll_y >= scroller.max_scroll_y - 1:
            self.reached_end = True
            self.query_one("#agree", Button).disabled = False
            self.query_one("#signoff-hint", Static).update(
                Content(f"Version {self.app.profile.procedures_version}. Confirm with the button or ctrl+y."))
            self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "agree":
            return True if self.reached_end else None
        return True

    def action_back(self) -> None:
        self.app.call_later(self.app.lock_session, "logout")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "agree":
            self.action_agree()

    def action_agree(self) -> None:
        from kiosk.services import signoff

        if not self.reached_end or self.app.actor is None:
            return
        self.run_service(signoff.sign, self.app.actor, self.app.profile.procedures_version,
                         then=self._signed, group="sign", exclusive=True)

    def _signed(self, _result) -> None:
        self.notify(f"Thank you. Your confirmation of version {self.app.profile.procedures_version} "
                    "is recorded.", markup=False)
        self.app.call_later(self.app.signoff_done)
