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
VIEW_TITLES = {"open": "Open concerns", "closed": "Closed concerns", "all": "All concerns",
               "awaiting": "Awaiting acknowledgement", "acknowledged": "Acknowledged"}


SHORT_STATUS = {"open": "Awaiting", "acknowledged": "Acknowledged", "closed": "Closed"}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


# Fixed columns; "Category / pupils" takes what is left of the width. Each row is two
# lines so every column fits at 80: nothing off-screen, and the highlighted row is shown in
# full under the table.
MARK_W, REF_W, STATUS_W, BY_W = 4, 12, 16, 14
MIN_WHAT_W = 18


def _pupils_text(r) -> tuple[str, str]:
    """(pupils, style): nothing about a restricted or unread concern until it is opened."""
    if r.hidden:
        return "Restricted", "italic"
    if r.unread:
        return "(open to read)", "dim"
    return r.pupils, ""


def row_cells(r, what_width: int = 24) -> tuple[Text, ...]:
    """One inbox row, two lines high, the columns that matter first so it reads at 80."""
    style = "bold red" if r.urgent and r.status == "open" else ("bold" if r.unread else "")
    mark = ("NEW" if r.unread else "") + ("!" if r.urgent else "")
    pupils, pupil_style = _pupils_text(r)
    what = Text(_cut(r.categories, what_width) if not r.hidden else "")
    what.append("\n")
    what.append(_cut(pupils, what_width), style=pupil_style)
    ref = Text(r.ref, style=style)
    ref.append("\n" + to_local(r.recorded_at).strftime("%d %b %H:%M"), style="")
    status = Text(SHORT_STATUS.get(r.status, r.status_label))
    status.append("\n" + (_cut(r.owner, STATUS_W) if r.owner else ("" if r.hidden else "no owner")),
                  style="dim" if not r.owner else "")
    return (Text(mark, style=style), ref, what, status, Text(r.recorded_by))


def row_detail(r) -> Content:
    """The highlighted row in full (the table cuts long categories and pupils' names)."""
    if r.hidden:
        return Content.assemble((r.ref, "bold"), "  Restricted to named members of the DSL team.")
    pupils, _ = _pupils_text(r)
    return Content.assemble(
        (r.ref, "bold"), f"  recorded {to_local(r.recorded_at):%d %b %Y %H:%M} by ", r.recorded_by,
        f"  {SHORT_STATUS.get(r.status, r.status_label)}",
        (f", owner {r.owner}" if r.owner else ", no owner"), "\n",
        ("Categories: ", "bold"), r.categories or "none", ("  Pupils: ", "bold"), pupils)


class InboxScreen(KioskScreen):
    SCREEN_TITLE = "Inbox: concerns about children"
    AUTO_FOCUS = "#inbox"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open", show=True),
        Binding("o", "view('open')", "Open list"),
        Binding("c", "view('closed')", "Closed"),
        Binding("a", "view('all')", "All", show=False),
        Binding("w", "view('awaiting')", "Awaiting", show=False),
        Binding("k", "view('acknowledged')", "Acknowledged", show=False),
        Binding("m", "toggle('mine')", "Assigned to me"),
        Binding("u", "toggle('urgent_only')", "Urgent", show=False),
        Binding("l", "follow_ups", "Follow-ups"),
        Binding("pagedown,n", "page(1)", "Next page"),
        Binding("pageup,b", "page(-1)", "Prev page"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "open"
        self.page = 0
        self.total = 0
        self.mine = False
        self.urgent_only = False

    DEFAULT_CSS = """
    InboxScreen #inbox { height: 1fr; }
    InboxScreen #inbox-row { height: 2; padding: 0 1; border-top: solid $accent; }
    """

    def compose_body(self):
        yield Static(Content(""), classes="screen-intro", id="inbox-summary")
        table = DataTable(id="inbox", cursor_type="row", zebra_stripes=True)
        self._columns(table, MIN_WHAT_W)
        yield table
        yield Static(Content(""), id="inbox-row")

    @staticmethod
    def _columns(table: DataTable, what_width: int) -> None:
        table.clear(columns=True)
        table.add_column("", width=MARK_W)
        table.add_column("Ref, when", width=REF_W)
        table.add_column("Category, pupils", width=what_width)
        table.add_column("Status, owner", width=STATUS_W)
        table.add_column("Logged by", width=BY_W)

    def _what_width(self) -> int:
        # The screen's width less the fixed columns, two cells of padding each and a scrollbar.
        fixed = MARK_W + REF_W + STATUS_W + BY_W + 5 * 2 + 2
        return max(MIN_WHAT_W, (self.size.width or self.app.size.width) - fixed)

    def _fill(self, rows) -> None:
        table = self.query_one(DataTable)
        width = self._what_width()
        self._columns(table, width)
        self.rows_shown = list(rows)
        for r in rows:
            table.add_row(*row_cells(r, width), key=str(r.id), height=2)
        self._show_row(0)

    def _show_row(self, index: int) -> None:
        rows = getattr(self, "rows_shown", [])
        self.query_one("#inbox-row", Static).update(
            row_detail(rows[index]) if 0 <= index < len(rows) else Content(""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_row(event.cursor_row)

    def on_resize(self) -> None:
        if getattr(self, "rows_shown", None):
            self._fill(self.rows_shown)

    def on_screen_resume(self) -> None:
        # Resume comes on the first showing too, so this is the only load on opening: loading
        # on mount as well read (and audited) the inbox twice.
        if self.app.actor is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self.run_service(concerns.inbox, self.app.actor, page=self.page, page_size=PAGE_SIZE,
                         view=self.view, mine=self.mine, urgent_only=self.urgent_only,
                         then=self._show, group="inbox", exclusive=True)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("follow_ups", "toggle") and (action == "follow_ups" or parameters == ("mine",)):
            from kiosk.capabilities import Cap

            actor = self.app.actor
            return actor is not None and actor.can(Cap.CONCERN_TRIAGE)
        return True

    def action_toggle(self, which: str) -> None:
        setattr(self, which, not getattr(self, which))
        self.page = 0
        self.action_reload()

    def action_follow_ups(self) -> None:
        from kiosk.screens.concerns.follow_ups import FollowUpsScreen

        self.app.push_screen(FollowUpsScreen())

    def _show(self, result) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self._fill(result.rows)
        self.total = result.total
        first = result.page * result.page_size + 1 if result.rows else 0
        last = result.page * result.page_size + len(result.rows)
        unread = sum(1 for r in result.rows if r.unread)
        self.query_one("#inbox-summary", Static).update(Content(
            f"{VIEW_TITLES[result.view]}"
            + (", assigned to me" if self.mine else "") + (", urgent only" if self.urgent_only else "")
            + f": {first}-{last} of {result.total}"
            + (f"; {unread} unread on this page" if unread else "")
            + ". ! urgent, NEW unread; o open, c closed, a all, w awaiting, k acknowledged; "
            "m mine, u urgent; l follow-ups."))
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
            from kiosk.screens.concerns.detail import ConcernDetailScreen

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
        self._fill(rows)
        self.query_one("#inbox-summary", Static).update(Content(
            f"{len(rows)} concern(s) the DSL team has shared with you. Enter opens."
            if rows else "The DSL team has not shared any concerns with you."))

    def action_view(self, view: str) -> None:
        pass

    def action_page(self, delta: int) -> None:
        pass

    def action_toggle(self, which: str) -> None:
        pass

    def check_action(self, action: str, parameters) -> bool | None:
        return action not in ("toggle", "follow_ups", "view", "page")
