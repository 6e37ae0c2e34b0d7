"""Who a concern goes to, as pure functions of the profile (paragraphs 10-18).

Every function returns role keys from ``RECIPIENT_ROLES`` plus the contacts behind them.
The one rule that holds across all of them: a concern is never routed to the person it is
about. ``excluded_roles(subject)`` lists the roles the subject holds, and every chain below
skips them before anything else is considered.

Availability ("the DSL is off site today") is a set of role keys passed in by the caller; the
rules never look at a clock or a database to find out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.rules.contacts import (
    RECIPIENT_ROLES,
    ROLE_LABELS,
    contacts_for_role,
    lado_contact,
    local_authority_contacts,
    nspcc_contact,
    referral_contacts,
)
from kiosk.rules.profile import Profile
from kiosk.rules.results import AdultRouting, Contact, Route, Routing

# Phone lines are always "available"; people are available only if the caller says so.
ALWAYS_AVAILABLE = frozenset({"local_authority", "nspcc"})

# Paragraphs 10 and 11c: DSL, else a deputy DSL, else the headteacher, else refer yourself.
CHILD_CHAIN = ("dsl", "deputy_dsl", "headteacher")

LADO_RULE = "contacts the LADO within one working day of being told (paragraph 14)"


@dataclass(frozen=True)
class AdultSubject:
    """Who a concern about an adult is about, as far as routing needs to know.

    The first four flags are the cases paragraphs 14 and 15 name. The extra flags let the caller
    say the subject holds another role a chain could reach (a deputy DSL, the director, the trust
    lead, the chair), so that role is skipped too. ``person_id`` is carried for the caller
    (the services layer sets the flags from it); routing decides on the flags alone.
    """

    is_headteacher: bool = False
    is_head_relative: bool = False  # a relative of the headteacher working at the school
    is_dsl: bool = False
    is_trust_central: bool = False  # a member of the trust central team
    person_id: Any = None
    is_deputy_dsl: bool = False
    is_director_of_education: bool = False
    is_trust_safeguarding_lead: bool = False
    is_chair_of_governors: bool = False

    @property
    def about_head(self) -> bool:
        """Paragraphs 14 and 15 treat a relative of the headteacher like the headteacher."""
        return self.is_headteacher or self.is_head_relative

    @property
    def about_trust_central(self) -> bool:
        return self.is_trust_central or self.is_director_of_education or self.is_trust_safeguarding_lead


@dataclass(frozen=True)
class HarmsAnswers:
    """The four tests of paragraph 14 (a-d). Any one met makes the concern an allegation."""

    harmed_child: bool = False      # a. harmed, or may have harmed, a child
    criminal_offence: bool = False  # b. possibly committed a criminal offence against or related to a child
    risk_of_harm: bool = False      # c. may pose a risk of harm to children
    unsuitable: bool = False        # d. may not be suitable to work with children

    @property
    def meets_threshold(self) -> bool:
        return self.harmed_child or self.criminal_offence or self.risk_of_harm or self.unsuitable


def excluded_roles(subject: AdultSubject) -> frozenset[str]:
    """The recipient roles a concern about ``subject`` must never go to."""
    out = set()
    if subject.about_head:
        out.add("headteacher")
    if subject.is_dsl:
        out.add("dsl")
    if subject.is_deputy_dsl:
        out.add("deputy_dsl")
    if subject.is_director_of_education:
        out.add("director_of_education")
    if subject.is_trust_safeguarding_lead:
        out.add("trust_safeguarding_lead")
    if subject.is_chair_of_governors:
        out.add("chair_of_governors")
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_roles(roles: Iterable[str] | None, what: str) -> frozenset[str] | None:
    """Refuse unknown role keys: a typo in ``available`` would silently skip the DSL."""
    if roles is None:
        return None
    roles = frozenset(roles)
    unknown = roles - RECIPIENT_ROLES
    if unknown:
        raise ValueError(f"unknown role key(s) in {what}: {', '.join(sorted(unknown))}")
    return roles


def _present(profile: Profile, role: str) -> bool:
    """A role with nobody in it cannot receive anything; only deputies can be empty."""
    return role != "deputy_dsl" or bool(profile.deputy_dsls)


def _pick(profile: Profile, chain: Iterable[str], excluded: frozenset[str],
          available: frozenset[str] | None,
          last_resort: frozenset[str] = frozenset()) -> tuple[str, tuple[str, ...], bool]:
    """First role in ``chain`` that is present, not excluded and available.

    Returns (recipient, fallbacks, was_available). When nobody eligible is available the
    first eligible role is returned anyway with was_available False: for a concern that can
    wait for someone's return that is still the right person, and the caller says so.
    ``last_resort`` roles are considered only when every other role in the chain is excluded
    (they exist so that a subject holding every role still has somewhere to go).
    """
    chain = list(chain)
    eligible = [r for r in chain if r not in excluded and r not in last_resort
                and _present(profile, r)]
    if not eligible:
        eligible = [r for r in chain if r in last_resort and r not in excluded]
    if not eligible:  # chains end in a role no subject holds, so this is a programming error
        raise AssertionError("routing chain has no eligible role")
    ready = [r for r in eligible if available is None or r in available or r in ALWAYS_AVAILABLE]
    if ready:
        return ready[0], tuple(ready[1:]), True
    return eligible[0], tuple(eligible[1:]), False


def _contacts(profile: Profile, roles: Iterable[str]) -> tuple[Contact, ...]:
    out: list[Contact] = []
    for role in roles:
        out.extend(contacts_for_role(profile, role))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Concerns about a child (paragraphs 10-12)
# ---------------------------------------------------------------------------------------------


def direct_referral_note(profile: Profile) -> str:
    la = profile.local_authority
    return (
        "Any member of staff may report a safeguarding concern directly to the local authority "
        f"if they do not feel able to refer it to the DSL (paragraph 12): ring {la.referral_line.name} "
        f"on {la.referral_line.phone} or use {la.early_help_portal.name} (paragraph 21). For advice "
        f"first, ring the {la.consultation_line.name} on {la.consultation_line.phone} (paragraph 20)."
    )


def route_child_concern(profile: Profile, available: set[str] | None = None,
                        *, exclude: Iterable[str] = ()) -> Routing:
    """Where a concern about a child goes now.

    ``available``: role keys that can be reached now (None = everyone). ``exclude``: roles that
    must not receive this concern (for instance the DSL is the child's parent).
    """
    avail = _check_roles(available, "available")
    excluded = _check_roles(exclude, "exclude") or frozenset()
    chain = [r for r in CHILD_CHAIN if r not in excluded and _present(profile, r)]
    ready = [r for r in chain if avail is None or r in avail]
    la_contacts = local_authority_contacts(profile)
    note = direct_referral_note(profile)

    if not ready:
        # 11c: "If none of the designated safeguarding staff or headteacher are available,
        # you must make the referral yourself."
        return Routing(
            recipient="local_authority",
            fallbacks=(),
            contacts=referral_contacts(profile) + la_contacts[:1],
            refer_yourself=True,
            la_contacts=la_contacts,
            direct_referral_note=note,
            paragraphs=("10", "11c", "12", "20", "21"),
            notes=("None of the designated safeguarding staff or the headteacher is available: "
                   "you must make the referral to the local authority yourself (paragraph 11c).",),
        )

    recipient = ready[0]
    notes = []
    if recipient == "deputy_dsl":
        notes.append("The DSL is not available: inform a deputy DSL (paragraphs 10, 11c).")
    elif recipient == "headteacher":
        notes.append("No designated safeguarding lead is available: inform the headteacher "
                     "(paragraph 11c).")
    return Routing(
        recipient=recipient,
        fallbacks=tuple(ready[1:]) + ("local_authority",),
        contacts=contacts_for_role(profile, recipient),
        refer_yourself=False,
        la_contacts=la_contacts,
        direct_referral_note=note,
        paragraphs=("10", "11c", "12"),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------
# Concerns about an adult (paragraphs 14-16)
# ---------------------------------------------------------------------------------------------


def _allegation_chain(subject: AdultSubject) -> tuple[str, ...]:
    # 14: the headteacher, or the Director of Education when it is about the headteacher or
    # a relative. After them the trust lead (the escalation of 14) and, as the end of every
    # chain, the local authority, which no subject can be.
    if subject.about_head:
        return ("director_of_education", "trust_safeguarding_lead", "local_authority")
    return ("headteacher", "director_of_education", "trust_safeguarding_lead", "local_authority")


LOW_LEVEL_LAST_RESORT = frozenset({"chair_of_governors", "local_authority"})


def _low_level_chain(subject: AdultSubject) -> tuple[str, ...]:
    # 15, in the order it is written, with the headteacher case first because a head who is
    # also the DSL is still the head. The chair and then the local authority's advice line end
    # each chain as last resorts, so that some role is left whatever roles the subject holds.
    tail = ("chair_of_governors", "local_authority")
    if subject.about_head:
        return ("director_of_education", "trust_safeguarding_lead") + tail
    if subject.about_trust_central:
        return ("trust_safeguarding_lead", "director_of_education", "headteacher") + tail
    if subject.is_dsl:
        return ("headteacher", "director_of_education", "trust_safeguarding_lead") + tail
    return ("dsl", "deputy_dsl", "headteacher", "director_of_education",
            "trust_safeguarding_lead") + tail


def _low_level_share_with(recipient: str, subject: AdultSubject) -> tuple[str, ...]:
    # 15: "The DSL will share details of all low level concerns reported to them with the
    # Headteacher. Similarly, the Headteacher will share details of all low level concerns
    # reported to them about the DSL with the Director of Education."
    if recipient == "dsl":
        return ("headteacher",)
    if recipient == "deputy_dsl":
        # A deputy acts for the DSL in their absence; the DSL needs it too to see patterns.
        return ("headteacher", "dsl")
    if recipient == "headteacher" and subject.is_dsl:
        return ("director_of_education",)
    return ()


def route_adult_concern(profile: Profile, subject: AdultSubject, answers: HarmsAnswers,
                        *, available: set[str] | None = None) -> AdultRouting:
    """Where a concern about an adult goes, who is told afterwards, and by when.

    An allegation (any test of 14 a-d met) goes to the headteacher, or to the Director of
    Education when it is about the headteacher or a relative; the recipient contacts the LADO
    within one working day. A low-level concern (15) goes to the DSL (a deputy in their
    absence), to the headteacher when about the DSL, to the Director of Education when about the
    headteacher or a relative, and to the Trust Lead on Safeguarding when about the trust
    central team.
    """
    avail = _check_roles(available, "available")
    excluded = excluded_roles(subject)
    allegation = answers.meets_threshold
    if allegation:
        # The LADO may always be contacted directly, so the local authority is a real fallback
        # for an allegation: it must not wait for someone's return.
        recipient, fallbacks, was_available = _pick(
            profile, _allegation_chain(subject), excluded, avail)
    else:
        # A low-level concern waits for the right person rather than going to the chair or
        # the local authority, which paragraph 15 does not name.
        recipient, fallbacks, was_available = _pick(
            profile, _low_level_chain(subject), excluded, avail, LOW_LEVEL_LAST_RESORT)
    chain = _allegation_chain(subject) if allegation else _low_level_chain(subject)

    notes: list[str] = []
    if allegation:
        kind = "allegation"
        share_with: tuple[str, ...] = () if recipient == "local_authority" else ("local_authority",)
        share_contacts = (lado_contact(profile),) if share_with else ()
        who = ROLE_LABELS[recipient]
        deadline_rule = (f"{who[0].upper()}{who[1:]} {LADO_RULE}." if share_with
                         else "Refer to the LADO through the local authority today (paragraph 14).")
        paragraphs = ("14",)
        if "headteacher" in chain and recipient != "headteacher" and "headteacher" not in excluded:
            notes.append("The headteacher is not available: refer to whoever is acting as "
                         "headteacher (paragraph 14); if nobody is, "
                         f"{ROLE_LABELS[recipient]}.")
        notes.append("Refer without delay. Do not investigate and do not tell the adult concerned.")
    else:
        kind = "low_level"
        share_with = tuple(r for r in _low_level_share_with(recipient, subject) if r not in excluded)
        share_contacts = _contacts(profile, share_with)
        deadline_rule = None
        paragraphs = ("15", "16")
        if recipient == "local_authority":
            notes.append("Everyone who would normally receive this is part of the concern: ask "
                         "the local authority's consultation line for advice (paragraph 20).")
        notes.append("The person you report it to records it in writing: the concern, its "
                     "context, the action taken and the reasons for decisions (paragraph 15).")
    if not was_available:
        notes.append(f"Nobody else is available now: report it to {ROLE_LABELS[recipient]} "
                     "as soon as they are back.")

    return AdultRouting(
        kind=kind,
        recipient=recipient,
        contacts=(lado_contact(profile),) if recipient == "local_authority" and allegation
        else contacts_for_role(profile, recipient),
        fallbacks=fallbacks,
        share_with=share_with,
        share_contacts=share_contacts,
        deadline_rule=deadline_rule,
        paragraphs=paragraphs,
        escalation=escalation_route(profile, subject),
        excluded=excluded,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------
# Escalation and whistleblowing (paragraphs 14, 17, 18)
# ---------------------------------------------------------------------------------------------


def escalation_route(profile: Profile, subject: AdultSubject | None = None) -> Route:
    """Where to go when a concern has not been responded to appropriately (end of 14).

    The Trust Lead on Safeguarding; if the concern is about them, the Director of Education; if
    about both, the NSPCC line, which is outside the trust.
    """
    excluded = excluded_roles(subject) if subject else frozenset()
    for role in ("trust_safeguarding_lead", "director_of_education"):
        if role not in excluded:
            return Route(
                recipient=role,
                contacts=contacts_for_role(profile, role),
                note="If you feel your concern has not been responded to appropriately, "
                     f"contact {ROLE_LABELS[role]}.",
                paragraph="14",
            )
    return Route(
        recipient="nspcc",
        contacts=(nspcc_contact(profile),),
        note="If you feel your concern has not been responded to appropriately and cannot "
             "raise it inside the trust, contact the NSPCC Whistleblowing Advice Line.",
        paragraph="18",
    )


def whistleblowing_routes(profile: Profile, subject: AdultSubject | None = None) -> tuple[Route, ...]:
    """Ways to raise poor or unsafe practice, in order: inside the school first (17), then the
    NSPCC line for those who do not feel able to raise it internally (18)."""
    excluded = excluded_roles(subject) if subject else frozenset()
    routes = []
    for role in ("headteacher", "chair_of_governors"):
        if role in excluded:
            continue
        routes.append(Route(
            recipient=role,
            contacts=contacts_for_role(profile, role),
            note=f"Raise it with {ROLE_LABELS[role]} in the first instance, following the "
                 "trust's whistleblowing policy.",
            paragraph="17",
        ))
    nspcc = profile.nspcc
    routes.append(Route(
        recipient="nspcc",
        contacts=(nspcc_contact(profile),),
        note=f"If you do not feel able to raise it inside the school: {nspcc.name}, "
             f"{nspcc.phone} ({nspcc.hours}) or {nspcc.email}.",
        paragraph="18",
    ))
    return tuple(routes)
