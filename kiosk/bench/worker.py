"""A writer process for the concurrency and crash modes: `python -m kiosk.bench.worker`.

It opens the bench database like a console does, then records concerns and takes
early-help registers through the real services, back to back, until its time is up.

- `--report json` (concurrency): at the end, one JSON line with the ids it saw committed
  and every error that would have reached a person.
- `--report lines` (crash): after each commit, a line `C <concern id>` or
  `R <session id>`, flushed at once, so whoever kills it knows what was committed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
import time
import uuid
from datetime import timedelta


def _actor(user_id: int):
    from kiosk.models import User
    from kiosk.services.accounts import actor_for

    return actor_for(User.get_by_id(user_id), "terminal")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.bench.worker")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--db-url")
    parser.add_argument("--staff", type=int, required=True, help="user id that records concerns")
    parser.add_argument("--pastoral", type=int, required=True, help="user id that takes registers")
    parser.add_argument("--pupils", required=True, help="comma-separated pupil ids for registers")
    parser.add_argument("--offer", default="", help="offer key for registers ('' = none)")
    parser.add_argument("--name", required=True, help="this worker's name (session labels)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--report", choices=("json", "lines"), default="json")
    args = parser.parse_args(argv)

    from kiosk.clock import today
    from kiosk.config import Settings
    from kiosk.errors import KioskError
    from kiosk.schema import open_database

    open_database(Settings(data_dir=Path(args.data_dir), db_url=args.db_url),
                  create=False)
    from kiosk.services import concerns

    try:
        from kiosk.services import early_help
    except ImportError:  # pragma: no cover - early help not in this build
        early_help = None
    staff, pastoral = _actor(args.staff), _actor(args.pastoral)
    pupils = [int(p) for p in args.pupils.split(",") if p]
    category = concerns.categories(staff)[0].key
    done: dict[str, list] = {"concerns": [], "registers": [], "errors": []}
    lines = args.report == "lines"
    deadline = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        try:
            if n % 2 or early_help is None or not args.offer:
                r = concerns.record_concern(
                    staff, token=uuid.uuid4().hex, pupils=[(pupils[n % len(pupils)], "subject")],
                    occurred_on=today() - timedelta(days=n % 3), source="noticed",
                    categories=[category], description=f"{args.name} concern {n}: bruise on the arm.",
                    why_concern="Unexplained injury.")
                done["concerns"].append(r.id)
                if lines:
                    print(f"C {r.id}", flush=True)
            else:
                spec = early_help.SessionSpec(args.offer, today(), f"{args.name} {n}")
                r = early_help.take_register(pastoral, spec, {p: (p + n) % 5 != 0 for p in pupils})
                done["registers"].append(r.session_id)
                if lines:
                    print(f"R {r.session_id}", flush=True)
        except KioskError as exc:  # what a person at a terminal would have been shown
            done["errors"].append(f"{type(exc).__name__}: {exc}")
            if lines:
                print(f"E {type(exc).__name__}: {exc}", flush=True)
    if not lines:
        print(json.dumps(done), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
