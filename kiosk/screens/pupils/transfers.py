"""Child protection files between schools: moves out with their state and countdown, files
received, and the keys to record a move, send the file, record the receipt and receive a
file (kiosk.services.transfers does the work and checks the capability).

Sending asks about each restricted concern in turn (y includes it), then for the DSL's
summary and a password (blank: a strong one is made). The password is shown once, with the
files' names and the school's key fingerprint, for the DSL to give the receiving DSL by phone.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import fmt_local
from kiosk.dates import parse_typed_date
from kiosk.errors import ValidationError
from kiosk.screens.base import KioskScreen
from kiosk.services import transfers
from kiosk.widgets.dialogs import ConfirmDialog, Field, FieldsDialog, NoticeDialog
from kiosk.widgets.fit import fill_table
from kiosk.widgets.pupil_search import PupilSearchDialog

OUT_COLUMNS = ("State", "Countdown", "Pupil", "To")
IN_COLUMNS = ("Received", "From", "Pupil", "Receipt code")


class TransfersScreen(KioskScreen):
    SCREEN_TITLE = "Child protection file transfers"
    AUTO_FOCUS = "#transfers"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "new", "New move"),
        Binding("s", "send", "Send file"),
        Binding("a", "ack", "Receipt"),
        Binding("v", "receive", "Receive"),
        Binding("r", "reload", "Refresh"),
    ]
    DEFAULT_CSS = """
    TransfersScreen #transfers { height: 1fr; }
    TransfersScreen #incoming { height: 7; }
    TransfersScreen #transfer-detail { height: 3; padding: 0 1; border-top: solid $accent; }
    """

    def __init__(self, pupil_id: int | None = None, source: str = "manual", source_ref: str = "") -> None:
        super().__init__()
        self.start_pupil = pupil_id  # opened from a pupil's chronology or a leaver: "n" starts with them
        self.source, self.source_ref = source, source_ref  # "roll_import" from the leavers list
        self.rows: list = []
        self.incoming: list = []

    def compose_body(self):
        yield Static(Content("KCSIE: send within 5 school days of the move, separately from the main "
                             "file, securely; obtain confirmation of receipt."), classes="screen-intro")
        # Columns are made with the rows (_show), fitted to them.
        yield DataTable(id="transfers", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="incoming", cursor_type="row", zebra_stripes=True)
        yield Static(Content(""), id="transfer-detail")

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_service(transfers.transfers_screen, self.app.actor, self.app.profile, then=self._show,
                         group="transfers", exclusive=True)

    def _show(self, found) -> None:
        self.rows, self.incoming = found
        fill_table(self.query_one("#transfers", DataTable), OUT_COLUMNS,
                   [(Text(v.state, style="bold red" if v.state in (transfers.OVERDUE, transfers.CHASE) else ""),
                     Text(v.countdown), Text(v.pupil_name), Text(v.destination_school)) for v in self.rows],
                   [str(v.id) for v in self.rows], keep=(0, 1))
        fill_table(self.query_one("#incoming", DataTable), IN_COLUMNS,
                   [(Text(fmt_local(v.received_at)), Text(v.from_school), Text(v.pupil_name),
                     Text(v.receipt_code)) for v in self.incoming],
                   [str(v.id) for v in self.incoming], keep=(0, 3))
        self._show_detail()

    def _current(self):
        table = self.query_one("#transfers", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _show_detail(self) -> None:
        v = self._current()
        box = self.query_one("#transfer-detail", Static)
        if v is None:
            box.update(Content("No moves recorded. n records one (or start from a pupil's chronology)."))
            return
        box.update(Content.assemble(
            (f"{v.pupil_name} to {v.destination_school}", "bold"), f" for {v.destination_dsl}. ",
            f"Left {v.left_on:%d %b %Y}; send by {v.due:%d %b %Y}. ",
            (f"Sent {fmt_local(v.sent_at)} by {v.sent_by}. " if v.sent_at else ""),
            (f"Received by {v.received_by_name} on {v.received_on:%d %b %Y}." if v.received_on else "")))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table.id == "transfers":
            self._show_detail()

    # --- record a move ------------------------------------------------------------------
    def action_new(self) -> None:
        if self.start_pupil is not None:
            self._ask_move(self.start_pupil)
            return

        def picked(p) -> None:
            if p is not None:
                self._ask_move(p.id)

        self.app.push_screen(PupilSearchDialog("Which pupil is moving?"), picked)

    def _ask_move(self, pupil_id: int, values: dict | None = None) -> None:
        if values is None:
            def got(defaults) -> None:
                left = (defaults or {}).get("left_on")
                self._ask_move(pupil_id, {"left": f"{left:%d/%m/%Y}" if left else ""})

            self.run_service(transfers.move_defaults, self.app.actor, pupil_id, then=got)
            return
        v = values
        fields = [
            Field("school", "Destination school", value=v.get("school", "")),
            Field("dsl", "Their DSL (name)", value=v.get("dsl", "")),
            Field("contact", "Their secure email or phone", value=v.get("contact", "")),
            Field("left", "Date the pupil left (e.g. 26/11/2026 or today)", value=v.get("left", "")),
            Field("joining", "Date joining the new school (optional)", value=v.get("joining", "")),
        ]
        actor, profile = self.app.actor, self.app.profile

        source = ({"source": self.source, "source_ref": self.source_ref}
                  if pupil_id == self.start_pupil else {})

        def record(values: dict):
            # A refusal keeps the dialog open with everything typed.
            return transfers.start_transfer(
                actor, pupil_id, destination_school=values["school"], destination_dsl=values["dsl"],
                destination_contact=values["contact"],
                left_on=parse_typed_date(values["left"], "left", label="date left"),
                joining_on=parse_typed_date(values["joining"], "joining", required=False,
                                            label="joining date"),
                profile=profile, **source)

        def done(result) -> None:
            if result is not None:
                self.notify("Move recorded. s sends the file.", markup=False)
                self.action_reload()

        self.app.push_screen(FieldsDialog("Record a move", fields, record), done)

    # --- send ---------------------------------------------------------------------------
    def action_send(self) -> None:
        v = self._current()
        if v is None:
            return
        if v.state == transfers.ACKNOWLEDGED:
            self.notify("The receiving school has already confirmed receipt.", markup=False)
            return

        def go(yes: bool | None = True) -> None:
            if yes:
                self.run_service(transfers.restricted_to_confirm, self.app.actor, v.id,
                                 then=lambda found: self._confirm_restricted(v, list(found[0]), [], found[1]))

        if v.sent_at is not None:
            self.app.push_screen(ConfirmDialog(
                f"The file was sent on {fmt_local(v.sent_at)}. Sending again makes new files "
                "and a new password; the earlier password's receipt code will no longer match. y sends again.",
                title="Send again?"), go)
        else:
            go()

    def _confirm_restricted(self, v, pending: list, chosen: list, others: int) -> None:
        if not pending:
            self._ask_send(v, chosen, others)
            return
        c = pending.pop(0)

        def answered(yes: bool | None) -> None:
            self._confirm_restricted(v, pending, chosen + ([c["id"]] if yes else []), others)

        self.app.push_screen(ConfirmDialog(
            f"Include restricted concern {c['ref']} ({c['categories'] or 'uncategorised'}, "
            f"{c['occurred_on']:%d %b %Y}) in the file for {v.destination_school}? y includes it.",
            title="Restricted concern"), answered)

    def _ask_send(self, v, chosen: list, others: int) -> None:
        intro = (f"{len(chosen)} restricted concern(s) included."
                 + (f" {others} more are restricted to others and stay out (the file says so)." if others else ""))
        fields = [Field("summary", "Your summary for the receiving DSL", "text", max_length=4000),
                  Field("password", "Password (blank: a strong one is made and shown once)", max_length=200)]
        app = self.app

        def send(values: dict):
            return transfers.send_transfer(app.actor, app.settings, app.profile, v.id,
                                           password=values["password"] or None,
                                           summary=values["summary"], include_restricted=chosen)

        self.app.push_screen(FieldsDialog(f"Send the file to {v.destination_school}", fields, send,
                                          "Send", intro=intro),
                             lambda out: out is not None and self._sent(out))

    def _sent(self, out) -> None:
        lines = [(f"PDF: {out.pdf_path}", ""), (f"Bundle: {out.bundle_path}", ""),
                 (f"This school's key: {out.fingerprint}", "")]
        if out.password:
            lines.insert(0, (f"Password: {out.password}", "bold reverse"))
            lines.insert(1, ("Give it to the receiving DSL by phone, never with the files. It is not "
                             "kept and will not be shown again.", ""))
        lines.append(("Send both files by secure email; the receiving DSL reads you a receipt code.", ""))
        self.app.push_screen(NoticeDialog("File sent", lines))
        self.action_reload()

    # --- receipt ------------------------------------------------------------------------
    def action_ack(self) -> None:
        v = self._current()
        if v is None:
            return
        fields = [Field("code", "Receipt code the receiving DSL read out", max_length=20),
                  Field("who", "Who received it there", value=v.destination_dsl),
                  Field("when", "On (date)", value="today")]
        actor, profile = self.app.actor, self.app.profile

        def record(values: dict):
            return transfers.record_ack(
                actor, v.id, values["code"], received_by=values["who"],
                received_on=parse_typed_date(values["when"], "when", label="date received"),
                profile=profile)

        def done(result) -> None:
            if result is not None:
                self.notify("Receipt recorded: the file is marked transferred.", markup=False)
                self.action_reload()

        self.app.push_screen(FieldsDialog("Record the receipt", fields, record), done)

    # --- receive ------------------------------------------------------------------------
    def action_receive(self) -> None:
        fields = [Field("file", "The bundle file (.cpbundle), full path", max_length=1000),
                  Field("password", "Its password (from the sending DSL)", max_length=200),
                  Field("key", "Their school's key, if they gave it (e.g. ABCD-EFGH-...)", max_length=40)]
        app = self.app

        def receive(values: dict):
            path = values["file"].strip()
            try:
                data = Path(path).expanduser().read_bytes()
            except OSError as exc:
                raise ValidationError("file", f"{path}: cannot be read ({exc.strerror})") from None
            got = transfers.receive(app.actor, app.settings, app.profile, data, values["password"],
                                    expect_fingerprint=values["key"].strip() or None)
            return got, transfers.write_receipt(app.actor, app.settings, got)

        self.app.push_screen(FieldsDialog("Receive a child protection file", fields, receive, "Receive"),
                             lambda out: out is not None and self._received(*out))

    def _received(self, got, receipt) -> None:
        self.app.push_screen(NoticeDialog(
            "Already received" if got.duplicate else "File received",
            [(f"From {got.from_school} for {got.pupil_name}"
              f" ({'created as joining' if got.pupil_created else 'matched by UPN'}); {got.records} records, "
              "shown in the chronology as received, read-only.", ""),
             (f"Their key: {got.fingerprint} (check it with their DSL)", ""),
             (f"Receipt code to give the sending DSL: {got.receipt_code}", "bold reverse"),
             (f"Or send them the receipt file: {receipt}", "")]))
        self.action_reload()
