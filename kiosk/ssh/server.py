"""The SSH server behind `kiosk serve-ssh`.

What a connection may do, in order:

1. Connect: at most `ssh_attempts_per_minute` connections per address, and a bounded
   number of connections in flight; otherwise it is closed at once (audited, at most
   once a minute per address so a flood cannot flood the audit trail).
2. Authenticate with a public key registered for a console user (`kiosk users
   add-key`). There is no password, keyboard-interactive, host-based or GSS login.
   The key chooses the console user; keys of deactivated users or of roles not in
   `remote_roles` are refused, with an authentication banner saying why. A connection
   that ends without authenticating is audited with every key it offered.
3. Open one session with a terminal and ask for a shell: it runs the console for that
   user (who still gives their console password there), up to `ssh_max_sessions`
   consoles at once. Exec requests, subsystems (SFTP and scp included), a second session on
   the same connection and sessions without a terminal are refused with a message and
   audited. Port forwarding (local, remote, Unix sockets, tun/tap), agent and X11
   forwarding are refused; forwarding requests are audited.
4. While a console runs, the server asks every few seconds whether its key is still
   registered and its account still active with a remote role; if not, the console is
   hung up (audited as `ssh.session_revoked`).
5. When the connection drops, the console's process group gets SIGHUP (the console
   records the logout and exits), then SIGKILL after a grace period.

The server opens the database itself for key look-ups and audit events; that work
runs on one worker thread so a busy database never stalls other connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import asyncssh

from kiosk.config import Settings
from kiosk.ssh.ratelimit import RateLimiter
from kiosk.ssh.session import ConsoleArgv, ConsoleChild, child_environment, clamp_size, console_argv

log = logging.getLogger("kiosk.ssh")

MAX_KEY_OFFERS = 6  # like OpenSSH's MaxAuthTries
LOGIN_TIMEOUT = 30.0  # seconds to authenticate
KEEPALIVE_INTERVAL = 30.0
KEEPALIVE_COUNT_MAX = 3
HANGUP_GRACE = 5.0
REFUSAL_AUDIT_INTERVAL = 60.0
REVOKE_CHECK_INTERVAL = 2.0  # seconds between checks that live sessions may go on

MSG_EXEC = "This server runs only the DSL console; commands cannot be run. Connect without a command.\r\n"
MSG_SUBSYSTEM = "This server runs only the DSL console; file transfer and subsystems are not available.\r\n"
MSG_NO_PTY = "The DSL console needs a terminal. Connect with: ssh -t ...\r\n"
MSG_SECOND = "One console per connection. Open another connection for another console.\r\n"
MSG_FULL = "The console has reached its limit of remote sessions. Try again later.\r\n"
MSG_FORWARDING = "Port forwarding is not allowed on this server"
MSG_FAILED = "The console could not be started. Tell the IT administrator.\r\n"
MSG_REVOKED = ("\r\nThis remote console has ended: its key was removed or the account changed. "
               "Ask the IT administrator.\r\n")
BANNER_INACTIVE = "This key's console account is deactivated. Ask the IT administrator.\r\n"
BANNER_ROLE = ("This key's console account may not use the console remotely "
               "(only the DSL team may). Ask the DSL or the IT administrator.\r\n")


@dataclass
class Who:
    """A stand-in actor for audit events written by the server."""

    username: str
    origin: str
    user_id: int | None = None


def _printable(value: Any, limit: int = 200) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text[:limit]


def _origin(peer) -> tuple[str, str]:
    """('203.0.113.5', 'ssh:203.0.113.5:51234') from a socket peername."""
    if not peer:
        return "?", "ssh:?"
    host, port = str(peer[0]), peer[1]
    shown = f"[{host}]" if ":" in host else host
    return host, f"ssh:{shown}:{port}"


class ConsoleServer:
    """The listener and everything shared between connections."""

    def __init__(self, settings: Settings, host_key, *, console_command: ConsoleArgv = console_argv,
                 hangup_grace: float = HANGUP_GRACE, login_timeout: float = LOGIN_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic,
                 revoke_interval: float = REVOKE_CHECK_INTERVAL) -> None:
        self.settings = settings
        self.host_key = host_key
        self.console_command = console_command
        self.hangup_grace = hangup_grace
        self.login_timeout = login_timeout
        self._clock = clock
        self.revoke_interval = revoke_interval
        self.limiter = RateLimiter(settings.ssh_attempts_per_minute, clock=clock)
        self.max_sessions = settings.ssh_max_sessions
        # Connections in flight (authenticating or not): bounded so a flood from many
        # addresses cannot exhaust the server; sessions are bounded separately.
        self.max_connections = settings.ssh_max_sessions * 2 + 16
        self.connections: set[_Connection] = set()
        self.sessions: set[_Session] = set()
        self._last_refusal_audit: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-ssh-db")
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._tasks: set[asyncio.Task] = set()
        self._closing = False
        self._watcher: asyncio.Task | None = None

    # --- lifecycle ----------------------------------------------------------------

    async def start(self, host: str, port: int) -> None:
        self._acceptor = await asyncssh.create_server(
            lambda: _Connection(self), host, port,
            server_host_keys=[self.host_key],
            process_factory=self._process,
            encoding=None,
            line_editor=False,
            allow_pty=True,
            password_auth=False,
            kbdint_auth=False,
            host_based_auth=False,
            gss_host=None,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            # asyncssh turns an SFTP request down by itself, before any of our code sees it,
            # when there is no factory: this one refuses it too, but on the audit trail.
            sftp_factory=self._refuse_sftp,
            login_timeout=self.login_timeout,
            keepalive_interval=KEEPALIVE_INTERVAL,
            keepalive_count_max=KEEPALIVE_COUNT_MAX,
            server_version="Server",  # say nothing about what it serves or its version
        )
        self._watcher = asyncio.get_running_loop().create_task(self._watch_sessions())

    async def _watch_sessions(self) -> None:
        """End each live console whose key was removed or whose account may no longer
        have one (deactivated, remote role taken away): within `revoke_interval` seconds."""
        from kiosk.services import ssh_keys

        while not self._closing:
            await asyncio.sleep(self.revoke_interval)
            for session in list(self.sessions):
                conn = session.conn
                if session.how is not None or conn.user_id is None or conn.fingerprint is None:
                    continue
                try:
                    reason = await self.db_call(ssh_keys.session_refusal, conn.user_id, conn.fingerprint,
                                                self.settings.remote_roles)
                except Exception:  # a busy database is not a revoked key: try again next time
                    log.exception("could not check the session of %s", conn.origin)
                    continue
                if reason and session.how is None:
                    log.info("ending console for %s at %s: %s", conn.username, conn.origin, reason)
                    await self.audit(conn.who(), "ssh.session_revoked",
                                     {"reason": reason, "fingerprint": conn.fingerprint}, "user", conn.user_id)
                    self.spawn(session.revoke())

    @property
    def port(self) -> int:
        assert self._acceptor is not None
        return self._acceptor.get_port()

    async def close(self) -> None:
        """Stop listening, hang up every console (waiting for each), close connections."""
        self._closing = True
        if self._watcher is not None:
            self._watcher.cancel()
        if self._acceptor is not None:
            self._acceptor.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._acceptor.wait_closed(), 5)
        await asyncio.gather(*(s.end("server stopped") for s in list(self.sessions)),
                             return_exceptions=True)
        for conn in list(self.connections):
            if conn.conn is not None:
                conn.conn.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.hangup_grace + 10)
        self._executor.shutdown(wait=True)

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- database work (one thread) -------------------------------------------------

    async def db_call(self, fn, *args, **kwargs):
        from kiosk.db import connection

        def run():
            with connection():
                return fn(*args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._executor, run)

    async def audit(self, who: Who, action: str, detail: dict | None = None,
                    target_type: str = "", target_id: Any = "") -> bool:
        from kiosk.services import audit

        try:
            await self.db_call(audit.record, who, action, target_type, target_id, detail or {})
            return True
        except Exception:  # the refusal still happens; say so on the server's log
            log.exception("could not write audit event %s for %s", action, who.origin)
            return False

    def audit_soon(self, who: Who, action: str, detail: dict | None = None,
                   target_type: str = "", target_id: Any = "") -> None:
        self.spawn(self.audit(who, action, detail, target_type, target_id))

    # --- admission --------------------------------------------------------------------

    def admit(self, conn: "_Connection") -> str | None:
        """None if the connection may go on, else why it is refused."""
        if self._closing:
            return "server stopping"
        if not self.limiter.allow(conn.address):
            return "rate limited"
        if len(self.connections) >= self.max_connections:
            return "too many connections"
        self.connections.add(conn)
        return None

    def audit_early_refusal(self, conn: "_Connection", reason: str) -> None:
        """Audit a refused connection, at most once a minute per address (with a count
        of the ones not audited since), so a flood cannot fill the audit trail."""
        now = self._clock()
        last = self._last_refusal_audit.get(conn.address)
        if last is not None and now - last < REFUSAL_AUDIT_INTERVAL:
            self._suppressed[conn.address] = self._suppressed.get(conn.address, 0) + 1
            return
        self._last_refusal_audit[conn.address] = now
        if len(self._last_refusal_audit) > 10_000:
            self._last_refusal_audit = {a: t for a, t in self._last_refusal_audit.items()
                                        if now - t < REFUSAL_AUDIT_INTERVAL}
        detail = {"reason": reason, "not_audited_since_last": self._suppressed.pop(conn.address, 0)}
        self.audit_soon(Who("?", conn.origin), "ssh.refused", detail)

    def reserve_session(self, session: "_Session") -> bool:
        if self._closing or len(self.sessions) >= self.max_sessions:
            return False
        self.sessions.add(session)
        return True

    # --- sessions -----------------------------------------------------------------------

    async def _refuse_sftp(self, chan) -> None:
        """An SFTP request (also what `scp` sends since OpenSSH 9): say no, audit, close."""
        conn = chan.get_extra_info("connection")
        owner = conn.get_owner() if conn is not None else None
        if isinstance(owner, _Connection) and owner.username is not None:
            log.info("refused SFTP for %s", owner.origin)
            await self.audit(owner.who(), "ssh.subsystem_refused", {"subsystem": "sftp"},
                             "user", owner.user_id)
        with contextlib.suppress(Exception):
            chan.write_stderr(MSG_SUBSYSTEM.encode())
            chan.exit(1)
        # Cancelled, not returned (asyncssh would serve SFTP) nor raised (it would drop the
        # whole connection as an internal error).
        raise asyncio.CancelledError

    async def _process(self, process: asyncssh.SSHServerProcess) -> None:
        conn = process.get_extra_info("connection")
        owner = conn.get_owner() if conn is not None else None
        if not isinstance(owner, _Connection):
            process.exit(1)
            return
        try:
            await owner.run_process(process)
        except Exception:
            log.exception("session for %s failed", owner.origin)
            with contextlib.suppress(Exception):
                process.stderr.write(MSG_FAILED.encode())
                process.exit(1)


class _Connection(asyncssh.SSHServer):
    """One SSH connection: its address, the keys it offered, the user its key chose."""

    def __init__(self, server: ConsoleServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address, self.origin = "?", "ssh:?"
        self.ssh_user = ""
        self.refused = False
        self.offers = 0
        self.decided: dict[str, bool] = {}
        self.refusals: list[dict] = []
        self.banner_sent = False
        self.candidate: tuple[str, int | None, str] | None = None  # (username, user id, fingerprint)
        self.allowed_keys: dict[str, tuple[str, int | None, str]] = {}
        self.refused_user: tuple[str, int | None] | None = None
        self.username: str | None = None
        self.user_id: int | None = None
        self.fingerprint: str | None = None
        self.session: _Session | None = None
        self._idle_timer: asyncio.TimerHandle | None = None

    def who(self) -> Who:
        return Who(self.username or "?", self.origin, self.user_id)

    # connection --------------------------------------------------------------------
    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.address, self.origin = _origin(conn.get_extra_info("peername"))
        reason = self.server.admit(self)
        if reason is not None:
            self.refused = True
            log.info("refused connection from %s: %s", self.origin, reason)
            self.server.audit_early_refusal(self, reason)
            conn.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self.session is not None:
            self.server.spawn(self.session.end("disconnect"))
        if self.refused or self.username is not None:
            return
        # Never authenticated: an unknown or refused key, garbage, a scan, a timeout.
        detail: dict[str, Any] = {"ssh_user": self.ssh_user}
        if self.refusals:
            detail["reason"] = "key refused"
            detail["keys"] = self.refusals
        elif isinstance(exc, asyncssh.ConnectionLost) and "timeout" in str(exc).lower():
            detail["reason"] = "login timeout"
        elif exc is None or isinstance(exc, asyncssh.ConnectionLost):
            detail["reason"] = "no key offered" if self.ssh_user else "disconnected before authenticating"
        else:
            detail["reason"] = "protocol error"
        if exc is not None:
            detail["error"] = _printable(exc)
        log.info("refused connection from %s: %s", self.origin, detail["reason"])
        name, user_id = self.refused_user or ("?", None)
        self.server.audit_soon(Who(name, self.origin, user_id), "ssh.refused", detail,
                               "user" if user_id else "", user_id or "")

    # authentication ----------------------------------------------------------------
    def begin_auth(self, username: str) -> bool:
        self.ssh_user = _printable(username, 64)
        return True  # always require authentication

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        from kiosk.services import ssh_keys

        fp = key.get_fingerprint("sha256")
        if fp in self.decided:  # the signed request after the query for the same key
            if self.decided[fp]:
                self.candidate = self.allowed_keys[fp]
            return self.decided[fp]
        self.offers += 1
        if self.offers > MAX_KEY_OFFERS:
            self.refusals.append({"fingerprint": fp, "reason": "too many keys offered"})
            if self.conn is not None:
                self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "Too many keys offered")
            return False
        try:
            match = await self.server.db_call(ssh_keys.user_for_key, key, self.server.settings.remote_roles)
        except Exception:
            log.exception("key look-up failed for %s", self.origin)
            self.refusals.append({"fingerprint": fp, "reason": "key look-up failed"})
            self.decided[fp] = False
            return False
        self.decided[fp] = match.allowed
        if match.allowed:
            self.allowed_keys[fp] = self.candidate = (match.username, match.user_id, fp)
            return True
        entry = {"fingerprint": fp, "reason": match.reason}
        if match.username:
            entry["username"] = match.username
            if self.refused_user is None:
                self.refused_user = (match.username, match.user_id)
        self.refusals.append(entry)
        if match.username and not self.banner_sent and self.conn is not None:
            self.banner_sent = True
            with contextlib.suppress(OSError):
                self.conn.send_auth_banner(BANNER_INACTIVE if match.reason == ssh_keys.INACTIVE else BANNER_ROLE)
        return False

    async def auth_completed(self) -> None:
        assert self.candidate is not None
        self.username, self.user_id, self.fingerprint = self.candidate
        log.info("%s authenticated as %s with key %s", self.origin, self.username, self.fingerprint)
        detail: dict[str, Any] = {"fingerprint": self.fingerprint, "ssh_user": self.ssh_user}
        if self.refusals:
            detail["keys_refused_first"] = self.refusals
        await self.server.audit(self.who(), "ssh.authenticated", detail, "user", self.user_id)
        # A connection that authenticates but never starts the console (e.g. `ssh -N`,
        # hoping to forward ports) is closed rather than left holding a place.
        self._idle_timer = asyncio.get_running_loop().call_later(
            self.server.login_timeout, self._close_if_no_session)

    def _close_if_no_session(self) -> None:
        if self.session is None and self.conn is not None and self.username is not None:
            log.info("closing %s: authenticated but started no console", self.origin)
            self.server.audit_soon(self.who(), "ssh.closed_without_session", {}, "user", self.user_id)
            self.conn.close()

    # forwarding: none of it ------------------------------------------------------------
    def _refuse_forward(self, kind: str, **detail) -> bool:
        log.info("refused %s forwarding for %s", kind, self.origin)
        self.server.audit_soon(self.who(), "ssh.forward_refused",
                               {"kind": kind, **{k: _printable(v) for k, v in detail.items()}})
        return False

    def connection_requested(self, dest_host, dest_port, orig_host, orig_port):
        self._refuse_forward("local", dest=f"{dest_host}:{dest_port}")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_FORWARDING)

    def server_requested(self, listen_host, listen_port):
        return self._refuse_forward("remote", listen=f"{listen_host}:{listen_port}")

    def unix_connection_requested(self, dest_path):
        self._refuse_forward("unix local", dest=dest_path)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_FORWARDING)

    def unix_server_requested(self, listen_path):
        return self._refuse_forward("unix remote", listen=listen_path)

    def tun_requested(self, unit):
        return self._refuse_forward("tun", unit=unit)

    def tap_requested(self, unit):
        return self._refuse_forward("tap", unit=unit)

    def session_requested(self):
        return False  # never reached: process_factory handles sessions

    # the session -----------------------------------------------------------------------
    async def _refuse(self, process, message: str, action: str, detail: dict | None = None) -> None:
        log.info("refused session for %s: %s", self.origin, action)
        with contextlib.suppress(Exception):
            process.stderr.write(message.encode())
        await self.server.audit(self.who(), action, detail or {}, "user", self.user_id)
        with contextlib.suppress(Exception):
            process.exit(1)

    async def run_process(self, process: asyncssh.SSHServerProcess) -> None:
        if self.username is None:
            process.exit(1)
            return
        if process.command is not None and process.command.split(None, 1)[:1] == ["scp"]:
            # Legacy scp: file transfer, refused as such.
            await self._refuse(process, MSG_SUBSYSTEM, "ssh.subsystem_refused",
                               {"subsystem": "scp", "command": _printable(process.command)})
            return
        if process.command is not None:
            await self._refuse(process, MSG_EXEC, "ssh.exec_refused", {"command": _printable(process.command)})
            return
        if process.subsystem is not None:
            await self._refuse(process, MSG_SUBSYSTEM, "ssh.subsystem_refused",
                               {"subsystem": _printable(process.subsystem)})
            return
        if process.get_terminal_type() is None:
            await self._refuse(process, MSG_NO_PTY, "ssh.no_terminal_refused")
            return
        if self.session is not None:
            await self._refuse(process, MSG_SECOND, "ssh.second_session_refused")
            return
        session = _Session(self, process)
        if not self.server.reserve_session(session):
            await self._refuse(process, MSG_FULL, "ssh.refused",
                               {"reason": "maximum sessions", "max": self.server.max_sessions})
            return
        self.session = session
        try:
            await session.run()
        finally:
            self.server.sessions.discard(session)


class _Session:
    """The console process serving one connection."""

    def __init__(self, conn: _Connection, process: asyncssh.SSHServerProcess) -> None:
        self.conn = conn
        self.process = process
        self.server = conn.server
        self.child: ConsoleChild | None = None
        self._ended: asyncio.Future | None = None
        self._end_lock = asyncio.Lock()
        self.how: str | None = None

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            if self.how is None:  # whatever went wrong, no console outlives its session
                await asyncio.shield(self.end("error"))

    async def _run(self) -> None:
        server, conn, process = self.server, self.conn, self.process
        width, height, _pw, _ph = process.get_terminal_size()
        argv = server.console_command(server.settings, conn.origin, conn.username)
        env = child_environment(server.settings, process.get_terminal_type(), process.env)
        self.child = child = ConsoleChild(argv, env, clamp_size(width, height),
                                          cwd=str(server.settings.data_dir))
        await child.start()
        log.info("console pid %s started for %s at %s", child.pid, conn.username, conn.origin)
        ok = await server.audit(conn.who(), "ssh.session_start",
                                {"pid": child.pid, "fingerprint": conn.fingerprint,
                                 "term": env["TERM"], "size": list(child.size)}, "user", conn.user_id)
        if not ok:  # fail closed: no console whose start is not on the audit trail
            with contextlib.suppress(Exception):
                process.stderr.write(MSG_FAILED.encode())
            await self.end("not audited")
            return
        # Keystrokes and window changes go straight to the PTY (asyncssh sets the
        # window size on it, and the kernel signals the console); output is pumped back.
        await process.redirect(stdin=os.dup(child.master))
        pump = asyncio.ensure_future(child.pump_output(process.stdout.write, process.stdout.drain))
        exited = asyncio.ensure_future(child.wait())
        closed = asyncio.ensure_future(process.channel.wait_closed())
        try:
            await asyncio.wait({exited, closed}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done() and not closed.done():
                # The console ended by itself: let its last output through, then close.
                with contextlib.suppress(asyncio.TimeoutError, Exception):
                    await asyncio.wait_for(asyncio.shield(pump), 2)
                await self.end("console exited")
            else:
                await self.end("disconnect")
        finally:
            for task in (pump, exited, closed):
                task.cancel()
            await asyncio.gather(pump, exited, closed, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait_closed(), 5)

    async def revoke(self) -> None:
        with contextlib.suppress(Exception):
            self.process.stderr.write(MSG_REVOKED.encode())
        await self.end("revoked")

    async def end(self, how: str) -> None:
        """Hang up the console (idempotent), record how it ended, close the channel."""
        async with self._end_lock:
            if self.how is not None:
                return
            self.how = how
            child = self.child
            status = None
            if child is not None:
                status = await child.hang_up(self.server.hangup_grace)
                child.close()
            self.server.sessions.discard(self)  # the console is gone: its place is free
            log.info("console for %s at %s ended (%s, status %s)", self.conn.username, self.conn.origin, how, status)
            await self.server.audit(self.conn.who(), "ssh.session_end",
                                    {"how": how, "status": status,
                                     "pid": child.pid if child else None}, "user", self.conn.user_id)
            with contextlib.suppress(Exception):
                self.process.exit(0 if status == 0 else 1)
