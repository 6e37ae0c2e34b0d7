"""`kiosk transfer receive` and `kiosk transfer ack` between two data dirs."""

from __future__ import annotations

import io
import sys

import pytest

from kiosk.cli import main
from kiosk.db import db
from tests.conftest import STRONG_PASSWORD, TEST_DB_URL

pytestmark = pytest.mark.skipif(bool(TEST_DB_URL), reason="two schools need two SQLite data dirs")


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_receive_and_ack_from_the_shell(monkeypatch, capsys, tmp_path, school, record, profile, settings,
                                        scrypt_fast):
    from datetime import date

    from kiosk.services import transfers

    dsl = school.users["dsl"]
    record()
    t = transfers.start_transfer(dsl, school.pupils["amara"].id, destination_school="Elsewhere School",
                                 destination_dsl="Mr B", left_on=date(2026, 11, 25), profile=profile)
    sent = transfers.send_transfer(dsl, settings, profile, t.id)
    first = db.obj
    b = str(tmp_path / "school-b")
    assert run(monkeypatch, capsys, "--data-dir", b, "init", "--admin", "root", "--password-stdin",
               stdin=STRONG_PASSWORD + "\n")[0] == 0
    assert run(monkeypatch, capsys, "--data-dir", b, "users", "add", "bdsl", "--role", "dsl", "--full-name",
               "Mr B", "--password-stdin", stdin=STRONG_PASSWORD + "\n")[0] == 0
    code, out, err = run(monkeypatch, capsys, "--data-dir", b, "transfer", "receive", str(sent.bundle_path),
                         "--user", "bdsl", "--passwords-stdin", stdin=f"{STRONG_PASSWORD}\nwrong password here\n")
    assert code == 1 and "password is wrong" in err and "\n" == err[-1] and err.count("\n") == 1
    code, out, err = run(monkeypatch, capsys, "--data-dir", b, "transfer", "receive", str(sent.bundle_path),
                         "--user", "bdsl", "--passwords-stdin", stdin=f"{STRONG_PASSWORD}\n{sent.password}\n")
    assert code == 1 and "addressed to 'Elsewhere School'" in err
    code, out, err = run(monkeypatch, capsys, "--data-dir", b, "transfer", "receive", str(sent.bundle_path),
                         "--user", "bdsl", "--accept-school-name", "--sender-key", sent.fingerprint,
                         "--passwords-stdin", stdin=f"{STRONG_PASSWORD}\n{sent.password}\n")
    assert code == 0, err
    assert "created as joining" in out and sent.fingerprint in out
    code_line = next(line for line in out.splitlines() if line.startswith("receipt code"))
    receipt_code = code_line.rsplit(" ", 1)[1]
    receipt_path = next(line for line in out.splitlines() if line.startswith("receipt file")).split(": ", 1)[1]
    db.obj.close()
    db.initialize(first)
    a = str(settings.data_dir)
    code, out, err = run(monkeypatch, capsys, "--data-dir", a, "transfer", "ack", "--receipt", receipt_path,
                         "--user", "dsl", "--passwords-stdin", stdin=f"{STRONG_PASSWORD}\n")
    assert code == 0, err
    assert "received by Mr B" in out
    assert receipt_code in open(receipt_path).read()
    assert transfers.transfer(dsl, t.id, profile).state == "acknowledged"
