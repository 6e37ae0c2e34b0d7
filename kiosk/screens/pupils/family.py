"""A pupil's siblings (DSL team): linked by an import or by hand. `a` links another pupil,
`u` unlinks the highlighted one (with a reason; an import will not link them again).
Each sibling shows how many open concerns they have: a count, never the content."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.screens.base import KioskScreen
from kiosk.services import families, pupils
from kiosk.widgets.dialogs import Field, FieldsDialog
from kiosk.widgets.fit import fill_table
from kiosk.widgets.pupil_search import PupilSearchDialog


class PupilFamilyScreen(KioskScreen):
    SCREEN_TITLE = "Siblings"
    AUTO_FOCUS = "#siblings"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "link", "Link a sibling"),
        Binding("u", "unlink", "Unlink"),
    ]
    DEFAULT_CSS = """
    PupilFamilyScreen #family-head { height: auto; padding: 0 1; }
    PupilFamilyScreen #siblings { height: 1fr; }
    """

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.rows: list = []

    def compose_body(self):
        yield Static(Content(""), id="family-head")
        yield DataTable(id="siblings", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.run_service(pupils.pupil_summary, self.actor, self.pupil_id, then=self._show_head)
        self.reload()

    def _show_head(self, p) -> None:
        self.query_one("#family-head", Static).update(Content.assemble(
            ("Siblings of ", "bold"), (p.full_name, "bold"),
            ("\nFrom the MIS import (shared contact or address, family column) or linked by the "
             "DSL team.", "dim")))

    def reload(self) -> None:
        def load(actor, pupil_id):
            return (families.siblings(actor, pupil_id),
                    {c.pupil_id: c.open_concerns for c in families.sibling_open_concerns(actor, pupil_id)})

        self.run_service(load, self.actor, self.pupil_id, then=self._show, group="siblings",
                         exclusive=True)

    def _show(self, loaded) -> None:
        sibs, counts = loaded
        self.rows = sibs
        fill_table(self.query_one(DataTable), ("Sibling", "Year", "Open concerns", "Linked by"),
                   [(Text(s.name + ("" if s.on_roll else " (not on roll)")), Text(str(s.year_group)),
                     Text(str(counts.get(s.pupil_id, 0))),
                     Text("import" if s.source == "import" else "DSL team")) for s in sibs],
                   [str(s.pupil_id) for s in sibs])

    def _saved(self, saved) -> None:
        if saved:
            self.reload()

    def action_link(self) -> None:
        actor, pupil_id = self.actor, self.pupil_id

        def chosen(p) -> None:
            if p is not None:
                self.app.push_screen(FieldsDialog(
                    f"Link {p.name} as a sibling", [Field("reason", "How you know (optional)", max_length=500)],
                    lambda v: families.link(actor, pupil_id, p.id, v.get("reason", ""))), self._saved)

        self.app.push_screen(PupilSearchDialog("Find the sibling"), chosen)

    def action_unlink(self) -> None:
        index = self.query_one(DataTable).cursor_row
        if not 0 <= index < len(self.rows):
            return
        s = self.rows[index]
        actor, pupil_id = self.actor, self.pupil_id
        self.app.push_screen(FieldsDialog(
            f"Unlink {s.name}", [Field("reason", "Why they are not siblings", max_length=500)],
            lambda v: families.unlink(actor, pupil_id, s.pupil_id, v.get("reason", ""))), self._saved)
