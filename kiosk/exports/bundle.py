"""The machine-readable child protection file: a sealed, signed JSON bundle.

File layout (JSON, UTF-8)::

    {"format": "kiosk-cp-transfer", "version": 1,
     "sender": {"school": ..., "key": <Ed25519 public key, base64>},
     "destination": {"school": ...},
     "kdf": {"name": "scrypt", "salt": b64, "n": 32768, "r": 8, "p": 1},
     "nonce": b64, "ciphertext": b64,            # AES-256-GCM, the header as associated data
     "signature": b64}                           # Ed25519 over everything above

The plaintext is `{"schema": "kiosk.cp-file", "schema_version": 1, "content": {...},
"content_sha256": ...}` where the hash is over the canonical JSON of `content`.

Opening checks, in order: that it is a bundle at all and of a version we read; the
signature (any change to any byte of the header or ciphertext is refused before the
password is even tried); the password (AES-GCM authenticates the plaintext too); the
content hash. The sender's key fingerprint is shown to the receiver, who can compare it with
the one the sending DSL gave by phone with the password; a school pinned before with a
different key is refused. The receipt code the receiver sends back is an HMAC of the
content hash under a key from the same password, so only someone who opened the bundle can
produce it and the sender can check it without any key of the receiver's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.errors import KioskError

FORMAT = "kiosk-cp-transfer"
VERSION = 1
SCHEMA = "kiosk.cp-file"
SCHEMA_VERSION = 1
KEY_FILENAME = "school_signing_key.pem"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_BUNDLE_BYTES = 50 * 1024 * 1024


class BundleError(KioskError):
    """A bundle that must not be imported; the message says why in one line."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise BundleError(f"this is not a child protection file bundle (bad {what})") from None


