"""Every key the console holds, in one place, behind a small API.

Keys live OUTSIDE the data dir (in its parent), so a copy of the data dir (or a backup
of it) never carries the key that opens it. Each key file is owner-only; a key file that
another user could read is refused, never silently used.

    <parent>/<name>.db.key        the SQLCipher database key (64 hex digits)
    <parent>/<name>.field.key     a key for encrypting single fields when the database
                                  itself is plain (PostgreSQL, or SQLite not encrypted)
    <parent>/<name>.backup.key    the key backups are encrypted with (keep a copy off the
                                  machine: it alone restores a backup)
    <parent>/<name>.audit.key     the Ed25519 key that signs audit checkpoints
    <parent>/<name>.audit.pub     its public half (for `kiosk audit verify --checkpoints`)
    <parent>/<name>.checkpoints   the append-only checkpoint log

where <name> is the data dir's own name (so two data dirs side by side do not share keys).

Where the database key comes from, first found wins:
  1. the service manager's credential `kiosk-db-key` ($CREDENTIALS_DIRECTORY, systemd
     LoadCredential=kiosk-db-key:/path), which never sits readable on the disk at run time;
  2. the key file above;
  3. a passphrase typed at start-up (`kiosk init --encrypt --passphrase`): stretched once
     with scrypt (salt in `<data dir>/kiosk.keysalt`, not secret) into the same raw key.

The API other modules use:
  db_key(settings) -> bytes | None        the database key, None if the database is plain
  field_key(settings=None) -> bytes       32 bytes for encrypting fields (e.g. TOTP secrets):
                                          HKDF-SHA256 of the database key when the database
                                          is encrypted, else the owner-only field key file
                                          (created on first use). Stable across restarts;
                                          changes on `kiosk rekey` only if derived (callers
                                          that store ciphertext must re-encrypt then, see
                                          REKEY_HOOKS).
  backup_key(settings, create=False) -> bytes
  signing_key(settings) -> Ed25519PrivateKey, public_key(settings) -> Ed25519PublicKey
  sqlcipher_key(key) -> str               the PRAGMA key literal (raw key, no KDF per connection)
"""

from __future__ import annotations

# hashlib, secrets and getpass are imported where they are used: `kiosk run` only looks for
# the database key (key_for_open) before its login screen is drawn.
import os
import stat
import sys
from pathlib import Path
from typing import Callable

from kiosk.errors import ConfigError, KioskError

CREDENTIAL_NAME = "kiosk-db-key"
SALT_FILENAME = "kiosk.keysalt"
KEY_BYTES = 32

# Functions called with (settings, old_field_key, new_field_key) after `kiosk rekey`
# changes a derived field key; a module that stores field-encrypted data registers one
# (at import) and re-encrypts its fields. The database is closed when they run and opens
# with the new key (kiosk.schema.open_database(settings)).
REKEY_HOOKS: list[Callable] = []

# The passphrase prompt: replaced by tests; the CLI uses the terminal.
_prompt: Callable[[str], str] | None = None
key_cache: dict[Path, bytes] = {}


class KeyProblem(KioskError):
    """A key is missing, unreadable, too open, or wrong."""


def set_passphrase_prompt(fn: Callable[[str], str] | None) -> None:
    global _prompt
    _prompt = fn
    key_cache.clear()


def _base(settings) -> Path:
    return settings.data_dir.parent / settings.data_dir.name


def db_key_path(settings) -> Path:
    return _base(settings).with_name(settings.data_dir.name + ".db.key")


def field_key_path(settings) -> Path:
    return _base(settings).with_name(settings.data_dir.name + ".field.key")


def backup_key_path(settings) -> Path:
    configured = settings.extra.get("backup_key_file") if settings.extra else None
    if configured:
        return Path(configured)
    return _base(settings).with_name(settings.data_dir.name + ".backup.key")


def signing_key_path(settings) -> Path:
    return _base(settings).with_name(settings.data_dir.name + ".audit.key")


