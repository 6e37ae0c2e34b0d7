"""Start-up time and resident memory, measured the way a person meets the console.

Method (the same for both programs): a fresh Python process is started on a new
pseudo-terminal of 80x24 (its own session, the PTY its controlling terminal, TERM set,
no COLUMNS/LINES); the clock runs from just before the process is spawned until the
text of the first screen ("Password", the label above the password box) has been
written to the terminal, read from the PTY with the escape sequences stripped. That
includes the interpreter, every import, opening the database and the first paint.

- the console: `python -m kiosk --data-dir DIR run` on the bench's database;
- the minimal app: `python -c` with a Textual App holding two Labels and two Inputs.

Runs alternate between the two, and the medians are compared. Beside the wall clock, the
CPU time the process had used when the screen appeared (utime + stime from /proc/PID/stat,
every thread) is compared too: on a shared machine the wall clock also counts the time
other work held the CPU, the CPU time does not. Resident memory (VmRSS from
/proc/PID/status) is read one second after the login screen appears. Every child is
ended (SIGTERM, then SIGKILL) and reaped before the next starts.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass

MARKER = b"Password"
TIMEOUT = 60.0

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Input, Label

class Minimal(App):
    def compose(self):
        yield Label("Username")
        yield Input(id="username")
        yield Label("Password")
        yield Input(id="password", password=True)

Minimal().run()
"""

_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\x1b[()#][0-9A-Za-z]")


@dataclass
class Launch:
    seconds: float
    rss_mib: float | None
    cpu_ms: float | None = None


def _child_setup() -> None:  # runs in the child between fork and exec
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_ms(pid: int) -> float | None:
    """CPU time (user + system, all threads) a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After "pid (comm)": state is fields[0], so utime (field 14) is fields[11].
    return (int(fields[11]) + int(fields[12])) * 1000 / _TICK


def launch(argv: list[str], env: dict | None = None, measure_rss: bool = False,
           settle: float = 1.0, timeout: float = TIMEOUT) -> Launch:
    """Start argv on a fresh 80x24 PTY; seconds until MARKER is on screen (and RSS)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    child_env = {k: v for k, v in (env or os.environ).items()
                 if not k.startswith("TEXTUAL") and k not in ("COLUMNS", "LINES")}
    child_env["TERM"] = "xterm-256color"
    seen = b""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=child_env,
                            preexec_fn=_child_setup, close_fds=True)
    os.close(slave)
    try:
        deadline = started + timeout
        elapsed = None
        while elapsed is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{argv[-1]!r} showed no login screen within {timeout:g} s")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    raise RuntimeError(f"exited with {proc.returncode} before the first screen: "
                                       + _ESCAPES.sub(b"", seen).decode(errors="replace")[-300:])
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                raise RuntimeError("exited before the first screen: "
                                   + _ESCAPES.sub(b"", seen).decode(errors="replace")[-300:]) from None
            seen += chunk
            if MARKER in _ESCAPES.sub(b"", seen[-200_000:]):
                elapsed = time.perf_counter() - started
                cpu = cpu_ms(proc.pid)
        rss = None
        if measure_rss:
            until = time.perf_counter() + settle
            while time.perf_counter() < until:  # keep draining so the app never blocks on output
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        os.read(master, 65536)
                    except OSError:
                        break
            rss = rss_mib(proc.pid)
        return Launch(elapsed, rss, cpu)
    finally:
        _stop(proc)
        os.close(master)


@dataclass
class Startup:
    console_ms: float
    minimal_ms: float
    ratio: float
    console_rss_mib: float | None
    minimal_rss_mib: float | None
    runs: int
    console_cpu_ms: float | None = None
    minimal_cpu_ms: float | None = None
    cpu_ratio: float | None = None
    load_average: tuple[float, float] | None = None  # 1-minute load before and after


def measure(data_dir: str, db_url: str | None = None, runs: int = 7) -> Startup:
    """Median start-up of the console vs the minimal app, runs alternating; RSS of each."""
    console = [sys.executable, "-m", "kiosk", "--data-dir", data_dir]
    if db_url:
        console += ["--db-url", db_url]
    console.append("run")
    minimal = [sys.executable, "-c", MINIMAL_APP]
    env = dict(os.environ)
    env.pop("KIOSK_DB_URL", None)
    # As installed: pip writes the bytecode at install time. Without this a shell that sets
    # PYTHONDONTWRITEBYTECODE would have every start compile each changed module from
    # source again (the warm-up start below writes what is missing).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = os.getloadavg()[0]
    # Warm the page cache for both (the first start after a build reads every .pyc from disk).
    launch(console, env)
    launch(minimal, env)
    c: list[Launch] = []
    m: list[Launch] = []
    for _ in range(runs):
        c.append(launch(console, env))
        m.append(launch(minimal, env))
    c_rss = launch(console, env, measure_rss=True).rss_mib
    m_rss = launch(minimal, env, measure_rss=True).rss_mib
    cm = statistics.median(x.seconds for x in c) * 1000
    mm = statistics.median(x.seconds for x in m) * 1000
    c_cpu = [x.cpu_ms for x in c if x.cpu_ms is not None]
    m_cpu = [x.cpu_ms for x in m if x.cpu_ms is not None]
    c_cpu_ms = statistics.median(c_cpu) if c_cpu else None
    m_cpu_ms = statistics.median(m_cpu) if m_cpu else None
    return Startup(round(cm, 1), round(mm, 1), round(cm / mm, 2),
                   round(c_rss, 1) if c_rss else None, round(m_rss, 1) if m_rss else None, runs,
                   c_cpu_ms, m_cpu_ms,
                   round(c_cpu_ms / m_cpu_ms, 2) if c_cpu_ms and m_cpu_ms else None,
                   (round(load_before, 2), round(os.getloadavg()[0], 2)))
