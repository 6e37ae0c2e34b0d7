"""Fixtures for import tests: a DSL, a teacher, an admin, and the fixture files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def staff(database, make_user, fake_clock):
    class Staff:
        dsl = make_user("dsl", "dsl", full_name="Mrs Dsl")
        deputy = make_user("deputy", "deputy_dsl", full_name="Mr Deputy")
        teacher = make_user("teacher", "staff", full_name="Ms Teacher")
        itadmin = make_user("itadmin", "admin", full_name="IT Admin")
        head = make_user("head", "headteacher", full_name="Dr Head")
        pastoral = make_user("pastoral", "pastoral", full_name="Mrs Pastoral")
        clock = fake_clock

    return Staff


@pytest.fixture
def fixture_bytes():
    def _read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return _read


@pytest.fixture
def record_concern():
    """record_concern(actor, pupil_id, role="subject") -> RecordedConcern"""
    from kiosk.services import concerns

    def _record(actor, pupil_id, *more, role="subject"):
        return concerns.record_concern(
            actor, token=concerns.new_submission_token(),
            pupils=[(pupil_id, role), *more], occurred_on=date(2026, 11, 25), occurred_time="09:15",
            location="Playground", source="noticed", categories=["neglect"],
            description="Came in without a coat again; hungry at break.",
            why_concern="Third time this week.",
        )

    return _record
