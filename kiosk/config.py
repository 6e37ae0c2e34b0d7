"""Where the console keeps its data and how it is set up.

Precedence: command-line option, then environment (KIOSK_DATA_DIR, KIOSK_DB_URL), then
`config.toml` in the data dir, then defaults. Errors name the file, the key and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from dataclasses import field as dataclass_field
from pathlib import Path

from kiosk.errors import ConfigError, DatabaseError

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
class MailSettings:
    """The school's own mail relay, for content-free notices (`[mail]` in config.toml)."""

    host: str
    from_address: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = dataclass_field(default=None, repr=False)
    password_file: Path | None = None
    timeout_seconds: int = 20
    ca_file: Path | None = None  # the relay's certificate authority, if not a public one

    def tls_context(self):
        import ssl

        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def read_password(self) -> str | None:
        """The relay password, from the file when one is named (read at each send, so a
        rotated password needs no restart)."""
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return self.password


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
    mail: MailSettings | None = None  # None: no e-mail notices
    export_dir: Path | None = None  # None: exports/ in the data dir (kiosk.exports.files)
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


# Backups, audit checkpoints and encryption (kiosk.keys, kiosk.services.backup).
_EXTRA_INT_KEYS = {
    "backup_keep_daily": (1, 365),
    "backup_keep_weekly": (0, 520),
    "backup_keep_monthly": (0, 1200),
    "checkpoint_every": (1, 10_000_000),
}
_EXTRA_PATH_KEYS = ("backup_dir", "backup_key_file", "checkpoint_log")


def _read_config_file(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            raw = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied); fix its owner or mode")
    import tomllib  # only when there is a file to read (~7 ms of every start-up otherwise)

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax")
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
        elif key in _EXTRA_INT_KEYS:
            low, high = _EXTRA_INT_KEYS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"{path}: {key}: must be a whole number from {low} to {high}")
            out.setdefault("extra", {})[key] = value
        elif key in _EXTRA_PATH_KEYS:
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{path}: {key}: must be a path")
            p = Path(value).expanduser()
            out.setdefault("extra", {})[key] = str(p if p.is_absolute() else (path.parent / p))
        elif key == "encrypt":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: encrypt: must be true or false")
            out.setdefault("extra", {})[key] = value
        elif key == "export_dir":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{path}: export_dir: must be the path of a directory for exported files")
            if any(ord(ch) < 32 for ch in value):
                raise ConfigError(f"{path}: export_dir: must not contain control characters")
            p = Path(value).expanduser()
            p = p if p.is_absolute() else (path.parent / p)
            if p.resolve() in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")):
                raise ConfigError(f"{path}: export_dir: not a shared temporary directory; "
                                  "choose a directory only the console's user can read")
            out["export_dir"] = p
        elif key == "db_url":
            if not isinstance(value, str):
                raise ConfigError(f"{path}: db_url: must be a database URL such as postgresql://...")
            out["db_url"] = value
        elif key == "mail":
            out["mail"] = _validate_mail(path, value)
        else:
            raise ConfigError(f"{path}: {key}: unknown setting; remove it or check the spelling")
    return out


_MAIL_KEYS = ("host", "port", "starttls", "username", "password", "password_file", "from",
              "timeout_seconds", "ca_file")


def _validate_mail(path: Path, raw) -> MailSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: mail: must be a table: a [mail] section with host and from")
    for key in raw:
        if key not in _MAIL_KEYS:
            raise ConfigError(f"{path}: mail.{key}: unknown setting; use any of {', '.join(_MAIL_KEYS)}")

    def text(key: str, what: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ConfigError(f"{path}: mail.{key}: must be {what}")
        return value.strip()

    host = text("host", "the mail relay's host name, e.g. host = \"smtp.school.example\"")
    if host is None:
        raise ConfigError(f"{path}: mail.host: missing; give the school's mail relay, e.g. host = \"smtp.school.example\"")
    sender = text("from", "an e-mail address, e.g. from = \"dsl-console@school.example\"")
    if sender is None or "@" not in sender or " " in sender:
        raise ConfigError(f"{path}: mail.from: missing or not an e-mail address; give the address notices come from, "
                          "e.g. from = \"dsl-console@school.example\"")
    starttls = raw.get("starttls", True)
    if not isinstance(starttls, bool):
        raise ConfigError(f"{path}: mail.starttls: must be true or false (true: upgrade to TLS before sending)")
    port = raw.get("port", 587 if starttls else 25)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ConfigError(f"{path}: mail.port: must be a port number from 1 to 65535, e.g. 587")
    timeout = raw.get("timeout_seconds", 20)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 300:
        raise ConfigError(f"{path}: mail.timeout_seconds: must be a whole number from 1 to 300")
    username = text("username", "the relay account's name, or leave it out")
    password = raw.get("password")
    if password is not None and (not isinstance(password, str) or not password):
        raise ConfigError(f"{path}: mail.password: must be text, or use password_file instead")
    pw_file = text("password_file", "the path of a file holding the relay password")
    if password is not None and pw_file is not None:
        raise ConfigError(f"{path}: mail.password: give password or password_file, not both; remove one")
    password_file = None
    if pw_file is not None:
        p = Path(pw_file).expanduser()
        password_file = p if p.is_absolute() else path.parent / p
        try:
            password_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: mail.password_file: {password_file} cannot be read "
                              f"({exc.strerror}); create it (owner-only) or fix the path") from None
    if (password is not None or password_file is not None) and username is None:
        raise ConfigError(f"{path}: mail.username: missing; a relay password needs the account name too")
    if username is not None and password is None and password_file is None:
        raise ConfigError(f"{path}: mail.password_file: missing; give password_file (or password) for {username!r}")
    ca = text("ca_file", "the path of the relay's CA certificate (PEM), or leave it out")
    ca_file = None
    if ca is not None:
        p = Path(ca).expanduser()
        ca_file = p if p.is_absolute() else path.parent / p
        try:
            import ssl

            ssl.create_default_context(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"{path}: mail.ca_file: {ca_file} is not a readable PEM certificate "
                              f"({getattr(exc, 'strerror', None) or exc}); fix the path or the file") from None
        if not starttls:
            raise ConfigError(f"{path}: mail.ca_file: only used with starttls = true; set it or remove ca_file")
    return MailSettings(host=host, from_address=sender, port=port, starttls=starttls,
                        username=username, password=password, password_file=password_file,
                        timeout_seconds=timeout, ca_file=ca_file)


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


def check_data_dir(settings: Settings, create: bool) -> None:
    """The data dir (and, unless `create`, the SQLite file) a console opens, checked without
    a database driver: `kiosk run` says what is missing before it takes the terminal."""
    if settings.db_url:
        return
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise DatabaseError(f"{settings.data_dir}: the data directory path is a file, not a directory")
    if not settings.data_dir.exists():
        if not create:
            raise DatabaseError(f"no data directory at {settings.data_dir}; run 'kiosk init' first")
    ensure_data_dir(settings.data_dir)
    if not create and not settings.db_path.exists():
        raise DatabaseError(f"no database at {settings.db_path}; run 'kiosk init' first")
