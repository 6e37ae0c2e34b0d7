"""Families (link, unlink, never re-linked by an import), siblings' open concerns as a count
for those allowed, the DSL's flags with reason and date, and children not on roll."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from kiosk.services import families, pupils, roll_import


@pytest.fixture
def family(staff, fixture_bytes):
    from kiosk.models.pupils import Pupil

    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    return {p.first_name: p.id for p in Pupil.select()}


def test_unlinked_siblings_stay_unlinked_after_a_reimport(staff, family, fixture_bytes):
    ava, noah, mia = family["Ava"], family["Noah"], family["Mia"]
    assert [s.pupil_id for s in families.siblings(staff.teacher, ava)] == [noah]
    with pytest.raises(ValidationError, match="reason"):
        families.unlink(staff.dsl, ava, noah, "")
    families.unlink(staff.dsl, noah, ava, "Same carer, different families")
    assert families.siblings(staff.dsl, ava) == []
    plan = roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "again.xml").plan
    assert plan.new_sibling_links == 0 and families.siblings(staff.dsl, ava) == []
    families.link(staff.dsl, ava, mia, "Half-sisters (told by mum)")
    assert [s.name for s in families.siblings(staff.dsl, mia)] == ["Ava Patel"]
    for who in (staff.teacher, staff.pastoral, staff.itadmin, staff.head):
        with pytest.raises(PermissionDenied):
            families.link(who, ava, noah)
        with pytest.raises(PermissionDenied):
            families.unlink(who, ava, mia, "x")
    with pytest.raises(ValidationError):
        families.link(staff.dsl, ava, ava)


def test_siblings_open_concerns_are_a_count_for_chronology_readers_only(staff, family, record_concern):
    from kiosk.services import concerns

    ava, noah = family["Ava"], family["Noah"]
    first = record_concern(staff.teacher, noah)
    record_concern(staff.teacher, noah)
    assert [(s.name, s.open_concerns) for s in families.sibling_open_concerns(staff.dsl, ava)] == [("Noah Patel", 2)]
    assert families.sibling_open_concerns(staff.head, ava)[0].open_concerns == 2
    concerns.close_concern(staff.dsl, first.id, summary="Coat found", outcome="support_in_school",
                           reasoning="Lost property; no wider concern")
    assert families.sibling_open_concerns(staff.dsl, ava)[0].open_concerns == 1
    for who in (staff.teacher, staff.pastoral, staff.itadmin):
        with pytest.raises(PermissionDenied):
            families.sibling_open_concerns(who, ava)


def test_flags_need_a_reason_a_past_date_and_a_label_for_other(staff, family):
    ava = family["Ava"]
    with pytest.raises(ValidationError, match="reason"):
        pupils.set_flag(staff.dsl, ava, "cp_plan", True, "")
    with pytest.raises(ValidationError, match="future"):
        pupils.set_flag(staff.dsl, ava, "cp_plan", True, "Conference", on="01/01/2027")
    with pytest.raises(ValidationError, match="label"):
        pupils.set_flag(staff.dsl, ava, "other", True, "Private fostering arrangement")
    with pytest.raises(PermissionDenied):
        pupils.set_flag(staff.itadmin, ava, "cp_plan", True, "x")
    pupils.set_flag(staff.dsl, ava, "cp_plan", True, "Initial conference", on="20/11/2026")
    pupils.set_flag(staff.deputy, ava, "other", True, "Aunt caring", label="Private fostering")
    states = {s.key: s for s in pupils.flag_states(staff.dsl, ava)}
    assert states["cp_plan"].set and states["cp_plan"].since == date(2026, 11, 20)
    assert states["other"].label == "Private fostering" and states["other"].by == "Mr Deputy"
    s = pupils.pupil_summary(staff.dsl, ava)
    assert pupils.flag_names(s) == ["Child protection plan", "Private fostering"]
    assert pupils.pupil_summary(staff.teacher, ava).flags == ()  # staff never see flags
    pupils.set_flag(staff.dsl, ava, "cp_plan", False, "Plan ended at review", on="25/11/2026")
    from kiosk.services import chronology

    titles = [e.title for e in chronology.chronology(staff.dsl, ava) if e.kind == "flag"]
    assert titles[0].startswith("Child protection plan: removed") and any("Private fostering: set" in t for t in titles)
    from kiosk.rules.flags import PUPIL_FLAGS

    assert list(PUPIL_FLAGS)[:7] == ["cp_plan", "child_in_need", "looked_after", "previously_looked_after",
                                     "send", "young_carer", "early_help_open"]


def test_inbox_shows_flags_in_short_to_the_dsl_team(staff, family, record_concern):
    from kiosk.services import concerns

    pupils.set_flag(staff.dsl, family["Ava"], "looked_after", True, "Section 20")
    record_concern(staff.teacher, family["Ava"])
    row = concerns.inbox(staff.dsl).rows[0]
    assert row.pupils == "Ava Patel (LAC)"
    assert concerns.inbox(staff.head).rows[0].pupils == "Ava Patel"


def test_child_not_on_roll(staff, family, record_concern):
    with pytest.raises(ValidationError):
        pupils.add_not_on_roll(staff.teacher, first_name="Kacper", last_name="", born="9")
    with pytest.raises(ValidationError, match="date of birth"):
        pupils.add_not_on_roll(staff.teacher, first_name="Kacper", last_name="Nowak", born="soon")
    child = pupils.add_not_on_roll(staff.teacher, first_name="Kacper", last_name="Nowak",
                                   born="03/03/2017", note="Cousin at St Mary's")
    record_concern(staff.teacher, family["Ava"], (child.id, "other"))
    with pytest.raises(PermissionDenied):
        pupils.not_on_roll(staff.teacher)
    (listed,) = pupils.not_on_roll(staff.dsl)
    assert listed.concerns == 1 and listed.maybe == ()
    # A full roll never marks a child not on roll as a leaver.
    plan = roll_import.run_import(staff.itadmin, b"UPN,Surname,Forename,DOB\nU936200015010,Patel,Ava,12/03/2014\n",
                                  "ava-only.csv", full_roll=True).plan
    assert "Kacper Nowak" not in [lv.name for lv in plan.leavers]
    with pytest.raises(ValidationError, match="on the school's roll"):
        pupils.match_not_on_roll(staff.dsl, child.id, child.id, "same")
