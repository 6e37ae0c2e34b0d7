"""The one way a screen or dialog calls a service: `self.run_service(fn, *args, then=...)`.

The call runs in a worker thread (argon2, a locked database or a big query must never
freeze the terminal) with the connection opened and closed around it
(`kiosk.services.unit.run`). Back on the UI thread, `then(result)` gets the result; a
`KioskError` becomes one message on the screen, and a `ValidationError` also puts the
cursor on the field it names (the input dataclass's own field name, see
`field_selectors`). `failed=` replaces that default handling for one call.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable

from textual.worker import Worker, get_current_worker

from kiosk.errors import KioskError, SessionEnded, ValidationError
from kiosk.widgets.textual_fixes import forgetting_worker

log = logging.getLogger(__name__)


def describe_failure(exc: BaseException) -> str:
    """One line for a person: what went wrong, and that nothing typed was lost."""
    if isinstance(exc, ValidationError):
        name = exc.label
        return f"Not saved. {name[:1].upper()}{name[1:]}: {exc.problem}"
    if isinstance(exc, KioskError):
        return str(exc)
    return (f"Something went wrong ({type(exc).__name__}). Everything you typed is still "
            "here; try again, or tell the DSL in person.")


def draft_lock(app) -> Any:
    """The app's lock between writing an autosaved draft and dropping one (a stand-in
    for an app without drafts)."""
    return getattr(app, "draft_lock", None) or contextlib.nullcontext()


def discard_draft(app, actor, form_id: str) -> None:
    """Drop the user's kept draft of `form_id` (in a worker, after a save or a leave), never
    in the middle of an autosave of it: one that began first is dropped too."""
    from kiosk.services import drafts

    with draft_lock(app):
        drafts.discard_form_draft(actor, form_id)


class ServiceCaller:
    """Mixin for Screen and ModalScreen subclasses (it uses their app, query and workers)."""

    # ValidationError.field (an input dataclass's field name) -> a CSS selector, for the
    # few fields whose widget id is not the name itself (`#name`, `#f-name`, or with dashes).
    FIELD_WIDGETS: dict[str, str] = {}

    # Moves on (on the UI thread) whenever this form's kept draft is dropped: saved, or left
    # on purpose. An autosave captured before that is not written (KioskApp._autosave), so
    # a submitted form never comes back as "unfinished work".
    draft_epoch: int = 0

    def run_service(self, fn: Callable[..., Any], *args: Any,
                    then: Callable[[Any], None] | None = None,
                    failed: Callable[[BaseException], None] | None = None,
                    group: str = "service", exclusive: bool = False, detach: bool = False,
                    **kwargs: Any) -> Worker:
        """Run `fn(*args, **kwargs)` in a worker; `then(result)` on the UI thread.

        `detach`: the work belongs to the app, not this screen, so it finishes (and is
        waited for) even when the screen is gone, e.g. dropping a draft on the way out."""
        app = self.app  # type: ignore[attr-defined]

        def call() -> None:
            # Here, not at the top: the login screen is drawn before the database layer
            # (peewee) is imported at all (kiosk.app opens the database after the first paint).
            from kiosk.services import unit

            try:
                result = unit.run(fn, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the person must be told, whatever it was
                if not isinstance(exc, KioskError):
                    log.exception("%s failed", getattr(fn, "__qualname__", fn))
                app.call_from_thread(self._service_failed, exc, failed)
                return
            if then is not None and not get_current_worker().is_cancelled:
                app.call_from_thread(self._service_done, then, result)

        node = app if detach else self
        return node.run_worker(forgetting_worker(call), thread=True, group=group,  # type: ignore[attr-defined]
                               exclusive=exclusive, exit_on_error=False)

    def _service_done(self, then: Callable[[Any], None], result: Any) -> None:
        if self.is_attached:  # type: ignore[attr-defined]
            then(result)

    def drop_draft(self, form_id: str) -> None:
        """Forget the user's kept draft of `form_id` (left on purpose, or saved)."""
        app = self.app  # type: ignore[attr-defined]
        actor = getattr(app, "actor", None)
        self.draft_epoch += 1
        if actor is not None and form_id:
            self.run_service(discard_draft, app, actor, form_id, group="drafts",
                             detach=True, failed=lambda exc: None)

    def _service_failed(self, exc: BaseException, failed) -> None:
        app = self.app  # type: ignore[attr-defined]
        if isinstance(exc, SessionEnded) and getattr(app, "actor", None) is not None:
            # The account changed (deactivated, roles cut, password reset): whatever the
            # screen, the session goes back to the login screen.
            app.account_changed()
            return
        if not self.is_attached:  # type: ignore[attr-defined]
            return
        if failed is not None:
            failed(exc)
            return
        self.service_failed(exc)

    def service_failed(self, exc: BaseException) -> None:
        """Default: say what went wrong; on a field error put the cursor on that field."""
        if isinstance(exc, ValidationError):
            self.focus_field(exc.field)
        self.show_error(exc if isinstance(exc, KioskError) and not isinstance(exc, ValidationError)
                        else describe_failure(exc))

    def show_error(self, exc: BaseException | str) -> None:
        if isinstance(exc, SessionEnded) and hasattr(self.app, "account_changed"):  # type: ignore[attr-defined]
            self.app.account_changed()  # type: ignore[attr-defined]
            return
        message = exc if isinstance(exc, str) else describe_failure(exc)
        self.notify(message, severity="error", markup=False, timeout=8)  # type: ignore[attr-defined]

    def field_selectors(self, name: str) -> list[str]:
        named = self.FIELD_WIDGETS.get(name)
        dashed = name.replace("_", "-")
        return ([named] if named else []) + [f"#{name}", f"#f-{name}", f"#{dashed}", f"#f-{dashed}"]

    def focus_field(self, name: str) -> bool:
        """Put the cursor on the widget for input field `name`; False if there is none."""
        for selector in self.field_selectors(name):
            try:
                found = self.query(selector)  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - a name that is not a valid selector
                continue
            if found:
                widget = found.first()
                widget.focus()
                widget.scroll_visible(animate=False)
                return True
        return False
