"""The console's vocabulary: every fixed list of words a record is made of, in one place.

Keys are what is stored; labels are what a person reads. Rules, models, services and
screens all read these (screens through kiosk.rules, never kiosk.models), so a new source
or body area is added here once. Pure data: no I/O; action kinds and pupil flags, which carry more than words, are their
own modules and are re-exported here.
"""

from __future__ import annotations

# Where the concern came from (procedures paragraph 10 a-d). Paragraphs in SOURCE_PARAGRAPHS.
SOURCES = {
    "child_told": "The child told me",
    "parent_told": "A parent told me",
    "other_child_told": "Another child told me",
    "noticed": "I noticed something",
    "professional": "Another professional said or did something",
}

# A pupil's part in the concern: child-on-child concerns must never mark the wrong child.
PUPIL_ROLES = {
    "subject": "Subject",
    "alleged_harmer": "Alleged harmer",
    "witness": "Witness",
    "other": "Other",
}

BODY_AREAS = {
    "head": "Head or scalp",
    "face": "Face",
    "neck": "Neck",
    "chest": "Chest",
    "abdomen": "Abdomen",
    "back": "Back",
    "left_arm": "Left arm",
    "right_arm": "Right arm",
    "left_hand": "Left hand or wrist",
    "right_hand": "Right hand or wrist",
    "genital": "Genital area",
    "buttocks": "Buttocks",
    "left_leg": "Left leg",
    "right_leg": "Right leg",
    "left_foot": "Left foot",
    "right_foot": "Right foot",
    "other": "Other or several areas",
}

CONCERN_STATUSES = {
    "open": "Awaiting the DSL team",
    "acknowledged": "Acknowledged",
    "closed": "Closed",
}

# The kinds of action and the fields each asks for are kiosk.rules.action_kinds.
from kiosk.rules.action_kinds import LABELS as ACTION_KINDS  # noqa: E402

CLOSE_OUTCOMES = {
    "referred_childrens_services": "Referred to children's services",
    "early_help": "Early help",
    "police": "Reported to the police",
    "support_in_school": "Support in school",
    "advice_taken_no_referral": "Advice taken; no referral needed",
    "no_further_action": "No further action",
    "other": "Other",
}

# Fields of the original record that the DSL team can correct by amendment.
AMENDABLE_FIELDS = {
    "location": "Where",
    "words": "Their words",
    "description": "What was seen or heard",
    "why_concern": "Why it is a concern",
    "injuries": "Injuries",
    "other": "Other correction",
}

CONCERN_EVENTS = {
    "acknowledged": "Acknowledged",
    "owner": "Owner assigned",
    "closed": "Closed",
    "reopened": "Reopened",
    "restricted": "Restricted",
    "unrestricted": "Restriction lifted",
    "shared": "Shared",
    "unshared": "Sharing ended",
}

# The paragraph of the procedures each source comes under (paragraph 10 a-d).
SOURCE_PARAGRAPHS: dict[str, str] = {
    "child_told": "10a",
    "parent_told": "10a",
    "other_child_told": "10b",
    "noticed": "10c",
    "professional": "10d",
}
assert SOURCE_PARAGRAPHS.keys() == SOURCES.keys(), "every source needs its paragraph"

# The flags the DSL team keeps, with their short forms, are kiosk.rules.flags.
from kiosk.rules.flags import PUPIL_FLAGS  # noqa: E402,F401