def canonical(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


# --- the school's signing key ------------------------------------------------------------

def load_or_create_school_key(data_dir: Path) -> Ed25519PrivateKey:
    """The school's Ed25519 key, in the data dir (owner-only), made on first use."""
    from kiosk.config import ensure_data_dir

    ensure_data_dir(Path(data_dir))  # on PostgreSQL nothing else may have made it yet
    path = Path(data_dir) / KEY_FILENAME
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise BundleError(f"{path}: the school's signing key can be read by others; chmod 600 it")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise BundleError(f"{path}: not an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{KEY_FILENAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        # Two consoles sending their first file at once: the first link wins, both use it.
        os.link(tmp, path)
    except FileExistsError:
        return load_or_create_school_key(data_dir)
    finally:
        os.unlink(tmp)
    return key


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: bytes) -> str:
    """Short enough to read over the phone: groups of four from SHA-256 of the public key."""
    digest = base64.b32encode(hashlib.sha256(public).digest()).decode("ascii")[:20]
    return "-".join(digest[i:i + 4] for i in range(0, 20, 4))


# --- sealing and opening -----------------------------------------------------------------

def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def seal(content: dict, password: str, key: Ed25519PrivateKey, sender_school: str,
         destination_school: str) -> tuple[bytes, str]:
    """The bundle's bytes and the content hash."""
    digest = content_hash(content)
    plaintext = canonical({"schema": SCHEMA, "schema_version": SCHEMA_VERSION,
                           "content": content, "content_sha256": digest})
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = {
        "format": FORMAT, "version": VERSION,
        "sender": {"school": sender_school, "key": _b64(public_bytes(key))},
        "destination": {"school": destination_school},
        "kdf": {"name": "scrypt", "salt": _b64(salt), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "nonce": _b64(nonce),
    }
    aes = AESGCM(_derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
    ciphertext = aes.encrypt(nonce, plaintext, canonical(header))
    signed = dict(header, ciphertext=_b64(ciphertext))
    signature = key.sign(canonical(signed))
    return canonical(dict(signed, signature=_b64(signature))), digest


@dataclass(frozen=True)
class OpenedBundle:
    sender_school: str
    sender_key: bytes
    sender_fingerprint: str
    destination_school: str
    content: dict
    content_sha256: str


def read_header(data: bytes) -> dict:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("this file is too large to be a child protection file bundle")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleError("this is not a child protection file bundle (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError("this is not a child protection file bundle from a DSL console")
    if doc.get("version") != VERSION:
        raise BundleError(f"bundle format version {doc.get('version')!r} is not one this console reads "
                          f"(it reads {VERSION}); ask the sender to export again or upgrade")
    for name in ("sender", "destination", "kdf", "nonce", "ciphertext", "signature"):
        if name not in doc:
            raise BundleError(f"this bundle is incomplete (no {name}); it was damaged or altered")
    if not isinstance(doc["sender"], dict) or not isinstance(doc["kdf"], dict) \
            or not isinstance(doc["destination"], dict):
        raise BundleError("this bundle is malformed; it was damaged or altered")
    return doc


def open_bundle(data: bytes, password: str) -> OpenedBundle:
    doc = read_header(data)
    signature = _unb64(doc.pop("signature"), "signature")
    public = _unb64(doc["sender"].get("key", ""), "sender key")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, canonical(doc))
    except (InvalidSignature, ValueError):
        raise BundleError("the signature does not match: this bundle was altered after it was "
                          "sent, or was not made by the school it names; it was not imported") from None
    kdf = doc["kdf"]
    if kdf.get("name") != "scrypt" or not all(isinstance(kdf.get(k), int) for k in ("n", "r", "p")) \
            or not (2**14 <= kdf["n"] <= 2**20 and 1 <= kdf["r"] <= 16 and 1 <= kdf["p"] <= 4):
        raise BundleError("this bundle uses key settings this console does not accept")
    header = {k: v for k, v in doc.items() if k != "ciphertext"}
    try:
        key = _derive(password or "", _unb64(kdf.get("salt", ""), "salt"), kdf["n"], kdf["r"], kdf["p"])
        plaintext = AESGCM(key).decrypt(_unb64(doc["nonce"], "nonce"), _unb64(doc["ciphertext"], "data"),
                                        canonical(header))
    except InvalidTag:
        raise BundleError("the password is wrong (check it with the sending DSL); nothing was imported") from None
    try:
        inner = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleError("the records in this bundle cannot be read; nothing was imported") from None
    if not isinstance(inner, dict):
        raise BundleError("the records in this bundle are not in the expected form; nothing was imported")
    if inner.get("schema") != SCHEMA or inner.get("schema_version") != SCHEMA_VERSION:
        raise BundleError(f"record schema {inner.get('schema')!r} v{inner.get('schema_version')!r} "
                          "is not one this console reads")
    content = inner.get("content")
    if not isinstance(content, dict) or content_hash(content) != inner.get("content_sha256"):
        raise BundleError("the records do not match their hash: the bundle is damaged; nothing was imported")
    return OpenedBundle(
        sender_school=str(doc["sender"].get("school", "")), sender_key=public,
        sender_fingerprint=fingerprint(public),
        destination_school=str(doc["destination"].get("school", "")),
        content=content, content_sha256=inner["content_sha256"])


def receipt_code(content_sha256: str, password: str) -> str:
    """The acknowledgement the receiving DSL reads back: 12 characters in three groups."""
    key = hashlib.sha256(b"kiosk-receipt\x00" + password.encode("utf-8")).digest()
    mac = hmac.new(key, content_sha256.encode("ascii"), hashlib.sha256).digest()
    text = base64.b32encode(mac).decode("ascii")[:12]  # A-Z and 2-7: nothing to misread as O or I
    return "-".join(text[i:i + 4] for i in range(0, 12, 4))


def receipt_matches(code: str, content_sha256: str, password_hmac_key: bytes) -> bool:
    """Check a code typed by the sender against the stored receipt key (not the password)."""
    mac = hmac.new(password_hmac_key, content_sha256.encode("ascii"), hashlib.sha256).digest()
    want = base64.b32encode(mac).decode("ascii")[:12]
    given = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hmac.compare_digest(given, want)


def receipt_key(password: str) -> bytes:
    """What the sender keeps to check the receipt code later (never the password itself)."""
    return hashlib.sha256(b"kiosk-receipt\x00" + password.encode("utf-8")).digest()
