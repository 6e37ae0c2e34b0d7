"""The caseload at a glance, one pupil's early help, and the offer itself.

CaseloadScreen: open interventions by type, attendance rates per kind of session and per
pupil (lowest first: who is dropping away), agency referrals by agency and status.
PupilEarlyHelpScreen: everything early help holds about one pupil (audited by the
service). OfferScreen: the school's offer; add, rename, retire or restore, with history.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.capabilities import Cap
from kiosk.clock import fmt_local
from kiosk.screens.base import KioskScreen
from kiosk.screens.early_help.cases import TextDialog, ListScreen
from kiosk.widgets.dialogs import Field, FieldsDialog
from kiosk.widgets.fit import fill_table
from kiosk.widgets.pupil_search import PupilSearchDialog
from kiosk.services import early_help as eh

PUPILS_SHOWN = 40


def _heading(text: str) -> Content:
    return Content.styled(text, "bold underline")


def _row(label: str, value: str, width: int = 44) -> Content:
    shown = label if len(label) <= width else label[: width - 1] + "\u2026"
    return Content.assemble(shown.ljust(width), " ", (value, "bold"))


class CaseloadScreen(KioskScreen):
    SCREEN_TITLE = "Early help: caseload"
    AUTO_FOCUS = "#caseload"
    DEFAULT_CSS = """
    CaseloadScreen #caseload { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose_body(self):
        with VerticalScroll(id="caseload", can_focus=True):
            yield Static(id="caseload-text")

    def on_mount(self) -> None:
        self.run_service(eh.caseload, self.actor, then=self._show)

    def _show(self, c) -> None:
        lines: list[Content] = [
            _row("Reviews overdue", str(c.reviews_overdue)),
            _row("Reviews due this week", str(c.reviews_due_week)),
            _row("Internal referrals waiting for a decision", str(c.pending_referrals)),
            _row("Agency referrals past their timescale", str(c.agency_waiting_too_long)),
            Content(""),
            _heading("Open interventions by type"),
        ]
        lines += [_row(r.label, str(r.count)) for r in c.open_by_kind] or [Content("None open.")]
        lines += [Content(""), _heading("Open interventions by offer")]
        lines += [_row(r.label, str(r.count)) for r in c.open_by_offer] or [Content("None open.")]
        lines += [Content(""), _heading("Attendance by session type")]
        lines += [_row(r.label, f"{r.percent:>4}  ({r.present} of {r.sessions})") for r in c.attendance_by_offer] \
            or [Content("No registers taken yet.")]
        lines += [Content(""), _heading("Attendance by pupil (lowest first)")]
        for r in c.attendance_by_pupil[:PUPILS_SHOWN]:
            lines.append(_row(f"{r.label} ({r.detail})" if r.detail else r.label,
                              f"{r.percent:>4}  ({r.present} of {r.sessions})"))
        if len(c.attendance_by_pupil) > PUPILS_SHOWN:
            lines.append(Content(f"... and {len(c.attendance_by_pupil) - PUPILS_SHOWN} more"))
        if not c.attendance_by_pupil:
            lines.append(Content("No registers taken yet."))
        lines += [Content(""), _heading("Agency referrals by agency and status")]
        lines += [_row(f"{r.label}: {r.detail}", str(r.count)) for r in c.agency_by_status] \
            or [Content("No referrals yet.")]
        self.query_one("#caseload-text", Static).update(Content("\n").join(lines))


