"""Fill a DataTable so its columns fit across the screen: long cells wrap, nothing is cut.

An auto-width DataTable at 80 columns pushes its last columns off to the right, where a
person never scrolls. ``fill_table`` sizes each column to its content and, when the total is
too wide, narrows the widest columns until it fits; a row then grows to the lines its
wrapped cells need (up to ``max_lines``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

SCROLLBAR = 2
MIN_WIDTH = 6


def _natural(cell: Text) -> int:
    return max((Text(line).cell_len for line in cell.plain.split("\n")), default=0)


def fit_widths(labels: Sequence[str], rows: Sequence[Sequence[Text]], available: int,
               keep: Sequence[int] = ()) -> list[int]:
    """Column widths within ``available`` cells (padding already taken off); the columns in
    ``keep`` (short values read at a glance, like a status) are narrowed only as a last resort."""
    widths = [max([len(label)] + [_natural(r[i]) for r in rows]) for i, label in enumerate(labels)]
    floor = [min(w, max(MIN_WIDTH, len(label))) for w, label in zip(widths, labels)]
    for i in keep:
        floor[i] = widths[i]
    while sum(widths) > available:
        i = max(range(len(widths)), key=lambda k: widths[k] - floor[k])
        if widths[i] <= floor[i]:
            break
        widths[i] -= 1
    floor = [min(w, max(MIN_WIDTH, len(label))) for w, label in zip(widths, labels)]
    while sum(widths) > available:
        i = max(range(len(widths)), key=lambda k: widths[k] - floor[k])
        if widths[i] <= floor[i]:
            break
        widths[i] -= 1
    return widths


def fill_table(table: DataTable, labels: Sequence[str], rows: Sequence[Sequence[Text]],
               keys: Sequence[str] | None = None, *, width: int | None = None,
               max_lines: int = 3, keep: Sequence[int] = ()) -> None:
    """Replace the table's columns and rows; columns fit ``width`` (default: the screen's).

    Every table filled from a service's answer uses this when the rows arrive. A DataTable's
    auto-width columns are measured only when the table next goes idle, and until then keep
    their headers' widths: under load a list showed "Late" for "Late Signer" for ten seconds,
    and a list that emptied kept the old widths ("Nothing" for "Nothing waiting for you.").
    Here the widths are fitted to the rows at once and long cells wrap (at most `max_lines`).
    """
    width = width or table.size.width or table.screen.size.width or table.app.size.width
    available = width - 2 * table.cell_padding * len(labels) - SCROLLBAR
    widths = fit_widths(labels, rows, available, keep)
    table.clear(columns=True)
    for label, w in zip(labels, widths):
        table.add_column(label, width=w)
    console = table.app.console
    for n, row in enumerate(rows):
        lines = max([len(cell.wrap(console, w)) for cell, w in zip(row, widths)] + [1])
        table.add_row(*row, key=keys[n] if keys else None, height=min(lines, max_lines))
