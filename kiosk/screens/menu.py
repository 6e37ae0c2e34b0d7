"""What each role's home screen offers: one entry per thing a person does.

The home screen shows the entries whose capability the user holds, in this order, each
with its key in the footer. The service behind each screen checks the capability again:
hiding is not the guard.

Each domain adds its entries here (small edits only). `screen` is a function that imports
the screen class and returns it: a screen's module is loaded only when first chosen (the
console starts faster), yet every dependency is a plain import. The class is constructed
with no arguments and reads `self.app.actor` / `self.app.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kiosk.capabilities import Cap


# --- the screens, imported when first chosen ------------------------------------------

def _record_concern_screen():
    from kiosk.screens.concern_form import RecordConcernScreen

    return RecordConcernScreen


def _my_concerns_screen():
    from kiosk.screens.my_concerns import MyConcernsScreen

    return MyConcernsScreen


def _shared_concerns_screen():
    from kiosk.screens.inbox import SharedConcernsScreen

    return SharedConcernsScreen


def _adult_concern_screen():
    from kiosk.screens.adult_form import AdultConcernScreen

    return AdultConcernScreen


def _inbox_screen():
    from kiosk.screens.inbox import InboxScreen

    return InboxScreen


def _pupils_screen():
    from kiosk.screens.pupils import PupilsScreen

    return PupilsScreen


def _transfers_screen():
    from kiosk.screens.transfers import TransfersScreen

    return TransfersScreen


def _governors_report_screen():
    from kiosk.screens.governors_report import GovernorsReportScreen

    return GovernorsReportScreen


def _categories_screen():
    from kiosk.screens.categories import CategoriesScreen

    return CategoriesScreen


def _early_help_screen():
    from kiosk.screens.early_help import EarlyHelpScreen

    return EarlyHelpScreen


def _internal_referral_screen():
    from kiosk.screens.early_help_cases import InternalReferralScreen

    return InternalReferralScreen


def _adult_register_screen():
    from kiosk.screens.adult_register import AdultRegisterScreen

    return AdultRegisterScreen


def _stats_screen():
    from kiosk.screens.stats import StatsScreen

    return StatsScreen


def _signoff_status_screen():
    from kiosk.screens.signoff_status import SignoffStatusScreen

    return SignoffStatusScreen


def _accounts_screen():
    from kiosk.screens.accounts import AccountsScreen

    return AccountsScreen


def _retention_screen():
    from kiosk.screens.retention import RetentionScreen

    return RetentionScreen


def _role_grants_screen():
    from kiosk.screens.role_grants import RoleGrantsScreen

    return RoleGrantsScreen


def _roll_import_screen():
    from kiosk.screens.roll_import import RollImportScreen

    return RollImportScreen


def _contacts_screen():
    from kiosk.screens.contacts import ContactsScreen

    return ContactsScreen


def _whistleblowing_screen():
    from kiosk.screens.whistleblowing import WhistleblowingScreen

    return WhistleblowingScreen


def _procedures_screen():
    from kiosk.screens.procedures import ProceduresScreen

    return ProceduresScreen


@dataclass(frozen=True)
class MenuEntry:
    key: str  # a single key, shown in the footer
    label: str
    capability: Cap
    screen: Callable[[], type]  # imports and returns the screen class
    section: str = "Do"


MENU: tuple[MenuEntry, ...] = (
    # Everyone: recording comes first (a teacher in a hurry).
    MenuEntry("r", "Record a concern about a child", Cap.CONCERN_RECORD, _record_concern_screen),
    MenuEntry("m", "My reported concerns", Cap.CONCERN_VIEW_OWN, _my_concerns_screen),
    MenuEntry("v", "Concerns shared with me", Cap.CONCERN_VIEW_SHARED, _shared_concerns_screen),
    MenuEntry("a", "Concern about an adult", Cap.ADULT_RAISE, _adult_concern_screen),
    # DSL team
    MenuEntry("i", "Inbox: concerns and alerts", Cap.CONCERN_VIEW_ALL, _inbox_screen, "DSL team"),
    MenuEntry("p", "Pupils and chronology", Cap.CHRONOLOGY_VIEW, _pupils_screen, "DSL team"),
    MenuEntry("f", "Child protection files: transfers in and out", Cap.EXPORT_TRANSFER, _transfers_screen, "DSL team"),
    MenuEntry("t", "Concern categories", Cap.CATEGORIES_MANAGE, _categories_screen, "DSL team"),
    MenuEntry("b", "Retention review (children's records)", Cap.RETENTION_CHILDREN, _retention_screen, "DSL team"),
    # Early help (pastoral)
    MenuEntry("e", "Early help", Cap.EARLY_HELP_VIEW, _early_help_screen, "Early help"),
    MenuEntry("h", "Refer a pupil for 1:1 pastoral support or group work", Cap.EARLY_HELP_REFER, _internal_referral_screen, "Early help"),
    # Concerns about adults (headteacher, trust roles, DSL for low-level)
    MenuEntry("g", "Register of concerns about adults", Cap.ADULT_RECEIVE_LOW_LEVEL, _adult_register_screen, "Adults"),
    MenuEntry("q", "Retention review (records about adults)", Cap.RETENTION_ADULTS, _retention_screen, "Adults"),
    # Oversight
    MenuEntry("s", "Statistics", Cap.STATS_VIEW, _stats_screen, "Oversight"),
    MenuEntry("o", "Governors' report (charts and PDF)", Cap.EXPORT_REPORT, _governors_report_screen, "Oversight"),
    MenuEntry("n", "Who has not signed the procedures", Cap.SIGNOFF_STATUS, _signoff_status_screen, "Oversight"),
    # Administration
    MenuEntry("u", "Accounts", Cap.ACCOUNTS_MANAGE, _accounts_screen, "Administration"),
    MenuEntry("z", "Account changes: roles, authenticator resets, password resets", Cap.ACCOUNTS_CONFIRM, _role_grants_screen, "Oversight"),
    MenuEntry("y", "Import the roll from the MIS (CTF or CSV)", Cap.SETTINGS_MANAGE, _roll_import_screen, "Administration"),
    # Always there
    MenuEntry("c", "Contacts and numbers", Cap.CONTACTS_VIEW, _contacts_screen, "Help"),
    MenuEntry("w", "Whistleblowing and escalation", Cap.WHISTLEBLOW_VIEW, _whistleblowing_screen, "Help"),
    MenuEntry("d", "Read the procedures", Cap.PROCEDURES_SIGN, _procedures_screen, "Help"),
)


def entries_for(actor) -> list[MenuEntry]:
    return [e for e in MENU if actor.can(e.capability)]
