"""Account changes for the headteacher and the DSL: confirm or refuse the case-record roles
an administrator asked for, and see what administrators did to accounts (password resets
above all). The service refuses anyone else, and anyone deciding a grant they asked for."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.capabilities import ROLE_TITLES, Role
from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen


def _role_title(role: str) -> str:
    try:
        return ROLE_TITLES[Role(role)].split(" (")[0]
    except ValueError:
        return role


class RoleGrantsScreen(KioskScreen):
    SCREEN_TITLE = "Account changes"
    AUTO_FOCUS = "#grants"
    BINDINGS = [
        Binding("y", "decide(True)", "Confirm role"),
        Binding("x", "decide(False)", "Refuse role"),
    ]

    def compose_body(self):
        yield Static(Content("Roles that read case records, asked for by the IT administrator. "
                             "y gives the role, x refuses it."), classes="screen-intro")
        yield DataTable(id="grants", cursor_type="row", zebra_stripes=True)
        yield Static(Content("What administrators did to accounts lately:"), classes="screen-intro")
        yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#grants", DataTable).add_columns("Account", "Role asked for", "Asked by", "When")
        self.query_one("#changes", DataTable).add_columns("When", "What", "Account", "By")
        self.reload()

    def reload(self) -> None:
        from kiosk.services import accounts

        grants = self.query_one("#grants", DataTable)
        grants.clear()
        for g in self.call_service(accounts.role_grants, self.app.actor) or []:
            grants.add_row(Text(g.username), Text(_role_title(g.role)),
                           Text(g.requested_by), Text(fmt_local(g.requested_at)), key=str(g.id))
        if not grants.row_count:
            grants.add_row(Text("Nothing waiting for you."), Text(""), Text(""), Text(""), key="none")
        changes = self.query_one("#changes", DataTable)
        changes.clear()
        for c in self.call_service(accounts.account_changes, self.app.actor) or []:
            changes.add_row(Text(fmt_local(c.at)), Text(c.action), Text(c.username), Text(c.by))

    def action_decide(self, confirm: bool) -> None:
        from kiosk.services import accounts

        table = self.query_one("#grants", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if not key or key == "none":
            return
        done = self.call_service(accounts.decide_grant, self.app.actor, int(key), confirm)
        if done is not None:
            verb = "Confirmed" if confirm else "Refused"
            self.notify(f"{verb}: {_role_title(done.role)} for {done.username}.", markup=False)
            self.reload()