class PupilEarlyHelpScreen(KioskScreen):
    """One pupil's early help. Opened without a pupil, it asks for one first."""

    SCREEN_TITLE = "Early help: one pupil"
    AUTO_FOCUS = "#pupil-eh"
    DEFAULT_CSS = """
    PupilEarlyHelpScreen #pupil-eh { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back"), Binding("f", "find", "Another pupil")]

    def __init__(self, pupil_id: int | None = None) -> None:
        super().__init__()
        self.pupil_id = pupil_id

    def compose_body(self):
        with VerticalScroll(id="pupil-eh", can_focus=True):
            yield Static(id="pupil-eh-text")

    def on_mount(self) -> None:
        if self.pupil_id is None:
            self.call_after_refresh(self.action_find)
        else:
            self.show()

    def action_find(self) -> None:
        def chosen(p) -> None:
            if p is not None:
                self.pupil_id = p.id
                self.show()
            elif self.pupil_id is None:
                self.dismiss()

        self.app.push_screen(PupilSearchDialog("Whose early help?"), chosen)

    def show(self) -> None:
        self.run_service(eh.pupil_record, self.actor, self.pupil_id, then=self._show,
                         group="pupil", exclusive=True)

    def _show(self, rec) -> None:
        lines: list[Content] = [Content.styled(f"{rec.pupil_name} ({rec.form_group})", "bold"), Content("")]
        lines.append(_heading(f"Interventions ({len(rec.enrolments)})"))
        for e in rec.enrolments:
            state = (f"ended {e.ended_on:%d %b %Y}" if e.ended_on
                     else f"open, review {e.next_review_on:%d %b %Y}" if e.next_review_on else "open")
            lines.append(Content.assemble((e.offer_name, "bold"), f"  from {e.start_on:%d %b %Y}, {state}"))
            lines.append(Content.assemble(("  Aims: ", "dim"), e.aims))
            for r in e.reviews:
                lines.append(Content.assemble(("  Review ", "dim"), f"{r.reviewed_on:%d %b %Y}: ", r.notes))
            if e.outcome:
                lines.append(Content.assemble(("  Outcome: ", "dim"), e.outcome))
        lines += [Content(""), _heading(f"Internal referrals ({len(rec.referrals)})")]
        for r in rec.referrals:
            lines.append(Content.assemble(f"{fmt_local(r.referred_at)[:11]} ", (r.offer_name, "bold"),
                                          f" by {r.referred_by}: ", r.decision,
                                          f" ({r.picked_up_by})" if r.picked_up_by else ""))
        lines += [Content(""), _heading(f"Outside agencies ({len(rec.agency_referrals)})")]
        for a in rec.agency_referrals:
            late = " LATE" if a.waiting_too_long else ""
            lines.append(Content.assemble(f"{a.referred_on:%d %b %Y} ", (a.agency_name, "bold"), f": {a.status}",
                                          (late, "bold red")))
            if a.outcome:
                lines.append(Content.assemble(("  Outcome: ", "dim"), a.outcome))
        present = sum(1 for a in rec.attendance if a.present)
        lines += [Content(""), _heading(f"Sessions: attended {present} of {len(rec.attendance)}")]
        for a in rec.attendance[-20:]:
            mark = "present" if a.present else "absent"
            lines.append(Content.assemble(f"{a.held_on:%d %b %Y}  {a.offer_name}: ", (mark, "bold" if a.present else "dim"),
                                          (" (walk-in)" if a.walk_in else "", "italic"), f"  {a.note}" if a.note else ""))
        self.query_one("#pupil-eh-text", Static).update(Content("\n").join(lines))


# The hub opens screens with no arguments.
PupilLookup = PupilEarlyHelpScreen


class OfferScreen(ListScreen):
    SCREEN_TITLE = "Early help: the offer"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "add", "Add"),
        Binding("r", "rename", "Rename"),
        Binding("x", "retire", "Retire/restore"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, eh.OfferView] = {}

    # The header until the offers arrive; then the columns are fitted to them (_show).
    COLUMNS = (("Offer", 36), ("Kind", 15), ("How often", 11), ("", 7))
    RELOAD_ON_RESUME = False

    def fetch(self):
        return eh.list_offers(self.actor, True)

    def _show(self, offers) -> None:
        key = self.current_key()
        self.query_one("#intro", Static).update(Content(
            "From the school profile, plus any the school adds. Retired offers keep their history. "
            "Enter: history."))
        self.rows = {str(o.id): o for o in offers}
        fill_table(self.table, [label for label, _ in self.COLUMNS],
                   [(Text(o.name), Text(o.kind_name), Text(o.frequency.replace("_", " ")),
                     Text("" if o.active else "retired", style="dim")) for o in offers],
                   list(self.rows), keep=(3,))
        self.keep_cursor(key)

    def current(self) -> eh.OfferView | None:
        key = self.current_key()
        return self.rows.get(key) if key else None

    def allowed(self) -> bool:
        if self.actor.can(Cap.EARLY_HELP_OFFERS):
            return True
        self.show_error("Only pastoral staff and the DSL team change the offer.")
        return False

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        o = self.current()
        if o is not None:
            self.run_service(eh.offer_history, self.actor, o.id,
                             then=lambda history: self._show_history(o, history))

    def _show_history(self, o, history) -> None:
        lines = [Content.styled(o.name, "bold")]
        for h in history:
            what = {"add": f"added as {h.new_name!r}", "rename": f"renamed from {h.old_name!r} to {h.new_name!r}",
                    "profile_rename": f"renamed in the profile to {h.new_name!r}", "retire": "retired",
                    "restore": "restored"}.get(h.change, h.change)
            lines.append(Content.assemble((fmt_local(h.at), "dim"), f"  {what}  {h.by}",
                                          (f"  ({h.reason})" if h.reason else "", "italic")))
        self.app.push_screen(TextDialog(Content("\n").join(lines)))

    def action_add(self) -> None:
        if not self.allowed():
            return
        actor = self.actor

        self._dialog("Offer added.", FieldsDialog("Add to the offer", [
            Field("name", "Name"),
            Field("kind", "Kind", "choice", value="group", options=tuple(eh.KIND_NAMES.items())),
            Field("frequency", "How often", "choice", value="weekly",
                  options=tuple((f, f.replace("_", " ")) for f in eh.FREQUENCIES)),
            Field("audience", "For whom (optional)", value="pupils"),
        ], lambda v: eh.add_offer(actor, **v)))

    def _dialog(self, saved: str, dialog: FieldsDialog) -> None:
        def done(result) -> None:
            if result is not None:
                self.notify(saved, markup=False)
                self.reload()

        self.app.push_screen(dialog, done)

    def action_rename(self) -> None:
        o = self.current()
        if o is None or not self.allowed():
            return

        actor = self.actor
        self._dialog("Offer renamed; its history keeps the old name.", FieldsDialog(f"Rename {o.name}", [
            Field("new_name", "New name", value=o.name),
            Field("reason", "Why (optional)", max_length=500),
        ], lambda v: eh.rename_offer(actor, o.id, **v)))

    def action_retire(self) -> None:
        o = self.current()
        if o is None or not self.allowed():
            return
        fn = eh.retire_offer if o.active else eh.restore_offer
        title = f"Retire {o.name}" if o.active else f"Restore {o.name}"

        actor = self.actor
        self._dialog("Offer retired." if o.active else "Offer restored.", FieldsDialog(title, [
            Field("reason", "Why" + ("" if o.active else " (optional)"), max_length=500),
        ], lambda v: fn(actor, o.id, **v),
            intro="Retiring stops new sessions and enrolments; everything recorded stays." if o.active else ""))
