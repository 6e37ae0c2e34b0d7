"""Record a concern about a child (any member of staff), then a read-only confirmation.

The form: pupils (search as you type) each with a role, when and where, where the concern
came from (paragraph 10), categories, the child's or parent's own words, what was seen or
heard and why it is a concern, whether the child was told what happens next and a DSL told
in person, injuries by body area, urgent. The rules pane beside it follows the chosen source
and category (kiosk.rules), with the local authority's numbers.

Submitting runs in a worker thread (a locked database must not freeze the terminal). A
failed save keeps everything typed and says what happened; the form's submission token makes
a second press record nothing new. After saving, the form is replaced by the confirmation:
the recorder cannot change the record from here on.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from kiosk.clock import fmt_local, today
from kiosk.dates import fmt_date
from kiosk.rules.vocabulary import BODY_AREAS, PUPIL_ROLES, SOURCES
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.services import concerns
from kiosk.services.concerns import ConcernInput
from kiosk.widgets.body_map import BodyMap
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.widgets.pupil_picker import PupilPicker

# Who can be reached now: changes who the rules pane says to tell (paragraphs 10, 11c, 20, 21).
REACH = {
    "all": "The DSL can be reached now",
    "no_dsl": "The DSL cannot be reached now",
    "none": "No DSL, deputy or headteacher can be reached now",
}

class PupilRow(Horizontal):
    """One chosen pupil: name, role, remove."""

    DEFAULT_CSS = """
    PupilRow { height: 3; }
    PupilRow > .pupil-name { width: 1fr; height: 3; content-align: left middle; }
    PupilRow > Select { width: 26; }
    PupilRow > Button { width: 10; min-width: 10; }
    """

    def __init__(self, pupil_id: int, name: str, role: str | None) -> None:
        super().__init__(id=f"pupil-{pupil_id}", classes="pupil-row")
        self.pupil_id = pupil_id
        self.pupil_name = name
        self.initial_role = role

    def compose(self):
        yield Static(Content(self.pupil_name), classes="pupil-name")
        options = [(Text(label), key) for key, label in PUPIL_ROLES.items()]
        role = self.initial_role if self.initial_role in PUPIL_ROLES else Select.NULL
        yield Select(options, prompt="Their role?", value=role, id=f"role-{self.pupil_id}",
                     classes="role")
        yield Button(Content("Remove"), id=f"remove-{self.pupil_id}", classes="remove")

    @property
    def role(self) -> str | None:
        value = self.query_one(Select).value
        return None if value is Select.NULL else str(value)


class RecordConcernScreen(FormScreen):
    SCREEN_TITLE = "Record a concern about a child"
    form_id = "child_concern"
    draft_title = "Concern about a child"
    input_type = ConcernInput
    leave_question = ("Leave without sending? Nothing has been sent to the DSL team and what "
                      "you typed will be lost.")
    # ConcernInput field -> its widget (pupils: see focus_field).
    FIELD_WIDGETS = {
        concerns.F_DATE: "#date",
        concerns.F_TIME: "#time",
        concerns.F_WHERE: "#where",
        concerns.F_WHY: "#why",
        concerns.F_INJURY: "#injury-area",
    }
    AUTO_FOCUS = "#pupil-search"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Submit", priority=True),
    ]

    DEFAULT_CSS = """
    RecordConcernScreen .field-label { margin-top: 1; text-style: bold; }
    RecordConcernScreen SafeTextArea { height: 5; }
    RecordConcernScreen #categories { height: auto; max-height: 9; }
    RecordConcernScreen #when-row, RecordConcernScreen #injury-row { height: auto; }
    RecordConcernScreen #date { width: 18; }
    RecordConcernScreen #time { width: 12; }
    RecordConcernScreen #injury-area { width: 28; }
    RecordConcernScreen #injury-text { width: 1fr; }
    RecordConcernScreen #injury-buttons { height: auto; }
    RecordConcernScreen #chosen-pupils { height: auto; }
    RecordConcernScreen #form-message { height: auto; margin-top: 1; }
    RecordConcernScreen #submit { margin: 1 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.token = concerns.new_submission_token()
        self.injuries: list[tuple[str, str]] = []
        self.category_choices = []
        self._pending_state: dict | None = None

    def on_mount(self) -> None:
        super().on_mount()
        if self.app.actor is not None:
            self.run_service(concerns.categories, self.app.actor, profile=self.app.profile,
                             then=self._show_categories, group="categories")

    def _show_categories(self, choices) -> None:
        self.category_choices = list(choices)
        selections = self.query_one("#categories", SelectionList)
        chosen = set(selections.selected) | set((self._pending_state or {}).get("categories", ()))
        selections.clear_options()
        selections.add_options([Selection(Content(c.name), c.key, c.key in chosen)
                                for c in self.category_choices])
        self._pending_state = None

    # --- layout -------------------------------------------------------------------

    def compose_form(self):
        yield Static(Content("Pass every concern to the DSL team, however small (para 11). "
                             "Do not investigate. Ctrl+S submits; F3 hides the rules pane."),
                     classes="screen-intro")
        yield Label(Content("Which pupil or pupils?"), classes="field-label")
        yield PupilPicker(id="pupil-picker")
        yield Vertical(id="chosen-pupils")
        yield Label(Content("When did it happen? Date (DD/MM/YYYY) and time (HH:MM, if known)"),
                    classes="field-label")
        with Horizontal(id="when-row"):
            yield SafeInput(fmt_date(today()), id="date", max_length=10)
            yield SafeInput(id="time", max_length=5, placeholder="HH:MM")
        yield Label(Content("Where?"), classes="field-label")
        yield SafeInput(id="where", max_length=200, placeholder="e.g. Year 6 classroom, playground")
        yield Label(Content("Who can you reach now? (the rules pane follows)"), classes="field-label")
        yield Select([(Text(label), key) for key, label in REACH.items()], value="all",
                     allow_blank=False, id="reach")
        yield Label(Content("Where did the concern come from? (para 10)"), classes="field-label")
        yield Select([(Text(label), key) for key, label in SOURCES.items()],
                     prompt="Choose one", id="source")
        yield Label(Content("Category (Space to tick; choose Other if unsure)"), classes="field-label")
        yield SelectionList[str](*[Selection(Content(c.name), c.key) for c in self.category_choices],
                                 id="categories")
        yield Label(Content("Their own words, exactly as said (child or parent)"), classes="field-label")
        yield SafeTextArea(id="words")
        yield Label(Content("What you saw or heard (required)"), classes="field-label")
        yield SafeTextArea(id="description")
        yield Label(Content("Why it is a concern"), classes="field-label")
        yield SafeTextArea(id="why")
        yield Checkbox(Content("I told the child what happens next (para 11b)"), id="told-child")
        yield Checkbox(Content("I have told a DSL in person"), id="dsl-told")
        yield Checkbox(Content("URGENT: the child may be at risk today"), id="urgent")
        yield Label(Content("Injuries: mark the body area (arrows, Enter), then say what you saw"),
                    classes="field-label")
        yield BodyMap(id="body-map")
        with Horizontal(id="injury-row"):
            yield Select([(Text(label), key) for key, label in BODY_AREAS.items()],
                         prompt="Body area", id="injury-area")
            yield SafeInput(id="injury-text", max_length=2000, placeholder="Size, colour, shape")
        with Horizontal(id="injury-buttons"):
            yield Button(Content("Add injury"), id="add-injury")
            yield Button(Content("Remove last injury"), id="remove-injury")
        yield Static(Content(""), id="injury-list")
        yield Static(Content(""), id="form-message")
        yield Button(Content("Submit to the DSL team (Ctrl+S)"), id="submit", variant="primary")

    # --- pupils -------------------------------------------------------------------

    def _rows(self) -> list[PupilRow]:
        return list(self.query(PupilRow))

    def add_pupil(self, pupil_id: int, name: str, role: str | None = None) -> None:
        rows = self._rows()
        if any(r.pupil_id == pupil_id for r in rows):
            self.notify(f"{name} is already on this concern.", markup=False)
            return
        if role is None and not rows:
            role = "subject"  # the first pupil; anyone after must be given a role on purpose
        self.query_one("#chosen-pupils", Vertical).mount(PupilRow(pupil_id, name, role))

    @on(PupilPicker.Chosen)
    def _pupil_chosen(self, message: PupilPicker.Chosen) -> None:
        message.stop()
        self.add_pupil(message.pupil_id, message.pupil.name)

    # --- reading the form -----------------------------------------------------------

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", SafeInput).value

    def _area(self, wid: str) -> str:
        return self.query_one(f"#{wid}", SafeTextArea).text

    def _select(self, wid: str):
        value = self.query_one(f"#{wid}", Select).value
        return None if value is Select.NULL else value

    def _checked(self, wid: str) -> bool:
        return self.query_one(f"#{wid}", Checkbox).value

    def _categories(self) -> list[str]:
        return list(self.query_one("#categories", SelectionList).selected)

    # --- the input, and the draft -------------------------------------------------------

    def build_input(self) -> ConcernInput:
        """The form as the service takes it (and as a draft keeps it)."""
        return ConcernInput(
            token=self.token,
            pupils=tuple((r.pupil_id, r.role) for r in self._rows()),
            occurred_on=self._value("date"),
            occurred_time=self._value("time").strip(),
            location=self._value("where"),
            source=self._select("source") or "",
            categories=tuple(self._categories()),
            words=self._area("words"),
            description=self._area("description"),
            why_concern=self._area("why"),
            child_told_next=self._checked("told-child"),
            dsl_told_in_person=self._checked("dsl-told"),
            injuries=tuple(self.injuries),
            urgent=self._checked("urgent"),
        )

    def extra_state(self) -> dict:
        return {"names": {str(r.pupil_id): r.pupil_name for r in self._rows()},
                "reach": self._select("reach"), "injury_area": self._select("injury-area"),
                "injury_text": self._value("injury-text")}

    def has_content(self) -> bool:
        try:
            d = self.build_input()
            typed = self._value("injury-text")
        except Exception:  # noqa: BLE001 - not composed yet
            return False
        return any((d.pupils, d.source, d.categories, d.injuries, d.location, d.occurred_time,
                    typed, d.words, d.description, d.why_concern))

    def fill(self, d: ConcernInput, state: dict) -> None:
        if isinstance(d.token, str) and d.token:
            self.token = d.token
        names = state.get("names") if isinstance(state.get("names"), dict) else {}
        for item in d.pupils or ():
            try:
                pid, role = item
                self.add_pupil(int(pid), str(names.get(str(pid), f"Pupil {pid}")),
                               role if role in PUPIL_ROLES else None)
            except (TypeError, ValueError):
                continue
        for wid, value in (("date", d.occurred_on), ("time", d.occurred_time),
                           ("where", d.location), ("injury-text", state.get("injury_text"))):
            if isinstance(value, str):
                self.query_one(f"#{wid}", SafeInput).value = value
        for wid, value in (("words", d.words), ("description", d.description),
                           ("why", d.why_concern)):
            if isinstance(value, str):
                self.query_one(f"#{wid}", SafeTextArea).text = value
        for wid, value in (("told-child", d.child_told_next), ("dsl-told", d.dsl_told_in_person),
                           ("urgent", d.urgent)):
            self.query_one(f"#{wid}", Checkbox).value = bool(value)
        if d.source in SOURCES:
            self.query_one("#source", Select).value = d.source
        if state.get("reach") in REACH:
            self.query_one("#reach", Select).value = state["reach"]
        if state.get("injury_area") in BODY_AREAS:
            self.query_one("#injury-area", Select).value = state["injury_area"]
        wanted = [k for k in d.categories or () if isinstance(k, str)]
        selections = self.query_one("#categories", SelectionList)
        keys = {c.key for c in self.category_choices}
        for k in wanted:
            if k in keys:
                selections.select(k)
        if not self.category_choices:  # the list is still loading: tick them when it comes
            self._pending_state = {"categories": wanted}
        self.injuries = []
        for item in d.injuries or ():
            try:
                area, text = item
            except (TypeError, ValueError):
                continue
            if area in BODY_AREAS and isinstance(text, str):
                self.injuries.append((area, text))
        self._show_injuries()

    def focus_field(self, name: str) -> bool:
        if name == concerns.F_PUPIL:
            rows = self._rows()
            unset = [r for r in rows if r.role is None] or (
                rows if rows and not any(r.role == "subject" for r in rows) else [])
            return super().focus_field(f"role-{unset[0].pupil_id}" if unset else "pupil-search")
        return super().focus_field(name)

    # --- rules pane -----------------------------------------------------------------

    def guidance(self):
        from kiosk.rules.steps import guidance_for_child_concern, next_steps

        profile = self.app.profile
        if profile is None:
            return None
        try:
            source = self._select("source")
            cats = self._categories()
            reach = self._select("reach") or "all"
        except Exception:  # not composed yet
            source, cats, reach = None, [], "all"
        category = next((k for k in cats if k in profile.category_keys), None)
        if reach == "none":
            return next_steps(profile, "dsl_unavailable", source=source, category=category,
                              available=set())
        return guidance_for_child_concern(profile, source, category, dsl_available=reach == "all")

    @on(Select.Changed, "#source")
    @on(SelectionList.SelectedChanged, "#categories")
    @on(Select.Changed, "#reach")
    def _situation_changed(self, event) -> None:
        event.stop()
        self.refresh_guidance()

    # --- injuries -------------------------------------------------------------------

    def _show_injuries(self) -> None:
        lines = [Content.assemble(f"{i}. ", (BODY_AREAS[a], "bold"), ": ", t)
                 for i, (a, t) in enumerate(self.injuries, 1)]
        self.query_one("#injury-list", Static).update(Content("\n").join(lines) if lines else Content(""))
        self.query_one(BodyMap).set_marked(a for a, _ in self.injuries)

    def on_body_map_marked(self, event: BodyMap.Marked) -> None:
        event.stop()
        self.query_one("#injury-area", Select).value = event.area
        self.query_one("#injury-text").focus()

    def _add_injury(self) -> None:
        area = self._select("injury-area")
        text = self._value("injury-text").strip()
        if area is None:
            self.say("Injury: choose a body area first", error=True)
            self.query_one("#injury-area").focus()
            return
        if not text:
            self.say("Injury: describe what you saw", error=True)
            self.query_one("#injury-text").focus()
            return
        self.injuries.append((str(area), text))
        self.query_one("#injury-text", SafeInput).value = ""
        self.query_one("#injury-area", Select).clear()
        self._show_injuries()
        self.say("")

    # --- buttons ------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "submit":
            self.action_submit()
        elif bid == "add-injury":
            self._add_injury()
        elif bid == "remove-injury":
            if self.injuries:
                self.injuries.pop()
                self._show_injuries()
        elif bid.startswith("remove-"):
            for row in self._rows():
                if row.id == f"pupil-{bid.removeprefix('remove-')}":
                    row.remove()
            self.query_one("#pupil-search").focus()

    # --- submitting -----------------------------------------------------------------

    def action_submit(self) -> None:
        if self.busy or self.app.actor is None:
            return
        self.query_one("#submit", Button).disabled = True
        self.say("Saving...")
        self.submit_form(concerns.record_concern, self.app.actor, self.build_input(),
                         then=self._saved)

    def service_failed(self, exc: BaseException) -> None:
        self.query_one("#submit", Button).disabled = False
        super().service_failed(exc)

    def _saved(self, result) -> None:
        self.app.switch_screen(ConcernRecordedScreen(result))


