"""Referrals to outside agencies (paragraph 6): the list, a new referral, status changes.

Each referral shows its current status and when a reply is due (the agency's timescale
from the school profile); one still waiting after that is marked LATE.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, today
from kiosk.screens.base import FormScreen, KioskScreen
from kiosk.widgets.dialogs import Field, FieldsDialog
from kiosk.widgets.pupil_search import PupilSearchDialog
from kiosk.services import early_help as eh
from kiosk.services.early_help import AgencyReferralInput
from kiosk.widgets.inputs import SafeInput, SafeTextArea


class AgencyReferralsScreen(KioskScreen):
    SCREEN_TITLE = "Early help: outside agencies"
    AUTO_FOCUS = "#agency-table"
    DEFAULT_CSS = """
    AgencyReferralsScreen #agency-intro { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "new", "New referral"),
        Binding("s", "status", "Status"),
        Binding("t", "toggle_closed", "Show closed"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = False
        self.rows: dict[str, eh.AgencyReferralView] = {}

    def compose_body(self):
        yield Static(id="agency-intro")
        yield DataTable(id="agency-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#agency-table", DataTable)
        # 18+20+8+12+9 plus padding and a scrollbar: 79 of 80 columns.
        table.add_column("Pupil", width=18)
        table.add_column("Agency", width=20)
        table.add_column("Referred", width=8)
        table.add_column("Status", width=12)
        table.add_column("Reply due", width=9)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.run_service(eh.list_agency_referrals, self.actor, not self.show_closed,
                         then=lambda views: self._show(views, select_id), group="list", exclusive=True)

    def _show(self, views, select_id: int | None) -> None:
        late = sum(1 for v in views if v.waiting_too_long)
        intro = f"{len(views)} {'referrals' if self.show_closed else 'open referrals'}"
        if late:
            intro += f"; {late} waiting past the agency's timescale (LATE)"
        self.query_one("#agency-intro", Static).update(Content(intro))
        table = self.query_one("#agency-table", DataTable)
        table.clear()
        self.rows = {}
        for v in views:
            status = Text(v.status)
            if v.waiting_too_long:
                status = Text.assemble((v.status, ""), (" LATE", "bold red"))
            table.add_row(Text(v.pupil_name), Text(v.agency_name), Text(f"{v.referred_on:%d/%m/%y}"), status,
                          Text(f"{v.reply_due:%d/%m/%y}" if v.status in eh.AGENCY_WAITING else ""),
                          key=str(v.id))
            self.rows[str(v.id)] = v
        if select_id is not None and str(select_id) in self.rows:
            table.move_cursor(row=table.get_row_index(str(select_id)))

    def current(self) -> eh.AgencyReferralView | None:
        table = self.query_one("#agency-table", DataTable)
        if not self.rows or table.cursor_row is None:
            return None
        key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        return self.rows.get(key.value)

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.reload()

    def action_new(self) -> None:
        if not self.actor.can(Cap.EARLY_HELP_MANAGE):
            self.show_error("Only pastoral staff and the DSL team record agency referrals.")
            return
        self.app.push_screen(AgencyReferralForm())

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        v = self.current()
        if v is not None:
            self.run_service(eh.get_agency_referral, self.actor, v.id,
                             then=lambda full: self.app.push_screen(AgencyReferralDetail(full)))

    def action_status(self) -> None:
        v = self.current()
        if v is None:
            return
        nxt = eh.AGENCY_NEXT.get(v.status, ())
        if not nxt:
            self.show_error("This referral is closed.")
            return

        def done(out) -> None:
            if out is not None:
                self.notify(f"{out.agency_name}: referral {out.status}.", markup=False)
                self.reload(select_id=v.id)

        actor = self.actor
        self.app.push_screen(FieldsDialog(
            f"{v.agency_name}: referral for {v.pupil_name}",
            [
                Field("status", "New status", "choice", value=nxt[0],
                      options=tuple((s, s.capitalize()) for s in nxt)),
                Field("on", "On (date)", value=f"{today():%d/%m/%Y}", max_length=20),
                Field("note", "Note (the reason if declined; the outcome if closed)", "text"),
            ],
            lambda val: eh.record_agency_status(actor, v.id, **val),
            intro=f"Now {v.status} since {v.status_on:%d %b %Y}.",
        ), done)


class AgencyReferralDetail(ModalScreen):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close", show=False)]
    DEFAULT_CSS = "AgencyReferralDetail .eh-dialog { width: 76; }"

    def __init__(self, v: eh.AgencyReferralView) -> None:
        super().__init__()
        self.v = v

    def compose(self):
        v = self.v
        lines = [
            Content.styled(f"{v.agency_name}: {v.pupil_name}", "bold"),
            Content.assemble(("Referred ", "dim"), f"{v.referred_on:%d %b %Y}", ("  by ", "dim"), v.referred_by),
            Content.assemble(("Reason: ", "dim"), v.reason),
            Content.assemble(("Consent: ", "dim"), v.consent_text, f" ({v.consent_note})" if v.consent_note else ""),
            Content.assemble(("Reply expected within ", "dim"), f"{v.response_days} working day(s), by {v.reply_due:%d %b %Y}",
                             (" - LATE" if v.waiting_too_long else "", "bold red")),
            Content(""),
            Content.styled("Status history", "bold"),
        ]
        for h in v.history:
            lines.append(Content.assemble(f"{h.on:%d %b %Y}  ", (h.status, "bold"), f"  {h.by}",
                                          (f"  recorded {fmt_local(h.at)}", "dim")))
            if h.note:
                lines.append(Content.assemble("    ", h.note))
        with VerticalScroll(classes="dialog eh-dialog"):
            yield Static(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)


CONSENT_CHOICES = tuple(eh.CONSENT.items())


class AgencyReferralForm(FormScreen):
    """A referral sent to an agency in the school profile."""

    SCREEN_TITLE = "Early help: refer to an outside agency"
    form_id = "early_help_agency_referral"
    draft_title = "Referral to an outside agency"
    input_type = AgencyReferralInput
    FIELD_WIDGETS = {"agency": "#agency-list", "consent": "#consent-list",
                     "consent_note": "#consent-note", "referred_on": "#referred-on"}
    DEFAULT_CSS = """
    AgencyReferralForm #agency-list { height: 7; }
    AgencyReferralForm #consent-list { height: 7; }
    AgencyReferralForm #reason { height: 5; }
    AgencyReferralForm Label { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Save", priority=True),
        Binding("ctrl+p", "choose_pupil", "Pupil", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pupil_id: int | None = None
        self.pupil_name = ""
        self.agencies = eh.agency_choices(self.app.profile)

    def compose_form(self):
        yield Static(id="pupil-line")
        yield Label(Content("Agency"))
        yield OptionList(*[
            Option(Content.assemble(name, (f"  reply within {days} working day{'s' if days != 1 else ''}", "dim")), id=key)
            for key, name, days in self.agencies
        ], id="agency-list")
        yield Label(Content("Date referred (dd/mm/yyyy)"))
        yield SafeInput(f"{today():%d/%m/%Y}", id="referred-on", max_length=20)
        yield Label(Content("Reason for the referral"))
        yield SafeTextArea(id="reason")
        yield Label(Content("Consent"))
        yield OptionList(*[Option(Content(label), id=key) for key, label in CONSENT_CHOICES], id="consent-list")
        yield Label(Content("Consent note (required if consent was not sought or was refused)"))
        yield SafeInput(id="consent-note", max_length=500)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reason", SafeTextArea).show_line_numbers = False
        self.query_one("#agency-list", OptionList).highlighted = 0
        self.query_one("#consent-list", OptionList).highlighted = 0
        self.show_pupil()
        if self.pupil_id is None:
            self.call_after_refresh(self.action_choose_pupil)

    def guidance(self):
        from kiosk.rules.steps import next_steps

        return next_steps(self.app.profile, "early_help")

    def show_pupil(self) -> None:
        text = (Content.assemble(("Pupil: ", "dim"), (self.pupil_name, "bold"), ("   ctrl+p to change", "dim"))
                if self.pupil_id else Content.styled("No pupil chosen: ctrl+p to find one", "bold red"))
        self.query_one("#pupil-line", Static).update(text)

    def action_choose_pupil(self) -> None:
        def chosen(p) -> None:
            if p is not None:
                self.pupil_id, self.pupil_name = p.id, p.name
                self.show_pupil()
                self.query_one("#agency-list").focus()

        self.app.push_screen(PupilSearchDialog("Who is being referred?"), chosen)

    def on_option_list_option_selected(self, event) -> None:
        event.stop()
        self.focus_next()

    def _choice(self, selector: str) -> str:
        ol = self.query_one(selector, OptionList)
        return ol.get_option_at_index(ol.highlighted).id if ol.highlighted is not None else ""

    def build_input(self) -> AgencyReferralInput:
        return AgencyReferralInput(
            pupil_id=self.pupil_id, agency=self._choice("#agency-list"),
            reason=self.query_one("#reason", SafeTextArea).text,
            consent=self._choice("#consent-list"),
            consent_note=self.query_one("#consent-note", SafeInput).value,
            referred_on=self.query_one("#referred-on", SafeInput).value,
        )

    def extra_state(self) -> dict:
        return {"pupil_name": self.pupil_name}

    def has_content(self) -> bool:
        try:
            d = self.build_input()
        except Exception:  # noqa: BLE001 - not composed yet
            return False
        return bool(d.pupil_id or d.reason.strip() or d.consent_note.strip())

    def fill(self, d: AgencyReferralInput, state: dict) -> None:
        self.pupil_id = d.pupil_id if isinstance(d.pupil_id, int) else None
        self.pupil_name = str(state.get("pupil_name") or "")
        self.show_pupil()
        for selector, key in (("#agency-list", d.agency), ("#consent-list", d.consent)):
            ol = self.query_one(selector, OptionList)
            for i in range(ol.option_count):
                if ol.get_option_at_index(i).id == key:
                    ol.highlighted = i
        self.query_one("#referred-on", SafeInput).value = str(d.referred_on or "")
        self.query_one("#reason", SafeTextArea).text = str(d.reason or "")
        self.query_one("#consent-note", SafeInput).value = str(d.consent_note or "")

    def focus_field(self, name: str) -> bool:
        if name == "pupil_id":
            self.call_after_refresh(self.action_choose_pupil)
            return True
        return super().focus_field(name)

    def action_submit(self) -> None:
        self.submit_form(eh.refer_to_agency, self.actor, self.build_input(),
                         profile=self.app.profile, then=self._saved)

    def _saved(self, out) -> None:
        self.notify(f"Referral to {out.agency_name} recorded for {out.pupil_name}. "
                    f"Reply expected by {out.reply_due:%d %b %Y}.", markup=False)
        self.dismiss()
