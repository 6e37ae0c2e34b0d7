"""One attendance rate for the caseload and the statistics (issue 18)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kiosk.rules.attendance import attendance_percent, percent_text


def test_examples():
    assert percent_text(43, 47) == "91%"
    assert percent_text(0, 0) == "-"
    assert attendance_percent(0, 12) == 0 and attendance_percent(12, 12) == 100
    with pytest.raises(ValueError):
        attendance_percent(5, 4)


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_percent_is_in_range_and_rounds_like_people_do(a, b):
    present, marked = min(a, b), max(a, b)
    p = attendance_percent(present, marked)
    if marked == 0:
        assert p is None
    else:
        assert 0 <= p <= 100 and abs(p - 100 * present / marked) <= 0.5
