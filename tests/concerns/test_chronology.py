"""A pupil's chronology: order, contents, filter, restricted entries, early help hook."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.errors import NotFound, PermissionDenied
from kiosk.services import chronology, concerns, pupils


def test_newest_first_with_actions_events_flags(school, record):
    dsl = school.users["dsl"]
    amara = school.pupils["amara"].id
    old = record(occurred_on=date(2026, 9, 10), occurred_time="", categories=["neglect"],
                 description="Came in without a coat again")
    school.clock.advance(minutes=10)
    new = record(occurred_on=date(2026, 11, 25), occurred_time="14:00")
    school.clock.advance(minutes=10)
    concerns.add_action(dsl, new.id, kind="childrens_services", action_date=date(2026, 11, 26),
                        taken_by="Mrs Dsl", notes="Referral made", rationale="Injury with disclosure")
    school.clock.advance(minutes=10)
    pupils.set_flag(dsl, amara, "child_in_need", True, "Children's services opened an assessment")
    entries = chronology.chronology(dsl, amara)
    ats = [e.at for e in entries]
    assert ats == sorted(ats, reverse=True)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "flag"
    assert entries[-1].record_id == old.id and entries[-1].kind == "concern"
    assert entries[-1].at == datetime(2026, 9, 9, 23, 0)  # 10 Sept local midnight, BST
    titles = " | ".join(e.title for e in entries)
    assert "Referral to children's social care / MASH" in titles and "Child in need: set" in titles
    assert "acknowledged" in titles


def test_category_filter(school, record):
    dsl = school.users["dsl"]
    amara = school.pupils["amara"].id
    a = record(categories=["neglect"], description="No coat")
    b = record(categories=["physical_abuse", "domestic_abuse"])
    concerns.acknowledge(dsl, a.id)
    only = chronology.chronology(dsl, amara, category="neglect")
    assert {e.record_id for e in only} == {a.id}
    assert {e.kind for e in only} == {"concern", "event"}
    both = chronology.chronology(dsl, amara, category="domestic_abuse")
    assert {e.record_id for e in both} == {b.id}


def test_pupil_in_another_role_is_listed_with_the_role(school, record):
    dsl = school.users["dsl"]
    record(pupils=[(school.pupils["amara"].id, "subject"), (school.pupils["ben"].id, "alleged_harmer")],
           categories=["child_on_child"])
    ben = chronology.chronology(dsl, school.pupils["ben"].id)
    assert len(ben) == 1 and "(alleged harmer)" in ben[0].title
    assert chronology.chronology(dsl, school.pupils["chloe"].id) == []


def test_chronology_is_audited_and_permissioned(school, record):
    from kiosk.models import AuditEvent

    record()
    amara = school.pupils["amara"].id
    for who in ("dsl", "deputy", "head"):
        chronology.chronology(school.users[who], amara)
    for who in ("teacher", "pastoral", "governor", "itadmin", "director", "trustlead"):
        with pytest.raises(PermissionDenied):
            chronology.chronology(school.users[who], amara)
    seen = [e.actor for e in AuditEvent.select().where(AuditEvent.action == "chronology.view")]
    assert seen == ["dsl", "deputy", "head"]
    with pytest.raises(NotFound):
        chronology.chronology(school.users["dsl"], 999999)


def test_early_help_entries_are_merged_into_the_chronology(school, record, monkeypatch):
    record()

    def chronology_entries(actor, pupil_id):
        return [chronology.ChronologyEntry(
            at=datetime(2026, 11, 26, 12, 0), kind="early_help", title="Lunch club started",
            detail="", category=None, record_type="early_help_case", record_id=7)]

    monkeypatch.setattr(chronology.early_help, "chronology_entries", chronology_entries)
    entries = chronology.chronology(school.users["dsl"], school.pupils["amara"].id)
    assert entries[0].title == "Lunch club started"
    assert chronology.chronology(school.users["dsl"], school.pupils["amara"].id,
                                 category="physical_abuse")[0].kind == "concern"


def test_a_clipped_line_is_the_tidied_text_cut_whatever_its_spaces():
    """Issue 19: `_clip` cuts a long text before tidying its spaces (the tidying was a page's
    cost); the line is what tidying the whole text and then cutting it gives."""
    import random

    def tidied_then_cut(text, n):
        text = " ".join(text.split())
        return text if len(text) <= n else text[: n - 1] + "\u2026"

    rng = random.Random(19)
    pieces = ["a", "bc", " ", "  \n", "\t", "word ", " " * 300, "x" * 200]
    for _ in range(3000):
        n = rng.choice([1, 5, 20, 160])
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        assert chronology._clip(text, n) == tidied_then_cut(text, n), (text, n)
