"""Run the whole bench: build the school, time each screen's operation, start-up and memory.

Speed targets that are missed are named in the report with a profile of what dominates
them (the top functions by own time, or the slowest imports for start-up); they do not
make the command fail. Errors do (an operation that raises, a database that cannot be
reached or is not empty).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk import bench
from kiosk.bench import Scale, report as rep
from kiosk.config import Settings
from kiosk.errors import DatabaseError


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def open_bench_database(data_dir: Path, db_url: str | None) -> Settings:
    """Bind a fresh database for the bench: a new SQLite file, or an EMPTY server database."""
    from kiosk.schema import open_database

    settings = Settings(data_dir=data_dir, db_url=db_url)
    open_database(settings, create=True)
    from kiosk.models import AuditEvent, User

    if db_url and (User.select().exists() or AuditEvent.select().exists()):
        raise DatabaseError("the database at --db-url already holds accounts or records; the bench "
                            "fills a database of its own, so give it an empty one")
    return settings


def _area(filename: str, func: str) -> str:
    if "peewee" in filename or "playhouse" in filename:
        return "peewee (building SQL, wrapping rows)"
    if filename == "~" and ("sqlite3" in func or "psycopg2" in func or "cursor" in func.lower()):
        return "database driver (execute, fetch)"
    if "/kiosk/" in filename:
        return "kiosk code"
    if "json" in filename or "hashlib" in func or "sha256" in func or "encode" in func:
        return "hashing and JSON"
    return "Python and the standard library"


def profile_top(fn, runs: int = 3, top: int = 3) -> list[str]:
    """What dominates an operation: own time by area (peewee, driver, kiosk, ...), then the
    heaviest functions, over a few profiled runs."""
    prof = cProfile.Profile()
    for i in range(runs):
        prof.runcall(fn, 10_000 + i)
    stats = pstats.Stats(prof, stream=io.StringIO())
    entries = stats.stats.items()  # type: ignore[attr-defined]
    total = sum(v[2] for _, v in entries) or 1e-9
    areas: dict[str, float] = {}
    for (filename, _line, func), (_cc, _calls, tottime, _cum, _callers) in entries:
        key = _area(filename, func)
        areas[key] = areas.get(key, 0.0) + tottime
    out = [f"{100 * t / total:.0f}% {name}" for name, t in sorted(areas.items(), key=lambda kv: -kv[1])]
    rows = sorted(entries, key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, line, func), (_cc, calls, tottime, _cum, _callers) in rows:
        where = re.sub(r".*/(site-packages|kiosk)/", r"\1/", filename) if "/" in filename else filename
        out.append(f"top function {func} ({where}:{line}) {100 * tottime / total:.0f}%, {calls} calls")
    return out


def import_profile(top: int = 6) -> list[str]:
    """The heaviest imports (with what they import) on the console's way to its login screen."""
    # What `kiosk run` imports before its login screen (tests/console/test_startup_imports.py);
    # the database layer and, when the school's name is remembered, the profile come after it.
    code = ("import kiosk.cli, kiosk.cli.console, kiosk.cli.common, kiosk.keys, kiosk.memory, "
            "kiosk.school_name, kiosk.app, kiosk.screens.session.login")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                          text=True, timeout=120)
    rows = []
    total = 0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        depth = (len(m.group(3)) - 1) // 2
        cum = int(m.group(2))
        if depth == 0:
            total += cum
        if depth <= 2 and m.group(4).split(".")[0] in ("kiosk", "textual", "peewee", "holidays", "rich",
                                                         "playhouse", "psycopg2", "argon2"):
            rows.append((cum, m.group(4)))
    rows.sort(reverse=True)
    seen, out = set(), [f"all imports {total / 1000:.0f} ms"]
    for cum, name in rows:
        if name in seen:
            continue
        seen.add(name)
        out.append(f"{name} {cum / 1000:.0f} ms")
        if len(out) > top:
            break
    return out


