"""Any bytes given as a bundle are refused with one clear BundleError, never a crash; any
single changed byte of a real bundle is refused; text survives the round trip."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.exports import bundle

KEY = Ed25519PrivateKey.generate()
PASSWORD = "a password long enough"


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch):
    monkeypatch.setattr(bundle, "SCRYPT_N", 2**14)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(max_size=200).map(str.encode)
       | st.dictionaries(st.text(max_size=10), st.text(max_size=10)).map(
           lambda d: json.dumps(dict(d, format=bundle.FORMAT, version=1)).encode()))
def test_any_bytes_refused_cleanly(data):
    with pytest.raises(bundle.BundleError):
        bundle.open_bundle(data, PASSWORD)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_changed_byte_is_refused(data):
    sealed, _ = bundle.seal({"pupil": {"first_name": "A"}}, PASSWORD, KEY, "Here", "There")
    i = data.draw(st.integers(0, len(sealed) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = bytearray(sealed)
    changed[i] ^= flip
    with pytest.raises(bundle.BundleError):
        bundle.open_bundle(bytes(changed), PASSWORD)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_text_round_trips(text):
    sealed, digest = bundle.seal({"words": text}, PASSWORD, KEY, "Here", "There")
    opened = bundle.open_bundle(sealed, PASSWORD)
    assert opened.content == {"words": text} and opened.content_sha256 == digest
    assert opened.sender_fingerprint == bundle.fingerprint(bundle.public_bytes(KEY))
