"""Backups that restore: take, check, rotate, restore; and converting or rekeying the database.

SQLite: a consistent online copy (one read snapshot under WAL, so consoles keep working)
written straight into a SQLCipher file keyed with the BACKUP key (kiosk.keys), never as
plain text on disk, whether the live database is encrypted or not. The backup key alone
opens it, so a school can restore on a new machine with the key it keeps off-site.
PostgreSQL: `pg_dump --format=custom`, encrypted with AES-256-GCM under the same key.

Each backup has a manifest beside it (`<name>.manifest.json`): time, schema version,
audit head, row counts, the file's SHA-256, signed with the audit checkpoint key. A backup
is checked right after it is written (opened with the key, integrity check, audit chain
verified, counts and hash compared) and a checkpoint of the audit head goes to the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import keys
from kiosk.clock import utcnow
from kiosk.errors import DatabaseError, KioskError

SUFFIX_SQLITE = ".kbackup"
SUFFIX_PG = ".kpgdump"
MANIFEST_SUFFIX = ".manifest.json"
GCM_MAGIC = b"KIOSKPG1"
DEFAULT_KEEP = {"daily": 14, "weekly": 8, "monthly": 12}


class BackupError(KioskError):
    pass


@dataclass
class BackupReport:
    ok: bool
    path: Path
    manifest: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def backup_dir(settings) -> Path:
    configured = settings.extra.get("backup_dir")
    if configured:
        return Path(configured)
    return settings.data_dir.parent / (settings.data_dir.name + "-backups")


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cipher_connect(path: Path, key: bytes | None):
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = sqlcipher.connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f"PRAGMA key = \"{keys.sqlcipher_key(key)}\"")
    conn.execute("PRAGMA temp_store = memory")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _live_key(settings) -> bytes | None:
    # is_encrypted: the live database may be open in this process (see kiosk.keys).
    return keys.db_key(settings) if keys.is_encrypted(settings) else None


def _export(source_conn, dest: Path, dest_key: bytes | None) -> None:
    """sqlcipher_export from main into a new file, inside one read transaction."""
    literal = keys.sqlcipher_key(dest_key) if dest_key is not None else ""
    source_conn.execute(f"ATTACH DATABASE ? AS dest KEY \"{literal}\"", (str(dest),))
    try:
        source_conn.execute("BEGIN")
        source_conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        source_conn.execute("SELECT sqlcipher_export('dest')").fetchall()
        source_conn.execute("COMMIT")
    finally:
        with contextlib.suppress(Exception):
            source_conn.execute("DETACH DATABASE dest")


@contextlib.contextmanager
def _bound_to(database):
    """Bind the model proxy to another database for a while (checking a backup)."""
    from kiosk.db import db

    previous = db.obj
    db.initialize(database)
    try:
        with database.connection_context():
            yield database
    finally:
        db.initialize(previous)


def _open_backup_db(path: Path, key: bytes):
    from kiosk.db import cipher_class, SQLITE_PRAGMAS

    pragmas = dict(SQLITE_PRAGMAS, journal_mode="delete")
    return cipher_class()(str(path), passphrase=keys.sqlcipher_key(key), pragmas=pragmas, timeout=5)


def _facts() -> dict:
    """Schema version, audit head and row counts of the bound database."""
    from kiosk.db import db
    from kiosk.models import REGISTRY
    from kiosk.schema import current_version
    from kiosk.services import audit

    head_seq, head_hash = audit.read_head(for_update=False)
    counts = {}
    for model in sorted(REGISTRY, key=lambda m: m._meta.table_name):
        name = model._meta.table_name
        counts[name] = db.execute_sql(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    return {"schema_version": current_version(), "audit_head": {"seq": head_seq, "hash": head_hash},
            "counts": counts}


def _check_bound(problems: list[str]) -> dict:
    from kiosk.db import db
    from kiosk.services import audit

    try:
        rows = db.execute_sql("PRAGMA integrity_check").fetchall()
    except Exception as exc:  # a wrong key or a damaged file
        problems.append(f"cannot be opened with the backup key ({exc})")
        return {}
    if [r[0] for r in rows] != ["ok"]:
        problems.append("integrity check failed: " + "; ".join(str(r[0]) for r in rows[:3]))
    result = audit.verify()
    if not result.ok:
        problems.append(f"audit chain broken at event {result.seq}: {result.problem}")
    for problem in audit.verify_records():
        problems.append(problem)
    return _facts()


def _sign_manifest(settings, manifest: dict) -> dict:
    import base64

    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    signature = keys.signing_key(settings).sign(body)
    return dict(manifest, signature=base64.b64encode(signature).decode())


def _manifest_signature_ok(settings, manifest: dict) -> bool | None:
    import base64

    from cryptography.exceptions import InvalidSignature

    sig = manifest.get("signature")
    if not sig:
        return None
    body = json.dumps({k: v for k, v in manifest.items() if k != "signature"},
                      sort_keys=True, separators=(",", ":")).encode()
    try:
        keys.public_key(settings).verify(base64.b64decode(sig), body)
        return True
    except (InvalidSignature, ValueError):
        return False
    except KioskError:
        return None


def _free_name(directory: Path, stamp: str, suffix: str) -> Path:
    """A name no earlier backup has (two backups in the same microsecond, or a fake clock)."""
    path = directory / f"kiosk-{stamp}{suffix}"
    n = 1
    while path.exists() or path.with_name(path.name + ".part").exists():
        n += 1
        path = directory / f"kiosk-{stamp}-{n}{suffix}"
    return path


def take_backup(settings, to_dir: Path | None = None, actor=None) -> BackupReport:
    """Write, check and rotate one backup. The live database must already be open."""
    from kiosk.capabilities import Cap
    from kiosk.services import audit, checkpoints
    from kiosk.services.actor import require, shell_actor

    actor = actor or shell_actor()
    # The shell actor holds it; checked so a caller who passes someone else is refused.
    require(actor, Cap.SETTINGS_MANAGE)
    target_dir = Path(to_dir) if to_dir else backup_dir(settings)
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    bkey = keys.backup_key(settings, create=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    seq = audit.record(actor, "backup.start", "backup", stamp, {"to": str(target_dir)})
    if settings.db_url:
        path = _free_name(target_dir, stamp, SUFFIX_PG)
        _pg_dump(settings, path, bkey)
        manifest = {"format": 1, "kind": "postgresql", "taken_at": utcnow().isoformat(),
                    "file": path.name, "sha256": _sha256(path)}
        manifest.update(_facts())
        report = BackupReport(True, path, manifest)
        problems = _verify_pg(path, bkey)
    else:
        path = _free_name(target_dir, stamp, SUFFIX_SQLITE)
        tmp = path.with_name(path.name + ".part")
        conn = _cipher_connect(settings.db_path, _live_key(settings))
        try:
            _export(conn, tmp, bkey)
        finally:
            conn.close()
        os.chmod(tmp, 0o600)
        problems: list[str] = []
        with _bound_to(_open_backup_db(tmp, bkey)):
            facts = _check_bound(problems)
        os.replace(tmp, path)
        manifest = {"format": 1, "kind": "sqlite", "taken_at": utcnow().isoformat(),
                    "file": path.name, "sha256": _sha256(path)}
        manifest.update(facts)
        report = BackupReport(True, path, manifest)
    manifest = _sign_manifest(settings, manifest)
    report.manifest = manifest
    mpath = manifest_path(path)
    fd = os.open(mpath, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
    report.problems = problems
    report.ok = not problems
    head = manifest.get("audit_head", {})
    if head.get("seq"):
        checkpoints.write_checkpoint(settings, head["seq"], head["hash"], reason="backup")
    audit.record(actor, "backup.done" if report.ok else "backup.failed_check", "backup", stamp,
                 {"file": path.name, "sha256": manifest["sha256"], "audit_seq": seq,
                  "problems": problems})
    return report


def verify_backup(settings, path: Path) -> BackupReport:
    """Open a backup with the backup key and check it against its manifest."""
    path = Path(path)
    problems: list[str] = []
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        manifest = {}
        problems.append(f"no manifest beside it ({manifest_path(path).name})")
    except ValueError:
        manifest = {}
        problems.append("the manifest is not valid JSON")
    bkey = keys.backup_key(settings)
    if manifest:
        if manifest.get("sha256") != _sha256(path):
            problems.append("the file's SHA-256 differs from the manifest (changed or damaged)")
        if _manifest_signature_ok(settings, manifest) is False:
            problems.append("the manifest's signature does not verify (the manifest was changed)")
    if path.name.endswith(SUFFIX_PG):
        problems += _verify_pg(path, bkey)
        return BackupReport(not problems, path, manifest, problems)
    # Check a private copy: opening may write (WAL/journal) and the backup must stay as hashed.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kiosk-verify-") as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(path, copy)
        database = _open_backup_db(copy, bkey)
        facts = {}
        try:
            with _bound_to(database):
                facts = _check_bound(problems)
        except Exception as exc:
            intact = not manifest or manifest.get("sha256") == _sha256(path)
            if "not a database" in str(exc) and intact:
                raise BackupError(f"{path}: cannot be opened with the backup key "
                                  f"({keys.backup_key_path(settings)}): wrong key or not a backup") from None
            problems.append(f"the backup cannot be read ({exc})")
    if manifest and facts:
        for key in ("schema_version", "audit_head", "counts"):
            if manifest.get(key) != facts.get(key):
                problems.append(f"{key} differs from the manifest")
    return BackupReport(not problems, path, manifest or facts, problems)


def restore(settings, path: Path, *, overwrite: bool = False, confirmed: bool = False,
            encrypt: bool | None = None) -> BackupReport:
    """Restore a backup into the data dir; refuse live data unless told twice."""
    path = Path(path)
    report = verify_backup(settings, path)
    if not report.ok:
        raise BackupError(f"{path}: the backup did not verify ({'; '.join(report.problems)}); nothing restored")
    if settings.db_url:
        if not (overwrite and confirmed):
            raise BackupError("restoring into PostgreSQL replaces the database; give "
                              "--overwrite --yes-overwrite-live-data")
        _pg_restore(settings, path, keys.backup_key(settings))
        return report
    live = settings.db_path
    has_data = live.exists() and live.stat().st_size > 0
    if has_data and not (overwrite and confirmed):
        raise BackupError(
            f"{settings.data_dir} already holds a database; restore into an empty data dir, or "
            "give both --overwrite and --yes-overwrite-live-data to replace it (a backup of it is taken first)"
        )
    from kiosk.config import ensure_data_dir

    ensure_data_dir(settings.data_dir)
    if encrypt is None:
        # Encrypted unless the school asked for plain: a restored database must not be the
        # first plain copy of the records on the machine.
        encrypt = settings.extra.get("encrypt", True) is not False
    if has_data:
        from kiosk.schema import open_database

        open_database(settings, create=False)
        keep = take_backup(settings, backup_dir(settings))
        from kiosk.db import db

        db.close()
        if not keep.ok:
            raise BackupError("the backup of the live data failed its check; nothing restored")
    new_key = None
    if encrypt:
        if not keys.db_key_path(settings).exists() and not keys.salt_path(settings).exists() \
                and not os.environ.get("CREDENTIALS_DIRECTORY"):
            keys.write_key_file(keys.db_key_path(settings))
        new_key = keys.db_key(settings)
    tmp = live.with_name(live.name + ".restoring")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    source = _cipher_connect(path, keys.backup_key(settings))
    try:
        _export(source, tmp, new_key)
    finally:
        source.close()
    os.chmod(tmp, 0o600)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            live.with_name(live.name + suffix).unlink()
    os.replace(tmp, live)
    # The restored database remembers it was restored, and from what.
    from kiosk.db import db
    from kiosk.schema import open_database
    from kiosk.services.actor import shell_actor
    from kiosk.services import audit

    open_database(settings, create=False)
    try:
        audit.record(shell_actor(), "backup.restored", "backup", report.manifest.get("file", path.name),
                     {"sha256": report.manifest.get("sha256", ""), "taken_at": report.manifest.get("taken_at", ""),
                      "replaced_live_data": has_data})
    finally:
        db.close()
    return report


def rotate(directory: Path, keep: dict | None = None, today: dt.date | None = None) -> list[Path]:
    """Keep the newest backup of each of the last N days, weeks and months; remove the rest."""
    keep = dict(DEFAULT_KEEP, **(keep or {}))
    entries = []
    for p in Path(directory).iterdir():
        if not (p.name.startswith("kiosk-") and (p.name.endswith(SUFFIX_SQLITE) or p.name.endswith(SUFFIX_PG))):
            continue
        stamp = p.name[len("kiosk-"):].split(".")[0].split("-")[0]
        try:
            when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ")
        except ValueError:
            continue
        entries.append((when, p))
    entries.sort(reverse=True)
    # Everything from the last day is kept too: the backup `kiosk encrypt` or `restore` took
    # first must survive the same night's rotation.
    kept: set[Path] = {p for when, p in entries if entries and when >= entries[0][0] - dt.timedelta(days=1)}
    for bucket, count in (("daily", keep["daily"]), ("weekly", keep["weekly"]), ("monthly", keep["monthly"])):
        seen: list = []
        for when, p in entries:
            if bucket == "daily":
                label = when.date()
            elif bucket == "weekly":
                label = tuple(when.isocalendar()[:2])
            else:
                label = (when.year, when.month)
            if label in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(label)
            kept.add(p)
    removed = []
    for _when, p in entries:
        if p not in kept:
            p.unlink()
            with contextlib.suppress(FileNotFoundError):
                manifest_path(p).unlink()
            removed.append(p)
    return removed


# PostgreSQL -------------------------------------------------------------------------

def _aesgcm_encrypt(data: bytes, key: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return GCM_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, GCM_MAGIC)


def _aesgcm_decrypt(blob: bytes, key: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(GCM_MAGIC):
        raise BackupError("not a kiosk PostgreSQL backup")
    nonce = blob[len(GCM_MAGIC):len(GCM_MAGIC) + 12]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(GCM_MAGIC) + 12:], GCM_MAGIC)
    except InvalidTag:
        raise BackupError("the backup cannot be decrypted with the backup key (wrong key or changed file)") from None


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools")
    return tool


def _pg_target(url: str) -> tuple[str, dict]:
    """The URL without its password (which goes in PGPASSWORD, never on a command line)."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        user = parts.username or ""
        netloc = (f"{user}@" if user else "") + host + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts), env