def run(scale: Scale, db_url: str | None = None, startup: bool = True, keep: bool = False,
        profile_misses: bool = True, encrypted: bool = False) -> dict:
    from kiosk.bench import dataset, ops as opmod, startup as st, timing

    workdir = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    data_dir = workdir / "data"
    backend = "PostgreSQL" if db_url else ("SQLCipher (WAL, encrypted)" if encrypted else "SQLite (WAL)")
    report: dict = {"machine": rep.machine(backend), "operations": [], "misses": []}
    try:
        if encrypted and not db_url:
            from kiosk import keys

            data_dir.mkdir(mode=0o700)
            keys.write_key_file(keys.db_key_path(Settings(data_dir=data_dir)))
        open_bench_database(data_dir, db_url)
        say(f"building the synthetic school in {db_url and 'the --db-url database' or data_dir} ...")
        t = time.perf_counter()
        ds = dataset.build(scale, progress=lambda text: say(f"  {text}"))
        build_s = time.perf_counter() - t
        report["dataset"] = {
            "description": (f"{scale.pupils:,} pupils, {scale.years} years: {ds.counts.get('concern', 0):,} "
                            f"concerns, {ds.counts.get('concern_action', 0):,} actions, "
                            f"{ds.counts.get('early_help_attendance', 0):,} early-help attendances, "
                            f"{ds.counts.get('adult_concern', 0):,} concerns about adults, "
                            f"{ds.counts.get('audit_event', 0):,} audit events"),
            "scale": scale.__dict__, "counts": ds.counts, "build_seconds": round(build_s, 1),
            "step_seconds": ds.seconds, "skipped": ds.skipped,
            "largest_pupil_entries": ds.largest_pupil_entries,
        }
        say(f"built in {build_s:.1f} s; timing each screen's operation ...")
        for op in opmod.operations(ds):
            result = timing.measure(op)
            row = result.as_dict()
            if result.passed is False and not result.note and profile_misses:
                try:
                    slow = (result.median_ms or 0) > 2000
                    row["profile"] = profile_top(op.service, runs=1 if slow else 3)
                except Exception as exc:  # the miss is still reported
                    row["profile"] = [f"(profiling failed: {exc})"]
            if result.passed is False:
                why = result.note or (f"median {result.median_ms} ms"
                                      + (f", {result.ratio}x raw SQL" if result.ratio is not None else "")
                                      + f" (target {result.target})")
                report["misses"].append(f"{op.name}: {why}"
                                        + (("; profile: " + "; ".join(row["profile"]))
                                           if row.get("profile") else ""))
            if result.note.startswith("missing"):
                report["misses"].append(f"{op.name}: {result.note}")
            report["operations"].append(row)
            say(f"  {op.name}: {result.median_ms} ms (raw {result.raw_median_ms} ms) {result.note}")
        if startup:
            say("measuring start-up to the login screen and resident memory ...")
            try:
                s = st.measure(str(data_dir), db_url)
                part = dict(s.__dict__, ratio_target=bench.STARTUP_RATIO, rss_target_mib=bench.RSS_MIB)
                part["passed"] = s.ratio <= bench.STARTUP_RATIO
                part["rss_passed"] = s.console_rss_mib is not None and s.console_rss_mib < bench.RSS_MIB
                part["method"] = ("fresh process on an 80x24 PTY, spawn to the first screen showing "
                                  "'Password', median of alternating runs")
                if not part["passed"] and profile_misses:
                    part["profile"] = import_profile()
                    report["misses"].append(
                        f"start-up: {s.console_ms:.0f} ms = {s.ratio:.2f}x the minimal app "
                        f"(target {bench.STARTUP_RATIO}x); imports (with what they import): "
                        + "; ".join(part["profile"]) + "; the rest is the login screen's widgets, its CSS and "
                        "the first paint (the database opens after it)")
                if not part["rss_passed"]:
                    report["misses"].append(f"resident memory: {s.console_rss_mib} MiB (target < {bench.RSS_MIB:g})")
            except Exception as exc:
                part = {"error": f"{type(exc).__name__}: {exc}"[:300], "passed": False}
                report["misses"].append(f"start-up: {part['error']}")
            report["startup"] = part
    finally:
        from kiosk.db import db

        if db.obj is not None and not db.obj.is_closed():
            db.obj.close()
        if keep:
            say(f"kept the bench data in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["errors"] = [o["name"] for o in report["operations"] if o["note"].startswith("error")]
    return report
