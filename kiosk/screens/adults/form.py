"""Raise a concern about an adult working in or for the school (paragraphs 14-16).

Who it is about, what happened, and the four harms-threshold questions of paragraph 14. The
rules pane shows, before anything is sent, whether it will be an allegation or a low-level
concern and exactly who receives it (from kiosk.rules via kiosk.services.adults.plan).
After submitting, the person sees only that it was received and by whom; F4 lists their
earlier reports in the same way.
"""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Button, Checkbox, DataTable, Label, Select, Static

from kiosk.capabilities import Cap
from kiosk.clock import fmt_local
from kiosk.errors import ValidationError
from kiosk.rules.results import Guidance, Step
from kiosk.rules.routing import HarmsAnswers
from kiosk.rules.steps import next_steps
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.services import adults
from kiosk.services.adults import AdultConcernInput
from kiosk.widgets.dialogs import ConfirmDialog, NoticeDialog
from kiosk.widgets.fit import fill_table
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.widgets.rules_pane import RulesPane
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
class ReceiptScreen(NoticeDialog):
    """What the person who raised it is told: received, by whom; nothing more."""

    def __init__(self, receipt, profile) -> None:
        r = receipt
        kind = "an allegation" if r.kind == adults.ALLEGATION else "a low-level concern"
        lines = [
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
        super().__init__("Your concern has been received.", lines)
        self.receipt = receipt
        self.profile = profile


class MyAdultReportsScreen(KioskScreen):
    """My reports about adults: that each was received, and by whom. Nothing else."""

    SCREEN_TITLE = "My adult reports"
    AUTO_FOCUS = "#my-reports"

    def compose_body(self):
        yield Static(Content("Concerns about adults you have raised. You see that each was "
                             "received and by whom; what happens next is confidential."),
                     classes="screen-intro")
        yield DataTable(id="my-reports", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.run_service(adults.my_reports, self.app.actor, then=self._show)

    def _show(self, rows) -> None:
        fill_table(self.query_one(DataTable), ("Ref", "Raised", "Received by"),
                   [(Text(r.ref), Text(fmt_local(r.raised_at)), Text(r.received_by)) for r in rows],
                   keep=(0, 1))
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
    input_type = AdultConcernInput
    # A half-written allegation must not vanish on one stray escape.
    leave_question = "Leave without sending? What you have typed will be lost."
    FIELD_WIDGETS = {"subject_user_id": "#subject"}
    AUTO_FOCUS = "#subject"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Send", priority=True),
        Binding("f4", "my_reports", "My reports"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices = []
        self._pending_subject = None

    def on_mount(self) -> None:
        super().on_mount()
        if self.app.actor is not None:
            self.run_service(adults.subject_choices, self.app.actor, then=self._show_choices,
                             group="choices")

    def _show_choices(self, choices) -> None:
        self.choices = list(choices)
        select = self.query_one("#subject", Select)
        keep = select.value if select.value is not Select.NULL else self._pending_subject
        select.set_options(self._subject_options())
        if keep in {c.user_id for c in self.choices} | {SOMEONE_ELSE}:
            select.value = keep
        self._pending_subject = None

    def _subject_options(self):
        options = [(Text(f"{c.full_name} ({c.roles})" if c.roles else c.full_name), c.user_id)
                   for c in self.choices]
        options.append((Text("Someone without a console account (type their name)"), SOMEONE_ELSE))
        return options

    # --- layout -------------------------------------------------------------------

    def compose_form(self):
        yield Static(Content("A concern about an adult who works in or for the school "
                             "(paragraphs 14-16). Do not investigate and do not tell the adult. "
                             "Ctrl+S sends it; the rules pane shows who will receive it."),
                     classes="screen-intro")
        yield Label(Content("Who is it about?"))
        yield Select(self._subject_options(), prompt="Choose the person", id="subject", compact=True)
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

    # --- the input, and the draft -------------------------------------------------------

    def build_input(self) -> AdultConcernInput:
        """The form as the service takes it (and as a draft keeps it)."""
        return AdultConcernInput(
            subject_user_id=self._subject_user_id(),
            subject_name=self._text("subject_name"),
            subject_role=self._text("subject_role"),
            subject_dob=self._text("subject_dob"),
            what_happened=self._text("what_happened"),
            happened_when=self._text("happened_when"),
            context=self._text("context"),
            answers=self._answers(),
            told_by=self._text("told_by"),
            dsl_unavailable=self._dsl_unavailable(),
            **self._flags(),
        )

    def extra_state(self) -> dict:
        subject = self.query_one("#subject", Select).value
        return {"someone_else": subject == SOMEONE_ELSE}

    def has_content(self) -> bool:
        try:
            d = self.build_input()
        except Exception:  # noqa: BLE001 - not composed yet
            return False
        return any((d.subject_user_id, d.subject_name, d.subject_role, d.subject_dob,
                    d.what_happened, d.happened_when, d.context, d.told_by,
                    self.extra_state()["someone_else"]))

    def fill(self, d: AdultConcernInput, state: dict) -> None:
        for key in ("subject_name", "subject_role", "subject_dob", "happened_when", "told_by"):
            found = self.query(f"#{key}")
            value = getattr(d, key)
            if found and isinstance(value, str):
                found.first().value = value
        for key in ("what_happened", "context"):
            if isinstance(getattr(d, key), str):
                self.query_one(f"#{key}", SafeTextArea).text = getattr(d, key)
        answers = d.answers if isinstance(d.answers, dict) else dataclasses.asdict(d.answers)
        for key, _ in FLAGS:
            self.query_one(f"#{key}", Checkbox).value = bool(getattr(d, key))
        for key, _ in QUESTIONS:
            self.query_one(f"#{key}", Checkbox).value = bool(answers.get(key))
        self.query_one("#dsl_unavailable", Checkbox).value = bool(d.dsl_unavailable)
        subject = SOMEONE_ELSE if state.get("someone_else") else d.subject_user_id
        if subject in {c.user_id for c in self.choices} | {SOMEONE_ELSE}:
            self.query_one("#subject", Select).value = subject
        elif subject is not None:  # the list is still loading
            self._pending_subject = subject

    # --- the rules pane -------------------------------------------------------------

    def _typed_name(self) -> str:
        """The typed name, when no account is picked (it may still match one)."""
        return "" if self._subject_user_id() is not None else self._text("subject_name")

    def refresh_guidance(self) -> None:
        """The pane follows the form: the plan (who receives it) is a service call, so it runs
        in a worker; the newest replaces any still running."""
        actor = self.app.actor
        if actor is None:
            return
        try:
            args = dict(subject_user_id=self._subject_user_id(), subject_name=self._typed_name(),
                        answers=self._answers(), dsl_unavailable=self._dsl_unavailable(), **self._flags())
        except Exception:  # noqa: BLE001 - not composed yet
            return
        self.run_service(adults.plan, actor, self.app.profile, then=self._show_plan,
                         failed=self._plan_refused, group="plan", exclusive=True, **args)

    def _pane(self, guidance) -> None:
        self.query_one(RulesPane).show_guidance(guidance, self.app.profile)

    def _plan_refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self._pane(Guidance("adult_concern", "Cannot be sent", (Step(str(exc), None, "14"),), (), ()))
        else:
            self.service_failed(exc)

    def _show_plan(self, plan) -> None:
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
        self._pane(Guidance(base.situation, title, (first,) + tuple(base.steps),
                            plan.routing.contacts, base.paragraphs))

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

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_submit()

    def action_submit(self) -> None:
        if self.busy or self.app.actor is None:
            return
        name = self._typed_name()
        if name.strip():
            self.run_service(adults.matching_account, self.app.actor, name, then=self._checked_name,
                             group="form-submit", exclusive=True)
            return
        self._send()

    def _checked_name(self, match) -> None:
        if match is None:
            self._send()
        else:
            self._ask_did_you_mean(match)

    def _ask_did_you_mean(self, match) -> None:
        """A typed name that is a console account's is sent as that account (never to them,
        never visible to them); the person confirms it is who they meant first."""
        who = f"{match.full_name} ({match.roles})" if match.roles else match.full_name

        def answer(yes: bool | None) -> None:
            if yes:
                self.query_one("#subject", Select).value = match.user_id
                self._send()
            else:
                self.say("Not sent. Check the name, or choose the person from the list.")
                self.query_one("#subject_name", SafeInput).focus()

        self.app.push_screen(ConfirmDialog(
            f"Did you mean {who}, who has a console account? If so, it is sent as a concern "
            "about them: it never goes to them and they never see it. Send it?"), answer)

    def _send(self) -> None:
        self.submit_form(adults.raise_concern, self.app.actor, self.app.profile,
                         self.build_input(), then=self._sent)

    def _sent(self, receipt) -> None:
        self.app.push_screen(ReceiptScreen(receipt, self.app.profile), lambda _=None: self.dismiss())

    def focus_field(self, name: str) -> bool:
        if name in ("subject_user_id", "subject_name") and \
                self.query_one("#subject", Select).value == SOMEONE_ELSE:
            name = "subject_name"
        return super().focus_field(name)

    def action_my_reports(self) -> None:
        self.app.push_screen(MyAdultReportsScreen())
