"""Encrypting single fields (TOTP secrets) and keying hashes of recovery codes.

The key comes from ONE function, `field_key()`: today it reads a 32-byte key file in the
data directory (`field.key`, created owner-only on first need, refused if anyone else
may read it). When the encrypted database's key handling (kiosk/keys.py, issue 15)
lands, `field_key()` returns the field-encryption key derived from the database key
instead; nothing else changes. Sealed values carry the key's origin as a prefix
("f1:" = key file) so a migration can find and re-seal the old ones.

AES-256-GCM with a random 96-bit nonce; the associated data binds a ciphertext to its
purpose and row (a secret copied onto another account will not open there).
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

KEY_FILENAME = "field.key"
KEY_BYTES = 32
PREFIX = "f1:"

_lock = threading.Lock()
_key_dir: Path | None = None
_cached: tuple[Path, bytes] | None = None


def configure(data_dir: Path) -> None:
    """Tell the module where the data directory is (called when the database opens)."""
    global _key_dir, _cached
    with _lock:
        if _key_dir != Path(data_dir):
            _cached = None
        _key_dir = Path(data_dir)


def key_path() -> Path:
    if _key_dir is None:
        raise ConfigError("field encryption is not configured (no data directory known)")
    return _key_dir / KEY_FILENAME


def _check_mode(path: Path) -> None:
    st = path.stat()
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: the key file may be read by others; run: chmod 600 {path}")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise ConfigError(f"{path}: the key file belongs to another user; it must be this user's own")


def field_key() -> bytes:
    """THE SEAM: the 32-byte key for field encryption.

    At the merge with the encrypted database (issue 15) this returns
    `kiosk.keys.field_encryption_key()` when the database is encrypted.
    """
    global _cached
    path = key_path()
    with _lock:
        if _cached is not None and _cached[0] == path:
            return _cached[1]
        if not path.exists():
            from kiosk.config import ensure_data_dir

            ensure_data_dir(path.parent)  # on PostgreSQL the data dir may not exist yet
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            _check_mode(path)
            raw = path.read_bytes()
            if len(raw) != KEY_BYTES:
                raise ConfigError(f"{path}: not a field key ({len(raw)} bytes, expected {KEY_BYTES})")
        else:
            raw = os.urandom(KEY_BYTES)
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
        _cached = (path, raw)
        return raw


def _subkey(purpose: str) -> bytes:
    # One key file, separate keys per use (encryption vs. hashing recovery codes).
    return hmac.new(field_key(), b"kiosk-field-subkey:" + purpose.encode(), hashlib.sha256).digest()


def seal(plaintext: bytes, context: str) -> str:
    """Encrypt `plaintext`; `context` (e.g. "totp:user:12") must be given again to open it."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    ct = AESGCM(_subkey("aes-gcm")).encrypt(nonce, plaintext, context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + ct).decode()


def unseal(token: str, context: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not token.startswith(PREFIX):
        raise ConfigError("a stored secret was sealed with an unknown key")
    raw = base64.urlsafe_b64decode(token[len(PREFIX):])
    try:
        return AESGCM(_subkey("aes-gcm")).decrypt(raw[:12], raw[12:], context.encode())
    except InvalidTag:
        raise ConfigError(
            f"a stored secret cannot be decrypted: wrong or replaced key file ({key_path()})"
        ) from None


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 under a subkey: for random, high-entropy values (recovery codes), where
    a slow password hash buys nothing and a database copy alone must not allow guessing."""
    return hmac.new(_subkey("hash:" + purpose), value.encode(), hashlib.sha256).hexdigest()
