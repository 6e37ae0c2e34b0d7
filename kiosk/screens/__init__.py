"""Textual screens. Thin: they call kiosk.services and render plain results."""


def load_draft_screens() -> None:
    """Import the screens whose forms or dialogs can be kept as drafts, so that a draft's
    screen can be found in kiosk.screens.base.SCREENS (only when a draft is restored: the
    console otherwise loads a screen when it is first opened)."""
    from kiosk.screens import (  # noqa: F401
        adult_detail,
        adult_form,
        concern_detail,
        concern_form,
        early_help_agency,
        early_help_register,
    )
