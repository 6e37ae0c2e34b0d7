"""A synthetic whole-school CTF for timing the roll import (issue 14: 2,000 pupils < 5 s).

`make_ctf(n, variant)` writes a CTF 25 with n pupils, valid UPNs, a contact each (every
third pupil shares one with the pupil before, so siblings are linked) and an address.
Variant 1 moves every pupil up a year and into another form, so re-importing it after
variant 0 changes every pupil.
"""

from __future__ import annotations

import random
from datetime import date
from xml.sax.saxutils import escape

from kiosk.imports.upn import check_letter

FIRST = ("Ava", "Noah", "Leo", "Mia", "Zara", "Olly", "Isla", "Amir", "Ruby", "Kai", "Maya", "Theo")
LAST = ("Patel", "Smith", "Jones", "Okafor", "Ahmed", "Nowak", "Brown", "Khan", "Evans", "Murphy")


def upn_for(i: int) -> str:
    # LA 936, an establishment number per thousand pupils, year 26, a 3-digit serial.
    body = f"936{2000 + i // 1000:04d}26{i % 1000:03d}"
    return check_letter(body) + body


def make_ctf(n: int, variant: int = 0, seed: int = 14) -> bytes:
    rng = random.Random(seed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header><DocumentName>Common Transfer '
           'File</DocumentName><CTFversion>25.0</CTFversion><DateTime>2026-09-04T08:00:00</DateTime>'
           '<DocumentQualifier>full</DocumentQualifier><SourceSchool><LEA>936</LEA><Estab>2000</Estab>'
           '<URN>125000</URN><SchoolName>Bench Academy</SchoolName><AcademicYear>2026</AcademicYear>'
           '</SourceSchool></Header><CTFpupilData>']
    for i in range(n):
        year = 7 + i % 7
        family = i - 1 if i % 3 == 2 else i
        first, last = rng.choice(FIRST), LAST[family % len(LAST)]
        born = date(2026 - year - 5 - (1 if rng.random() < 0.6 else 0), 1 + rng.randrange(12), 1 + rng.randrange(28))
        family = i - 1 if i % 3 == 2 else i
        out.append(
            f"<Pupil><UPN>{upn_for(i)}</UPN><Surname>{escape(last)}</Surname><Forename>{escape(first)}</Forename>"
            f"<DOB>{born.isoformat()}</DOB><Sex>{'FM'[i % 2]}</Sex><BasicDetails><NCyearActual>"
            f"{min(14, year + variant)}</NCyearActual></BasicDetails>"
            f"<Address><BS7666Address><PAON>{i + 1}</PAON><Street>Bench Street</Street></BS7666Address>"
            f"<PostCode>HX{i % 9 + 1} {i % 10}AB</PostCode></Address>"
            f"<Contacts><Contact><Surname>{escape(last)}</Surname><Forename>Parent{family}</Forename>"
            f"<Phones><Phone><TelephoneNumber>07700 {family:06d}</TelephoneNumber></Phone></Phones>"
            f"</Contact></Contacts></Pupil>")
    out.append("</CTFpupilData></CTfile>\n")
    return "".join(out).encode("utf-8")
