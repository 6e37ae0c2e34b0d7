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


async def sign_in(process, output: Output, user_id: int, password: str = STRONG_PASSWORD) -> None:
    """The password, then the code from the person's authenticator."""
    from tests.console.helpers import authenticator_code

    await output.wait_for(b"Password", timeout=30)
    await asyncio.sleep(0.3)  # let the password field take focus
    mark = output.mark()
    process.stdin.write(password.encode() + b"\r")
    await output.wait_for(b"Code from your authenticator", since=mark, timeout=30)
    await asyncio.sleep(0.3)
    process.stdin.write(authenticator_code(user_id).encode() + b"\r")


async def test_a_deputy_signs_in_with_key_password_and_code(ssh_server, people, settings):
    from tests.console.helpers import authenticator_code

    dana = people["dana"].actor
    server = await ssh_server()
    conn, process, output = await open_console(server, people["dana"].key)
    async with conn:
        await output.wait_for(b"Password", timeout=30)
        await output.wait_for(school_name(settings))
        # The whole first screen (it can arrive in several reads).
        screen = await output.wait_for(b"Sign in", timeout=30)
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
        # key and password are not enough: the authenticator's code is asked for
        await output.wait_for(b"Code from your authenticator", since=mark)
        await asyncio.sleep(0.3)
        mark = output.mark()
        process.stdin.write(b"000000\r" if authenticator_code(dana.user_id) != "000000" else b"111111\r")
        await output.wait_for(b"not accepted", since=mark)
        refused = await wait_for_audit("2fa.failure")
        assert refused.actor == "dana" and refused.origin == failure.origin
        mark = output.mark()
        process.stdin.write(authenticator_code(dana.user_id).encode() + b"\r")
        await output.wait_for(HOME_TEXT, since=mark)
        success = await wait_for_audit("login.success")
        start = await wait_for_audit("ssh.session_start")
        assert success.actor == "dana" and success.origin == start.origin == failure.origin
        assert (await wait_for_audit("2fa.success")).origin == start.origin


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
    await sign_in(process, output, people["dana"].actor.user_id)
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
    from tests.console.helpers import enrol_authenticator

    ids = {}
    for name in ("amir", "bea", "cal", "dev", "eve"):
        actor = make_user(name, "deputy_dsl")
        signoff.sign(actor, version)
        enrol_authenticator(actor)
        ids[name] = actor.user_id
        keys[name] = asyncssh.generate_private_key("ssh-ed25519")
        ssh_keys.add_key(admin, name, keys[name].export_public_key().decode())
    server = await ssh_server()

    async def one(name):
        conn, process, output = await open_console(server, keys[name])
        await sign_in(process, output, ids[name])
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
    await _wait_until(lambda: {r.actor for r in _rows("session.disconnect")} >= set(keys), 60)
    await _wait_until(lambda: not server.sessions, 60)
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


async def test_a_deputy_sets_up_the_authenticator_over_ssh(ssh_server, people, admin, make_user, settings):
    """First remote sign-in of a deputy with no authenticator: the QR code and the key
    are drawn in the remote terminal; a code computed from the key shown turns it on."""
    import pyotp

    from kiosk.rules.profile import load_profile
    from kiosk.services import signoff, ssh_keys, two_factor

    nia = make_user("nia", "deputy_dsl")
    signoff.sign(nia, load_profile(settings.profile_path).procedures_version)
    key = asyncssh.generate_private_key("ssh-ed25519")
    ssh_keys.add_key(admin, "nia", key.export_public_key().decode())
    server = await ssh_server()
    conn, process, output = await open_console(server, key, size=(80, 24))
    async with conn:
        await output.wait_for(b"Password", timeout=30)
        await asyncio.sleep(0.3)
        mark = output.mark()
        process.stdin.write(STRONG_PASSWORD.encode() + b"\r")
        await output.wait_for(b"Set up your authenticator", since=mark)
        # (a style escape such as "...233m" may run straight into the first group)
        groups = re.compile(rb"(?<![A-Z0-9])([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4})(?![A-Z0-9])")
        await output.wait_for(re.compile(groups.pattern + rb"(?s:.*)" + groups.pattern), since=mark)
        shown = b"".join(b"".join(m) for m in groups.findall(bytes(output.buf[mark:]))[:2]).decode()
        assert len(shown) == 32
        assert "▀".encode() in bytes(output.buf[mark:])  # the QR code's half-blocks
        assert not two_factor.is_enrolled(nia.user_id)
        await asyncio.sleep(0.3)
        mark = output.mark()
        process.stdin.write(pyotp.TOTP(shown).now().encode() + b"\r")
        await output.wait_for(b"Recovery codes", since=mark)
        assert two_factor.is_enrolled(nia.user_id)
        mark = output.mark()
        process.stdin.write(b"\x19")  # ctrl+y: written down
        await output.wait_for(HOME_TEXT, since=mark)  # the home screen's header
        enrolled = [r for r in _rows("2fa.enrolled") if r.actor == "nia"]
        assert len(enrolled) == 1 and enrolled[0].origin.startswith("ssh:127.0.0.1:")
