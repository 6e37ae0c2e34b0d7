"""Encrypting single fields (TOTP secrets) and keying hashes of recovery codes.

The key is `kiosk.keys.field_key()` (issue 15): derived from the database key when the
database is encrypted, so a backup restored elsewhere opens its secrets with the key that
opens the database; otherwise an owner-only key file beside (never inside) the data dir.
A derived key changes on `kiosk rekey` and on `kiosk encrypt`: kiosk.services.two_factor
registers a keys.REKEY_HOOKS entry that re-seals its fields then.

Sealed values carry their key's origin as a prefix:
  "f2:"  sealed under keys.field_key() (everything written now)
  "f1:"  sealed under the old `field.key` INSIDE the data dir (the first two-factor
         release). Still read, and re-sealed as "f2:" when the database opens
         (two_factor.reseal_legacy), so the old key stops mattering.

AES-256-GCM with a random 96-bit nonce; the associated data binds a ciphertext to its
purpose and row (a secret copied onto another account will not open there). A console has the
AES work done in a child process, so that it never loads cryptography (kiosk/crypto_child.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
import threading
from pathlib import Path

from kiosk.errors import ConfigError

LEGACY_KEY_FILENAME = "field.key"
KEY_FILENAME = LEGACY_KEY_FILENAME  # the old name, kept for callers of the first release
KEY_BYTES = 32
PREFIX = "f2:"
LEGACY_PREFIX = "f1:"

_lock = threading.Lock()
_key_dir: Path | None = None


def configure(data_dir: Path) -> None:
    """Tell the module where the data directory is (for the legacy key file only)."""
    global _key_dir
    with _lock:
        _key_dir = Path(data_dir)


def legacy_key_path() -> Path | None:
    return None if _key_dir is None else _key_dir / LEGACY_KEY_FILENAME


def has_legacy_key() -> bool:
    path = legacy_key_path()
    return path is not None and path.exists()


def _check_mode(path: Path) -> None:
    st = path.stat()
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: the key file may be read by others; run: chmod 600 {path}")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise ConfigError(f"{path}: the key file belongs to another user; it must be this user's own")


def legacy_key() -> bytes:
    """The old data-dir key (raw 32 bytes): read only, never created any more."""
    path = legacy_key_path()
    if path is None or not path.exists():
        raise ConfigError(
            "a stored secret was sealed with the old key file inside the data directory "
            f"({path or LEGACY_KEY_FILENAME}), which is missing"
        )
    _check_mode(path)
    raw = path.read_bytes()
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"{path}: not a field key ({len(raw)} bytes, expected {KEY_BYTES})")
    return raw


def field_key() -> bytes:
    """The 32-byte key for field encryption: kiosk.keys decides where it comes from."""
    from kiosk import keys

    return keys.field_key()


def _subkey(key: bytes, purpose: str) -> bytes:
    # One key, separate keys per use (encryption vs. hashing).
    return hmac.new(key, b"kiosk-field-subkey:" + purpose.encode(), hashlib.sha256).digest()


def seal(plaintext: bytes, context: str, key: bytes | None = None) -> str:
    """Encrypt `plaintext`; `context` (e.g. "totp:user:12") must be given again to open it.
    `key` is for re-sealing on a rekey; otherwise the current field key."""
    from kiosk import crypto_child

    nonce = os.urandom(12)
    sealed = crypto_child.aes_gcm("seal", _subkey(key if key is not None else field_key(), "aes-gcm"), nonce,
                                  plaintext, context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def is_legacy(token: str) -> bool:
    return token.startswith(LEGACY_PREFIX)


def unseal(token: str, context: str, key: bytes | None = None) -> bytes:
    """Open a sealed value. `key` (the field key it was sealed under) is for a rekey, when
    the current key is already the new one; "f1:" values always use the legacy key."""
    from kiosk import crypto_child

    if token.startswith(LEGACY_PREFIX):
        base, body, where = legacy_key(), token[len(LEGACY_PREFIX):], f"the old key file {legacy_key_path()}"
    elif token.startswith(PREFIX):
        base, body, where = (key if key is not None else field_key()), token[len(PREFIX):], "the field key"
    else:
        raise ConfigError("a stored secret was sealed with an unknown key")
    raw = base64.urlsafe_b64decode(body)
    try:
        return crypto_child.aes_gcm("open", _subkey(base, "aes-gcm"), raw[:12], raw[12:], context.encode())
    except crypto_child.BadTag:
        raise ConfigError(
            f"a stored secret cannot be decrypted with {where}: wrong or replaced key"
        ) from None


def legacy_hash_key(purpose: str) -> bytes:
    """The HMAC key the first release hashed `purpose` values under (from the legacy file)."""
    return _subkey(legacy_key(), "hash:" + purpose)


def keyed_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 under `key`: for random, high-entropy values (recovery codes), where a
    slow password hash buys nothing and a database copy alone must not allow guessing."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
