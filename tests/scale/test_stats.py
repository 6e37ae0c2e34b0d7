"""Governors' statistics: counts only, small numbers suppressed, permission checked, audited."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from kiosk.models import AuditEvent
from kiosk.services import stats


def test_cell_suppresses_one_to_four():
    assert [stats.cell(n) for n in (0, 1, 2, 3, 4, 5, 17)] == ["0", "<5", "<5", "<5", "<5", "5", "17"]


def test_a_lone_suppressed_cell_beside_a_total_hides_the_next_smallest():
    # Total 3+9+20 = 32 is shown: 3 alone could be worked out from 32 - 9 - 20.
    assert stats.suppress_group([3, 9, 20]) == ["<5", "x", "20"]
    # Two suppressed cells already hide each other; zeros reveal nothing.
    assert stats.suppress_group([3, 2, 20]) == ["<5", "<5", "20"]
    assert stats.suppress_group([0, 9, 20]) == ["0", "9", "20"]
    assert stats.suppress_group([3, 9], total_shown=False) == ["<5", "9"]


def test_rate_is_hidden_when_either_count_behind_it_is_small():
    assert stats.rate(15, 20) == "75%"
    assert stats.rate(3, 20) == "-"  # 3 present
    assert stats.rate(18, 20) == "-"  # 2 absent
    assert stats.rate(0, 0) == "-"
    assert stats.rate(50, 50) == "100%"


def test_governor_sees_statistics_staff_do_not(make_user):
    governor = make_user("gov", "governor")
    staff = make_user("teacher", "staff")
    result = stats.statistics(governor)
    assert result.tables and not result.skipped
    with pytest.raises(PermissionDenied):
        stats.statistics(staff)
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert "stats.view" in actions and "permission.denied" in actions


def test_bad_year_is_refused(make_user):
    governor = make_user("gov", "governor")
    with pytest.raises(ValidationError):
        stats.statistics(governor, 1990)
    with pytest.raises(ValidationError):
        stats.statistics(governor, stats.current_academic_year() + 5)


def _record(actor, pupil_id, category, n, service):
    from kiosk.clock import today

    for i in range(n):
        service.record_concern(actor, token=f"stats-test-{pupil_id}-{category}-{i}",
                               pupils=[(pupil_id, "subject")], occurred_on=today(),
                               source="noticed", categories=[category],
                               description="Bruise on the arm; Abigail Zedworth said she fell.")


def _table(result, title_start):
    return next(t for t in result.tables if t.title.startswith(title_start))


def test_counts_by_category_with_small_numbers_suppressed(make_user, admin, fake_clock):
    from kiosk.services import concerns, pupils

    governor = make_user("gov", "governor")
    dsl = make_user("dsl1", "dsl")
    staff = make_user("teacher", "staff")
    child = pupils.add_pupil(dsl, first_name="Abigail", last_name="Zedworth",
                             date_of_birth=date(2015, 3, 1), year_group=6)
    cats = [c.key for c in concerns.categories(staff)]
    _record(staff, child.id, cats[0], 3, concerns)
    _record(staff, child.id, cats[1], 7, concerns)
    result = stats.statistics(governor)
    table = _table(result, "Concerns by category")
    names = {c.key: c.name for c in concerns.categories(staff)}
    rows = {r[0]: r for r in table.rows}
    year_col = table.columns.index("Year")
    assert rows[names[cats[0]]][year_col] == "<5"
    assert rows[names[cats[1]]][year_col] == "7"
    months = _table(result, "Concerns by month")
    assert months.rows[-1][:2] == ("Whole year", "10")
    # Nothing but labels and counts: no pupil, no text, no staff name anywhere.
    flat = " ".join(" ".join(r) for t in result.tables for r in t.rows)
    for secret in ("Abigail", "Zedworth", "Bruise", "Teacher"):
        assert secret not in flat


def test_a_year_with_nothing_recorded_is_all_zeros(make_user):
    governor = make_user("gov", "governor")
    result = stats.statistics(governor, stats.current_academic_year() - 3)
    counts = [v for t in result.tables if not t.title.startswith("Pupils")
              for r in t.rows for v in r[1:] if v not in ("-",)]
    assert counts and set(counts) == {"0"}


def test_statistics_on_a_bench_school_are_fast_enough_to_show(database):
    """The bench's small school: every section present, numbers consistent."""
    from kiosk.bench import Scale, dataset
    from kiosk.bench.ops import _actor

    ds = dataset.build(Scale.for_school(200, 2, quick=True))
    result = stats.statistics(_actor(ds.users["governor"]))
    assert [t.title.split(",")[0] for t in result.tables] == [
        "Concerns by category", "Concerns by month", "Open and closed", "Early help",
        "Internal early-help referrals", "Concerns about adults", "Pupils now"]
    pupils_now = _table(result, "Pupils now")
    assert pupils_now.rows[0] == ("Pupils on roll", "200")
    previous = stats.statistics(_actor(ds.users["governor"]), stats.current_academic_year() - 1)
    by_month = _table(previous, "Concerns by month")
    assert len(by_month.rows) == 13  # a whole past year, and its total
    assert int(by_month.rows[-1][1]) > 0