class ConcernRecordedScreen(KioskScreen):
    """The confirmation: the record as submitted, read-only; the DSL team has been alerted."""

    SCREEN_TITLE = "Concern recorded"
    BINDINGS = [Binding("escape,enter", "back", "Done")]

    def __init__(self, result) -> None:
        super().__init__()
        self.result = result

    def compose_body(self):
        r = self.result
        head = (f"Recorded as {r.ref} at {fmt_local(r.recorded_at)}. "
                + (f"The DSL team ({r.alerted} people) has been alerted."
                   if r.alerted else "The DSL team has been alerted."))
        if r.duplicate:
            head = f"This concern was already recorded as {r.ref}; it was not recorded twice."
        lines = [Content.styled(head, "bold"),
                 Content("The record is now read-only to you. If you need to add something, "
                         "tell the DSL team. You can follow its status under 'My reported concerns'."),
                 Content("")]

        def field(label: str, value: str) -> None:
            if value:
                lines.append(Content.assemble((f"{label}: ", "bold"), value))

        field("Pupils", "; ".join(f"{p.name} ({p.role_label.lower()})" for p in r.pupils))
        field("When", f"{fmt_date(r.occurred_on)} {r.occurred_time}".strip())
        field("Where", r.location)
        field("Source", r.source_label)
        field("Categories", ", ".join(c.name for c in r.categories))
        field("Urgent", "yes" if r.urgent else "")
        field("Their words", r.words)
        field("What you saw or heard", r.description)
        field("Why it is a concern", r.why_concern)
        for i in r.injuries:
            field(f"Injury ({i.area_label})", i.description)
        with VerticalScroll(id="recorded"):
            yield Static(Content("\n").join(lines), id="recorded-text")
