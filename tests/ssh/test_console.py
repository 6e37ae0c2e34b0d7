"""End to end: asyncssh's client on loopback against `kiosk serve-ssh`'s server running
the real console (`python -m kiosk ... run --origin ssh:... --remote-user ...`)."""

from __future__ import annotations

import asyncio
import json
import re

import asyncssh

from kiosk.services import audit
from tests.conftest import STRONG_PASSWORD
from tests.ssh.helpers import Output, connect, pid_alive, wait_for_audit

HOME_TEXT = b"Home \xc2\xb7"  # the home screen's header (its last menu entry may be out of view)
ROW = re.compile(rb"\x1b\[(\d+);\d+H")  # cursor moves: the rows the app draws on


def school_name(settings) -> bytes:
    from kiosk.rules.profile import load_profile

    return load_profile(settings.profile_path).school_name.encode()


async def open_console(server, key, size=(100, 30)):
    conn = await connect(server, key)
    process = await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None)
    return conn, process, Output(process)


async def sign_in(process, output: Output, password: str = STRONG_PASSWORD) -> None:
    await output.wait_for(b"Password", timeout=30)
    await asyncio.sleep(0.3)  # let the password field take focus
    process.stdin.write(password.encode() + b"\r")


async def test_a_deputy_reaches_the_login_screen_and_signs_in(ssh_server, people, settings):
    server = await ssh_server()
    conn, process, output = await open_console(server, people["dana"].key)
    async with conn:
        screen = await output.wait_for(b"Password", timeout=30)
        await output.wait_for(school_name(settings))
        assert b"dana" in screen  # the key chose the account; only the password is asked
        assert b"Sign in" in screen
        # a wrong password first: refused like at the terminal, audited with the address
        await asyncio.sleep(0.3)
        mark = output.mark()
        process.stdin.write(b"not-the-password-at-all\r")
        await output.wait_for(b"not recognised", since=mark)
        failure = await wait_for_audit("login.failure")
        assert failure.actor == "dana" and failure.origin.startswith("ssh:127.0.0.1:")
        mark = output.mark()
        process.stdin.write(STRONG_PASSWORD.encode() + b"\r")
        await output.wait_for(HOME_TEXT, since=mark)
        success = await wait_for_audit("login.success")
        start = await wait_for_audit("ssh.session_start")
        assert success.actor == "dana" and success.origin == start.origin == failure.origin


async def test_a_resize_reaches_the_app(ssh_server, people):
    server = await ssh_server()
    conn, process, output = await open_console(server, people["lee"].key, size=(100, 30))
    async with conn:
        await output.wait_for(b"Password", timeout=30)
        drawn = {int(r) for r in ROW.findall(bytes(output.buf))}
        assert max(drawn) <= 30
        mark = output.mark()
        process.change_terminal_size(120, 41)
        # The app redraws for the new size: its footer moves to row 41.
        await output.wait_for(re.compile(rb"\x1b\[41;\d+H"), since=mark)
        mark = output.mark()
        process.change_terminal_size(90, 25)
        await output.wait_for(re.compile(rb"\x1b\[25;\d+H"), since=mark)
        await asyncio.sleep(0.3)
        late = bytes(output.buf[output.mark():])
        assert not [r for r in ROW.findall(late) if int(r) > 25]


async def test_a_disconnect_ends_the_console_and_records_a_logout(ssh_server, people):
    server = await ssh_server()
    conn, process, output = await open_console(server, people["dana"].key)
    await sign_in(process, output)
    await output.wait_for(HOME_TEXT)
    start = await wait_for_audit("ssh.session_start")
    pid = json.loads(start.detail)["pid"]
    assert pid_alive(pid)
    conn.abort()  # the connection drops
    logout = await wait_for_audit("session.disconnect", timeout=15)
    assert logout.actor == "dana" and logout.origin == start.origin
    end = await wait_for_audit("ssh.session_end", how="disconnect", timeout=15)
    assert json.loads(end.detail)["status"] == 0  # it left by itself on SIGHUP, not killed
    assert not pid_alive(pid)
    assert not server.sessions


async def test_five_remote_consoles_at_once_against_one_database(ssh_server, people, admin, make_user,
                                                                  settings):
    from kiosk.rules.profile import load_profile
    from kiosk.services import accounts, signoff, ssh_keys

    version = load_profile(settings.profile_path).procedures_version
    keys = {}
    for name in ("amir", "bea", "cal", "dev", "eve"):
        signoff.sign(make_user(name, "deputy_dsl"), version)
        keys[name] = asyncssh.generate_private_key("ssh-ed25519")
        ssh_keys.add_key(admin, name, keys[name].export_public_key().decode())
    server = await ssh_server()

    async def one(name):
        conn, process, output = await open_console(server, keys[name])
        await sign_in(process, output)
        await output.wait_for(HOME_TEXT, timeout=40)
        return conn

    conns = await asyncio.wait_for(asyncio.gather(*(one(n) for n in keys)), 90)
    try:
        assert len(server.sessions) == 5
        # meanwhile, someone signs in at the school's own terminal
        result = accounts.authenticate("lee", STRONG_PASSWORD, origin="terminal")
        accounts.record_logout(result.actor)
        successes = {r.actor: r.origin for r in _rows("login.success")}
        assert set(keys) <= set(successes) and successes["lee"] == "terminal"
        assert len({successes[n] for n in keys}) == 5  # each with its own address and port
    finally:
        for conn in conns:
            conn.close()
    await _wait_until(lambda: {r.actor for r in _rows("session.disconnect")} >= set(keys), 20)
    await _wait_until(lambda: not server.sessions, 20)
    assert audit.verify().ok  # six writers, one unbroken chain


def _rows(action):
    from kiosk.models import AuditEvent

    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


async def _wait_until(predicate, timeout):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)
