"""The console application: one Textual app per terminal (or SSH session).

The app owns the session: who is signed in (`app.actor`), the login -> password change ->
procedures sign-off -> home sequence, the idle lock and the hide-screen key, and the
drafts kept when a session ends mid-form. Each stage runs in a fresh screen *mode*, and
the previous mode is removed whole, so nothing of a session survives on screen after it
ends (no screen underneath is ever resumed).

Lock-down: the app declares every key it answers to (inherit_bindings=False, no command
palette), ctrl+c / ctrl+q / ctrl+z log out, only Cap.APP_EXIT leaves the program, and
`check_action` allow-lists the app actions that may run at all (a second wall against
actions smuggled in through markup).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.screens import registry
from kiosk.widgets import textual_fixes
from kiosk.widgets.typed import is_priority_key, keys_sent_handled

log = logging.getLogger(__name__)

textual_fixes.apply()  # a Textual cache that would keep 1,024 widgets' line caches for ever

# Environment variables that change what Textual does (import a driver module, write
# logs or screenshots, open a devtools connection, let ctrl+c raise SIGINT).
TEXTUAL_ENV_PREFIX = "TEXTUAL"

# The only app-level actions that may run. Everything else (quit, screenshot,
# simulate_key, push_screen, command_palette, ...) is refused even if a markup
# `[@click=app....]` or a stray binding asks for it.
APP_ACTIONS = frozenset(
    {
        "logout",
        "hide_screen",
        "contacts",
        "whistleblowing",
        "exit_console",
        "focus_next",
        "focus_previous",
        "bell",
        "table_edge",
    }
)
_NEEDS_LOGIN = frozenset({"logout", "contacts", "whistleblowing", "exit_console"})

LOCK_NOTICES = {
    "idle_lock": "The screen locked after {minutes} without use. Sign in to carry on.",
    "hide_screen": "The screen was hidden. Sign in to carry on.",
    "logout": "Signed out.",
    "disconnect": "",
    "account_changed": "Your account was changed by the IT administrator (access, roles or "
                       "password), so you were signed out. Sign in again to carry on.",
}

HIDE_KEY = "f12"

# The styles of every screen but the login screen (app.tcss): added once the login screen is
# drawn, so the first paint parses only what it shows.
SESSION_CSS = Path(__file__).with_name("session.tcss")


def harden_environment(environ: dict | None = None) -> list[str]:
    """Drop every TEXTUAL* variable and re-read Textual's constants. Returns what was removed.

    textual.constants reads the environment at import time, so the module is reloaded
    after the variables are gone (the app module already imported textual).
    """
    env = os.environ if environ is None else environ
    removed = [k for k in list(env) if k.startswith(TEXTUAL_ENV_PREFIX)]
    for key in removed:
        del env[key]
    if environ is None:
        import textual.constants

        importlib.reload(textual.constants)
    return removed


class RecordsOpened(Message):
    """From the thread that opens the database after the first paint: done (with the school
    profile, if it was read there too), or `error`."""

    def __init__(self, error: BaseException | None = None, profile=None) -> None:
        super().__init__()
        self.error = error
        self.profile = profile


class AlertsArrived(Message):
    """From the alert watcher's thread: new alerts for the signed-in user (kiosk/alert_watch.py)."""

    def __init__(self, generation: int, notices) -> None:
        super().__init__()
        self.generation = generation
        self.notices = notices


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = round(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class KioskApp(App, inherit_bindings=False):
    CSS_PATH = "app.tcss"
    # The first stage is the first login screen itself (a mode of its own like every later
    # stage, see _fresh_stack): Textual's blank default screen is never made, styled and
    # then switched away from before the login screen can be drawn.
    DEFAULT_MODE = "stage-0"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "DSL console"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    IDLE_POLL_SECONDS = 1.0
    AUTOSAVE_SECONDS = 5  # while typing; a killed console loses at most this much
    # New alerts must reach an open console within 5 seconds (kiosk/alert_watch.py).
    ALERT_POLL_SECONDS = 2.0
    MAIL_DRAIN_SECONDS = 15.0  # only with [mail] in config.toml

    BINDINGS = [
        # priority: the keys log out whatever has focus (Input binds ctrl+c to copy).
        Binding(HIDE_KEY, "hide_screen", "Hide", priority=True),
        Binding("ctrl+b", "hide_screen", "Hide", show=False, priority=True),
        Binding("ctrl+q", "logout", "Log out", priority=True),
        Binding("ctrl+c", "logout", "Log out", show=False, priority=True),
        Binding("ctrl+z", "logout", "Log out", show=False, priority=True),
        Binding("f1", "contacts", "Contacts"),
        Binding("f2", "whistleblowing", "Whistleblow"),
        # Home/End in any table: its first/last row (kiosk/widgets/tables.py).
        Binding("home", "table_edge('first')", "First row", show=False, priority=True),
        Binding("end", "table_edge('last')", "Last row", show=False, priority=True),
    ]

    def __init__(
        self,
        settings: Settings,
        profile,
        *,
        kiosk_mode: bool = True,
        origin: str = "terminal",
        remote_user: str | None = None,
        idle_seconds: int | None = None,
        open_records: Callable[[], object] | None = None,
        school_name: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        # None until open_records has read it (then `school_name` is what the login shows).
        self.profile = profile
        self._school_name = school_name
        self.kiosk_mode = kiosk_mode
        self.origin = origin
        self.remote_user = remote_user
        self.idle_seconds = int(idle_seconds or settings.idle_timeout_seconds)
        self.actor = None
        self.last_activity = utcnow()
        self.last_lock_reason: str | None = None
        self._mode_seq = 0
        # The first login screen. Unlike _fresh_stack's screens it is left for Textual to
        # restyle as its mode starts (marked up to date by hand, it came out on a real
        # terminal with its text in the background's colour).
        self.add_mode(self.DEFAULT_MODE, self._login_screen)
        self._locking = False
        # Keys sent before the login screen of a lock was shown (typed after the hide or
        # log-out key in the same burst) are dropped, not typed there: see lock_session.
        self._dropping_keys = False
        self._activity = 0  # input events so far; autosave runs only after new ones
        self._autosaved_at = 0
        self._autosaved: dict[str, dict] = {}  # form_id -> the state last autosaved
        # Held while a draft is written or dropped: an autosave worker that began before a
        # save either finishes first (and the save then drops its draft) or sees that the
        # form's draft_epoch moved on and writes nothing.
        self.draft_lock = threading.Lock()
        self.alert_watcher = None
        # The database, when the app is given it to open (`kiosk run`): opened in a thread
        # once the login screen is drawn (and the profile read there, if not given). Until
        # then no one can sign in (the login screen waits), and a failure ends the app with
        # the error in `open_error`.
        self._open_records = open_records
        self.records_open = open_records is None
        self.open_error: BaseException | None = None
        self._records_thread: threading.Thread | None = None
        from kiosk.config import auto_theme

        theme = settings.theme or auto_theme()
        if theme in self.available_themes:
            self.theme = theme

    @property
    def school_name(self) -> str:
        return self.profile.school_name if self.profile is not None else (self._school_name or "")

    # --- screens and modes ----------------------------------------------------------

    async def _fresh_stack(self, screen: Screen) -> None:
        """Show `screen` as the only screen, discarding every screen before it."""
        self._load_session_css()  # already done after the first paint, unless a test came first
        self._mode_seq += 1
        name = f"stage-{self._mode_seq}"
        old = self.current_mode
        # A new screen is styled from the app's current stylesheet when it mounts. Textual
        # takes a screen whose CSS counter is behind the app's for one that missed a change
        # and re-parses every stylesheet loaded so far, twice per mode switch (~20 ms at the
        # login screen, more with every screen visited): this one has missed nothing.
        screen._css_update_count = self._css_update_count
        self.add_mode(name, lambda: screen)
        await self.switch_mode(name)
        await self.remove_mode(old)

    def _login_screen(self, notice: str = "", asleep: bool = False) -> Screen:
        return registry.screen_class("login")(notice=notice, asleep=asleep)

    async def on_mount(self) -> None:
        self.call_after_refresh(self._after_first_paint)
        self.set_interval(self.IDLE_POLL_SECONDS, self.idle_tick, name="idle lock")
        if self.AUTOSAVE_SECONDS:
            self.set_interval(self.AUTOSAVE_SECONDS, self.autosave_tick, name="autosave")
        if self.records_open:
            self._start_alert_watch()

    def _after_first_paint(self) -> None:
        _settle_gc()
        if not self.records_open and self._records_thread is None:
            self._records_thread = threading.Thread(target=self._open_records_thread,
                                                    name="open records", daemon=True)
            self._records_thread.start()
        self._load_session_css()

    def _load_session_css(self) -> None:
        """Add session.tcss after app.tcss (their rules keep the order they had as one file)."""
        if self.stylesheet.has_source(os.path.abspath(SESSION_CSS)):
            return
        self.stylesheet.read(SESSION_CSS)
        self.stylesheet.parse()
        self.stylesheet.update(self.screen)

    def _open_records_thread(self) -> None:
        try:
            profile = self._open_records()
        except BaseException as exc:  # noqa: BLE001 - whatever it is, the app ends and says it
            self.post_message(RecordsOpened(exc))
        else:
            self.post_message(RecordsOpened(profile=profile))

    def on_records_opened(self, message: RecordsOpened) -> None:
        if message.error is not None:
            self.open_error = message.error
            self.exit(return_code=1)
            return
        if self.profile is None and message.profile is not None:
            shown = self.school_name
            self.profile = message.profile
            if self.profile.school_name != shown:
                refresh = getattr(self.screen, "show_school_name", None)
                if callable(refresh):
                    refresh()
        if self.profile is None:  # pragma: no cover - open_records reads it when not given
            self.open_error = RuntimeError("the school profile was not read")
            self.exit(return_code=1)
            return
        self.records_open = True
        self._start_alert_watch()
        waiting = getattr(self.screen, "records_opened", None)
        if callable(waiting):
            waiting()

    def wait_for_records(self, timeout: float) -> None:
        """After the app has ended: let an open still under way finish (an upgrade of the
        schema is not left to be cut off at exit), for up to `timeout` seconds."""
        if self._records_thread is not None:
            self._records_thread.join(timeout)

    def _start_alert_watch(self) -> None:
        from kiosk.alert_watch import AlertWatcher

        # post_message is thread-safe and does not wait, so the watcher never blocks on the UI.
        self.alert_watcher = AlertWatcher(
            lambda gen, notices: self.post_message(AlertsArrived(gen, notices)),
            poll_seconds=self.ALERT_POLL_SECONDS, mail_settings=self.settings.mail,
            mail_seconds=self.MAIL_DRAIN_SECONDS)
        self.alert_watcher.start()

    def on_unmount(self) -> None:
        if self.alert_watcher is not None:
            self.alert_watcher.stop()

    # --- alerts that arrive -----------------------------------------------------------

    def _watch_alerts(self, actor) -> None:
        """Announce alerts for `actor` (None: nobody) that arrive from now on."""
        if self.alert_watcher is None:
            return
        start = None
        if actor is not None:
            from kiosk import db as dbmod
            from kiosk.services import alerts

            try:
                # Taken before the home counts are read, so nothing falls between the two.
                with dbmod.translate_errors():
                    start = alerts.latest_id(actor)
            except KioskError:
                log.exception("could not read the newest alert")
        self.alert_watcher.follow(actor, start)

    def on_alerts_arrived(self, message: "AlertsArrived") -> None:
        self.alerts_arrived(message.generation, message.notices)

    def alerts_arrived(self, generation: int, notices) -> None:
        """On the UI thread: a content-free notice (a bell when urgent), fresh home counts."""
        from kiosk.services.alerts import notice_text

        if (self.actor is None or self.alert_watcher is None
                or generation != self.alert_watcher.generation or not notices):
            return
        urgent = any(n.urgent for n in notices)
        title = "New concern" if len(notices) == 1 else "New concerns"
        self.notify(notice_text(notices), title=f"{title} (urgent)" if urgent else title,
                    severity="error" if urgent else "warning", timeout=30 if urgent else 15,
                    markup=False)
        if urgent:
            self.bell()
        if isinstance(self.screen, registry.screen_class("home")):
            self.screen.refresh_counts()

    # --- idle detection -------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseUp, events.MouseMove,
                              events.MouseScrollDown, events.MouseScrollUp, events.Paste)):
            self.last_activity = utcnow()
            self._activity += 1
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)) and not event.is_forwarded:
            screen = self.screen_stack[-1] if self.screen_stack else None
            if self._dropping_keys and isinstance(event, (events.Key, events.Paste)):
                return  # sent before the lock's login screen showed (see lock_session)
            if getattr(screen, "asleep", False):
                # A console locked while nobody used it is woken by a key (or a click): that
                # key is not typed into the login screen's field.
                screen.wake()
                if isinstance(event, events.Key):
                    return
            elif isinstance(event, events.Key) and screen is not None and is_priority_key(screen, event.key):
                # A priority key (save, hide, log out) acts on everything typed before it.
                await keys_sent_handled(self)
        await super().on_event(event)

    def forget_closed_nodes(self) -> int:
        """Drop the app's references to widgets that have been removed. Returns how many.

        A widget that watches an app attribute (`self.watch(self.app, "theme", ...)`, as
        Textual's TextArea does) or subscribes to an app signal (`app.theme_changed_signal`,
        as textual-plotext's plot does) is kept by the app until that attribute changes or
        the signal fires, which in a console session is never: every form and chart ever
        shown would stay in memory with its screen's data. Textual applies the same tests
        when it does prune them.
        """
        from textual.signal import Signal

        dropped = 0
        watchers = getattr(self, "__watchers", None) or {}
        for callbacks in watchers.values():
            kept = [(node, cb) for node, cb in callbacks if not getattr(node, "_closing", False)]
            dropped += len(callbacks) - len(kept)
            callbacks[:] = kept
        for value in list(vars(self).values()):
            if isinstance(value, Signal):
                subscriptions = getattr(value, "_subscriptions", None) or {}
                for node in list(subscriptions.keys()):
                    if getattr(node, "_closing", False) or getattr(node, "_closed", False):
                        subscriptions.pop(node, None)
                        dropped += 1
        return dropped

    def idle_for(self) -> float:
        return (utcnow() - self.last_activity).total_seconds()

    async def idle_tick(self) -> None:
        """Called every second: lock when the signed-in user has been idle too long, or
        when their account changed (the services already refuse such a session)."""
        self.forget_closed_nodes()
        if self.actor is not None and self.idle_for() >= self.idle_seconds:
            await self.lock_session("idle_lock")
        elif self.actor is not None and not self._account_current():
            await self.lock_session("account_changed")

    def _account_current(self) -> bool:
        from kiosk.services.actor import account_current

        try:
            return account_current(self.actor)
        except Exception:  # noqa: BLE001 - a busy database is not a changed account
            log.exception("could not check the account")
            return True

    def account_changed(self) -> None:
        """A service refused this session as stale (SessionEnded): back to the login screen."""
        if self.actor is not None:
            self.call_later(self.lock_session, "account_changed")

    # --- the session ----------------------------------------------------------------

    def begin_session(self, result, step=None) -> None:
        """Called by the login screen with accounts.LoginResult and, when a second factor
        is due, two_factor.LoginStep ("verify" or "enrol"): the session begins after it."""
        if step is not None and step.kind in ("verify", "enrol"):
            self.call_later(self._second_factor, result, step)
        else:
            self.call_later(self._begin_session, result)

    async def _second_factor(self, result, step) -> None:
        self.last_activity = utcnow()
        if step.kind == "verify":
            await self._fresh_stack(registry.screen_class("two_factor_code")(result))
        else:
            await self._fresh_stack(registry.screen_class("two_factor_enrol")(result, step.notice))

    async def show_recovery_codes(self, result, codes) -> None:
        await self._fresh_stack(registry.screen_class("recovery_codes")(result, codes))

    def second_factor_done(self, result) -> None:
        self.call_later(self._begin_session, result)

    async def abandon_sign_in(self, notice: str = "") -> None:
        """Back to a fresh login screen from a step before the session (no one signed in)."""
        self.clear_notifications()
        await self._fresh_stack(self._login_screen(notice))

    async def _begin_session(self, result) -> None:
        self.actor = result.actor
        self.last_activity = utcnow()
        self._previous_login_at = result.previous_login_at
        self._login_result = result
        if result.must_change_password:
            await self._fresh_stack(registry.screen_class("password")(forced=True))
        else:
            await self.password_done()

    async def password_done(self) -> None:
        """After the forced password change (or none): the procedures gate, then home."""
        from kiosk.services import signoff

        if self.actor is None:
            return
        if signoff.needs_signoff(self.actor, self.profile):
            await self._fresh_stack(registry.screen_class("signoff")())
        else:
            await self.enter_home()

    async def signoff_done(self) -> None:
        await self.enter_home()

    async def enter_home(self) -> None:
        from kiosk.clock import fmt_local
        from kiosk.services import drafts

        if self.actor is None:
            return
        self._watch_alerts(self.actor)
        await self._fresh_stack(registry.screen_class("home")())
        previous = getattr(self, "_previous_login_at", None)
        if previous is not None:
            self.notify(f"Last signed in {fmt_local(previous)}. Not you? Tell the IT administrator.",
                        markup=False, timeout=6)
        result = getattr(self, "_login_result", None)
        failed = getattr(result, "failed_since_last", 0)
        if failed:
            since = "since you last signed in" if previous is not None else "before this first sign-in"
            attempts = "1 failed sign-in attempt" if failed == 1 else f"{failed} failed sign-in attempts"
            self.notify(f"{attempts} on your account {since}. Not you? Tell the IT administrator "
                        "and the DSL.", severity="warning", markup=False, timeout=12)
        reset_at = getattr(result, "password_reset_at", None)
        if reset_at is not None:
            self.notify(f"Your password was reset by the IT administrator on {fmt_local(reset_at)}. "
                        "If you did not ask for this, tell the headteacher.",
                        severity="warning", markup=False, timeout=12)
        kept = drafts.list_drafts(self.actor)
        if kept:
            await self.push_screen(registry.screen_class("restore_drafts")(kept))

    def _draftables(self) -> list[tuple]:
        """Every form and dialog on the stack with something typed in it, as
        (screen, form_id, "module:Class", state, title). Never raises."""
        out = []
        for screen in list(self.screen_stack):
            form_id = getattr(screen, "form_id", "")
            if not form_id or not callable(getattr(screen, "form_state", None)):
                continue
            try:
                if screen.has_content():
                    title = screen.draft_title or getattr(screen, "SCREEN_TITLE", "") or form_id
                    out.append((screen, form_id, screen.screen_class_path(), screen.form_state(), title))
            except Exception:  # noqa: BLE001 - the lock must happen whatever a form does
                log.exception("could not read a draft of %s", form_id)
        return out

    def _save_drafts(self, actor) -> int:
        """Keep every form and dialog in progress as the user's private draft. Never raises."""
        from kiosk.services import drafts, unit

        saved = 0
        for screen, form_id, path, state, title in self._draftables():
            try:
                with self.draft_lock:
                    screen.draft_epoch += 1  # an older autosave still running writes nothing
                    unit.run(drafts.save_draft, actor, form_id, path, state, title=title)
                saved += 1
            except Exception:  # noqa: BLE001 - the lock must happen whatever a form does
                log.exception("could not keep a draft of %s", form_id)
        self._autosaved.clear()
        return saved

    def autosave_tick(self) -> None:
        """Every few seconds while someone types: keep what changed as their draft, so a
        killed process or a power cut loses at most those seconds. The writes run in a
        worker; an unchanged form is not written again."""
        actor = self.actor
        if actor is None or self._locking or self._activity == self._autosaved_at:
            return
        self._autosaved_at = self._activity
        # A form being saved (busy) is left alone: its save drops its draft.
        pending = [(*d, d[0].draft_epoch) for d in self._draftables()
                   if self._autosaved.get(d[1]) != d[3] and not getattr(d[0], "busy", False)]
        if not pending:
            return
        for d in pending:
            self._autosaved[d[1]] = d[3]
        work = textual_fixes.forgetting_worker(lambda: self._autosave(actor, pending))
        self.run_worker(work, thread=True, group="autosave",
                        exit_on_error=False)

    def _autosave(self, actor, pending) -> None:
        from kiosk.services import drafts, unit

        for screen, form_id, path, state, title, epoch in pending:
            with self.draft_lock:
                # A form saved, left or kept at the lock since this state was read (its
                # draft_epoch moved on), or gone, drops or keeps its own draft: this older
                # state must not come back after it as unfinished work.
                if (screen.draft_epoch != epoch or getattr(screen, "busy", False)
                        or not screen.is_attached):
                    continue
                try:
                    unit.run(drafts.save_draft, actor, form_id, path, state, title=title, autosave=True)
                except Exception:  # noqa: BLE001 - typing must never be interrupted by this
                    log.exception("could not autosave a draft of %s", form_id)

    async def lock_session(self, reason: str) -> None:
        """End the session (idle_lock, hide_screen, logout, disconnect): keep drafts,
        audit, and show a fresh login screen with nothing of the session left."""
        if self._locking:
            return
        self._locking = True
        try:
            actor = self.actor
            self.last_lock_reason = reason
            self._end_session(reason)
            notice = LOCK_NOTICES.get(reason, "").format(minutes=_minutes(self.idle_seconds))
            if actor is None:
                notice = ""
            self.clear_notifications()
            # After an idle lock the next person's first key only wakes the console.
            asleep = actor is not None and reason == "idle_lock"
            await self._fresh_stack(self._login_screen(notice, asleep=asleep))
            # The keys typed after the hide or log-out key in the same burst (and any typed
            # while the session closed) wait in the app's queue and would land in the new
            # login screen's username field: text from a private form on the locked screen.
            # They are dropped until this callback, queued behind them, runs; a key sent
            # after it (someone starting to type at the login screen) is typed as usual.
            self._dropping_keys = True
            self.call_later(self._stop_dropping_keys)
            # Once the session's screens are gone, hand back the memory they used.
            self.set_timer(1.0, self._release_session_memory, name="release memory")
        finally:
            self._locking = False

    def _stop_dropping_keys(self) -> None:
        self._dropping_keys = False

    def _release_session_memory(self) -> None:
        from kiosk import memory

        if self.actor is None:
            self.forget_closed_nodes()
            textual_fixes.clear_drawing_caches()
            memory.release()

    def hangup(self) -> None:
        """SIGHUP (SSH connection dropped): record the logout and leave."""
        self._end_session("disconnect")
        self.exit(0)

    def _end_session(self, reason: str) -> None:
        """Stop the alert watch, keep what was being typed as drafts, and record the logout."""
        actor = self.actor
        self._watch_alerts(None)
        if actor is None:
            return
        self._save_drafts(actor)
        self.actor = None
        try:
            from kiosk.services import accounts, unit

            unit.wait_idle(2.0)  # what the session started is audited before its end
            accounts.record_logout(actor, reason)
        except Exception:  # noqa: BLE001 - an audit failure must not keep the session open
            log.exception("could not record %s", reason)

    # --- drafts ---------------------------------------------------------------------

    async def restore_draft(self, draft_id: int) -> bool:
        """Open one of the user's drafts in its form, then delete the draft."""
        from kiosk.screens.base import FormScreen, KioskScreen
        from kiosk.services import drafts

        if self.actor is None:
            return False
        try:
            data = drafts.load_draft(self.actor, draft_id)
        except KioskError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        cls = _draft_screen(data.screen)
        dialog = data.state.get("dialog")
        wanted = KioskScreen if dialog else FormScreen
        if cls is None or not (isinstance(cls, type) and issubclass(cls, wanted)):
            self.notify("That draft's form is not available in this version of the console; "
                        "it has been kept.", severity="warning", markup=False)
            return False
        try:
            if dialog:
                # A dialog's draft: open the screen it came from, then the dialog, filled in.
                args = [a for a in data.state.get("args") or [] if isinstance(a, (int, str))]
                screen = cls(*args)
                screen.reopen_dialog(str(dialog), dict(data.state.get("values") or {}))
                await self.push_screen(screen)
            else:
                screen = cls()
                await self.push_screen(screen)
                screen.load_form_state(data.state)
                screen.refresh_guidance()
        except Exception:  # noqa: BLE001 - a changed form must not lose the draft
            log.exception("could not restore draft %s", draft_id)
            self.notify("The draft could not be put back into the form; it has been kept.",
                        severity="error", markup=False)
            return False
        drafts.delete_draft(self.actor, draft_id, "restored")
        self.notify("Your draft is back. It is no longer kept separately.", markup=False)
        return True

    # --- menu -----------------------------------------------------------------------

    def screen_available(self, entry) -> bool:
        return registry.available(entry.screen)

    def open_entry(self, entry) -> bool:
        """Push the screen of a kiosk.screens.session.menu entry (its module loads on first use)."""
        if self.actor is None or not self.actor.can(entry.capability):
            return False
        if not self.screen_available(entry):
            self.notify(f"{entry.label}: not available yet.", severity="warning", markup=False)
            return False
        cls = registry.screen_class(entry.screen)
        if cls is None:
            self.notify(f"{entry.label}: not available yet.", severity="warning", markup=False)
            return False
        self.push_screen(cls())
        return True

    # --- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in APP_ACTIONS:
            return False
        if action in _NEEDS_LOGIN and self.actor is None:
            return False
        if action == "exit_console" and not self.actor.can(Cap.APP_EXIT):
            return False
        if action == "whistleblowing" and not registry.available("whistleblowing"):
            return False
        return True

    def action_table_edge(self, edge: str) -> None:
        from kiosk.widgets.tables import to_edge

        to_edge(self, edge)

    async def action_logout(self) -> None:
        await self.lock_session("logout")

    async def action_hide_screen(self) -> None:
        await self.lock_session("hide_screen")

    def action_contacts(self) -> None:
        if self.actor is None or not self.actor.can(Cap.CONTACTS_VIEW):
            return
        cls = registry.screen_class("contacts")
        if not isinstance(self.screen, cls):
            self.push_screen(cls())

    def action_whistleblowing(self) -> None:
        if self.actor is None or not self.actor.can(Cap.WHISTLEBLOW_VIEW):
            return
        cls = registry.screen_class("whistleblowing")
        if cls is not None and not isinstance(self.screen, cls):
            self.push_screen(cls())

    def action_exit_console(self) -> None:
        from kiosk.services import accounts, audit
        from kiosk.services.actor import require

        actor = self.actor
        if actor is None:
            return
        try:
            require(actor, Cap.APP_EXIT)
        except KioskError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        audit.record(actor, "app.exit")
        accounts.record_logout(actor, "logout")
        self.actor = None
        self.exit(0)

    def get_system_commands(self, screen):  # no palette, but never offer Screenshot either
        return iter(())