def _pg_dump(settings, path: Path, key: bytes) -> None:
    url, env = _pg_target(settings.db_url)
    proc = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--dbname", url],
                          capture_output=True, timeout=3600, env=env)
    if proc.returncode != 0:
        raise BackupError(f"pg_dump failed: {proc.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(_aesgcm_encrypt(proc.stdout, key))


def _verify_pg(path: Path, key: bytes) -> list[str]:
    try:
        dump = _aesgcm_decrypt(path.read_bytes(), key)
    except BackupError as exc:
        return [str(exc)]
    proc = subprocess.run([_pg_tool("pg_restore"), "--list"], input=dump, capture_output=True, timeout=600)
    if proc.returncode != 0:
        return ["pg_restore cannot read the dump"]
    if b"audit_event" not in proc.stdout:
        return ["the dump holds no audit trail"]
    return []


def _pg_restore(settings, path: Path, key: bytes) -> None:
    dump = _aesgcm_decrypt(path.read_bytes(), key)
    url, env = _pg_target(settings.db_url)
    proc = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                           "--dbname", url], input=dump, capture_output=True, timeout=3600, env=env)
    if proc.returncode != 0:
        raise DatabaseError("pg_restore failed: " + proc.stderr.decode(errors="replace").strip()[-300:])


# Encrypting and rekeying ----------------------------------------------------------------

