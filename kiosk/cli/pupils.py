"""`kiosk pupils import FILE`: the roll from the school's MIS (CTF XML or a CSV export)."""

from __future__ import annotations

import sys

from kiosk.cli.common import open_db
from kiosk.imports.roll_csv import parse_map
from kiosk.services.actor import shell_actor


def pupils(args) -> int:
    from kiosk.services import roll_import

    mapping = parse_map(args.map)
    data, name = roll_import.read_file(args.file)  # a bad file is refused before the database opens
    open_db(args)
    progress = None
    if sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            print(f"\r  writing {done}/{total}", end="" if done < total else "\n", file=sys.stderr)
    result = roll_import.run_import(shell_actor(), data, name, full_roll=args.full_roll,
                                    mapping=mapping, dry_run=args.dry_run, progress=progress)
    for line in roll_import.describe(result.plan, result.written, limit=None if args.all else 50):
        print(line)
    if args.dry_run and result.plan.changes_anything:
        print("Run again without --dry-run to import.")
    return 0
