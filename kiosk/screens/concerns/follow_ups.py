"""The DSL team's follow-ups: overdue, due today and this week, the team's or only mine.

Opened from the inbox (l). Enter opens the concern; d marks the highlighted follow-up done
(a record is appended; the follow-up itself never changes). On a restricted concern the
actor is not named on, a follow-up shows its date and owner only.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.dates import fmt_date
from kiosk.screens.base import KioskScreen
from kiosk.services import casework

WHEN = (("overdue", "Overdue"), ("today", "Today"), ("this_week", "This week"))


class FollowUpsScreen(KioskScreen):
    SCREEN_TITLE = "Follow-ups"
    AUTO_FOCUS = "#follow-ups"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open concern", show=True),
        Binding("m", "toggle_mine", "Team / mine"),
        Binding("d", "done", "Done"),
    ]
    DEFAULT_CSS = """
    FollowUpsScreen #follow-ups { height: 1fr; }
    """

    def __init__(self, mine: bool = False) -> None:
        super().__init__()
        self.mine = mine
        self.items: list = []

    def compose_body(self):
        yield Static(Content(""), classes="screen-intro", id="follow-ups-summary")
        table = DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True)
        table.add_column("When", width=9)
        table.add_column("Due", width=10)
        table.add_column("Ref", width=8)
        table.add_column("Owner", width=14)
        table.add_column("What", width=27)
        yield table

    def on_screen_resume(self) -> None:
        if self.app.actor is not None:
            self.reload()

    def reload(self) -> None:
        self.run_service(casework.due_follow_ups, self.app.actor, mine=self.mine, then=self._show,
                         group="follow-ups", exclusive=True)

    def _show(self, due) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.items = []
        for attr, label in WHEN:
            for f in getattr(due, attr):
                self.items.append(f)
                style = "bold red" if attr == "overdue" else ("bold" if attr == "today" else "")
                table.add_row(Text(label, style=style), Text(fmt_date(f.due_on)), Text(f.ref),
                              Text(f.owner), Text("(restricted)" if f.hidden else f.what),
                              key=str(f.id))
        whose = "Mine" if self.mine else "The DSL team's"
        self.query_one("#follow-ups-summary", Static).update(Content(
            f"{whose} follow-ups: {len(due.overdue)} overdue, {len(due.today)} due today, "
            f"{len(due.this_week)} this week. m team/mine; d done; Enter opens the concern."))

    def _selected(self):
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.reload()

    def action_open(self) -> None:
        f = self._selected()
        if f is not None:
            from kiosk.screens.concerns.detail import ConcernDetailScreen

            self.app.push_screen(ConcernDetailScreen(f.concern_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_done(self) -> None:
        f = self._selected()
        if f is None or f.hidden:
            return

        def done(_result) -> None:
            self.notify(f"Follow-up on {f.ref} marked done.", markup=False)
            self.reload()

        self.run_service(casework.complete_follow_up, self.app.actor, f.id, then=done)
