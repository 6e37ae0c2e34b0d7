"""The caseload, the statistics and the governors' report give the same attendance for the
same offer and period (issue 18: the governors' screen showed "-" where the caseload
showed 91%, because the statistics hid a rate whose absences numbered 1 to 4)."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.services import early_help as eh
from kiosk.services.exports import governors_report
from kiosk.services.stats import statistics

TODAY = date(2026, 11, 26)  # the fake clock: a Thursday in term


def _row(tables, title_start: str, label: str):
    table = next(t for t in tables if t.title.startswith(title_start))
    return next(r for r in table.rows if r[0] == label)


def test_attendance_agrees_everywhere(pastoral, offers, pupils, make_user, fake_clock):
    head = make_user("head", "headteacher", full_name="Dr Helen Marsh")
    for pid in pupils[:12]:
        eh.enrol(pastoral, pid, "vulnerable_lunch_club", TODAY - timedelta(days=30), "Lunch", "+4w")
    # 4 sessions x 12 pupils = 48 marks, 4 absences: 44 of 48 = 92%.
    for i, days in enumerate((21, 14, 7, 0)):
        marks = {pid: not (j == i) for j, pid in enumerate(pupils[:12])}
        eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY - timedelta(days=days)),
                         marks)
    caseload = eh.caseload(pastoral)
    [club_rate] = [r for r in caseload.attendance_by_offer if r.label == "Lunch club for vulnerable pupils"]
    assert (club_rate.present, club_rate.sessions, club_rate.percent) == (44, 48, "92%")
    stats_row = _row(statistics(head).tables, "Early help,", "Lunch club for vulnerable pupils")
    assert stats_row[-2:] == ("44", "92%")
    governor = make_user("governor", "governor", full_name="Mr Colin Fry")
    report = governors_report(governor, "year")
    report_row = _row(report.tables, "Early help by offer", "Lunch club for vulnerable pupils")
    assert report_row[-2:] == ("44", "92%")
