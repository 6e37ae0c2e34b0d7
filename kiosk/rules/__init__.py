"""The school's procedures as rules: profile, routing, next steps and deadlines.

Plain data and pure functions. Nothing in this package imports Textual or peewee, reads the
clock or touches the database; the only I/O is reading the profile file (``load_profile``) and
the procedures text (``load_procedures_text``). A test proves the imports stay that way.
"""

from kiosk.rules.contacts import (
    RECIPIENT_ROLES,
    ROLE_LABELS,
    all_contacts,
    contacts_for_role,
    first_contact,
    lado_contact,
    local_authority_contacts,
)
from kiosk.rules.deadlines import (
    WorkingCalendar,
    add_working_days,
    agency_response_due,
    cp_file_transfer,
    cp_file_transfer_deadline,
    is_bank_holiday,
    is_working_day,
    lado_contact_deadline,
    lado_deadline,
    needs_reconfirmation,
    next_working_day,
    procedures_review_due,
    receipt_chase,
    receipt_chase_date,
    school_days,
    working_days_between,
)
from kiosk.rules.procedures import Paragraph, load_procedures_text, paragraph, parse_procedures
from kiosk.rules.profile import (
    DEFAULT_PROFILE_PATH,
    Agency,
    Category,
    LocalAuthority,
    Line,
    Offer,
    Person,
    Profile,
    ProfileError,
    Term,
    load_profile,
    profile_from_dict,
)
from kiosk.rules.results import AdultRouting, Contact, Deadline, Guidance, Route, Routing, Step
from kiosk.rules.routing import (
    AdultSubject,
    HarmsAnswers,
    escalation_route,
    excluded_roles,
    route_adult_concern,
    route_child_concern,
    whistleblowing_routes,
)
from kiosk.rules.steps import Situation, guidance_for_child_concern, next_steps
from kiosk.rules.vocabulary import SOURCES

__all__ = [
    "DEFAULT_PROFILE_PATH", "RECIPIENT_ROLES", "ROLE_LABELS", "SOURCES",
    "AdultRouting", "AdultSubject", "Agency", "Category", "Contact", "Deadline", "Guidance",
    "HarmsAnswers", "Line", "LocalAuthority", "Offer", "Paragraph", "Person", "Profile",
    "ProfileError", "Route", "Routing", "Situation", "Step", "Term", "WorkingCalendar",
    "add_working_days", "agency_response_due", "all_contacts", "contacts_for_role",
    "cp_file_transfer", "cp_file_transfer_deadline", "escalation_route", "excluded_roles",
    "first_contact", "guidance_for_child_concern", "is_bank_holiday", "is_working_day",
    "lado_contact", "lado_contact_deadline", "lado_deadline", "load_procedures_text",
    "load_profile", "local_authority_contacts", "needs_reconfirmation", "next_steps",
    "next_working_day", "paragraph", "parse_procedures", "procedures_review_due",
    "profile_from_dict", "receipt_chase", "receipt_chase_date", "route_adult_concern",
    "route_child_concern", "school_days", "whistleblowing_routes", "working_days_between",
]
