"""The school's list of concern categories: add one, retire or bring one back.

Starts from Keeping Children Safe in Education (seeded from the profile). Retiring a
category hides it from new concerns; concerns already recorded in it keep it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.screens.base import KioskScreen
from kiosk.services import concerns
from kiosk.widgets.dialogs import Field, FieldsDialog


class CategoriesScreen(KioskScreen):
    SCREEN_TITLE = "Concern categories"
    AUTO_FOCUS = "#categories"
    BINDINGS = [
        Binding("n", "new", "New category"),
        Binding("r", "toggle", "Retire / restore"),
    ]

    def compose_body(self):
        yield Static(
            Content("Categories staff choose from when they record a concern. Retiring one "
                    "hides it from new concerns; recorded concerns keep it."),
            classes="screen-intro",
        )
        yield DataTable(id="categories", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep_row: int = 0) -> None:
        self.run_service(concerns.categories, self.app.actor, include_retired=True,
                         profile=self.app.profile, then=lambda rows: self._show(rows, keep_row),
                         group="categories", exclusive=True)

    def _show(self, rows, keep_row: int) -> None:
        from kiosk.widgets.fit import fill_table

        table = self.query_one("#categories", DataTable)
        fill_table(table, ("Category", "In use for new concerns"),
                   [(Text(c.name), Text("yes" if c.active else "retired")) for c in rows],
                   [c.key for c in rows])
        if table.row_count:
            table.move_cursor(row=min(keep_row, table.row_count - 1))

    def action_new(self) -> None:
        actor = self.app.actor

        def added(category) -> None:
            if category:
                self.notify(f"Added: {category.name}", markup=False)
                self.reload(self.query_one("#categories", DataTable).row_count)

        self.app.push_screen(FieldsDialog("New category", [
            Field("name", "Name of the new category (Enter to add)", max_length=120,
                  placeholder="e.g. Private fostering"),
        ], lambda v: concerns.add_category(actor, v["name"]), "Add"), added)

    def action_toggle(self) -> None:
        table = self.query_one("#categories", DataTable)
        if not table.row_count:
            return
        row = table.cursor_row
        key = table.coordinate_to_cell_key((row, 0)).row_key.value
        active = str(table.get_row_at(row)[1]) == "yes"
        self.run_service(concerns.set_category_active, self.app.actor, key, not active,
                         then=lambda _: self.reload(row))