def _settle_gc() -> None:
    """After the first paint: if the entry point held off the cyclic collector during
    start-up (kiosk.cli.console.run), move everything made so far out of its reach and
    turn it back on. (A no-op when it was never off, as in tests.)"""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _draft_screen(path: str):
    """A draft's "module:Class" -> the screen class, or None. Only a screen class the
    console defines (kiosk.screens.base.SCREENS) can be named: a draft's stored path is
    data and must not choose arbitrary code."""
    from kiosk.screens import base, load_draft_screens

    load_draft_screens()
    found = base.SCREENS.get(path)
    if found is None:
        # A draft kept before a screen's module moved: the same class, by its name alone
        # (screen class names are unique in the console).
        name = path.rpartition(":")[2]
        same = [cls for key, cls in base.SCREENS.items() if key.rpartition(":")[2] == name]
        found = same[0] if len(same) == 1 else None
    return found


def make_app(
    settings: Settings,
    *,
    kiosk_mode: bool = True,
    origin: str = "terminal",
    remote_user: str | None = None,
    profile=None,
    idle_seconds: int | None = None,
    open_records: Callable[[], object] | None = None,
    school_name: str | None = None,
) -> KioskApp:
    """Build the app exactly as users get it (tests call this too). With `school_name` and
    no `profile`, `open_records` reads the profile (after the first paint)."""
    if profile is None and not (school_name and open_records is not None):
        from kiosk.rules import load_profile

        profile = load_profile(settings.profile_path)
    return KioskApp(settings, profile, kiosk_mode=kiosk_mode, origin=origin,
                    remote_user=remote_user, idle_seconds=idle_seconds, open_records=open_records,
                    school_name=school_name)