def encrypt_in_place(settings, passphrase: str | None = None) -> tuple[BackupReport, Path]:
    """Convert a plain SQLite database to SQLCipher, after a verified backup.

    The consoles must be stopped: the converted file replaces the old one.
    """
    from kiosk.db import db
    from kiosk.schema import open_database

    if settings.db_url:
        raise BackupError("PostgreSQL: use TLS to the server and disk encryption on it (see README)")
    if keys.database_is_encrypted(settings):
        raise BackupError(f"{settings.db_path} is already encrypted")
    open_database(settings, create=False)
    report = take_backup(settings)
    # Plain: the field key is a key file; encrypted it derives from the new database key.
    old_field = keys.field_key(settings)
    db.close()
    if not report.ok:
        raise BackupError("the backup taken first did not verify; nothing was changed: " + "; ".join(report.problems))
    if passphrase is not None:
        keys.new_passphrase_salt(settings)
        key = keys.passphrase_key(settings, passphrase)
    elif os.environ.get("CREDENTIALS_DIRECTORY") and keys.credential():
        key = keys.credential()
    elif keys.db_key_path(settings).exists():
        key = keys.read_key_file(keys.db_key_path(settings))  # left by an earlier attempt
    else:
        key = keys.write_key_file(keys.db_key_path(settings))
    live = settings.db_path
    tmp = live.with_name(live.name + ".encrypting")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    # A second connection holds the write lock so no console writes while the copy is made
    # (readers may go on); the consoles must still be stopped before the file is replaced.
    holder = _cipher_connect(live, None)
    conn = _cipher_connect(live, None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        _export(conn, tmp, key)
        os.chmod(tmp, 0o600)
        check = _cipher_connect(tmp, key)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            check.close()
        if not ok:
            raise BackupError("the encrypted copy failed its integrity check; the plain database is unchanged")
        conn.close()
        holder.execute("ROLLBACK")
        holder.close()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                live.with_name(live.name + suffix).unlink()
        os.replace(tmp, live)
    finally:
        conn.close()
        holder.close()
    keys.forget()
    if passphrase is not None:
        keys.remember_passphrase_key(settings, key)
    _run_rekey_hooks(settings, old_field)
    return report, live


def rekey(settings) -> Path:
    """Give the encrypted database a new key; the new key file replaces the old one.

    The new key is written beside the old one first (`.new`), so a crash between the two
    steps leaves both keys on disk and nothing unopenable.
    """
    if not keys.database_is_encrypted(settings):
        raise BackupError("the database is not encrypted; use 'kiosk encrypt' first")
    if keys.salt_path(settings).exists() and not keys.db_key_path(settings).exists():
        raise BackupError("this database uses a typed passphrase; rekeying a passphrase is not supported yet")
    old = keys.db_key(settings)
    old_field = keys.field_key(settings)
    path = keys.db_key_path(settings)
    pending = path.with_name(path.name + ".new")
    new = keys.write_key_file(pending, replace=True)
    conn = _cipher_connect(settings.db_path, old)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f"PRAGMA rekey = \"{keys.sqlcipher_key(new)}\"")
    finally:
        conn.close()
    check = _cipher_connect(settings.db_path, new)
    try:
        check.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        check.close()
    os.replace(pending, path)
    keys.forget()
    _run_rekey_hooks(settings, old_field)
    return path


def _run_rekey_hooks(settings, old_field: bytes) -> None:
    """The field key may have changed: let every module holding sealed fields re-seal."""
    # Imported here, explicitly, so the hooks are registered whoever called us (the CLI
    # does not otherwise import the service that stores sealed fields).
    from kiosk.services import two_factor  # noqa: F401  (registers its hook)

    new_field = keys.field_key(settings)
    for hook in keys.REKEY_HOOKS:
        hook(settings, old_field, new_field)
