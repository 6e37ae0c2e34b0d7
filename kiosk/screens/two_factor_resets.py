"""Authenticator resets an administrator has asked for, for the headteacher or the DSL to
confirm or decline. Nothing is cleared until one of them confirms here; confirming
takes two presses of `c`, since it lets the account sign in with a new phone."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen

REASONS = {"lost_phone": "lost phone", "password_reset": "password reset"}


class TwoFactorResetsScreen(KioskScreen):
    SCREEN_TITLE = "Authenticator resets to confirm"
    AUTO_FOCUS = "#resets"
    BINDINGS = [
        Binding("c", "confirm", "Confirm"),
        Binding("d", "decline", "Decline"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.requests = []
        self.armed: int | None = None  # the request a first press of c pointed at

    def compose_body(self):
        yield Static(Content(""), id="resets-summary", classes="screen-intro")
        yield DataTable(id="resets", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#resets", DataTable).add_columns("Username", "Name", "Why", "Asked by", "When")
        self.reload()

    def reload(self) -> None:
        from kiosk.services import two_factor

        table = self.query_one("#resets", DataTable)
        table.clear()
        self.armed = None
        self.requests = self.call_service(two_factor.pending_resets, self.app.actor) or []
        summary = ("No resets are waiting." if not self.requests else
                   "Confirm only when you know the person asked for this (e.g. a lost phone). "
                   "c confirms (press twice), d declines.")
        self.query_one("#resets-summary", Static).update(Content(summary))
        for r in self.requests:
            table.add_row(Text(r.username), Text(r.full_name), Text(REASONS.get(r.reason, r.reason)),
                          Text(r.requested_by), Text(fmt_local(r.requested_at)))

    def _current(self):
        table = self.query_one("#resets", DataTable)
        if not self.requests or table.cursor_row is None or table.cursor_row >= len(self.requests):
            return None
        return self.requests[table.cursor_row]

    def action_confirm(self) -> None:
        request = self._current()
        if request is None:
            return
        if self.armed != request.id:
            self.armed = request.id
            self.notify(f"Press c again to clear {request.username}'s authenticator.",
                        markup=False, timeout=6)
            return
        self._decide(request, True)

    def action_decline(self) -> None:
        request = self._current()
        if request is not None:
            self._decide(request, False)

    def _decide(self, request, confirm: bool) -> None:
        from kiosk.services import two_factor

        done = self.call_service(two_factor.decide_reset, self.app.actor, request.id, confirm)
        if done is not None:
            self.notify(f"{request.username}: reset {'confirmed' if confirm else 'declined'}.",
                        markup=False)
        self.reload()
