"""Fixtures for concern tests: a small school with one user per role and a few pupils."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def school(database, make_user, admin, fake_clock):
    from kiosk.services import pupils

    users = {
        "teacher": make_user("teacher", "staff", full_name="Ms Teacher"),
        "teacher2": make_user("teacher2", "staff", full_name="Mr Other Teacher"),
        "pastoral": make_user("pastoral", "pastoral", full_name="Mrs Pastoral"),
        "dsl": make_user("dsl", "dsl", full_name="Mrs Dsl"),
        "deputy": make_user("deputy", "deputy_dsl", full_name="Mr Deputy"),
        "deputy2": make_user("deputy2", "deputy_dsl", full_name="Ms Deputy Two"),
        "head": make_user("head", "headteacher", full_name="Dr Head"),
        "governor": make_user("governor", "governor", full_name="Mr Governor"),
        "itadmin": make_user("itadmin", "admin", full_name="IT Admin"),
        "director": make_user("director", "director_of_education", full_name="Director"),
        "trustlead": make_user("trustlead", "trust_safeguarding_lead", full_name="Trust Lead"),
    }
    dsl = users["dsl"]
    kids = {
        "amara": pupils.add_pupil(dsl, first_name="Amara", last_name="Abbott",
                                  date_of_birth=date(2015, 3, 4), year_group=6, form_group="6W"),
        "ben": pupils.add_pupil(dsl, first_name="Ben", last_name="Brennan",
                                date_of_birth=date(2014, 10, 1), year_group=7, form_group="7L"),
        "chloe": pupils.add_pupil(dsl, first_name="Chloe", last_name="Carver",
                                  date_of_birth=date(2016, 1, 20), year_group=5, form_group="5M"),
    }

    class School:
        pass

    s = School()
    s.users = users
    s.pupils = kids
    s.clock = fake_clock
    return s


@pytest.fixture
def record(school):
    """record(actor_name="teacher", **overrides) -> RecordedConcern"""
    from kiosk.services import concerns

    def _record(who: str = "teacher", **kw):
        args = dict(
            token=concerns.new_submission_token(),
            pupils=[(school.pupils["amara"].id, "subject")],
            occurred_on=date(2026, 11, 26),
            occurred_time="09:15",
            location="Year 6 classroom",
            source="child_told",
            categories=["physical_abuse"],
            words="Dad hit me with the belt",
            description="Amara showed me a bruise on her arm at registration.",
            why_concern="Bruise shaped like a buckle; she looked frightened.",
            child_told_next=True,
            dsl_told_in_person=False,
            injuries=[("left_arm", "Oval bruise 3cm, yellow edges")],
            urgent=False,
        )
        args.update(kw)
        return concerns.record_concern(school.users[who], **args)

    return _record
