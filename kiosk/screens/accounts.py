"""Accounts (the IT administrator's home): list with status; unlock, reset to a temporary
password, deactivate. Everything goes through kiosk.services.accounts (audited there).
Creating accounts and roles stays in the admin CLI."""

from __future__ import annotations

import secrets

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen
from kiosk.services import accounts
from kiosk.widgets.dialogs import ConfirmDialog, NoticeDialog

_WORDS = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "juniper",
    "kestrel", "lantern", "meadow", "nectar", "orchid", "pebble", "quartz", "river", "saffron",
    "thistle", "umber", "velvet", "willow", "yarrow", "zephyr", "beacon", "copper", "dune",
)


def temporary_password() -> str:
    """Four random words and two digits: easy to read out, long enough for the policy."""
    words = [secrets.choice(_WORDS) for _ in range(4)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


def status_of(info) -> str:
    if not info.active:
        return "deactivated"
    if info.locked:
        return "locked"
    if info.must_change_password:
        return "must change password"
    return "active"


class AccountsScreen(KioskScreen):
    SCREEN_TITLE = "Accounts"
    AUTO_FOCUS = "#accounts"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("l", "unlock", "Unlock"),
        Binding("t", "reset", "Temporary password"),
        Binding("delete", "deactivate", "Deactivate"),
    ]

    class ResetDone(Message):
        def __init__(self, username: str, password: str | None, error: str | None) -> None:
            super().__init__()
            self.username = username
            self.password = password
            self.error = error

    def compose_body(self):
        yield Static(Content("Accounts are created with 'kiosk users add' at the server. "
                             "Nothing is ever deleted: deactivate instead."), classes="screen-intro")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#accounts", DataTable)
        table.add_columns("Username", "Status", "Name", "Roles", "Last sign-in")
        self.reload()

    def reload(self) -> None:
        self.run_service(accounts.list_users, self.app.actor, then=self._show, group="accounts",
                         exclusive=True)

    def _show(self, users) -> None:
        table = self.query_one("#accounts", DataTable)
        row = table.cursor_row
        table.clear()
        for info in users:
            table.add_row(Text(info.username), Text(status_of(info)), Text(info.full_name),
                          Text(", ".join(info.roles)), Text(fmt_local(info.last_login_at)),
                          key=info.username)
        if users:
            table.move_cursor(row=min(row, len(users) - 1))

    def _selected(self) -> str | None:
        table = self.query_one("#accounts", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return key.value

    def _done(self, message: str):
        def then(_result) -> None:
            self.notify(message, markup=False)
            self.reload()
        return then

    def action_unlock(self) -> None:
        username = self._selected()
        if username:
            self.run_service(accounts.unlock, self.app.actor, username,
                             then=self._done(f"{username} unlocked."))

    def action_deactivate(self) -> None:
        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_service(accounts.deactivate, self.app.actor, username,
                                 then=self._done(f"{username} deactivated."))

        self.app.push_screen(ConfirmDialog(f"Deactivate {username}? They will not be able to sign in. "
                                           "Their records are kept."), done)

    def action_reset(self) -> None:
        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._reset(self.app.actor, username)

        self.app.push_screen(ConfirmDialog(f"Give {username} a new temporary password? "
                                           "Their current password stops working."), done)

    def _reset(self, actor, username: str) -> None:
        password = temporary_password()
        self.run_service(accounts.reset_password, actor, username, password,
                         then=lambda _: self.post_message(self.ResetDone(username, password, None)),
                         failed=lambda exc: self.post_message(self.ResetDone(username, None, str(exc))),
                         group="reset", exclusive=True)

    def on_accounts_screen_reset_done(self, message: ResetDone) -> None:
        if message.error:
            self.show_error(message.error)
            return
        self.reload()
        self.app.push_screen(NoticeDialog("Temporary password", [Content.assemble(
            "Temporary password for ", (message.username, "bold"), ":\n\n",
            (message.password or "", "bold reverse"),
            "\n\nGive it to them in person. They must choose their own at next sign-in. "
            "It is not shown again.")]))
