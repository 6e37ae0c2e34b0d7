"""`kiosk transfer receive FILE` and `kiosk transfer ack CODE|--receipt FILE`.

These act on case records, so the shell's admin identity is not enough: the DSL (or a
deputy) names themself with `--user` and gives their console password; the command then
runs as them, audited with the shell as its origin. Passwords come from the terminal, or
with `--passwords-stdin` from standard input (first line the console password, second
line the bundle's password).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from kiosk.cli.common import open_db
from kiosk.errors import ValidationError


def _lines(args, n: int) -> list[str]:
    if args.passwords_stdin:
        out = [sys.stdin.readline().rstrip("\r\n") for _ in range(n)]
        if not all(out):
            raise ValidationError("passwords", f"give {n} line(s) on standard input")
        return out
    if not sys.stdin.isatty():
        raise ValidationError("password", "no terminal to ask on; use --passwords-stdin")
    prompts = ["Your console password: ", "The file's password (from the sending DSL): "]
    return [getpass.getpass(p) for p in prompts[:n]]


def _actor(args, console_password: str):
    from kiosk.services import accounts

    origin = f"shell:{getpass.getuser()}@{os.uname().nodename}"
    return accounts.authenticate(args.user, console_password, origin=origin).actor


def _profile(settings):
    from kiosk.rules import load_profile

    return load_profile(settings.profile_path)


def transfer_cmd(args) -> int:
    settings = open_db(args)
    profile = _profile(settings)
    from kiosk.services import transfers

    if args.transfer_command == "receive":
        path = Path(args.file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError("file", f"{path}: cannot be read ({exc.strerror})") from None
        console_pw, bundle_pw = _lines(args, 2)
        actor = _actor(args, console_pw)
        got = transfers.receive(actor, settings, profile, data, bundle_pw,
                                expect_fingerprint=args.sender_key, accept_other_name=args.accept_school_name)
        from kiosk.exports import files

        receipt = files.write_export(files.export_dir(settings), f"receipt-{got.id}", ".json",
                                     transfers.receipt_file(got))
        verb = "was already received" if got.duplicate else "received"
        print(f"{verb}: child protection file from {got.from_school} for {got.pupil_name}"
              f" ({'created as joining' if got.pupil_created else 'matched by UPN'}; {got.records} records)")
        print(f"sending school's key: {got.fingerprint} (check it with their DSL)")
        print(f"receipt code to give the sending DSL: {got.receipt_code}")
        print(f"receipt file: {receipt.path}")
        return 0
    if args.transfer_command == "ack":
        code = args.code
        if args.receipt:
            try:
                doc = json.loads(Path(args.receipt).read_text("utf-8"))
                code = doc["receipt_code"]
                received_by = args.received_by or str(doc.get("received_by", ""))
            except (OSError, ValueError, KeyError, TypeError):
                raise ValidationError("receipt", f"{args.receipt}: not a receipt file") from None
        else:
            received_by = args.received_by
        if not code:
            raise ValidationError("code", "give the receipt code or --receipt FILE")
        if not received_by:
            raise ValidationError("received by", "give --received-by NAME (the receiving DSL)")
        (console_pw,) = _lines(args, 1)
        actor = _actor(args, console_pw)
        tid = args.transfer or transfers.find_transfer_for_code(actor, code)
        if tid is None:
            raise ValidationError("receipt code", "matches no transfer awaiting a receipt")
        done = transfers.record_ack(actor, tid, code, received_by=received_by, profile=profile)
        print(f"recorded: the file for {done.pupil_name} was received by {done.received_by_name} "
              f"at {done.destination_school} on {done.received_on:%d %b %Y}")
        return 0
    if args.transfer_command == "list":
        (console_pw,) = _lines(args, 1)
        actor = _actor(args, console_pw)
        for v in transfers.transfers(actor, profile):
            print(f"{v.id:>4}  {v.state:<12} {v.countdown:<34} {v.pupil_name} -> {v.destination_school}")
        return 0
    raise ValidationError("transfer", "unknown action")