def _has_terminal() -> bool:
    try:
        # Textual draws on stderr, so all three must be the terminal.
        return sys.stdin.isatty() and sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _close_pool() -> None:
    """On PostgreSQL, end the process's pooled connections once the service calls still
    running in workers have finished (or two seconds have passed)."""
    dbmod = sys.modules.get("kiosk.db")  # not imported: nothing was opened
    if dbmod is None or not dbmod.is_pooled():
        return
    from kiosk.services import unit

    unit.wait_idle(2.0)
    try:
        dbmod.close_pool()
    except Exception:  # noqa: BLE001 - the console has ended; the server drops the rest
        log.debug("closing the database connections failed", exc_info=True)


def run_console(settings: Settings, kiosk_mode: bool = True, origin: str = "terminal",
                remote_user: str | None = None,
                open_records: Callable[[], object] | None = None,
                profile=None, school_name: str | None = None) -> int:
    """Run the console on this process's terminal until an admin exits or SIGHUP.

    `open_records`: opens the database once the login screen is drawn (kiosk.cli.console),
    and returns the school profile when `profile` is not given (`school_name` is shown until
    then); an error it raises ends the console and is raised here, after the terminal is
    restored. Without it the database must already be open."""
    if not _has_terminal():
        print("kiosk: the console needs a terminal (stdin, stdout and stderr must be a TTY).",
              file=sys.stderr)
        return 1
    if kiosk_mode:
        harden_environment()
    try:
        app = make_app(settings, kiosk_mode=kiosk_mode, origin=origin, remote_user=remote_user,
                       open_records=open_records, profile=profile, school_name=school_name)
    except ValueError as exc:  # rules.ProfileError names the file and key
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        handlers: list[int] = []
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, app.hangup)
                handlers.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        try:
            await app.run_async()
        finally:
            for sig in handlers:
                loop.remove_signal_handler(sig)

    asyncio.run(main())
    app.wait_for_records(timeout=30)
    _close_pool()
    if app.open_error is not None:
        raise app.open_error
    return app.return_code or 0
