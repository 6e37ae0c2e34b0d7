"""A small FormScreen used by the draft journeys (no domain form is needed for them)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Label

from kiosk.rules.results import Contact, Guidance, Step
from kiosk.screens.base import FormScreen
from kiosk.widgets.inputs import SafeInput


class NoteForm(FormScreen):
    SCREEN_TITLE = "Test note"
    form_id = "test-note"
    draft_title = "A test note"

    def compose_form(self):
        yield Label(Content("Note"))
        yield SafeInput(id="note", max_length=500)

    def form_state(self) -> dict:
        return {"note": self.query_one("#note", SafeInput).value}

    def load_form_state(self, state: dict) -> None:
        self.query_one("#note", SafeInput).value = state.get("note", "")

    def guidance(self):
        note = self.query_one("#note", SafeInput).value
        if not note:
            return None
        contact = Contact(role="dsl", name="Ms [b]DSL[/b]", phone="01234 567890")
        return Guidance(situation="test", title="Next steps for: " + note,
                        steps=(Step("Tell the DSL [@click=app.quit]now[/]", contact, "11a"),),
                        contacts=(contact,), paragraphs=("11a",))

    def on_input_changed(self, event: SafeInput.Changed) -> None:
        self.refresh_guidance()
