"""Fixtures for the SSH server tests: people with keys, a server on loopback.

Every server binds 127.0.0.1 on a free port and is closed at the end of its test (which
hangs up and reaps every console); the test then checks that no console it started is
still alive.
"""

from __future__ import annotations

import asyncio

import asyncssh
import pytest

from tests.ssh.helpers import Person, pid_alive, started_pids


@pytest.fixture
def people(database, admin, make_user, settings):
    """dana (deputy DSL, signed the procedures), lee (DSL), sam (staff), dora (deputy,
    deactivated after her key was added). Each has a registered key; dana and lee have
    set up their authenticators (tests.console.helpers.authenticator_code gives a code)."""
    from kiosk.rules.profile import load_profile
    from kiosk.services import accounts, signoff, ssh_keys
    from tests.console.helpers import enrol_authenticator

    version = load_profile(settings.profile_path).procedures_version
    out = {}
    for name, role in (("dana", "deputy_dsl"), ("lee", "dsl"), ("sam", "staff"), ("dora", "deputy_dsl")):
        actor = make_user(name, role)
        signoff.sign(actor, version)
        if name in ("dana", "lee"):
            enrol_authenticator(actor)
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{name}@laptop")
        ssh_keys.add_key(admin, name, key.export_public_key().decode())
        out[name] = Person(name, key, actor)
    accounts.deactivate(admin, "dora")
    return out


# What puts the test run under libfaketime (scripts/test.sh, the PostgreSQL pass). The server
# gives each console a clean environment, which would leave the console on the real clock while
# the test computes authenticator codes on the faked one.
CLOCK_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "PYTHONPATH")


@pytest.fixture
async def ssh_server(settings, database, tmp_path, monkeypatch):
    """start(**options) -> a running ConsoleServer on 127.0.0.1; closed at the end, and
    every console it started must be gone. The consoles share the test run's clock."""
    import os

    from kiosk.ssh import hostkey, server as server_module
    from kiosk.ssh.server import ConsoleServer

    clean_environment = server_module.child_environment

    def same_clock(*args, **kwargs):
        env = clean_environment(*args, **kwargs)
        env.update({name: os.environ[name] for name in CLOCK_VARIABLES if name in os.environ})
        return env

    monkeypatch.setattr(server_module, "child_environment", same_clock)

    servers: list[ConsoleServer] = []

    async def start(settings_changes: dict | None = None, **options) -> ConsoleServer:
        changes = {"ssh_attempts_per_minute": 1000, **(settings_changes or {})}
        key, _path, _created = hostkey.load_or_create(settings.data_dir)
        server = ConsoleServer(settings.with_(**changes), key, **options)
        await server.start("127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for server in servers:
        await asyncio.wait_for(server.close(), 30)
    for pid in started_pids():
        assert not pid_alive(pid), f"console pid {pid} is still running after the server closed"
