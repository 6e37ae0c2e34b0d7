"""`kiosk demo` seeds realistic concerns through the services."""

from __future__ import annotations


def test_demo_seeds_concerns_in_every_state(database, monkeypatch):
    import kiosk.demo
    from kiosk.demo import seed

    # Only this domain's seeder: the others have tests of their own.
    from kiosk.demo import concerns as concern_seeder

    monkeypatch.setattr(kiosk.demo, "domain_seeders", lambda: (concern_seeder,))
    from kiosk.models import AuditEvent, User
    from kiosk.models.concerns import Concern, ConcernAction
    from kiosk.services import accounts, audit, chronology, concerns

    seed(pupils=30)
    statuses = {c.status for c in Concern.select()}
    assert statuses == {"open", "acknowledged", "closed"}
    assert Concern.select().where(Concern.restricted == True).count() == 1  # noqa: E712
    assert Concern.select().where(Concern.urgent == True).count() >= 2  # noqa: E712
    assert ConcernAction.select().count() >= 8
    dsl = accounts.actor_for(User.get(User.username == "dsl"), "terminal")
    deputy = accounts.actor_for(User.get(User.username == "deputy"), "terminal")
    page = concerns.inbox(dsl)
    assert page.rows[0].urgent and page.rows[0].unread
    assert any(r.hidden for r in concerns.inbox(deputy, view="all").rows)
    counts = {c.label: c.value for c in concerns.home_counts(dsl)}
    assert counts["Unread concern alerts"] >= 3
    # A closed concern carries its reasoning; the pupil's chronology shows the history.
    closed = Concern.select().where(Concern.status == "closed").first()
    detail = concerns.get_concern(dsl, closed.id)
    assert detail.events[-1].reasoning
    pid = detail.pupils[0].pupil_id
    assert len(chronology.chronology(dsl, pid)) >= 3
    assert audit.verify().ok
    # Seeding again changes nothing.
    n = Concern.select().count()
    seed(pupils=30)
    assert Concern.select().count() == n
    assert AuditEvent.select().count() > 0
