"""Outcomes of allegations about adults and what follows them (KCSIE part four).

Pure data and functions: the statutory outcome words, which route a concern is on once an
outcome is recorded (an allegation found not to meet the harms threshold is managed as a
low-level concern, paragraphs 14-16), and when the register must ask about referrals to the
DBS and the Teaching Regulation Agency (paragraph 4g of the procedures: barring by the DBS,
prohibition from teaching by the TRA).
"""

from __future__ import annotations

from datetime import date

ALLEGATION = "allegation"
LOW_LEVEL = "low_level"

THRESHOLD_NOT_MET = "threshold_not_met"
SUBSTANTIATED = "substantiated"
MALICIOUS = "malicious"

# KCSIE part four's words, in its order, then the route change.
OUTCOMES = {
    "substantiated": "Substantiated",
    "malicious": "Malicious",
    "false": "False",
    "unsubstantiated": "Unsubstantiated",
    "unfounded": "Unfounded",
    THRESHOLD_NOT_MET: "Threshold not met: managed as a low-level concern",
}

# How the person's employment ended (or did not) after a substantiated allegation.
DEPARTURES = {
    "dismissed": "Dismissed",
    "resigned": "Resigned",
    "left": "Left in another way (end of contract, retired, stopped volunteering)",
    "remains": "Still works here",
}
DBS_ANSWERS = {
    "referred": "Duty applies: referred to the DBS",
    "not_applicable": "Duty to refer does not apply",
}
TRA_ANSWERS = {
    "referred": "Referred to the Teaching Regulation Agency",
    "not_referred": "Considered: not referred",
    "not_a_teacher": "Not a teacher",
}


def effective_kind(raised_as: str, outcome: str) -> str:
    """The route a concern is on now: an allegation whose outcome is "threshold not met"
    continues, with its history, as a low-level concern."""
    if raised_as == ALLEGATION and outcome == THRESHOLD_NOT_MET:
        return LOW_LEVEL
    return raised_as


def closes_allegation(outcome: str) -> bool:
    """Every outcome but the route change closes the allegation."""
    return bool(outcome) and outcome != THRESHOLD_NOT_MET


def to_be_removed(outcome: str) -> bool:
    """A malicious allegation is removed from the person's record (retention process)."""
    return outcome == MALICIOUS


def referral_question_due(outcome: str, answered: bool) -> bool:
    """After a substantiated allegation the register asks about the DBS and the TRA until
    it has an answer (whether they were dismissed or left is asked with it)."""
    return outcome == SUBSTANTIATED and not answered


def referral_problems(departure: str, dbs: str, tra: str, answered_on: date | None,
                      outcome_on: date, today: date) -> list[tuple[str, str]]:
    """What is wrong with an answer to the referral questions, as (field, problem) pairs."""
    out: list[tuple[str, str]] = []
    if departure not in DEPARTURES:
        out.append(("departure", "say whether they were dismissed, resigned, left or still work here"))
    if dbs not in DBS_ANSWERS:
        out.append(("dbs", "say whether the duty to refer to the DBS applies"))
    if tra not in TRA_ANSWERS:
        out.append(("tra", "say whether they were referred to the Teaching Regulation Agency, "
                           "or are not a teacher"))
    if answered_on is None:
        out.append(("answered_on", "is required"))
    elif answered_on > today:
        out.append(("answered_on", "cannot be in the future: record a referral once it is made"))
    elif answered_on < outcome_on:
        out.append(("answered_on", "is before the outcome was recorded"))
    return out
