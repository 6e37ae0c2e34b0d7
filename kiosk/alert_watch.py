"""The console's background watcher: alerts that arrive while it is open, and mail notices.

A thread per console process. Every `poll_seconds` it asks the database (the channel
between consoles, which over SSH are separate processes) "anything new for this user
since alert id N" and hands what it found to a callback; the app shows a content-free
notice. When the school has a mail relay (`[mail]` in config.toml) a second thread drains
the mail outbox every `mail_seconds`, so a relay that hangs never holds up alerts. Each
thread keeps one database connection of its own, so a poll costs one indexed query, never
a reconnect, and nothing here runs on the UI thread. No Textual here: the app passes a
callback that posts a message to its own thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


class AlertWatcher:
    """Start once per app; `follow` the signed-in user (or None); `stop` at exit."""

    def __init__(self, on_notices: Callable[[int, list], None], *, poll_seconds: float = 2.0,
                 mail_settings=None, mail_seconds: float = 15.0) -> None:
        self.on_notices = on_notices
        self.poll_seconds = poll_seconds
        self.mail_settings = mail_settings
        self.mail_seconds = mail_seconds
        self._lock = threading.Lock()
        self._actor = None
        self._start_id: int | None = None
        self._generation = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.polls = 0  # completed polls (tests wait on it instead of sleeping)

    # --- called from the UI thread ------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._threads.append(threading.Thread(target=self._run_alerts, name="alert watcher", daemon=True))
        if self.mail_settings is not None:
            # Its own thread: a relay that hangs until its timeout must not hold up alerts.
            self._threads.append(threading.Thread(target=self._run_mail, name="mail sender", daemon=True))
        for thread in self._threads:
            thread.start()

    def follow(self, actor, start_id: int | None) -> int:
        """Watch for `actor` from alert id `start_id` on (None: stop watching). Returns the
        generation that callbacks carry, so a late report for an ended session is dropped."""
        with self._lock:
            self._generation += 1
            self._actor = actor
            self._start_id = start_id
            return self._generation

    @property
    def generation(self) -> int:
        return self._generation

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        threads, self._threads = self._threads, []
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    # --- the thread ---------------------------------------------------------------------

    def _run_alerts(self) -> None:
        from kiosk.db import db

        cursor = None
        cursor_gen = -1
        try:
            while not self._stop.is_set():
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                if self._stop.is_set():
                    break
                with self._lock:
                    actor, start_id, gen = self._actor, self._start_id, self._generation
                try:
                    if db.obj is None:
                        continue
                    db.connect(reuse_if_open=True)
                    if actor is None:
                        cursor = None
                    else:
                        if cursor is None or cursor_gen != gen:
                            from kiosk.services.alerts import AlertCursor

                            cursor, cursor_gen = AlertCursor(actor, start_id), gen
                        notices = cursor.poll()
                        if notices:
                            self.on_notices(gen, notices)
                except Exception:  # noqa: BLE001 - a lost database must not end the watcher
                    log.exception("alert watcher: poll failed")
                    _close(db)
                self.polls += 1
        finally:
            _close(db)

    def _run_mail(self) -> None:
        from kiosk.db import db
        from kiosk.services import mail

        try:
            while not self._stop.is_set():
                try:
                    if db.obj is not None:
                        db.connect(reuse_if_open=True)
                        mail.send_pending(self.mail_settings, origin="console:mail")
                except Exception:  # noqa: BLE001 - try again next time; failures are audited
                    log.exception("mail sender: drain failed")
                    _close(db)
                self._stop.wait(self.mail_seconds)
        finally:
            _close(db)


def _close(db) -> None:
    try:
        if db.obj is not None and not db.is_closed():
            db.close()
    except Exception:  # noqa: BLE001
        log.debug("alert watcher: closing the connection failed", exc_info=True)