def public_key_path(settings) -> Path:
    return _base(settings).with_name(settings.data_dir.name + ".audit.pub")


def checkpoint_log_path(settings) -> Path:
    configured = settings.extra.get("checkpoint_log") if settings.extra else None
    if configured:
        return Path(configured)
    return _base(settings).with_name(settings.data_dir.name + ".checkpoints")


def salt_path(settings) -> Path:
    return settings.data_dir / SALT_FILENAME


def check_owner_only(path: Path) -> None:
    """Refuse a key file another user could read or replace."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyProblem(f"{path}: key file not found") from None
    if not stat.S_ISREG(st.st_mode):
        raise KeyProblem(f"{path}: the key file is not a regular file")
    if st.st_mode & 0o077:
        raise KeyProblem(
            f"{path}: the key file can be read by others (mode {stat.S_IMODE(st.st_mode):o}); "
            f"run 'chmod 600 {path}' and try again"
        )
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise KeyProblem(f"{path}: the key file belongs to another user; it must be owned by this one")


def read_key_file(path: Path) -> bytes:
    check_owner_only(path)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyProblem(f"{path}: not a key file (expected {KEY_BYTES * 2} hex digits)") from None
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{path}: not a key file (expected {KEY_BYTES * 2} hex digits)")
    return key


def write_key_file(path: Path, key: bytes | None = None, *, replace: bool = False) -> bytes:
    """Create an owner-only key file (never overwriting one unless replace=True)."""
    import secrets

    key = key if key is not None else secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (key.hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if not replace and path.exists():
        tmp.unlink()
        raise KeyProblem(f"{path}: a key file is already there; refusing to overwrite it")
    os.replace(tmp, path)
    return key


def sqlcipher_key(key: bytes) -> str:
    """The PRAGMA key literal for a raw 256-bit key (SQLCipher runs no KDF for it)."""
    return f"x'{key.hex()}'"


def credential() -> bytes | None:
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return None
    path = Path(directory) / CREDENTIAL_NAME
    if not path.exists():
        return None
    # systemd makes the credential readable by the service only; no mode check is needed
    # (its directory is not on disk and already owner-only).
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"credential {CREDENTIAL_NAME}: not a key (expected {KEY_BYTES * 2} hex digits)")
    return key


def passphrase_key(settings, passphrase: str) -> bytes:
    path = salt_path(settings)
    try:
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        raise KeyProblem(f"{path}: missing; the passphrase cannot be turned into the key") from None
    import hashlib

    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=2**15, r=8, p=1,
                          maxmem=64 * 1024 * 1024, dklen=KEY_BYTES)


def new_passphrase_salt(settings) -> None:
    path = salt_path(settings)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        import secrets

        fh.write(secrets.token_bytes(16).hex() + "\n")


def _ask(prompt: str) -> str:
    if _prompt is not None:
        return _prompt(prompt)
    if not sys.stdin.isatty():
        raise KeyProblem(
            "the database is encrypted with a passphrase and there is no terminal to ask on; "
            "use a key file or the service credential instead"
        )
    import getpass

    return getpass.getpass(prompt)


def db_key(settings, *, required: bool = True) -> bytes | None:
    """The database key from the credential, the key file or a typed passphrase."""
    path = settings.data_dir.resolve() if settings.data_dir.exists() else settings.data_dir
    if path in key_cache:
        return key_cache[path]
    key = credential()
    if key is None and db_key_path(settings).exists():
        key = read_key_file(db_key_path(settings))
    if key is None and salt_path(settings).exists():
        key = passphrase_key(settings, _ask("Database passphrase: "))
        key_cache[path] = key  # asked once per process; key files are read afresh each time
    if key is None:
        if not required:
            return None
        raise KeyProblem(
            f"{settings.db_path} is not plain SQLite: it is encrypted and no key was found, "
            "or it is damaged or not a database. If encrypted, put the key file at "
            f"{db_key_path(settings)} (owner-only), give the service credential "
            f"'{CREDENTIAL_NAME}', or start from a terminal if a passphrase was chosen"
        )
    return key


def key_for_open(settings) -> bytes | None:
    """The key kiosk.schema.open_database opens the database with (None: plain SQLite or a
    server). `kiosk run` asks for it before the console takes the terminal, so a typed
    passphrase is asked for there and found in the cache when the database opens."""
    if settings.db_url:
        return None
    if database_is_encrypted(settings):
        return db_key(settings)
    if not (settings.db_path.exists() and settings.db_path.stat().st_size) and (
        settings.extra.get("encrypt") or db_key_path(settings).exists() or salt_path(settings).exists()
    ):
        return db_key(settings)  # a new database for a school that chose encryption
    return None


def remember_passphrase_key(settings, key: bytes) -> None:
    """Keep a key just made from a typed passphrase, so the same process does not ask again."""
    path = settings.data_dir.resolve() if settings.data_dir.exists() else settings.data_dir
    key_cache[path] = key


def forget() -> None:
    """Drop cached keys (after a rekey or an encryption, or between tests)."""
    key_cache.clear()
    _encrypted_at_open.clear()


def database_is_encrypted(settings) -> bool:
    """True if the SQLite file is not readable as plain SQLite (its header is encrypted)."""
    if settings.db_url:
        return False
    try:
        with open(settings.db_path, "rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return False
    return len(head) == 16 and head != b"SQLite format 3\x00"


def _hkdf(key: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(key)


_opened = None  # the Settings of the database opened last (kiosk.schema.open_database)
# Whether each database this process opened was encrypted, as found when it opened. Asked
# while that database is open, this answers instead of reading the file's header: SQLite
# holds POSIX locks, and closing any other descriptor of the same file in this process drops
# them all, which let another process's writes corrupt the database (seen with the SSH
# consoles, one process per session, each sealing and opening TOTP secrets).
_encrypted_at_open: dict[Path, bool] = {}


def _dir_key(settings) -> Path:
    return settings.data_dir.resolve() if settings.data_dir.exists() else settings.data_dir


def remember(settings, encrypted: bool | None = None) -> None:
    global _opened
    _opened = settings
    if encrypted is not None:
        _encrypted_at_open[_dir_key(settings)] = encrypted


def is_encrypted(settings) -> bool:
    """database_is_encrypted, without touching the file if this process has it open."""
    if settings.db_url:
        return False
    known = _encrypted_at_open.get(_dir_key(settings))
    return known if known is not None else database_is_encrypted(settings)


def field_key(settings=None) -> bytes:
    """32 bytes for encrypting individual fields (see the module docstring).

    Without settings: those of the database this process opened (services need not carry them).
    """
    settings = settings or _opened
    if settings is None:
        raise KeyProblem("no database is open, so there is no field key")
    if is_encrypted(settings):
        return _hkdf(db_key(settings), b"kiosk field key v1")
    path = field_key_path(settings)
    if path.exists():
        return read_key_file(path)
    try:
        return write_key_file(path)
    except KeyProblem:
        return read_key_file(path)  # created meanwhile by another process


def backup_key(settings, *, create: bool = False) -> bytes:
    path = backup_key_path(settings)
    if path.exists():
        return read_key_file(path)
    if not create:
        raise KeyProblem(f"no backup key at {path}; copy the school's backup key there (owner-only)")
    return write_key_file(path)


def signing_key(settings):
    """The Ed25519 key that signs audit checkpoints (created on first use)."""
    return signing_key_at(signing_key_path(settings), public_key_path(settings))


def signing_key_at(path: Path, public_path: Path):
    """signing_key for the key at `path` and its public half at `public_path` (kiosk.crypto_child
    calls it with the paths alone)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        check_owner_only(path)
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    public_path.write_bytes(pub)
    return key


def public_key(settings, path: Path | None = None):
    from cryptography.hazmat.primitives import serialization

    path = path or public_key_path(settings)
    try:
        return serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise KeyProblem(f"{path}: no public key for the audit checkpoints") from None
