"""Base classes for every console screen.

`KioskScreen`: the header line (school, screen title, who is signed in, clock), a body
from `compose_body()`, and the Footer showing every key; escape goes back.

`FormScreen`: a form that can be kept as a private draft when the screen locks. A
subclass sets `form_id`, yields its fields from `compose_form()`, and implements
`form_state()` / `load_form_state()` (JSON-serialisable dict) and `guidance()` (a
kiosk.rules Guidance or None). Call `self.refresh_guidance()` when a field changes; the
rules pane beside the form (F3 toggles it) re-renders. After a successful submit call
`self.form_submitted()` so a stale draft of the same form is dropped.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget

from kiosk.widgets.footer import KioskFooter
from kiosk.errors import KioskError, SessionEnded
from kiosk.widgets.header import KioskHeader
from kiosk.widgets.rules_pane import RulesPane

log = logging.getLogger(__name__)


class KioskScreen(Screen):
    """A full screen with the console's header and footer. Escape = back."""

    SCREEN_TITLE: str = ""
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield KioskHeader(self.SCREEN_TITLE, id="header")
        yield from self.compose_body()
        yield KioskFooter()

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def action_back(self) -> None:
        # The first screen of a session (home, or a gate) has nowhere to go back to.
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.dismiss()

    # --- helpers for subclasses ---------------------------------------------------

    @property
    def actor(self):
        return self.app.actor

    @property
    def profile(self):
        return self.app.profile

    def show_error(self, exc: BaseException | str) -> None:
        if isinstance(exc, SessionEnded) and hasattr(self.app, "account_changed"):
            self.app.account_changed()
            return
        self.notify(str(exc), severity="error", markup=False, timeout=8)

    def call_service(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Call a quick service on the UI thread; a KioskError becomes a message (None)."""
        try:
            return fn(*args, **kwargs)
        except KioskError as exc:
            self.show_error(exc)
            return None


class FormScreen(KioskScreen):
    """A form kept as a draft when the screen locks; rules pane beside it."""

    form_id: str = ""
    draft_title: str = ""  # what the drafts list calls it ("Concern about a child")

    BINDINGS = [Binding("f3", "toggle_rules", "Rules pane")]

    def compose_body(self) -> Iterable[Widget]:
        with Horizontal(id="form-layout"):
            with VerticalScroll(id="form-body"):
                yield from self.compose_form()
            yield RulesPane(id="rules-pane")

    def compose_form(self) -> Iterable[Widget]:
        return ()

    # --- the draft contract -------------------------------------------------------

    def form_state(self) -> dict:
        return {}

    def load_form_state(self, state: dict) -> None:
        pass

    def has_content(self) -> bool:
        """Whether there is anything worth keeping (an untouched form is not a draft)."""
        return any(v not in (None, "", [], {}, False) for v in self.form_state().values())

    def screen_class_path(self) -> str:
        cls = type(self)
        return f"{cls.__module__}:{cls.__qualname__}"

    def form_submitted(self) -> None:
        from kiosk.services import drafts

        actor = self.app.actor
        if actor is not None and self.form_id:
            self.call_service(drafts.discard_form_draft, actor, self.form_id)

    # --- rules pane ---------------------------------------------------------------

    def guidance(self):
        return None

    def on_mount(self) -> None:
        self.refresh_guidance()
        # The rules pane takes its height after the first focus scrolled the form, which
        # can leave the first field above the top at 80x24: start from the top, then
        # bring the focused field into view.
        self.call_after_refresh(self.call_after_refresh, self._show_focused_field)

    def _show_focused_field(self) -> None:
        try:
            body = self.query_one("#form-body")
        except Exception:  # a subclass with its own layout
            return
        body.scroll_home(animate=False, immediate=True)
        if self.focused is not None:
            self.focused.scroll_visible(animate=False, immediate=True)

    def refresh_guidance(self) -> None:
        try:
            pane = self.query_one(RulesPane)
        except Exception:  # not composed yet
            return
        try:
            guidance = self.guidance()
        except (KioskError, ValueError, KeyError):
            log.exception("guidance for %s failed", type(self).__name__)
            guidance = None
        pane.show_guidance(guidance, getattr(self.app, "profile", None))

    def action_toggle_rules(self) -> None:
        pane = self.query_one(RulesPane)
        pane.display = not pane.display
