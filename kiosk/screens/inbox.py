"""The DSL team's inbox (and the headteacher's read-only list); pastoral's shared list.

Open concerns come first, urgent ones at the top in red, then newest. A concern with an
unread alert shows who logged it, when and the category only: the pupils' names appear once
it has been opened (an alert carries no content). Restricted concerns the user is not named
on show as "Restricted". Enter opens a concern (and marks its alert read).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import to_local
from kiosk.screens.base import KioskScreen
from kiosk.services import concerns

PAGE_SIZE = 50
VIEW_TITLES = {"open": "Open concerns", "closed": "Closed concerns", "all": "All concerns"}


SHORT_STATUS = {"open": "Awaiting", "acknowledged": "Acknowledged", "closed": "Closed"}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def row_cells(r) -> tuple[Text, ...]:
    """One inbox line; the columns that matter first so it reads at 80 columns."""
    style = "bold red" if r.urgent and r.status == "open" else ("bold" if r.unread else "")
    mark = ("NEW" if r.unread else "") + ("!" if r.urgent else "")
    if r.hidden:
        pupils, cats = Text("Restricted", style="italic"), Text("")
    elif r.unread:
        pupils, cats = Text("(open to read)", style="dim"), Text(_cut(r.categories, 22))
    else:
        pupils, cats = Text(_cut(r.pupils, 26)), Text(_cut(r.categories, 22))
    return (Text(mark, style=style), Text(r.ref, style=style),
            Text(to_local(r.recorded_at).strftime("%d %b %H:%M")),
            Text(SHORT_STATUS.get(r.status, r.status_label)), cats, pupils,
            Text(_cut(r.recorded_by, 24)), Text(_cut(r.owner, 24)))


class InboxScreen(KioskScreen):
    SCREEN_TITLE = "Inbox: concerns about children"
    AUTO_FOCUS = "#inbox"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open", show=True),
        Binding("o", "view('open')", "Open list"),
        Binding("c", "view('closed')", "Closed"),
        Binding("a", "view('all')", "All"),
        Binding("pagedown,n", "page(1)", "Next page"),
        Binding("pageup,b", "page(-1)", "Prev page"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "open"
        self.page = 0
        self.total = 0

    def compose_body(self):
        yield Static(Content(""), classes="screen-intro", id="inbox-summary")
        table = DataTable(id="inbox", cursor_type="row", zebra_stripes=True)
        table.add_columns("", "Ref", "Recorded", "Status", "Category", "Pupils", "Logged by", "Owner")
        yield table

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.app.actor is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self.run_service(concerns.inbox, self.app.actor, page=self.page, page_size=PAGE_SIZE,
                         view=self.view, then=self._show, group="inbox", exclusive=True)

    def _show(self, result) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for r in result.rows:
            table.add_row(*row_cells(r), key=str(r.id))
        self.total = result.total
        first = result.page * result.page_size + 1 if result.rows else 0
        last = result.page * result.page_size + len(result.rows)
        unread = sum(1 for r in result.rows if r.unread)
        self.query_one("#inbox-summary", Static).update(Content(
            f"{VIEW_TITLES[result.view]}: {first}-{last} of {result.total}"
            + (f"; {unread} unread on this page" if unread else "")
            + ". ! urgent, NEW unread; o open, c closed, a all; Enter opens."))
        if result.rows:
            table.move_cursor(row=min(keep, len(result.rows) - 1))

    def action_view(self, view: str) -> None:
        self.view, self.page = view, 0
        self.action_reload()

    def action_page(self, delta: int) -> None:
        page = self.page + delta
        if page < 0 or page * PAGE_SIZE >= max(self.total, 1):
            return
        self.page = page
        self.action_reload()

    def _selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key and key.value else None

    def action_open(self) -> None:
        cid = self._selected_id()
        if cid is not None:
            from kiosk.screens.concern_detail import ConcernDetailScreen

            self.app.push_screen(ConcernDetailScreen(cid))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


class SharedConcernsScreen(InboxScreen):
    """Pastoral staff: the concerns the DSL team has shared with them."""

    SCREEN_TITLE = "Concerns shared with me"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open"),
        Binding("r", "reload", "Refresh"),
    ]

    def action_reload(self) -> None:
        self.run_service(concerns.shared_with_me, self.app.actor, then=self._show_shared,
                         group="inbox", exclusive=True)

    def _show_shared(self, rows) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            table.add_row(*row_cells(r), key=str(r.id))
        self.query_one("#inbox-summary", Static).update(Content(
            f"{len(rows)} concern(s) the DSL team has shared with you. Enter opens."
            if rows else "The DSL team has not shared any concerns with you."))

    def action_view(self, view: str) -> None:
        pass

    def action_page(self, delta: int) -> None:
        pass
