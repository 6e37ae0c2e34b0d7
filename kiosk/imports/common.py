"""What the roll parsers share: the row they produce, the whole-file error, dates and year
groups as MIS exports write them, and `read_roll()` which picks CTF or CSV by content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.errors import KioskError
from kiosk.imports.upn import normalise_upn, upn_problem
from kiosk.text import has_control_chars

# A whole roll with contacts for 2,000 pupils is a few MB; a CTF carrying assessment and
# attendance history is larger. Past this we refuse rather than hold it in memory.
MAX_BYTES = 32 * 1024 * 1024


class ImportFileError(KioskError):
    """The file as a whole cannot be used (one line: what and how to fix it)."""


@dataclass(frozen=True)
class RollRow:
    line: int  # CSV line number or CTF pupil position, for messages
    upn: str
    former_upn: str
    first_name: str
    last_name: str
    preferred_first: str
    preferred_last: str
    date_of_birth: date
    year_group: int | None
    form_group: str
    admission_number: str
    sex: str
    # Keys shared by siblings: a contact, an address, a CSV family column.
    family_keys: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class RefusedRow:
    line: int
    who: str  # the name as far as it could be read
    reason: str


@dataclass
class ParsedRoll:
    kind: str  # "CTF 24", "CTF 25", "CSV"
    source: str  # the sending school's name, or the CSV's column list
    rows: list[RollRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)


# Dates as MIS exports write them. Two-digit years are refused: for a date of birth the
# century cannot be guessed safely.
ROLL_DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%Y/%m/%d",
)


def parse_roll_date(text: str) -> date:
    """A date of birth as an MIS writes it; ValueError saying why not."""
    value = " ".join(text.split())
    if not value:
        raise ValueError("no date of birth")
    # ISO with a zone or fraction (Wonde: 2015-03-04T00:00:00.000000Z): the date part decides.
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?", value)
    if m:
        value = m.group(1)
    for fmt in ROLL_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a possible date")


def parse_year_group(text: str) -> int | None:
    """NC year: "7", "Y7", "Year 7", "R"/"Reception" (0), "N1"/"N2"/"Nursery" (-1).
    None when blank or not following the national curriculum ("X")."""
    value = " ".join(text.split()).lower()
    if not value or value in ("x", "n/a", "none"):
        return None
    if value in ("r", "rec", "reception", "yr", "year r"):
        return 0
    if value in ("n", "n1", "n2", "nursery", "nur") or value.startswith("nursery"):
        return -1
    m = re.fullmatch(r"(?:year|yr|y|nc year|ncy)?\s*(\d{1,2})", value)
    if m and 0 <= int(m.group(1)) <= 14:
        return int(m.group(1))
    raise ValueError(f"year group {text.strip()!r} is not a national curriculum year")


def year_from_birth(dob: date, on: date) -> int:
    """The NC year a child born on `dob` is in on `on` (England: the school year starts on
    1 September; a child starts Reception in the September after turning 4)."""
    start = on.year if on.month >= 9 else on.year - 1  # the school year containing `on`
    cohort = dob.year if dob.month < 9 else dob.year + 1  # Reception starts cohort + 4
    return max(-1, min(14, start - cohort - 4))


def clean_text(value: str | None, what: str, limit: int) -> str:
    """Imported text: trimmed, single-spaced; control characters or overlong refused."""
    text = " ".join((value or "").split()) if value else ""
    if has_control_chars(text):
        raise ValueError(f"{what} contains control characters")
    if len(text) > limit:
        raise ValueError(f"{what} is too long ({len(text)} characters; at most {limit})")
    return text


def make_row(line: int, *, upn="", former_upn="", first="", last="", preferred_first="",
             preferred_last="", dob="", year="", form="", admission="", sex="",
             family_keys=()) -> RollRow | RefusedRow:
    """Validate one pupil's fields; a RefusedRow names the first problem."""
    who = " ".join(x for x in (str(first or "").strip(), str(last or "").strip()) if x)[:80] or f"row {line}"
    if has_control_chars(who):
        who = f"row {line}"
    try:
        first_name = clean_text(first, "forename", 100)
        last_name = clean_text(last, "surname", 100)
        if not first_name or not last_name:
            raise ValueError("no " + ("forename" if not first_name else "surname"))
        number = normalise_upn(clean_text(upn, "UPN", 40))
        if number and (problem := upn_problem(number)):
            raise ValueError(problem)
        former = normalise_upn(clean_text(former_upn, "former UPN", 40))
        if former and (problem := upn_problem(former)):
            raise ValueError("former " + problem)
        if former == number:
            former = ""
        try:
            born = parse_roll_date(str(dob or ""))
        except ValueError as exc:
            raise ValueError(f"date of birth: {exc}") from None
        return RollRow(
            line=line, upn=number, former_upn=former, first_name=first_name,
            last_name=last_name,
            preferred_first=clean_text(preferred_first, "preferred forename", 100),
            preferred_last=clean_text(preferred_last, "preferred surname", 100),
            date_of_birth=born, year_group=parse_year_group(clean_text(year, "year group", 20)),
            form_group=clean_text(form, "form", 20),
            admission_number=clean_text(admission, "admission number", 20),
            sex=clean_text(sex, "sex", 10).upper()[:1], family_keys=tuple(family_keys),
        )
    except ValueError as exc:
        return RefusedRow(line, who, str(exc))


def refuse_duplicate_upns(parsed: ParsedRoll) -> None:
    """Rows sharing a UPN are all refused: which one is right is for the MIS to settle."""
    seen: dict[str, int] = {}
    for r in parsed.rows:
        if r.upn:
            seen[r.upn] = seen.get(r.upn, 0) + 1
    dupes = {u for u, n in seen.items() if n > 1}
    if not dupes:
        return
    keep = []
    for r in parsed.rows:
        if r.upn in dupes:
            parsed.refused.append(RefusedRow(r.line, r.label, f"duplicate UPN {r.upn} in the file"))
        else:
            keep.append(r)
    parsed.rows = keep
    parsed.refused.sort(key=lambda x: x.line)


def read_roll(data: bytes, name: str = "file", mapping: dict[str, str] | None = None) -> ParsedRoll:
    """Parse a roll export: CTF XML if it looks like XML, else CSV."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"{name}: the file is too large ({len(data) / 1048576:.1f} MB; at most "
            f"{MAX_BYTES // 1048576} MB): export the pupils' basic details only")
    if not data.strip():
        raise ImportFileError(f"{name}: the file is empty")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        from kiosk.imports.ctf import parse_ctf

        if mapping:
            raise ImportFileError(f"{name}: --map applies to CSV files, not to a CTF")
        parsed = parse_ctf(data, name)
    else:
        from kiosk.imports.roll_csv import parse_roll_csv

        parsed = parse_roll_csv(data, name, mapping or {})
    refuse_duplicate_upns(parsed)
    return parsed
