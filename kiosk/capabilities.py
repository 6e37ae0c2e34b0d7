"""The one table that says which role may do what. Every service checks it.

A capability is a thing a person does ("triage a concern"), not a screen. Screens may
hide what a role cannot do, but the service refuses it regardless. The admin role runs
accounts and settings and holds no capability that reads a case record.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    PASTORAL = "pastoral"
    DSL = "dsl"
    DEPUTY_DSL = "deputy_dsl"
    HEADTEACHER = "headteacher"
    GOVERNOR = "governor"
    ADMIN = "admin"
    DIRECTOR_OF_EDUCATION = "director_of_education"
    TRUST_SAFEGUARDING_LEAD = "trust_safeguarding_lead"


ROLE_TITLES = {
    Role.STAFF: "Staff member or volunteer",
    Role.PASTORAL: "Pastoral staff",
    Role.DSL: "Designated Safeguarding Lead",
    Role.DEPUTY_DSL: "Deputy DSL",
    Role.HEADTEACHER: "Headteacher",
    Role.GOVERNOR: "Safeguarding governor (statistics only)",
    Role.ADMIN: "IT administrator (accounts and settings; no case records)",
    Role.DIRECTOR_OF_EDUCATION: "Trust Director of Education",
    Role.TRUST_SAFEGUARDING_LEAD: "Trust Lead on Safeguarding",
}


class Cap(StrEnum):
    # Everyone
    PROCEDURES_SIGN = "procedures.sign"
    CONCERN_RECORD = "concern.record"  # para 11: sharing is everyone's responsibility
    CONCERN_VIEW_OWN = "concern.view_own"  # status of what I reported
    ADULT_RAISE = "adult.raise"  # paras 14-15
    WHISTLEBLOW_VIEW = "whistleblowing.view"  # paras 17-18
    CONTACTS_VIEW = "contacts.view"
    # Pupils
    PUPIL_SEARCH = "pupil.search"
    PUPIL_MANAGE = "pupil.manage"  # add / correct pupil details (not case data)
    PUPIL_FLAGS_EDIT = "pupil.flags_edit"  # CP plan, CIN, LAC ... kept by the DSL team
    # Child protection (DSL team)
    CONCERN_ALERTS = "concern.alerts"
    CONCERN_VIEW_ALL = "concern.view_all"
    CONCERN_TRIAGE = "concern.triage"  # acknowledge, act, assign, close, reopen
    CONCERN_RESTRICT = "concern.restrict"
    CONCERN_SHARE = "concern.share"  # share with pastoral / designated teacher
    CONCERN_VIEW_SHARED = "concern.view_shared"
    CHRONOLOGY_VIEW = "chronology.view"
    CATEGORIES_MANAGE = "categories.manage"
    # Records out (issue 16): each export is a capability of its own.
    EXPORT_TRANSFER = "export.transfer"  # send, receive and acknowledge the CP file on a move
    EXPORT_CHRONOLOGY = "export.chronology"  # case conference / strategy / MASH chronology
    EXPORT_REPORT = "export.governors_report"  # counts only, no individual
    # Early help (para 6)
    EARLY_HELP_VIEW = "early_help.view"
    EARLY_HELP_MANAGE = "early_help.manage"
    EARLY_HELP_REFER = "early_help.refer"  # internal referral for 1:1 or group work
    EARLY_HELP_OFFERS = "early_help.offers"  # add, rename, retire offers
    # Concerns about adults (paras 14-16)
    ADULT_RECEIVE_ALLEGATION = "adult.receive_allegation"
    ADULT_RECEIVE_LOW_LEVEL = "adult.receive_low_level"
    ADULT_REGISTER = "adult.register"  # the headteacher's register
    # Oversight
    SIGNOFF_STATUS = "signoff.status"
    STATS_VIEW = "stats.view"
    AUDIT_VIEW = "audit.view"
    # Administration
    ACCOUNTS_MANAGE = "accounts.manage"
    SETTINGS_MANAGE = "settings.manage"
    APP_EXIT = "app.exit"
    APP_SCREENSHOT = "app.screenshot"


_EVERYONE = {
    Cap.PROCEDURES_SIGN,
    Cap.CONCERN_RECORD,
    Cap.CONCERN_VIEW_OWN,
    Cap.ADULT_RAISE,
    Cap.WHISTLEBLOW_VIEW,
    Cap.CONTACTS_VIEW,
}

_DSL_TEAM = {
    Cap.PUPIL_SEARCH,
    Cap.PUPIL_MANAGE,
    Cap.PUPIL_FLAGS_EDIT,
    Cap.CONCERN_ALERTS,
    Cap.CONCERN_VIEW_ALL,
    Cap.CONCERN_TRIAGE,
    Cap.CONCERN_RESTRICT,
    Cap.CONCERN_SHARE,
    Cap.CHRONOLOGY_VIEW,
    Cap.CATEGORIES_MANAGE,
    Cap.EARLY_HELP_VIEW,
    Cap.EARLY_HELP_MANAGE,
    Cap.EARLY_HELP_REFER,
    Cap.EARLY_HELP_OFFERS,
    Cap.ADULT_RECEIVE_LOW_LEVEL,
    Cap.SIGNOFF_STATUS,
    Cap.STATS_VIEW,
    Cap.EXPORT_TRANSFER,
    Cap.EXPORT_CHRONOLOGY,
    Cap.EXPORT_REPORT,
}

CAPABILITIES: dict[Role, frozenset[Cap]] = {
    Role.STAFF: frozenset(_EVERYONE | {Cap.PUPIL_SEARCH, Cap.EARLY_HELP_REFER}),
    Role.PASTORAL: frozenset(
        _EVERYONE
        | {
            Cap.PUPIL_SEARCH,
            Cap.CONCERN_VIEW_SHARED,
            Cap.EARLY_HELP_VIEW,
            Cap.EARLY_HELP_MANAGE,
            Cap.EARLY_HELP_REFER,
            Cap.EARLY_HELP_OFFERS,
        }
    ),
    Role.DSL: frozenset(_EVERYONE | _DSL_TEAM),
    Role.DEPUTY_DSL: frozenset(_EVERYONE | (_DSL_TEAM - {Cap.CATEGORIES_MANAGE})),
    Role.HEADTEACHER: frozenset(
        _EVERYONE
        | {
            Cap.PUPIL_SEARCH,
            Cap.CONCERN_VIEW_ALL,
            Cap.CHRONOLOGY_VIEW,
            Cap.CATEGORIES_MANAGE,
            Cap.EARLY_HELP_VIEW,
            Cap.EARLY_HELP_REFER,
            Cap.ADULT_RECEIVE_ALLEGATION,
            Cap.ADULT_RECEIVE_LOW_LEVEL,
            Cap.ADULT_REGISTER,
            Cap.SIGNOFF_STATUS,
            Cap.STATS_VIEW,
            Cap.AUDIT_VIEW,
        }
    ),
    # Governors see statistics, never individual records.
    Role.GOVERNOR: frozenset(_EVERYONE | {Cap.STATS_VIEW, Cap.EXPORT_REPORT}),
    # The IT admin runs the system but reads no case record.
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            Cap.ACCOUNTS_MANAGE,
            Cap.SETTINGS_MANAGE,
            Cap.PUPIL_MANAGE,
            Cap.SIGNOFF_STATUS,
            Cap.AUDIT_VIEW,
            Cap.APP_EXIT,
            Cap.APP_SCREENSHOT,
        }
    ),
    # Paras 14-15: allegations and low-level concerns about the headteacher go here.
    Role.DIRECTOR_OF_EDUCATION: frozenset(
        _EVERYONE | {Cap.ADULT_RECEIVE_ALLEGATION, Cap.ADULT_RECEIVE_LOW_LEVEL}
    ),
    # Para 15: low-level concerns about the trust central team; para 14 escalation.
    Role.TRUST_SAFEGUARDING_LEAD: frozenset(_EVERYONE | {Cap.ADULT_RECEIVE_LOW_LEVEL}),
}

# Capabilities that read or write case records about children or adults.
CASE_RECORD_CAPS = frozenset(
    {
        Cap.CONCERN_VIEW_ALL,
        Cap.CONCERN_TRIAGE,
        Cap.CONCERN_VIEW_SHARED,
        Cap.CHRONOLOGY_VIEW,
        Cap.EARLY_HELP_VIEW,
        Cap.EARLY_HELP_MANAGE,
        Cap.ADULT_RECEIVE_ALLEGATION,
        Cap.ADULT_RECEIVE_LOW_LEVEL,
        Cap.ADULT_REGISTER,
        Cap.PUPIL_FLAGS_EDIT,
        Cap.EXPORT_TRANSFER,
        Cap.EXPORT_CHRONOLOGY,
    }
)


def capabilities_for(roles) -> frozenset[Cap]:
    caps: set[Cap] = set()
    for role in roles:
        caps |= CAPABILITIES[Role(role)]
    return frozenset(caps)


def parse_role(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise ValueError(
            f"unknown role {name!r}; use one of: {', '.join(r.value for r in Role)}"
        ) from None
