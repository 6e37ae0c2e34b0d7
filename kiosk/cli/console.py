"""`kiosk run` (the default) and `kiosk demo`: start the console."""

from __future__ import annotations

import gc
import sys

from kiosk.cli.common import settings_from


def start_up(args) -> None:
    """Called by kiosk.cli.main before `run`, ahead of anything else the console imports."""
    # Start-up makes tens of thousands of objects that live as long as the process (modules,
    # classes, CSS rules); the cyclic collector would walk them again and again before the
    # first screen is drawn. The app freezes them and turns it back on after the first
    # paint (kiosk.app._settle_gc).
    gc.disable()
    from kiosk import memory

    memory.limit_arenas()  # before any thread allocates (kiosk/memory.py)


def run(args) -> int:
    """The console, its login screen first: the database opens once that screen is drawn.

    What needs the terminal or is quickly found wrong is settled before the console takes the
    terminal: the data dir and the database file are there, and an encrypted database's key
    is at hand (a passphrase is asked for now). Connecting, checking the schema (upgrading
    it if need be) and the rest of kiosk.schema.open_database run in a thread once the login
    screen is on the terminal; the login screen signs no one in before they are done, and if
    they fail the console ends and says why, as it did when they ran first."""
    from kiosk import keys, school_name
    from kiosk.config import check_data_dir

    settings = settings_from(args)
    check_data_dir(settings, create=False)
    keys.key_for_open(settings)  # a passphrase is asked for here, and kept for the open
    # The school profile is read after the first paint too when its file is unchanged since
    # it was last read (kiosk/school_name.py); else now, and a profile that fails its checks
    # stops the console before it starts.
    name = school_name.remembered(settings)
    profile = None
    if name is None:
        from kiosk.rules import load_profile

        profile = load_profile(settings.profile_path)
        school_name.remember(settings, profile.school_name)
    from kiosk.app import run_console

    return run_console(
        settings,
        kiosk_mode=not getattr(args, "no_kiosk", False),
        origin=getattr(args, "origin", "terminal"),
        remote_user=getattr(args, "remote_user", None),
        profile=profile,
        school_name=name,
        open_records=lambda: open_records(settings, with_profile=profile is None),
    )


def open_records(settings, with_profile: bool = False):
    """Open the database for the console (in the thread kiosk.app starts after the first
    paint): bind it, bring the schema up to date, then close this thread's connection
    (every thread opens its own). `with_profile`: read the school profile too, and return it."""
    profile = None
    if with_profile:
        from kiosk import school_name
        from kiosk.rules import load_profile

        profile = load_profile(settings.profile_path)
        school_name.remember(settings, profile.school_name)
    if not settings.db_url:
        _import_peewee_for_sqlite()
    from kiosk.db import translate_errors
    from kiosk.schema import open_database

    with translate_errors():
        database = open_database(settings, create=False)
        database.close()
    from kiosk import calendar_cache, crypto_child

    calendar_cache.install(settings.data_dir)  # the bank holidays without importing holidays
    crypto_child.use_child()  # AES-GCM and Ed25519 without loading cryptography
    return profile


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
