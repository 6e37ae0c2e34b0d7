"""The child protection file on a move: states, the PDF, the bundle between two schools, the
receipt, and refusals of altered and foreign bundles."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import date

import pytest

from kiosk.config import Settings
from kiosk.errors import PermissionDenied, ValidationError
from tests.exports.conftest import open_pdf, other_profile, pdf_text


@pytest.fixture
def sent(school, record, profile, settings, scrypt_fast):
    from kiosk.services import concerns, transfers

    dsl = school.users["dsl"]
    c = record()
    concerns.add_action(dsl, c.id, kind="consultation_line", action_date=date(2026, 11, 26),
                        taken_by="Mrs Dsl", notes="Rang the line", rationale="Buckle-shaped bruise")
    secret = record(words="a secret disclosure", description="Restricted matter.")
    concerns.restrict(dsl, secret.id, [dsl.user_id], reason="sensitive")
    t = transfers.start_transfer(dsl, school.pupils["amara"].id, destination_school="Oak Hill Academy",
                                 destination_dsl="Mr Receiver", left_on=date(2026, 11, 25), profile=profile)
    return transfers.send_transfer(dsl, settings, profile, t.id, summary="Known to social care since 2025.")


def test_states_countdown_and_permissions(school, profile, scrypt_fast):
    from kiosk.services import transfers

    dsl = school.users["dsl"]
    t = transfers.start_transfer(dsl, school.pupils["ben"].id, destination_school="Elm School",
                                 destination_dsl="Ms Elm", left_on=date(2026, 11, 26), profile=profile)
    assert t.state == transfers.TO_SEND
    assert t.days_left > 0 and "working day" in t.countdown
    school.clock.advance(days=14)
    assert transfers.transfer(dsl, t.id, profile).state == transfers.OVERDUE
    for who in ("teacher", "pastoral", "head", "governor", "itadmin"):
        with pytest.raises(PermissionDenied):
            transfers.transfers(school.users[who], profile)
    counts = transfers.home_counts(dsl, profile)
    assert any("overdue" in c.label and c.urgent for c in counts)
    assert not any("Ben" in c.label for c in counts)  # no names on the home screen


def test_sent_pdf_is_encrypted_with_furniture(sent, settings, profile):
    assert sent.password and sent.pdf_path.parent == settings.data_dir / "exports"
    for path in (sent.pdf_path, sent.bundle_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = sent.pdf_path.read_bytes()
    with pytest.raises(Exception):
        open_pdf(data, None).pages[0].extract_text()
    reader = open_pdf(data, sent.password)
    pages = pdf_text(reader)
    assert len(pages) >= 3
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in text
        assert "Amara Abbott" in text and profile.school_name in text
        assert "Produced by Mrs Dsl on" in text
    whole = "\n".join(pages)
    assert "Known to social care since 2025." in whole
    assert "Dad hit me with the belt" in whole
    assert "Buckle-shaped bruise" in whole
    assert sent.transfer.state == "sent"


def test_audit_records_the_files_hashes(sent):
    from kiosk.models import AuditEvent

    ev = AuditEvent.select().where(AuditEvent.action == "transfer.send").get()
    detail = json.loads(ev.detail)
    import hashlib

    assert detail["pdf_sha256"] == hashlib.sha256(sent.pdf_path.read_bytes()).hexdigest()
    assert detail["bundle_sha256"] == hashlib.sha256(sent.bundle_path.read_bytes()).hexdigest()
    assert sent.password not in ev.detail


def _second_school(tmp_path, make_user_cls=None):
    from kiosk import schema
    from kiosk.services import accounts
    from kiosk.services.actor import shell_actor

    s = Settings(data_dir=tmp_path / "school-b")
    schema.open_database(s)
    info = accounts.create_user(shell_actor("shell:test"), "bdsl", "Mr Receiver", ("dsl",),
                                "correct-battery-staple-42", must_change=False)
    from kiosk.models import User

    return s, accounts.actor_for(User.get_by_id(info.id), "terminal")


def _pages(actor, pupil_id, size=2):
    from kiosk.services import chronology

    got, cursor = [], None
    while True:
        page = chronology.chronology_page(actor, pupil_id, cursor=cursor, size=size)
        got += page.entries
        if page.next is None:
            return got
        cursor = page.next


def test_bundle_round_trips_to_another_school_and_ack(sent, tmp_path, profile, settings, school):
    from kiosk.db import db
    from kiosk.services import chronology, transfers

    data = sent.bundle_path.read_bytes()
    first_db = db.obj
    b_settings, b_dsl = _second_school(tmp_path)
    b_profile = other_profile(profile)
    got = transfers.receive(b_dsl, b_settings, b_profile, data, sent.password)
    assert got.pupil_created and got.from_school == profile.school_name and got.records >= 3
    entries = chronology.chronology(b_dsl, got.pupil_id)
    received = [e for e in entries if e.kind == "received"]
    assert received and all(e.title.startswith(f"Received from {profile.school_name} on ") for e in received)
    assert any("The sending DSL's summary" in e.title for e in received)
    # Issue 19: the chronology a page at a time is the same, received records included.
    assert _pages(b_dsl, got.pupil_id) == entries
    # Receiving the same file again imports nothing more.
    again = transfers.receive(b_dsl, b_settings, b_profile, data, sent.password)
    assert again.duplicate and again.receipt_code == got.receipt_code
    code = got.receipt_code
    db.obj.close()
    db.initialize(first_db)
    dsl = school.users["dsl"]
    with pytest.raises(ValidationError):
        transfers.record_ack(dsl, sent.transfer.id, "AAAA-BBBB-CCCC", received_by="Mr Receiver", profile=profile)
    assert transfers.find_transfer_for_code(dsl, code) == sent.transfer.id
    done = transfers.record_ack(dsl, sent.transfer.id, code.lower(), received_by="Mr Receiver", profile=profile)
    assert done.state == "acknowledged" and done.received_by_name == "Mr Receiver"
    whole = chronology.chronology(dsl, school.pupils["amara"].id)
    titles = [e.title for e in whole]
    assert any(t.startswith("File transferred: received by Mr Receiver") for t in titles)
    assert _pages(dsl, school.pupils["amara"].id) == whole
    assert sent.pdf_path.exists()  # the sender keeps its copy


def test_wrong_password_tampered_and_foreign_bundles_refused(sent, tmp_path, profile):
    from kiosk.exports import bundle
    from kiosk.exports.bundle import BundleError
    from kiosk.services import transfers

    data = sent.bundle_path.read_bytes()
    b_settings, b_dsl = _second_school(tmp_path)
    b_profile = other_profile(profile)
    with pytest.raises(BundleError, match="password is wrong"):
        transfers.receive(b_dsl, b_settings, b_profile, data, "not-the-password-at-all")
    doc = json.loads(data)
    raw = bytearray(base64.b64decode(doc["ciphertext"]))
    raw[10] ^= 1
    doc["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(BundleError, match="altered"):
        transfers.receive(b_dsl, b_settings, b_profile, json.dumps(doc).encode(), sent.password)
    doc = json.loads(data)
    doc["destination"]["school"] = b_profile.school_name + " (changed)"
    with pytest.raises(BundleError, match="altered"):
        transfers.receive(b_dsl, b_settings, b_profile, json.dumps(doc).encode(), sent.password)
    # Re-signed by someone else's key: the signature holds but the key is not the one given.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged, _ = bundle.seal({"pupil": {}}, sent.password, Ed25519PrivateKey.generate(),
                            profile.school_name, b_profile.school_name)
    with pytest.raises(BundleError, match="did not come from them"):
        transfers.receive(b_dsl, b_settings, b_profile, forged, sent.password,
                          expect_fingerprint=sent.fingerprint)
    with pytest.raises(BundleError, match="not a child protection file bundle"):
        transfers.receive(b_dsl, b_settings, b_profile, b"%PDF-1.7 hello", sent.password)
    # Addressed to another school.
    with pytest.raises(BundleError, match="addressed to"):
        transfers.receive(b_dsl, b_settings, other_profile(profile, "Birch Primary"), data, sent.password)
    from kiosk.models.transfers import TransferIn

    assert TransferIn.select().count() == 0


def test_restricted_concern_needs_confirmation(school, record, profile, settings, scrypt_fast):
    from kiosk.services import concerns, transfers

    dsl = school.users["dsl"]
    secret = record(words="only for the named DSL")
    concerns.restrict(dsl, secret.id, [dsl.user_id], reason="sensitive")
    t = transfers.start_transfer(dsl, school.pupils["amara"].id, destination_school="Oak Hill Academy",
                                 destination_dsl="Mr Receiver", left_on=date(2026, 11, 25), profile=profile)
    choices, others = transfers.restricted_to_confirm(dsl, t.id)
    assert [c["id"] for c in choices] == [secret.id] and others == 0
    out = transfers.send_transfer(dsl, settings, profile, t.id, password="a typed password 123")
    assert out.password is None
    text = "\n".join(pdf_text(open_pdf(out.pdf_path.read_bytes(), "a typed password 123")))
    assert "only for the named DSL" not in text and "1 restricted concern(s) are not included" in text
    deputy = school.users["deputy"]
    t2 = transfers.start_transfer(dsl, school.pupils["amara"].id, destination_school="Elm School",
                                  destination_dsl="Ms Elm", left_on=date(2026, 11, 25), profile=profile)
    with pytest.raises(ValidationError):  # the deputy is not named on it, so cannot confirm it
        transfers.send_transfer(deputy, settings, profile, t2.id, include_restricted=[secret.id])
    out = transfers.send_transfer(dsl, settings, profile, t2.id, include_restricted=[secret.id])
    text = "\n".join(pdf_text(open_pdf(out.pdf_path.read_bytes(), out.password)))
    assert "only for the named DSL" in text


def test_export_dir_must_be_owner_only(tmp_path, settings):
    from kiosk.errors import ConfigError
    from kiosk.exports import files

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    with pytest.raises(ConfigError, match="read by others"):
        files.export_dir(settings.with_(export_dir=shared))
    with pytest.raises(ConfigError):
        from kiosk.config import _validate

        _validate(tmp_path / "config.toml", {"export_dir": "/tmp"})
    ok = _validate(tmp_path / "config.toml", {"export_dir": "exports-here"})
    assert ok["export_dir"] == tmp_path / "exports-here"


def test_the_transfers_list_is_an_audited_view(school, profile):
    from kiosk.models import AuditEvent
    from kiosk.services import transfers

    transfers.start_transfer(school.users["dsl"], school.pupils["ben"].id, destination_school="Elm School",
                             destination_dsl="Ms Elm", left_on=date(2026, 11, 26), profile=profile)
    out, incoming = transfers.transfers_screen(school.users["deputy"], profile)
    assert len(out) == 1 and incoming == []
    ev = AuditEvent.select().where(AuditEvent.action == "transfer.list").get()
    assert ev.actor == "deputy" and "Ben" not in ev.detail
    transfers.home_counts(school.users["dsl"], profile)  # the home screen's counts are not a view
    assert AuditEvent.select().where(AuditEvent.action == "transfer.list").count() == 1


def test_a_leaver_from_the_roll_import_starts_a_transfer_and_leaves_the_list(school, record, profile, settings,
                                                                            scrypt_fast):
    from kiosk.models.pupils import Pupil
    from kiosk.services import pupils, transfers

    dsl = school.users["dsl"]
    record()
    amara = school.pupils["amara"].id
    Pupil.update(active=False, left_on=date(2026, 11, 24)).where(Pupil.id == amara).execute()
    assert [r.pupil_id for r in pupils.leavers_to_transfer(dsl, profile)] == [amara]
    assert transfers.move_defaults(dsl, amara) == {"left_on": date(2026, 11, 24)}
    t = transfers.start_transfer(dsl, amara, destination_school="Oak Hill Academy", destination_dsl="Mr R",
                                 left_on=date(2026, 11, 24), source="roll_import",
                                 source_ref=f"leaver:{amara}:2026-11-24", profile=profile)
    assert transfers.transfer_for_source(dsl, f"leaver:{amara}:2026-11-24", profile).id == t.id
    assert [r.pupil_id for r in pupils.leavers_to_transfer(dsl, profile)] == [amara]  # not sent yet
    transfers.send_transfer(dsl, settings, profile, t.id)
    assert pupils.leavers_to_transfer(dsl, profile) == []


def test_flags_in_the_file_come_from_the_dsls_flags_with_their_dates(school, record, profile, settings,
                                                                    scrypt_fast):
    from kiosk.services import casefile, pupils

    dsl = school.users["dsl"]
    amara = school.pupils["amara"].id
    pupils.set_flag(dsl, amara, "cp_plan", True, reason="Conference decision", on=date(2026, 10, 1))
    content = casefile.build(dsl, amara, profile=profile)
    assert content["flags"] == ["Child protection plan (since 01 Oct 2026)"]
    assert content["current_plan"] == ["Child protection plan"]
    assert content["flag_changes"][0]["on"] == "2026-10-01"


def test_received_records_and_what_was_sent_are_append_only(sent, tmp_path, profile):
    import peewee

    from kiosk.models.transfers import ReceivedRecord, Transfer
    from kiosk.services import transfers

    with pytest.raises(peewee.DatabaseError, match="append-only"):
        Transfer.update(destination_school="Elsewhere").where(Transfer.id == sent.transfer.id).execute()
    b_settings, b_dsl = _second_school(tmp_path)
    transfers.receive(b_dsl, b_settings, other_profile(profile), sent.bundle_path.read_bytes(), sent.password)
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        ReceivedRecord.update(title="changed").execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        ReceivedRecord.delete().execute()
