"""PupilSearchDialog: find one pupil in a dialog (early help's referrals, registers, records).

Type part of a name; Enter picks the only match or moves to the list; Enter on the list
picks the highlighted pupil (a kiosk.services.pupils.PupilSummary); escape returns None.
The search runs as a service call in a worker (`run_service`), the newest replacing older.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.services import pupils
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.service import ServiceCaller


class PupilSearchDialog(ServiceCaller, ModalScreen):
    """Type part of a name; enter picks the highlighted pupil, escape cancels."""

    DEFAULT_CSS = """
    PupilSearchDialog .eh-dialog { width: 76; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str = "Find a pupil") -> None:
        super().__init__()
        self.title_text = title
        self.found: list = []

    def compose(self):
        with Vertical(classes="dialog eh-dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            yield Static(Content("Type the start of a first or last name (or both), then down and enter."),
                         classes="hint")
            yield SafeInput(id="pupil-search", max_length=100, placeholder="e.g. amara or am ab")
            yield OptionList(id="pupil-results")

    def on_mount(self) -> None:
        self.query_one("#pupil-results", OptionList).styles.height = 10
        self.query_one("#pupil-search").focus()

    def on_input_changed(self, event) -> None:
        self.run_service(pupils.search, self.app.actor, event.value, limit=20, then=self._show,
                         failed=lambda exc: (self.show_error(exc), self._show([])),
                         group="pupil-search", exclusive=True)

    def _show(self, found: list) -> None:
        self.found = list(found)
        results = self.query_one("#pupil-results", OptionList)
        results.clear_options()
        results.add_options([
            Option(Content.assemble(p.name, (f"  {p.form_group}  Year {p.year_group}", "dim")), id=str(p.id))
            for p in self.found
        ])
        if self.found:
            results.highlighted = 0

    def on_input_submitted(self, event) -> None:
        event.stop()
        if len(self.found) == 1:
            self.dismiss(self.found[0])
        elif self.found:
            self.query_one("#pupil-results").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        for p in self.found:
            if str(p.id) == event.option.id:
                self.dismiss(p)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
