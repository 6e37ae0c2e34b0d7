"""Where each screen the app or the home menu opens lives: name -> "module:Class".

The app and kiosk/screens/menu.py name screens, never import them: a screen module is
imported when the screen is first pushed, so start-up loads only the login screen (and
the memory of a teacher's session holds only what the teacher opened). Moving a screen
to another module is an edit to this table alone.

Nothing here imports Textual or a screen.
"""

from __future__ import annotations

import importlib
import importlib.util

SCREENS: dict[str, str] = {
    # The session's stages (kiosk/app.py)
    "login": "kiosk.screens.login:LoginScreen",
    "two_factor_code": "kiosk.screens.two_factor:TwoFactorCodeScreen",
    "two_factor_enrol": "kiosk.screens.two_factor:TwoFactorEnrolScreen",
    "recovery_codes": "kiosk.screens.two_factor:RecoveryCodesScreen",
    "password": "kiosk.screens.password:PasswordScreen",
    "signoff": "kiosk.screens.signoff:SignoffScreen",
    "home": "kiosk.screens.home:HomeScreen",
    "restore_drafts": "kiosk.screens.lock:RestoreDraftsScreen",
    # The home menu (kiosk/screens/menu.py) and the app's F1 / F2 keys
    "record_concern": "kiosk.screens.concern_form:RecordConcernScreen",
    "my_concerns": "kiosk.screens.my_concerns:MyConcernsScreen",
    "shared_concerns": "kiosk.screens.inbox:SharedConcernsScreen",
    "adult_concern": "kiosk.screens.adult_form:AdultConcernScreen",
    "inbox": "kiosk.screens.inbox:InboxScreen",
    "pupils": "kiosk.screens.pupils:PupilsScreen",
    "transfers": "kiosk.screens.transfers:TransfersScreen",
    "categories": "kiosk.screens.categories:CategoriesScreen",
    "retention": "kiosk.screens.retention:RetentionScreen",
    "early_help": "kiosk.screens.early_help:EarlyHelpScreen",
    "internal_referral": "kiosk.screens.early_help_cases:InternalReferralScreen",
    "adult_register": "kiosk.screens.adult_register:AdultRegisterScreen",
    "stats": "kiosk.screens.stats:StatsScreen",
    "governors_report": "kiosk.screens.governors_report:GovernorsReportScreen",
    "signoff_status": "kiosk.screens.signoff_status:SignoffStatusScreen",
    "accounts": "kiosk.screens.accounts:AccountsScreen",
    "role_grants": "kiosk.screens.role_grants:RoleGrantsScreen",
    "roll_import": "kiosk.screens.roll_import:RollImportScreen",
    "contacts": "kiosk.screens.contacts:ContactsScreen",
    "whistleblowing": "kiosk.screens.whistleblowing:WhistleblowingScreen",
    "procedures": "kiosk.screens.procedures:ProceduresScreen",
}


def screen_path(name: str) -> str:
    """The "module:Class" of a named screen (KeyError for a name not in the table)."""
    return SCREENS[name]


def available(name: str) -> bool:
    """Whether the screen's module exists (a menu entry for a screen not written yet is
    shown greyed), without importing it."""
    module = SCREENS[name].split(":", 1)[0]
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def screen_class(name: str):
    """Import the named screen's module (the first time) and return the class; None when
    the module is not written yet."""
    module_name, _, class_name = SCREENS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, class_name, None)
