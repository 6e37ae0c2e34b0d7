"""My reported concerns: the status of each concern I recorded, and what I wrote.

After submit the record belongs to the DSL team: the recorder sees its reference, when it
was recorded, which pupils and categories, and whether it is awaiting the DSL team,
acknowledged or closed (issue 5, item 7). Enter shows the concern as they wrote it,
read-only (issue 18); never what the DSL team added to it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen
from kiosk.services import concerns
from kiosk.widgets.fit import fill_table

COLUMNS = ("Ref", "Recorded", "Status", "Pupils", "Category")


class MyConcernsScreen(KioskScreen):
    SCREEN_TITLE = "My reported concerns"
    AUTO_FOCUS = "#my-concerns"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Read", show=True),
        Binding("r", "reload", "Refresh"),
    ]

    def compose_body(self):
        yield Static(Content("Concerns you recorded, newest first. You see their status; "
                             "the DSL team's work on them is confidential."),
                     classes="screen-intro", id="my-intro")
        # Columns are made with the rows (_show), fitted to them.
        yield DataTable(id="my-concerns", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_service(concerns.own_concerns, self.app.actor, then=self._show, group="mine",
                         exclusive=True)

    def _show(self, rows) -> None:
        table = self.query_one(DataTable)
        cells = [(Text(r.ref), Text(fmt_local(r.recorded_at)),
                  Text(r.status_label, style="bold" if r.status == "open" else ""),
                  Text(r.pupils), Text(r.categories)) for r in rows or []]
        fill_table(table, COLUMNS, cells, [str(r.id) for r in rows or []], keep=(0, 2))
        self.row_ids = [r.id for r in rows or []]
        if rows == []:
            self.query_one("#my-intro", Static).update(
                Content("You have not recorded any concerns about a child."))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        ids = getattr(self, "row_ids", [])
        if ids and table.cursor_row is not None and table.cursor_row < len(ids):
            self.run_service(concerns.own_record, self.app.actor, ids[table.cursor_row],
                             then=lambda own: self.app.push_screen(MyConcernScreen(own)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


class MyConcernScreen(KioskScreen):
    """One concern I recorded, as I wrote it, with its status. Read-only."""

    SCREEN_TITLE = "My concern"
    AUTO_FOCUS = "#my-concern"
    BINDINGS = [Binding("escape", "back", "Back")]
    DEFAULT_CSS = """
    MyConcernScreen #my-concern { height: 1fr; padding: 0 1; }
    """

    def __init__(self, own) -> None:
        super().__init__()
        self.own = own

    def compose_body(self):
        from textual.containers import VerticalScroll

        from kiosk.dates import fmt_date

        r = self.own.record
        lines = [Content.assemble((f"{r.ref}  {self.own.status_label}", "bold")),
                 Content(f"You recorded this at {fmt_local(r.recorded_at)}. It is read-only: "
                         "to add something, tell the DSL team."),
                 Content("")]

        def field(label: str, value: str) -> None:
            if value:
                lines.append(Content.assemble((f"{label}: ", "bold"), value))

        field("Pupils", "; ".join(f"{p.name} ({p.role_label.lower()})" for p in r.pupils))
        field("When", f"{fmt_date(r.occurred_on)} {r.occurred_time}".strip())
        field("Where", r.location)
        field("Source", r.source_label)
        field("Categories", ", ".join(c.name for c in r.categories))
        field("Urgent", "yes" if r.urgent else "")
        field("Their words", r.words)
        field("What you saw or heard", r.description)
        field("Why it is a concern", r.why_concern)
        for i in r.injuries:
            field(f"Injury ({i.area_label})", i.description)
        with VerticalScroll(id="my-concern"):
            yield Static(Content("\n").join(lines), id="my-concern-text")
