"""Pupils and chronology (DSL team, headteacher): find a pupil as you type, open their chronology."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from kiosk.screens.base import KioskScreen
from kiosk.widgets.pupil_picker import PupilPicker


class PupilsScreen(KioskScreen):
    SCREEN_TITLE = "Pupils and chronology"
    AUTO_FOCUS = "#pupil-search"
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose_body(self):
        with Vertical(id="pupils-body", classes="box"):
            yield Static(Content("Type the first letters of a first or last name (two words: "
                                 "first and last). Enter opens the chronology (one match), or moves into the list."),
                         classes="screen-intro")
            yield PupilPicker(id="pupil-picker")

    @on(PupilPicker.Chosen)
    def _chosen(self, message: PupilPicker.Chosen) -> None:
        message.stop()
        from kiosk.screens.chronology import ChronologyScreen

        self.app.push_screen(ChronologyScreen(message.pupil_id))
