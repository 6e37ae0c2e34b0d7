"""The chronology export for a case conference / strategy discussion / MASH referral."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from tests.exports.conftest import open_pdf, pdf_text


@pytest.fixture
def history(school, record):
    from kiosk.services import concerns, pupils

    dsl = school.users["dsl"]
    amara, ben = school.pupils["amara"], school.pupils["ben"]
    old = record(occurred_on=date(2026, 9, 10), words="an old matter", description="Earlier concern.")
    new = record(pupils=[(amara.id, "subject"), (ben.id, "witness")],
                 words="Ben Brennan saw it happen", description="Ben said Amara was hit.",
                 injuries=[("left_arm", "bruise"), ("back", "red mark")])
    concerns.add_action(dsl, new.id, kind="childrens_services", action_date=date(2026, 11, 26),
                        taken_by="Mrs Dsl", notes="Referred", rationale="Significant harm threshold met")
    pupils.set_flag(dsl, amara.id, "child_in_need", True, reason="Plan agreed")
    return old, new


def test_pdf_and_csv_with_redaction_mash_page_and_range(school, history, settings, profile):
    from kiosk.services import exports

    dsl = school.users["dsl"]
    mash = exports.MashFields(address="1 Lane", household="Mum, Dad, baby brother", parents_aware="Yes",
                              consent="Not asked: asking would put the child at risk",
                              reason="Disclosure of physical harm", professionals="School nurse")
    out = exports.export_chronology(dsl, settings, profile, school.pupils["amara"].id,
                                    start=date(2026, 11, 1), end=date(2026, 11, 30), purpose="mash",
                                    redact=True, mash=mash, with_csv=True, newest_first=False)
    assert out.password and out.csv_path is not None
    for path in (out.pdf_path, out.csv_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    reader = open_pdf(out.pdf_path.read_bytes(), out.password)
    pages = pdf_text(reader)
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in text
        assert "Amara Abbott" in text and profile.school_name in text and "Produced by Mrs Dsl" in text
    whole = "\n".join(pages)
    assert "MASH referral summary" in whole and "Not asked: asking would put the child at risk" in whole
    assert "[another pupil] [another pupil] saw it happen" in whole
    assert "Brennan" not in whole and "Ben " not in whole
    assert "Significant harm threshold met" in whole and "Child in need: set" in whole
    assert "an old matter" not in whole  # outside the date range
    rows = list(csv.reader(io.StringIO(out.csv_path.read_text())))
    assert rows[1] == ["date", "kind", "entry", "detail"]
    kinds = [r[1] for r in rows[2:]]
    assert kinds[0] == "Concern" and "Action" in kinds and "Flag" in kinds
    from kiosk.models import AuditEvent

    ev = AuditEvent.select().where(AuditEvent.action == "export.chronology").get()
    import hashlib

    assert json.loads(ev.detail)["pdf_sha256"] == hashlib.sha256(out.pdf_path.read_bytes()).hexdigest()


def test_body_map_pages_and_newest_first(school, history, settings, profile):
    from kiosk.services import exports

    out = exports.export_chronology(school.users["deputy"], settings, profile, school.pupils["amara"].id,
                                    password="twelve chars or more")
    assert out.csv_path is None and out.password is None
    whole = "\n".join(pdf_text(open_pdf(out.pdf_path.read_bytes(), "twelve chars or more")))
    assert "Front" in whole and "Back" in whole and "1. Left arm" in whole and "2. Back" in whole
    assert "Ben Brennan saw it happen" in whole  # not redacted unless asked
    assert whole.index("(newest first)") >= 0


def test_refused_for_others_and_bad_input(school, history, settings, profile):
    from kiosk.services import exports

    for who in ("teacher", "pastoral", "head", "governor", "itadmin"):
        with pytest.raises(PermissionDenied):
            exports.export_chronology(school.users[who], settings, profile, school.pupils["amara"].id)
    dsl = school.users["dsl"]
    with pytest.raises(ValidationError):
        exports.export_chronology(dsl, settings, profile, school.pupils["amara"].id, purpose="mash")
    with pytest.raises(ValidationError):
        exports.export_chronology(dsl, settings, profile, school.pupils["amara"].id, password="short")
    with pytest.raises(ValidationError):
        exports.export_chronology(dsl, settings, profile, school.pupils["amara"].id,
                                  start=date(2026, 12, 1), end=date(2026, 11, 1))


def test_long_chronology_repeats_table_headings_on_every_page(school, record, settings, profile):
    from kiosk.services import exports
    from tests.exports.conftest import open_pdf

    for i in range(45):
        record(description=f"Entry number {i}. " + "A long description of what was seen. " * 4)
    out = exports.export_chronology(school.users["dsl"], settings, profile, school.pupils["amara"].id,
                                    password="twelve chars or more", newest_first=False)
    pages = [p.extract_text() for p in open_pdf(out.pdf_path.read_bytes(), "twelve chars or more").pages]
    first = next(i for i, t in enumerate(pages) if "Chronology (oldest first)" in t)
    continued = [t for t in pages[first + 1:] if "Entry number" in t and "What was seen or heard" not in t]
    assert len(continued) >= 2, "the chronology table should run over several pages"
    for t in continued:
        assert "Date Kind Entry Detail" in t  # fpdf2 repeat_headings
