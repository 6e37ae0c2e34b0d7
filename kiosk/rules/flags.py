"""The flags the DSL team keeps about a pupil: one list, read by every part that shows or
sets them (pupil service, chronology, inbox, statistics, records out).

They are kept by hand by the DSL team and never taken from an import, whatever the file
says. Each key is also a boolean column on the pupil; "other" carries a label the DSL
types. Order is display order.
"""

from __future__ import annotations

PUPIL_FLAGS: dict[str, str] = {
    "cp_plan": "Child protection plan",
    "child_in_need": "Child in need",
    "looked_after": "Looked after",
    "previously_looked_after": "Previously looked after",
    "send": "SEND",
    "young_carer": "Young carer",
    "early_help_open": "Open to early help",
    "phone_disclaimer": "Mobile phone disclaimer signed",
    "other": "Other",
}

# Short forms for one-line lists (inbox rows, the chronology header).
FLAG_SHORT: dict[str, str] = {
    "cp_plan": "CP", "child_in_need": "CIN", "looked_after": "LAC",
    "previously_looked_after": "PLAC", "send": "SEND", "young_carer": "YC",
    "early_help_open": "EH", "phone_disclaimer": "Phone", "other": "Other",
}


def flag_label(key: str, other_label: str = "") -> str:
    if key == "other" and other_label:
        return other_label
    return PUPIL_FLAGS.get(key, key)
