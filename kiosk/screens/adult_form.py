"""Raise a concern about an adult working in or for the school (paragraphs 14-16).

Who it is about, what happened, and the four harms-threshold questions of paragraph 14. The
rules pane shows, before anything is sent, whether it will be an allegation or a low-level
concern and exactly who receives it (from kiosk.rules via kiosk.services.adults.plan).
After submitting, the person sees only that it was received and by whom; F4 lists their
earlier reports in the same way.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Label, Select, Static

from kiosk.widgets.footer import KioskFooter
from kiosk.capabilities import Cap
from kiosk.clock import fmt_local
from kiosk.dates import parse_typed_date
from kiosk.errors import KioskError, ValidationError
from kiosk.rules.results import Guidance, Step
from kiosk.rules.routing import HarmsAnswers
from kiosk.rules.steps import next_steps
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.services import adults
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.widgets.ticks import TickBox

SOMEONE_ELSE = -1

FLAGS = (
    ("is_headteacher", "They are the headteacher"),
    ("is_head_relative", "They are a relative of the headteacher working at the school"),
    ("is_dsl", "They are the DSL"),
    ("is_trust_central", "They are a member of the trust central team"),
)
QUESTIONS = (
    ("harmed_child", "(a) Harmed a child, or may have harmed a child"),
    ("criminal_offence", "(b) Possibly a criminal offence against or related to a child"),
    ("risk_of_harm", "(c) Behaved towards children in a way that shows a risk of harm"),
    ("unsuitable", "(d) Behaved in a way that shows they may be unsuitable"),
)
# ValidationError.field (from kiosk.services.adults) -> the widget to put the cursor in.
FIELD_WIDGETS = {
    "who it is about": "#subject",
    "their role": "#subject_role",
    "date of birth": "#subject_dob",
    "what happened": "#what_happened",
    "when it happened": "#happened_when",
    "context": "#context",
    "told to you by": "#told_by",
}
TEXT_FIELDS = ("subject_name", "subject_role", "subject_dob", "happened_when", "told_by")
AREA_FIELDS = ("what_happened", "context")


def parse_dob(text: str) -> date | None:
    """Blank is None (the date of birth is optional)."""
    return parse_typed_date(text, "date of birth", required=False)


class ReceiptScreen(ModalScreen[None]):
    """What the person who raised it is told: received, by whom; nothing more."""

    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, receipt, profile) -> None:
        super().__init__()
        self.receipt = receipt
        self.profile = profile

    def compose(self):
        r = self.receipt
        kind = "an allegation" if r.kind == adults.ALLEGATION else "a low-level concern"
        lines = [
            Content.styled("Your concern has been received.", "bold"),
            Content.assemble("Recorded as ", (r.ref, "bold"), f", {kind}, at {fmt_local(r.raised_at)} and sent to ",
                             r.received_by,
                             (" (" + ", ".join(r.recipient_names) + ")") if r.recipient_names else "",
                             "."),
        ]
        if r.outside_console:
            lines.append(Content.styled(
                f"Nobody in the console holds this role: tell {r.received_by} yourself now, "
                "using the contacts in the rules pane (F1 for all contacts).", "bold"))
        if r.lado_due_at is not None:
            lines.append(Content(f"{r.received_by[0].upper()}{r.received_by[1:]} contacts the "
                                 "LADO within one working day (paragraph 14)."))
        lines.append(Content("Do not investigate and do not discuss it with the adult concerned. "
                             "If you feel it has not been responded to appropriately, press F2."))
        with Vertical(classes="dialog"):
            yield Static(Content("\n").join(lines), id="receipt-text")
            yield Button(Content("Done"), id="done", variant="primary")
        yield KioskFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()


class MyAdultReportsScreen(KioskScreen):
    """My reports about adults: that each was received, and by whom. Nothing else."""

    SCREEN_TITLE = "My adult reports"
    AUTO_FOCUS = "#my-reports"

    def compose_body(self):
        yield Static(Content("Concerns about adults you have raised. You see that each was "
                             "received and by whom; what happens next is confidential."),
                     classes="screen-intro")
        table = DataTable(id="my-reports", cursor_type="row", zebra_stripes=True)
        table.add_columns("Ref", "Raised", "Received by")
        yield table

    def on_mount(self) -> None:
        rows = self.call_service(adults.my_reports, self.app.actor) or []
        table = self.query_one(DataTable)
        for r in rows:
            table.add_row(Text(r.ref), Text(fmt_local(r.raised_at)), Text(r.received_by))
        if not rows:
            self.query_one(".screen-intro", Static).update(
                Content("You have not raised any concerns about adults."))


class AdultConcernScreen(FormScreen):
    SCREEN_TITLE = "Adult concern"
    DEFAULT_CSS = """
    AdultConcernScreen #form-body Label { margin-top: 1; }
    AdultConcernScreen #form-body SafeTextArea { height: 5; border: tall $panel; }
    AdultConcernScreen #form-body SafeTextArea:focus { border: tall $accent; }
    AdultConcernScreen .question-intro { margin-top: 1; }
    AdultConcernScreen #send { margin: 1 0; }
    """
    form_id = "adult_concern"
    draft_title = "Concern about an adult"
    AUTO_FOCUS = "#subject"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Send", priority=True),
        Binding("f4", "my_reports", "My reports"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        actor = self.app.actor
        self.choices = []
        if actor is not None:
            try:
                self.choices = adults.subject_choices(actor)
            except KioskError:
                self.choices = []

    # --- layout -------------------------------------------------------------------

    def compose_form(self):
        yield Static(Content("A concern about an adult who works in or for the school "
                             "(paragraphs 14-16). Do not investigate and do not tell the adult. "
                             "Ctrl+S sends it; the rules pane shows who will receive it."),
                     classes="screen-intro")
        yield Label(Content("Who is it about?"))
        options = [(Text(f"{c.full_name} ({c.roles})" if c.roles else c.full_name), c.user_id)
                   for c in self.choices]
        options.append((Text("Someone without a console account (type their name)"), SOMEONE_ELSE))
        yield Select(options, prompt="Choose the person", id="subject", compact=True)
        yield Label(Content("Their name (if not in the list)"))
        yield SafeInput(id="subject_name", placeholder="Full name", compact=True)
        yield Label(Content("Their role at the school"))
        yield SafeInput(id="subject_role", placeholder="e.g. teaching assistant, caretaker", compact=True)
        for key, label in FLAGS:
            yield TickBox(Content(label), id=key, compact=True)
        yield Label(Content("Date of birth if known (DD/MM/YYYY): for the retention period"))
        yield SafeInput(id="subject_dob", max_length=10, compact=True, placeholder="DD/MM/YYYY")
        yield Label(Content("What happened"))
        yield SafeTextArea(id="what_happened", compact=True,
                           placeholder="What you saw or heard, in their words where you can")
        yield Label(Content("When it happened"))
        yield SafeInput(id="happened_when", placeholder="e.g. Tuesday 24 Nov, lunchtime", compact=True)
        yield Label(Content("The context: where, who else was there, what led up to it"))
        yield SafeTextArea(id="context", compact=True)
        yield Static(Content.styled("The harms threshold (paragraph 14). Has the adult... "
                                    "Tick any that may apply: if any is ticked, it is an "
                                    "allegation.", "bold"),
                     classes="question-intro")
        for key, label in QUESTIONS:
            yield TickBox(Content(label), id=key, compact=True)
        yield TickBox(Content("The DSL is not available today (a deputy DSL receives it)"),
                       id="dsl_unavailable", compact=True)
        if self.app.actor is not None and (self.app.actor.can(Cap.ADULT_RECEIVE_LOW_LEVEL)
                                           or self.app.actor.can(Cap.ADULT_RECEIVE_ALLEGATION)):
            yield Label(Content("Told to you by (if recording what someone told you)"))
            yield SafeInput(id="told_by", compact=True)
        yield Static(Content(""), id="form-message")
        yield Button(Content("Send (Ctrl+S)"), id="send", variant="primary")

    # --- reading the form -----------------------------------------------------------

    def _subject_user_id(self) -> int | None:
        value = self.query_one("#subject", Select).value
        if value is Select.NULL or value == SOMEONE_ELSE or value is None:
            return None
        return int(value)

    def _flags(self) -> dict:
        return {key: self.query_one(f"#{key}", Checkbox).value for key, _ in FLAGS}

    def _dsl_unavailable(self) -> bool:
        return self.query_one("#dsl_unavailable", Checkbox).value

    def _answers(self) -> HarmsAnswers:
        return HarmsAnswers(**{key: self.query_one(f"#{key}", Checkbox).value for key, _ in QUESTIONS})

    def _text(self, key: str) -> str:
        found = self.query(f"#{key}")
        if not found:
            return ""
        widget = found.first()
        return widget.text if isinstance(widget, SafeTextArea) else widget.value

    # --- drafts -------------------------------------------------------------------

    def form_state(self) -> dict:
        try:
            state = {k: self._text(k) for k in TEXT_FIELDS + AREA_FIELDS}
            subject = self.query_one("#subject", Select).value
            state["subject"] = None if subject is Select.NULL else subject
            state.update(self._flags())
            state.update({k: self.query_one(f"#{k}", Checkbox).value for k, _ in QUESTIONS})
            state["dsl_unavailable"] = self._dsl_unavailable()
        except Exception:  # not composed
            return {}
        return state

    def load_form_state(self, state: dict) -> None:
        for key in TEXT_FIELDS:
            found = self.query(f"#{key}")
            if found and state.get(key):
                found.first().value = str(state[key])
        for key in AREA_FIELDS:
            if state.get(key):
                self.query_one(f"#{key}", SafeTextArea).text = str(state[key])
        for key, _ in FLAGS + QUESTIONS + (("dsl_unavailable", ""),):
            self.query_one(f"#{key}", Checkbox).value = bool(state.get(key))
        subject = state.get("subject")
        valid = {c.user_id for c in self.choices} | {SOMEONE_ELSE}
        if subject in valid:
            self.query_one("#subject", Select).value = subject

    # --- the rules pane -------------------------------------------------------------

    def _typed_name(self) -> str:
        """The typed name, when no account is picked (it may still match one)."""
        return "" if self._subject_user_id() is not None else self._text("subject_name")

    def _plan(self):
        return adults.plan(self.app.actor, self.app.profile,
                           subject_user_id=self._subject_user_id(),
                           subject_name=self._typed_name(), answers=self._answers(),
                           dsl_unavailable=self._dsl_unavailable(), **self._flags())

    def guidance(self):
        actor = self.app.actor
        if actor is None:
            return None
        try:
            plan = self._plan()
        except ValidationError as exc:
            return Guidance("adult_concern", "Cannot be sent", (Step(str(exc), None, "14"),), (), ())
        kind = "an ALLEGATION" if plan.kind == adults.ALLEGATION else "a LOW-LEVEL CONCERN"
        who = plan.recipient_label
        if plan.recipient_names:
            who += " (" + ", ".join(plan.recipient_names) + ")"
        text = f"As the form stands this is {kind} and goes to {who}."
        if plan.kind == adults.ALLEGATION and plan.share_with == ("local_authority",):
            text += " They contact the LADO within one working day."
        elif plan.share_labels:
            text += " They share it with " + " and ".join(plan.share_labels) + "."
        if plan.outside_console:
            text += " Nobody in the console holds this role: tell them yourself as well."
        # The plan's profile names each role as the account holding it: one headteacher.
        base = next_steps(plan.profile or self.app.profile, "adult_concern", subject=plan.subject,
                          answers=self._answers())
        first = Step(text, plan.routing.contacts[0] if plan.routing.contacts else None,
                     "14" if plan.kind == adults.ALLEGATION else "15")
        title = ("Allegation" if plan.kind == adults.ALLEGATION else "Low-level concern") + \
            f": goes to {plan.recipient_label}"
        return Guidance(base.situation, title, (first,) + tuple(base.steps),
                        plan.routing.contacts, base.paragraphs)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.refresh_guidance()

    def on_input_changed(self, event: SafeInput.Changed) -> None:
        # A typed name may be a console account's: the pane routes it as that account.
        if event.input.id == "subject_name":
            event.stop()
            self.refresh_guidance()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value == SOMEONE_ELSE:
            self.query_one("#subject_name", SafeInput).focus()
        self.refresh_guidance()

    # --- submitting -----------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.query_one("#form-message", Static).update(Content.styled(text, "bold red"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_submit()

    def action_submit(self) -> None:
        if self.busy or self.app.actor is None:
            return
        name = self._typed_name()
        if name.strip():
            try:
                match = adults.matching_account(self.app.actor, name)
            except KioskError as exc:
                self._say(str(exc))
                self.show_error(exc)
                self._focus_field(getattr(exc, "field", ""))
                return
            if match is not None:
                self._ask_did_you_mean(match)
                return
        self._send()

    def _ask_did_you_mean(self, match) -> None:
        """A typed name that is a console account's is sent as that account (never to them,
        never visible to them); the person confirms it is who they meant first."""
        from kiosk.screens.lock import ConfirmScreen

        who = f"{match.full_name} ({match.roles})" if match.roles else match.full_name

        def answer(yes: bool | None) -> None:
            if yes:
                self.query_one("#subject", Select).value = match.user_id
                self._send()
            else:
                self._say("Not sent. Check the name, or choose the person from the list.")
                self.query_one("#subject_name", SafeInput).focus()

        self.app.push_screen(ConfirmScreen(
            f"Did you mean {who}, who has a console account? If so, it is sent as a concern "
            "about them: it never goes to them and they never see it. Send it?"), answer)

    def _send(self) -> None:
        if self.busy or self.app.actor is None:
            return
        self.busy = True
        try:
            receipt = adults.raise_concern(
                self.app.actor, self.app.profile,
                subject_user_id=self._subject_user_id(),
                subject_name=self._text("subject_name"),
                subject_role=self._text("subject_role"),
                subject_dob=parse_dob(self._text("subject_dob")),
                what_happened=self._text("what_happened"),
                happened_when=self._text("happened_when"),
                context=self._text("context"),
                answers=self._answers(),
                told_by=self._text("told_by"),
                dsl_unavailable=self._dsl_unavailable(),
                **self._flags(),
            )
        except KioskError as exc:
            self._say(str(exc))
            self.show_error(exc)
            self._focus_field(getattr(exc, "field", ""))
            return
        finally:
            self.busy = False
        self.form_submitted()

        def done(_=None) -> None:
            self.dismiss()

        self.app.push_screen(ReceiptScreen(receipt, self.app.profile), done)

    def _focus_field(self, field: str) -> None:
        """Put the cursor where the problem is (ValidationError names the field)."""
        target = FIELD_WIDGETS.get(field)
        if target == "#subject" and self._subject_user_id() is None and \
                self.query_one("#subject", Select).value == SOMEONE_ELSE:
            target = "#subject_name"
        found = self.query(target) if target else None
        if found:
            found.first().focus()

    def action_back(self) -> None:
        # A half-written allegation must not vanish on one stray escape.
        if not self.has_content():
            super().action_back()
            return
        from kiosk.screens.lock import ConfirmScreen

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        self.app.push_screen(ConfirmScreen("Leave without sending? What you have typed will "
                                           "be lost."), answer)

    def action_my_reports(self) -> None:
        self.app.push_screen(MyAdultReportsScreen())
