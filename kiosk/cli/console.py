"""`kiosk run` (the default) and `kiosk demo`: start the console."""

from __future__ import annotations

import gc
import sys

from kiosk.cli.common import open_db, settings_from


def start_up(args) -> None:
    """Called by kiosk.cli.main before `run`, ahead of anything that imports the database
    layer: the part of start-up to the login screen that is not the console's own code."""
    # Start-up makes tens of thousands of objects that live as long as the process (modules,
    # classes, CSS rules); the cyclic collector would walk them again and again before the
    # first screen is drawn. The app freezes them and turns it back on after the first
    # paint (kiosk.app._settle_gc).
    gc.disable()
    from kiosk import memory

    memory.limit_arenas()  # before any thread allocates (kiosk/memory.py)
    if not settings_from(args).db_url:
        _import_peewee_for_sqlite()


def run(args) -> int:
    settings = open_db(args, create=False)
    from kiosk.app import run_console

    return run_console(
        settings,
        kiosk_mode=not getattr(args, "no_kiosk", False),
        origin=getattr(args, "origin", "terminal"),
        remote_user=getattr(args, "remote_user", None),
    )


# Drivers peewee probes for when it is imported; psycopg2 alone costs ~15 ms of start-up.
_SERVER_DRIVERS = ("psycopg2", "psycopg2cffi", "psycopg", "pymysql", "MySQLdb")


def _import_peewee_for_sqlite() -> None:
    """A console on SQLite never talks to a database server: import peewee without letting
    it load the server drivers. Only peewee's own PostgreSQL/MySQL classes are left
    without a driver in this process; the drivers themselves stay importable."""
    if "peewee" in sys.modules:
        return
    blocked = [name for name in _SERVER_DRIVERS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # "import X" raises ImportError
    try:
        import peewee  # noqa: F401
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def demo(args) -> int:
    from kiosk.config import demo_data_dir, load_settings
    from kiosk.demo import seed
    from kiosk.demo.profile import install_demo_profile
    from kiosk.schema import open_database

    if not 80 <= args.pupils <= 5000:
        from kiosk.errors import ValidationError

        # The seeders give each early-help group, concern pattern and agency case
        # pupils of its own; fewer than 80 cannot fill a believable school.
        raise ValidationError("--pupils", "must be from 80 to 5000")
    settings = load_settings(data_dir=args.data_dir or demo_data_dir(), db_url=args.db_url)
    if getattr(args, "code", None):
        from kiosk.services import two_factor

        open_database(settings, create=False)
        print(two_factor.demo_code(args.code))
        return 0
    open_database(settings, create=True)
    if install_demo_profile(settings.data_dir):
        settings = load_settings(data_dir=settings.data_dir, db_url=args.db_url)
    logins = seed(pupils=args.pupils)
    print(f"Demo school data: {settings.data_dir}")
    print("Demo logins (all fictional):")
    for username, password, roles in logins:
        print(f"  {username:<10} {password:<18} {roles}")
    print("Every login but teacher, volunteer and governor sets up an authenticator app (TOTP) "
          "at its first sign-in. No phone to hand? In another terminal, "
          "`kiosk demo --code USERNAME` prints the code the console asks for.")
    sys.stdout.flush()
    if args.seed_only:
        return 0
    if sys.stdin.isatty():
        # The console takes the whole screen: give the person a moment to note the logins.
        try:
            input("Press Enter to start the console (the logins are in the README too) ")
        except EOFError:
            return 0
    from kiosk.app import run_console

    return run_console(settings, kiosk_mode=True)
