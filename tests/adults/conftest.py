"""Fixtures for concerns about adults: the school's staff in every role, and the profile."""

from __future__ import annotations

import pytest

from kiosk.rules.profile import load_profile


@pytest.fixture(scope="session")
def profile():
    return load_profile(None)


@pytest.fixture
def school(make_user):
    """One console user per role, plus two teachers (one to be the subject of concerns)."""
    return {
        "teacher": make_user("teacher", "staff", full_name="Ms Priya Lawson"),
        "subject": make_user("subject", "staff", full_name="Mr Ian Subject"),
        "pastoral": make_user("pastoral", "pastoral", full_name="Mrs Jan Okafor"),
        "dsl": make_user("dsl", "dsl", full_name="Mrs Alison Smith"),
        "deputy": make_user("deputy", "deputy_dsl", full_name="Mr Daniel Hart"),
        "head": make_user("head", "headteacher", full_name="Dr Helen Marsh"),
        "governor": make_user("governor", "governor", full_name="Mr Colin Fry"),
        "itadmin": make_user("itadmin", "admin", full_name="Sam Patel"),
        "director": make_user("director", "director_of_education", full_name="Mrs Grace Bell"),
        "trustlead": make_user("trustlead", "trust_safeguarding_lead", full_name="Ms Sarah Watts"),
    }
