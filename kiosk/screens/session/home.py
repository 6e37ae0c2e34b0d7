"""The home screen: the things this user's roles may do (kiosk/screens/session/menu.py), each
with its key, and the counts that matter to them (kiosk.services.home).

Entries whose screen is not written yet are shown greyed, never a crash.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.capabilities import Cap
from kiosk.screens.base import KioskScreen
from kiosk.screens.session.menu import entries_for


# The footer's word for each menu key (the menu itself shows the full label). Contacts and
# whistleblowing are already there as F1 and F2.
FOOTER_WORDS = {
    "r": "Record", "m": "Mine", "v": "Shared", "a": "Adult", "i": "Inbox", "p": "Pupils",
    "t": "Categories", "e": "Early help", "h": "Refer", "g": "Register", "s": "Stats",
    "n": "Unsigned", "u": "Accounts", "d": "Procedures",
    "y": "Import roll", "b": "Retention", "q": "Retention (adults)", "2": "2FA resets",
}


class HomeScreen(KioskScreen):
    SCREEN_TITLE = "Home"
    AUTO_FOCUS = "#menu"
    BINDINGS = [
        # First, so the hide key stays in view however many menu keys follow.
        Binding("f12", "app.hide_screen", "Hide"),
        Binding("escape", "back", "Back", show=False),
        Binding("k", "change_password", "Password", show=False),
        Binding("x", "app.exit_console", "Exit console"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._on_view = False  # the counts are showing (not covered by a full screen)
        actor = self.app.actor
        self.entries = entries_for(actor) if actor is not None else []
        for entry in self.entries:
            word = FOOTER_WORDS.get(entry.key)
            self._bindings.bind(entry.key, f"open({entry.key!r})", word or entry.label,
                                show=word is not None)

    def compose_body(self):
        with Vertical(id="home-body"):
            # Who is signed in is in the header line; the counts come first, then the menu.
            yield Vertical(id="home-counts")
            options = []
            for entry in self.entries:
                label = Content.assemble((f" {entry.key} ", "reverse bold"), " ", entry.label)
                options.append(Option(label, id=entry.key))
            options.append(Option(Content.assemble((" k ", "reverse bold"), " Change my password"),
                                  id="__password"))
            yield OptionList(*options, id="menu")

    def on_screen_resume(self) -> None:
        # Textual resumes a screen as it first shows it (twice, when a mode starts with it)
        # and when what covered it closes. A showing of the home (sign-in, back from
        # another screen) fetches the counts and audits what they show, once; back from a
        # dialog over it (the drafts offer) the counts were on view all along.
        if self.app.actor is not None and not self._on_view:
            self._on_view = True
            self.refresh_counts(opened=True)

    def on_screen_suspend(self) -> None:
        if not self.app.screen.is_modal:
            self._on_view = False  # covered by a full screen

    def refresh_counts(self, opened: bool = False) -> None:
        """Fetch the counts again; `opened` when the home is being shown, not refreshed in
        place (an alert arrived), so the views it shows are audited once per showing."""
        from kiosk.services.home import home_counts

        actor = self.app.actor
        if actor is None:
            return
        # A showing's fetch is never cancelled by a refresh (its audit is written once
        # whatever happens to it); refreshes replace one another.
        self.run_service(home_counts, actor, self.app.profile, opened=opened,
                         then=self._show_counts, group="home-opened" if opened else "home-counts",
                         exclusive=not opened)

    def _show_counts(self, counts) -> None:
        box = self.query_one("#home-counts", Vertical)
        box.remove_children()
        widgets = []
        for count in counts:
            style = "bold red" if count.urgent else "bold"
            key = f"  [{count.key}]" if count.key else ""
            widgets.append(Static(Content.assemble((f"{count.value!s:>5} ", style), count.label,
                                                   (key, "dim")), classes="home-count"))
        if widgets:
            box.mount_all(widgets)
        box.display = bool(widgets)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == "__password":
            self.action_change_password()
        elif event.option.id:
            self.action_open(event.option.id)

    def action_open(self, key: str) -> None:
        for entry in self.entries:
            if entry.key == key:
                self.app.open_entry(entry)
                return

    def action_change_password(self) -> None:
        from kiosk.screens.session.password import PasswordScreen

        self.app.push_screen(PasswordScreen(forced=False))

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "exit_console":
            actor = self.app.actor
            return actor is not None and actor.can(Cap.APP_EXIT)
        return True
