"""My reported concerns: the status of each concern I recorded, and nothing more.

After submit the record belongs to the DSL team: the recorder sees its reference, when it
was recorded, which pupils and categories, and whether it is awaiting the DSL team,
acknowledged or closed (issue 5, item 7). Restricted concerns show as restricted.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen
from kiosk.services import concerns


class MyConcernsScreen(KioskScreen):
    SCREEN_TITLE = "My reported concerns"
    AUTO_FOCUS = "#my-concerns"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "reload", "Refresh"),
    ]

    def compose_body(self):
        yield Static(Content("Concerns you recorded, newest first. You see their status; "
                             "the DSL team's work on them is confidential."),
                     classes="screen-intro", id="my-intro")
        table = DataTable(id="my-concerns", cursor_type="row", zebra_stripes=True)
        table.add_columns("Ref", "Recorded", "Status", "Pupils", "Category")
        yield table

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_service(concerns.own_concerns, self.app.actor, then=self._show, group="mine",
                         exclusive=True)

    def _show(self, rows) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            status = Text(r.status_label, style="bold" if r.status == "open" else "")
            table.add_row(Text(r.ref), Text(fmt_local(r.recorded_at)), status,
                          Text(r.pupils), Text(r.categories), key=str(r.id))
        if rows == []:
            self.query_one("#my-intro", Static).update(
                Content("You have not recorded any concerns about a child."))
