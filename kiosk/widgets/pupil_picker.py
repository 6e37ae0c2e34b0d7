"""PupilPicker: type the first letters of a first or last name; results update as you type.

Use it anywhere a pupil is chosen (concerns, early-help walk-ins):

    yield PupilPicker(id="pupil-picker")

    def on_pupil_picker_chosen(self, message: PupilPicker.Chosen) -> None:
        message.pupil_id   # int
        message.pupil      # kiosk.services.pupils.PupilSummary (name, year, form, dob)

Keys: type in the box; Down (or Tab) moves into the results; Enter chooses. Enter in the
box chooses the pupil when exactly one matches, and otherwise moves into the results with
the first highlighted, so a second Enter is a choice made while looking at the names (the
wrong child on a concern is worse than one more key). Every pupil search in the console
behaves this way: the concern form, the pupils screen and the early-help dialogs all use
this widget. After a choice the box is cleared, ready for another pupil.
`picker.clear()` empties it; `picker.focus_search()` puts the cursor in the box.

The search is kiosk.services.pupils.search for `self.app.actor` (an index lookup), run
as each key is typed through `run_service` (a newer search replaces an older one). Names
are shown through Content, never markup.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.services import pupils
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.service import ServiceCaller

MIN_LETTERS = 1
MAX_RESULTS = 8


def pupil_label(p) -> Content:
    year = "R" if p.year_group == 0 else str(p.year_group)
    born = p.date_of_birth.strftime("%d/%m/%Y")
    extra = f"  Y{year} {p.form_group}  b. {born}".rstrip()
    if p.full_name.split(" ")[0] != p.name.split(" ")[0]:
        extra += f"  ({p.full_name})"
    if getattr(p, "status_note", ""):
        extra += f"  [{p.status_note}]"
    return Content.assemble((p.name, "bold"), (extra, "dim"))


class PupilPicker(ServiceCaller, Vertical):
    """A search box with a results list underneath; posts Chosen when a pupil is picked."""

    DEFAULT_CSS = """
    PupilPicker { height: auto; }
    PupilPicker > #pupil-results { height: auto; max-height: 8; border: none; }
    PupilPicker > #pupil-results.-empty { display: none; }
    PupilPicker > #pupil-hint { height: 1; color: $text-muted; }
    """

    BINDINGS = [Binding("down", "to_results", "Results", show=False)]

    class Chosen(Message):
        """A pupil was picked. `picker` is the PupilPicker that posted it."""

        def __init__(self, picker: "PupilPicker", pupil) -> None:
            super().__init__()
            self.picker = picker
            self.pupil = pupil

        @property
        def pupil_id(self) -> int:
            return self.pupil.id

        @property
        def control(self) -> "PupilPicker":
            return self.picker

    def __init__(self, *, placeholder: str = "Type the first letters of a first or last name",
                 id: str | None = None, classes: str | None = None,
                 on_roll_only: bool = False, compact: bool = False) -> None:
        super().__init__(id=id, classes=classes)
        self.compact_search = compact  # a one-line search box, for forms that must fit 80x24
        self.placeholder = placeholder
        self.on_roll_only = on_roll_only
        self._results: list = []
        self._results_for = ""  # the search text the listed results answer
        self._enter_waiting = False  # Enter came before the answer to what was typed

    def compose(self) -> ComposeResult:
        yield SafeInput(placeholder=self.placeholder, max_length=100, id="pupil-search",
                        compact=self.compact_search)
        yield OptionList(id="pupil-results", classes="-empty")
        yield Static(Content(""), id="pupil-hint")

    # --- public -------------------------------------------------------------------

    @property
    def results(self) -> list:
        """The PupilSummary rows currently listed."""
        return list(self._results)

    def clear(self) -> None:
        self.query_one("#pupil-search", SafeInput).value = ""
        self._show([], "")
        self._results_for = ""
        self._enter_waiting = False

    def focus_search(self) -> None:
        self.query_one("#pupil-search", SafeInput).focus()

    def search(self, text: str) -> None:
        """Search (normally driven by typing); the results arrive from a worker."""
        text = text.strip()
        actor = getattr(self.app, "actor", None)
        if actor is None or len(text) < MIN_LETTERS:
            self.workers.cancel_group(self, "pupil-search")
            self._show([], "")
            self._results_for = text
            return
        self.run_service(pupils.search, actor, text, limit=MAX_RESULTS, on_roll_only=self.on_roll_only,
                         then=lambda found: self._found(found, text), failed=self._search_failed,
                         group="pupil-search", exclusive=True)

    def _search_failed(self, exc) -> None:
        self._enter_waiting = False
        self._show([], str(exc))

    def _found(self, found: list, text: str) -> None:
        if text != self._typed_text():
            return  # the answer to an earlier search; the one for what is typed now follows
        self._results_for = text
        hint = "" if found else "No pupil found. Try fewer letters, or the last name."
        if len(found) == 1:
            hint = "Enter to choose."
        elif found:
            hint = "Several found: Enter or Down moves to the list, then Enter chooses."
        self._show(found, hint)
        if self._enter_waiting:
            self._enter_waiting = False
            self._enter()

    # --- internals ----------------------------------------------------------------

    def _show(self, found: list, hint: str) -> None:
        self._results = list(found)
        options = self.query_one("#pupil-results", OptionList)
        options.clear_options()
        options.add_options([Option(pupil_label(p), id=str(p.id)) for p in found])
        options.set_class(not found, "-empty")
        if found:
            options.highlighted = 0
        self.query_one("#pupil-hint", Static).update(Content(hint))

    def _choose(self, index: int) -> None:
        if not 0 <= index < len(self._results):
            return
        pupil = self._results[index]
        self.post_message(self.Chosen(self, pupil))
        self.clear()
        self.focus_search()

    @on(Input.Changed, "#pupil-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    def _typed_text(self) -> str:
        return self.query_one("#pupil-search", SafeInput).value.strip()

    @on(Input.Submitted, "#pupil-search")
    def _enter_in_box(self, event: Input.Submitted) -> None:
        """Enter acts on the answer to what was typed: typed quickly (or over a slow link)
        it waits for that answer rather than acting on the list for fewer letters."""
        event.stop()
        if self._results_for != self._typed_text():
            self._enter_waiting = True
            return
        self._enter()

    def _enter(self) -> None:
        if len(self._results) == 1:
            self._choose(0)
        else:
            self.action_to_results()

    @on(OptionList.OptionSelected, "#pupil-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def action_to_results(self) -> None:
        options = self.query_one("#pupil-results", OptionList)
        if self._results and not options.has_focus:
            options.focus()
