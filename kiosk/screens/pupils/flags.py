"""The flags the DSL team keeps about a pupil (CP plan, CIN, looked after, ... and "other"
with a label): each with its state and latest change; Enter sets or clears it with a
reason and the date it took effect. The history shows on the chronology."""

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

COLUMNS = ("Flag", "", "Since", "Reason")


class PupilFlagsScreen(KioskScreen):
    SCREEN_TITLE = "Flags kept by the DSL team"
    AUTO_FOCUS = "#flags"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "change", "Set or clear", show=True),
    ]
    DEFAULT_CSS = """
    PupilFlagsScreen #flags-head { height: auto; padding: 0 1; }
    PupilFlagsScreen #flags { height: 1fr; }
    PupilFlagsScreen #flag-detail { height: 3; padding: 0 1; border-top: solid $accent; }
    """

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.states: list = []

    def compose_body(self):
        yield Static(Content(""), id="flags-head")
        yield DataTable(id="flags", cursor_type="row", zebra_stripes=True)
        yield Static(Content(""), id="flag-detail")

    def on_mount(self) -> None:
        self.run_service(pupils.pupil_summary, self.actor, self.pupil_id, then=self._show_head)
        self.reload()

    def _show_head(self, p) -> None:
        self.query_one("#flags-head", Static).update(Content.assemble(
            (p.full_name, "bold"), f"  Y{p.year_group} {p.form_group}",
            ("  Enter sets or clears a flag; the reason and date go on the chronology.", "dim")))

    def reload(self) -> None:
        self.run_service(pupils.flag_states, self.actor, self.pupil_id, then=self._show,
                         group="flags", exclusive=True)

    def _show(self, states) -> None:
        self.states = list(states)
        table = self.query_one(DataTable)
        row = table.cursor_row
        fill_table(table, COLUMNS,
                   [(Text(s.label, style="bold" if s.set else ""), Text("SET" if s.set else "-"),
                     Text(f"{s.since:%d/%m/%Y}" if s.since else ""),
                     Text(" ".join(s.reason.split())[:40])) for s in self.states],
                   [s.key for s in self.states], keep=(1, 2))
        if self.states:
            table.move_cursor(row=min(max(row, 0), len(self.states) - 1))
            self._detail(table.cursor_row)

    def _detail(self, index: int) -> None:
        if 0 <= index < len(self.states):
            s = self.states[index]
            text = (f"{'Set' if s.set else 'Cleared'} from {s.since:%d/%m/%Y} by {s.by}: {s.reason}"
                    if s.since else "Never set.")
            self.query_one("#flag-detail", Static).update(Content(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_change()

    def action_change(self) -> None:
        index = self.query_one(DataTable).cursor_row
        if not 0 <= index < len(self.states):
            return
        s = self.states[index]
        value = not s.set
        fields = []
        if s.key == "other" and value:
            fields.append(Field("label", "What the flag is (e.g. Private fostering)", max_length=60))
        fields += [
            Field("reason", "Reason", "text"),
            Field("on", "Took effect on", value=f"{today():%d/%m/%Y}", max_length=20),
        ]
        actor, pupil_id = self.actor, self.pupil_id

        def done(saved) -> None:
            if saved:
                self.notify(f"{s.label}: {'set' if value else 'cleared'}", markup=False)
                self.reload()

        verb = "Set" if value else "Clear"
        self.app.push_screen(FieldsDialog(
            f"{verb}: {s.label}", fields,
            lambda v: pupils.set_flag(actor, pupil_id, s.key, value, v.get("reason", ""),
                                      on=v.get("on", ""), label=v.get("label", "")),
            intro="ctrl+s saves; the change goes on the pupil's chronology."), done)
