"""Import the roll from the MIS (administrator, DSL team): the same service as `kiosk pupils
import`. Give the file's path; Enter previews (a dry run: joiners, leavers, changes, rows
refused and why); ctrl+s imports exactly the file previewed, with a progress bar."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, ProgressBar, Static

from kiosk.errors import KioskError
from kiosk.screens.base import KioskScreen
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.ticks import TickBox


class RollImportScreen(KioskScreen):
    SCREEN_TITLE = "Import the roll from the MIS"
    AUTO_FOCUS = "#roll-file"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+p", "preview", "Preview", priority=True),
        Binding("ctrl+s", "import", "Import", priority=True),
    ]
    DEFAULT_CSS = """
    RollImportScreen #roll-options { height: auto; }
    RollImportScreen #roll-map { width: 1fr; }
    RollImportScreen #roll-progress { height: 1; margin: 0 1; }
    RollImportScreen #roll-preview { height: 1fr; border-top: solid $accent; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.previewed: tuple | None = None  # (path, full_roll, mapping, sha256) of the last preview
        self.busy = False

    def compose_body(self):
        yield Static(Content("File: a CTF (XML, version 24 or 25) or a CSV export. Enter previews; "
                             "nothing changes until you import (ctrl+s)."), classes="screen-intro")
        yield SafeInput(id="roll-file", max_length=1000, placeholder="/path/to/export.xml or .csv")
        with Horizontal(id="roll-options"):
            # TickBox: a plain Checkbox shows an X ticked or not in 16 colours.
            yield TickBox(Content("Full roll (pupils missing are marked as left)"), id="roll-full")
            yield SafeInput(id="roll-map", max_length=500,
                            placeholder="CSV columns: Heading=field; Heading=field")
        yield ProgressBar(id="roll-progress", show_eta=False)
        with VerticalScroll(id="roll-preview"):
            yield Static(Content(""), id="roll-text")

    def on_mount(self) -> None:
        self.query_one("#roll-progress").display = False

    def _options(self):
        from kiosk.imports.roll_csv import parse_map

        path = self.query_one("#roll-file", SafeInput).value.strip()
        full = self.query_one("#roll-full", Checkbox).value
        raw = self.query_one("#roll-map", SafeInput).value
        mapping = parse_map([x for x in raw.split(";") if x.strip()])
        return path, full, mapping

    def _show(self, lines: list[str]) -> None:
        self.query_one("#roll-text", Static).update(Content("\n".join(lines)))

    def on_input_submitted(self, event) -> None:
        event.stop()
        self.action_preview()

    def _start(self, dry_run: bool) -> None:
        """Preview (a dry run) or import the file with the options on screen."""
        if self.busy:
            return
        try:
            path, full, mapping = self._options()
        except KioskError as exc:
            self.show_error(exc)
            return
        if not path:
            self.show_error("Give the path of the file exported from the MIS.")
            return
        if not dry_run and (self.previewed is None or self.previewed[:3] != (path, full, mapping)):
            self.show_error("Preview this file with these options first (Enter).")
            return
        self.busy = True
        if dry_run:
            self._show(["Reading the file ..."])
        bar = self.query_one("#roll-progress", ProgressBar)
        bar.update(total=None, progress=0)  # indeterminate: reading and matching
        bar.display = True
        self._run(self.app.actor, path, full, mapping, dry_run, None if dry_run else self.previewed[3])

    def action_preview(self) -> None:
        self._start(dry_run=True)

    def action_import(self) -> None:
        self._start(dry_run=False)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#roll-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _run(self, actor, path: str, full: bool, mapping: dict, dry_run: bool, sha: str | None) -> None:
        from kiosk.services import roll_import

        app = self.app

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        def read_and_import():
            data, name = roll_import.read_file(path)
            return roll_import.run_import(actor, data, name, full_roll=full, mapping=mapping,
                                          dry_run=dry_run, progress=progress, expect_sha256=sha)

        self.run_service(read_and_import, then=lambda result: self._done(result, (path, full, mapping)),
                         failed=self._failed, group="roll-import", exclusive=True)

    def _failed(self, exc: BaseException) -> None:
        from kiosk.widgets.service import describe_failure

        self.busy = False
        self.query_one("#roll-progress").display = False
        self._show([describe_failure(exc)])
        self.show_error(exc)

    def _done(self, result, options) -> None:
        from kiosk.services import roll_import

        self.busy = False
        self.query_one("#roll-progress").display = False
        lines = roll_import.describe(result.plan, result.written, limit=200)
        if result.written:
            self.previewed = None
            self.notify("Imported: " + lines[1], markup=False, timeout=8)
        else:
            self.previewed = (*options, result.plan.sha256)
            lines.append("")
            lines.append("ctrl+s imports this file as previewed." if result.plan.changes_anything
                         else "Nothing to change.")
        self._show(lines)
