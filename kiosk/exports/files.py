"""Where exports are written: the school's chosen directory, owner-only, never a shared temp.

`config.toml` `export_dir` names it (validated by kiosk.config); without it, `exports/` in the
data directory. Files are created with O_EXCL and mode 0600 so nothing else can read them
even for a moment, and their SHA-256 goes into the audit trail.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ConfigError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ExportFile:
    path: Path
    sha256: str
    size: int


def export_dir(settings) -> Path:
    """The directory exports go to (created 0700 if missing; refused if others can reach it)."""
    chosen = getattr(settings, "export_dir", None)
    if not chosen:
        from kiosk.config import ensure_data_dir

        ensure_data_dir(Path(settings.data_dir))  # owner-only, even where no SQLite file made it
    path = Path(chosen) if chosen else Path(settings.data_dir) / "exports"
    path = path.expanduser()
    if not path.is_absolute():
        path = Path(settings.data_dir) / path
    _refuse_shared_temp(path)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the export directory ({exc.strerror})") from None
    if not path.is_dir():
        raise ConfigError(f"{path}: the export directory is not a directory")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{path}: the export directory can be read by others (mode {mode:o}); "
            f"run chmod 700 {path} or choose another export_dir")
    return path


def _refuse_shared_temp(path: Path) -> None:
    temp_roots = {Path(tempfile.gettempdir()).resolve(), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")}
    resolved = path.resolve()
    for root in temp_roots:
        if resolved == root:
            raise ConfigError(f"{path}: exports never go straight into a shared temporary directory; "
                              "set export_dir to a directory of the school's own")


def safe_name(text: str) -> str:
    return _SAFE.sub("-", text).strip("-")[:60] or "export"


def write_export(directory: Path, stem: str, suffix: str, data: bytes) -> ExportFile:
    """Write `data` to a new owner-only file in `directory`; never overwrites."""
    base = safe_name(stem)
    for _ in range(20):
        name = f"{base}{suffix}" if _ == 0 else f"{base}-{secrets.token_hex(2)}{suffix}"
        path = directory / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        return ExportFile(path, hashlib.sha256(data).hexdigest(), len(data))
    raise ConfigError(f"{directory}: could not find a free file name for {base}{suffix}")
