"""Fixtures for the unit tests: a data dir for the admin CLI."""

from __future__ import annotations

import pytest

from kiosk.db import close_pool, db
from tests.conftest import TEST_DB_URL, _reset_postgres


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    if TEST_DB_URL:
        _reset_postgres(TEST_DB_URL)
    path = tmp_path / "school"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(path))
    yield path
    if db.obj is not None and not db.is_closed():
        db.close()
    close_pool()
    db.initialize(None)
