"""Pupils and chronology (DSL team, headteacher): find a pupil as you type, open their chronology.

For the DSL team, two lists the roll import feeds sit here too (not on the home menu, which
must fit 80x24): leavers whose child protection file is to transfer (F6) and children
recorded as not on roll (F7)."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from kiosk.capabilities import Cap

from kiosk.screens.base import KioskScreen
from kiosk.widgets.pupil_picker import PupilPicker


class PupilsScreen(KioskScreen):
    SCREEN_TITLE = "Pupils and chronology"
    AUTO_FOCUS = "#pupil-search"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f6", "leavers", "Leavers"),
        Binding("f7", "not_on_roll", "Not on roll"),
    ]
    DEFAULT_CSS = """
    PupilsScreen #pupil-lists { height: auto; }
    """

    def compose_body(self):
        actor = self.app.actor
        with Vertical(id="pupils-body", classes="box"):
            yield Static(Content("Type the first letters of a first or last name (two words: "
                                 "first and last). Enter opens the chronology (one match), or moves into the list."),
                         classes="screen-intro")
            with Horizontal(id="pupil-lists"):
                if actor is not None and actor.can(Cap.CONCERN_TRIAGE):
                    yield Button(Content("F6 Leavers: files to transfer"), id="open-leavers", classes="small")
                if actor is not None and actor.can(Cap.PUPIL_FLAGS_EDIT):
                    yield Button(Content("F7 Children not on roll"), id="open-not-on-roll", classes="small")
            yield PupilPicker(id="pupil-picker")

    def check_action(self, action: str, parameters) -> bool | None:
        actor = self.app.actor
        if action == "leavers":
            return actor is not None and actor.can(Cap.CONCERN_TRIAGE)
        if action == "not_on_roll":
            return actor is not None and actor.can(Cap.PUPIL_FLAGS_EDIT)
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open-leavers":
            self.action_leavers()
        elif event.button.id == "open-not-on-roll":
            self.action_not_on_roll()

    def action_leavers(self) -> None:
        from kiosk.screens.pupils.leavers import LeaversScreen

        self.app.push_screen(LeaversScreen())

    def action_not_on_roll(self) -> None:
        from kiosk.screens.pupils.leavers import NotOnRollScreen

        self.app.push_screen(NotOnRollScreen())

    @on(PupilPicker.Chosen)
    def _chosen(self, message: PupilPicker.Chosen) -> None:
        message.stop()
        from kiosk.screens.pupils.chronology import ChronologyScreen

        self.app.push_screen(ChronologyScreen(message.pupil_id))
