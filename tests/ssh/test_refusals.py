"""What the SSH server refuses, that each refusal is audited, and that it keeps serving.

These use a stand-in console (tests/ssh/standin_console.py): none of them needs the app.
"""

from __future__ import annotations

import asyncio
import json

import asyncssh
import pytest

from tests.ssh.helpers import (
    audit_rows,
    connect,
    connect_with_banner,
    read_until,
    standin_command,
    wait_for_audit,
)


@pytest.fixture
async def server(ssh_server, people, tmp_path):
    return await ssh_server(console_command=standin_command(tmp_path))


async def _still_serves(server, people):
    conn = await connect(server, people["dana"].key)
    async with conn:
        process = await conn.create_process(term_type="xterm", encoding=None)
        await read_until(process, b"READY")
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), 10)


async def test_a_staff_key_is_refused_with_a_message_and_audited(server, people):
    conn, error, banners = await connect_with_banner(server, people["sam"].key)
    assert conn is None and isinstance(error, asyncssh.PermissionDenied)
    assert any("may not use the console remotely" in b for b in banners)
    event = await wait_for_audit("ssh.refused")
    detail = json.loads(event.detail)
    assert event.actor == "sam" and event.origin.startswith("ssh:127.0.0.1:")
    assert detail["reason"] == "key refused"
    assert detail["keys"][0]["reason"] == "role not allowed remote access"
    assert detail["keys"][0]["fingerprint"] == people["sam"].key.get_fingerprint("sha256")
    await _still_serves(server, people)


async def test_an_unknown_key_is_refused_and_audited(server, people):
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    conn, error, banners = await connect_with_banner(server, stranger)
    assert conn is None and isinstance(error, asyncssh.PermissionDenied)
    assert banners == []  # nothing said to a stranger
    event = await wait_for_audit("ssh.refused")
    assert event.actor == "?"
    assert json.loads(event.detail)["keys"] == [
        {"fingerprint": stranger.get_fingerprint("sha256"), "reason": "unknown key"}]
    await _still_serves(server, people)


async def test_a_deactivated_users_key_is_refused_and_audited(server, people):
    conn, error, banners = await connect_with_banner(server, people["dora"].key)
    assert conn is None and isinstance(error, asyncssh.PermissionDenied)
    assert any("deactivated" in b for b in banners)
    event = await wait_for_audit("ssh.refused")
    assert event.actor == "dora"
    assert json.loads(event.detail)["keys"][0]["reason"] == "account deactivated"


async def test_a_removed_key_is_refused(server, people, admin):
    from kiosk.services import ssh_keys

    ssh_keys.remove_key(admin, "dana", people["dana"].key.get_fingerprint("sha256"))
    conn, error, _ = await connect_with_banner(server, people["dana"].key)
    assert conn is None and isinstance(error, asyncssh.PermissionDenied)
    await wait_for_audit("ssh.refused", reason="key refused")


async def test_no_password_or_keyboard_interactive_login(server, people):
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server, None, username="dana", password="correct-battery-staple-42",
                      client_keys=None, preferred_auth="password,keyboard-interactive")
    await wait_for_audit("ssh.refused", reason="no key offered", ssh_user="dana")
    assert audit_rows("ssh.authenticated") == []
    assert not [r for r in audit_rows("login.failure") + audit_rows("login.success")]


async def test_an_exec_request_is_refused_with_a_message(server, people):
    async with await connect(server, people["dana"].key) as conn:
        result = await asyncio.wait_for(conn.run("cat /etc/passwd", check=False), 10)
        assert result.exit_status == 1
        assert "commands cannot be run" in result.stderr
        assert "root:" not in result.stdout
    event = await wait_for_audit("ssh.exec_refused")
    assert event.actor == "dana" and json.loads(event.detail)["command"] == "cat /etc/passwd"
    assert audit_rows("ssh.session_start") == []


