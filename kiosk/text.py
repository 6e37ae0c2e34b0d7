"""Validation of text that people type or that arrives from outside (CLI, import).

Control characters are refused (not stripped): an ESC reaching the terminal can retitle
or reprogram it, and silently altering what a person recorded is worse than asking again.
Newline and tab are allowed only in multi-line fields. Bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069) count as control characters: they reorder what is shown, so
a record could read differently on screen from what was stored ("Trojan Source"); ordinary
right-to-left text needs none of them. The same pattern feeds the `restrict` of every
Input so a paste cannot smuggle them in either.
"""

from __future__ import annotations

import re

from kiosk.errors import ValidationError

# C0 and C1 controls, DEL, line/paragraph separators, bidi overrides and isolates.
# Line fields also refuse \n and \t.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL_MULTILINE = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_CONTROL_LINE = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")

# For Textual's Input(restrict=...): the whole value must match.
INPUT_RESTRICT = rf"[^\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]*"

SHORT_MAX = 200
LONG_MAX = 20_000


def has_control_chars(value: str, multiline: bool = False) -> bool:
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_LINE
    return pattern.search(value) is not None


def clean(
    value: str | None,
    field: str,
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    label: str | None = None,
) -> str:
    """Return the text trimmed, or raise ValidationError naming the field (`label` is
    how the message calls it, if not the field name).

    Inner text is kept exactly as typed (right-to-left text, emoji, markup-looking
    brackets): only surrounding white space is trimmed.
    """
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(field, "is required", label)
    if has_control_chars(text, multiline=multiline):
        raise ValidationError(field, "contains control characters, which are not allowed", label)
    limit = max_length or (LONG_MAX if multiline else SHORT_MAX)
    if len(text) > limit:
        raise ValidationError(field, f"is too long ({len(text)} characters; at most {limit})", label)
    return text
