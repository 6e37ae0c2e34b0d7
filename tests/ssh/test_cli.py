"""`kiosk serve-ssh` as a command: host key on first start, fingerprint printed, serves,
stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys

import asyncssh
import pytest

from kiosk.ssh import hostkey
from tests.conftest import TEST_DB_URL
from tests.ssh.helpers import wait_for_audit


async def _start(settings, errfile):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kiosk", "--data-dir", str(settings.data_dir),
        "serve-ssh", "--host", "127.0.0.1", "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=errfile, stdin=asyncio.subprocess.DEVNULL,
    )
    lines = []
    try:
        while not lines or not lines[-1].startswith("serving"):
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, f"serve-ssh ended early: {lines}"
            lines.append(line.decode().strip())
    except BaseException:
        proc.kill()
        await proc.wait()
        raise
    port = int(lines[-1].split(" on ")[1].split()[0].rsplit(":", 1)[1])
    return proc, lines, port


async def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 20)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise


async def test_serve_ssh_creates_the_host_key_prints_its_fingerprint_and_serves(people, settings, tmp_path):
    errfile = open(tmp_path / "serve.err", "wb")
    proc, lines, port = await _start(settings, errfile)
    try:
        path = hostkey.host_key_path(settings.data_dir)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        key = asyncssh.read_private_key(str(path))
        fp = hostkey.fingerprint(key)
        assert any(line.startswith("created host key") for line in lines)
        assert f"host key fingerprint: {fp}" in lines
        # a client that trusts only that host key connects; the console is all it may run
        async with await asyncio.wait_for(asyncssh.connect(
                "127.0.0.1", port, username="dana", client_keys=[people["dana"].key],
                known_hosts=([key.convert_to_public()], [], []), agent_path=None, config=None), 15) as conn:
            result = await asyncio.wait_for(conn.run("id", check=False), 10)
            assert result.exit_status == 1 and "commands cannot be run" in result.stderr
        await wait_for_audit("ssh.exec_refused")  # written by the server process itself
    finally:
        assert await _stop(proc) == 0
    # the second start keeps the key
    proc, lines, _port = await _start(settings, errfile)
    try:
        assert not any(line.startswith("created host key") for line in lines)
        assert f"host key fingerprint: {fp}" in lines
    finally:
        assert await _stop(proc) == 0
        errfile.close()


@pytest.mark.skipif(TEST_DB_URL is not None, reason="with PostgreSQL the database is not in the data dir")
async def test_serve_ssh_without_a_database_says_what_to_do(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "nothing-here"), "serve-ssh",
        "--host", "127.0.0.1", "--port", "0", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:  # never leave a server behind, even when failing
            proc.kill()
            await proc.wait()
    assert proc.returncode == 1
    assert b"kiosk init" in err
