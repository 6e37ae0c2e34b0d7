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
        Binding("a", "reset_2fa", "Reset authenticator"),
        Binding("delete", "deactivate", "Deactivate"),
        Binding("n", "new_account", "New account"),
        Binding("r", "roles", "Roles"),
        Binding("v", "reactivate", "Reactivate"),
        Binding("s", "keys", "SSH keys"),
    ]

    class ResetDone(Message):
        def __init__(self, username: str, password: str | None, error: str | None) -> None:
            super().__init__()
            self.username = username
            self.password = password
            self.error = error

    def compose_body(self):
        yield Static(Content("n adds an account (or 'kiosk users add' at the server). Nothing is "
                             "ever deleted: deactivate instead."), classes="screen-intro")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.run_service(accounts.list_users, self.app.actor, then=self._show, group="accounts",
                         exclusive=True)

    def _show(self, users) -> None:
        from kiosk.widgets.fit import fill_table

        table = self.query_one("#accounts", DataTable)
        row = table.cursor_row
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

    def action_new_account(self) -> None:
        from kiosk.screens.admin.account_dialogs import AccountDialog
        from kiosk.services import accounts

        password = temporary_password()

        def submit(v: dict):
            return accounts.create_user(self.app.actor, v.get("username", ""), v.get("full_name", ""),
                                        v["roles"], password, must_change=True,
                                        email=v.get("email") or None)

        def done(info) -> None:
            if info is None:
                return
            self.reload()
            waiting = (f"\n\nWaiting for the headteacher or the DSL to confirm: "
                       f"{', '.join(info.pending_roles)}." if info.pending_roles else "")
            self.app.push_screen(NoticeDialog("New account", [Content.assemble(
                "Account ", (info.username, "bold"), " added. Temporary password:\n\n",
                (password, "bold reverse"),
                "\n\nGive it to them in person. They choose their own at first sign-in. "
                "It is not shown again." + waiting)]))

        self.app.push_screen(AccountDialog(submit), done)

    def action_roles(self) -> None:
        from kiosk.services import accounts

        username = self._selected()
        if not username:
            return
        self.run_service(accounts.get_user_info, self.app.actor, username,
                         then=lambda info: self._edit_roles(username, info))

    def _edit_roles(self, username: str, info) -> None:
        from kiosk.screens.admin.account_dialogs import AccountDialog

        def done(after) -> None:
            if after is None:
                return
            self.reload()
            waiting = (f" Waiting for confirmation: {', '.join(after.pending_roles)}."
                       if after.pending_roles else "")
            self.notify(f"Roles of {username}: {', '.join(after.roles)}.{waiting}", markup=False,
                        timeout=8)

        self.app.push_screen(AccountDialog(
            lambda v: accounts.set_roles(self.app.actor, username, v["roles"]),
            username=username, roles=info.roles, pending=info.pending_roles), done)

    def action_reactivate(self) -> None:
        from kiosk.services import accounts

        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_service(accounts.reactivate, self.app.actor, username,
                                 then=self._done(f"{username} reactivated."))

        self.app.push_screen(ConfirmDialog(f"Reactivate {username}? They can sign in again with "
                                           "their password."), done)

    def action_keys(self) -> None:
        from kiosk.screens.admin.account_dialogs import KeysDialog
        from kiosk.services import ssh_keys

        username = self._selected()
        if not username:
            return
        self.run_service(ssh_keys.list_keys, self.app.actor, username, include_removed=True,
                         then=lambda keys: self.app.push_screen(KeysDialog(username, keys)))

    def action_reset(self) -> None:
        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._reset(self.app.actor, username)

        self.app.push_screen(ConfirmDialog(f"Give {username} a new temporary password? "
                                           "Their current password stops working."), done)

    def action_reset_2fa(self) -> None:
        from kiosk.services import two_factor

        username = self._selected()
        if not username:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_service(two_factor.request_reset, self.app.actor, username, "lost_phone",
                                 then=lambda _: self.notify(
                                     f"Asked for {username}'s authenticator to be cleared. It is cleared "
                                     "when the headteacher or the DSL confirms.", markup=False, timeout=8))

        self.app.push_screen(ConfirmDialog(
            f"Ask for {username}'s authenticator to be cleared (lost phone)? The headteacher or "
            "the DSL must confirm it; then they set up a new one at their next sign-in."), done)

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
