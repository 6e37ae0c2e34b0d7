"""The demo's concerns about adults: every route, one LADO contact overdue, a pattern."""

from __future__ import annotations

import random

from kiosk.clock import today
from kiosk.demo import DemoContext
from kiosk.services import adults


def test_demo_seed(make_user):
    """Seeded at 07:05 on a working day (as a school might at any hour): "today at 08:00"
    is still to come, and nothing may be dated after the moment the demo was made."""
    from datetime import datetime

    from kiosk.clock import FakeClock, use_clock
    from kiosk.models.adults import AdultConcern, AdultConcernEvent

    clock = FakeClock(datetime(2027, 1, 4, 7, 5))
    with use_clock(clock):
        _seed_and_check(make_user)
    assert max(c.created_at for c in AdultConcern.select()) <= clock.now
    assert max(e.at for e in AdultConcernEvent.select()) <= clock.now


def _seed_and_check(make_user):
    users = {}
    for username, roles in (("teacher", "staff"), ("volunteer", "staff"), ("pastoral", "pastoral"),
                            ("dsl", "dsl"), ("deputy", "deputy_dsl"), ("head", "headteacher"),
                            ("director", "director_of_education"),
                            ("trustlead", "trust_safeguarding_lead")):
        users[username] = make_user(username, roles)
    from kiosk.demo import adults as demo_adults

    ctx = DemoContext(users=users, pupil_ids=[], rng=random.Random(1), today=today())
    demo_adults.seed(ctx)
    head = adults.register(users["head"])
    assert sum(r.lado_overdue for r in head) == 1
    assert {r.kind for r in head} == {"allegation", "low_level"}
    assert any(r.outcome == "unsubstantiated" for r in head)
    director = adults.register(users["director"])
    malicious = [r for r in director if r.outcome == "malicious"]
    assert malicious and adults.get_concern(users["director"], malicious[0].id).retention.to_be_removed
    assert len(adults.register(users["trustlead"])) == 1
    assert [p.low_level for p in adults.patterns(users["dsl"])] == [2]
