"""A pupil's chronology: everything about the child, newest first, filterable by category.

Concerns, actions, status changes, amendments, flag changes and early-help events
(kiosk.services.chronology). The newest page comes first; the next page is read as the
cursor nears the end of what is shown. The line under the table shows the highlighted
entry in full; Enter on a concern's entry opens the concern. Each page read is audited by
the service.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Select, Static

from kiosk.clock import fmt_local, to_local
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
        Binding("g", "flags", "Flags"),
        Binding("s", "siblings", "Siblings"),
        Binding("x", "export", "Export"),
        Binding("m", "move", "Moving school"),
    ]
    DEFAULT_CSS = """
    ChronologyScreen #pupil-head { height: auto; padding: 0 1; }
    ChronologyScreen #category-filter { width: 100%; }
    ChronologyScreen #chronology { height: 1fr; }
    ChronologyScreen #entry-detail { height: 4; padding: 0 1; border-top: solid $accent; }
    """

    # The next page is asked for when the cursor comes this close to the last row shown.
    PAGE_AHEAD = 10

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.entries: list = []
        self.category: str | None = None
        self._resumed_once = False
        self._next = None  # the service's cursor for the next page; None: all shown
        self._loading_more = False
        self._generation = 0  # bumped by every reload: a page read for an older one is dropped
        self._widths = [len(label) for label in ("When", "What", "Entry")]

    def compose_body(self):
        yield Static(Content(""), id="pupil-head")
        yield Select([], prompt="All categories", id="category-filter")
        table = DataTable(id="chronology", cursor_type="row", zebra_stripes=True)
        self._set_columns(table, [])
        yield table
        yield Static(Content(""), id="entry-detail")

    def _leave(self) -> None:
        # Not awaited: dismissing from the screen's own handler must not await itself.
        if self.app.screen is self:
            self.dismiss()

    def on_mount(self) -> None:
        actor = self.app.actor
        self.run_service(self._head, actor, then=self._first_head, failed=self._no_pupil,
                         group="pupil", exclusive=True)
        self.run_service(concerns.categories, actor, True, group="categories",
                         then=lambda cats: self.query_one("#category-filter", Select).set_options(
                             [(Text(c.name), c.key) for c in cats]))

    def _head(self, actor):
        """In the worker: the pupil (NotFound for one the actor may not see) and their
        siblings' open concerns."""
        from kiosk.services import families

        return pupils.pupil_summary(actor, self.pupil_id), families.sibling_open_concerns(actor, self.pupil_id)

    def _no_pupil(self, exc: BaseException) -> None:
        self.show_error(exc)
        self.call_later(self._leave)

    def _first_head(self, head) -> None:
        self._show_head(head)
        self.action_reload()

    def _show_head(self, head) -> None:
        p, sibs = head
        flags = ", ".join(pupils.flag_names(p))
        sib_text = "; ".join(f"{s.name}: {s.open_concerns} open concern{'s' if s.open_concerns != 1 else ''}"
                             for s in sibs)
        self.query_one("#pupil-head", Static).update(Content.assemble(
            (p.full_name, "bold"), f"  Y{p.year_group} {p.form_group}  born {p.date_of_birth:%d/%m/%Y}",
            (f"  {p.status_note.upper()}" if p.status_note else "", "bold"),
            (f"\nFlags: {flags}" if flags else "", "bold"),
            (f"\nSiblings: {sib_text}" if sib_text else "", "")))

    def on_screen_resume(self) -> None:
        # Back from the flags or siblings screen: show what changed (not on first show).
        if not self._resumed_once:
            self._resumed_once = True
            return
        self.run_service(self._head, self.app.actor, then=self._show_head, group="pupil",
                         exclusive=True)
        self.action_reload()

    def action_flags(self) -> None:
        from kiosk.screens.pupils.flags import PupilFlagsScreen

        self.app.push_screen(PupilFlagsScreen(self.pupil_id))

    def action_siblings(self) -> None:
        from kiosk.screens.pupils.family import PupilFamilyScreen

        self.app.push_screen(PupilFamilyScreen(self.pupil_id))

    def action_reload(self) -> None:
        # A long history is the heaviest read in the console: read off the UI thread, a page
        # at a time (the next as the cursor nears the end of what is shown).
        self._next = None
        self._loading_more = False
        self._generation += 1
        generation = self._generation
        self.run_service(chronology.chronology_page, self.app.actor, self.pupil_id, self.category,
                         None, size=chronology.PAGE_SIZE,
                         then=lambda page: self._show_entries(list(page.entries), page.next)
                         if generation == self._generation else None,
                         group="chronology", exclusive=True)

    def _more(self) -> None:
        """Read the next (older) page, once, if there is one."""
        if self._next is None or self._loading_more:
            return
        self._loading_more = True
        generation = self._generation
        self.run_service(chronology.chronology_page, self.app.actor, self.pupil_id, self.category,
                         self._next, size=chronology.PAGE_SIZE,
                         then=lambda page: self._add_entries(list(page.entries), page.next, generation),
                         failed=self._more_failed, group="chronology", exclusive=True)

    def _more_failed(self, exc: BaseException) -> None:
        self._loading_more = False  # the next move down asks again
        self.show_error(exc)

    @staticmethod
    def _set_columns(table: DataTable, rows: list[tuple[Text, Text, Text]]) -> None:
        """Columns as wide as their widest cell, set here rather than measured later.

        An auto-width DataTable measures new rows on its next idle; rows that arrive from the
        worker around the first layout could be drawn at the labels' widths ("02/1  Stat")
        until a reload. Explicit widths do not depend on when the rows came."""
        table.clear(columns=True)
        for i, label in enumerate(("When", "What", "Entry")):
            table.add_column(label, width=max([len(label)] + [r[i].cell_len for r in rows]))

    @staticmethod
    def _rows(entries) -> list[tuple[Text, Text, Text]]:
        # Records received from another school are theirs, read-only: set apart.
        return [(Text(to_local(e.at).strftime("%d/%m/%Y %H:%M")),
                 Text(KIND_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize())),
                 Text(e.title, style="italic" if e.restricted
                      else ("dim italic" if e.kind == "received" else "")))
                for e in entries]

    def _show_entries(self, entries, next_cursor=None) -> None:
        self.entries = entries
        self._next = next_cursor
        self._loading_more = False
        table = self.query_one(DataTable)
        rows = self._rows(entries)
        self._widths = [max([len(label)] + [r[i].cell_len for r in rows])
                        for i, label in enumerate(("When", "What", "Entry"))]
        self._set_columns(table, rows)
        for i, row in enumerate(rows):
            table.add_row(*row, key=str(i))
        self._show_detail(0)
        if not entries:
            self.query_one("#entry-detail", Static).update(Content(
                "Nothing recorded" + (" in this category." if self.category else " about this pupil yet.")))

    def _add_entries(self, entries, next_cursor, generation: int) -> None:
        """The next page, below what is shown (the cursor stays where it is)."""
        if generation != self._generation:  # reloaded (or filtered) while it was read
            return
        self._loading_more = False
        self._next = next_cursor
        table = self.query_one(DataTable)
        start = len(self.entries)
        self.entries = self.entries + entries
        rows = self._rows(entries)
        widths = [max([w] + [r[i].cell_len for r in rows]) for i, w in enumerate(self._widths)]
        if widths != self._widths:
            # A wider cell than any so far: the columns are set again, as on first show.
            cursor = table.cursor_row
            self._widths = widths
            all_rows = self._rows(self.entries)
            self._set_columns(table, all_rows)
            for i, row in enumerate(all_rows):
                table.add_row(*row, key=str(i))
            table.move_cursor(row=cursor)
            return
        for i, row in enumerate(rows, start):
            table.add_row(*row, key=str(i))

    def _show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.entries):
            return
        e = self.entries[index]
        self.query_one("#entry-detail", Static).update(Content.assemble(
            (fmt_local(e.at) + "  ", "bold"), (e.title, "bold"), "\n", e.detail))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)
        if event.cursor_row >= len(self.entries) - self.PAGE_AHEAD:
            self._more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if not 0 <= index < len(self.entries):
            return
        e = self.entries[index]
        if e.record_type == "concern":
            from kiosk.screens.concerns.detail import ConcernDetailScreen

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
        if action in ("flags", "siblings"):
            return actor is not None and actor.can(Cap.PUPIL_FLAGS_EDIT)
        return True

    def action_export(self) -> None:
        from kiosk.screens.pupils import chronology_export

        chronology_export.start(self, self.pupil_id)

    def action_move(self) -> None:
        from kiosk.screens.pupils.transfers import TransfersScreen

        screen = TransfersScreen(self.pupil_id)
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_new)

    def action_filter(self) -> None:
        self.query_one("#category-filter", Select).focus()
