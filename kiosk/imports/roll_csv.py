"""MIS CSV exports of the roll (SIMS reports, Arbor and Bromcom exports, Wonde syncs).

Columns are found by their headers (case, spaces and underscores ignored); `--map
'Column=field'` names any other. The file must be UTF-8 (a BOM and Windows line endings
are fine); a comma, semicolon or tab separates the columns.
"""

from __future__ import annotations

import csv
import io
import re

from kiosk.imports.common import ImportFileError, ParsedRoll, RefusedRow, make_row

# field -> what it is called in messages
FIELDS = {
    "upn": "UPN", "former_upn": "former UPN", "first_name": "forename", "last_name": "surname",
    "preferred_first": "preferred forename", "preferred_last": "preferred surname",
    "dob": "date of birth", "year": "year group", "form": "form", "admission_number":
    "admission number", "sex": "sex", "family": "family",
}
REQUIRED = ("first_name", "last_name", "dob")

# Normalised header -> field. Wonde's `forename` is the preferred one when
# `legal_forename` is present (handled below).
HEADERS = {
    "upn": "upn", "unique pupil number": "upn", "pupil upn": "upn",
    "former upn": "former_upn", "previous upn": "former_upn",
    "legal surname": "last_name", "surname": "last_name", "last name": "last_name",
    "lastname": "last_name", "family name": "last_name", "legal last name": "last_name",
    "forename": "first_name", "first name": "first_name", "firstname": "first_name",
    "legal forename": "first_name", "legal first name": "first_name", "given name": "first_name",
    "preferred forename": "preferred_first", "preferred first name": "preferred_first",
    "preferred name": "preferred_first", "known as": "preferred_first",
    "preferred surname": "preferred_last", "preferred last name": "preferred_last",
    "dob": "dob", "date of birth": "dob", "birth date": "dob", "birthdate": "dob",
    "year": "year", "year group": "year", "nc year": "year", "year name": "year",
    "national curriculum year": "year", "curriculum year": "year", "nc year actual": "year",
    "reg group": "form", "tutor group": "form", "form": "form", "registration group": "form",
    "registration name": "form", "reg": "form", "form group": "form", "class": "form",
    "admission number": "admission_number", "adno": "admission_number",
    "admission no": "admission_number", "adm no": "admission_number",
    "gender": "sex", "sex": "sex", "legal sex": "sex",
    "family": "family", "family id": "family", "family code": "family", "family ref": "family",
    "sibling group": "family", "household id": "family",
}


def parse_map(items: list[str] | None) -> dict[str, str]:
    """['Pupil Surname=last_name', ...] -> {'Pupil Surname': 'last_name'} (the --map option)."""
    mapping: dict[str, str] = {}
    for item in items or []:
        column, sep, field = item.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise ImportFileError(f"--map {item!r}: write it as 'Column heading=field'")
        mapping[column.strip()] = field.strip()
    return mapping


def norm_header(header: str) -> str:
    return " ".join(re.sub(r"[_.\-]+", " ", header).lower().split())


def decode_text(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{name}: the file is UTF-16 (Excel 'Unicode text'); save it as 'CSV UTF-8'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}); "
            f"export or save it as 'CSV UTF-8'") from None


def parse_roll_csv(data: bytes, name: str = "file", mapping: dict[str, str] | None = None) -> ParsedRoll:
    text = decode_text(data, name)
    if "\x00" in text:
        raise ImportFileError(f"{name}: the file contains NUL bytes; it is not a CSV export")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportFileError(f"{name}: no header row") from None
    # Column index for each field: --map first, then known headers.
    columns: dict[str, int] = {}
    normalised = [norm_header(h) for h in header]
    for col, field in (mapping or {}).items():
        if field not in FIELDS:
            raise ImportFileError(f"--map {col}={field}: unknown field; use one of {', '.join(FIELDS)}")
        if norm_header(col) not in normalised:
            raise ImportFileError(f"--map {col}={field}: {name} has no column {col!r}")
        columns[field] = normalised.index(norm_header(col))
    if "legal forename" in normalised and "forename" in normalised and "preferred_first" not in columns:
        columns["preferred_first"] = normalised.index("forename")
        columns.setdefault("first_name", normalised.index("legal forename"))
    for i, h in enumerate(normalised):
        field = HEADERS.get(h)
        if field and field not in columns and i not in columns.values():
            columns[field] = i
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        looked = [h for h, f in HEADERS.items() if f == missing[0]][:4]
        raise ImportFileError(
            f"{name}: no column for {FIELDS[missing[0]]} (looked for {', '.join(looked)}); "
            f"name it with --map 'COLUMN={missing[0]}'")
    parsed = ParsedRoll(kind="CSV", source=", ".join(h.strip() for h in header)[:200])

    def cell(values, field):
        i = columns.get(field)
        return values[i] if i is not None and i < len(values) else ""

    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) + 1:
                parsed.refused.append(RefusedRow(line, f"row {line}", f"{len(values)} cells for {len(header)} columns"))
                continue
            family = cell(values, "family").strip()
            row = make_row(
                line, upn=cell(values, "upn"), former_upn=cell(values, "former_upn"),
                first=cell(values, "first_name"), last=cell(values, "last_name"),
                preferred_first=cell(values, "preferred_first"),
                preferred_last=cell(values, "preferred_last"), dob=cell(values, "dob"),
                year=cell(values, "year"), form=cell(values, "form"),
                admission=cell(values, "admission_number"), sex=cell(values, "sex"),
                family_keys=("family:" + family.lower(),) if family else (),
            )
            (parsed.refused if isinstance(row, RefusedRow) else parsed.rows).append(row)
    except csv.Error as exc:
        raise ImportFileError(f"{name}: not a readable CSV (line {reader.line_num}: {exc})") from None
    if not parsed.rows and not parsed.refused:
        raise ImportFileError(f"{name}: a header row but no pupils")
    return parsed
