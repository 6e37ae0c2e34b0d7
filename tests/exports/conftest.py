"""Fixtures for exports: the concern tests' small school, a profile, and a second school."""

from __future__ import annotations

import dataclasses
import io

import pytest

from tests.concerns.conftest import record, school  # noqa: F401


@pytest.fixture
def profile():
    from kiosk.rules import load_profile

    return load_profile()


@pytest.fixture
def scrypt_fast(monkeypatch):
    """scrypt at full cost takes ~0.1 s per open; tests open many bundles."""
    from kiosk.exports import bundle

    monkeypatch.setattr(bundle, "SCRYPT_N", 2**14)


def open_pdf(data: bytes, password: str | None):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if password is not None:
        assert reader.is_encrypted
        assert reader.decrypt(password)
    return reader


def pdf_text(reader) -> list[str]:
    return [p.extract_text() for p in reader.pages]


def other_profile(profile, name="Oak Hill Academy"):
    return dataclasses.replace(profile, school_name=name)
