"""Contacts: every number and address in the profile, as plain ``Contact`` objects.

Routing and next steps name roles ("dsl", "local_authority"); ``contacts_for_role`` turns a role
into the people or lines to ring. ``all_contacts`` lists everything for the contacts screen in
the order of paragraph 13 (people first), then the local authority (20, 21) and the NSPCC (18).
"""

from __future__ import annotations

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
