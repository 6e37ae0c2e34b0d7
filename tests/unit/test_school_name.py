"""The school's name remembered for the login screen's first paint (kiosk/school_name.py)."""

from __future__ import annotations

import os
import stat

from kiosk import school_name
from kiosk.config import Settings


def test_the_default_profile_path_is_the_profile_modules_own():
    from kiosk.rules.profile import DEFAULT_PROFILE_PATH

    assert school_name.DEFAULT_PROFILE_PATH == DEFAULT_PROFILE_PATH


def test_remembered_for_the_profile_file_as_it_was(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    profile = tmp_path / "profile.toml"
    profile.write_text("anything\n")
    settings = Settings(data_dir=data, profile_path=profile)
    assert school_name.remembered(settings) is None
    school_name.remember(settings, "Westley Middle School")
    assert school_name.remembered(settings) == "Westley Middle School"
    assert stat.S_IMODE(os.stat(data / school_name.FILENAME).st_mode) == 0o600
    # Any change to the file (here its size and time) and the profile is read before the login.
    profile.write_text("anything else\n")
    assert school_name.remembered(settings) is None
    # Another profile file, or none there at all.
    assert school_name.remembered(Settings(data_dir=data, profile_path=tmp_path / "other.toml")) is None


def test_a_damaged_memory_is_no_memory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(data_dir=data)
    school_name.remember(settings, "Westley Middle School")
    assert school_name.remembered(settings) == "Westley Middle School"
    for junk in ("", "not json", "[1, 2]", '{"profile": null}'):
        (data / school_name.FILENAME).write_text(junk)
        assert school_name.remembered(settings) is None


def test_nothing_is_written_without_a_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path / "not-there")
    school_name.remember(settings, "Westley Middle School")
    assert not (tmp_path / "not-there").exists()
