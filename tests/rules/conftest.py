"""Fixtures for the rules tests: the packaged profile, and ways to break a copy of it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from kiosk.rules import DEFAULT_PROFILE_PATH, load_profile, profile_from_dict

DEFAULT_TEXT = DEFAULT_PROFILE_PATH.read_text(encoding="utf-8")
DEFAULT_DATA = tomllib.loads(DEFAULT_TEXT)
PROFILE = load_profile()  # loaded once: the rules are pure, tests never change it


@pytest.fixture
def profile():
    return PROFILE


@pytest.fixture
def default_data():
    """A deep copy of the default profile as parsed TOML, to break in one place."""
    return copy.deepcopy(DEFAULT_DATA)


def write_profile(tmp_path: Path, text: str, name: str = "school.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in the default profile"
    return text.replace(old, new)


def build(data: dict):
    return profile_from_dict(data, "test.toml")
