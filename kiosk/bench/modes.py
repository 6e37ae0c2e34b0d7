"""The concurrency and crash-safety modes of `kiosk bench` (also used by tests/scale).

concurrency(): N writer processes record concerns and take 30-pupil registers at once
for S seconds. Passed when no error reached a user (no worker error, every worker exited
cleanly), no write was lost (every id a worker saw committed is in the database, and the
database holds no more and no fewer of the workers' rows than they reported), and the
audit trail verifies with exactly one event per write.

crash(): a writer is killed with SIGKILL in the middle of its writes, K times over.
Passed when the database passes PRAGMA integrity_check (SQLite), every record the
writer reported committed before it died is there, and the audit trail verifies.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.bench import Scale


@dataclass
class Workspace:
    data_dir: Path
    db_url: str | None
    staff: list[int]
    pastoral: list[int]
    pupils: list[int]
    offer: str


def prepare(data_dir: Path, db_url: str | None, pupils: int = 300) -> Workspace:
    """A small school (bench dataset, quick scale) to write into."""
    from kiosk.bench import dataset
    from kiosk.bench.runner import open_bench_database
    from kiosk.models import UserRole

    open_bench_database(data_dir, db_url)
    ds = dataset.build(Scale.for_school(pupils, 1, quick=True))
    staff = [r.user_id for r in UserRole.select().where(UserRole.role == "staff").order_by(UserRole.user)]
    pastoral = [r.user_id for r in UserRole.select().where(UserRole.role == "pastoral").order_by(UserRole.user)]
    from kiosk.db import db

    db.close()
    return Workspace(data_dir, db_url, staff, pastoral, ds.register_pupil_ids, ds.register_offer_key)


def _worker_argv(ws: Workspace, k: int, seconds: float, report: str) -> list[str]:
    argv = [sys.executable, "-m", "kiosk.bench.worker", "--data-dir", str(ws.data_dir),
            "--staff", str(ws.staff[k % len(ws.staff)]), "--pastoral", str(ws.pastoral[k % len(ws.pastoral)]),
            "--pupils", ",".join(map(str, ws.pupils)), "--offer", ws.offer, "--name", f"w{k}",
            "--seconds", str(seconds), "--report", report]
    if ws.db_url:
        argv += ["--db-url", ws.db_url]
    return argv


def _env() -> dict:
    env = dict(os.environ)
    env.pop("KIOSK_DB_URL", None)
    return env


def _reopen(ws: Workspace) -> None:
    from kiosk.config import Settings
    from kiosk.schema import open_database

    open_database(Settings(data_dir=ws.data_dir, db_url=ws.db_url), create=False)


def integrity() -> str:
    from kiosk.db import db, is_sqlite

    if not is_sqlite():
        return "n/a (PostgreSQL)"
    rows = db.execute_sql("PRAGMA integrity_check").fetchall()
    return ", ".join(r[0] for r in rows)


@dataclass
class ModeResult:
    passed: bool
    summary: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"passed": self.passed, "summary": self.summary, **self.details}


def concurrency(ws: Workspace, processes: int = 8, seconds: float = 30.0) -> ModeResult:
    from kiosk.models import AuditEvent
    from kiosk.models.concerns import Concern
    from kiosk.services import audit

    _reopen(ws)
    before_concerns = Concern.select().count()
    before_events = AuditEvent.select().count()
    from kiosk.db import db

    db.close()
    procs = [subprocess.Popen(_worker_argv(ws, k, seconds, "json"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=_env(), text=True)
             for k in range(processes)]
    reports, problems = [], []
    for k, p in enumerate(procs):
        try:
            out, err = p.communicate(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            problems.append(f"worker {k} hung and was killed")
        if p.returncode != 0:
            problems.append(f"worker {k} failed (exit {p.returncode}): {err.strip().splitlines()[-1:] or ''}")
            continue
        try:
            reports.append(json.loads(out.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            problems.append(f"worker {k} gave no report")
    concern_ids = [c for r in reports for c in r["concerns"]]
    session_ids = [s for r in reports for s in r["registers"]]
    errors = [e for r in reports for e in r["errors"]]
    _reopen(ws)
    from kiosk.models.early_help import EarlyHelpAttendance, EarlyHelpSession

    found_concerns = Concern.select().where(Concern.id.in_(concern_ids)).count() if concern_ids else 0
    new_concerns = Concern.select().count() - before_concerns
    found_sessions = (EarlyHelpSession.select().where(EarlyHelpSession.id.in_(session_ids)).count()
                      if session_ids else 0)
    marks = (EarlyHelpAttendance.select().where(EarlyHelpAttendance.session.in_(session_ids)).count()
             if session_ids else 0)
    new_events = AuditEvent.select().count() - before_events
    writes = len(concern_ids) + len(session_ids)
    verified = audit.verify()
    check = integrity()
    if errors:
        problems.append(f"{len(errors)} errors reached a user, e.g. {errors[0]}")
    if found_concerns != len(concern_ids) or new_concerns != len(concern_ids):
        problems.append(f"concerns: workers committed {len(concern_ids)}, found {found_concerns} of them, "
                        f"{new_concerns} new in all")
    if found_sessions != len(session_ids) or marks != 30 * len(session_ids) and len(ws.pupils) == 30:
        problems.append(f"registers: {len(session_ids)} committed, {found_sessions} found, {marks} marks")
    if new_events < writes:
        problems.append(f"audit: {new_events} new events for {writes} writes")
    if not verified.ok:
        problems.append(f"audit verify: {verified.problem}")
    if check not in ("ok", "n/a (PostgreSQL)"):
        problems.append(f"integrity_check: {check}")
    summary = (f"{processes} processes x {seconds:g} s: {len(concern_ids)} concerns and "
               f"{len(session_ids)} registers ({marks} marks) committed, all found; "
               f"{len(errors)} errors reached a user; audit verify {'ok' if verified.ok else 'FAILED'} "
               f"({verified.checked:,} events); integrity {check}")
    if problems:
        summary = "; ".join(problems)
    db.close()
    return ModeResult(not problems, summary, {
        "processes": processes, "seconds": seconds, "concerns": len(concern_ids),
        "registers": len(session_ids), "marks": marks, "errors": errors[:20],
        "writes_per_second": round(writes / seconds, 1), "problems": problems,
    })


def check_committed(ws: Workspace, concern_ids, session_ids) -> list[str]:
    """Problems if any concern or register reported committed is not in the bound database."""
    from kiosk.models.concerns import Concern
    from kiosk.models.early_help import EarlyHelpSession

    concern_ids, session_ids = set(concern_ids), set(session_ids)
    found = Concern.select().where(Concern.id.in_(list(concern_ids))).count() if concern_ids else 0
    found_s = (EarlyHelpSession.select().where(EarlyHelpSession.id.in_(list(session_ids))).count()
               if session_ids else 0)
    problems = []
    if found != len(concern_ids):
        problems.append(f"{len(concern_ids) - found} committed concerns lost")
    if found_s != len(session_ids):
        problems.append(f"{len(session_ids) - found_s} committed registers lost")
    return problems


def crash(ws: Workspace, kills: int = 50, seed: int = 9, max_delay: float = 0.4) -> ModeResult:
    """Kill a writer with SIGKILL mid-write `kills` times; check nothing committed is lost."""
    from kiosk.services import audit

    rng = random.Random(seed)
    committed_concerns: list[int] = []
    committed_sessions: list[int] = []
    problems: list[str] = []
    killed = 0
    for i in range(kills):
        proc = subprocess.Popen(_worker_argv(ws, i, 120.0, "lines"), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=_env())
        try:
            buf = b""
            first = None
            deadline = time.monotonic() + 60
            kill_at = None
            while True:
                now = time.monotonic()
                if now > deadline:
                    problems.append(f"round {i}: the writer committed nothing within 60 s")
                    break
                if kill_at is not None and now >= kill_at:
                    break
                wait = 0.5 if kill_at is None else max(0.0, kill_at - now)
                ready, _, _ = select.select([proc.stdout], [], [], wait)
                if ready:
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    buf += chunk
                    if first is None and b"\n" in buf:
                        first = now
                        kill_at = now + rng.uniform(0.0, max_delay)
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
            proc.wait(timeout=10)
            buf += proc.stdout.read() or b""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            proc.stdout.close()
        for line in buf.decode(errors="replace").splitlines():
            kind, _, value = line.partition(" ")
            if kind == "C" and value.isdigit():
                committed_concerns.append(int(value))
            elif kind == "R" and value.isdigit():
                committed_sessions.append(int(value))
            elif kind == "E":
                problems.append(f"round {i}: an error reached the writer: {value}")
    _reopen(ws)
    check = integrity()
    problems += check_committed(ws, committed_concerns, committed_sessions)
    verified = audit.verify()
    if check not in ("ok", "n/a (PostgreSQL)"):
        problems.append(f"integrity_check: {check}")
    if not verified.ok:
        problems.append(f"audit verify: {verified.problem}")
    summary = (f"{killed} kill -9 mid-write: integrity {check}; {len(committed_concerns)} concerns and "
               f"{len(committed_sessions)} registers reported committed, all present; audit verify "
               f"{'ok' if verified.ok else 'FAILED'} ({verified.checked:,} events)")
    if problems:
        summary = "; ".join(problems[:5])
    from kiosk.db import db

    db.close()
    return ModeResult(not problems, summary, {
        "kills": killed, "concerns": len(committed_concerns), "registers": len(committed_sessions),
        "integrity": check, "problems": problems[:20], "concern_ids": committed_concerns,
        "session_ids": committed_sessions,
    })
