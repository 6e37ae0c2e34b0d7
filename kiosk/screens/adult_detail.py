"""One concern about an adult: what was reported, where it went, everything since, and how
long it is kept. The person it was routed to records LADO contact and advice, actions and the
outcome (allegations) or the written record (low-level); anyone it was shared with can add a
note. Every entry is appended with its rationale; nothing is edited.
"""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from kiosk.widgets.footer import KioskFooter
from kiosk.clock import fmt_local, local_now, to_utc
from kiosk.errors import KioskError, ValidationError
from kiosk.screens.base import KioskScreen
from kiosk.services import adults
from kiosk.widgets.inputs import SafeInput, SafeTextArea

QUESTION_WORDS = (
    ("harmed_child", "(a) harmed or may have harmed a child"),
    ("criminal_offence", "(b) possibly a criminal offence against or related to a child"),
    ("risk_of_harm", "(c) may pose a risk of harm to children"),
    ("unsuitable", "(d) may not be suitable to work with children"),
)


def parse_local(text: str) -> datetime | None:
    """'DD/MM/YYYY HH:MM' in England's time -> naive UTC; blank is None (now)."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M"):
        try:
            return to_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValidationError("when", "write it as DD/MM/YYYY HH:MM, or leave it blank for now")


# kind -> (title, (choice label, options) or None, text label or None, rationale label or None, when?)
DIALOGS = {
    "lado_contact": ("Record contact with the LADO", None, "Who you spoke to, how, any reference",
                     None, True),
    "lado_advice": ("Record the LADO's advice", None, "The LADO's advice",
                    "What you decided, and why", False),
    "action": ("Record an action or decision", ("Action", adults.ACTIONS), "What was done or decided",
               "Rationale", False),
    "outcome": ("Record the outcome", ("Outcome", adults.OUTCOMES), None, "Rationale for the outcome", False),
    "referrals": ("After a substantiated allegation: the DBS and the Teaching Regulation Agency",
                  None, None, "Why (the reasons for each decision)", False),
    "record": ("Written record of the low-level concern (paragraph 15)", None, "Action taken",
               "Rationale for decisions", False),
    "note": ("Add a note", None, "Note", None, False),
}


REFERRAL_QUESTIONS = (
    ("departure", "Were they dismissed, or did they leave?", adults.DEPARTURES),
    ("dbs", "Does the duty to refer to the DBS apply?", adults.DBS_ANSWERS),
    ("tra", "A teacher: referred to the Teaching Regulation Agency?", adults.TRA_ANSWERS),
)


class EventDialog(ModalScreen[object]):
    """A small form for one appended entry. Ctrl+S saves; the service re-checks everything."""

    DEFAULT_CSS = """
    EventDialog .ev-area { height: 5; }
    EventDialog Label { margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save", priority=True)]

    def __init__(self, kind: str, concern_id: int) -> None:
        super().__init__()
        self.kind = kind
        self.concern_id = concern_id

    def compose(self):
        title, choices, text_label, why_label, when = DIALOGS[self.kind]
        with VerticalScroll(classes="dialog"):
            yield Static(Content.styled(title, "bold"))
            if choices:
                label, options = choices
                yield Label(Content(label))
                yield Select([(words, key) for key, words in options.items()], prompt=label,
                             id="ev-choice")
            if self.kind == "referrals":
                for ident, label, options in REFERRAL_QUESTIONS:
                    yield Label(Content(label))
                    yield Select([(words, key) for key, words in options.items()], prompt="(answer)",
                                 id=ident, compact=True)
                yield Label(Content("Date of the referral or decision (DD/MM/YYYY)"))
                yield SafeInput(id="ev-date", max_length=20, placeholder=local_now().strftime("%d/%m/%Y"))
            if when:
                yield Label(Content("When (DD/MM/YYYY HH:MM; blank for now)"))
                yield SafeInput(id="ev-when", max_length=16,
                                placeholder=local_now().strftime("%d/%m/%Y %H:%M"))
            if text_label:
                yield Label(Content(text_label))
                yield SafeTextArea(id="ev-text", classes="ev-area")
            if why_label:
                yield Label(Content(why_label))
                yield SafeTextArea(id="ev-rationale", classes="ev-area")
            yield Static(Content(""), id="ev-message")
            yield Button(Content("Save (Ctrl+S)"), id="ev-save", variant="primary")
        yield KioskFooter()

    def on_mount(self) -> None:
        first = self.query("Select, SafeInput, SafeTextArea")
        if first:
            first.first().focus()

    def _value(self, selector: str) -> str:
        found = self.query(selector)
        if not found:
            return ""
        w = found.first()
        if isinstance(w, Select):
            return "" if w.value is Select.NULL else str(w.value)
        return w.text if isinstance(w, SafeTextArea) else w.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        actor = self.app.actor
        cid = self.concern_id
        text, why, choice = self._value("#ev-text"), self._value("#ev-rationale"), self._value("#ev-choice")
        try:
            if self.kind == "lado_contact":
                detail = adults.record_lado_contact(actor, cid, details=text,
                                                    contacted_at=parse_local(self._value("#ev-when")))
            elif self.kind == "lado_advice":
                detail = adults.record_lado_advice(actor, cid, advice=text, rationale=why)
            elif self.kind == "action":
                detail = adults.record_action(actor, cid, action=choice, decision=text, rationale=why)
            elif self.kind == "outcome":
                detail = adults.record_outcome(actor, cid, outcome=choice, rationale=why)
            elif self.kind == "record":
                detail = adults.record_low_level(actor, cid, action_taken=text, rationale=why)
            elif self.kind == "referrals":
                detail = adults.record_referral_decisions(actor, cid, adults.ReferralDecisionInput(
                    departure=self._value("#departure"), dbs=self._value("#dbs"),
                    tra=self._value("#tra"), answered_on=self._value("#ev-date"), rationale=why))
            else:
                detail = adults.add_note(actor, cid, note=text)
        except KioskError as exc:
            self.query_one("#ev-message", Static).update(Content.styled(str(exc), "bold red"))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(detail)


def render_detail(d) -> Content:
    lines: list[Content] = []
    kind = adults.KIND_LABELS.get(d.kind, d.kind)
    status_style = "bold red" if d.lado_overdue else "bold"
    lines.append(Content.assemble((f"{kind} {d.ref}", "bold"), "  ", (d.status, status_style)))
    about = Content.assemble(("About: ", "dim"), (d.subject_name, "bold"),
                             f" ({d.subject_role})" if d.subject_role else "")
    lines.append(about)
    if d.flags:
        lines.append(Content.assemble(("They are ", "dim"), "; ".join(d.flags)))
    if d.subject_dob:
        lines.append(Content.assemble(("Date of birth: ", "dim"), f"{d.subject_dob:%d %b %Y}"))
    reported = Content.assemble(("Reported by ", "dim"), d.reported_by,
                                (" on ", "dim"), fmt_local(d.raised_at))
    if d.told_by:
        reported = Content.assemble(reported, (", told to them by ", "dim"), d.told_by)
    lines.append(reported)
    to = d.recipient_label + (f" ({', '.join(d.recipient_names)})" if d.recipient_names else "")
    lines.append(Content.assemble(("Routed to ", "dim"), to,
                                  ("; shared with ", "dim") if d.share_labels else "",
                                  " and ".join(d.share_labels)))
    if d.raised_as:
        lines.append(Content.styled(
            "Raised as an allegation; the harms "
            "threshold was not met, so it is managed as a low-level concern (paragraphs 15-16), "
            "with its history below.", "italic"))
    if d.referral_due:
        lines.append(Content.styled(
            "Substantiated: record whether they were dismissed or left, whether the duty to "
            "refer to the DBS applies and, for a teacher, whether they were referred to the "
            "Teaching Regulation Agency (key r).", "bold"))
    if d.my_access == "shared":
        lines.append(Content.styled("Shared with you for information (paragraph 15).", "italic"))
    if d.lado_due_at is not None:
        if d.lado_contacted_at is None:
            lines.append(Content.assemble(
                ("LADO contact due by ", "dim"), fmt_local(d.lado_due_at), " (",
                (adults.countdown(d.lado_due_at), status_style), "): one working day from when "
                "the recipient was told (paragraph 14)."))
        else:
            lines.append(Content.assemble(("LADO contacted ", "dim"), fmt_local(d.lado_contacted_at),
                                          (f" (deadline was {fmt_local(d.lado_due_at)})", "dim")))
    lines.append(Content(""))
    lines.append(Content.styled("What happened", "bold underline"))
    if d.happened_when:
        lines.append(Content.assemble(("When: ", "dim"), d.happened_when))
    lines.append(Content(d.what_happened))
    if d.context:
        lines.append(Content.styled("Context", "bold"))
        lines.append(Content(d.context))
    met = [words for key, words in QUESTION_WORDS if getattr(d.answers, key)]
    lines.append(Content.assemble(("Harms threshold (paragraph 14): ", "bold"),
                                  "; ".join(met) if met else "none of (a)-(d) ticked: low-level"))
    lines.append(Content(""))
    lines.append(Content.styled("Since then", "bold underline"))
    if not d.events:
        lines.append(Content.styled("Nothing recorded yet.", "italic"))
    for e in d.events:
        head = Content.assemble((fmt_local(e.at), "dim"), "  ", (e.label, "bold"),
                                (f": {e.choice_label}" if e.choice_label else "", "bold"),
                                ("  by ", "dim"), e.by)
        lines.append(head)
        if e.kind == "lado_contact" and e.occurred_at:
            lines.append(Content.assemble(("  Contacted ", "dim"), fmt_local(e.occurred_at)))
        if e.text:
            lines.append(Content.assemble("  ", e.text))
        if e.rationale:
            lines.append(Content.assemble(("  Why: ", "dim"), e.rationale))
    lines.append(Content(""))
    lines.append(Content.styled("Retention", "bold underline"))
    lines.append(Content.styled(d.retention.text, "bold red" if d.retention.to_be_removed else ""))
    return Content("\n").join(lines)


class AdultDetailScreen(KioskScreen):
    SCREEN_TITLE = "Adult concern"
    DEFAULT_CSS = """
    #adult-detail { height: 1fr; padding: 0 1; }
    """
    AUTO_FOCUS = "#adult-detail"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("l", "add('lado_contact')", "LADO contacted"),
        Binding("v", "add('lado_advice')", "LADO advice"),
        Binding("t", "add('action')", "Action"),
        Binding("o", "add('outcome')", "Outcome"),
        Binding("r", "add('referrals')", "DBS/TRA"),
        Binding("w", "add('record')", "Written record"),
        Binding("n", "add('note')", "Note"),
    ]

    def __init__(self, concern_id: int) -> None:
        super().__init__()
        self.concern_id = concern_id
        self.detail = None

    def compose_body(self):
        with VerticalScroll(id="adult-detail", can_focus=True):
            yield Static(Content(""), id="adult-detail-text")

    def on_mount(self) -> None:
        detail = self.call_service(adults.get_concern, self.app.actor, self.concern_id)
        if detail is None:
            self.dismiss()
            return
        self.show(detail)

    def show(self, detail) -> None:
        self.detail = detail
        self.query_one("#adult-detail-text", Static).update(render_detail(detail))
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action != "add":
            return True
        d = self.detail
        if d is None:
            return False
        kind = parameters[0] if parameters else ""
        if kind == "note":
            return True
        if not d.can_act:
            return False
        if kind == "referrals":
            return d.referral_due
        if d.kind == adults.ALLEGATION:
            if kind == "outcome":
                return not d.outcome
            return kind in ("lado_contact", "lado_advice", "action")
        return kind == "record"

    def action_add(self, kind: str) -> None:
        def done(detail) -> None:
            if detail is not None:
                self.show(detail)
                self.notify("Saved.", markup=False)

        self.app.push_screen(EventDialog(kind, self.concern_id), done)
