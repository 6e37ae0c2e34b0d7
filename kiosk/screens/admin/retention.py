"""The retention review queue: records that reached their review date under the school's
rules. The DSL team sees records about children, the headteacher those about adults.

x proposes removal (with a reason), another person confirms it with c; k keeps the record
for now (with a reason) and it comes back after the profile's review period; w withdraws
a proposal. Records under a legal hold are never listed, only counted.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.screens.base import KioskScreen
from kiosk.widgets.dialogs import ConfirmDialog, Field, FieldsDialog
from kiosk.widgets.fit import fill_table

__all__ = ["ConfirmDialog", "RetentionScreen"]

COLUMNS = ("Record", "What", "Due", "Decision")


def reason_dialog(prompt: str, submit) -> FieldsDialog:
    """One reason, in a sentence; Enter saves through `submit(reason)` (a service call)."""
    return FieldsDialog(prompt, [Field("reason", "The reason, in a sentence", max_length=500,
                                       placeholder="The reason, in a sentence")],
                        lambda v: submit(v["reason"]))


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
        self.reload()

    def _rules(self):
        profile = getattr(self.app, "profile", None)
        return getattr(profile, "retention", None)

    def reload(self, keep_row: int = 0) -> None:
        from kiosk.services import retention

        self.run_service(retention.queue, self.app.actor, self._rules(),
                         then=lambda q: self._show(q, keep_row), group="retention", exclusive=True)

    def _show(self, q, keep_row: int) -> None:
        table = self.query_one("#retention", DataTable)
        self.items = list(q.items)
        fill_table(table, COLUMNS,
                   [(Text(i.ref), Text(i.summary), Text(i.due.strftime("%d %b %Y")),
                     Text(f"proposed by {i.proposal.by}" if i.proposal else "to review"))
                    for i in self.items],
                   [f"{i.record_type}:{i.record_id}" for i in self.items], keep=(0, 2))
        held = f" {q.held} more on legal hold (never removed)." if q.held else ""
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

    def _with_reason(self, prompt, fn, said) -> None:
        """Ask for a reason, then `fn(actor, record_type, record_id, reason, rules)` (a
        service call); `said(item, result)` is what the person is told."""
        item, row = self._current()
        if item is None:
            return
        actor, rules = self.app.actor, self._rules()

        def done(result) -> None:
            if result:
                self.notify(said(item, result), markup=False)
                self.reload(row)

        self.app.push_screen(reason_dialog(
            prompt(item), lambda reason: fn(actor, item.record_type, item.record_id, reason, rules)), done)

    def action_propose(self) -> None:
        from kiosk.services import retention

        self._with_reason(lambda i: f"Why should {i.ref} be removed? ({i.rule})", retention.propose_removal,
                          lambda i, _: f"Removal of {i.ref} proposed; another person must confirm it.")

    def action_keep(self) -> None:
        from kiosk.services import retention

        self._with_reason(lambda i: f"Why keep {i.ref} for now?", retention.keep,
                          lambda i, until: f"{i.ref} kept; back for review on {until:%d %b %Y}.")

    def action_confirm(self) -> None:
        item, row = self._current()
        if item is None or item.proposal is None:
            self.notify("Choose a record whose removal has been proposed.", markup=False)
            return
        from kiosk.services import retention

        def removed(ref) -> None:
            self.notify(f"{ref} removed. A tombstone stays in the audit trail.", markup=False)
            self.reload(row)

        def done(yes: bool | None) -> None:
            if yes:
                self.run_service(retention.confirm_removal, self.app.actor, item.proposal.id, self._rules(),
                                 then=removed)

        self.app.push_screen(ConfirmDialog(
            f"Remove {item.ref} for good? Proposed by {item.proposal.by}: {item.proposal.reason}\n"
            "y: remove it   n: no"), done)

    def action_withdraw(self) -> None:
        item, row = self._current()
        if item is None or item.proposal is None:
            return
        from kiosk.services import retention

        def withdrawn(_result) -> None:
            self.notify(f"Proposal to remove {item.ref} withdrawn.", markup=False)
            self.reload(row)

        self.run_service(retention.withdraw, self.app.actor, item.proposal.id, then=withdrawn)
