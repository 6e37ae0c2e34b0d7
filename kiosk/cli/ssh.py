"""`kiosk serve-ssh`: serve the console to remote deputy DSLs over SSH."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from kiosk.cli.common import open_db


def serve(args) -> int:
    settings = open_db(args, create=False)
    from kiosk.ssh import hostkey
    from kiosk.ssh.server import ConsoleServer

    key, path, created = hostkey.load_or_create(settings.data_dir)
    fp = hostkey.fingerprint(key)
    if created:
        print(f"created host key {path}")
    print(f"host key fingerprint: {fp}")
    print("  (give this to remote users: their ssh client shows it on first connection)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        stream=sys.stderr)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        server = ConsoleServer(settings, key)
        await server.start(args.host, args.port)
        print(f"serving the console over SSH on {args.host}:{server.port} "
              f"(at most {settings.ssh_max_sessions} sessions; roles: {', '.join(settings.remote_roles)})")
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            print("stopping: hanging up every remote console", file=sys.stderr)
            await server.close()
        return 0

    try:
        return asyncio.run(main())
    except OSError as exc:
        from kiosk.errors import ConfigError

        raise ConfigError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
