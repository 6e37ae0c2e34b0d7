"""One console process per SSH connection, in its own pseudo-terminal.

The child is started in a new session (setsid) and then makes the PTY its controlling
terminal (TIOCSCTTY) before exec'ing the console, so window-size changes reach it as
SIGWINCH and a hang-up reaches it as SIGHUP. It gets a clean environment: TERM and
COLORTERM from the client (checked), and only what it needs from the server (PATH,
HOME, LANG, KIOSK_DATA_DIR, KIOSK_DB_URL). COLUMNS/LINES and TEXTUAL_* are never set.

The database URL goes through the environment, not the command line, so a password
in it never shows in `ps`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import pty
import re
import signal
import struct
import sys
import termios
from typing import Callable, Mapping, Sequence

from kiosk.config import Settings

log = logging.getLogger("kiosk.ssh")

# Runs in the child between fork/setsid and the console: make the PTY (fd 0) the
# controlling terminal, then become the console. Kept tiny and in its own interpreter
# so nothing runs between fork and exec in the (threaded) server process.
LAUNCHER = (
    "import fcntl,os,sys,termios;"
    "fcntl.ioctl(0,termios.TIOCSCTTY,0);"
    "os.execv(sys.argv[1],sys.argv[1:])"
)

DEFAULT_TERM = "xterm"
DEFAULT_SIZE = (80, 24)
MAX_SIZE = 1000
_TERM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_COLORTERMS = {"truecolor", "24bit"}

# (settings, origin, remote_user) -> argv of the console
ConsoleArgv = Callable[[Settings, str, str], Sequence[str]]


def console_argv(settings: Settings, origin: str, remote_user: str) -> list[str]:
    """The real console: `python -m kiosk --data-dir D run --origin ... --remote-user ...`."""
    return [
        sys.executable, "-m", "kiosk", "--data-dir", str(settings.data_dir),
        "run", "--origin", origin, "--remote-user", remote_user,
    ]


def safe_term(value: str | None) -> str:
    if value and _TERM_RE.fullmatch(value):
        return value
    return DEFAULT_TERM


def child_environment(settings: Settings, term: str | None, client_env: Mapping,
                      server_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The console's whole environment. Nothing else the client sent is passed on."""
    server_env = os.environ if server_env is None else server_env
    env = {
        "PATH": server_env.get("PATH") or os.defpath,
        "HOME": server_env.get("HOME") or str(settings.data_dir),
        "LANG": _utf8_lang(server_env.get("LANG")),
        "TERM": safe_term(term),
        "KIOSK_DATA_DIR": str(settings.data_dir),
    }
    colorterm = _client_value(client_env, "COLORTERM")
    if colorterm in _COLORTERMS:
        env["COLORTERM"] = colorterm
    if settings.db_url:
        env["KIOSK_DB_URL"] = settings.db_url
    if server_env.get("CREDENTIALS_DIRECTORY"):
        # The service's own systemd credentials (the database key), never the client's.
        env["CREDENTIALS_DIRECTORY"] = server_env["CREDENTIALS_DIRECTORY"]
    return env


def _client_value(client_env: Mapping, name: str) -> str | None:
    for key, value in (client_env or {}).items():
        k = key.decode("ascii", "replace") if isinstance(key, bytes) else str(key)
        if k == name:
            v = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
            return v.strip().lower()
    return None


def _utf8_lang(value: str | None) -> str:
    if value and re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", value) and "utf" in value.lower():
        return value
    return "C.UTF-8"


def clamp_size(width: int, height: int) -> tuple[int, int]:
    if not width or not height:
        return DEFAULT_SIZE
    return max(1, min(int(width), MAX_SIZE)), max(1, min(int(height), MAX_SIZE))


def set_window_size(fd: int, width: int, height: int, pixwidth: int = 0, pixheight: int = 0) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, pixheight, pixwidth))


class ConsoleChild:
    """The console process for one session and its PTY."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int],
                 cwd: str | None = None) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.size = size
        self.cwd = cwd
        self.master: int | None = None
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode if self.proc else None

    async def start(self) -> None:
        master, slave = pty.openpty()
        try:
            set_window_size(slave, *self.size)
            os.set_blocking(master, False)
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-I", "-c", LAUNCHER, *self.argv,
                stdin=slave, stdout=slave, stderr=slave,
                env=self.env, cwd=self.cwd, start_new_session=True, close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child holds the only slave: its exit makes reads fail with EIO
        self.master = master

    async def pump_output(self, write: Callable[[bytes], None], drain) -> None:
        """Copy the console's output to the client until the PTY closes (child gone)."""
        loop = asyncio.get_running_loop()
        fd = self.master
        assert fd is not None
        while True:
            ready = loop.create_future()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            try:
                data = os.read(fd, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # EIO: every process holding the slave has gone
                return
            if not data:
                return
            write(data)
            await drain()

    async def wait(self, timeout: float | None = None) -> int | None:
        if self.proc is None:
            return None
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            return None

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def hang_up(self, grace: float) -> int | None:
        """SIGHUP the console's process group, wait `grace` seconds, then SIGKILL it.
        Returns the exit status, or None if there was no child."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self._signal_group(signal.SIGHUP)
            if await self.wait(grace) is None:
                log.warning("console pid %s ignored SIGHUP for %.0fs; killing it", self.proc.pid, grace)
                self._signal_group(signal.SIGKILL)
                await self.wait(10)
        self._signal_group(signal.SIGKILL)  # anything the console left in its group
        return self.proc.returncode

    def close(self) -> None:
        if self.master is not None:
            with contextlib.suppress(OSError):
                os.close(self.master)
            self.master = None
