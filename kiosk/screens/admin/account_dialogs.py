"""The administrator's account dialogs: a new account, an account's roles, its SSH keys.

Each dialog collects what the person typed and hands it to a `submit` callable (a service
call made by the Accounts screen); a refusal is shown in the dialog with everything typed
kept. Roles that let someone read case records wait for the headteacher or the DSL to
confirm them (kiosk.services.accounts): the dialog says so before it is saved.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from kiosk.capabilities import ROLE_TITLES, Role, reads_case_records
from kiosk.clock import fmt_local
from kiosk.widgets.dialogs import confirm_leave
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.service import ServiceCaller, describe_failure
from kiosk.widgets.ticks import TickList

CONFIRM_NOTE = ("Roles that read case records (DSL, deputy, headteacher, pastoral, trust roles) "
                "wait until the headteacher or the DSL confirms them.")


def role_selections(current=()) -> list[Selection]:
    have = set(current)
    return [Selection(Text(ROLE_TITLES[r] + (" *" if reads_case_records(r) else "")), r.value,
                      r.value in have) for r in Role]


class AccountDialog(ServiceCaller, ModalScreen[Any]):
    """A new account (username, name, e-mail, roles) or, with `username`, its roles only.

    `submit(values)` runs as a service call in a worker (hashing the temporary password
    must not freeze the terminal); a refusal is shown here with everything kept."""

    DEFAULT_CSS = """
    AccountDialog SelectionList { height: 9; }
    AccountDialog Label { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("ctrl+s", "save", "Save", priority=True)]

    def __init__(self, submit: Callable[[dict], Any], *, username: str = "",
                 roles: tuple[str, ...] = (), pending: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.submit = submit
        self.username = username
        self.roles = roles
        self.pending = pending
        self.busy = False
        self._initial: dict | None = None

    def on_mount(self) -> None:
        self._initial = self.values()

    def compose(self):
        with VerticalScroll(classes="dialog"):
            if self.username:
                yield Static(Content.styled(f"Roles of {self.username}", "bold"))
                if self.pending:
                    yield Static(Content("Waiting to be confirmed: " + ", ".join(self.pending)))
            else:
                yield Static(Content.styled("New account", "bold"))
                yield Label(Content("Username (lower case, as they will type it)"))
                yield SafeInput(id="username", max_length=40)
                yield Label(Content("Full name"))
                yield SafeInput(id="full_name", max_length=200)
                yield Label(Content("E-mail for alert notices (optional)"))
                yield SafeInput(id="email", max_length=200)
            yield Label(Content("Roles (space ticks; * waits for confirmation)"))
            # TickList: Textual's list draws an X on every row and tells them apart by colour
            # alone, so in 16 colours every role read as held.
            yield TickList(*role_selections(self.roles), id="roles")
            yield Static(Content(CONFIRM_NOTE), classes="hint")
            yield Static(Content(""), id="account-message")
        yield KioskFooter()

    def values(self) -> dict:
        out: dict = {"roles": list(self.query_one("#roles", SelectionList).selected)}
        for name in ("username", "full_name", "email"):
            found = self.query(f"#{name}")
            if found:
                out[name] = found.first().value
        return out

    def action_save(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.run_service(self.submit, self.values(), then=self._saved, failed=self._refused,
                         group="account-save", exclusive=True)

    def _saved(self, result) -> None:
        self.busy = False
        self.dismiss(result)

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        message = describe_failure(exc)
        self.query_one("#account-message", Static).update(Content.styled(message, "bold red"))
        self.notify(message, severity="error", markup=False)

    def action_cancel(self) -> None:
        if self.busy:
            return
        if self._initial is not None and self.values() != self._initial:
            confirm_leave(self, lambda: self.dismiss(None))
        else:
            self.dismiss(None)


class KeysDialog(ModalScreen[None]):
    """An account's SSH public keys (added and removed with `kiosk users add-key/remove-key`)."""

    DEFAULT_CSS = """
    KeysDialog .key { margin-top: 1; }
    """
    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, username: str, keys) -> None:
        super().__init__()
        self.username = username
        self.keys = keys

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content.styled(f"SSH keys of {self.username}", "bold"))
            if not self.keys:
                yield Static(Content("No SSH keys: they can only use the console at the school's "
                                     "terminal."))
            # Two lines a key: a fingerprint is 50 characters, too wide for a table at 80.
            for k in self.keys:
                state = (f"removed {fmt_local(k.removed_at)}" if k.removed_at
                         else f"added {fmt_local(k.added_at)}")
                yield Static(Content.assemble((k.algorithm, "bold"), "  ", k.comment, "  ",
                                              (state, "dim"), "\n  ", k.fingerprint), classes="key")
            yield Static(Content("Add or remove a key at the server: kiosk users add-key / "
                                 "remove-key."), classes="hint")
        yield KioskFooter()

    def action_close(self) -> None:
        self.dismiss()
