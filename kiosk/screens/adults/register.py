"""The register of concerns about adults (paragraphs 14-16).

The headteacher sees every allegation and low-level concern routed to or shared with
them; a DSL sees the low-level concerns reported to them; the trust roles what was routed
to them. Nobody sees a concern about themselves (kiosk.services.adults decides; each view
is audited there). `p` switches to the pattern view: adults with several concerns.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.capabilities import Cap
from kiosk.clock import to_local
from kiosk.screens.base import KioskScreen
from kiosk.services import adults

TYPE_SHORT = {adults.ALLEGATION: "Allegation", adults.LOW_LEVEL: "Low-level"}
ABOUT_WIDTH = 20
STATUS_WIDTH = 18


class AdultRegisterScreen(KioskScreen):
    SCREEN_TITLE = "Adult concerns"
    AUTO_FOCUS = "#register"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open", show=True),
        Binding("p", "patterns", "Patterns"),
        Binding("a", "show_all", "Show all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows = []
        self.only_key: str | None = None
        self.showing_patterns = False

    def compose_body(self):
        actor = self.app.actor
        if actor is not None and actor.can(Cap.ADULT_REGISTER):
            intro = ("The school's register: allegations and low-level concerns routed to or "
                     "shared with you. Enter opens one; each view is recorded.")
        else:
            intro = ("Concerns about adults reported to you or shared with you. Enter opens "
                     "one; each view is recorded.")
        yield Static(Content(intro), id="register-intro", classes="screen-intro")
        table = DataTable(id="register", cursor_type="row", zebra_stripes=True)
        # Fixed widths that add up to 80 columns; About and Status wrap onto a second line
        # rather than lose their end ("LADO overdue by 6 days 4" lost its hours).
        table.add_column("Ref", width=7)
        table.add_column("Type", width=10)
        table.add_column("About", width=ABOUT_WIDTH)
        table.add_column("Raised", width=11)
        table.add_column("Status", width=STATUS_WIDTH)
        yield table
        patterns = DataTable(id="patterns", cursor_type="row", zebra_stripes=True)
        patterns.add_column("About", width=24)
        patterns.add_column("Low-level", width=9)
        patterns.add_column("Allegations", width=11)
        patterns.add_column("First", width=11)
        patterns.add_column("Latest", width=11)
        patterns.display = False
        yield patterns

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.app.actor is not None and self.rows:
            self.load()

    def load(self) -> None:
        self.run_service(adults.register, self.app.actor, then=self._loaded, group="register",
                         exclusive=True)

    def _loaded(self, rows) -> None:
        self.rows = rows
        self.fill()

    def fill(self) -> None:
        table = self.query_one("#register", DataTable)
        table.clear()
        shown = [r for r in self.rows if self.only_key is None or r.subject_key == self.only_key]
        for r in shown:
            status = Text(r.status, style="bold red" if r.lado_overdue else "")
            about = r.subject_name + (f" ({r.subject_role})" if r.subject_role else "")
            tall = len(about) > ABOUT_WIDTH or len(r.status) > STATUS_WIDTH
            table.add_row(Text(r.ref), Text(TYPE_SHORT.get(r.kind, r.kind)), Text(about),
                          Text(f"{to_local(r.raised_at):%d %b %Y}"), status, key=str(r.id),
                          height=2 if tall else 1)
        intro = self.query_one("#register-intro", Static)
        if self.only_key is not None and shown:
            intro.update(Content.assemble("Only concerns about ", (shown[0].subject_name, "bold"),
                                          ". Press a to show all."))
        elif not self.rows:
            intro.update(Content("There are no concerns about adults for you to see."))

    def action_open(self) -> None:
        from kiosk.screens.adults.detail import AdultDetailScreen

        if self.showing_patterns:
            self._choose_pattern()
            return
        table = self.query_one("#register", DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(AdultDetailScreen(int(key)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_patterns(self) -> None:
        register = self.query_one("#register", DataTable)
        patterns = self.query_one("#patterns", DataTable)
        if self.showing_patterns:
            self.showing_patterns = False
            patterns.display = False
            register.display = True
            register.focus()
            self.fill()
            return
        self.run_service(adults.patterns, self.app.actor, then=self._show_patterns)

    def _show_patterns(self, found) -> None:
        register = self.query_one("#register", DataTable)
        patterns = self.query_one("#patterns", DataTable)
        intro = self.query_one("#register-intro", Static)
        self.showing_patterns = True
        patterns.clear()
        for p in found:
            about = p.subject_name + (f" ({p.subject_role})" if p.subject_role else "")
            patterns.add_row(Text(about), Text(str(p.low_level)), Text(str(p.allegations)),
                             Text(f"{to_local(p.first_at):%d %b %Y}"), Text(f"{to_local(p.last_at):%d %b %Y}"),
                             key=p.subject_key)
        intro.update(Content(
            "Adults with more than one concern. Several low-level concerns together may meet "
            "the harms threshold: if so, refer as an allegation (paragraphs 14, 16). Enter shows "
            "their concerns." if found else "No adult has more than one concern in your register."))
        register.display = False
        patterns.display = True
        patterns.focus()

    def _choose_pattern(self) -> None:
        patterns = self.query_one("#patterns", DataTable)
        if patterns.row_count == 0:
            return
        self.only_key = patterns.coordinate_to_cell_key(patterns.cursor_coordinate).row_key.value
        self.action_patterns()  # back to the register, filtered

    def action_show_all(self) -> None:
        self.only_key = None
        if self.showing_patterns:
            self.action_patterns()
        else:
            self.fill()
            self.query_one("#register-intro", Static).update(Content("All concerns about adults for you."))
