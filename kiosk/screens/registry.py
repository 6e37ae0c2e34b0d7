"""Where each screen the app or the home menu opens lives: name -> the screen class.

The app and kiosk/screens/session/menu.py name screens, never import them: a screen module is
imported when the screen is first pushed, so start-up loads only the login screen (and
the memory of a teacher's session holds only what the teacher opened). Each name's
function imports its class plainly (no look-up by name), so every dependency shows;
moving a screen to another module is an edit to this table alone.

Nothing here imports Textual or a screen at import time.
"""

from __future__ import annotations

from typing import Callable


def _login():
    from kiosk.screens.session.login import LoginScreen

    return LoginScreen


def _two_factor_code():
    from kiosk.screens.session.two_factor import TwoFactorCodeScreen

    return TwoFactorCodeScreen


def _two_factor_enrol():
    from kiosk.screens.session.two_factor import TwoFactorEnrolScreen

    return TwoFactorEnrolScreen


def _recovery_codes():
    from kiosk.screens.session.two_factor import RecoveryCodesScreen

    return RecoveryCodesScreen


def _password():
    from kiosk.screens.session.password import PasswordScreen

    return PasswordScreen


def _signoff():
    from kiosk.screens.session.signoff import SignoffScreen

    return SignoffScreen


def _home():
    from kiosk.screens.session.home import HomeScreen

    return HomeScreen


def _restore_drafts():
    from kiosk.screens.session.lock import RestoreDraftsScreen

    return RestoreDraftsScreen


def _record_concern():
    from kiosk.screens.concerns.form import RecordConcernScreen

    return RecordConcernScreen


def _my_concerns():
    from kiosk.screens.concerns.mine import MyConcernsScreen

    return MyConcernsScreen


def _shared_concerns():
    from kiosk.screens.concerns.inbox import SharedConcernsScreen

    return SharedConcernsScreen


def _adult_concern():
    from kiosk.screens.adults.form import AdultConcernScreen

    return AdultConcernScreen


def _inbox():
    from kiosk.screens.concerns.inbox import InboxScreen

    return InboxScreen


def _pupils():
    from kiosk.screens.pupils.roll import PupilsScreen

    return PupilsScreen


def _transfers():
    from kiosk.screens.pupils.transfers import TransfersScreen

    return TransfersScreen


def _categories():
    from kiosk.screens.concerns.categories import CategoriesScreen

    return CategoriesScreen


def _retention():
    from kiosk.screens.admin.retention import RetentionScreen

    return RetentionScreen


def _early_help():
    from kiosk.screens.early_help.hub import EarlyHelpScreen

    return EarlyHelpScreen


def _internal_referral():
    from kiosk.screens.early_help.cases import InternalReferralScreen

    return InternalReferralScreen


def _adult_register():
    from kiosk.screens.adults.register import AdultRegisterScreen

    return AdultRegisterScreen


def _stats():
    from kiosk.screens.reports.stats import StatsScreen

    return StatsScreen


def _governors_report():
    from kiosk.screens.reports.governors_report import GovernorsReportScreen

    return GovernorsReportScreen


def _signoff_status():
    from kiosk.screens.admin.signoff_status import SignoffStatusScreen

    return SignoffStatusScreen


def _accounts():
    from kiosk.screens.admin.accounts import AccountsScreen

    return AccountsScreen


def _role_grants():
    from kiosk.screens.admin.role_grants import RoleGrantsScreen

    return RoleGrantsScreen


def _roll_import():
    from kiosk.screens.admin.roll_import import RollImportScreen

    return RollImportScreen


def _contacts():
    from kiosk.screens.help.contacts import ContactsScreen

    return ContactsScreen


def _whistleblowing():
    from kiosk.screens.help.whistleblowing import WhistleblowingScreen

    return WhistleblowingScreen


def _procedures():
    from kiosk.screens.help.procedures import ProceduresScreen

    return ProceduresScreen


SCREENS: dict[str, Callable[[], type]] = {
    # The session's stages (kiosk/app.py)
    "login": _login,
    "two_factor_code": _two_factor_code,
    "two_factor_enrol": _two_factor_enrol,
    "recovery_codes": _recovery_codes,
    "password": _password,
    "signoff": _signoff,
    "home": _home,
    "restore_drafts": _restore_drafts,
    # The home menu (kiosk/screens/session/menu.py) and the app's F1 / F2 keys
    "record_concern": _record_concern,
    "my_concerns": _my_concerns,
    "shared_concerns": _shared_concerns,
    "adult_concern": _adult_concern,
    "inbox": _inbox,
    "pupils": _pupils,
    "transfers": _transfers,
    "categories": _categories,
    "retention": _retention,
    "early_help": _early_help,
    "internal_referral": _internal_referral,
    "adult_register": _adult_register,
    "stats": _stats,
    "governors_report": _governors_report,
    "signoff_status": _signoff_status,
    "accounts": _accounts,
    "role_grants": _role_grants,
    "roll_import": _roll_import,
    "contacts": _contacts,
    "whistleblowing": _whistleblowing,
    "procedures": _procedures,
}


def available(name: str) -> bool:
    """Whether the console has a screen by this name (every menu entry's does)."""
    return name in SCREENS


def screen_class(name: str):
    """Import the named screen's module (the first time) and return the class."""
    return SCREENS[name]()
