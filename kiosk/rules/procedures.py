"""The text of the school's child protection procedures, split into numbered paragraphs.

The console shows the paragraph a step comes from, so staff see the school's own words at the
moment of decision. The text is not copied into the profile: the package ships the procedures
of its default school (``procedures.txt``) and a profile may point at its own file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.rules.profile import Profile

PACKAGED_PROCEDURES = Path(__file__).with_name("procedures.txt")

_NUMBERED = re.compile(r"^\s*(\d+)\.\s*(.*)$")
# Headings are short; the longest in the packaged text is 84 characters. The closing sentence of
# paragraph 14 (escalation to the trust lead) is longer and must stay inside paragraph 14.
_MAX_HEADING = 100


@dataclass(frozen=True)
class Paragraph:
    """One numbered paragraph; ``heading`` is the section it sits under ("How to respond")."""

    number: int
    heading: str
    text: str


def procedures_path(profile: Profile | None) -> Path:
    if profile is not None and profile.procedures_file is not None:
        return profile.procedures_file
    return PACKAGED_PROCEDURES


def load_procedures_text(profile: Profile | None = None) -> tuple[Paragraph, ...]:
    """Read the procedures named by the profile (default: the packaged copy) as paragraphs."""
    return parse_procedures(procedures_path(profile).read_text(encoding="utf-8"))


def parse_procedures(text: str) -> tuple[Paragraph, ...]:
    """Split procedures text into numbered paragraphs.

    A line "N. ..." starts paragraph N. Lettered items and bullets that follow belong to it.
    An unnumbered line counts as a section heading only when the next non-blank line starts a
    numbered paragraph, it is short and it does not end like a sentence; otherwise it continues the paragraph
    (paragraphs 6 and 9 carry on over several unnumbered lines).
    """
    lines = [line.rstrip() for line in text.splitlines()]
    paragraphs: list[Paragraph] = []
    heading = ""
    current: tuple[int, str, list[str]] | None = None

    def next_content(i: int) -> str:
        for later in lines[i + 1:]:
            if later.strip():
                return later
        return ""

    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        m = _NUMBERED.match(line)
        if m:
            if current:
                paragraphs.append(Paragraph(current[0], current[1], "\n".join(current[2])))
            current = (int(m.group(1)), heading, [m.group(2).strip()])
            continue
        if (
            _NUMBERED.match(next_content(i))
            and len(stripped) <= _MAX_HEADING
            and not stripped.endswith((".", ";", ":", ","))
        ):
            heading = stripped
            continue
        if current:
            current[2].append(stripped)
        else:
            heading = stripped  # text before paragraph 1 ("Aim")
    if current:
        paragraphs.append(Paragraph(current[0], current[1], "\n".join(current[2])))
    return tuple(paragraphs)


def paragraph(paragraphs: tuple[Paragraph, ...], ref: str) -> Paragraph | None:
    """The paragraph a step reference points at: "11a" and "14" both find their number."""
    m = re.match(r"^(\d+)", ref.strip())
    if not m:
        return None
    number = int(m.group(1))
    return next((p for p in paragraphs if p.number == number), None)


def review_overdue(profile: Profile, today: date) -> bool:
    """Paragraph 19: reviewed at least annually. True once the next review date has passed."""
    return today > profile.next_review


def review_line(profile: Profile) -> str:
    """"Version 2021.1, last reviewed 01 Sep 2026, next review due 01 Sep 2027 (para 19)"."""
    return (f"Version {profile.procedures_version}, last reviewed "
            f"{profile.last_review:%d %b %Y}, next review due {profile.next_review:%d %b %Y} "
            "(para 19)")
