"""The PTY plumbing, with a stand-in console that reports what it sees."""

from __future__ import annotations

import asyncio
import json
import re


from tests.ssh.helpers import Output, connect, pid_alive, standin_command, wait_for_audit


async def test_the_console_gets_its_own_pty_a_clean_environment_and_the_user(ssh_server, people, tmp_path,
                                                                              settings):
    server = await ssh_server(console_command=standin_command(tmp_path))
    async with await connect(server, people["dana"].key, username="someone-else") as conn:
        process = await conn.create_process(
            term_type="xterm-256color", term_size=(101, 33), encoding=None,
            env={"COLUMNS": "7", "LINES": "3", "TEXTUAL_DRIVER": "evil", "COLORTERM": "truecolor",
                 "LD_PRELOAD": "/tmp/x.so", "KIOSK_DB_URL": "sqlite:////tmp/other.db"})
        output = Output(process)
        await output.wait_for(re.compile(rb"ARGS .*\r\n"))
        out = output.buf.decode()
        ready = re.search(r"READY pid=(\d+) size=(\S+) ctty=(\S+) fg=(\S+) sid=(\S+)", out)
        assert ready, out
        assert ready.group(2) == "101x33"
        assert ready.group(3, 4, 5) == ("yes", "True", "True")  # controlling terminal, foreground
        env_names = set(re.search(r"ENV (\S+)", out).group(1).split(","))
        expected = {"PATH", "HOME", "LANG", "TERM", "COLORTERM", "KIOSK_DATA_DIR"}
        if settings.db_url:  # PostgreSQL: the server's URL, never the client's
            expected.add("KIOSK_DB_URL")
        assert env_names == expected
        assert "TERM xterm-256color COLORTERM truecolor" in out
        # the key chose the user, whatever the SSH login name; the origin is the address
        assert re.search(r"ARGS ssh:127\.0\.0\.1:\d+ dana", out), out
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), 10)
        assert process.exit_status == 0
    end = await wait_for_audit("ssh.session_end", how="console exited")
    start = await wait_for_audit("ssh.session_start")
    assert end.actor == start.actor == "dana"
    assert json.loads(start.detail)["pid"] == int(ready.group(1))


async def test_a_resize_reaches_the_console(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path))
    async with await connect(server, people["dana"].key) as conn:
        process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        output = Output(process)
        await output.wait_for(b"size=80x24")
        process.change_terminal_size(132, 43)
        await output.wait_for(b"SIZE 132x43")
        process.change_terminal_size(60, 20)
        await output.wait_for(b"SIZE 60x20")
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait_closed(), 10)


async def test_a_dropped_connection_hangs_up_the_console(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path))
    conn = await connect(server, people["dana"].key)
    process = await conn.create_process(term_type="xterm", encoding=None)
    pid = int((await Output(process).wait_for(re.compile(rb"READY pid=(\d+) "))).group(1))
    conn.abort()  # the network goes away
    await wait_for_audit("ssh.session_end", how="disconnect")
    assert (tmp_path / f"hup-{pid}").exists()  # it got SIGHUP
    assert not pid_alive(pid)
    assert not server.sessions


async def test_a_console_ignoring_sighup_is_killed_after_the_grace(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path, "ignore-hup"), hangup_grace=0.5)
    conn = await connect(server, people["dana"].key)
    process = await conn.create_process(term_type="xterm", encoding=None)
    pid = int((await Output(process).wait_for(re.compile(rb"READY pid=(\d+) "))).group(1))
    conn.close()
    event = await wait_for_audit("ssh.session_end", how="disconnect")
    assert json.loads(event.detail)["status"] == -9  # SIGKILL
    assert not pid_alive(pid)
    assert not (tmp_path / f"hup-{pid}").exists()


async def test_stopping_the_server_hangs_up_every_console(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path))
    conns, pids = [], []
    for name in ("dana", "lee"):
        conn = await connect(server, people[name].key)
        process = await conn.create_process(term_type="xterm", encoding=None)
        pids.append(int((await Output(process).wait_for(re.compile(rb"READY pid=(\d+) "))).group(1)))
        conns.append(conn)
    await asyncio.wait_for(server.close(), 20)
    for pid in pids:
        assert not pid_alive(pid)
        assert (tmp_path / f"hup-{pid}").exists()
    await wait_for_audit("ssh.session_end", how="server stopped")
    for conn in conns:
        await asyncio.wait_for(conn.wait_closed(), 10)


async def test_a_console_whose_start_cannot_be_audited_is_not_kept(ssh_server, people, tmp_path):
    server = await ssh_server(console_command=standin_command(tmp_path), hangup_grace=0.5)
    real_audit = server.audit

    async def audit_failing_at_start(who, action, *args, **kwargs):
        if action == "ssh.session_start":
            return False  # as if the database refused the write
        return await real_audit(who, action, *args, **kwargs)

    server.audit = audit_failing_at_start
    async with await connect(server, people["dana"].key) as conn:
        process = await conn.create_process(term_type="xterm", encoding=None)
        stderr = await asyncio.wait_for(process.stderr.read(), 10)
        await asyncio.wait_for(process.wait_closed(), 10)
        assert b"could not be started" in stderr and process.exit_status == 1
    end = await wait_for_audit("ssh.session_end", how="not audited")
    assert not pid_alive(json.loads(end.detail)["pid"])
    assert not server.sessions
