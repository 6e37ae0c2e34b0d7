"""Two DSL-team lists that the roll import feeds.

`LeaversScreen`: pupils who left with any concern or early-help record: "left: child
protection file to transfer", with the deadline (KCSIE: 5 school days), until records out
marks the file sent. Enter opens the chronology (m there starts the transfer).

`NotOnRollScreen`: children recorded as not on roll (from the concern form), with pupils on
roll who may be them; Enter matches one to a pupil who has joined (with a reason).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.clock import today
from kiosk.screens.base import KioskScreen
from kiosk.services import pupils
from kiosk.widgets.dialogs import Field, FieldsDialog
from kiosk.widgets.fit import fill_table
from kiosk.widgets.pupil_search import PupilSearchDialog


class LeaversScreen(KioskScreen):
    SCREEN_TITLE = "Leavers: child protection files to transfer"
    AUTO_FOCUS = "#leavers"
    BINDINGS = [Binding("escape", "back", "Back"), Binding("t", "transfer", "Record the move")]
    DEFAULT_CSS = """
    LeaversScreen #leavers { height: 1fr; }
    """

    def compose_body(self):
        yield Static(Content("Pupils who left with a concern or early-help record. Send the child "
                             "protection file separately from the main file, securely, and get "
                             "confirmation of receipt. Enter opens the chronology; m there starts the transfer."), classes="screen-intro")
        yield DataTable(id="leavers", cursor_type="row", zebra_stripes=True)

    rows: list = []

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.run_service(pupils.leavers_to_transfer, self.actor, self.profile, then=self._show,
                         group="leavers", exclusive=True)

    def _show(self, rows) -> None:
        self.rows = list(rows)
        cells = []
        for r in self.rows:
            late = r.transfer_due < today()
            cells.append((Text(r.name), Text(str(r.year_group)), Text(f"{r.left_on:%d/%m/%Y}"),
                          Text(f"{r.transfer_due:%d/%m/%Y}" + (" OVERDUE" if late else ""),
                               style="bold red" if late else "")))
        fill_table(self.query_one(DataTable), ("Pupil", "Year", "Left", "Send by"), cells,
                   [str(r.pupil_id) for r in self.rows], keep=(2, 3))
        if not self.rows:
            self.query_one(".screen-intro", Static).update(Content("No leaver has a child protection file to transfer."))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from kiosk.screens.pupils.chronology import ChronologyScreen

        self.app.push_screen(ChronologyScreen(int(event.row_key.value)))

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "transfer":
            from kiosk.capabilities import Cap

            return self.actor is not None and self.actor.can(Cap.EXPORT_TRANSFER)
        return True

    def action_transfer(self) -> None:
        """Record the move for the highlighted leaver (records out, kiosk.screens.pupils.transfers)."""
        index = self.query_one(DataTable).cursor_row
        if not self.rows or index is None or not 0 <= index < len(self.rows):
            return
        from kiosk.screens.pupils.transfers import TransfersScreen

        r = self.rows[index]
        screen = TransfersScreen(r.pupil_id, source="roll_import", source_ref=f"leaver:{r.pupil_id}:{r.left_on}")
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_new)

    def on_screen_resume(self) -> None:
        # A file sent from the transfers screen takes the leaver off this list.
        self.reload()


class NotOnRollScreen(KioskScreen):
    SCREEN_TITLE = "Children not on roll"
    AUTO_FOCUS = "#not-on-roll"
    BINDINGS = [Binding("escape", "back", "Back"), Binding("m", "match", "Match to a pupil")]
    DEFAULT_CSS = """
    NotOnRollScreen #not-on-roll { height: 1fr; }
    NotOnRollScreen #nor-detail { height: 4; padding: 0 1; border-top: solid $accent; }
    """

    def compose_body(self):
        yield Static(Content("Children recorded on a concern who are not on the school's roll. "
                             "When one joins, m (or Enter) matches them to the pupil: their concerns "
                             "move to the pupil's chronology."), classes="screen-intro")
        yield DataTable(id="not-on-roll", cursor_type="row", zebra_stripes=True)
        yield Static(Content(""), id="nor-detail")

    def on_mount(self) -> None:
        self.reload()

    rows: list = []

    def reload(self) -> None:
        self.run_service(pupils.not_on_roll, self.actor, then=self._show, group="not-on-roll",
                         exclusive=True)

    def _show(self, rows) -> None:
        self.rows = list(rows)
        fill_table(self.query_one(DataTable), ("Child", "Born", "Concerns", "May be"),
                   [(Text(r.name), Text(f"{r.date_of_birth:%d/%m/%Y}"), Text(str(r.concerns)),
                     Text(", ".join(f"{m.name} Y{m.year_group}" for m in r.maybe[:2])))
                    for r in self.rows],
                   [str(r.pupil_id) for r in self.rows], keep=(1,))
        self._detail(0)

    def _detail(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.query_one("#nor-detail", Static).update(Content(self.rows[index].note or "(nothing noted)"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_match()

    def action_match(self) -> None:
        index = self.query_one(DataTable).cursor_row
        if not 0 <= index < len(self.rows):
            return
        child = self.rows[index]

        actor = self.actor

        def chosen(p) -> None:
            if p is None:
                return

            def done(saved) -> None:
                if saved:
                    self.notify(f"{child.name} is now {p.name}: concerns moved to their chronology.",
                                markup=False)
                    self.reload()

            self.app.push_screen(FieldsDialog(f"{child.name} is {p.name}", [
                Field("reason", "How you know it is the same child", max_length=500)],
                lambda v: pupils.match_not_on_roll(actor, child.pupil_id, p.id, v.get("reason", ""))), done)

        self.app.push_screen(PupilSearchDialog(f"Which pupil is {child.name}?", on_roll_only=True), chosen)
