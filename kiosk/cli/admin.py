"""Admin commands run from the shell: init, users, audit verify. Each is audited as
done from the shell, with the operating-system user as its origin."""

from __future__ import annotations

import shutil
import sys

from kiosk.cli.common import open_db, read_password, settings_from
from kiosk.errors import ConfigError, ValidationError
from kiosk.services import accounts, two_factor
from kiosk.services.actor import shell_actor


def init(args) -> int:
    from kiosk.config import ensure_data_dir
    from kiosk.schema import open_database

    settings = settings_from(args)
    procedures_copy = None
    if args.profile:
        import tomllib
        from pathlib import Path

        from kiosk.rules import load_profile

        profile = load_profile(args.profile)  # refuse a half-valid profile before changing anything
        # A relative procedures file must travel with the profile into the data dir.
        with open(args.profile, "rb") as fh:
            named = tomllib.load(fh).get("procedures", {}).get("file")
        if named and not Path(named).is_absolute():
            rel = Path(named)
            if ".." in rel.parts:
                raise ConfigError(
                    f"{args.profile}: procedures.file: give a path inside the profile's folder or an absolute path"
                )
            if profile.procedures_file is None or not profile.procedures_file.is_file():
                raise ConfigError(f"{args.profile}: procedures.file: {named} cannot be read")
            procedures_copy = (profile.procedures_file, rel)
    # Ask for (and check) the admin's details before creating anything: a refused
    # password must leave no data dir or database behind.
    first_run = settings.db_url is not None or not settings.db_path.exists()
    name = full = password = None
    if first_run or args.admin:
        name = args.admin
        if not name:
            if not sys.stdin.isatty():
                raise ValidationError("admin", "no terminal to ask on; use --admin NAME --password-stdin")
            name = input("First admin username: ").strip()
        accounts.validate_username(name)
        full = args.full_name or name
        password = read_password(args.password_stdin, "Admin password (12+ characters): ")
        accounts.check_password_policy(password, name)
    if not settings.db_url or args.profile:  # the profile lives in the data dir on PostgreSQL too
        ensure_data_dir(settings.data_dir)
    if getattr(args, "encrypt", False):
        settings = _prepare_encryption(settings, args)
    open_database(settings, create=True)
    if args.profile:
        target = settings.data_dir / "profile.toml"
        shutil.copyfile(args.profile, target)
        target.chmod(0o600)
        if procedures_copy:
            source, rel = procedures_copy
            dest = settings.data_dir / rel
            dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            dest.chmod(0o600)
        _set_config_key(settings, "profile", "profile.toml")
        print(f"school profile installed: {target}")
    actor = shell_actor()
    if accounts.count_users() == 0:
        if name is None:
            raise ValidationError("admin", "the database has no accounts; give --admin NAME")
        accounts.create_user(actor, name, full, ["admin"], password, must_change=False)
        print(f"created admin {accounts.validate_username(name)!r}")
    elif args.admin:
        raise ValidationError("admin", "this database already has accounts; use 'kiosk users add'")
    print(f"data dir: {settings.data_dir}")
    return 0


def _prepare_encryption(settings, args):
    """`kiosk init --encrypt`: a key file (or passphrase salt) before the database exists."""
    import os

    from kiosk import keys

    if settings.db_url:
        raise ConfigError("--encrypt is for SQLite; for PostgreSQL use TLS and disk encryption (see README)")
    if settings.db_path.exists() and settings.db_path.stat().st_size:
        if keys.database_is_encrypted(settings):
            return settings
        raise ConfigError(f"{settings.db_path} already exists unencrypted; use 'kiosk encrypt' to convert it")
    if args.passphrase:
        from kiosk.cli.data import new_passphrase

        phrase = new_passphrase()
        keys.new_passphrase_salt(settings)
        key = keys.passphrase_key(settings, phrase)
        keys.key_cache[settings.data_dir.resolve()] = key
    elif os.environ.get("CREDENTIALS_DIRECTORY") and keys.credential():
        pass
    elif not keys.db_key_path(settings).exists():
        keys.write_key_file(keys.db_key_path(settings))
        print(f"database key written to {keys.db_key_path(settings)} (owner-only; keep a copy off this machine)")
    _set_config_key(settings, "encrypt", True)
    return settings.with_(extra=dict(settings.extra, encrypt=True))


