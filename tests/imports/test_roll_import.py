"""The roll import service: matching, idempotence, leavers, flags untouched, one transaction,
one audit event, and the DSL's home line for leavers with records."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.errors import PermissionDenied
from kiosk.services import roll_import


def pupils_by_upn():
    from kiosk.models.pupils import Pupil

    return {p.upn: p for p in Pupil.select()}


def import_events():
    from kiosk.models import AuditEvent

    return list(AuditEvent.select().where(AuditEvent.action.startswith("pupil.import")).order_by(AuditEvent.seq))


def snapshot():
    from kiosk.models.pupils import Pupil, PupilLink

    return ([tuple(p.__data__.items()) for p in Pupil.select().order_by(Pupil.id)],
            [tuple(link.__data__.items()) for link in PupilLink.select().order_by(PupilLink.id)])


def test_ctf24_import_then_same_file_again_changes_nothing(staff, fixture_bytes):
    import json

    data = fixture_bytes("ctf24_roll.xml")
    result = roll_import.run_import(staff.itadmin, data, "ctf24_roll.xml")
    assert result.written and result.plan.counts["joiners"] == 4
    got = pupils_by_upn()
    leo = got["X936200015012"]
    assert (leo.first_name, leo.preferred_name, leo.former_upn, leo.year_group, leo.sex) == \
        ("Leonardo", "Leo", "V823100414001", 7, "M")
    # One audit event with the counts and the file's hash.
    (event,) = import_events()
    detail = json.loads(event.detail)
    assert event.action == "pupil.import" and detail["joiners"] == 4
    import hashlib

    assert detail["sha256"] == hashlib.sha256(data).hexdigest()
    # Ava and Noah share a contact: linked as siblings.
    from kiosk.services import families

    siblings = families.siblings(staff.dsl, got["U936200015010"].id)
    assert [s.name for s in siblings] == ["Noah Patel"]

    before = snapshot()
    again = roll_import.run_import(staff.itadmin, data, "ctf24_roll.xml")
    assert again.plan.counts == {"rows": 4, "joiners": 0, "changed": 0, "unchanged": 4, "leavers": 0,
                                 "refused": 0, "sibling_links": 0}
    assert snapshot() == before


def test_full_roll_marks_leavers_never_deletes_and_keeps_their_records(staff, fixture_bytes, record_concern):
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    mia = pupils_by_upn()["L936200015013"]
    record_concern(staff.teacher, mia.id)
    staff.clock.advance(days=3)
    result = roll_import.run_import(staff.itadmin, fixture_bytes("ctf25_roll.xml"), "ctf25_roll.xml",
                                    full_roll=True)
    c = result.plan.counts
    assert (c["joiners"], c["changed"], c["leavers"]) == (1, 3, 1)
    assert result.plan.leavers[0].has_records
    got = pupils_by_upn()
    mia = got["L936200015013"]
    assert not mia.active and mia.left_on == date(2026, 11, 29)
    assert got["U936200015010"].year_group == 8 and got["A936200015014"].first_name == "Zara"
    from kiosk.models.concerns import ConcernPupil

    assert ConcernPupil.select().where(ConcernPupil.pupil == mia.id).count() == 1
    # The DSL's home: "left: child protection file to transfer".
    from kiosk.services import home, pupils

    leavers = pupils.leavers_to_transfer(staff.dsl)
    assert [lv.name for lv in leavers] == ["Mia Jones"] and leavers[0].transfer_due > date(2026, 11, 29)
    lines = [c.label for c in home.home_counts(staff.dsl)]
    assert any("left: child protection file to transfer" in line for line in lines)
    assert not any("left:" in c.label for c in home.home_counts(staff.teacher))
    with pytest.raises(PermissionDenied):
        pupils.leavers_to_transfer(staff.itadmin)
    # A leaver without records is not listed; a partial file marks nobody as left.
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    assert pupils_by_upn()["L936200015013"].active  # back on roll: rejoined
    assert pupils_by_upn()["A936200015014"].active


def test_flags_are_never_imported_over_what_the_dsl_set(staff, fixture_bytes):
    from kiosk.services import pupils

    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "x.xml")
    got = pupils_by_upn()
    pupils.set_flag(staff.dsl, got["U936200015010"].id, "cp_plan", True, "Plan agreed at conference")
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf25_roll.xml"), "y.xml", full_roll=True)
    got = pupils_by_upn()
    assert got["U936200015010"].cp_plan
    # Mia's CTF says LookedAfter/InCare: the DSL's flag is theirs to set, not the file's.
    assert not got["L936200015013"].looked_after


def test_former_upn_and_name_and_dob_matching(staff, fixture_bytes):
    from kiosk.services import pupils

    # Leo added by hand under his old UPN; Mia by hand without one; two identical Ava rows.
    pupils.add_pupil(staff.dsl, first_name="Leonardo", last_name="Okafor", date_of_birth=date(2014, 7, 30),
                     year_group=6, upn="V823100414001")
    pupils.add_pupil(staff.dsl, first_name="Mia", last_name="Jones", date_of_birth=date(2015, 1, 20),
                     year_group=6)
    for _ in range(2):
        pupils.add_pupil(staff.dsl, first_name="Ava", last_name="Patel", date_of_birth=date(2014, 3, 12),
                         year_group=7)
    result = roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    plan = result.plan
    got = pupils_by_upn()
    assert got["X936200015012"].former_upn == "V823100414001" and got["X936200015012"].year_group == 7
    assert any("UPN V823100414001 -> X936200015012" in "; ".join(ch.what) for ch in plan.changes)
    # Mia was added without a UPN: matched to the one such pupil with her name and date of birth.
    from kiosk.models.pupils import Pupil

    assert [p.upn for p in Pupil.select().where(Pupil.last_name == "Jones")] == ["L936200015013"]
    # Two Ava Patels born the same day: not guessed.
    (refused,) = plan.refused
    assert refused.who == "Ava Patel" and "matches 2 pupils" in refused.reason
    assert plan.counts["joiners"] == 1  # Noah
    # The Arbor export has no UPN for Mia: her name and date of birth are unique, so she matches.
    again = roll_import.run_import(staff.itadmin, fixture_bytes("arbor_roll.csv"), "arbor_roll.csv")
    assert again.plan.counts["joiners"] == 0
    assert Pupil.select().where(Pupil.last_name == "Jones").count() == 1


def test_dry_run_changes_nothing_and_is_audited_as_a_preview(staff, fixture_bytes):
    before = snapshot()
    result = roll_import.run_import(staff.itadmin, fixture_bytes("sims_roll.csv"), "sims_roll.csv",
                                    dry_run=True, full_roll=True)
    assert not result.written and result.plan.counts["joiners"] == 4
    assert snapshot() == before
    assert [e.action for e in import_events()] == ["pupil.import.preview"]
    lines = roll_import.describe(result.plan, written=False)
    assert lines[1].startswith("Dry run: nothing changed. 4 joining")
    assert "  Leonardo Okafor, born 30/07/2014, year 7, 7HN" in lines


def test_refused_rows_are_listed_and_the_rest_imported(staff):
    data = b"UPN,Surname,Forename,DOB\nA936200015010,Patel,Ava,12/03/2014\nH936200015011,Patel,Noah,02/10/2016\n"
    result = roll_import.run_import(staff.itadmin, data, "x.csv")
    assert result.plan.counts["joiners"] == 1
    assert "  line 2: Ava Patel: UPN 'A936200015010' has the wrong check letter" in \
        roll_import.describe(result.plan, True)


def test_only_those_who_manage_pupils_may_import(staff, fixture_bytes):
    for who in (staff.teacher, staff.pastoral, staff.head):
        with pytest.raises(PermissionDenied):
            roll_import.run_import(who, fixture_bytes("sims_roll.csv"), "sims_roll.csv", dry_run=True)
    roll_import.run_import(staff.dsl, fixture_bytes("sims_roll.csv"), "sims_roll.csv", dry_run=True)


def test_nothing_is_half_imported(staff, fixture_bytes, monkeypatch):
    from kiosk.errors import DatabaseError
    from kiosk.services import audit

    real = audit.record

    def failing(actor, action, *a, **kw):
        if action == "pupil.import":
            raise DatabaseError("disk full")
        return real(actor, action, *a, **kw)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(DatabaseError):
        roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    assert snapshot() == ([], [])


def test_progress_is_reported(staff, fixture_bytes):
    seen = []
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "x.xml",
                           progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5)  # 4 joiners + 1 sibling link
