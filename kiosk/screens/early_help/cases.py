"""Enrolments with their reviews, and internal referrals for 1:1 or group work.

EnrolmentsScreen lists open interventions with the review due (OVERDUE in red); `n`
enrols a pupil, `r` records a review, `x` ends one with its outcome. ReferralsScreen lists
internal referrals, pending first; `d` records the decision and who picks it up (and can
enrol the pupil at once). InternalReferralScreen is how any member of staff asks for
1:1 pastoral support or group work for a pupil (home menu `h`).
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.capabilities import Cap
from kiosk.clock import to_local, fmt_local, today
from kiosk.rules.deadlines import school_days
from kiosk.screens.base import KioskScreen
from kiosk.widgets.dialogs import Field, FieldsDialog, NoticeDialog
from kiosk.widgets.pupil_search import PupilSearchDialog
from kiosk.services import early_help as eh
from kiosk.widgets.inputs import SafeTextArea


def _d(value) -> str:
    return f"{value:%d/%m/%y}" if value else ""


class ListScreen(KioskScreen):
    """A table of rows keyed by id, with a line of explanation above it."""

    AUTO_FOCUS = "#table"
    DEFAULT_CSS = """
    ListScreen #intro { height: auto; padding: 0 1; color: $text-muted; }
    """

    COLUMNS: tuple[tuple[str, int | None], ...] = ()  # (label, width): widths that fit 80
    RELOAD_ON_RESUME = True  # back from a detail or a dialog: the list may have changed

    def compose_body(self):
        yield Static(id="intro")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for label, width in self.COLUMNS:
            self.table.add_column(label, width=width)
        self.reload()

    def on_screen_resume(self) -> None:
        if self.RELOAD_ON_RESUME:
            self.reload()

    def fetch(self):
        """The rows, from a service (runs in the worker)."""
        raise NotImplementedError

    def reload(self) -> None:
        self.run_service(self.fetch, then=self._show, group="list", exclusive=True)

    @property
    def table(self) -> DataTable:
        return self.query_one("#table", DataTable)

    def current_key(self) -> str | None:
        t = self.table
        if t.row_count == 0 or t.cursor_row is None:
            return None
        key, _ = t.coordinate_to_cell_key((t.cursor_row, 0))
        return key.value

    def keep_cursor(self, key: str | None) -> None:
        if key is not None:
            try:
                self.table.move_cursor(row=self.table.get_row_index(key))
            except Exception:  # noqa: BLE001 - the row left the list (e.g. ended)
                pass

    def can_manage(self) -> bool:
        if self.actor.can(Cap.EARLY_HELP_MANAGE):
            return True
        self.show_error("Only pastoral staff and the DSL team can do this.")
        return False

    def dialog(self, dialog: FieldsDialog, saved) -> None:
        """Open a FieldsDialog; `saved(result)` says what was done, then the list reloads."""
        def done(result) -> None:
            if result is not None:
                saved(result)
                self.reload()

        self.app.push_screen(dialog, done)

    def open_detail(self, fn, row_id: int, show) -> None:
        self.run_service(fn, self.actor, row_id, then=show)


class EnrolmentsScreen(ListScreen):
    SCREEN_TITLE = "Early help: enrolments and reviews"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "enrol", "Enrol"),
        Binding("r", "review", "Review"),
        Binding("x", "end", "End"),
        Binding("t", "toggle_ended", "Show ended"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_ended = False
        self.rows: dict[str, eh.EnrolmentView] = {}

    # Rows are two lines high so the offer's name and the keyworker wrap rather than lose
    # their ends.
    COLUMNS = (("Pupil", 16), ("Intervention", 22), ("Started", 8), ("Review", 8), ("Keyworker", 14))

    def fetch(self):
        return eh.list_enrolments(self.actor, not self.show_ended)

    def _show(self, views) -> None:
        key = self.current_key()
        now = today()
        views.sort(key=lambda v: (not v.open, v.next_review_on or now + timedelta(days=9999), v.pupil_name))
        overdue = sum(1 for v in views if v.open and v.next_review_on and v.next_review_on < now)
        intro = f"{sum(1 for v in views if v.open)} open"
        if overdue:
            intro += f", {overdue} with a review overdue"
        intro += ".  Enter: aims and reviews."
        self.query_one("#intro", Static).update(Content(intro))
        t = self.table
        t.clear()
        self.rows = {}
        for v in views:
            if not v.open:
                due = Text(f"ended {_d(v.ended_on)}", style="dim")
            elif v.next_review_on is None:
                due = Text("none set")
            elif v.next_review_on < now:
                due = Text.assemble(_d(v.next_review_on), ("\nOVERDUE", "bold red"))
            else:
                due = Text(_d(v.next_review_on))
            t.add_row(Text(v.pupil_name), Text(v.offer_name), Text(_d(v.start_on)), due, Text(v.keyworker),
                      key=str(v.id), height=2)
            self.rows[str(v.id)] = v
        self.keep_cursor(key)

    def current(self) -> eh.EnrolmentView | None:
        key = self.current_key()
        return self.rows.get(key) if key else None

    def action_toggle_ended(self) -> None:
        self.show_ended = not self.show_ended
        self.reload()

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        v = self.current()
        if v is not None:
            self.open_detail(eh.get_enrolment, v.id, lambda full: self.app.push_screen(EnrolmentDetail(full)))

    def action_enrol(self) -> None:
        if not self.can_manage():
            return

        def chosen(pupil) -> None:
            if pupil is not None:
                enrol_dialog(self, pupil, after=self.reload)

        self.app.push_screen(PupilSearchDialog("Enrol which pupil?"), chosen)

    def action_review(self) -> None:
        v = self.current()
        if v is None or not self.can_manage():
            return
        if not v.open:
            self.show_error("This enrolment has ended.")
            return

        actor, profile = self.actor, self.app.profile

        def saved(out) -> None:
            nxt = (f" Next review {out.next_review_on:%d %b %Y}."
                   + holiday_note(profile, out.next_review_on) if out.next_review_on else "")
            self.notify(f"Review recorded for {out.pupil_name}.{nxt}", markup=False)

        self.dialog(FieldsDialog(f"Review: {v.pupil_name}, {v.offer_name}", [
            Field("notes", "Review notes (progress against the aims)", "text"),
            Field("reviewed_on", "Reviewed on", value=f"{today():%d/%m/%Y}", max_length=20),
            Field("next_review_on", "Next review (blank if none; '+6w': six weeks of school)",
                  value=review_default(profile), max_length=20),
        ], lambda val: eh.record_review(actor, v.id, val["notes"], val["reviewed_on"],
                                        val["next_review_on"] or None, profile=profile),
            intro=f"Aims: {v.aims}"), saved)

    def action_end(self) -> None:
        v = self.current()
        if v is None or not self.can_manage():
            return
        if not v.open:
            self.show_error("This enrolment has already ended.")
            return

        actor = self.actor
        self.dialog(FieldsDialog(f"End: {v.pupil_name}, {v.offer_name}", [
            Field("ended_on", "Ended on", value=f"{today():%d/%m/%Y}", max_length=20),
            Field("outcome", "Outcome (what changed; any next step)", "text"),
        ], lambda val: eh.end_enrolment(actor, v.id, **val),
            intro=f"Started {v.start_on:%d %b %Y}. Aims: {v.aims}"),
            lambda out: self.notify(f"{out.pupil_name}: {out.offer_name} ended.", markup=False))


def enrol_dialog(screen: KioskScreen, pupil, after=None, referral_id: int | None = None) -> None:
    """Ask for the enrolment details for a chosen pupil and enrol them."""
    actor = screen.actor
    screen.run_service(eh.enrol_choices, actor,
                       then=lambda choices: _enrol_dialog(screen, actor, pupil, choices, after, referral_id))


def _enrol_dialog(screen: KioskScreen, actor, pupil, choices, after, referral_id) -> None:
    offers, workers = choices
    profile = screen.app.profile

    def submit(v):
        return eh.enrol(actor, pupil.id, v["offer"], v["start_on"], v["aims"], v["review_on"],
                        v["planned_end_on"] or None, v["keyworker_id"], referral_id, profile=profile)

    def done(out) -> None:
        if out is not None:
            screen.notify(f"{out.pupil_name} enrolled in {out.offer_name}; first review "
                          f"{out.review_on:%d %b %Y}." + holiday_note(screen.app.profile, out.review_on),
                          markup=False, timeout=8)
            if after:
                after()

    screen.app.push_screen(FieldsDialog(f"Enrol {pupil.name}", [
        Field("offer", "Intervention", "choice", options=tuple((o.id, o.name) for o in offers)),
        Field("start_on", "Start date", value=f"{today():%d/%m/%Y}", max_length=20),
        Field("aims", "Aims", "text"),
        Field("review_on", "First review ('+6w': six weeks of school)", value=review_default(profile),
              max_length=20),
        Field("planned_end_on", "Planned end (optional)", max_length=20),
        Field("keyworker_id", "Keyworker", "choice", value=actor.user_id,
              options=tuple((w.user_id, w.name) for w in workers)),
    ], submit), done)


class EnrolmentDetail(ModalScreen):
    BINDINGS = [Binding("escape", "close", "Close")]
    DEFAULT_CSS = "EnrolmentDetail .eh-dialog { width: 76; }"

    def __init__(self, v: eh.EnrolmentView) -> None:
        super().__init__()
        self.v = v

    def compose(self):
        v = self.v
        lines = [
            Content.styled(f"{v.pupil_name} ({v.form_group}): {v.offer_name}", "bold"),
            Content.assemble(("Started ", "dim"), f"{v.start_on:%d %b %Y}", ("  by ", "dim"), v.created_by,
                             ("  keyworker ", "dim"), v.keyworker or "-"),
            Content.assemble(("Aims: ", "dim"), v.aims),
            Content.assemble(("First review ", "dim"), f"{v.review_on:%d %b %Y}",
                             ("  planned end ", "dim"), f"{v.planned_end_on:%d %b %Y}" if v.planned_end_on else "-"),
        ]
        if v.ended_on:
            lines.append(Content.assemble(("Ended ", "dim"), f"{v.ended_on:%d %b %Y}", ("  outcome: ", "dim"), v.outcome))
        lines += [Content(""), Content.styled(f"Reviews ({len(v.reviews)})", "bold")]
        for r in v.reviews:
            lines.append(Content.assemble((f"{r.reviewed_on:%d %b %Y}", "bold"), f"  {r.by}",
                                          (f"  next {r.next_review_on:%d %b %Y}" if r.next_review_on else "", "dim")))
            lines.append(Content.assemble("  ", r.notes))
        with VerticalScroll(classes="dialog eh-dialog"):
            yield Static(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)


class ReferralsScreen(ListScreen):
    SCREEN_TITLE = "Early help: internal referrals"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "new", "New referral"),
        Binding("d", "decide", "Decide"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, eh.ReferralView] = {}

    COLUMNS = (("Referred", 8), ("Pupil", 16), ("For", 16), ("By", 14), ("Decision", 14))

    def fetch(self):
        return eh.list_referrals(self.actor)

    def _show(self, views) -> None:
        key = self.current_key()
        views.sort(key=lambda r: (r.decision != "pending", -r.referred_at.timestamp()))
        pending = sum(1 for r in views if r.decision == "pending")
        self.query_one("#intro", Static).update(Content(f"{pending} waiting for a decision.  Enter: details."))
        t = self.table
        t.clear()
        self.rows = {}
        for r in views:
            decision = (Text("PENDING", style="bold yellow") if r.decision == "pending"
                        else Text(r.decision + (f"\n{r.picked_up_by}" if r.picked_up_by else "")))
            t.add_row(Text(_d(to_local(r.referred_at))), Text(r.pupil_name), Text(r.offer_name),
                      Text(r.referred_by), decision, key=str(r.id), height=2)
            self.rows[str(r.id)] = r
        self.keep_cursor(key)

    def current(self) -> eh.ReferralView | None:
        key = self.current_key()
        return self.rows.get(key) if key else None

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        r = self.current()
        if r is not None:
            self.open_detail(eh.get_referral, r.id, self._show_referral)

    def _show_referral(self, r) -> None:
        lines = [
            Content.styled(f"{r.pupil_name}: {r.offer_name}", "bold"),
            Content.assemble(("Referred ", "dim"), fmt_local(r.referred_at), ("  by ", "dim"), r.referred_by),
            Content.assemble(("Why: ", "dim"), r.reason),
        ]
        if r.decision != "pending":
            lines += [
                Content.assemble(("Decision: ", "dim"), (r.decision, "bold"), ("  by ", "dim"), r.decided_by,
                                 ("  ", ""), fmt_local(r.decided_at)),
                Content.assemble(("Picked up by: ", "dim"), r.picked_up_by or "-"),
                Content.assemble(("Reason: ", "dim"), r.decision_reason or "-"),
            ]
        self.app.push_screen(TextDialog(Content("\n").join(lines)))

    def action_new(self) -> None:
        self.app.push_screen(InternalReferralScreen())

    def action_decide(self) -> None:
        r = self.current()
        if r is None or not self.can_manage():
            return
        if r.decision != "pending":
            self.show_error("A decision has already been recorded.")
            return
        self.run_service(eh.keyworkers, self.actor, then=lambda workers: self._decide(r, workers))

    def _decide(self, r, workers) -> None:
        actor, profile = self.actor, self.app.profile

        def submit(v):
            accepted = v["decision"] == "accepted"
            return eh.decide_referral(actor, r.id, v["decision"], v["reason"],
                                      v["picked_up_by"] if accepted else None,
                                      aims=v["aims"] if accepted else None,
                                      review_on=v["review_on"] or None, profile=profile)

        def saved(out) -> None:
            extra = " and enrolled" if out.enrolment_id else ""
            told = " The referrer is told." if out.decision == "declined" else ""
            self.notify(f"Referral {out.decision}{extra}.{told}", markup=False)

        self.dialog(FieldsDialog(f"Decide: {r.pupil_name}, {r.offer_name}", [
            Field("decision", "Decision", "choice", value="accepted",
                  options=(("accepted", "Accept"), ("declined", "Decline"))),
            Field("reason", "Reasons for the decision (required to decline)", "text"),
            Field("picked_up_by", "Picked up by (if accepted)", "choice", value=actor.user_id,
                  options=tuple((w.user_id, w.name) for w in workers)),
            Field("aims", "Aims, to enrol now (optional; leave blank to enrol later)", "text"),
            Field("review_on", "First review (if enrolling now)",
                  value=review_default(profile), max_length=20),
        ], submit, intro=f"Why: {r.reason}"), saved)


class TextDialog(ModalScreen):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close", show=False)]
    DEFAULT_CSS = "TextDialog .eh-dialog { width: 76; }"

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def compose(self):
        with VerticalScroll(classes="dialog eh-dialog"):
            yield Static(self.content)

    def action_close(self) -> None:
        self.dismiss(None)


def review_default(profile) -> str:
    """Six weeks of school from today, as the review field's starting value: holidays and
    bank holidays do not count, so it never lands in a holiday."""
    return f"{school_days(profile).add_school_weeks(today(), 6):%d/%m/%Y}"


def holiday_note(profile, d) -> str:
    """Say so when a review date chosen by hand is not a school day."""
    why = school_days(profile).not_a_school_day(d) if d else None
    return f" Note: {why}; change it if that was not meant." if why else ""


class InternalReferralScreen(KioskScreen):
    """Any member of staff: ask for 1:1 pastoral support or group work for a pupil."""

    SCREEN_TITLE = "Refer a pupil for pastoral support"
    DEFAULT_CSS = """
    InternalReferralScreen #ref-body { height: 1fr; padding: 0 1; }
    InternalReferralScreen #ref-offers { height: 4; }
    InternalReferralScreen #ref-reason { height: 6; }
    InternalReferralScreen Label { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Send referral", priority=True),
        Binding("ctrl+p", "choose_pupil", "Pupil", priority=True),
        Binding("ctrl+r", "mine", "Your referrals", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pupil = None

    def compose_body(self):
        with Vertical(id="ref-body"):
            yield Static(Content("For worries about a child's safety, record a concern instead (home, r). "
                                 "Ctrl+R: your referrals and what was decided."), classes="hint")
            yield Static(id="ref-pupil")
            yield Label(Content("Support asked for"))
            yield OptionList(id="ref-offers")
            yield Label(Content("Why (what you have noticed; what you hope will change)"))
            yield SafeTextArea(id="ref-reason")

    def on_mount(self) -> None:
        # Staff may refer without seeing early-help records: the offer names come from
        # the profile, the service resolves them by key.
        self.offers = [o for o in self.app.profile.offers if o.kind in eh.REFERRAL_KINDS]
        ol = self.query_one("#ref-offers", OptionList)
        ol.add_options([Option(Content(o.name), id=o.key) for o in self.offers])
        if self.offers:
            ol.highlighted = 0
        self.query_one("#ref-reason", SafeTextArea).show_line_numbers = False
        self.show_pupil()
        self.call_after_refresh(self.action_choose_pupil)

    def show_pupil(self) -> None:
        text = (Content.assemble(("Pupil: ", "dim"), (self.pupil.name, "bold"), ("   ctrl+p to change", "dim"))
                if self.pupil else Content.styled("No pupil chosen: ctrl+p to find one", "bold red"))
        self.query_one("#ref-pupil", Static).update(text)

    def action_choose_pupil(self) -> None:
        def chosen(p) -> None:
            if p is not None:
                self.pupil = p
                self.show_pupil()
                self.query_one("#ref-offers").focus()

        self.app.push_screen(PupilSearchDialog("Who are you referring?"), chosen)

    def on_option_list_option_selected(self, event) -> None:
        event.stop()
        self.query_one("#ref-reason").focus()

    def action_mine(self) -> None:
        self.run_service(eh.my_referrals, self.actor, then=self._show_mine)

    def _show_mine(self, mine) -> None:
        words = {"pending": "waiting for a decision", "accepted": "taken up",
                 "declined": "not taken up"}
        lines = [Content.assemble((f"{r.referred_at:%d %b}", "dim"), "  ", (r.pupil_name, "bold"), ": ",
                                  r.offer_name, ": ", (words.get(r.decision, r.decision),
                                                       "bold" if r.decision == "declined" else ""),
                                  (f"\n    Why: {r.decision_reason}" if r.decision == "declined" else ""))
                 for r in mine] or [Content("You have not referred anyone yet.")]
        self.app.push_screen(NoticeDialog("Your referrals", lines))

    def action_submit(self) -> None:
        if self.pupil is None:
            self.show_error("Choose the pupil first (ctrl+p).")
            return
        ol = self.query_one("#ref-offers", OptionList)
        if ol.highlighted is None:
            self.show_error("Choose the support asked for.")
            return
        key = ol.get_option_at_index(ol.highlighted).id
        self.run_service(eh.refer_internally, self.actor, self.pupil.id, key,
                         self.query_one("#ref-reason", SafeTextArea).text, self.app.profile,
                         then=self._sent, group="submit", exclusive=True)

    def _sent(self, out) -> None:
        if out is not None:
            self.notify(f"Referral sent: {out.offer_name} for {out.pupil_name}. The pastoral team will decide "
                        "and record who picks it up.", markup=False)
            self.dismiss()
