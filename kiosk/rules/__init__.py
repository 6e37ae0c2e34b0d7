"""The school's procedures as rules: profile, routing, next steps and deadlines.

Plain data and pure functions. Nothing in this package imports Textual or peewee, reads the
clock or touches the database; the only I/O is reading the profile file (``load_profile``) and
the procedures text (``load_procedures_text``). A test proves the imports stay that way.

The names below are imported from their modules on first use (PEP 562), so loading the
profile at start-up does not also load routing, deadlines and steps.
"""

from __future__ import annotations

_MODULES: dict[str, tuple[str, ...]] = {
    "contacts": ("RECIPIENT_ROLES", "ROLE_LABELS", "all_contacts", "contacts_for_role",
        "first_contact", "lado_contact", "local_authority_contacts"),
    "deadlines": ("WorkingCalendar", "add_working_days", "agency_response_due", "cp_file_transfer",
        "cp_file_transfer_deadline", "is_bank_holiday", "is_working_day", "lado_contact_deadline",
        "lado_deadline", "needs_reconfirmation", "next_working_day", "procedures_review_due",
        "receipt_chase", "receipt_chase_date", "school_days", "working_days_between"),
    "procedures": ("Paragraph", "load_procedures_text", "paragraph", "parse_procedures"),
    "profile": ("DEFAULT_PROFILE_PATH", "Agency", "Category", "LocalAuthority", "Line", "Offer",
        "Person", "Profile", "ProfileError", "Term", "load_profile", "profile_from_dict"),
    "results": ("AdultRouting", "Contact", "Deadline", "Guidance", "Route", "Routing", "Step"),
    "routing": ("AdultSubject", "HarmsAnswers", "escalation_route", "excluded_roles",
        "route_adult_concern", "route_child_concern", "whistleblowing_routes"),
    "steps": ("Situation", "guidance_for_child_concern", "next_steps"),
    "vocabulary": ("SOURCES",),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def _module(module: str):
    # Plain imports, one module at a time (no look-up by name), so every dependency shows.
    if module == "contacts":
        from kiosk.rules import contacts as found
    elif module == "deadlines":
        from kiosk.rules import deadlines as found
    elif module == "procedures":
        from kiosk.rules import procedures as found
    elif module == "profile":
        from kiosk.rules import profile as found
    elif module == "results":
        from kiosk.rules import results as found
    elif module == "routing":
        from kiosk.rules import routing as found
    elif module == "steps":
        from kiosk.rules import steps as found
    else:
        from kiosk.rules import vocabulary as found
    return found


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.rules' has no attribute {name!r}")
    value = getattr(_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


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
