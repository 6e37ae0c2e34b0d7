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

from datetime import date

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from kiosk import db as dbmod
from kiosk.dates import fmt_date, parse_typed_date
from kiosk.clock import fmt_local, local_now, today
from kiosk.errors import KioskError, ValidationError
from kiosk.models.concerns import BODY_AREAS, PUPIL_ROLES, SOURCES
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.services import concerns
from kiosk.widgets.body_map import BodyMap
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.rules.steps import record_prompts
from kiosk.widgets.ticks import TickBox, TypeAheadTicks
from kiosk.widgets.pupil_picker import PupilPicker

TEXT_INPUTS = ("date", "time", "where", "injury-text")
TEXT_AREAS = ("words", "description", "why")
CHECKS = ("told-child", "dsl-told", "urgent")

# The source the form starts with: most concerns staff pass on are something they noticed
# (paragraph 10c). It is one key to change, and shown on the confirmation.
DEFAULT_SOURCE = "noticed"

# Paragraph 11d's prompts, each above the field it is about (the words one follows the source).
PROMPTS = record_prompts(DEFAULT_SOURCE)

# Who can be reached now: changes who the rules pane says to tell (paragraphs 10, 11c, 20, 21).
REACH = {
    "all": "The DSL can be reached now",
    "no_dsl": "The DSL cannot be reached now",
    "none": "No DSL, deputy or headteacher can be reached now",
}

# Paragraph 11a's question when a parent raised the concern. "Not sure" counts as yes: the
# pane then never tells staff to tell the parent what happens next.
PARENT_RISK = {
    "yes": "Yes: talking to the parent may increase the risk",
    "unsure": "Not sure",
    "no": "No",
}

# Who paragraph 11b's "what happens next" is told to, by source.
TOLD_NEXT_LABELS = {
    "parent_told": "I told the parent what happens next (para 11b)",
    "other_child_told": "I told the child who told me what happens next (para 11b)",
    "child_told": "I told the child what happens next (para 11b)",
}
TOLD_NEXT_DEFAULT = "I told the child or parent what happens next (para 11b)"

# ValidationError.field -> the widget to put the cursor on.
FIELD_WIDGETS = {
    concerns.F_PUPIL: "#pupil-search",
    concerns.F_DATE: "#date",
    concerns.F_TIME: "#time",
    concerns.F_WHERE: "#where",
    concerns.F_SOURCE: "#source",
    concerns.F_CATEGORY: "#categories",
    concerns.F_WORDS: "#words",
    concerns.F_DESCRIPTION: "#description",
    concerns.F_WHY: "#why",
    concerns.F_INJURY: "#injury-area",
}


def parse_date(text: str, field: str = concerns.F_DATE) -> date:
    return parse_typed_date(text, field)




