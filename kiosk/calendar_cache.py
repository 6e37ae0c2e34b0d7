"""The console's own copy of England's bank holidays, so that it never imports holidays.

Every deadline the console shows counts working days (kiosk.rules.deadlines), and holidays
answers which days are bank holidays. Importing it and filling the calendar costs a console
about 6.6 MiB it would keep for the rest of its life (the package, its calendars and
dateutil) for some 280 dates. So the dates are read once per release of holidays, by a child
process (`python -m kiosk.calendar_cache`, which prints them as JSON), and kept in the data
dir (`cache/bank-holidays-england-<version>.json`, owner-only). When it opens the database a
console tells the rules where the dates are (kiosk.rules.bank_holidays); the first deadline
it works out reads the file, or runs the child and writes the file. Should the child fail,
holidays answers in the console itself, as before. A new release of holidays (new one-off
bank holidays) is a new file.

A file that fails any check (its version, its years, a date or name that does not parse) is
not used, and made again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from kiosk.text import has_control_chars

CHILD_TIMEOUT_SECONDS = 60


class NoHolidays(Exception):
    """holidays is not installed where this console can find it."""


def holidays_version() -> str:
    """The installed holidays' version, from the name of its dist-info directory, looked for
    along sys.path as importlib.metadata looks (without importing that: another 1.7 MiB for the
    console, as holidays' own version.py would)."""
    for entry in sys.path:
        try:
            found = sorted(Path(entry or ".").glob("holidays-*.dist-info"))
        except OSError:
            continue
        if len(found) > 1:
            raise NoHolidays(f"{len(found)} holidays dist-info directories in {entry}")
        if found:
            return found[0].name[len("holidays-"):-len(".dist-info")]
    raise NoHolidays("holidays is not installed")


def path_for(data_dir: Path, version: str | None = None) -> Path:
    version = version or holidays_version()
    safe = "".join(c for c in version if c.isalnum() or c in ".-+")
    return Path(data_dir) / "cache" / f"bank-holidays-england-{safe}.json"


def as_json(days: dict[date, str], version: str) -> str:
    from kiosk.rules.bank_holidays import CALENDAR_YEARS

    return json.dumps({
        "holidays": version,
        "region": "England",
        "years": [CALENDAR_YEARS.start, CALENDAR_YEARS.stop - 1],
        "days": {d.isoformat(): name for d, name in sorted(days.items())},
    }, indent=1)


def parse(text: str, version: str) -> dict[date, str] | None:
    """The dates in a file's text, or None if anything about it is off."""
    from kiosk.rules.bank_holidays import CALENDAR_YEARS

    try:
        data = json.loads(text)
        if (data.get("holidays") != version or data.get("region") != "England"
                or data.get("years") != [CALENDAR_YEARS.start, CALENDAR_YEARS.stop - 1]):
            return None
        days = {}
        for key, name in data["days"].items():
            d = date.fromisoformat(key)
            if (d.year not in CALENDAR_YEARS or not isinstance(name, str) or not name
                    or len(name) > 200 or has_control_chars(name)):
                return None
            days[d] = name
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    # Every year has its bank holidays (eight in England, more in some): a file cut short
    # would turn a bank holiday into a working day.
    years = {d.year for d in days}
    if years != set(CALENDAR_YEARS) or len(days) < 8 * len(CALENDAR_YEARS):
        return None
    return days


def read(data_dir: Path) -> dict[date, str] | None:
    try:
        text = path_for(data_dir).read_text(encoding="utf-8")
        return parse(text, holidays_version())
    except (OSError, UnicodeDecodeError, NoHolidays):
        return None


def write(data_dir: Path, text: str) -> None:
    """Owner-only, and whole or not at all (written beside it, then renamed)."""
    path = path_for(data_dir)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def from_child() -> str:
    """The dates as JSON, from a child process that imports holidays (so this one does not)."""
    done = subprocess.run([sys.executable, "-m", "kiosk.calendar_cache"], capture_output=True,
                          text=True, timeout=CHILD_TIMEOUT_SECONDS, check=True)
    return done.stdout


def make(data_dir: Path) -> dict[date, str] | None:
    """Read the dates in a child process and keep them in the data dir. None when the child
    fails or its answer does not check out (the console then goes on with holidays)."""
    try:
        version = holidays_version()
        text = from_child()
    except (OSError, subprocess.SubprocessError, NoHolidays):
        return None
    days = parse(text, version)
    if days is None:
        return None
    try:
        write(data_dir, text)
    except OSError:
        pass  # a data dir the console may not write to: the dates are still good for now
    return days


def install(data_dir: Path) -> None:
    """Have the rules take the dates from the data dir's copy, made if need be, the first time
    a deadline needs one (a console that shows none never reads the file)."""
    from kiosk.rules import bank_holidays

    bank_holidays.calendar_source(lambda: read(data_dir) or make(data_dir))


def main() -> int:
    from kiosk.rules import deadlines

    sys.stdout.write(as_json(deadlines.england_bank_holidays(), holidays_version()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
