"""What each role's home screen offers: one entry per thing a person does.

The home screen shows the entries whose capability the user holds, in this order, each
with its key in the footer; the screen class is imported only when chosen. The
service behind each screen checks the capability again: hiding is not the guard.

Each domain adds its entries here (small edits only). `screen` is a name in
kiosk/screens/registry.py (which says where the class lives); the class is constructed
with no arguments and reads `self.app.actor` / `self.app.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.capabilities import Cap


@dataclass(frozen=True)
class MenuEntry:
    key: str  # a single key, shown in the footer
    label: str
    capability: Cap
    screen: str  # a name in kiosk/screens/registry.py
    section: str = "Do"


MENU: tuple[MenuEntry, ...] = (
    # Everyone: recording comes first (a teacher in a hurry).
    MenuEntry("r", "Record a concern about a child", Cap.CONCERN_RECORD, "record_concern"),
    MenuEntry("m", "My reported concerns", Cap.CONCERN_VIEW_OWN, "my_concerns"),
    MenuEntry("v", "Concerns shared with me", Cap.CONCERN_VIEW_SHARED, "shared_concerns"),
    MenuEntry("a", "Concern about an adult", Cap.ADULT_RAISE, "adult_concern"),
    # DSL team
    MenuEntry("i", "Inbox: concerns and alerts", Cap.CONCERN_VIEW_ALL, "inbox", "DSL team"),
    MenuEntry("p", "Pupils and chronology", Cap.CHRONOLOGY_VIEW, "pupils", "DSL team"),
    MenuEntry("f", "Child protection files: transfers in and out", Cap.EXPORT_TRANSFER, "transfers", "DSL team"),
    MenuEntry("t", "Concern categories", Cap.CATEGORIES_MANAGE, "categories", "DSL team"),
    MenuEntry("b", "Retention review (children's records)", Cap.RETENTION_CHILDREN, "retention", "DSL team"),
    # Early help (pastoral)
    MenuEntry("e", "Early help", Cap.EARLY_HELP_VIEW, "early_help", "Early help"),
    MenuEntry("h", "Refer a pupil for 1:1 pastoral support or group work", Cap.EARLY_HELP_REFER, "internal_referral", "Early help"),
    # Concerns about adults (headteacher, trust roles, DSL for low-level)
    MenuEntry("g", "Register of concerns about adults", Cap.ADULT_RECEIVE_LOW_LEVEL, "adult_register", "Adults"),
    MenuEntry("q", "Retention review (records about adults)", Cap.RETENTION_ADULTS, "retention", "Adults"),
    # Oversight
    MenuEntry("s", "Statistics", Cap.STATS_VIEW, "stats", "Oversight"),
    MenuEntry("o", "Governors' report (charts and PDF)", Cap.EXPORT_REPORT, "governors_report", "Oversight"),
    MenuEntry("n", "Who has not signed the procedures", Cap.SIGNOFF_STATUS, "signoff_status", "Oversight"),
    # Administration
    MenuEntry("u", "Accounts", Cap.ACCOUNTS_MANAGE, "accounts", "Administration"),
    MenuEntry("z", "Account changes: roles, authenticator resets, password resets", Cap.ACCOUNTS_CONFIRM, "role_grants", "Oversight"),
    MenuEntry("y", "Import the roll from the MIS (CTF or CSV)", Cap.SETTINGS_MANAGE, "roll_import", "Administration"),
    # Always there
    MenuEntry("c", "Contacts and numbers", Cap.CONTACTS_VIEW, "contacts", "Help"),
    MenuEntry("w", "Whistleblowing and escalation", Cap.WHISTLEBLOW_VIEW, "whistleblowing", "Help"),
    MenuEntry("d", "Read the procedures", Cap.PROCEDURES_SIGN, "procedures", "Help"),
)


def entries_for(actor) -> list[MenuEntry]:
    return [e for e in MENU if actor.can(e.capability)]
