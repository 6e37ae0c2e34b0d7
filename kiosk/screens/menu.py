"""What each role's home screen offers: one entry per thing a person does.

The home screen shows the entries whose capability the user holds, in this order, each
with its key in the footer; the screen class is imported only when chosen. The
service behind each screen checks the capability again: hiding is not the guard.

Each domain adds its entries here (small edits only). `screen` is "module:Class"; the
class is constructed with no arguments and reads `self.app.actor` / `self.app.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.capabilities import Cap


@dataclass(frozen=True)
class MenuEntry:
    key: str  # a single key, shown in the footer
    label: str
    capability: Cap
    screen: str  # "kiosk.screens.module:ScreenClass"
    section: str = "Do"


MENU: tuple[MenuEntry, ...] = (
    # Everyone: recording comes first (a teacher in a hurry).
    MenuEntry("r", "Record a concern about a child", Cap.CONCERN_RECORD, "kiosk.screens.concern_form:RecordConcernScreen"),
    MenuEntry("m", "My reported concerns", Cap.CONCERN_VIEW_OWN, "kiosk.screens.my_concerns:MyConcernsScreen"),
    MenuEntry("v", "Concerns shared with me", Cap.CONCERN_VIEW_SHARED, "kiosk.screens.inbox:SharedConcernsScreen"),
    MenuEntry("a", "Concern about an adult", Cap.ADULT_RAISE, "kiosk.screens.adult_form:AdultConcernScreen"),
    # DSL team
    MenuEntry("i", "Inbox: concerns and alerts", Cap.CONCERN_VIEW_ALL, "kiosk.screens.inbox:InboxScreen", "DSL team"),
    MenuEntry("p", "Pupils and chronology", Cap.CHRONOLOGY_VIEW, "kiosk.screens.pupils:PupilsScreen", "DSL team"),
    MenuEntry("f", "Child protection files: transfers in and out", Cap.EXPORT_TRANSFER, "kiosk.screens.transfers:TransfersScreen", "DSL team"),
    MenuEntry("t", "Concern categories", Cap.CATEGORIES_MANAGE, "kiosk.screens.categories:CategoriesScreen", "DSL team"),
    MenuEntry("b", "Retention review (children's records)", Cap.RETENTION_CHILDREN, "kiosk.screens.retention:RetentionScreen", "DSL team"),
    # Early help (pastoral)
    MenuEntry("e", "Early help", Cap.EARLY_HELP_VIEW, "kiosk.screens.early_help:EarlyHelpScreen", "Early help"),
    MenuEntry("h", "Refer a pupil for 1:1 pastoral support or group work", Cap.EARLY_HELP_REFER, "kiosk.screens.early_help_cases:InternalReferralScreen", "Early help"),
    # Concerns about adults (headteacher, trust roles, DSL for low-level)
    MenuEntry("g", "Register of concerns about adults", Cap.ADULT_RECEIVE_LOW_LEVEL, "kiosk.screens.adult_register:AdultRegisterScreen", "Adults"),
    MenuEntry("q", "Retention review (records about adults)", Cap.RETENTION_ADULTS, "kiosk.screens.retention:RetentionScreen", "Adults"),
    # Oversight
    MenuEntry("s", "Statistics", Cap.STATS_VIEW, "kiosk.screens.stats:StatsScreen", "Oversight"),
    MenuEntry("o", "Governors' report (charts and PDF)", Cap.EXPORT_REPORT, "kiosk.screens.governors_report:GovernorsReportScreen", "Oversight"),
    MenuEntry("n", "Who has not signed the procedures", Cap.SIGNOFF_STATUS, "kiosk.screens.signoff_status:SignoffStatusScreen", "Oversight"),
    # Administration
    MenuEntry("u", "Accounts", Cap.ACCOUNTS_MANAGE, "kiosk.screens.accounts:AccountsScreen", "Administration"),
    MenuEntry("z", "Account changes: roles, authenticator resets, password resets", Cap.ACCOUNTS_CONFIRM, "kiosk.screens.role_grants:RoleGrantsScreen", "Oversight"),
    MenuEntry("y", "Import the roll from the MIS (CTF or CSV)", Cap.SETTINGS_MANAGE, "kiosk.screens.roll_import:RollImportScreen", "Administration"),
    # Always there
    MenuEntry("c", "Contacts and numbers", Cap.CONTACTS_VIEW, "kiosk.screens.contacts:ContactsScreen", "Help"),
    MenuEntry("w", "Whistleblowing and escalation", Cap.WHISTLEBLOW_VIEW, "kiosk.screens.whistleblowing:WhistleblowingScreen", "Help"),
    MenuEntry("d", "Read the procedures", Cap.PROCEDURES_SIGN, "kiosk.screens.procedures:ProceduresScreen", "Help"),
)


def entries_for(actor) -> list[MenuEntry]:
    return [e for e in MENU if actor.can(e.capability)]
