"""The demo seeder makes a term of early help that the home screen and caseload can show."""

from __future__ import annotations

import random
from datetime import date

from kiosk.services import early_help as eh


def test_demo_seeds_a_term(make_user, fake_clock):
    from kiosk.demo import DemoContext
    from kiosk.demo import early_help as demo
    from kiosk.services.pupils import add_pupil

    users = {name: make_user(name, role) for name, role in
             (("pastoral", "pastoral"), ("dsl", "dsl"), ("teacher", "staff"))}
    ids = [add_pupil(users["dsl"], first_name=f"Pupil{i}", last_name="Demo", date_of_birth=date(2015, 1, 1),
                     year_group=6).id for i in range(70)]
    ctx = DemoContext(users=users, pupil_ids=ids, rng=random.Random(1), today=date(2026, 11, 26))
    demo.seed(ctx)
    pastoral = users["pastoral"]
    c = eh.caseload(pastoral)
    assert sum(r.count for r in c.open_by_offer) >= 30
    assert c.reviews_overdue >= 2 and c.reviews_due_week >= 1
    assert c.agency_waiting_too_long >= 1 and c.pending_referrals == 1
    assert len(eh.list_sessions(pastoral)) >= 25
    counts = {h.label: h.value for h in eh.home_counts(pastoral)}
    assert counts["Early help reviews overdue"] >= 2
    assert {v.status for v in eh.list_agency_referrals(pastoral)} == {"closed", "sent", "declined", "accepted"}
