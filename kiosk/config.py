"""Where the console keeps its data and how it is set up.

Precedence: command-line option, then environment (KIOSK_DATA_DIR, KIOSK_DB_URL), then
`config.toml` in the data dir, then defaults. Errors name the file, the key and the fix.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from kiosk.errors import ConfigError

APP_NAME = "kiosk"
DB_FILENAME = "kiosk.sqlite3"
CONFIG_FILENAME = "config.toml"

KNOWN_ROLES = (
    "staff",
    "pastoral",
    "dsl",
    "deputy_dsl",
    "headteacher",
    "governor",
    "admin",
    "director_of_education",
    "trust_safeguarding_lead",
)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME + "-demo", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str | None = None
    profile_path: Path | None = None
    idle_timeout_seconds: int = 300
    remote_roles: tuple[str, ...] = ("dsl", "deputy_dsl")
    ssh_max_sessions: int = 8
    ssh_attempts_per_minute: int = 10
    # Ask every account for a second factor, not only the roles that read case records.
    two_factor_all_staff: bool = False
    theme: str | None = None  # None: chosen from the terminal's colours (see auto_theme)
    extra: dict = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILENAME

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


_INT_KEYS = {
    "idle_timeout_seconds": (10, 24 * 3600),
    "ssh_max_sessions": (1, 200),
    "ssh_attempts_per_minute": (1, 1000),
}


def _read_config_file(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied); fix its owner or mode")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax")


def _validate(path: Path, raw: dict) -> dict:
    out: dict = {}
    for key, value in raw.items():
        if key in _INT_KEYS:
            low, high = _INT_KEYS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"{path}: {key}: must be a whole number from {low} to {high}")
            out[key] = value
        elif key == "profile":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{path}: profile: must be the path of a school profile TOML file")
            p = Path(value).expanduser()
            out["profile_path"] = p if p.is_absolute() else (path.parent / p)
        elif key == "remote_roles":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: remote_roles: must be a list of role names")
            unknown = [v for v in value if v not in KNOWN_ROLES]
            if unknown:
                raise ConfigError(
                    f"{path}: remote_roles: unknown role {unknown[0]!r}; use any of {', '.join(KNOWN_ROLES)}"
                )
            out["remote_roles"] = tuple(value)
        elif key == "theme":
            if not isinstance(value, str):
                raise ConfigError(f"{path}: theme: must be a theme name such as 'ansi-dark'")
            out["theme"] = value
        elif key == "two_factor_all_staff":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: two_factor_all_staff: must be true or false")
            out["two_factor_all_staff"] = value
        elif key == "db_url":
            if not isinstance(value, str):
                raise ConfigError(f"{path}: db_url: must be a database URL such as postgresql://...")
            out["db_url"] = value
        else:
            raise ConfigError(f"{path}: {key}: unknown setting; remove it or check the spelling")
    return out


def load_settings(
    data_dir: str | os.PathLike | None = None,
    db_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    chosen = data_dir or env.get("KIOSK_DATA_DIR") or default_data_dir()
    path = Path(chosen).expanduser().resolve()
    values = _validate(path / CONFIG_FILENAME, _read_config_file(path / CONFIG_FILENAME))
    url = db_url or env.get("KIOSK_DB_URL") or values.pop("db_url", None)
    values.pop("db_url", None)
    return Settings(data_dir=path, db_url=url or None, **values)


def auto_theme(env: dict[str, str] | None = None) -> str:
    """A theme that stays legible on the terminal at hand.

    SSH forwards TERM but rarely COLORTERM, so a remote deputy's terminal often reports
    only 16 colours; Textual's default theme turns muddy there, the ANSI theme does not.
    """
    env = os.environ if env is None else env
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "textual-dark"
    if "256color" in env.get("TERM", ""):
        return "textual-dark"
    return "ansi-dark"


def ensure_data_dir(path: Path) -> None:
    """Create the data dir owner-only; tighten it if it already exists."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{path}: the data directory path is a file, not a directory")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except PermissionError:
        raise ConfigError(f"{path}: cannot create or use the data directory (permission denied)")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the data directory ({exc.strerror})")
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise ConfigError(f"{path}: the data directory is not readable and writable by this user")
