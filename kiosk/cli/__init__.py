"""The `kiosk` command. Subcommand handlers are imported only when chosen, so the
console itself starts without loading the admin, SSH or benchmark code; and `kiosk run`
(the default, also what `kiosk serve-ssh` starts for each session) is read without building
the parser of every command (`console_args`).

Every error a person can cause prints one line on stderr and exits non-zero.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from kiosk import __version__

def handler_for(command: str):
    """The function behind a command (it takes the parsed args and returns an exit code).

    Its module is imported only when that command runs, so `kiosk run` loads no backup or
    bench code; the imports are plain ones, so every dependency shows."""
    if command in ("run", "demo"):
        from kiosk.cli import console

        return {"run": console.run, "demo": console.demo}[command]
    if command in ("init", "users", "audit", "mail"):
        from kiosk.cli import admin

        return {"init": admin.init, "users": admin.users, "audit": admin.audit_cmd,
                "mail": admin.mail_cmd}[command]
    if command in ("backup", "restore", "encrypt", "rekey"):
        from kiosk.cli import data

        return {"backup": data.backup, "restore": data.restore, "encrypt": data.encrypt,
                "rekey": data.rekey}[command]
    if command == "serve-ssh":
        from kiosk.cli import ssh

        return ssh.serve
    if command == "bench":
        from kiosk.cli import bench

        return bench.bench
    if command == "pupils":
        from kiosk.cli import pupils

        return pupils.pupils
    if command == "transfer":
        from kiosk.cli import transfer

        return transfer.transfer_cmd
    raise KeyError(command)


# `kiosk run`'s options, each with a value: where it may stand (before the command, after it).
_RUN_VALUE_OPTIONS = {"--data-dir": "data_dir", "--db-url": "db_url", "--origin": "origin",
                      "--remote-user": "remote_user"}
_TOP_OPTIONS = ("--data-dir", "--db-url")


def console_args(argv: list[str]) -> SimpleNamespace | None:
    """`kiosk [--data-dir D] [--db-url U] [run [--data-dir D] [--db-url U] [--no-kiosk]
    [--origin O] [--remote-user R]]`, each option spelled out in full (`--opt value` or
    `--opt=value`): the arguments build_parser() would give for them. None for anything
    else, which build_parser() then reads (help, abbreviations, other commands, mistakes)."""
    values: dict[str, object] = {"data_dir": None, "db_url": None}
    command = None
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "run" and command is None:
            command = "run"
            values.update(no_kiosk=False, origin="terminal", remote_user=None)
            i += 1
            continue
        if command == "run" and token == "--no-kiosk":
            values["no_kiosk"] = True
            i += 1
            continue
        name, eq, value = token.partition("=")
        allowed = _RUN_VALUE_OPTIONS if command == "run" else _TOP_OPTIONS
        if name not in allowed:
            return None
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            if value.startswith("-"):  # argparse takes it for an option: leave it the error
                return None
            i += 1
        values[_RUN_VALUE_OPTIONS[name]] = value
        i += 1
    return SimpleNamespace(command=command, **values)


def build_parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="The DSL console: a safeguarding console for schools in England.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("--data-dir", help="data directory (default: KIOSK_DATA_DIR or the platform's user data dir)")
    parser.add_argument("--db-url", help="database URL, e.g. postgresql://... (default: KIOSK_DB_URL or SQLite in the data dir)")
    # The same options are accepted after the command too (`kiosk demo --data-dir X`);
    # SUPPRESS keeps a subcommand from overwriting what was given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--db-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add = sub.add_parser

    def add_parser(name, **kw):
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("run", help="run the console (the default)")
    p.add_argument("--no-kiosk", action="store_true", help="development: keep Textual's environment variables")
    # Set by `kiosk serve-ssh` for each remote session: the key already chose the user,
    # who must still give their console password; the origin goes into every audit event.
    p.add_argument("--origin", default="terminal", help=argparse.SUPPRESS)
    p.add_argument("--remote-user", default=None, help=argparse.SUPPRESS)

    p = sub.add_parser("demo", help="run the console on a fictional demo school")
    p.add_argument("--seed-only", action="store_true", help="create the demo data and print the logins, do not start the console")
    p.add_argument("--code", metavar="USERNAME",
                   help="print the current authenticator code of a demo account (no phone needed), then exit")
    p.add_argument("--pupils", type=int, default=200, help="number of demo pupils, 80 to 5000 (default 200)")

    p = sub.add_parser("init", help="create the data dir, the database and the first admin")
    p.add_argument("--admin", metavar="NAME", help="username of the first admin")
    p.add_argument("--full-name", default=None, help="full name of the first admin")
    p.add_argument("--password-stdin", action="store_true", help="read the admin password from standard input")
    p.add_argument("--profile", metavar="FILE", help="the school's profile (TOML), copied into the data dir")
    p.add_argument("--encrypt", action="store_true", help="encrypt the database (SQLCipher); the key file goes beside the data dir")
    p.add_argument("--passphrase", action="store_true", help="with --encrypt: a passphrase typed at each start instead of a key file")

    users = sub.add_parser("users", help="manage staff accounts").add_subparsers(dest="users_command", metavar="ACTION")
    users.required = True
    _add_user_parser = users.add_parser
    users.add_parser = lambda name, **kw: _add_user_parser(name, parents=[common], **kw)  # type: ignore[method-assign]
    p = users.add_parser("add", help="add an account")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, help="a role (repeat for several)")
    p.add_argument("--full-name", required=True)
    p.add_argument("--email", default=None, help="where notices of new alerts are e-mailed (optional)")
    p.add_argument("--password-stdin", action="store_true")
    users.add_parser("list", help="list accounts")
    p = users.add_parser("import", help="add accounts in bulk from a CSV (username, full name, roles, e-mail)")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="show what would be created; change nothing")
    p = users.add_parser("set-email", help="set or clear where an account's alert notices are e-mailed")
    p.add_argument("name")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("email", nargs="?", default=None, help="a plain address, e.g. j.smith@school.example")
    group.add_argument("--clear", action="store_true", help="send this account no e-mail")
    p = users.add_parser("reset-password", help="set a temporary password (changed at next login)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    p.add_argument("--clear-2fa", action="store_true",
                   help="also ask for the authenticator to be cleared (the headteacher or DSL confirms)")
    p = users.add_parser("reset-2fa", help="lost phone: ask for the authenticator to be cleared "
                                            "(takes effect when the headteacher or DSL confirms)")
    p.add_argument("name")
    p = users.add_parser("unlock", help="clear a lockout")
    p.add_argument("name")
    p = users.add_parser("deactivate", help="deactivate an account (never deleted)")
    p.add_argument("name")
    p = users.add_parser("reactivate", help="reactivate an account")
    p.add_argument("name")
    p = users.add_parser("set-roles", help="replace an account's roles")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True)
    p = users.add_parser("add-key", help="register an SSH public key for remote access")
    p.add_argument("name")
    p.add_argument("file", help="public key file (OpenSSH format)")
    p = users.add_parser("list-keys", help="list a user's SSH public keys")
    p.add_argument("name")
    p.add_argument("--all", action="store_true", help="include removed keys")
    p = users.add_parser("remove-key", help="remove an SSH public key")
    p.add_argument("name")
    p.add_argument("fingerprint")

    pupils = sub.add_parser("pupils", help="the roll from the school's MIS").add_subparsers(dest="pupils_command", metavar="ACTION")
    pupils.required = True
    p = pupils.add_parser("import", parents=[common], help="import pupils from a CTF (XML) or a CSV export")
    p.add_argument("file", help="a CTF 24 or 25 XML file, or a CSV export from SIMS, Arbor, Bromcom or Wonde")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--full-roll", action="store_true", help="the file is the whole roll: pupils missing from it are marked as left")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD", help="read a CSV column as a field (upn, first_name, last_name, dob, year, form, ...)")
    p.add_argument("--all", action="store_true", help="list every row in each section (default: the first 50)")

    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", metavar="ACTION")
    audit.required = True
    p = audit.add_parser("verify", help="check the whole hash chain, the records and the signed checkpoints", parents=[common])
    p.add_argument("--checkpoints", metavar="FILE", help="the checkpoint log to check against (default: the one beside the data dir)")
    p.add_argument("--public-key", metavar="FILE", help="the checkpoint public key (default: the one beside the data dir)")

    p = sub.add_parser("backup", help="take an encrypted, verified backup (or: backup verify FILE)")
    p.add_argument("action", nargs="?", choices=["verify"], help="verify: check a backup file")
    p.add_argument("file", nargs="?", help="the backup file (with verify)")
    p.add_argument("--to", metavar="DIR", help="where to write it (default: backup_dir, or <data dir>-backups)")
    p.add_argument("--no-rotate", action="store_true", help="keep every older backup")

    p = sub.add_parser("restore", help="restore a backup into an empty data dir")
    p.add_argument("file")
    p.add_argument("--overwrite", action="store_true", help="replace the database in the data dir")
    p.add_argument("--yes-overwrite-live-data", action="store_true", help="confirm --overwrite (both are needed)")
    p.add_argument("--plain", action="store_true", help="restore unencrypted (default: encrypted with the key file beside the data dir)")

    p = sub.add_parser("encrypt", help="encrypt an existing plain SQLite database in place (after a verified backup)")
    p.add_argument("--passphrase", action="store_true", help="a passphrase typed at each start instead of a key file")

    sub.add_parser("rekey", help="give the encrypted database a new key file")
    mail = sub.add_parser("mail", help="e-mail notices of new alerts").add_subparsers(dest="mail_command", metavar="ACTION")
    mail.required = True
    mail.add_parser("send-pending", help="send the notices that are due (run it from a timer)", parents=[common])

    tr = sub.add_parser("transfer", help="child protection files between schools").add_subparsers(
        dest="transfer_command", metavar="ACTION")
    tr.required = True
    p = tr.add_parser("receive", help="import a child protection file bundle from another school", parents=[common])
    p.add_argument("file")
    p.add_argument("--user", required=True, help="your console username (DSL or deputy)")
    p.add_argument("--sender-key", default=None, help="the sending school's key fingerprint, as their DSL gave it")
    p.add_argument("--accept-school-name", action="store_true",
                   help="accept a bundle addressed to this school under another spelling")
    p.add_argument("--passwords-stdin", action="store_true",
                   help="read your console password, then the file's password, from standard input")
    p = tr.add_parser("ack", help="record the receipt the receiving school sent back", parents=[common])
    p.add_argument("code", nargs="?", help="the receipt code the receiving DSL read out")
    p.add_argument("--receipt", metavar="FILE", help="the receipt file instead of the code")
    p.add_argument("--received-by", default=None, help="who received it at the new school")
    p.add_argument("--transfer", type=int, default=None, help="the transfer's number (found from the code if omitted)")
    p.add_argument("--user", required=True)
    p.add_argument("--passwords-stdin", action="store_true")
    tr.add_parser("key", help="this school's signing key fingerprint (give it with the password)", parents=[common])
    p = tr.add_parser("list", help="transfers and their states", parents=[common])
    p.add_argument("--user", required=True)
    p.add_argument("--passwords-stdin", action="store_true")

    p = sub.add_parser("serve-ssh", help="serve the console to remote deputies over SSH")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2222)

    p = sub.add_parser("bench", help="build a synthetic school and time every screen's query")
    p.add_argument("--pupils", type=int, default=2000)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--quick", action="store_true", help="a small dataset, for a smoke test")
    p.add_argument("--concurrency", action="store_true", help="run the 8-process concurrency mode")
    p.add_argument("--crash", action="store_true", help="run the kill -9 crash-safety mode")
    p.add_argument("--encrypted", action="store_true", help="also run on an encrypted (SQLCipher) copy and report the cost")
    p.add_argument("--memory", action="store_true", help="one console on a PTY through a scripted hour of use "
                   "(every role signs in and out, every screen): its resident memory")
    p.add_argument("--rounds", type=int, metavar="N", help="with --memory: N rounds instead of six "
                   "(two with --quick); one round is a short measurement (~8 minutes)")
    return parser


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # whatever we create (data dir, WAL files, keys) is owner-only
    args = console_args(sys.argv[1:] if argv is None else list(argv))
    if args is None:
        args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "run" and not hasattr(args, "no_kiosk"):
        args.no_kiosk, args.origin, args.remote_user = False, "terminal", None
    from kiosk.errors import KioskError

    try:
        handler = handler_for(command)
        if command == "run":
            from kiosk.cli.console import start_up

            start_up(args)
            # The console opens the database itself, after its login screen is drawn, and
            # translates the driver's errors there (kiosk.cli.console.open_records).
            return int(handler(args) or 0)
        from kiosk.db import close_pool, translate_errors

        try:
            with translate_errors():
                return int(handler(args) or 0)
        finally:
            with translate_errors():
                close_pool()  # PostgreSQL: the command's pooled connections (an SSH server's too)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        from kiosk.rules.profile import ProfileError

        if not isinstance(exc, ProfileError):
            raise
        # The console never starts on a half-valid profile.
        print(f"kiosk: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
