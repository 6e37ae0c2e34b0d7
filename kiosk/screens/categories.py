"""The school's list of concern categories: add one, retire or bring one back.

Starts from Keeping Children Safe in Education (seeded from the profile). Retiring a
category hides it from new concerns; concerns already recorded in it keep it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kiosk.widgets.footer import KioskFooter
from kiosk.screens.base import KioskScreen
from kiosk.widgets.inputs import SafeInput


class NewCategoryScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content("Name of the new category (Enter to add):"))
            yield SafeInput(id="category-name", max_length=120, placeholder="e.g. Private fostering")
        yield KioskFooter()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
        from kiosk.services import concerns

        from kiosk.widgets.fit import fill_table

        table = self.query_one("#categories", DataTable)
        rows = self.call_service(concerns.categories, self.app.actor, include_retired=True,
                                 profile=self.app.profile) or []
        fill_table(table, ("Category", "In use for new concerns"),
                   [(Text(c.name), Text("yes" if c.active else "retired")) for c in rows],
                   [c.key for c in rows])
        if table.row_count:
            table.move_cursor(row=min(keep_row, table.row_count - 1))

    def action_new(self) -> None:
        def added(name: str | None) -> None:
            from kiosk.services import concerns

            if name and self.call_service(concerns.add_category, self.app.actor, name):
                self.notify(f"Added: {name}", markup=False)
                self.reload(self.query_one("#categories", DataTable).row_count)

        self.app.push_screen(NewCategoryScreen(), added)

    def action_toggle(self) -> None:
        from kiosk.services import concerns

        table = self.query_one("#categories", DataTable)
        if not table.row_count:
            return
        row = table.cursor_row
        key = table.coordinate_to_cell_key((row, 0)).row_key.value
        active = str(table.get_row_at(row)[1]) == "yes"
        if self.call_service(concerns.set_category_active, self.app.actor, key, not active):
            self.reload(row)
