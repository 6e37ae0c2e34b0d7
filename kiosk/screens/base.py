"""Base classes for every console screen.

`KioskScreen`: the header line (school, screen title, who is signed in, clock), a body
from `compose_body()`, and the Footer showing every key; escape goes back. Every service
call goes through `self.run_service(fn, *args, then=...)` (kiosk.widgets.service): in a
worker, with the connection opened there; a KioskError becomes a message, a field error
puts the cursor on the field. Screens never import kiosk.db or kiosk.models.

`FormScreen`: a form that can be kept as a private draft when the screen locks. A
subclass sets `form_id`, yields its fields from `compose_form()`, and implements
`form_state()` / `load_form_state()` (JSON-serialisable dict) and `guidance()` (a
kiosk.rules Guidance or None). Call `self.refresh_guidance()` when a field changes; the
rules pane beside the form (F3 toggles it) re-renders. After a successful submit call
`self.form_submitted()` so a stale draft of the same form is dropped. Escape on a form
with anything typed asks first (`leave_question`), as every dialog does.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from kiosk.errors import KioskError, ValidationError
from kiosk.widgets.dialogs import LEAVE_QUESTION, DraftOrigin, FieldsDialog, confirm_leave
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.header import KioskHeader
from kiosk.widgets.rules_pane import RulesPane
from kiosk.widgets.service import ServiceCaller, describe_failure, discard_draft

log = logging.getLogger(__name__)

_DIALOG_ACTION = re.compile(r"[a-z_]+(\('[a-z_]+'\))?")


# "module:Class" -> every KioskScreen subclass defined so far (a draft names its screen).
SCREENS: dict[str, type] = {}


class KioskScreen(ServiceCaller, Screen):
    """A full screen with the console's header and footer. Escape = back."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        SCREENS[f"{cls.__module__}:{cls.__qualname__}"] = cls

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

    # --- dialogs, kept as drafts ------------------------------------------------------

    _reopen: tuple[str, dict] | None = None

    def screen_class_path(self) -> str:
        cls = type(self)
        return f"{cls.__module__}:{cls.__qualname__}"

    def restore_args(self) -> tuple:
        """The constructor arguments that open this screen again (for a dialog's draft)."""
        return ()

    def open_dialog(self, dialog: FieldsDialog, done=None, action: str = "") -> None:
        """Push a FieldsDialog. `action` is this screen's action that opens it (e.g.
        "add_action"): then what is typed in it is kept as a draft like any form's."""
        if action:
            dialog.origin = DraftOrigin(self.screen_class_path(), tuple(self.restore_args()), action)
            if self._reopen is not None and self._reopen[0] == action:
                dialog.pending_values = self._reopen[1]
                self._reopen = None
        self.app.push_screen(dialog, done)

    def reopen_dialog(self, action: str, values: dict) -> None:
        """A restored draft of one of this screen's dialogs: open it again, filled in, once
        the screen has what the action needs (`reopen_pending`)."""
        # The action comes from stored data: only this screen's own simple actions.
        if not _DIALOG_ACTION.fullmatch(action):
            raise ValueError(f"not a dialog action: {action!r}")
        self._reopen = (action, values)

    def reopen_pending(self) -> None:
        """Screens that load first call this when loaded; others get it on mount."""
        if self._reopen is not None:
            self.call_later(self.run_action, self._reopen[0])

    @property
    def profile(self):
        return self.app.profile


class FormScreen(KioskScreen):
    """A form kept as a draft when the screen locks; rules pane beside it."""

    form_id: str = ""
    draft_title: str = ""  # what the drafts list calls it ("Concern about a child")
    leave_question: str = LEAVE_QUESTION
    busy: bool = False  # a save is running: escape waits for it

    BINDINGS = [Binding("f3", "toggle_rules", "Rules pane")]

    def compose_body(self) -> Iterable[Widget]:
        with Horizontal(id="form-layout"):
            with VerticalScroll(id="form-body"):
                yield from self.compose_form()
            yield RulesPane(id="rules-pane")

    def compose_form(self) -> Iterable[Widget]:
        return ()

    def action_back(self) -> None:
        """Leaving with something typed asks first, the same question every dialog asks."""
        if self.busy:
            return
        if self.has_content():
            confirm_leave(self, self.leave, self.leave_question)
        else:
            self.drop_draft(self.form_id)  # an autosaved draft of text since cleared
            super().action_back()

    def leave(self) -> None:
        """Left on purpose: what was typed is not kept."""
        self.drop_draft(self.form_id)
        self.dismiss()

    # --- the draft contract -------------------------------------------------------
    # A form with an input dataclass (`input_type`) implements `build_input()` (the
    # widgets -> the input the service takes) and `fill(data, state)` (the input -> the
    # widgets); the draft is `asdict(build_input())` plus `extra_state()` (what is on
    # screen but not yet part of the input). Other forms override the two methods below.

    input_type: type | None = None

    def build_input(self):
        raise NotImplementedError

    def extra_state(self) -> dict:
        return {}

    def fill(self, data, state: dict) -> None:
        raise NotImplementedError

    def form_state(self) -> dict:
        if self.input_type is None:
            return {}
        try:
            data = self.build_input()
        except Exception:  # noqa: BLE001 - not composed yet
            return {}
        return {"input": dataclasses.asdict(data), **self.extra_state()}

    def load_form_state(self, state: dict) -> None:
        if self.input_type is None:
            return
        raw = state.get("input") if isinstance(state.get("input"), dict) else {}
        names = {f.name for f in dataclasses.fields(self.input_type)}
        known = {k: v for k, v in raw.items() if k in names}
        defaults = dataclasses.asdict(self.build_input())
        self.fill(self.input_type(**{**defaults, **known}), state)

    # --- saying what happened -------------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        """The form's message line (#form-message), if it has one."""
        found = self.query("#form-message")
        if found:
            found.first().update(Content.styled(text, "bold red") if error else Content(text))

    def service_failed(self, exc: BaseException) -> None:
        """A refused save: the cursor to the field, the reason on the message line and in
        a toast; everything typed stays."""
        if isinstance(exc, ValidationError):
            self.focus_field(exc.field)
            message = describe_failure(exc)
        elif isinstance(exc, KioskError):
            message = f"Not saved: {exc}. Everything you typed is still here; try again."
        else:
            message = describe_failure(exc)
        self.say(message, error=True)
        self.notify(message, severity="error", markup=False, timeout=10)

    def has_content(self) -> bool:
        """Whether there is anything worth keeping (an untouched form is not a draft)."""
        return any(v not in (None, "", [], {}, False) for v in self.form_state().values())

    def submit_form(self, fn, *args, then, **kwargs) -> None:
        """Save the form: `fn(*args, **kwargs)` in a worker, then (in the same unit) drop
        any stale draft of this form; `then(result)` on success. While it runs the form is
        busy (escape and a second submit wait); a refusal goes to `service_failed`."""
        if self.busy:
            return
        app, actor, form_id = self.app, self.app.actor, self.form_id
        self.draft_epoch += 1  # an autosave from before this is not written after it

        def save():
            result = fn(*args, **kwargs)
            if actor is not None and form_id:
                try:
                    discard_draft(app, actor, form_id)
                except KioskError:
                    log.exception("could not drop the old draft of %s", form_id)
            return result

        def done(result) -> None:
            self.busy = False
            then(result)

        def refused(exc: BaseException) -> None:
            self.busy = False
            self.service_failed(exc)

        self.busy = True
        self.run_service(save, then=done, failed=refused, group="form-submit", exclusive=True)

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
