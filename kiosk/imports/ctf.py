"""The DfE Common Transfer File (CTF), versions 24 and 25, read with defusedxml.

Root `CTfile`; `Header/CTFversion` ("24.0", "25.0"); `Header/SourceSchool` (LEA, Estab,
URN, SchoolName); `CTFpupilData/Pupil` with UPN, Surname, Forename, DOB, Gender (24) or Sex
(25), `BasicDetails` (PreferredSurname, PreferredForename, NCyearActual, FormerUPN),
`Contacts/Contact` and `Address`. Siblings are pupils sharing a contact (name with a phone
or e-mail) or an address (UPRN, else house, street and postcode).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml
from defusedxml.ElementTree import fromstring

from kiosk.imports.common import ImportFileError, ParsedRoll, RefusedRow, make_row

SUPPORTED_VERSIONS = ("24", "25")


def _text(el, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _key(*parts: str) -> str:
    return "|".join(" ".join(p.lower().split()) for p in parts)


def _address_key(addr) -> str | None:
    if addr is None:
        return None
    uprn = _text(addr, ".//UniquePropertyReferenceNumber")
    if uprn:
        return "uprn:" + uprn
    postcode = _text(addr, ".//PostCode").replace(" ", "")
    house = _text(addr, ".//PAON") or _text(addr, ".//AddressLine1")
    street = _text(addr, ".//Street") or _text(addr, ".//AddressLine2")
    flat = _text(addr, ".//SAON")
    if postcode and house:
        return "addr:" + _key(flat, house, street, postcode)
    return None


def _contact_keys(pupil) -> list[str]:
    keys = []
    for c in pupil.findall("Contacts/Contact"):
        surname, forename = _text(c, "Surname"), _text(c, "Forename")
        reach = _text(c, "Email") or _text(c, ".//TelephoneNumber")
        if surname and forename and reach:
            keys.append("contact:" + _key(surname, forename, reach.replace(" ", "")))
        addr_key = _address_key(c.find("Address"))
        if addr_key:
            keys.append(addr_key)
    return keys


def parse_ctf(data: bytes, name: str = "file") -> ParsedRoll:
    try:
        root = fromstring(data)
    except defusedxml.DTDForbidden:
        raise ImportFileError(f"{name}: the XML has a document type declaration, which a CTF never has; refused") from None
    except defusedxml.EntitiesForbidden:
        raise ImportFileError(f"{name}: the XML declares entities (an entity-expansion attack?); refused") from None
    except defusedxml.DefusedXmlException as exc:
        raise ImportFileError(f"{name}: the XML was refused as unsafe ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ImportFileError(f"{name}: not well-formed XML (line {line}, column {col})") from None
    if root.tag != "CTfile":
        raise ImportFileError(f"{name}: not a Common Transfer File (the root element is <{root.tag[:40]}>, not <CTfile>)")
    header = root.find("Header")
    version = _text(header, "CTFversion")
    major = version.split(".")[0]
    if major not in SUPPORTED_VERSIONS:
        raise ImportFileError(
            f"{name}: CTF version {version or '(none given)'!s:.20} is not supported "
            f"(versions {' and '.join(SUPPORTED_VERSIONS)} are); export a current CTF")
    school = _text(header, "SourceSchool/SchoolName")
    estab = "/".join(x for x in (_text(header, "SourceSchool/LEA"), _text(header, "SourceSchool/Estab")) if x)
    parsed = ParsedRoll(kind=f"CTF {major}", source=" ".join(x for x in (school, estab and f"({estab})") if x))
    pupils = root.findall("CTFpupilData/Pupil")
    if not pupils:
        raise ImportFileError(f"{name}: the CTF has no pupils (no CTFpupilData/Pupil)")
    sex_tag = "Sex" if major == "25" else "Gender"
    for n, p in enumerate(pupils, start=1):
        basic = p.find("BasicDetails")
        keys = _contact_keys(p)
        own = _address_key(p.find("Address"))
        if own:
            keys.append(own)
        parsed.rows.append(make_row(
            n, upn=_text(p, "UPN"), former_upn=_text(basic, "FormerUPN"),
            first=_text(p, "Forename"), last=_text(p, "Surname"),
            preferred_first=_text(basic, "PreferredForename"),
            preferred_last=_text(basic, "PreferredSurname"), dob=_text(p, "DOB"),
            year=_text(basic, "NCyearActual"), form="", admission="",
            sex=_text(p, sex_tag) or _text(basic, sex_tag), family_keys=sorted(set(keys)),
        ))
    rows = parsed.rows
    parsed.rows = [r for r in rows if not isinstance(r, RefusedRow)]
    parsed.refused = [r for r in rows if isinstance(r, RefusedRow)]
    return parsed
