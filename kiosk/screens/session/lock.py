"""After a lock: the drafts a user left are offered back at their next sign-in.

Only the owner's drafts are listed (kiosk.services.drafts). Restore puts the form back
and deletes the draft; discard asks first.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.widgets.footer import KioskFooter
from kiosk.clock import fmt_local
from kiosk.services import drafts
from kiosk.widgets.dialogs import ConfirmDialog
from kiosk.widgets.service import ServiceCaller


class RestoreDraftsScreen(ServiceCaller, ModalScreen[None]):
    BINDINGS = [
        Binding("enter", "restore", "Restore"),
        Binding("delete,d", "discard", "Discard"),
        Binding("escape", "close", "Later"),
    ]

    def __init__(self, drafts) -> None:
        super().__init__()
        self.drafts = list(drafts)

    def compose(self):
        with Vertical(classes="dialog", id="drafts-dialog"):
            yield Static(Content.styled("You have unfinished work", "bold"))
            yield Static(Content("These forms were kept when the screen locked. Only you can see them."))
            yield OptionList(*self._options(), id="drafts")
        yield KioskFooter()

    def _options(self):
        return [Option(Content.assemble(d.title, ("  saved " + fmt_local(d.saved_at), "dim")),
                       id=str(d.id)) for d in self.drafts]

    def _selected(self):
        menu = self.query_one("#drafts", OptionList)
        if menu.highlighted is None:
            return None
        option = menu.get_option_at_index(menu.highlighted)
        return int(option.id)

    def on_mount(self) -> None:
        menu = self.query_one("#drafts", OptionList)
        menu.highlighted = 0
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_restore()

    def action_restore(self) -> None:
        draft_id = self._selected()
        if draft_id is None:
            return
        self.dismiss()
        self.app.call_later(self.app.restore_draft, draft_id)

    def action_discard(self) -> None:
        draft_id = self._selected()
        if draft_id is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_service(drafts.delete_draft, self.app.actor, draft_id, "discarded",
                                 then=lambda _: discarded())

        def discarded() -> None:
            self.drafts = [d for d in self.drafts if d.id != draft_id]
            if not self.drafts:
                self.dismiss()
                return
            menu = self.query_one("#drafts", OptionList)
            menu.clear_options()
            menu.add_options(self._options())
            menu.highlighted = 0

        self.app.push_screen(ConfirmDialog("Discard this draft? It cannot be recovered."), done)

    def action_close(self) -> None:
        self.dismiss()
