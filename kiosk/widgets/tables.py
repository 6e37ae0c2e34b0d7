"""Home and End in a table go to its first and last row, everywhere tables are used.

Textual's DataTable binds Home/End to scrolling sideways, which in a row-cursor table does
nothing a person can see. The app binds the two keys once (priority) and hands them here;
when the focus is not a row table the key is passed on untouched (an Input keeps End for the
end of its line).
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.widgets import DataTable


def focused_row_table(app) -> DataTable | None:
    """The focused table when its cursor moves by rows (rows are what people scan)."""
    focused = app.focused
    if isinstance(focused, DataTable) and focused.cursor_type == "row" and focused.row_count:
        return focused
    return None


def to_edge(app, edge: str) -> None:
    """Move the focused row table's cursor to its first or last row, or pass the key on."""
    table = focused_row_table(app)
    if table is None:
        raise SkipAction()
    table.move_cursor(row=0 if edge == "first" else table.row_count - 1, animate=False)
