"""Attendance at early-help sessions as a percentage: one rule for every screen.

The caseload (pastoral staff) and the statistics (governors) both show how often pupils
attended an offer's sessions; they use this one function so the same group over the same
period reads the same figure in both. A rate is a proportion of attendance marks, not a count
of children, so it is not suppressed by itself; the statistics hide it only where they hide
the count it is taken from (kiosk/services/stats.py).
"""

from __future__ import annotations


def attendance_percent(present: int, marked: int) -> int | None:
    """Marks of present as a whole percentage of all marks; None when nothing was marked."""
    if marked <= 0:
        return None
    if not 0 <= present <= marked:
        raise ValueError("present must be between 0 and the number of marks")
    return round(100 * present / marked)


def percent_text(present: int, marked: int) -> str:
    """The percentage as shown ("91%"), or "-" when nothing was marked."""
    p = attendance_percent(present, marked)
    return "-" if p is None else f"{p}%"
