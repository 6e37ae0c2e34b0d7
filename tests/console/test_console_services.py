"""Services behind the console: drafts (owner-only, audited without content) and home counts."""

from __future__ import annotations


import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.models import AuditEvent, Draft
from kiosk.services import drafts, home
from kiosk.services.actor import shell_actor


def test_drafts_are_owner_only_and_replaced_per_form(make_user):
    alice = make_user("alice", "staff")
    bob = make_user("bob", "staff")
    first = drafts.save_draft(alice, "concern", "kiosk.screens.x:Form", {"text": "one"}, title="Concern")
    second = drafts.save_draft(alice, "concern", "kiosk.screens.x:Form", {"text": "two"}, title="Concern")
    assert first == second and Draft.select().count() == 1
    assert [d.title for d in drafts.list_drafts(alice)] == ["Concern"]
    assert drafts.list_drafts(bob) == []
    with pytest.raises(NotFound):
        drafts.load_draft(bob, first)
    data = drafts.load_draft(alice, first)
    assert data.state == {"text": "two"} and data.screen == "kiosk.screens.x:Form"
    drafts.delete_draft(alice, first, "restored")
    assert not Draft.select().exists()
    details = " ".join(e.detail for e in AuditEvent.select())
    assert "two" not in details and "one" not in details


def test_drafts_need_an_account_and_sane_input(make_user):
    alice = make_user("alice", "staff")
    with pytest.raises(PermissionDenied):
        drafts.save_draft(shell_actor("shell:test"), "f", "kiosk.screens.x:F", {})
    with pytest.raises(ValidationError):
        drafts.save_draft(alice, "bad form id!", "kiosk.screens.x:F", {})
    with pytest.raises(ValidationError):
        drafts.save_draft(alice, "f", "kiosk.screens.x:F", {"text": "x" * 300_000})
    with pytest.raises(ValidationError):
        drafts.delete_draft(alice, 1, "because")


def test_discard_after_submit(make_user):
    alice = make_user("alice", "staff")
    drafts.save_draft(alice, "concern", "kiosk.screens.x:Form", {"text": "x"})
    drafts.discard_form_draft(alice, "concern")
    drafts.discard_form_draft(alice, "concern")  # nothing left: no error
    assert not Draft.select().exists()


def test_home_counts_gather_domains_and_survive_a_broken_one(make_user, monkeypatch):
    from kiosk.rules import load_profile

    head = make_user("head", "headteacher")
    def boom(actor):
        raise RuntimeError("bug in a domain")

    monkeypatch.setattr(home, "_domains", lambda opened: (
        ("ok", lambda actor: [home.HomeCount("Things", 3, urgent=True, key="i")]),
        ("broken", boom),
    ))
    counts = home.home_counts(head, load_profile())
    assert counts[0] == home.HomeCount("Things", 3, urgent=True, key="i")
    assert counts[1].value == "?"
    assert counts[2].label.startswith("Staff yet to sign") and counts[2].value == 1


def test_no_signoff_count_without_the_capability(make_user):
    from kiosk.rules import load_profile

    teacher = make_user("teacher", "staff")
    assert not [c for c in home.home_counts(teacher, load_profile()) if c.label.startswith("Staff yet")]


def test_a_draft_is_validated_when_restored(make_user):
    """A draft written another way (an older console, the database directly) is checked like
    typed text before it goes back into a form: control characters and bidi overrides refused."""
    import json

    alice = make_user("alice", "staff")
    draft_id = drafts.save_draft(alice, "concern", "kiosk.screens.x:Form", {"text": "fine"})
    for bad in ("\x1b]0;pwned\x07", "pay \u202eKCIN", "x" * 20_001):
        Draft.update(payload=json.dumps({"v": 1, "screen": "kiosk.screens.x:Form", "title": "C",
                                         "state": {"text": bad}})).execute()
        with pytest.raises(ValidationError, match="draft"):
            drafts.load_draft(alice, draft_id)
    assert Draft.select().count() == 1  # kept, not lost
    assert AuditEvent.select().where(AuditEvent.action == "draft.refused").count() == 3
    with pytest.raises(ValidationError):
        drafts.save_draft(alice, "concern", "kiosk.screens.x:Form", {"text": "a\u2066b"})
