"""The console's vocabulary: every fixed list of words a record is made of, in one place.

Keys are what is stored; labels are what a person reads. Rules, models, services and
screens all read these (screens through kiosk.rules, never kiosk.models), so a new source
or body area is added here once. Pure data: no I/O, no other kiosk imports.
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

ACTION_KINDS = {
    "consultation_line": "Advice from the professional consultation line",
    "childrens_services": "Referral to children's services",
    "early_help": "Early help",
    "police": "Police",
    "monitor": "Monitor",
    "no_further_action": "No further action",
    "designated_teacher": "Shared with the designated teacher",
    "other": "Other",
}

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

# The flags the DSL team keeps (issue 5). Order is display order.
PUPIL_FLAGS = {
    "cp_plan": "Child protection plan",
    "child_in_need": "Child in need",
    "looked_after": "Looked after",
    "previously_looked_after": "Previously looked after",
    "young_carer": "Young carer",
    "send": "SEND",
    "early_help_open": "Early help open",
    "phone_disclaimer": "Mobile phone disclaimer signed",
}
