"""The school's name for the login screen's first paint, remembered from the profile.

The login screen shows one thing from the school profile, the school's name; reading the
profile (a TOML parser, the profile's classes, checking every key) costs ~15 ms before that
screen can be drawn. So `kiosk run` remembers the name, beside the database in the data dir,
for the profile file as it was when it was last read in full: its path, size and time of last
change, and this console's version. When all of these still match, the login screen is drawn
with the remembered name and the profile is read (and checked) after it, with the database;
no one can sign in before both are done, and a profile that fails its checks ends the console
as it always did. Any change to the file, or another console version, and the profile is read
before the login screen, as before.

Nothing here imports the profile's module or a TOML parser.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from kiosk import __version__

log = logging.getLogger(__name__)

FILENAME = "login-screen.json"
# kiosk.rules.profile.DEFAULT_PROFILE_PATH, without importing that module (a test pins it).
DEFAULT_PROFILE_PATH = Path(__file__).parent / "rules" / "default_profile.toml"


def _key(settings) -> list | None:
    path = Path(settings.profile_path or DEFAULT_PROFILE_PATH)
    try:
        stat = path.stat()
        return [str(path.resolve()), stat.st_size, stat.st_mtime_ns, __version__]
    except OSError:
        return None


def _file(settings) -> Path:
    return settings.data_dir / FILENAME


def remembered(settings) -> str | None:
    """The school's name if the profile file is unchanged since it was last read in full."""
    key = _key(settings)
    if key is None:
        return None
    try:
        saved = json.loads(_file(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("profile") != key:
        return None
    name = saved.get("school_name")
    return name if isinstance(name, str) and name else None


def remember(settings, school_name: str) -> None:
    """After the profile was read in full and passed its checks. Never raises."""
    key = _key(settings)
    if key is None or not settings.data_dir.is_dir():
        return
    path = _file(settings)
    try:
        if remembered(settings) == school_name:
            return
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"profile": key, "school_name": school_name}, fh)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not remember the school's name in %s", path, exc_info=True)
