"""Contacts: every number and address in the profile, as plain ``Contact`` objects.

Routing and next steps name roles ("dsl", "local_authority"); ``contacts_for_role`` turns a role
into the people or lines to ring. ``all_contacts`` lists everything for the contacts screen in
the order of paragraph 13 (people first), then the local authority (20, 21) and the NSPCC (18).

``with_console_people`` names each person-role as the console account holding it, so a pane
that says who receives a concern (an account) and how to reach them (the profile) names one
person, not two.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from kiosk.rules.profile import Line, Person, Profile
from kiosk.rules.results import Contact

# The roles a concern can be routed to. Routing returns only these.
RECIPIENT_ROLES = frozenset({
    "dsl", "deputy_dsl", "headteacher", "director_of_education", "trust_safeguarding_lead",
    "local_authority", "chair_of_governors", "nspcc",
})

ROLE_LABELS = {
    "dsl": "the DSL",
    "deputy_dsl": "a deputy DSL",
    "headteacher": "the headteacher",
    "director_of_education": "the trust Director of Education",
    "trust_safeguarding_lead": "the Trust Lead on Safeguarding",
    "local_authority": "the local authority",
    "chair_of_governors": "the Chair of the local governing body",
    "nspcc": "the NSPCC Whistleblowing Advice Line",
}

# National numbers that are the same for every school in England; not part of the profile.
POLICE_EMERGENCY = Contact(
    role="police", name="Police (emergency)", phone="999",
    note="A child in immediate danger or at risk of serious harm",
)
POLICE_NON_EMERGENCY = Contact(
    role="police", name="Police (non-emergency)", phone="101",
    note="Teachers' mandatory report of known FGM in a girl under 18",
)


def person_contact(role: str, person: Person, note: str | None = None) -> Contact:
    return Contact(
        role=role, name=person.name, phone=person.phone, email=person.email,
        note=note or person.role_title, placeholder=person.placeholder,
    )


def line_contact(role: str, line: Line, note: str | None = None) -> Contact:
    parts = [p for p in (note, line.hours) if p]
    return Contact(
        role=role, name=line.name, phone=line.phone, email=line.email, url=line.url,
        note="; ".join(parts) or None, to_confirm=line.confirm,
    )


def local_authority_contacts(profile: Profile) -> tuple[Contact, ...]:
    """Advice line (20), referral line and portal (21), then the LADO and out-of-hours if given."""
    la = profile.local_authority
    out = [
        line_contact("local_authority", la.consultation_line,
                     "Advice before making a referral (paragraph 20)"),
        line_contact("local_authority", la.referral_line,
                     "To make a referral (paragraph 21)"),
        line_contact("local_authority", la.early_help_portal,
                     "To make a referral online (paragraph 21)"),
    ]
    if la.lado is not None:
        out.append(line_contact("local_authority", la.lado,
                                "Local Authority Designated Officer (LADO): allegations about adults (paragraph 14)"))
    if la.out_of_hours is not None:
        out.append(line_contact("local_authority", la.out_of_hours, "Outside office hours"))
    return tuple(out)


def referral_contacts(profile: Profile) -> tuple[Contact, ...]:
    """How to make a referral yourself (21): the referral line and the portal, without advice."""
    return local_authority_contacts(profile)[1:3]


def lado_contact(profile: Profile) -> Contact:
    """The LADO if the profile names one; otherwise the referral line, which puts you through."""
    la = profile.local_authority
    if la.lado is not None:
        return line_contact("local_authority", la.lado,
                            "Local Authority Designated Officer (LADO) (paragraph 14)")
    return line_contact("local_authority", la.referral_line,
                        "Ask for the Local Authority Designated Officer (LADO) (paragraph 14)")


def nspcc_contact(profile: Profile) -> Contact:
    return line_contact("nspcc", profile.nspcc, "If you cannot raise it inside the school (paragraph 18)")


def contacts_for_role(profile: Profile, role: str) -> tuple[Contact, ...]:
    """The contacts behind a recipient role key; deputies give one contact each (maybe none)."""
    if role == "deputy_dsl":
        return tuple(person_contact("deputy_dsl", p) for p in profile.deputy_dsls)
    if role == "local_authority":
        return local_authority_contacts(profile)
    if role == "nspcc":
        return (nspcc_contact(profile),)
    if role in ("dsl", "headteacher", "director_of_education", "trust_safeguarding_lead",
                "chair_of_governors", "designated_teacher", "safeguarding_governor"):
        return (person_contact(role, getattr(profile, role)),)
    raise ValueError(f"unknown role {role!r}")


def first_contact(profile: Profile, role: str) -> Contact:
    """The one contact to put beside a step for this role.

    For the local authority that is the referral line (21), the number a person referring
    needs; deputies give the first listed deputy.
    """
    if role == "local_authority":
        return referral_contacts(profile)[0]
    found = contacts_for_role(profile, role)
    if not found:
        raise ValueError(f"the profile has nobody in role {role!r}")
    return found[0]


def all_contacts(profile: Profile) -> list[Contact]:
    """Every number and address in the profile, for the contacts screen (paragraph 13)."""
    out = [person_contact("dsl", profile.dsl)]
    out += [person_contact("deputy_dsl", p) for p in profile.deputy_dsls]
    for role in ("designated_teacher", "safeguarding_governor", "headteacher",
                 "chair_of_governors", "director_of_education", "trust_safeguarding_lead"):
        out.append(person_contact(role, getattr(profile, role)))
    out += local_authority_contacts(profile)
    out.append(nspcc_contact(profile))
    for agency in profile.agencies:
        out.append(Contact(
            role=f"agency:{agency.key}", name=agency.name, phone=agency.phone,
            email=agency.email, url=agency.url, note=agency.contact,
            placeholder=agency.placeholder,
        ))
    return out


# ---------------------------------------------------------------------------------------------
# The profile's people and the console's accounts
# ---------------------------------------------------------------------------------------------

# Titles dropped before names are compared ("Dr Helen Marsh" is "helen marsh").
NAME_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof"})

# Console role -> the profile's person field for the same job.
ACCOUNT_PERSON_ROLES = {
    "dsl": "dsl",
    "headteacher": "headteacher",
    "governor": "safeguarding_governor",
    "director_of_education": "director_of_education",
    "trust_safeguarding_lead": "trust_safeguarding_lead",
}

STALE_NUMBER_NOTE = ("number from the school profile, which has not been updated for this "
                     "person: the school should update its profile")
NO_NUMBER_NOTE = "no number in the school profile: the school should add one"


def name_key(name: str) -> str:
    """A full name as compared: lower case, spacing and full stops ignored, leading titles
    and any "(role)" dropped, so "dr.  HELEN marsh" and "Dr Helen Marsh (headteacher)" agree."""
    text = re.sub(r"\([^)]*\)", " ", name)
    words = re.sub(r"[.,]", " ", text).lower().split()
    while len(words) > 1 and words[0] in NAME_TITLES:
        words.pop(0)
    return " ".join(words)


def plain_name(name: str) -> str:
    """A name without bracketed labels: "Mr Daniel Hart (deputy DSL)" is "Mr Daniel Hart".

    Where the console shows a role beside a name it adds the role itself, so a label typed
    into an account's full name would otherwise show twice.
    """
    shown = " ".join(re.sub(r"\([^)]*\)", " ", name).split())
    return shown or " ".join(name.split())


def same_person(a: str, b: str) -> bool:
    """Whether two names are one person: equal as compared (``name_key``), or the same
    surname with one given as an initial ("Mrs A. Smith" and "Mrs Alison Smith")."""
    wa, wb = name_key(a).split(), name_key(b).split()
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    if len(wa) < 2 or len(wb) < 2 or wa[-1] != wb[-1]:
        return False
    first_a, first_b = wa[0], wb[0]
    return (len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]


def _held_by(person: Person, names: Sequence[str]) -> Person:
    for name in names:
        if same_person(name, person.name):
            return replace(person, name=name)
    return replace(person, name=names[0], role_title=f"{person.role_title}; {STALE_NUMBER_NOTE}")


def _deputies_held_by(deputies: Sequence[Person], names: Sequence[str]) -> tuple[Person, ...]:
    left = list(deputies)
    out: list[Person] = []
    unmatched: list[str] = []
    for name in names:
        match = next((p for p in left if same_person(name, p.name)), None)
        if match is None:
            unmatched.append(name)
        else:
            left.remove(match)
            out.append(replace(match, name=name))
    title = deputies[0].role_title if deputies else "Deputy DSL"
    for name in unmatched:
        if left:
            out.append(_held_by(left.pop(0), [name]))
        else:
            out.append(Person(name=name, role_title=f"{title}; {NO_NUMBER_NOTE}", phone="",
                              email=""))
    return tuple(out)


def with_console_people(profile: Profile, holders: Mapping[str, Sequence[str]]) -> Profile:
    """The profile with each person-role named as the active console accounts holding it.

    ``holders`` maps a console role ("dsl", "deputy_dsl", "headteacher", "governor",
    "director_of_education", "trust_safeguarding_lead") to the full names of the active
    accounts holding it. The accounts are who a concern actually reaches, so where they and
    the profile disagree (a new headteacher, a profile not yet updated) the account wins and
    a pane names one person per role. The number stays the profile's, since that is where
    numbers live, marked when it was written for someone else. A role no account holds keeps
    the profile's person.
    """
    changes: dict[str, object] = {}
    for role, field in ACCOUNT_PERSON_ROLES.items():
        names = [plain_name(n) for n in holders.get(role, ()) if plain_name(n)]
        if names:
            changes[field] = _held_by(getattr(profile, field), names)
    deputies = [plain_name(n) for n in holders.get("deputy_dsl", ()) if plain_name(n)]
    if deputies:
        changes["deputy_dsls"] = _deputies_held_by(profile.deputy_dsls, deputies)
    return replace(profile, **changes) if changes else profile
