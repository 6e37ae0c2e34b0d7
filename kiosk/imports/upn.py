"""Unique pupil numbers (UPN): the DfE's check letter.

A UPN is 13 characters: a check letter, the 3-digit local authority number, the 4-digit
establishment number, 2 digits of the year allocated and a 3-digit serial. A temporary
UPN ends in a letter instead of the last digit. The check letter: multiply the characters
in positions 2 to 13 by the weights 2 to 13 (a letter counts as its place in the alphabet
below, A=0), sum, take the remainder on division by 23, and read that place in the same
alphabet (the 23 letters without I, O and S).
"""

from __future__ import annotations

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2 to 13)."""
    if len(body) != 12 or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in ALPHABET):
        raise ValueError("a UPN body is 11 digits and a digit or letter")
    total = 0
    for weight, ch in enumerate(body, start=2):
        total += weight * (int(ch) if ch.isdigit() else ALPHABET.index(ch))
    return ALPHABET[total % 23]


def upn_problem(upn: str) -> str | None:
    """None for a well-formed UPN with the right check letter, else what is wrong."""
    if len(upn) != 13:
        return f"UPN {upn!r} is not 13 characters"
    first, body = upn[0], upn[1:]
    if first not in ALPHABET or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in ALPHABET):
        return f"UPN {upn!r} is not a letter, 11 digits and a digit or letter"
    if check_letter(body) != first:
        return f"UPN {upn!r} has the wrong check letter"
    return None


def normalise_upn(text: str) -> str:
    return "".join(text.split()).upper()
