"""Helpers for the SSH server tests: a stand-in console, an asyncssh client, reading
the PTY until something appears, waiting for the server's audit events."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

HERE = Path(__file__).resolve().parent
STANDIN = HERE / "standin_console.py"


@dataclass
class Person:
    username: str
    key: asyncssh.SSHKey
    actor: object


def standin_command(marker_dir: Path, mode: str = "normal"):
    """A stand-in console (tests/ssh/standin_console.py) instead of the real app."""

    def command(settings, origin, remote_user):
        return [sys.executable, str(STANDIN), str(marker_dir), mode, origin, remote_user]

    return command


def started_pids() -> list[int]:
    from kiosk.models import AuditEvent

    rows = AuditEvent.select().where(AuditEvent.action == "ssh.session_start")
    return [json.loads(r.detail)["pid"] for r in rows]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purposes only once reaped; check /proc.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class BannerClient(asyncssh.SSHClient):
    def __init__(self) -> None:
        self.banners: list[str] = []

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banners.append(msg)


async def connect(server, key=None, username: str = "whoever", **kwargs):
    """An asyncssh client connection to the server, checking its host key."""
    host_key = server.host_key.convert_to_public()
    options = dict(username=username, client_keys=[key] if key is not None else None,
                   known_hosts=([host_key], [], []), agent_path=None, config=None,
                   connect_timeout=10)
    options.update(kwargs)
    return await asyncio.wait_for(asyncssh.connect("127.0.0.1", server.port, **options), 15)


async def connect_with_banner(server, key, **kwargs):
    holder: list[BannerClient] = []

    def factory():
        client = BannerClient()
        holder.append(client)
        return client

    try:
        conn = await connect(server, key, client_factory=factory, **kwargs)
    except asyncssh.PermissionDenied as exc:
        return None, exc, holder[0].banners if holder else []
    return conn, None, holder[0].banners if holder else []


class Output:
    """Everything a client process has printed so far, and waiting for more."""

    def __init__(self, process) -> None:
        self.process = process
        self.buf = bytearray()

    def mark(self) -> int:
        return len(self.buf)

    async def wait_for(self, needle: bytes | re.Pattern, timeout: float = 20.0, since: int = 0):
        """Read until `needle` (bytes or a compiled bytes regex) appears after `since`;
        returns the match (regex) or the output so far (bytes). Fails on timeout or EOF."""
        deadline = time.monotonic() + timeout
        while True:
            window = bytes(self.buf[since:])
            if isinstance(needle, re.Pattern):
                found = needle.search(window)
                if found:
                    return found
            elif needle in window:
                return bytes(self.buf)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {needle!r}; last output: {window[-800:]!r}")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), remaining)
            except asyncio.TimeoutError:
                continue
            if not chunk:
                raise AssertionError(f"output ended before {needle!r}; last output: {window[-800:]!r}")
            self.buf.extend(chunk)


async def read_until(process, needle: bytes, timeout: float = 20.0) -> bytes:
    return await Output(process).wait_for(needle, timeout)


async def wait_for_audit(action: str, timeout: float = 10.0, **detail_match):
    """Poll the audit trail (the server writes from its own thread) for an event whose
    detail matches (a value, or a predicate on the value)."""
    from kiosk.models import AuditEvent

    deadline = time.monotonic() + timeout
    while True:
        for row in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq):
            detail = json.loads(row.detail)
            if all(v(detail.get(k)) if callable(v) else detail.get(k) == v
                   for k, v in detail_match.items()):
                return row
        if time.monotonic() > deadline:
            seen = [(r.action, r.detail) for r in AuditEvent.select().order_by(AuditEvent.seq)]
            raise AssertionError(f"no audit event {action} {detail_match}; trail: {seen}")
        await asyncio.sleep(0.05)


def audit_rows(action: str):
    from kiosk.models import AuditEvent

    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))
