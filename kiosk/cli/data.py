"""Data protection commands: backup, backup verify, restore, encrypt, rekey."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.cli.common import open_db, settings_from


def _print_report(report) -> None:
    m = report.manifest
    head = m.get("audit_head", {})
    counts = m.get("counts", {})
    print(f"backup: {report.path}")
    if m:
        print(f"  taken {m.get('taken_at', '?')}, schema {m.get('schema_version')}, "
              f"audit head event {head.get('seq')}, {counts.get('concern', '?')} concerns, "
              f"{counts.get('audit_event', '?')} audit events")
        print(f"  sha256 {m.get('sha256', '?')}")
    for problem in report.problems:
        print(f"  PROBLEM: {problem}", file=sys.stderr)


def backup(args) -> int:
    from kiosk.services import backup as bk

    settings = settings_from(args)
    if args.action == "verify":
        if not args.file:
            from kiosk.errors import ValidationError

            raise ValidationError("FILE", "give the backup file to verify")
        report = bk.verify_backup(settings, Path(args.file))
        _print_report(report)
        print("backup verified: opens with the backup key, integrity ok, audit chain intact"
              if report.ok else "kiosk: the backup did NOT verify", file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 2
    settings = open_db(args)
    report = bk.take_backup(settings, Path(args.to) if args.to else None)
    _print_report(report)
    if not report.ok:
        print("kiosk: the backup was written but did NOT verify; keep the previous ones", file=sys.stderr)
        return 2
    print("backup verified after writing")
    if not args.no_rotate:
        keep = {k: settings.extra[f"backup_keep_{k}"] for k in ("daily", "weekly", "monthly")
                if f"backup_keep_{k}" in settings.extra}
        removed = bk.rotate(report.path.parent, keep)
        if removed:
            print(f"rotation removed {len(removed)} older backup(s)")
    return 0


def restore(args) -> int:
    from kiosk.services import backup as bk

    settings = settings_from(args)
    report = bk.restore(settings, Path(args.file), overwrite=args.overwrite,
                        confirmed=args.yes_overwrite_live_data, encrypt=False if args.plain else None)
    _print_report(report)
    print(f"restored into {settings.data_dir}")
    return 0


def encrypt(args) -> int:
    from kiosk.services import backup as bk

    settings = settings_from(args)
    passphrase = new_passphrase() if args.passphrase else None
    report, path = bk.encrypt_in_place(settings, passphrase)
    print(f"verified backup first: {report.path}")
    from kiosk import keys

    where = "a typed passphrase" if passphrase else f"the key file {keys.db_key_path(settings)}"
    print(f"{path} is now encrypted with {where}")
    return 0


def rekey(args) -> int:
    from kiosk.services import backup as bk

    settings = settings_from(args)
    path = bk.rekey(settings)
    print(f"the database has a new key: {path} (the old key no longer opens it)")
    return 0


def new_passphrase() -> str:
    from kiosk.cli.common import read_password
    from kiosk.errors import ValidationError

    text = read_password(False, "New database passphrase (16+ characters): ")
    if len(text) < 16:
        raise ValidationError("passphrase", "use at least 16 characters (a few words)")
    return text
