"""cryptography's work done in a short-lived child process, for a console that should not load it.

Importing cryptography costs a process about 6.5 MiB (its Rust library's pages and OpenSSL's
tables) that it then keeps for life. A console needs it at three moments only: a sign-in with
an authenticator code (opening the stored secret: AES-GCM), setting up an authenticator
(sealing a new one), and once every 1,000 audit events (signing a checkpoint: Ed25519). So a
console (kiosk.cli.console.open_records calls `use_child()`) has that work done by a child,
`python -m kiosk.crypto_child`: one request as JSON on its standard input, one answer on its
standard output. What crosses the pipe is the AES sub-key for the one purpose (never the field
key it is derived from) and the signing key's path (never the key). A child costs a sign-in
with a code about 0.15 s (140-160 ms measured on a busy 2-core machine), in a worker, after the
password's hash.

Everywhere else (the shell's commands, the tests), when cryptography is loaded already, and
whenever a child cannot run or its answer is not one, the work is done in the process itself:
the answer is the same either way; only where the memory goes differs.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

CHILD_TIMEOUT_SECONDS = 30

_use_child = False


class BadTag(ValueError):
    """AES-GCM refused to open a value: the wrong key, or the value or its context changed."""


class _ChildFailed(Exception):
    pass


def use_child(on: bool = True) -> None:
    global _use_child
    _use_child = on


def _wanted() -> bool:
    return _use_child and "cryptography" not in sys.modules


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _command() -> list[str]:
    return [sys.executable, "-m", "kiosk.crypto_child"]


def _ask_child(request: dict) -> dict:
    try:
        done = subprocess.run(_command(), input=json.dumps(request), capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT_SECONDS, check=True)
        answer = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise _ChildFailed(str(exc)) from None
    if not isinstance(answer, dict) or not ({"ok", "bad_tag"} & answer.keys()):
        raise _ChildFailed("the child's answer is not one")
    return answer


def _aes_gcm_here(op: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    if op == "seal":
        return aes.encrypt(nonce, data, aad)
    try:
        return aes.decrypt(nonce, data, aad)
    except InvalidTag:
        raise BadTag("the value does not open with this key and context") from None


def aes_gcm(op: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """AES-GCM: op "seal" encrypts `data`, "open" decrypts it (BadTag when it does not open)."""
    if op not in ("seal", "open"):
        raise ValueError(op)
    if _wanted():
        try:
            answer = _ask_child({"op": op, "key": _b64(key), "nonce": _b64(nonce), "data": _b64(data),
                                 "aad": _b64(aad)})
        except _ChildFailed:
            pass
        else:
            if answer.get("bad_tag"):
                raise BadTag("the value does not open with this key and context")
            return base64.b64decode(answer["ok"])
    return _aes_gcm_here(op, key, nonce, data, aad)


def sign_checkpoint(settings, body: bytes) -> bytes:
    """The audit checkpoints' Ed25519 signature of `body` (kiosk.keys.signing_key, which makes
    the key the first time: in the child too)."""
    from kiosk import keys

    path = keys.signing_key_path(settings)
    if _wanted():
        try:
            answer = _ask_child({"op": "sign", "path": str(path), "public": str(keys.public_key_path(settings)),
                                 "data": _b64(body)})
            if "ok" in answer:
                return base64.b64decode(answer["ok"])
        except _ChildFailed:
            pass
    return keys.signing_key(settings).sign(body)


def _serve(request: dict) -> dict:
    """The child's side: one request, with cryptography."""
    op = request["op"]
    data = base64.b64decode(request["data"])
    if op == "sign":
        from kiosk import keys

        key = keys.signing_key_at(Path(request["path"]), Path(request["public"]))
        return {"ok": _b64(key.sign(data))}
    try:
        out = _aes_gcm_here(op, base64.b64decode(request["key"]), base64.b64decode(request["nonce"]), data,
                            base64.b64decode(request["aad"]))
    except BadTag:
        return {"bad_tag": True}
    return {"ok": _b64(out)}


def main() -> int:
    sys.stdout.write(json.dumps(_serve(json.loads(sys.stdin.read()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
