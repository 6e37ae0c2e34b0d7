"""cryptography's work in a child process (kiosk/crypto_child.py): the same answers as in the
process itself, the same refusals, a fallback when the child cannot run, and a console-like
process that seals, opens and signs without ever loading cryptography."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk import crypto_child, fieldcrypt
from kiosk.errors import ConfigError

KEY = bytes(range(32))


@pytest.fixture
def child(monkeypatch):
    """Child mode on, and every request counted (the process under test has cryptography loaded
    already, so _wanted() is told to ignore that)."""
    asked = []
    real = crypto_child._ask_child
    monkeypatch.setattr(crypto_child, "_use_child", True)
    monkeypatch.setattr(crypto_child, "_wanted", lambda: True)
    monkeypatch.setattr(crypto_child, "_ask_child", lambda request: asked.append(request["op"]) or real(request))
    return asked


def test_sealed_in_the_child_opens_here_and_back(child, monkeypatch):
    token = fieldcrypt.seal(b"JBSWY3DPEHPK3PXP", "totp:user:7", key=KEY)
    assert child == ["seal"]
    with monkeypatch.context() as here:
        here.setattr(crypto_child, "_wanted", lambda: False)
        assert fieldcrypt.unseal(token, "totp:user:7", key=KEY) == b"JBSWY3DPEHPK3PXP"
        sealed_here = fieldcrypt.seal(b"another secret", "totp:user:8", key=KEY)
    assert fieldcrypt.unseal(sealed_here, "totp:user:8", key=KEY) == b"another secret"
    assert child == ["seal", "open"]


@pytest.mark.parametrize("spoil", ["context", "key", "body"])
def test_what_does_not_open_is_refused_the_same_way(child, spoil):
    token = fieldcrypt.seal(b"JBSWY3DPEHPK3PXP", "totp:user:7", key=KEY)
    context, key = "totp:user:7", KEY
    if spoil == "context":
        context = "totp:user:8"  # the secret copied onto another account
    elif spoil == "key":
        key = bytes(32)
    else:
        token = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        fieldcrypt.unseal(token, context, key=key)
    assert child[-1] == "open"


def test_a_checkpoint_signed_in_the_child_verifies(child, settings):
    from kiosk import keys

    keys.signing_key(settings)  # made here the first time, as a console's first checkpoint does
    signature = crypto_child.sign_checkpoint(settings, b'{"seq":1000}')
    assert child == ["sign"]
    keys.public_key(settings).verify(signature, b'{"seq":1000}')  # raises if it does not


def test_the_first_checkpoint_makes_the_key_in_the_child_owner_only(child, settings):
    """A console's first checkpoint (the key is made on first use) must not load cryptography
    either: the memory bench's hour grew 9 MiB at its 1,000th audit event when it did."""
    import stat

    from kiosk import keys

    assert not keys.signing_key_path(settings).exists()
    signature = crypto_child.sign_checkpoint(settings, b"body")
    assert child == ["sign"]
    assert stat.S_IMODE(keys.signing_key_path(settings).stat().st_mode) == 0o600
    keys.public_key(settings).verify(signature, b"body")
    # The same key from then on.
    keys.public_key(settings).verify(crypto_child.sign_checkpoint(settings, b"again"), b"again")


def test_when_the_child_cannot_run_the_work_is_done_here(child, monkeypatch, settings):
    from kiosk import keys

    monkeypatch.setattr(crypto_child, "_command", lambda: ["/nonexistent/python"])
    token = fieldcrypt.seal(b"secret", "totp:user:1", key=KEY)
    assert fieldcrypt.unseal(token, "totp:user:1", key=KEY) == b"secret"
    keys.signing_key(settings)
    keys.public_key(settings).verify(crypto_child.sign_checkpoint(settings, b"x"), b"x")
    assert child == ["seal", "open", "sign"]  # each asked, each failed, each done here


def test_a_console_seals_opens_and_signs_without_loading_cryptography(settings):
    """What a console does (open_records turns child mode on), in a process of its own."""
    from kiosk import keys

    public = keys.public_key_path(settings)  # made by the child, at the first checkpoint
    script = (
        "import sys, base64\n"
        "from kiosk import crypto_child, fieldcrypt\n"
        "from kiosk.config import Settings\n"
        "crypto_child.use_child()\n"
        "from pathlib import Path\n"
        f"key = bytes(range(32)); settings = Settings(data_dir=Path({str(settings.data_dir)!r}))\n"
        "token = fieldcrypt.seal(b'JBSWY3DPEHPK3PXP', 'totp:user:3', key=key)\n"
        "assert fieldcrypt.unseal(token, 'totp:user:3', key=key) == b'JBSWY3DPEHPK3PXP'\n"
        "sig = crypto_child.sign_checkpoint(settings, b'checkpoint')\n"
        "print(base64.b64encode(sig).decode(), sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
    )
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    out = done.stdout.split()
    assert out[1:] == ["[]"], done.stderr
    import base64

    from cryptography.hazmat.primitives import serialization

    serialization.load_pem_public_key(public.read_bytes()).verify(base64.b64decode(out[0]), b"checkpoint")
