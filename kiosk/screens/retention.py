"""The retention review queue: records that reached their review date under the school's
rules. The DSL team sees records about children, the headteacher those about adults.

x proposes removal (with a reason), another person confirms it with c; k keeps the record
for now (with a reason) and it comes back after the profile's review period; w withdraws
a proposal. Records under a legal hold are never listed, only counted.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from kiosk.screens.base import KioskScreen
from kiosk.widgets.inputs import SafeInput


class ReasonDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content(self.prompt))
            yield SafeInput(id="retention-reason", max_length=500, placeholder="The reason, in a sentence")
        yield Footer()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [Binding("y", "yes", "Yes, remove"), Binding("escape,n", "no", "No")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content(self.text))
        yield Footer()

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class RetentionScreen(KioskScreen):
    SCREEN_TITLE = "Retention review"
    AUTO_FOCUS = "#retention"
    BINDINGS = [
        Binding("x", "propose", "Propose removal"),
        Binding("c", "confirm", "Confirm removal"),
        Binding("k", "keep", "Keep"),
        Binding("w", "withdraw", "Withdraw"),
    ]

    def compose_body(self):
        yield Static(Content(""), id="retention-intro", classes="screen-intro")
        yield DataTable(id="retention", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#retention", DataTable).add_columns("Record", "What", "Due", "Decision")
        self.reload()

    def _rules(self):
        profile = getattr(self.app, "profile", None)
        return getattr(profile, "retention", None)

    def reload(self, keep_row: int = 0) -> None:
        from kiosk.services import retention

        table = self.query_one("#retention", DataTable)
        table.clear()
        q = self.call_service(retention.queue, self.app.actor, self._rules())
        self.items = list(q.items) if q else []
        for i in self.items:
            decision = f"proposed by {i.proposal.by}" if i.proposal else "to review"
            table.add_row(Text(i.ref), Text(i.summary), Text(i.due.strftime("%d %b %Y")), Text(decision),
                          key=f"{i.record_type}:{i.record_id}")
        held = f" {q.held} more on legal hold (never removed)." if q and q.held else ""
        intro = (f"{len(self.items)} due for review.{held} Removal: a reason, then a second person confirms."
                 if self.items else f"No records are due for review.{held}")
        self.query_one("#retention-intro", Static).update(Content(intro))
        if table.row_count:
            table.move_cursor(row=min(keep_row, table.row_count - 1))

    def _current(self):
        table = self.query_one("#retention", DataTable)
        if not table.row_count or not getattr(self, "items", None):
            return None, 0
        return self.items[table.cursor_row], table.cursor_row

    def action_propose(self) -> None:
        item, row = self._current()
        if item is None:
            return
        from kiosk.services import retention

        def done(reason: str | None) -> None:
            if reason and self.call_service(retention.propose_removal, self.app.actor, item.record_type,
                                            item.record_id, reason, self._rules()):
                self.notify(f"Removal of {item.ref} proposed; another person must confirm it.", markup=False)
                self.reload(row)

        self.app.push_screen(ReasonDialog(f"Why should {item.ref} be removed? ({item.rule})"), done)

    def action_keep(self) -> None:
        item, row = self._current()
        if item is None:
            return
        from kiosk.services import retention

        def done(reason: str | None) -> None:
            if reason:
                until = self.call_service(retention.keep, self.app.actor, item.record_type, item.record_id,
                                          reason, self._rules())
                if until:
                    self.notify(f"{item.ref} kept; back for review on {until:%d %b %Y}.", markup=False)
                    self.reload(row)

        self.app.push_screen(ReasonDialog(f"Why keep {item.ref} for now?"), done)

    def action_confirm(self) -> None:
        item, row = self._current()
        if item is None or item.proposal is None:
            self.notify("Choose a record whose removal has been proposed.", markup=False)
            return
        from kiosk.services import retention

        def done(yes: bool | None) -> None:
            if yes:
                ref = self.call_service(retention.confirm_removal, self.app.actor, item.proposal.id, self._rules())
                if ref:
                    self.notify(f"{ref} removed. A tombstone stays in the audit trail.", markup=False)
                    self.reload(row)

        self.app.push_screen(ConfirmDialog(
            f"Remove {item.ref} for good? Proposed by {item.proposal.by}: {item.proposal.reason}\n"
            "y: remove it   n: no"), done)

    def action_withdraw(self) -> None:
        item, row = self._current()
        if item is None or item.proposal is None:
            return
        from kiosk.services import retention

        if self.call_service(retention.withdraw, self.app.actor, item.proposal.id) is None:
            self.notify(f"Proposal to remove {item.ref} withdrawn.", markup=False)
            self.reload(row)
