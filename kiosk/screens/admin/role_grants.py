"""Account changes for the headteacher and the DSL, all in one place: confirm or refuse the
case-record roles an administrator asked for and the authenticator resets an administrator
asked for, and see what administrators did to accounts (password resets above all).

The services refuse anyone else, anyone deciding a grant or reset they asked for, and a
reset of one's own account. Confirming a reset takes two presses of `y`, since it lets the
account sign in with a new phone."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.capabilities import ROLE_TITLES, Role
from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen

REASONS = {"lost_phone": "lost phone", "password_reset": "password reset"}


def _role_title(role: str) -> str:
    try:
        return ROLE_TITLES[Role(role)].split(" (")[0]
    except ValueError:
        return role


GRANT_COLUMNS = ("Account", "Change asked for", "Asked by", "When")
CHANGE_COLUMNS = ("When", "What", "Account", "By")


class RoleGrantsScreen(KioskScreen):
    SCREEN_TITLE = "Account changes"
    AUTO_FOCUS = "#grants"
    BINDINGS = [
        Binding("y", "decide(True)", "Confirm"),
        Binding("x", "decide(False)", "Refuse"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[str, object] = {}  # row key -> GrantView or ResetRequest
        self.armed: str | None = None  # the reset a first press of y pointed at

    def compose_body(self):
        yield Static(Content("Waiting for you: roles that read case records and authenticator "
                             "resets, asked for by the IT administrator. y confirms (a reset: "
                             "press twice), x refuses."), classes="screen-intro")
        yield DataTable(id="grants", cursor_type="row", zebra_stripes=True)
        yield Static(Content("What administrators did to accounts lately:"), classes="screen-intro")
        yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.reload()  # the columns come with the rows (_show)

    def reload(self) -> None:
        from kiosk.services import accounts, two_factor

        self.armed = None
        self.waiting = {}

        def load(actor):
            return (accounts.role_grants(actor), two_factor.pending_resets(actor),
                    accounts.account_changes(actor))

        self.run_service(load, self.app.actor, then=self._show, group="grants", exclusive=True)

    def _show(self, loaded) -> None:
        from kiosk.widgets.fit import fill_table

        grant_rows, resets, recent = loaded
        rows, keys = [], []
        for g in grant_rows:
            self.waiting[f"g{g.id}"] = g
            rows.append((Text(g.username), Text("Role: " + _role_title(g.role)),
                         Text(g.requested_by), Text(fmt_local(g.requested_at))))
            keys.append(f"g{g.id}")
        for r in resets:
            self.waiting[f"r{r.id}"] = r
            rows.append((Text(r.username), Text(f"Clear authenticator ({REASONS.get(r.reason, r.reason)})"),
                         Text(r.requested_by), Text(fmt_local(r.requested_at))))
            keys.append(f"r{r.id}")
        if not rows:
            rows.append((Text("Nothing waiting for you."), Text(""), Text(""), Text("")))
            keys.append("none")
        fill_table(self.query_one("#grants", DataTable), GRANT_COLUMNS, rows, keys)
        fill_table(self.query_one("#changes", DataTable), CHANGE_COLUMNS,
                   [(Text(fmt_local(c.at)), Text(c.action), Text(c.username), Text(c.by)) for c in recent])

    def action_decide(self, confirm: bool) -> None:
        table = self.query_one("#grants", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        item = self.waiting.get(key or "")
        if item is None:
            return
        if key.startswith("r"):
            self._decide_reset(key, item, confirm)
        else:
            self._decide_grant(item, confirm)

    def _decide_grant(self, grant, confirm: bool) -> None:
        from kiosk.services import accounts

        def decided(done) -> None:
            verb = "Confirmed" if confirm else "Refused"
            self.notify(f"{verb}: {_role_title(done.role)} for {done.username}.", markup=False)
            self.reload()

        self.run_service(accounts.decide_grant, self.app.actor, grant.id, confirm, then=decided)

    def _decide_reset(self, key: str, request, confirm: bool) -> None:
        from kiosk.services import two_factor

        if confirm and self.armed != key:
            self.armed = key
            self.notify(f"Press y again to clear {request.username}'s authenticator.",
                        markup=False, timeout=6)
            return
        def decided(_done) -> None:
            self.notify(f"{request.username}: authenticator reset {'confirmed' if confirm else 'refused'}.",
                        markup=False)
            self.reload()

        self.run_service(two_factor.decide_reset, self.app.actor, request.id, confirm, then=decided,
                         failed=lambda exc: (self.service_failed(exc), self.reload()))
