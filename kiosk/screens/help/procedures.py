"""The school's child protection procedures, numbered as in the document (menu "d").

The text comes from kiosk.rules (the profile's file or the packaged copy).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.screens.base import KioskScreen


def procedures_widgets(profile):
    from kiosk.clock import today
    from kiosk.rules.procedures import load_procedures_text, review_line, review_overdue

    yield Static(Content.assemble((profile.school_name, "bold"), ": child protection procedures, version ",
                                  (profile.procedures_version, "bold")), classes="proc-title")
    late = review_overdue(profile, today())
    text = review_line(profile) + (": the review is OVERDUE." if late else ".")
    yield Static(Content.styled(text, "bold red" if late else "italic"), id="proc-review",
                 classes="proc-title")
    heading = None
    for para in load_procedures_text(profile):
        if para.heading and para.heading != heading:
            heading = para.heading
            yield Static(Content.styled(heading, "bold underline"), classes="proc-heading")
        yield Static(Content.assemble((f"{para.number}. ", "bold"), para.text), classes="proc-para")
    yield Static(Content.styled("End of the procedures.", "italic"), id="proc-end", classes="proc-para")


class ProceduresText(VerticalScroll):
    """The procedures, scrollable with arrows, page up/down, home/end and space."""

    def __init__(self, profile, **kwargs) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.can_focus = True

    def compose(self):
        yield from procedures_widgets(self.profile)


class ProceduresScreen(KioskScreen):
    SCREEN_TITLE = "Procedures"
    AUTO_FOCUS = "#procedures"

    def compose_body(self):
        yield ProceduresText(self.app.profile, id="procedures")