async def test_sftp_and_other_subsystems_are_refused(server, people):
    async with await connect(server, people["dana"].key) as conn:
        with pytest.raises((asyncssh.Error, OSError)):
            await asyncio.wait_for(conn.start_sftp_client(), 10)
        sftp = await wait_for_audit("ssh.subsystem_refused", subsystem="sftp")
        assert sftp.actor == "dana"
        # Legacy scp asks to run "scp -t": refused as a file transfer.
        result = await asyncio.wait_for(conn.run("scp -t /tmp", check=False), 10)
        assert result.exit_status == 1 and "file transfer" in result.stderr
        scp = await wait_for_audit("ssh.subsystem_refused", subsystem="scp")
        assert json.loads(scp.detail)["command"] == "scp -t /tmp"
        # The connection is still good for the console.
        process = await conn.create_process(subsystem="netconf", encoding=None)
        await asyncio.wait_for(process.wait_closed(), 10)
        assert process.exit_status == 1
    await wait_for_audit("ssh.subsystem_refused", subsystem="netconf")
    assert audit_rows("ssh.session_start") == []


async def test_a_session_without_a_terminal_is_refused(server, people):
    async with await connect(server, people["dana"].key) as conn:
        process = await conn.create_process(encoding=None)  # no term_type: no PTY
        stderr = await asyncio.wait_for(process.stderr.read(), 10)
        await asyncio.wait_for(process.wait_closed(), 10)
        assert b"needs a terminal" in stderr and process.exit_status == 1
    await wait_for_audit("ssh.no_terminal_refused")


async def test_port_forwarding_is_refused_and_audited(server, people):
    async with await connect(server, people["dana"].key) as conn:
        with pytest.raises(asyncssh.ChannelOpenError, match="not allowed"):
            await asyncio.wait_for(conn.open_connection("127.0.0.1", server.port), 10)
        with pytest.raises(asyncssh.ChannelListenError):
            await asyncio.wait_for(conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9), 10)
        with pytest.raises(asyncssh.ChannelOpenError):
            await asyncio.wait_for(conn.open_unix_connection("/run/some.sock"), 10)
    await wait_for_audit("ssh.forward_refused", kind="local", dest=f"127.0.0.1:{server.port}")
    await wait_for_audit("ssh.forward_refused", kind="remote")
    await wait_for_audit("ssh.forward_refused", kind="unix local")
    assert all(r.actor == "dana" for r in audit_rows("ssh.forward_refused"))


NOT_AUTHENTICATED = {"protocol error", "login timeout", "disconnected before authenticating"}


@pytest.mark.parametrize("garbage", [
    b"\x00\xff" * 4000,
    b"SSH-2.0-x\r\n" + b"\x00\x00\x10\x00" + b"\xff" * 5000,
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
])
async def test_garbage_on_the_port_is_refused_and_the_server_keeps_serving(server, people, garbage):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), 5)
    try:
        writer.write(garbage)
        await writer.drain()
        # The server closes on us, or (no line end yet) waits for more until its login
        # timeout; either way we hang up after a moment.
        await asyncio.wait_for(reader.read(), 1)
    except (ConnectionError, asyncio.TimeoutError):
        pass
    writer.close()
    event = await wait_for_audit("ssh.refused", reason=lambda r: r in NOT_AUTHENTICATED)
    assert event.origin.startswith("ssh:127.0.0.1:")
    await _still_serves(server, people)


async def test_connection_attempts_are_rate_limited_per_address(ssh_server, people, tmp_path):
    server = await ssh_server({"ssh_attempts_per_minute": 3}, console_command=standin_command(tmp_path))
    for _ in range(3):
        conn = await connect(server, people["dana"].key)
        conn.close()
        await conn.wait_closed()
    with pytest.raises((asyncssh.Error, OSError, asyncio.IncompleteReadError)):
        await connect(server, people["dana"].key)
    with pytest.raises((asyncssh.Error, OSError, asyncio.IncompleteReadError)):
        await connect(server, people["dana"].key)
    event = await wait_for_audit("ssh.refused", reason="rate limited")
    assert event.origin.startswith("ssh:127.0.0.1:")
    await asyncio.sleep(0.2)
    assert len([r for r in audit_rows("ssh.refused")
                if json.loads(r.detail)["reason"] == "rate limited"]) == 1  # not one per attempt


