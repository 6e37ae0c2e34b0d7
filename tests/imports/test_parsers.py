"""The roll parsers (kiosk/imports): real-shaped CTF 24/25 and MIS CSV files, the UPN
check letter and dates as exports write them, and bad files refused with one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from kiosk.imports import ImportFileError, RefusedRow, read_roll
from kiosk.imports.common import parse_roll_date, parse_year_group, year_from_birth
from kiosk.imports.upn import ALPHABET, check_letter, upn_problem
from tests.imports.helpers import BOMB

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, **kw):
    return read_roll((FIXTURES / name).read_bytes(), name, **kw)


# --- UPN check letter -----------------------------------------------------------------

def test_known_upns():
    # Worked by hand from the DfE rule (weights 2..13, mod 23, alphabet without I, O, S).
    assert check_letter("936200015010") == "U"
    assert upn_problem("U936200015010") is None
    assert upn_problem("E93620001601A") is None  # a temporary UPN ends in a letter
    assert "check letter" in upn_problem("A936200015010")
    assert "13 characters" in upn_problem("U93620001501")
    assert upn_problem("I936200015010") is not None  # I is never a check letter


bodies = st.builds(lambda digits, last: digits + last,
                   st.text("0123456789", min_size=11, max_size=11),
                   st.sampled_from(list("0123456789") + list(ALPHABET)))


@given(bodies)
def test_a_upn_with_its_check_letter_is_valid(body):
    assert upn_problem(check_letter(body) + body) is None


@given(bodies, st.sampled_from(ALPHABET))
def test_any_other_check_letter_is_refused(body, letter):
    if letter != check_letter(body):
        assert "check letter" in upn_problem(letter + body)


@given(bodies, st.integers(0, 10), st.integers(1, 9))
def test_one_mistyped_digit_is_caught(body, pos, delta):
    upn = check_letter(body) + body
    typo = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1:]
    # Weights 2..12 are all non-zero mod 23, so a single changed digit changes the sum mod 23.
    assert upn_problem(upn[0] + typo) is not None


# --- dates and year groups -------------------------------------------------------------

@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_every_export_format_reads_back_the_same_date(d):
    for text in (d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d-%m-%Y"), d.strftime("%d.%m.%Y"),
                 d.strftime("%d %b %Y"), d.strftime("%d %B %Y"), d.strftime("%d-%b-%Y"),
                 f"{d.isoformat()} 00:00:00.000000", f"{d.isoformat()}T00:00:00Z",
                 d.strftime("%d/%m/%Y 00:00")):
        assert parse_roll_date(text) == d, text


@given(st.text(max_size=30))
def test_date_parser_never_raises_anything_but_value_error(text):
    try:
        parse_roll_date(text)
    except ValueError:
        pass


@pytest.mark.parametrize("text", ["31/02/2015", "2015-13-01", "12/03/14", "", "next tuesday", "00/01/2015"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_roll_date(text)


@pytest.mark.parametrize("text,year", [("7", 7), ("Y7", 7), ("Year 10", 10), ("R", 0), ("Reception", 0),
                                       ("N2", -1), ("Nursery 1", -1), ("", None), ("X", None)])
def test_year_groups(text, year):
    assert parse_year_group(text) == year


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2022, 8, 31)))
def test_year_from_birth_is_the_english_cohort(dob):
    on = date(2026, 10, 1)
    y = year_from_birth(dob, on)
    # Born 1 Sep 2014 - 31 Aug 2015: Year 7 in autumn 2026.
    if date(2014, 9, 1) <= dob <= date(2015, 8, 31):
        assert y == 7
    cohort_start = date(dob.year if dob.month >= 9 else dob.year - 1, 9, 1)
    expected = 2026 - cohort_start.year - 5
    assert y == max(-1, min(14, expected))


# --- real-shaped files --------------------------------------------------------------------

def test_ctf24():
    roll = load("ctf24_roll.xml")
    assert roll.kind == "CTF 24" and "Hillside Academy" in roll.source and not roll.refused
    ava, noah, leo, mia = roll.rows
    assert (ava.upn, ava.first_name, ava.last_name, ava.date_of_birth, ava.year_group, ava.sex) == \
        ("U936200015010", "Ava", "Patel", date(2014, 3, 12), 7, "F")
    assert leo.preferred_first == "Leo" and leo.former_upn == "V823100414001"
    # Siblings share a contact (the phone written with and without spaces is one contact).
    assert set(ava.family_keys) & set(noah.family_keys)
    assert not set(leo.family_keys) & set(ava.family_keys) and mia.family_keys == ()


def test_ctf25_uses_sex():
    roll = load("ctf25_roll.xml")
    assert roll.kind == "CTF 25"
    assert [r.sex for r in roll.rows] == ["F", "M", "M", "F"]
    ava, noah = roll.rows[:2]
    assert set(ava.family_keys) & set(noah.family_keys)  # same address


@pytest.mark.parametrize("name", ["sims_roll.csv", "arbor_roll.csv", "bromcom_roll.csv", "wonde_roll.csv"])
def test_mis_csv_exports(name):
    roll = load(name)
    assert roll.kind == "CSV" and not roll.refused
    rows = {r.first_name: r for r in roll.rows}
    assert set(rows) == {"Ava", "Noah", "Leonardo", "Mia"}
    assert rows["Ava"].date_of_birth == date(2014, 3, 12) and rows["Ava"].year_group == 7
    assert rows["Ava"].form_group == "7HN" and rows["Noah"].sex == "M"
    if name != "bromcom_roll.csv":
        assert rows["Leonardo"].preferred_first == "Leo"
    if name == "arbor_roll.csv":
        assert rows["Ava"].family_keys == rows["Noah"].family_keys != ()
        assert rows["Mia"].upn == ""


def test_map_names_another_column():
    data = b"Pupil Surname,Pupil Forename,Birthday,Class Name\nJones,Mia,20/01/2015,6R\n"
    with pytest.raises(ImportFileError, match="no column for forename"):
        read_roll(data, "x.csv")
    roll = read_roll(data, "x.csv", mapping={"Pupil Surname": "last_name", "Pupil Forename": "first_name",
                                            "Birthday": "dob", "Class Name": "form"})
    assert roll.rows[0].last_name == "Jones" and roll.rows[0].form_group == "6R"
    with pytest.raises(ImportFileError, match="unknown field"):
        read_roll(data, "x.csv", mapping={"Birthday": "birthday"})
    with pytest.raises(ImportFileError, match="has no column"):
        read_roll(data, "x.csv", mapping={"Nope": "dob"})


def test_bom_and_windows_line_endings_are_read():
    data = ("\ufeffUPN,Surname,Forename,DOB\r\nU936200015010,Patel,Ava,12/03/2014\r\n"
            "H936200015011,Patel,Noah,02/10/2016\r\n").encode("utf-8")
    roll = read_roll(data, "excel.csv")
    assert [r.upn for r in roll.rows] == ["U936200015010", "H936200015011"]
    assert roll.rows[1].last_name == "Patel"


def test_rows_refused_with_reasons():
    data = ("UPN,Surname,Forename,DOB,Year\n"
            "A936200015010,Patel,Ava,12/03/2014,7\n"  # wrong check letter
            "H936200015011,Patel,Noah,31/02/2016,4\n"  # impossible date
            "X936200015012,Okafor,Leo,30/07/2014,7\n"
            "X936200015012,Okafor,Leon,30/07/2014,7\n"  # duplicate UPN
            ",Jones,,20/01/2015,6\n"  # no forename
            "L936200015013,Jo\x1bnes,Mia,20/01/2015,6\n"  # control character
            "A936200015014,Ahmed,Zara,05/05/2013,Year 99\n").encode()
    roll = read_roll(data, "bad-rows.csv")
    reasons = {r.line: r.reason for r in roll.refused}
    assert "check letter" in reasons[2]
    assert "date of birth" in reasons[3]
    assert "duplicate UPN" in reasons[4] and "duplicate UPN" in reasons[5]
    assert "no forename" in reasons[6]
    assert "control characters" in reasons[7]
    assert "year group" in reasons[8]
    assert roll.rows == [] and all(isinstance(r, RefusedRow) for r in roll.refused)


# --- bad files: one clear line each ------------------------------------------------------

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil><Surname>&xxe;</Surname></Pupil></CTFpupilData></CTfile>"""


