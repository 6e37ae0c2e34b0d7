"""Fixtures for early help: a DSL, a pastoral lead, a class of pupils and the synced offer."""

from __future__ import annotations

from datetime import date

import pytest

NAMES = [
    ("Amara", "Abbott"), ("Ben", "Brennan"), ("Chloe", "Carver"), ("Dylan", "Dunmore"),
    ("Ella", "Ellwood"), ("Finley", "Fairbairn"), ("Grace", "Garside"), ("Harvey", "Holloway"),
    ("Isla", "Ingram"), ("Jacob", "Jarvis"), ("Kai", "Kettle"), ("Layla", "Lockwood"),
    ("Mason", "Marlow"), ("Nia", "Nettleton"), ("Oscar", "Ormsby"),
]


@pytest.fixture
def dsl(make_user):
    return make_user("dsl1", "dsl", full_name="Alison Smith")


@pytest.fixture
def pastoral(make_user, fake_clock):
    return make_user("pat", "pastoral", full_name="Jan Okafor")


@pytest.fixture
def pupils(dsl, fake_clock):
    from kiosk.services.pupils import add_pupil

    return [
        add_pupil(dsl, first_name=f, last_name=l, date_of_birth=date(2015, 3, 1 + i),
                  year_group=6, form_group="6W").id
        for i, (f, l) in enumerate(NAMES)
    ]


@pytest.fixture
def offers(pastoral, fake_clock):
    from kiosk.services import early_help as eh

    return {o.key: o for o in eh.sync_offers(pastoral)}
