"""The one-line header on every screen: school, screen title, who is signed in, clock."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from kiosk.widgets.clock import Clock


class KioskHeader(Horizontal):
    def __init__(self, title: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.title_text = title

    def compose(self) -> ComposeResult:
        app = self.app
        profile = getattr(app, "profile", None)
        school = profile.school_name if profile is not None else "DSL console"
        actor = getattr(app, "actor", None)
        # The title first: at 80 columns the school's name is what gives way.
        if self.title_text:
            left = Content.assemble((f"{self.title_text} · ", "bold"), school)
        else:
            left = Content.styled(school, "bold")
        yield Static(left, id="header-title")
        who = Content(actor.full_name) if actor is not None else Content("")
        yield Static(who, id="header-user")
        yield Clock(id="header-clock")