@pytest.mark.parametrize("data,message", [
    (b"<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil>", "not well-formed XML (line 1"),
    (BOMB, "entit"),
    (EXTERNAL, "entit"),
    (b"<?xml version='1.0'?><Roll><Pupil/></Roll>", "not a Common Transfer File"),
    ((FIXTURES / "ctf25_roll.xml").read_bytes().replace(b"<CTFversion>25.0", b"<CTFversion>23.0"),
     "CTF version 23.0 is not supported"),
    (b"<CTfile><Header><CTFversion>25.0</CTFversion></Header></CTfile>", "no pupils"),
    ("UPN,Surname,Forename,DOB\nU936200015010,Pat\u00e9l,Ava,12/03/2014\n".encode("cp1252"), "not UTF-8 text (byte 0xE9 on line 2)"),
    ("UPN,Surname,Forename,DOB\n".encode("utf-16"), "UTF-16"),
    (b"UPN,Forename,DOB\nU936200015010,Ava,12/03/2014\n", "no column for surname"),
    (b"UPN,Surname,Forename,Year\nU936200015010,Patel,Ava,7\n", "no column for date of birth"),
    (b"UPN,Surname,Forename,DOB\n", "no pupils"),
    (b"   \n", "empty"),
])
def test_bad_files_are_refused_with_one_line(data, message):
    with pytest.raises(ImportFileError) as exc:
        read_roll(data, "bad-file")
    text = str(exc.value)
    assert message in text and "\n" not in text and text.startswith("bad-file")


@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_one_line_error(data):
    try:
        roll = read_roll(data, "fuzz")
    except ImportFileError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(r, RefusedRow) for r in roll.refused)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60), st.dates(date(2000, 1, 1), date(2024, 1, 1)))
def test_csv_names_round_trip_or_are_refused(name, dob):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["Surname", "Forename", "DOB"], [name, "Ava", dob.strftime("%d/%m/%Y")]])
    try:
        roll = read_roll(buf.getvalue().encode("utf-8"), "names.csv")
    except ImportFileError:
        return
    if roll.rows:
        assert roll.rows[0].last_name == " ".join(name.split()) and roll.rows[0].date_of_birth == dob
    else:
        assert roll.refused