async def test_at_most_max_sessions_consoles_at_once(ssh_server, people, tmp_path):
    server = await ssh_server({"ssh_max_sessions": 1}, console_command=standin_command(tmp_path))
    first = await connect(server, people["dana"].key)
    p1 = await first.create_process(term_type="xterm", encoding=None)
    await read_until(p1, b"READY")
    async with await connect(server, people["lee"].key) as second:
        p2 = await second.create_process(term_type="xterm", encoding=None)
        stderr = await asyncio.wait_for(p2.stderr.read(), 10)
        await asyncio.wait_for(p2.wait_closed(), 10)
        assert b"limit of remote sessions" in stderr and p2.exit_status == 1
    event = await wait_for_audit("ssh.refused", reason="maximum sessions")
    assert event.actor == "lee"
    p1.stdin.write(b"q")  # the first console ends: a place is free again
    await asyncio.wait_for(p1.wait_closed(), 10)
    first.close()
    await _still_serves(server, people)


async def test_one_console_per_connection(server, people):
    async with await connect(server, people["dana"].key) as conn:
        p1 = await conn.create_process(term_type="xterm", encoding=None)
        await read_until(p1, b"READY")
        p2 = await conn.create_process(term_type="xterm", encoding=None)
        stderr = await asyncio.wait_for(p2.stderr.read(), 10)
        assert b"One console per connection" in stderr
        p1.stdin.write(b"q")
        await asyncio.wait_for(p1.wait_closed(), 10)
    await wait_for_audit("ssh.second_session_refused")


async def test_a_connection_that_starts_no_console_is_closed(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path), login_timeout=0.5)
    conn = await connect(server, people["dana"].key)
    await asyncio.wait_for(conn.wait_closed(), 10)
    event = await wait_for_audit("ssh.closed_without_session")
    assert event.actor == "dana"


async def test_a_client_that_never_authenticates_is_closed_and_audited(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path), login_timeout=0.5)
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), 5)
    writer.write(b"SSH-2.0-slowpoke\r\n")
    try:
        await asyncio.wait_for(reader.read(), 10)  # the server gives up on us
    except ConnectionError:
        pass
    writer.close()
    await wait_for_audit("ssh.refused", reason="login timeout")


def test_origins_name_the_address_and_port():
    from kiosk.ssh.server import _origin

    assert _origin(("203.0.113.5", 51234)) == ("203.0.113.5", "ssh:203.0.113.5:51234")
    assert _origin(("2001:db8::1", 22, 0, 0)) == ("2001:db8::1", "ssh:[2001:db8::1]:22")
    assert _origin(None) == ("?", "ssh:?")


@pytest.mark.parametrize("change", ["remove key", "deactivate", "take the remote role"])
async def test_a_live_console_ends_within_seconds_when_access_goes(ssh_server, people, admin, tmp_path,
                                                                   change):
    import time

    from kiosk.services import accounts, ssh_keys

    server = await ssh_server(console_command=standin_command(tmp_path), revoke_interval=0.2)
    conn = await connect(server, people["dana"].key)
    async with conn:
        process = await conn.create_process(term_type="xterm", encoding=None)
        await read_until(process, b"READY")
        start = await wait_for_audit("ssh.session_start")
        began = time.monotonic()
        if change == "remove key":
            ssh_keys.remove_key(admin, "dana", people["dana"].key.get_fingerprint("sha256"))
        elif change == "deactivate":
            accounts.deactivate(admin, "dana")
        else:
            accounts.set_roles(admin, "dana", ["staff"])
        await asyncio.wait_for(process.wait_closed(), 10)
        assert time.monotonic() - began < 5
    revoked = await wait_for_audit("ssh.session_revoked")
    assert revoked.actor == "dana"
    assert json.loads(revoked.detail)["reason"] == {
        "remove key": ssh_keys.REMOVED, "deactivate": ssh_keys.INACTIVE,
        "take the remote role": ssh_keys.ROLE}[change]
    end = await wait_for_audit("ssh.session_end", how="revoked")
    assert json.loads(end.detail)["pid"] == json.loads(start.detail)["pid"]
    assert not server.sessions
