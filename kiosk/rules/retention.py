"""How long each kind of record is kept, and when it comes up for review (pure functions).

Defaults are those a school in England uses (the IRMS Information Management Toolkit for
Schools, as schools quote it; FIELD-NOTES "Retention"):

- a child protection file: to the child's 25th birthday, then reviewed;
- an allegation about an adult: until their normal retirement age or 10 years from the
  allegation, whichever is longer; a malicious allegation is removed;
- a low-level concern: while the adult works at the school, reviewed when they leave;
- early help: as the school's profile says (default: like the child protection file).

Records under a legal hold (the Independent Inquiry into Child Sexual Abuse asked that
records about child sexual abuse are not destroyed) are never offered for removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RetentionRules:
    child_protection_until_age: int = 25
    early_help_until_age: int = 25
    allegation_retirement_age: int = 67
    allegation_min_years: int = 10
    remove_malicious_allegations: bool = True
    low_level_while_employed: bool = True
    # Category keys whose concerns are held (never offered): the inquiry's hold.
    legal_hold_categories: tuple[str, ...] = ("sexual_abuse", "exploitation")
    legal_hold_adult_allegations: bool = False
    # A record reviewed and kept comes back for review after this many years.
    keep_review_years: int = 1


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Due:
    on: date | None  # None: not due (e.g. still employed)
    rule: str  # the rule in words, shown in the queue


def child_record_due(dobs: list[date], rules: RetentionRules, *, early_help: bool = False) -> Due:
    """The latest 25th birthday of the children a record is about."""
    age = rules.early_help_until_age if early_help else rules.child_protection_until_age
    what = "Early help" if early_help else "Child protection file"
    if not dobs:
        return Due(None, f"{what}: no date of birth recorded")
    return Due(add_years(max(dobs), age), f"{what}: kept to the child's {_ordinal(age)} birthday, then reviewed")


def is_held(categories: list[str] | tuple[str, ...], rules: RetentionRules) -> bool:
    return any(c in rules.legal_hold_categories for c in categories)


def adult_due(kind: str, raised_on: date, dob: date | None, outcome: str | None,
              left_on: date | None, rules: RetentionRules) -> Due:
    # "Threshold not met" moved it to the low-level route, and its retention with it.
    if kind == "allegation" and outcome == "threshold_not_met":
        kind = "low_level"
    if kind == "allegation":
        if outcome == "malicious" and rules.remove_malicious_allegations:
            return Due(raised_on, "Malicious allegation: removed (IRMS)")
        ten = add_years(raised_on, rules.allegation_min_years)
        if dob is None:
            return Due(ten, f"Allegation: {rules.allegation_min_years} years (no date of birth, "
                            "so retirement age is not known)")
        retire = add_years(dob, rules.allegation_retirement_age)
        return Due(max(ten, retire), f"Allegation: to retirement age ({rules.allegation_retirement_age}) "
                                     f"or {rules.allegation_min_years} years, whichever is longer")
    if left_on is None:
        return Due(None, "Low-level concern: kept while the adult works here")
    return Due(left_on, "Low-level concern: kept while the adult worked here; they have left")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
