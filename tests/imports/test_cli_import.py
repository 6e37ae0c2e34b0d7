"""`kiosk pupils import`: the dry run, the import, and bad files refused with one line on
stderr, a non-zero exit and nothing changed."""

from __future__ import annotations

import io
import sys

import pytest

from kiosk.cli import main
from kiosk.db import close_pool, db
from tests.conftest import STRONG_PASSWORD, TEST_DB_URL, _reset_postgres
from tests.imports.conftest import FIXTURES
from tests.imports.helpers import BOMB


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    if TEST_DB_URL:
        _reset_postgres(TEST_DB_URL)
    path = tmp_path / "school"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(path))
    yield path
    if db.obj is not None and not db.is_closed():
        db.close()
    close_pool()
    db.initialize(None)


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    if db.obj is not None and not db.is_closed():
        db.close()
    return code, out, err


def counts():
    from kiosk.config import load_settings
    from kiosk.models import AuditEvent
    from kiosk.models.pupils import Pupil
    from kiosk.schema import open_database

    open_database(load_settings(), create=False)
    try:
        return Pupil.select().count(), AuditEvent.select().where(AuditEvent.action == "pupil.import").count()
    finally:
        db.close()


@pytest.fixture
def school(monkeypatch, capsys, data_dir):
    code, _, err = run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
                       stdin=STRONG_PASSWORD + "\n")
    assert code == 0, err


def test_dry_run_then_import_then_again(monkeypatch, capsys, school):
    ctf = str(FIXTURES / "ctf24_roll.xml")
    code, out, err = run(monkeypatch, capsys, "pupils", "import", ctf, "--dry-run")
    assert code == 0, err
    assert "Dry run: nothing changed. 4 joining" in out and "Run again without --dry-run" in out
    assert counts() == (0, 0)
    code, out, err = run(monkeypatch, capsys, "pupils", "import", ctf)
    assert code == 0 and "4 joining" in out and "Leonardo Okafor" in out
    assert counts() == (4, 1)
    code, out, err = run(monkeypatch, capsys, "pupils", "import", ctf)
    assert "0 joining, 0 changed, 4 unchanged" in out
    code, out, err = run(monkeypatch, capsys, "pupils", "import", str(FIXTURES / "ctf25_roll.xml"), "--full-roll")
    assert code == 0 and "1 leaving" in out and "Mia Jones, year 6" in out


def test_map_option(monkeypatch, capsys, school, tmp_path):
    f = tmp_path / "custom.csv"
    f.write_text("Pupil Surname,Pupil Forename,Birthday\nJones,Mia,20/01/2015\n")
    code, out, err = run(monkeypatch, capsys, "pupils", "import", str(f), "--map", "Pupil Surname=last_name",
                         "--map", "Pupil Forename=first_name", "--map", "Birthday=dob")
    assert code == 0, err
    assert "1 joining" in out
    code, out, err = run(monkeypatch, capsys, "pupils", "import", str(f), "--map", "nonsense")
    assert code == 1 and err.count("\n") == 1 and "--map" in err


def _bad_files(tmp_path):
    big = tmp_path / "huge.csv"
    with open(big, "wb") as fh:  # 50 MB, made here, never committed
        fh.write(b"UPN,Surname,Forename,DOB\n")
        row = b"U936200015010,Patel,Ava,12/03/2014\n"
        fh.write(row * (50 * 1024 * 1024 // len(row) + 1))
    files = {
        "malformed.xml": (b"<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil>",
                          "not well-formed XML"),
        "bomb.xml": (BOMB, "entit"),
        "latin1.csv": ("UPN,Surname,Forename,DOB\nU936200015010,Pat\u00e9l,Ava,12/03/2014\n".encode("cp1252"),
                       "not UTF-8"),
        "missing.csv": (b"UPN,Forename,DOB\nU936200015010,Ava,12/03/2014\n", "no column for surname"),
        "old.xml": ((FIXTURES / "ctf24_roll.xml").read_bytes().replace(b"24.0", b"22.0"), "not supported"),
    }
    out = []
    for name, (data, message) in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out.append((path, message))
    out.append((big, "too large"))
    out.append((tmp_path / "absent.csv", "cannot read the file"))
    return out


def test_bad_files_one_line_and_nothing_changed(monkeypatch, capsys, school, tmp_path):
    run(monkeypatch, capsys, "pupils", "import", str(FIXTURES / "sims_roll.csv"))
    before = counts()
    for path, message in _bad_files(tmp_path):
        code, out, err = run(monkeypatch, capsys, "pupils", "import", str(path), "--full-roll")
        assert code == 1, path
        assert err.count("\n") == 1 and message in err and "Traceback" not in err, (path, err)
        assert counts() == before, path


def test_bom_and_crlf_csv_imports(monkeypatch, capsys, school, tmp_path):
    f = tmp_path / "excel.csv"
    f.write_bytes("\ufeffUPN,Legal Surname,Forename,DOB,Year,Reg Group\r\n"
                  "U936200015010,Patel,Ava,12/03/2014,7,7HN\r\n".encode())
    code, out, err = run(monkeypatch, capsys, "pupils", "import", str(f))
    assert code == 0 and "1 joining" in out and "7HN" in out
