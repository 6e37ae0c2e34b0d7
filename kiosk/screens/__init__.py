"""Textual screens. Thin: they call kiosk.services and render plain results."""


def load_draft_screens() -> None:
    """Import the screens whose forms or dialogs can be kept as drafts, so that a draft's
    screen can be found in kiosk.screens.base.SCREENS (only when a draft is restored: the
    console otherwise loads a screen when it is first opened)."""
    from kiosk.screens.adults import detail, form  # noqa: F401
    from kiosk.screens.concerns import detail as concern_detail, form as concern_form  # noqa: F401
    from kiosk.screens.early_help import agency, register  # noqa: F401
