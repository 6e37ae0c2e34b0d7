"""Staff accounts from a CSV (`kiosk users import`): username, full name, roles, e-mail.

Headers are matched loosely ("Username"/"Login", "Full name"/"Name", "Roles"/"Role",
"E-mail"/"Email"); roles in one cell are separated by ';', '|' or ',' ("deputy dsl" reads as deputy_dsl). UTF-8 only
(a BOM and Windows line endings are fine). Pure: rows out, nothing written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from kiosk.imports.common import MAX_BYTES, ImportFileError, RefusedRow
from kiosk.imports.roll_csv import decode_text, norm_header
from kiosk.text import has_control_chars

HEADERS = {
    "username": "username", "user name": "username", "login": "username", "user": "username",
    "full name": "full_name", "name": "full_name", "display name": "full_name",
    "roles": "roles", "role": "roles",
    "e mail": "email", "email": "email", "email address": "email", "e mail address": "email",
}
REQUIRED = ("username", "full_name", "roles")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class StaffRow:
    line: int
    username: str
    full_name: str
    roles: tuple[str, ...]
    email: str


@dataclass
class ParsedStaff:
    rows: list[StaffRow]
    refused: list[RefusedRow]


def read_staff(data: bytes, name: str = "file") -> ParsedStaff:
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"{name}: the file is too large ({len(data) / 1048576:.1f} MB)")
    text = decode_text(data, name)
    if not text.strip():
        raise ImportFileError(f"{name}: the file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [norm_header(h) for h in next(reader)]
    columns: dict[str, int] = {}
    for i, h in enumerate(header):
        field = HEADERS.get(h)
        if field and field not in columns:
            columns[field] = i
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ImportFileError(f"{name}: no column for {missing[0].replace('_', ' ')} "
                              "(the header row needs username, full name, roles and e-mail)")
    out = ParsedStaff([], [])
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue

            def cell(field: str) -> str:
                i = columns.get(field)
                return " ".join(values[i].split()) if i is not None and i < len(values) else ""

            username, full, roles, email = cell("username").lower(), cell("full_name"), cell("roles"), cell("email")
            who = username or f"row {line}"
            if any(has_control_chars(x) for x in (username, full, roles, email)):
                out.refused.append(RefusedRow(line, f"row {line}", "contains control characters"))
                continue
            if not username or not full:
                out.refused.append(RefusedRow(line, who, "no username" if not username else "no full name"))
                continue
            if email and not EMAIL.fullmatch(email):
                out.refused.append(RefusedRow(line, who, f"{email!r} is not an e-mail address"))
                continue
            if username in seen:
                out.refused.append(RefusedRow(line, who, f"the same username as row {seen[username]}"))
                continue
            seen[username] = line
            parts = tuple(dict.fromkeys(r.strip().lower().replace(" ", "_") for r in re.split(r"[;|,]", roles) if r.strip()))
            out.rows.append(StaffRow(line, username, full, parts or ("staff",), email))
    except csv.Error as exc:
        raise ImportFileError(f"{name}: not a readable CSV (line {reader.line_num}: {exc})") from None
    if not out.rows and not out.refused:
        raise ImportFileError(f"{name}: a header row but no accounts")
    return out
