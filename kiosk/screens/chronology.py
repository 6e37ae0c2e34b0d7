"""A pupil's chronology: everything about the child, newest first, filterable by category.

Concerns, actions, status changes, amendments, flag changes and early-help events
(kiosk.services.chronology). The line under the table shows the highlighted entry in full;
Enter on a concern's entry opens the concern. Viewing is audited by the service.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Select, Static

from kiosk.clock import fmt_local, to_local
from kiosk.rules.vocabulary import PUPIL_FLAGS
from kiosk.screens.base import KioskScreen
from kiosk.services import chronology, concerns, pupils

KIND_LABELS = {
    "concern": "Concern", "action": "Action", "event": "Status", "amendment": "Amendment",
    "flag": "Flag", "early_help": "Early help", "transfer": "Transfer", "received": "Received",
}


class ChronologyScreen(KioskScreen):
    SCREEN_TITLE = "Chronology"
    AUTO_FOCUS = "#chronology"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f", "filter", "Filter category"),
        Binding("r", "reload", "Refresh"),
        Binding("x", "export", "Export"),
        Binding("m", "move", "Moving school"),
    ]
    DEFAULT_CSS = """
    ChronologyScreen #pupil-head { height: auto; padding: 0 1; }
    ChronologyScreen #category-filter { width: 100%; }
    ChronologyScreen #chronology { height: 1fr; }
    ChronologyScreen #entry-detail { height: 4; padding: 0 1; border-top: solid $accent; }
    """

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.entries: list = []
        self.category: str | None = None

    def compose_body(self):
        yield Static(Content(""), id="pupil-head")
        yield Select([], prompt="All categories", id="category-filter")
        table = DataTable(id="chronology", cursor_type="row", zebra_stripes=True)
        table.add_columns("When", "What", "Entry")
        yield table
        yield Static(Content(""), id="entry-detail")

    def _leave(self) -> None:
        # Not awaited: dismissing from the screen's own handler must not await itself.
        if self.app.screen is self:
            self.dismiss()

    def on_mount(self) -> None:
        actor = self.app.actor
        self.run_service(pupils.pupil_summary, actor, self.pupil_id, then=self._show_pupil,
                         failed=self._no_pupil, group="pupil")
        self.run_service(concerns.categories, actor, True, group="categories",
                         then=lambda cats: self.query_one("#category-filter", Select).set_options(
                             [(Text(c.name), c.key) for c in cats]))

    def _no_pupil(self, exc: BaseException) -> None:
        self.show_error(exc)
        self.call_later(self._leave)

    def _show_pupil(self, p) -> None:
        flags = ", ".join(PUPIL_FLAGS[f] for f in p.flags)
        self.query_one("#pupil-head", Static).update(Content.assemble(
            (p.full_name, "bold"), f"  Y{p.year_group} {p.form_group}  born {p.date_of_birth:%d/%m/%Y}",
            (f"\n{flags}" if flags else ""), ))
        self.action_reload()

    def action_reload(self) -> None:
        self.run_service(chronology.chronology, self.app.actor, self.pupil_id, self.category,
                         then=self._show_entries, group="chronology", exclusive=True)

    def _show_entries(self, entries) -> None:
        self.entries = entries
        table = self.query_one(DataTable)
        table.clear()
        for i, e in enumerate(entries):
            # Records received from another school are theirs, read-only: set apart.
            style = "italic" if e.restricted else ("dim italic" if e.kind == "received" else "")
            table.add_row(Text(to_local(e.at).strftime("%d/%m/%Y %H:%M")),
                          Text(KIND_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize())),
                          Text(e.title, style=style), key=str(i))
        self._show_detail(0)
        if not entries:
            self.query_one("#entry-detail", Static).update(Content(
                "Nothing recorded" + (" in this category." if self.category else " about this pupil yet.")))

    def _show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.entries):
            return
        e = self.entries[index]
        self.query_one("#entry-detail", Static).update(Content.assemble(
            (fmt_local(e.at) + "  ", "bold"), (e.title, "bold"), "\n", e.detail))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if not 0 <= index < len(self.entries):
            return
        e = self.entries[index]
        if e.record_type == "concern":
            from kiosk.screens.concern_detail import ConcernDetailScreen

            self.app.push_screen(ConcernDetailScreen(e.record_id))

    @on(Select.Changed, "#category-filter")
    def _filter(self, event: Select.Changed) -> None:
        event.stop()
        self.category = None if event.value is Select.NULL else str(event.value)
        self.action_reload()

    def check_action(self, action: str, parameters) -> bool | None:
        from kiosk.capabilities import Cap

        actor = self.app.actor
        if action == "export":
            return actor is not None and actor.can(Cap.EXPORT_CHRONOLOGY)
        if action == "move":
            return actor is not None and actor.can(Cap.EXPORT_TRANSFER)
        return True

    def action_export(self) -> None:
        from kiosk.screens import chronology_export

        chronology_export.start(self, self.pupil_id)

    def action_move(self) -> None:
        from kiosk.screens.transfers import TransfersScreen

        screen = TransfersScreen(self.pupil_id)
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_new)

    def action_filter(self) -> None:
        self.query_one("#category-filter", Select).focus()
