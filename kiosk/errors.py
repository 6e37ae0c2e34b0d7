"""Errors the services raise; screens and the CLI turn them into one clear message."""

from __future__ import annotations


class KioskError(Exception):
    """Base for every error meant to be shown to a person as one line."""


class ValidationError(KioskError):
    """Input refused. `field` names what to fix: for a write action with an input
    dataclass, that dataclass's field name (the screen puts the cursor there); `label`
    is how a person calls it in the message (the field name with spaces by default)."""

    def __init__(self, field: str, problem: str, label: str | None = None) -> None:
        self.field = field
        self.problem = problem
        self.label = label or field.replace("_", " ")
        super().__init__(f"{self.label}: {problem}")


class PermissionDenied(KioskError):
    def __init__(self, capability: str, message: str | None = None) -> None:
        self.capability = capability
        super().__init__(message or f"You do not have permission to do this ({capability}).")


class SessionEnded(PermissionDenied):
    """The signed-in account changed (deactivated, roles, password reset) since sign-in:
    nothing more is done for this session; the console returns to the login screen."""

    MESSAGE = ("Your account was changed by the IT administrator (access, roles or password). "
               "Sign in again to carry on.")

    def __init__(self) -> None:
        super().__init__("session", self.MESSAGE)


class NotFound(KioskError):
    pass


class AuthError(KioskError):
    """Login failed. The message is deliberately the same for every cause but lockout."""


class AccountLocked(AuthError):
    pass


class DatabaseError(KioskError):
    pass


class DatabaseBusy(DatabaseError):
    pass


class ConfigError(KioskError):
    pass


class SchemaTooNew(DatabaseError):
    pass