def _set_config_key(settings, key: str, value) -> None:
    path = settings.config_path
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    first_table = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")), len(lines))
    top = [ln for ln in lines[:first_table] if not ln.split("=")[0].strip() == key]
    # A top-level key must come before the first [table] (e.g. [mail]), or TOML puts it inside.
    line = f"{key} = {'true' if value else 'false'}" if isinstance(value, bool) else f'{key} = "{value}"'
    lines = top + [line] + lines[first_table:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def _say_pending(info) -> None:
    if info.pending_roles:
        print(f"waiting for the headteacher or the DSL to confirm in the console (Account changes): "
              f"{', '.join(info.pending_roles)}")


def users(args) -> int:
    open_db(args)
    actor = shell_actor()
    cmd = args.users_command
    if cmd == "import":
        return users_import(args)
    if cmd == "add":
        password = read_password(args.password_stdin, "Temporary password (12+ characters): ")
        info = accounts.create_user(actor, args.name, args.full_name, args.role, password,
                                    email=args.email)
        print(f"added {info.username} ({', '.join(info.roles)}); password change required at first login")
        _say_pending(info)
    elif cmd == "set-email":
        info = accounts.set_email(actor, args.name, None if args.clear else args.email)
        print(f"{info.username}: alert notices go to {info.email}" if info.email
              else f"{info.username}: no e-mail notices")
    elif cmd == "list":
        rows = accounts.list_users(actor)
        print(f"{'USERNAME':<20} {'NAME':<28} {'ROLES':<34} STATUS")
        for u in rows:
            status = "deactivated" if not u.active else ("locked" if u.locked else "active")
            if u.must_change_password and u.active:
                status += ", must change password"
            if u.active and two_factor.is_enrolled(u.id):
                status += ", authenticator on"
            if u.email:
                status += f", e-mails {u.email}"
            print(f"{u.username:<20} {u.full_name[:28]:<28} {','.join(u.roles)[:34]:<34} {status}")
    elif cmd == "reset-password":
        password = read_password(args.password_stdin, "New temporary password (12+ characters): ")
        accounts.reset_password(actor, args.name, password)
        print(f"password reset for {args.name}; change required at next login")
        if args.clear_2fa:
            _request_2fa_reset(actor, args.name, "password_reset")
    elif cmd == "reset-2fa":
        _request_2fa_reset(actor, args.name, "lost_phone")
    elif cmd == "unlock":
        accounts.unlock(actor, args.name)
        print(f"unlocked {args.name}")
    elif cmd == "deactivate":
        accounts.deactivate(actor, args.name)
        print(f"deactivated {args.name} (the account and its records are kept)")
    elif cmd == "reactivate":
        accounts.reactivate(actor, args.name)
        print(f"reactivated {args.name}")
    elif cmd == "set-roles":
        info = accounts.set_roles(actor, args.name, args.role)
        print(f"{info.username}: {', '.join(info.roles)}")
        _say_pending(info)
    elif cmd in ("add-key", "remove-key", "list-keys"):
        from kiosk.clock import fmt_local
        from kiosk.services import ssh_keys

        if cmd == "list-keys":
            keys = ssh_keys.list_keys(actor, args.name, include_removed=args.all)
            if not keys:
                print(f"{args.name} has no SSH keys")
            for k in keys:
                state = f"removed {fmt_local(k.removed_at)}" if k.removed_at else f"added {fmt_local(k.added_at)}"
                print(f"{k.fingerprint}  {k.algorithm:<12} {state:<26} {k.comment}")
        elif cmd == "add-key":
            try:
                text = open(args.file, encoding="utf-8").read()
            except OSError as exc:
                raise ConfigError(f"{args.file}: cannot read the key file ({exc.strerror})") from None
            fp = ssh_keys.add_key(actor, args.name, text)
            print(f"added key {fp} for {args.name}")
        else:
            ssh_keys.remove_key(actor, args.name, args.fingerprint)
            print(f"removed key {args.fingerprint} from {args.name}")
    return 0


def _request_2fa_reset(actor, name: str, reason: str) -> None:
    request = two_factor.request_reset(actor, name, reason)
    print(f"authenticator reset for {request.username} requested (request {request.id}); it takes "
          "effect when the headteacher or the DSL confirms it in the console "
          "(Account changes, menu z); they will set up a new one at their next sign-in")


def mail_cmd(args) -> int:
    """`kiosk mail send-pending`: drain the outbox once (a systemd timer runs it)."""
    import getpass
    import os

    from kiosk.services import mail

    settings = open_db(args)
    if settings.mail is None:
        raise ConfigError(f"{settings.config_path}: mail: not set; add a [mail] section with host and from "
                          "(see the README) to send e-mail notices")
    report = mail.send_pending(settings.mail, origin=f"shell:{getpass.getuser()}@{os.uname().nodename}")
    left = mail.pending_count()
    print(f"sent {report.sent}, failed {report.failed} (will retry), dropped {report.dropped}, "
          f"given up {report.given_up}; {left} waiting")
    return 0 if report.failed == 0 and report.given_up == 0 else 3


def audit_cmd(args) -> int:
    from pathlib import Path

    from kiosk import keys
    from kiosk.services import audit, checkpoints

    settings = open_db(args)
    result = audit.verify()
    problems = []
    if result.ok:
        print(f"audit chain intact: {result.checked} events verified")
    else:
        problems.append(f"audit chain broken at event {result.seq}: {result.problem} "
                        f"({result.checked} events verified before it)")
    records = audit.verify_records()
    problems += records
    if not records:
        print("records match their audit hashes")
    log = Path(args.checkpoints) if args.checkpoints else keys.checkpoint_log_path(settings)
    if log.exists() or args.checkpoints:
        public = keys.public_key(settings, Path(args.public_key) if args.public_key else None)
        cps, log_problems = checkpoints.read_log(log, public)
        problems += log_problems
        problems += checkpoints.check_database(cps)
        signed = [c for c in cps if c.signed]
        if signed:
            latest = max(signed, key=lambda c: c.seq)
            print(f"latest checkpoint: event {latest.seq} at {latest.at} ({latest.reason}), head {latest.head[:16]}...")
            print(f"{len(signed)} signed checkpoints in {log}")
    else:
        print(f"no checkpoint log yet at {log} (one is written every "
              f"{audit.checkpoint_every()} events and at every backup)")
    for problem in problems:
        print(f"kiosk: {problem}", file=sys.stderr)
    return 2 if problems else 0


def users_import(args) -> int:
    """`kiosk users import FILE [--dry-run]`: temporary passwords are printed once."""
    from kiosk.services import accounts_import

    try:
        with open(args.file, "rb") as fh:
            data = fh.read(accounts_import_limit() + 1)
    except OSError as exc:
        raise ConfigError(f"{args.file}: cannot read the file ({exc.strerror})") from None
    name = args.file.rsplit("/", 1)[-1]
    open_db(args)
    plan = accounts_import.import_staff(shell_actor(), data, name, dry_run=args.dry_run)
    c = plan.counts
    print(f"{name}: {'Dry run: nothing changed. ' if args.dry_run else ''}{c['new']} new, "
          f"{c['existing']} already have accounts (not changed), {c['refused']} refused")
    for a in plan.new:
        roles = ",".join(a.granted)
        line = f"  {a.username:<20} {a.full_name[:28]:<28} {roles:<14}"
        if not args.dry_run:
            line += f" temporary password: {a.password}"
        if a.to_confirm:
            line += f"  (asked for {','.join(a.to_confirm)}: to confirm)"
        print(line)
    for r in plan.refused:
        print(f"  refused line {r.line}: {r.who}: {r.reason}")
    if any(a.to_confirm for a in plan.new):
        print("Roles that read case records (and admin) are never granted by an import: those "
              "accounts have the staff role until the headteacher or DSL confirms; then "
              "'kiosk users set-roles NAME --role ROLE'.")
    if not args.dry_run and plan.new:
        print("These temporary passwords are shown once; each must be changed at first sign-in.")
    if args.dry_run and plan.new:
        print("Run again without --dry-run to create these accounts.")
    return 0


def accounts_import_limit() -> int:
    from kiosk.imports.common import MAX_BYTES

    return MAX_BYTES
