"""Accounts (the IT administrator's home): list with status; unlock, reset to a temporary
password, deactivate. Everything goes through kiosk.services.accounts (audited there).
Creating accounts and roles stays in the admin CLI."""

from __future__ import annotations

import secrets

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from kiosk.widgets.footer import KioskFooter
from kiosk import db as dbmod
from kiosk.clock import fmt_local
from kiosk.errors import KioskError
from kiosk.screens.base import KioskScreen
from kiosk.screens.lock import ConfirmScreen

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


class ShowOnceScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, text: Content) -> None:
        super().__init__()
        self.text = text

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(self.text)
            yield Button(Content("Done"), id="done")
        yield KioskFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()


class AccountsScreen(KioskScreen):
    SCREEN_TITLE = "Accounts"
    AUTO_FOCUS = "#accounts"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("l", "unlock", "Unlock"),
        Binding("t", "reset", "Temporary password"),
        Binding("a", "reset_2fa", "Reset authenticator"),
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
        self.reload()

    def reload(self) -> None:
        from kiosk.services import accounts

        from kiosk.widgets.fit import fill_table

        table = self.query_one("#accounts", DataTable)
        row = table.cursor_row
        users = self.call_service(accounts.list_users, self.app.actor) or []
        fill_table(table, ("Username", "Status", "Name", "Roles", "Last sign-in"),
                   [(Text(info.username), Text(status_of(info)), Text(info.full_name),
                     Text(", ".join(info.roles)), Text(fmt_local(info.last_login_at)))
                    for info in users], [info.username for info in users])
        if users:
            table.move_cursor(row=min(row, len(users) - 1))

    def _selected(self) -> str | None:
        table = self.query_one("#accounts", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return key.value

    def action_unlock(self) -> None:
        from kiosk.services import accounts

        username = self._selected()
        if username and self.call_service(accounts.unlock, self.app.actor, username):
            self.notify(f"{username} unlocked.", markup=False)
            self.reload()

    def action_deactivate(self) -> None:
        from kiosk.services import accounts

        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes and self.call_service(accounts.deactivate, self.app.actor, username):
                self.notify(f"{username} deactivated.", markup=False)
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Deactivate {username}? They will not be able to sign in. "
                                           "Their records are kept."), done)

    def action_reset(self) -> None:
        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._reset(self.app.actor, username)

        self.app.push_screen(ConfirmScreen(f"Give {username} a new temporary password? "
                                           "Their current password stops working."), done)

    def action_reset_2fa(self) -> None:
        from kiosk.services import two_factor

        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes and self.call_service(two_factor.request_reset, self.app.actor, username, "lost_phone"):
                self.notify(f"Asked for {username}'s authenticator to be cleared. It is cleared "
                            "when the headteacher or the DSL confirms.", markup=False, timeout=8)

        self.app.push_screen(ConfirmScreen(
            f"Ask for {username}'s authenticator to be cleared (lost phone)? The headteacher or "
            "the DSL must confirm it; then they set up a new one at their next sign-in."), done)

    @work(thread=True, exclusive=True, group="reset")
    def _reset(self, actor, username: str) -> None:
        from kiosk.services import accounts

        password = temporary_password()
        try:
            with dbmod.connection():
                accounts.reset_password(actor, username, password)
        except KioskError as exc:
            self.post_message(self.ResetDone(username, None, str(exc)))
        else:
            self.post_message(self.ResetDone(username, password, None))

    def on_accounts_screen_reset_done(self, message: ResetDone) -> None:
        if message.error:
            self.show_error(message.error)
            return
        self.reload()
        self.app.push_screen(ShowOnceScreen(Content.assemble(
            "Temporary password for ", (message.username, "bold"), ":\n\n",
            (message.password or "", "bold reverse"),
            "\n\nGive it to them in person. They must choose their own at next sign-in. "
            "It is not shown again.")))
