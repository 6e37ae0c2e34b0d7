"""Early help (procedures paragraph 6): the hub pastoral staff open from home with `e`.

The counts that need doing come first (reviews overdue or due, referrals waiting for a
decision, agencies past their timescale), then one key per part of the work. The offer is
synced from the school profile when the hub opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.capabilities import Cap
from kiosk.screens.early_help import agency as early_help_agency
from kiosk.screens.early_help import cases as early_help_cases
from kiosk.screens.early_help import caseload as early_help_caseload
from kiosk.screens.early_help import register as early_help_register
from kiosk.screens.base import KioskScreen
from kiosk.services import early_help as eh


@dataclass(frozen=True)
class HubItem:
    key: str
    label: str
    capability: Cap
    screen: type  # a KioskScreen opened with no arguments


HUB = (
    HubItem("r", "Take a register (club, drop-in, group, workshop)", Cap.EARLY_HELP_MANAGE,
            early_help_register.RegisterSetupScreen),
    HubItem("v", "Enrolments and reviews", Cap.EARLY_HELP_VIEW, early_help_cases.EnrolmentsScreen),
    HubItem("i", "Internal referrals for 1:1 and group work", Cap.EARLY_HELP_VIEW,
            early_help_cases.ReferralsScreen),
    HubItem("a", "Referrals to outside agencies", Cap.EARLY_HELP_VIEW,
            early_help_agency.AgencyReferralsScreen),
    HubItem("c", "Caseload and attendance", Cap.EARLY_HELP_VIEW, early_help_caseload.CaseloadScreen),
    HubItem("p", "One pupil's early help", Cap.EARLY_HELP_VIEW, early_help_caseload.PupilLookup),
    HubItem("o", "The offer (add, rename, retire)", Cap.EARLY_HELP_VIEW, early_help_caseload.OfferScreen),
)


class EarlyHelpScreen(KioskScreen):
    SCREEN_TITLE = "Early help"
    AUTO_FOCUS = "#eh-menu"
    DEFAULT_CSS = """
    EarlyHelpScreen #eh-body { height: 1fr; padding: 0 1; }
    EarlyHelpScreen #eh-counts { height: auto; margin-bottom: 1; border-left: thick $accent; padding-left: 1; }
    EarlyHelpScreen #eh-menu { height: 1fr; border: none; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self) -> None:
        super().__init__()
        actor = self.app.actor
        self.items = [i for i in HUB if actor is not None and actor.can(i.capability)]
        for item in self.items:
            self._bindings.bind(item.key, f"open({item.key!r})", item.label, show=False)

    def compose_body(self):
        with Vertical(id="eh-body"):
            yield Static(id="eh-counts")
            yield OptionList(*[
                Option(Content.assemble((f" {i.key} ", "reverse bold"), " ", i.label), id=i.key)
                for i in self.items
            ], id="eh-menu")

    def on_mount(self) -> None:
        self.run_service(eh.sync_offers, self.actor, self.profile, then=lambda _: self.refresh_counts())

    def on_screen_resume(self) -> None:
        if self.app.actor is not None:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        self.run_service(eh.hub_counts, self.actor, then=self._show_counts, group="counts",
                         exclusive=True)

    def _show_counts(self, found) -> None:
        counts, pending = found
        parts = []
        for c in counts:
            parts.append(Content.assemble((f"{c.value!s:>4} ", "bold red" if c.urgent else "bold"), c.label))
        parts.append(Content.assemble((f"{len(pending):>4} ", "bold"), "Internal referrals waiting for a decision"))
        self.query_one("#eh-counts", Static).update(Content("\n").join(parts))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.action_open(event.option.id)

    def action_open(self, key: str) -> None:
        for item in self.items:
            if item.key == key:
                self.app.push_screen(item.screen())
                return
