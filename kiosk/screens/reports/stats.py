"""Statistics (governors, the DSL team, the headteacher): counts only, never a record.

One table per section of kiosk.services.stats for one academic year, on one page that
scrolls (arrows, page up/down); p and n move a year back and forward. Counts from 1 to 4 arrive from the service already shown as "<5" (the
screen never sees the numbers behind them). Every cell is plain Text.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.screens.base import KioskScreen

LABEL_WIDTH = 30
SLOTS = 8  # tables the screen can show (the service returns seven today)


def _label(text: str) -> Text:
    if len(text) > LABEL_WIDTH:
        text = text[: LABEL_WIDTH - 1] + "\u2026"
    return Text(text)


class StatsScreen(KioskScreen):
    SCREEN_TITLE = "Statistics"
    AUTO_FOCUS = "#stats-body"  # the page scrolls (arrows, page up/down); tables take no focus
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("p", "year(-1)", "Previous year"),
        Binding("n", "year(1)", "Next year"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, academic_year: int | None = None) -> None:
        super().__init__()
        self.academic_year = academic_year
        self.result = None

    def compose_body(self):
        yield Static(Content("Loading the statistics..."), classes="screen-intro", id="stats-summary")
        with VerticalScroll(id="stats-body"):
            for i in range(SLOTS):
                yield Static(Content(""), classes="stats-title", id=f"stats-title-{i}")
                table = DataTable(id=f"stats-table-{i}", cursor_type="none", zebra_stripes=True)
                table.can_focus = False
                table.styles.height = "auto"
                table.styles.margin = (0, 0, 1, 0)
                yield table
                yield Static(Content(""), classes="screen-intro", id=f"stats-note-{i}")
            yield Static(Content(""), classes="screen-intro", id="stats-skipped")

    def on_mount(self) -> None:
        if self.academic_year is None:
            from kiosk.services.stats import current_academic_year

            self.academic_year = current_academic_year()
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.app.actor, self.academic_year)

    def action_year(self, delta: int) -> None:
        from kiosk.services.stats import current_academic_year

        year = (self.academic_year or current_academic_year()) + delta
        if year > current_academic_year():
            self.notify("There are no statistics for a year that has not started.", markup=False)
            return
        if year < 2000:
            return
        self.academic_year = year
        self.action_reload()

    def _load(self, actor, year: int) -> None:
        from kiosk.services import stats

        self.run_service(stats.statistics, actor, year, then=self._show, group="stats",
                         exclusive=True)

    def _show(self, result) -> None:
        self.result = result
        self.query_one("#stats-summary", Static).update(Content(
            f"Academic year {result.period} (p previous, n next). Counts only: {result.note}"))
        tables = result.tables[:SLOTS]
        for i in range(SLOTS):
            title = self.query_one(f"#stats-title-{i}", Static)
            grid = self.query_one(f"#stats-table-{i}", DataTable)
            note = self.query_one(f"#stats-note-{i}", Static)
            grid.clear(columns=True)
            if i >= len(tables):
                for widget in (title, grid, note):
                    widget.display = False
                continue
            table = tables[i]
            title.update(Content.styled(table.title, "bold"))
            from kiosk.widgets.fit import fill_table

            fill_table(grid, [str(c) for c in table.columns],
                       [(_label(row[0]), *(Text(v, justify="right") for v in row[1:]))
                        for row in table.rows])
            note.update(Content(table.note))
            title.display = grid.display = True
            note.display = bool(table.note)
        skipped = self.query_one("#stats-skipped", Static)
        skipped.update(Content("Not in this console yet: " + ", ".join(result.skipped) + "."
                               if result.skipped else ""))
        skipped.display = bool(result.skipped)
