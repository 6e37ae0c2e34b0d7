"""PupilSearchDialog: find one pupil in a dialog (early help's referrals, registers, records).

The console's one pupil search (kiosk.widgets.pupil_picker.PupilPicker, which searches
through `run_service`) in a dialog: the same keys as on the concern form.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.widgets.pupil_picker import PupilPicker


class PupilSearchDialog(ModalScreen):
    """Find a pupil with the console's one pupil search (PupilPicker: Enter chooses when one
    pupil matches, otherwise moves into the list); escape cancels. Dismisses with a
    PupilSummary."""

    DEFAULT_CSS = """
    PupilSearchDialog .eh-dialog { width: 76; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str = "Find a pupil", on_roll_only: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.on_roll_only = on_roll_only

    def compose(self):
        with Vertical(classes="dialog eh-dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            yield PupilPicker(placeholder="e.g. amara or am ab", id="pupil-picker",
                              on_roll_only=self.on_roll_only)

    def on_mount(self) -> None:
        self.query_one("#pupil-search").focus()

    def on_pupil_picker_chosen(self, message) -> None:
        message.stop()
        self.dismiss(message.pupil)

    def action_cancel(self) -> None:
        self.dismiss(None)
