"""Who has not signed the current procedures (headteacher, DSL team, admin)."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen


UNSIGNED_COLUMNS = ("Username", "Name", "Roles", "Last signed")


class SignoffStatusScreen(KioskScreen):
    SCREEN_TITLE = "Procedures not signed"
    AUTO_FOCUS = "#unsigned"

    def compose_body(self):
        yield Static(Content(""), id="signoff-summary", classes="screen-intro")
        table = DataTable(id="unsigned", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        from kiosk.services import signoff

        self.run_service(signoff.unsigned_users, self.app.actor, self.app.profile, then=self._show)

    def _show(self, rows) -> None:
        from kiosk.widgets.fit import fill_table

        version = self.app.profile.procedures_version
        summary = (f"Everyone has signed version {version}." if not rows else
                   f"{len(rows)} active account(s) have not signed version {version}.")
        self.query_one("#signoff-summary", Static).update(Content(summary))
        cells = []
        for row in rows:
            last = (f"v{row.last_version} {fmt_local(row.last_signed_at)}"
                    if row.last_version else "never")
            cells.append((Text(row.username), Text(row.full_name), Text(", ".join(row.roles)),
                          Text(last)))
        fill_table(self.query_one("#unsigned", DataTable), UNSIGNED_COLUMNS, cells)
