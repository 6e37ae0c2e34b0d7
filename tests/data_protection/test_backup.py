"""Backups that restore: take, verify, tamper, restore (refusing live data unless told twice),
rotation, and a backup taken while eight writers are busy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import TEST_DB_URL
from tests.data_protection.conftest import sqlite_only


def _close():
    from kiosk.db import db

    if db.obj is not None and not db.obj.is_closed():
        db.close()


@sqlite_only
def test_backup_verify_and_restore_into_an_empty_data_dir(settings, key_file, record, tmp_path):
    from kiosk import keys
    from kiosk.config import Settings
    from kiosk.models.concerns import Concern
    from kiosk.schema import open_database
    from kiosk.services import backup

    first = record()
    report = backup.take_backup(settings)
    assert report.ok, report.problems
    m = report.manifest
    assert m["counts"]["concern"] == 1 and m["audit_head"]["seq"] > 0 and m["schema_version"]
    assert m["sha256"] and m["signature"]
    assert report.path.parent == tmp_path / "data-backups"
    assert report.path.stat().st_mode & 0o777 == 0o600
    # The backup is not plain SQLite and holds no readable text.
    raw = report.path.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"Dad hit me" not in raw
    assert backup.verify_backup(settings, report.path).ok
    _close()

    # A new machine: the backup key alone (copied beside the new data dir) restores it.
    other = Settings(data_dir=tmp_path / "new" / "data")
    other.data_dir.parent.mkdir()
    shutil.copy(keys.backup_key_path(settings), keys.backup_key_path(other))
    shutil.copy(keys.public_key_path(settings), keys.public_key_path(other))
    backup.restore(other, report.path)
    assert keys.database_is_encrypted(other)  # restored encrypted, with a new key file
    open_database(other, create=False)
    assert Concern.get_by_id(first.id).words == "Dad hit me with the belt"
    from kiosk.services import audit

    assert audit.verify().ok and audit.verify_records() == []
    _close()


@sqlite_only
def test_restore_refuses_live_data_unless_told_twice(settings, key_file, record, capsys):
    from kiosk.cli import main
    from kiosk.models.concerns import Concern
    from kiosk.schema import open_database
    from kiosk.services import backup

    record()
    report = backup.take_backup(settings)
    record()
    _close()
    d = ["--data-dir", str(settings.data_dir)]
    assert main(["restore", str(report.path), *d]) == 1
    err = capsys.readouterr().err
    assert "already holds a database" in err and err.count("\n") == 1
    assert main(["restore", str(report.path), "--overwrite", *d]) == 1
    assert main(["restore", str(report.path), "--overwrite", "--yes-overwrite-live-data", *d]) == 0
    open_database(settings, create=False)
    assert Concern.select().count() == 1
    # The live data it replaced was backed up first.
    backups = sorted(backup.backup_dir(settings).glob("*.kbackup"))
    assert len(backups) == 2
    _close()


@sqlite_only
def test_tampered_or_wrong_key_backups_fail_verify(settings, record, capsys):
    from kiosk import keys
    from kiosk.cli import main
    from kiosk.services import backup

    record()
    report = backup.take_backup(settings)
    _close()
    assert main(["backup", "verify", str(report.path), "--data-dir", str(settings.data_dir)]) == 0
    # A changed manifest (counts edited to hide a removal) is caught by hash/signature.
    mpath = backup.manifest_path(report.path)
    manifest = json.loads(mpath.read_text())
    manifest["counts"]["concern"] = 7
    mpath.write_text(json.dumps(manifest))
    assert main(["backup", "verify", str(report.path), "--data-dir", str(settings.data_dir)]) == 2
    err = capsys.readouterr().err
    assert "signature does not verify" in err and "counts differs" in err
    # Flipped bytes in the file itself.
    broken = report.path.with_name("broken.kbackup")
    data = bytearray(report.path.read_bytes())
    data[5000] ^= 0xFF
    broken.write_bytes(bytes(data))
    r = backup.verify_backup(settings, broken)
    assert not r.ok
    # The wrong backup key: one line.
    keys.backup_key_path(settings).write_text("ef" * 32 + "\n")
    assert main(["backup", "verify", str(report.path), "--data-dir", str(settings.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "cannot be opened with the backup key" in err and err.count("\n") == 1


def test_rotation_keeps_daily_weekly_monthly(tmp_path):
    from kiosk.services import backup

    start = datetime(2026, 1, 1, 1, 30)
    for day in range(400):  # one backup a night for 400 nights, some nights twice
        when = start + timedelta(days=day)
        for extra in ((0, 1) if day % 10 == 0 else (0,)):
            name = f"kiosk-{(when + timedelta(minutes=extra)).strftime('%Y%m%dT%H%M%S%fZ')}{backup.SUFFIX_SQLITE}"
            (tmp_path / name).write_bytes(b"x")
            backup.manifest_path(tmp_path / name).write_text("{}")
    (tmp_path / "notes.txt").write_text("left alone")
    backup.rotate(tmp_path, {"daily": 14, "weekly": 8, "monthly": 12})
    kept = sorted(p.name for p in tmp_path.glob("*" + backup.SUFFIX_SQLITE))
    stamps = [datetime.strptime(n[6:].split(".")[0], "%Y%m%dT%H%M%S%fZ") for n in kept]
    last = start + timedelta(days=399)
    assert len({s.date() for s in stamps if s > last - timedelta(days=14)}) == 14
    assert len({s.isocalendar()[:2] for s in stamps}) >= 8
    assert len({(s.year, s.month) for s in stamps}) == 12
    assert len(kept) <= 14 + 8 + 12 + 1
    assert (tmp_path / "notes.txt").exists()
    assert len(list(tmp_path.glob("*.manifest.json"))) == len(kept)
    # Two backups within the last day are both kept (the one `kiosk encrypt` took first).
    newest = max(stamps)
    (tmp_path / f"kiosk-{(newest + timedelta(hours=3)).strftime('%Y%m%dT%H%M%S%fZ')}{backup.SUFFIX_SQLITE}").write_bytes(b"x")
    backup.rotate(tmp_path)
    names = {p.name for p in tmp_path.glob("*" + backup.SUFFIX_SQLITE)}
    assert f"kiosk-{newest.strftime('%Y%m%dT%H%M%S%fZ')}{backup.SUFFIX_SQLITE}" in names


@pytest.mark.skipif(not TEST_DB_URL, reason="PostgreSQL backups need a server")
def test_postgres_backup_and_verify(settings, database, record):
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    from kiosk.services import backup

    record()
    report = backup.take_backup(settings)
    assert report.ok, report.problems
    assert backup.verify_backup(settings, report.path).ok


@sqlite_only
def test_restore_finds_everything_committed_before_a_backup_taken_under_eight_writers(tmp_path):
    """Eight writer processes (the bench's) record concerns and registers for a few seconds;
    a backup is taken in the middle. Every record a writer reported committed before the
    backup started is in the restored copy."""
    from kiosk.bench import modes
    from kiosk.config import Settings
    from kiosk.models.concerns import Concern
    from kiosk.models.early_help import EarlyHelpSession
    from kiosk.schema import open_database
    from kiosk.services import backup

    ws = modes.prepare(tmp_path / "data", None, pupils=120)
    seconds = 4.0
    procs = [subprocess.Popen(modes._worker_argv(ws, k, seconds, "lines"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=modes._env(), text=True)
             for k in range(8)]
    seen: list[tuple[float, str, int]] = []
    lock = threading.Lock()

    def reader(p):
        for line in p.stdout:
            kind, _, rest = line.strip().partition(" ")
            if kind in ("C", "R"):
                with lock:
                    seen.append((time.monotonic(), kind, int(rest)))

    threads = [threading.Thread(target=reader, args=(p,), daemon=True) for p in procs]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 40.0  # eight processes start (imports, open) slowly on two cores
        while time.monotonic() < deadline:
            with lock:
                if len(seen) >= 8:
                    break
            time.sleep(0.05)
        settings = Settings(data_dir=ws.data_dir)
        open_database(settings, create=False)
        with lock:
            started = time.monotonic()
            before = list(seen)
        report = backup.take_backup(settings)
        _close()
    finally:
        for p in procs:
            try:
                p.wait(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for t in threads:
            t.join(timeout=10)
    assert report.ok, report.problems
    assert all(p.returncode == 0 for p in procs)
    assert len(before) >= 8, "the writers were not busy when the backup started"
    assert any(t > started for t, _, _ in seen), "the writers went on during the backup"
    restored = Settings(data_dir=tmp_path / "restored" / "data")
    restored.data_dir.parent.mkdir()
    from kiosk import keys

    shutil.copy(keys.backup_key_path(settings), keys.backup_key_path(restored))
    backup.restore(restored, report.path)
    open_database(restored, create=False)
    concern_ids = [i for _, k, i in before if k == "C"]
    session_ids = [i for _, k, i in before if k == "R"]
    assert Concern.select().where(Concern.id.in_(concern_ids)).count() == len(concern_ids)
    assert EarlyHelpSession.select().where(EarlyHelpSession.id.in_(session_ids)).count() == len(session_ids)
    from kiosk.services import audit

    assert audit.verify().ok
    _close()


def test_pg_dump_never_gets_the_password_on_its_command_line():
    from kiosk.services.backup import _pg_target

    url, env = _pg_target("postgresql://kiosk:s%40cret@db.example:5432/school?sslmode=verify-full")
    assert url == "postgresql://kiosk@db.example:5432/school?sslmode=verify-full"
    assert env["PGPASSWORD"] == "s@cret"
    assert _pg_target("postgresql://kiosk@/school?host=/run/postgresql")[0] == \
        "postgresql://kiosk@/school?host=/run/postgresql"
