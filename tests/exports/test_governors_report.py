"""The governors' report: counts only, small numbers suppressed, charts in the console and PDF."""

from __future__ import annotations

import pytest

from kiosk.errors import PermissionDenied
from tests.exports.conftest import open_pdf, pdf_text


@pytest.fixture
def year_of_concerns(school, record):
    for _ in range(6):
        record()
    record(pupils=[(school.pupils["ben"].id, "subject")], source="noticed")


def _rows(report, title):
    return {r[0]: r[1:] for t in report.tables if t.title.startswith(title) for r in t.rows}


def test_counts_with_suppression(school, year_of_concerns, profile):
    from kiosk.services import exports

    report = exports.governors_report(school.users["governor"], "year", profile=profile)
    years = _rows(report, "Concerns by year group")
    assert years["Year 7"] == ("<5",) and years["Year 6"] == ("x",) and years["All"] == ("7",)
    months = _rows(report, "Concerns by month")
    assert months["Nov"] == ("7",)
    chart = next(c for c in report.charts if c.title.startswith("Concerns by year group"))
    assert chart.drawable() == (0, 0)  # suppressed bars are not drawn at their length
    signed = _rows(report, "Staff who have signed")
    assert "All active accounts" in signed
    autumn = exports.governors_report(school.users["dsl"], "autumn", profile=profile)
    spring = exports.governors_report(school.users["dsl"], "spring", profile=profile)
    assert _rows(autumn, "Concerns by month")["All concerns"] == ("7",)
    assert _rows(spring, "Concerns by month")["All concerns"] == ("0",)


def test_pdf_has_charts_no_names_and_furniture(school, year_of_concerns, settings, profile):
    from kiosk.services import exports

    path = exports.export_governors_report(school.users["governor"], settings, profile, "year")
    pages = pdf_text(open_pdf(path.read_bytes(), None))
    whole = "\n".join(pages)
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in text and "No individual: counts only" in text
        assert "Produced by Mr Governor" in text and profile.school_name in text
    assert "Concerns by month" in whole and "Concerns by category" in whole
    for name in ("Amara", "Abbott", "Ben", "Brennan", "Dad hit me"):
        assert name not in whole
    encrypted = exports.export_governors_report(school.users["dsl"], settings, profile, "autumn",
                                                password="a governors password")
    assert open_pdf(encrypted.read_bytes(), "a governors password").pages


def test_report_refused_for_other_roles(school, profile):
    from kiosk.services import exports

    for who in ("teacher", "pastoral", "head", "itadmin"):
        with pytest.raises(PermissionDenied):
            exports.governors_report(school.users[who], "year", profile=profile)
