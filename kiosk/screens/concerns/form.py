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

from kiosk.clock import fmt_local, local_now, today
from kiosk.dates import fmt_date
from kiosk.errors import ValidationError
from kiosk.rules.vocabulary import BODY_AREAS, PUPIL_ROLES, SOURCES
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.services import concerns
from kiosk.services.concerns import ConcernInput
from kiosk.widgets.body_map import BodyMap
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.rules.steps import record_prompts
from kiosk.widgets.ticks import TickBox, TypeAheadTicks
from kiosk.widgets.pupil_picker import PupilPicker

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
    input_type = ConcernInput
    leave_question = ("Leave without sending? Nothing has been sent to the DSL team and what "
                      "you typed will be lost.")
    # ConcernInput field -> its widget (a pupil's role: see focus_field).
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
        self.default_time = local_now().strftime("%H:%M")
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
            # One-line fields where Enter can mean nothing else: Enter moves to the next field
            # at once (kiosk/widgets/typed.py), so keys typed after it in a burst land there.
            yield SafeInput(fmt_date(today()), id="date", max_length=10, compact=True,
                            tooltip="Date, DD/MM/YYYY", next_on_enter=True)
            yield SafeInput(self.default_time, id="time", max_length=5, next_on_enter=True,
                            placeholder="HH:MM", compact=True, tooltip="Time, HH:MM, if known")
            yield Label(Content("Where "), classes="field-label")
            yield SafeInput(id="where", max_length=200, placeholder="e.g. playground",
                            compact=True, next_on_enter=True)
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

        ids = [r.pupil_id for r in self._rows()]

        def find(actor) -> dict[int, str]:
            offers: dict[int, str] = {}
            for pid in ids:
                for sib in families.siblings(actor, pid):
                    if sib.pupil_id not in ids:
                        offers.setdefault(sib.pupil_id, sib.name)
            return offers

        self.run_service(find, self.app.actor, then=self._show_sibling_offer, group="siblings",
                         exclusive=True)

    def _show_sibling_offer(self, offers: dict[int, str]) -> None:
        box = self.query_one("#sibling-offer", Horizontal)
        box.remove_children()
        if not offers:
            return
        box.mount(Static(Content("Also record for a sibling?"), classes="field-label"))
        box.mount_all([Button(Content(name), id=f"sibling-{pid}", classes="small")
                       for pid, name in list(offers.items())[:4]])
        self.call_after_refresh(box.scroll_visible, animate=False)

    def _add_not_on_roll(self) -> None:
        from kiosk.services import pupils
        from kiosk.widgets.dialogs import Field, FieldsDialog

        actor = self.app.actor

        def done(child) -> None:
            if child:
                self.add_pupil(child.id, f"{child.name} (not on roll)")

        self.app.push_screen(FieldsDialog("A child not on the school's roll", [
            Field("first", "First name", max_length=100, aliases=("first_name",)),
            Field("last", "Last name", max_length=100, aliases=("last_name",)),
            Field("born", "Date of birth (DD/MM/YYYY), or their age if you do not know it", max_length=20),
            Field("note", "What you know: school, address, who they are to the child", "text"),
        ], lambda v: pupils.add_not_on_roll(actor, first_name=v["first"], last_name=v["last"],
                                            born=v["born"], note=v["note"]),
            intro="The DSL team can later match them to a pupil who joins."), done)

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
                "reach": self._select("reach"), "parent_risk": self._select("parent-risk"),
                "injury_area": self._select("injury-area"), "injury_text": self._value("injury-text")}

    def has_content(self) -> bool:
        try:
            d = self.build_input()
            typed = self._value("injury-text")
        except Exception:  # noqa: BLE001 - not composed yet
            return False
        # The defaults (date, time, source) alone are not something typed.
        return (any((d.pupils, d.categories, d.injuries, d.location, typed, d.words, d.description,
                     d.why_concern))
                or d.occurred_time != self.default_time or d.source != DEFAULT_SOURCE)

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
        if state.get("parent_risk") in PARENT_RISK:
            self.query_one("#parent-risk", Select).value = state["parent_risk"]
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
        if name == concerns.F_ROLE:
            rows = [r for r in self._rows() if r.role is None] or self._rows()
            return super().focus_field(f"role-{rows[0].pupil_id}" if rows else "pupil-search")
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
    # Date, time and where move on with Enter themselves (next_on_enter, see compose_form).

    @on(SafeInput.Submitted)
    def _enter_moves_on(self, event: SafeInput.Submitted) -> None:
        if event.input.id == "injury-text":
            event.stop()
            self._add_injury()

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
        self.query_one(BodyMap).focus()  # ready for another; Ctrl+S sends
        self.say("")

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

    def action_submit(self) -> None:
        if self.busy or self.app.actor is None:
            return
        self._clear_field_error()
        self.query_one("#submit", Button).disabled = True
        self.say("Saving...")
        self.submit_form(concerns.record_concern, self.app.actor, self.build_input(),
                         then=self._saved)

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

    def service_failed(self, exc: BaseException) -> None:
        self.query_one("#submit", Button).disabled = False
        if isinstance(exc, ValidationError):
            self.mark_field_error(exc)
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
