"""Fixtures for data protection: the concern school, and an encrypted database."""

from __future__ import annotations

import pytest

from tests.concerns.conftest import record, school  # noqa: F401
from tests.conftest import TEST_DB_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite files and SQLCipher")


@pytest.fixture(autouse=True)
def _forget_keys():
    from kiosk import keys

    keys.forget()
    keys.set_passphrase_prompt(None)
    yield
    keys.forget()
    keys.set_passphrase_prompt(None)


@pytest.fixture
def key_file(settings):
    """An owner-only database key file beside the data dir (as `kiosk init --encrypt` makes)."""
    from kiosk import keys

    if TEST_DB_URL:
        pytest.skip("SQLCipher is for SQLite")
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys.write_key_file(keys.db_key_path(settings))
    return keys.db_key_path(settings)