class PupilRow(Horizontal):
    """One chosen pupil: name, role, remove."""

    DEFAULT_CSS = """
    PupilRow { height: 1; padding-left: 8; }
    PupilRow > .pupil-name { width: 1fr; height: 1; }
    PupilRow > Select { width: 22; }
    PupilRow > Button { width: 8; min-width: 8; margin-left: 1; }
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
                     classes="role", compact=True)
        yield Button(Content("Remove"), id=f"remove-{self.pupil_id}", classes="remove",
                     compact=True)

    @property
    def role(self) -> str | None:
        value = self.query_one(Select).value
        return None if value is Select.NULL else str(value)


class RecordConcernScreen(FormScreen):
    SCREEN_TITLE = "Record a concern about a child"
    form_id = "child_concern"
    draft_title = "Concern about a child"
    AUTO_FOCUS = "#pupil-search"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("f4", "injury", "Injury", priority=True),
    ]

    # One line per short field with its label beside it, so at 80x24 (rules pane below)
    # the field being filled and the next one are both in view.
    DEFAULT_CSS = """
    RecordConcernScreen .field-label { text-style: bold; }
    RecordConcernScreen .row { height: auto; }
    RecordConcernScreen .side-label { width: 8; text-style: bold; }
    RecordConcernScreen .prompt { text-style: bold; margin-top: 1; }
    RecordConcernScreen .prompt.-error, RecordConcernScreen .side-label.-error { color: $error; }
    RecordConcernScreen .field-error { color: $error; text-style: bold; height: auto; }
    /* Three lines, no top or bottom border; the bar on the left shows where to write. */
    RecordConcernScreen SafeTextArea { height: 3; border: none; border-left: outer $border-blurred; }
    RecordConcernScreen SafeTextArea:focus { border: none; border-left: outer $border; }
    RecordConcernScreen #pupil-picker { width: 1fr; }
    RecordConcernScreen #pupil-picker > #pupil-results { max-height: 5; }
    RecordConcernScreen #categories { height: auto; max-height: 5; border: none; }
    RecordConcernScreen #date { width: 12; }
    RecordConcernScreen #time { width: 7; margin-right: 1; }
    RecordConcernScreen #where { width: 1fr; }
    RecordConcernScreen #source, RecordConcernScreen #reach { width: 1fr; }
    RecordConcernScreen #injury-area { width: 24; }
    RecordConcernScreen #injury-text { width: 1fr; }
    RecordConcernScreen #chosen-pupils { height: auto; }
    RecordConcernScreen #parent-risk-box { height: auto; display: none; }
    RecordConcernScreen #sibling-offer { height: auto; }
    RecordConcernScreen #sibling-offer Static { width: auto; margin: 0 1 0 0; }
    RecordConcernScreen #form-message { height: auto; margin-top: 1; }
    RecordConcernScreen Button { margin: 0 1 0 0; }
    RecordConcernScreen #submit { margin: 1 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.token = concerns.new_submission_token()
        self.injuries: list[tuple[str, str]] = []
        self.busy = False
        self.default_time = local_now().strftime("%H:%M")
        self.category_choices = []
        actor = self.app.actor
        if actor is not None:
            try:
                self.category_choices = concerns.categories(actor, profile=self.app.profile)
            except KioskError:
                self.category_choices = []

    # --- layout -------------------------------------------------------------------

    def compose_form(self):
        yield Static(Content("Every worry, however small, to the DSL (para 11). Ctrl+S sends."),
                     classes="screen-intro")
        with Horizontal(classes="row"):
            yield Label(Content("Pupil"), classes="side-label", id="label-pupil")
            yield PupilPicker(id="pupil-picker", compact=True)
        with Horizontal(classes="row"):
            yield Label(Content(""), classes="side-label")
            yield Button(Content("A child not on roll (another school, the community)..."),
                         id="not-on-roll", classes="small", compact=True)
        yield Vertical(id="chosen-pupils")
        yield Horizontal(id="sibling-offer")
        with Horizontal(classes="row", id="when-row"):
            yield Label(Content("When"), classes="side-label", id="label-when")
            yield SafeInput(fmt_date(today()), id="date", max_length=10, compact=True,
                            tooltip="Date, DD/MM/YYYY")
            yield SafeInput(self.default_time, id="time", max_length=5,
                            placeholder="HH:MM", compact=True, tooltip="Time, HH:MM, if known")
            yield Label(Content("Where "), classes="field-label")
            yield SafeInput(id="where", max_length=200, placeholder="e.g. playground",
                            compact=True)
        with Horizontal(classes="row"):
            yield Label(Content("From"), classes="side-label", id="label-source")
            yield Select([(Text(label), key) for key, label in SOURCES.items()],
                         value=DEFAULT_SOURCE, allow_blank=False, id="source", compact=True)
        with Vertical(id="parent-risk-box"):
            yield Label(Content("Could talking to the parent increase the risk to the child? "
                                "(para 11a)"), classes="field-label")
            yield Select([(Text(label), key) for key, label in PARENT_RISK.items()],
                         prompt="Choose one", id="parent-risk", compact=True)
        yield Label(Content("Category: type first letters; Space ticks; Enter ticks, next"),
                    classes="prompt", id="label-categories")
        yield TypeAheadTicks(*[Selection(Content(c.name), c.key) for c in self.category_choices],
                             id="categories")
        for wid, prompt in PROMPTS.items():
            yield Label(Content(prompt), classes="prompt", id=f"label-{wid}")
            yield SafeTextArea(id=wid)
        yield TickBox(Content(TOLD_NEXT_DEFAULT), id="told-child", compact=True)
        yield TickBox(Content("I have told a DSL in person"), id="dsl-told", compact=True)
        yield TickBox(Content("URGENT: the child may be at risk today"), id="urgent",
                      compact=True)
        with Horizontal(classes="row"):
            yield Label(Content("Reach"), classes="side-label")
            yield Select([(Text(label), key) for key, label in REACH.items()], value="all",
                         allow_blank=False, id="reach", compact=True)
        yield Label(Content("Injuries (F4): arrows or a letter to the area, Enter, "
                            "what you saw, Enter"), classes="prompt", id="label-injury")
        yield BodyMap(id="body-map")
        with Horizontal(classes="row", id="injury-row"):
            yield Select([(Text(label), key) for key, label in BODY_AREAS.items()],
                         prompt="Body area", id="injury-area", compact=True)
            yield SafeInput(id="injury-text", max_length=2000, placeholder="Size, colour, shape",
                            compact=True)
        with Horizontal(classes="row", id="injury-buttons"):
            yield Button(Content("Add injury"), id="add-injury", compact=True)
            yield Button(Content("Remove last injury"), id="remove-injury", compact=True)
        yield Static(Content(""), id="injury-list")
        yield Static(Content(""), id="form-message")
        yield Button(Content("Submit to the DSL team (Ctrl+S)"), id="submit", variant="primary")

    def action_back(self) -> None:
        """Leaving with something typed asks first: nothing has been sent yet."""
        if self.busy:
            return
        if not self.has_content():
            super().action_back()
            return
        from kiosk.screens.lock import ConfirmScreen

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        self.app.push_screen(ConfirmScreen("Leave without sending? Nothing has been sent to the "
                                           "DSL team and what you typed will be lost."), answer)

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
        self._offer_siblings()
        # The date and time are filled in already: the next thing to type is where.
        self.call_after_refresh(self.query_one("#where").focus)

    def _offer_siblings(self) -> None:
        """"Also record for a sibling?": one button per sibling of the subjects not yet added."""
        from kiosk.services import families

        box = self.query_one("#sibling-offer", Horizontal)
        box.remove_children()
        chosen = {r.pupil_id for r in self._rows()}
        offers: dict[int, str] = {}
        for row in self._rows():
            for s in self.call_service(families.siblings, self.app.actor, row.pupil_id) or []:
                if s.pupil_id not in chosen:
                    offers.setdefault(s.pupil_id, s.name)
        if not offers:
            return
        box.mount(Static(Content("Also record for a sibling?"), classes="field-label"))
        box.mount_all([Button(Content(name), id=f"sibling-{pid}", classes="small")
                       for pid, name in list(offers.items())[:4]])
        self.call_after_refresh(box.scroll_visible, animate=False)

    def _add_not_on_roll(self) -> None:
        from kiosk.screens.early_help_dialogs import FieldsDialog, FieldSpec
        from kiosk.services import pupils

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                child = pupils.add_not_on_roll(
                    self.app.actor, first_name=values["first"], last_name=values["last"],
                    born=values["born"], note=values["note"])
            except KioskError as exc:
                self.show_error(exc)
                return
            self.add_pupil(child.id, f"{child.name} (not on roll)")

        self.app.push_screen(FieldsDialog("A child not on the school's roll", [
            FieldSpec("first", "First name", max_length=100),
            FieldSpec("last", "Last name", max_length=100),
            FieldSpec("born", "Date of birth (DD/MM/YYYY), or their age if you do not know it", max_length=20),
            FieldSpec("note", "What you know: school, address, who they are to the child", "text"),
        ], intro="The DSL team can later match them to a pupil who joins."), done)

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

    # --- drafts -------------------------------------------------------------------

    def form_state(self) -> dict:
        try:
            state = {
                "token": self.token,
                "pupils": [[r.pupil_id, r.pupil_name, r.role] for r in self._rows()],
                "source": self._select("source"),
                "categories": self._categories(),
                "injuries": [list(i) for i in self.injuries],
                "injury_area": self._select("injury-area"),
                "reach": self._select("reach"),
                "parent_risk": self._select("parent-risk"),
            }
            state.update({k: self._value(k) for k in TEXT_INPUTS})
            state.update({k: self._area(k) for k in TEXT_AREAS})
            state.update({k: self._checked(k) for k in CHECKS})
        except Exception:  # not composed yet
            return {}
        return state

    def has_content(self) -> bool:
        state = self.form_state()
        # The defaults (date, time, source) alone are not something typed.
        return bool(state) and (
            any(state.get(k) for k in ("pupils", "categories", "injuries", "where",
                                       "injury-text") + TEXT_AREAS)
            or state.get("time") != self.default_time
            or state.get("source") != DEFAULT_SOURCE)

    def load_form_state(self, state: dict) -> None:
        token = state.get("token")
        if isinstance(token, str) and token:
            self.token = token
        for item in state.get("pupils") or []:
            try:
                pid, name, role = item
                self.add_pupil(int(pid), str(name), role if role in PUPIL_ROLES else None)
            except (TypeError, ValueError):
                continue
        for k in TEXT_INPUTS:
            if isinstance(state.get(k), str):
                self.query_one(f"#{k}", SafeInput).value = state[k]
        for k in TEXT_AREAS:
            if isinstance(state.get(k), str):
                self.query_one(f"#{k}", SafeTextArea).text = state[k]
        for k in CHECKS:
            self.query_one(f"#{k}", Checkbox).value = bool(state.get(k))
        if state.get("source") in SOURCES:
            self.query_one("#source", Select).value = state["source"]
        if state.get("parent_risk") in PARENT_RISK:
            self.query_one("#parent-risk", Select).value = state["parent_risk"]
        if state.get("reach") in REACH:
            self.query_one("#reach", Select).value = state["reach"]
        if state.get("injury_area") in BODY_AREAS:
            self.query_one("#injury-area", Select).value = state["injury_area"]
        selections = self.query_one("#categories", SelectionList)
        keys = {c.key for c in self.category_choices}
        for k in state.get("categories") or []:
            if k in keys:
                selections.select(k)
        self.injuries = [(a, t) for a, t in (state.get("injuries") or []) if a in BODY_AREAS]
        self._show_injuries()

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
            risk = self._select("parent-risk")
        except Exception:  # not composed yet
            source, cats, reach, risk = None, [], "all", None
        # Every ticked category feeds the pane, not just the first.
        categories = [k for k in cats if k in profile.category_keys]
        parent_risk = None if risk is None else risk != "no"
        if reach == "none":
            return next_steps(profile, "dsl_unavailable", source=source, category=categories,
                              available=set(), parent_risk=parent_risk)
        return guidance_for_child_concern(profile, source, categories,
                                          dsl_available=reach == "all", parent_risk=parent_risk)

    @on(Select.Changed, "#source")
    @on(SelectionList.SelectedChanged, "#categories")
    @on(Select.Changed, "#reach")
    @on(Select.Changed, "#parent-risk")
    def _situation_changed(self, event) -> None:
        event.stop()
        self._follow_source()
        self.refresh_guidance()

    def _follow_source(self) -> None:
        """The 11a question shows only for a parent; 11b's tick box names who was told."""
        source = self._select("source")
        self.query_one("#parent-risk-box").display = source == "parent_told"
        self.query_one("#told-child", Checkbox).label = Content(
            TOLD_NEXT_LABELS.get(source or "", TOLD_NEXT_DEFAULT))
        self.query_one("#label-words", Label).update(Content(record_prompts(source)["words"]))

    # --- the field being filled, and the next, in view -----------------------------------

    # Focused widget -> what comes after it, kept in view with it (at 80x24 the form has 13
    # lines above the rules pane).
    NEXT_IN_VIEW = {
        "pupil-search": "#when-row", "date": "#where", "time": "#where", "where": "#source",
        "source": "#categories", "parent-risk": "#categories", "categories": "#words",
        "words": "#description", "description": "#why", "why": "#told-child",
        "told-child": "#dsl-told", "dsl-told": "#urgent", "urgent": "#reach",
        "reach": "#label-injury", "body-map": "#injury-row", "injury-area": "#injury-text",
        "injury-text": "#injury-buttons",
    }

    def on_descendant_focus(self, event) -> None:
        widget = event.widget
        if widget.id in self.NEXT_IN_VIEW or self.query(f"#label-{widget.id}"):
            self.call_after_refresh(self._keep_next_in_view, widget)

    def _keep_next_in_view(self, widget) -> None:
        """The next field scrolled up into view, then the focused field's own prompt and
        the field itself (which win if the three cannot all fit)."""
        if not widget.is_mounted or self.focused is not widget:
            return
        targets = []
        nxt = self.NEXT_IN_VIEW.get(widget.id or "")
        if nxt and self.query(nxt):
            targets.append(self.query_one(nxt))
        label = self.query(f"#label-{widget.id}")
        if label:
            targets.append(label.first())
        targets.append(widget)
        for target in targets:
            target.scroll_visible(animate=False, immediate=True)

    # --- moving on with Enter -----------------------------------------------------------

    # A one-line field where Enter can mean nothing else: Enter moves to the next field.
    ENTER_NEXT = {"date": "#time", "time": "#where", "where": "#source"}

    @on(SafeInput.Submitted)
    def _enter_moves_on(self, event: SafeInput.Submitted) -> None:
        wid = event.input.id or ""
        if wid == "injury-text":
            event.stop()
            self._add_injury()
        elif wid in self.ENTER_NEXT:
            event.stop()
            self.query_one(self.ENTER_NEXT[wid]).focus()

    @on(TypeAheadTicks.Done, "#categories")
    def _categories_done(self, event: TypeAheadTicks.Done) -> None:
        event.stop()
        self.query_one("#words").focus()

    def action_injury(self) -> None:
        """F4: straight to the body map, wherever the cursor is."""
        body_map = self.query_one(BodyMap)
        body_map.focus()
        body_map.scroll_visible(animate=False)

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
            self._say(f"{concerns.F_INJURY}: choose a body area first")
            self.query_one("#injury-area").focus()
            return
        if not text:
            self._say(f"{concerns.F_INJURY}: describe what you saw")
            self.query_one("#injury-text").focus()
            return
        self.injuries.append((str(area), text))
        self.query_one("#injury-text", SafeInput).value = ""
        self.query_one("#injury-area", Select).clear()
        self._show_injuries()
        self.query_one(BodyMap).focus()  # ready for another; Ctrl+S sends
        self._say("")

    # --- buttons ------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "submit":
            self.action_submit()
        elif bid == "add-injury":
            self._add_injury()
        elif bid == "not-on-roll":
            self._add_not_on_roll()
        elif bid.startswith("sibling-"):
            pid = int(bid.removeprefix("sibling-"))
            label = event.button.label
            self.add_pupil(pid, str(label), "subject")
            self._offer_siblings()
        elif bid == "remove-injury":
            if self.injuries:
                self.injuries.pop()
                self._show_injuries()
        elif bid.startswith("remove-"):
            for row in self._rows():
                if row.id == f"pupil-{bid.removeprefix('remove-')}":
                    row.remove()
            self.call_after_refresh(self._offer_siblings)
            self.query_one("#pupil-search").focus()

    # --- submitting -----------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.query_one("#form-message", Static).update(Content.styled(text, "bold red") if text else Content(""))

    def _collect(self) -> dict:
        """The service's arguments from the form (date parsing may raise ValidationError)."""
        return dict(
            token=self.token,
            pupils=[(r.pupil_id, r.role) for r in self._rows()],
            occurred_on=parse_date(self._value("date")),
            occurred_time=self._value("time").strip(),
            location=self._value("where"),
            source=self._select("source") or "",
            categories=self._categories(),
            words=self._area("words"),
            description=self._area("description"),
            why_concern=self._area("why"),
            child_told_next=self._checked("told-child"),
            dsl_told_in_person=self._checked("dsl-told"),
            injuries=list(self.injuries),
            urgent=self._checked("urgent"),
        )

    def action_submit(self) -> None:
        if self.busy or self.app.actor is None:
            return
        try:
            args = self._collect()
        except ValidationError as exc:
            self._failed(exc)
            return
        self.busy = True
        self._clear_field_error()
        self.query_one("#submit", Button).disabled = True
        self._say("Saving...")
        self._save(self.app.actor, args)

    @work(thread=True, exclusive=True, group="concern-submit")
    def _save(self, actor, args: dict) -> None:
        try:
            with dbmod.connection():
                result = concerns.record_concern(actor, **args)
        except KioskError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        except Exception as exc:  # noqa: BLE001 - the person must be told, and keep their text
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved, result)

    # ValidationError.field -> the label beside or above that field, which says what is wrong.
    FIELD_LABELS = {
        concerns.F_PUPIL: "#label-pupil", "role": "#label-pupil",
        concerns.F_DATE: "#label-when", concerns.F_TIME: "#label-when",
        concerns.F_WHERE: "#label-when", concerns.F_SOURCE: "#label-source",
        concerns.F_CATEGORY: "#label-categories", concerns.F_WORDS: "#label-words",
        concerns.F_DESCRIPTION: "#label-description", concerns.F_WHY: "#label-why",
        concerns.F_INJURY: "#label-injury",
    }

    def _clear_field_error(self) -> None:
        for found in self.query(".field-error"):
            found.remove()
        for label in self.query(".-error"):
            label.remove_class("-error")

    def mark_field_error(self, exc: ValidationError) -> None:
        """The reason beside the field at fault, in red, until the next submit."""
        self._clear_field_error()
        selector = self.FIELD_LABELS.get(exc.field)
        found = self.query(selector) if selector else None
        if not found:
            return
        label = found.first()
        label.add_class("-error")
        name = getattr(exc, "label", None) or exc.field
        reason = Static(Content.styled(f"{name[:1].upper()}{name[1:]}: {exc.problem}", "bold"),
                        classes="field-error")
        # Beside a row's short label the reason goes under the row; a prompt line has its
        # field under it, so the reason goes between the two.
        row = label.parent if "side-label" in label.classes else label
        row.parent.mount(reason, after=row)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        try:
            self.query_one("#submit", Button).disabled = False
        except Exception:  # noqa: BLE001 - screen already gone
            return
        if isinstance(exc, ValidationError):
            message = f"Not saved. {exc.field[:1].upper()}{exc.field[1:]}: {exc.problem}"
            self.mark_field_error(exc)
            target = FIELD_WIDGETS.get(exc.field)
            if exc.field == concerns.F_ROLE:
                rows = [r for r in self._rows() if r.role is None] or self._rows()
                target = f"#role-{rows[0].pupil_id}" if rows else "#pupil-search"
            if target:
                found = self.query(target)
                if found:
                    found.first().focus()
        elif isinstance(exc, KioskError):
            message = f"Not saved: {exc}. Everything you typed is still here; try again."
        else:
            message = (f"Not saved: an unexpected error ({type(exc).__name__}). Everything you "
                       "typed is still here; try again, or tell the DSL in person.")
        self._say(message)
        self.notify(message, severity="error", markup=False, timeout=10)

    def _saved(self, result) -> None:
        self.busy = False
        self.form_submitted()
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
        head = (f"Recorded at {fmt_local(r.recorded_at)}. "
                + (f"The DSL team ({r.alerted} people) has been alerted."
                   if r.alerted else "The DSL team has been alerted."))
        if r.duplicate:
            head = "This concern was already recorded; it was not recorded twice."
        lines = [Content.assemble(("Reference to quote: ", "bold"), (r.ref, "bold reverse")),
                 Content.styled(head, "bold"),
                 Content("The record is read-only to you now: to add something, tell the DSL "
                         "team. Its status is under 'My reported concerns'. Enter or Esc: done."),
                 Content("")]

        def field(label: str, value: str) -> None:
            lines.append(Content.assemble((f"{label}: ", "bold"), value or "-"))

        field("Pupils", "; ".join(f"{p.name} ({p.role_label.lower()})" for p in r.pupils))
        field("When", f"{fmt_date(r.occurred_on)} {r.occurred_time}".strip())
        field("Where", r.location)
        field("Source", r.source_label)
        field("Categories", ", ".join(c.name for c in r.categories))
        field("Urgent", "YES: the child may be at risk today" if r.urgent else "no")
        field("Told the child what happens next", "yes" if r.child_told_next else "no")
        field("Told a DSL in person", "yes" if r.dsl_told_in_person else "no")
        field("Their words", r.words)
        field("What you saw or heard", r.description)
        field("Why it is a concern", r.why_concern)
        if r.injuries:
            for i in r.injuries:
                field(f"Injury ({i.area_label})", i.description)
        else:
            field("Injuries", "none recorded")
        with VerticalScroll(id="recorded"):
            yield Static(Content("\n").join(lines), id="recorded-text")
