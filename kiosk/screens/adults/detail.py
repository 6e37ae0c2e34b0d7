"""One concern about an adult: what was reported, where it went, everything since, and how
long it is kept. The person it was routed to records LADO contact and advice, actions and the
outcome (allegations) or the written record (low-level); anyone it was shared with can add a
note. Every entry is appended with its rationale; nothing is edited.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kiosk.clock import fmt_local, local_now
from kiosk.screens.base import KioskScreen
from kiosk.services import adults
from kiosk.widgets.dialogs import Field, FieldsDialog

QUESTION_WORDS = (
    ("harmed_child", "(a) harmed or may have harmed a child"),
    ("criminal_offence", "(b) possibly a criminal offence against or related to a child"),
    ("risk_of_harm", "(c) may pose a risk of harm to children"),
    ("unsuitable", "(d) may not be suitable to work with children"),
)


def event_dialog(kind: str, actor, concern_id: int) -> FieldsDialog:
    """The dialog for one appended entry; its fields are the service's own keywords."""

    def text(name: str, label: str) -> Field:
        return Field(name, label, "text")

    def choose(name: str, label: str, choices: dict) -> Field:
        return Field(name, label, "select", options=tuple(choices.items()))

    when = Field("contacted_at", "When (DD/MM/YYYY HH:MM; blank for now)", max_length=16,
                 placeholder=local_now().strftime("%d/%m/%Y %H:%M"))
    title, fields, fn = {
        "lado_contact": ("Record contact with the LADO",
                         [when, text("details", "Who you spoke to, how, any reference")],
                         adults.record_lado_contact),
        "lado_advice": ("Record the LADO's advice",
                        [text("advice", "The LADO's advice"),
                         text("rationale", "What you decided, and why")],
                        adults.record_lado_advice),
        "action": ("Record an action or decision",
                   [choose("action", "Action", adults.ACTIONS), text("decision", "What was done or decided"),
                    text("rationale", "Rationale")],
                   adults.record_action),
        "outcome": ("Record the outcome",
                    [choose("outcome", "Outcome", adults.OUTCOMES),
                     text("rationale", "Rationale for the outcome")],
                    adults.record_outcome),
        "record": ("Written record of the low-level concern (paragraph 15)",
                   [text("action_taken", "Action taken"),
                    text("rationale", "Rationale for decisions")],
                   adults.record_low_level),
        "note": ("Add a note", [text("note", "Note")], adults.add_note),
        "referrals": ("After a substantiated allegation: the DBS and the Teaching Regulation Agency",
                      [choose("departure", "Were they dismissed, or did they leave?", adults.DEPARTURES),
                       choose("dbs", "Does the duty to refer to the DBS apply?", adults.DBS_ANSWERS),
                       choose("tra", "A teacher: referred to the Teaching Regulation Agency?",
                              adults.TRA_ANSWERS),
                       Field("answered_on", "Date of the referral or decision (DD/MM/YYYY)", max_length=20,
                             placeholder=local_now().strftime("%d/%m/%Y")),
                       text("rationale", "Why (the reasons for each decision)")],
                      lambda actor, concern_id, **values: adults.record_referral_decisions(
                          actor, concern_id, adults.ReferralDecisionInput(**values))),
    }[kind]

    def submit(values: dict):
        return fn(actor, concern_id, **{k: ("" if v is None else v) for k, v in values.items()})

    return FieldsDialog(title, fields, submit)


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
        def failed(exc: BaseException) -> None:
            self.show_error(exc)
            self.dismiss()

        self.run_service(adults.get_concern, self.app.actor, self.concern_id, then=self.show,
                         failed=failed)

    def show(self, detail) -> None:
        self.detail = detail
        self.query_one("#adult-detail-text", Static).update(render_detail(detail))
        self.refresh_bindings()
        self.reopen_pending()

    def restore_args(self) -> tuple:
        return (self.concern_id,)

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

        self.open_dialog(event_dialog(kind, self.app.actor, self.concern_id), done, f"add({kind!r})")
