"""Start-up loads only what the login screen needs (issue 19).

The console is started the way a person starts it (`python -m kiosk run` on an 80x24
pseudo-terminal, through kiosk.bench.startup.launch); it writes the names in sys.modules when
the login screen has been drawn (kiosk.app.KioskApp._after_first_paint) and again at exit,
after SIGTERM. None of the models, the heavy libraries or the other screens may be among the
second; the first holds not even the database layer (the database opens after the first
paint), the command table's argparse or a TOML parser for a config file that is not there.
A module-level import that pulls one in again fails here instead of slowing every start-up
silently.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DB_URL

ROOT = Path(__file__).resolve().parents[2]

# Imported only once the login is submitted, or where used.
HEAVY = (
    "kiosk.models", "kiosk.services.accounts", "kiosk.services.two_factor", "kiosk.rules.deadlines",
    "kiosk.rules.steps", "kiosk.rules.routing", "playhouse.migrate", "argon2", "pyotp", "holidays",
    "fpdf", "cryptography", "segno", "zxcvbn", "plotext", "textual_plotext", "defusedxml",
    "asyncssh", "textual.widgets._text_area", "textual.widgets._data_table",
)
# Not yet imported when the login screen is first drawn: the database opens after it, `kiosk
# run` is read without the whole command table, and only the keys' whereabouts are looked at.
AFTER_THE_FIRST_PAINT = (
    "peewee", "playhouse", "sqlite3", "psycopg2", "kiosk.db", "kiosk.schema", "kiosk.services",
    "kiosk.fieldcrypt", "argparse", "hashlib", "secrets", "getpass",
)
# The screens the login needs; every other screen is imported when first pushed.
LOGIN_SCREENS = {"kiosk.screens", "kiosk.screens.session", "kiosk.screens.session.login", "kiosk.screens.registry"}

DUMP_AND_RUN = """
import atexit, json, sys
atexit.register(lambda: open({out!r}, "w").write(json.dumps(sorted(sys.modules))))
import kiosk.app
first_paint = kiosk.app.KioskApp._after_first_paint

def dump_then_go_on(app):
    open({painted!r}, "w").write(json.dumps(sorted(sys.modules)))
    first_paint(app)

kiosk.app.KioskApp._after_first_paint = dump_then_go_on
sys.argv = ["kiosk"] + {args!r}
from kiosk.cli import main
main()
"""


def _modules_at_the_login_screen(tmp_path, settings, at_first_paint: bool = False) -> set[str]:
    """sys.modules of a console ended with SIGTERM half a second after its login screen was
    drawn (the database is open by then), or as they were when it was first drawn."""
    from kiosk.bench import startup

    out, painted = tmp_path / "modules.json", tmp_path / "painted.json"
    for old in (out, painted):
        old.unlink(missing_ok=True)
    args = ["--data-dir", str(settings.data_dir)] + (["--db-url", TEST_DB_URL] if TEST_DB_URL else []) + ["run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    startup.launch([sys.executable, "-c", DUMP_AND_RUN.format(out=str(out), painted=str(painted),
                                                              args=args)],
                   env, measure_rss=True, settle=0.5)
    assert out.exists(), "the console did not exit cleanly on SIGTERM"
    assert painted.exists(), "the login screen's first paint was not seen"
    return set(json.loads((painted if at_first_paint else out).read_text()))


def _offenders(modules: set[str], prefixes) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_the_login_screen_needs_no_model_and_no_heavy_library(tmp_path, settings, database, make_user):
    make_user("alice", "staff")  # a school with an account: nothing special about an empty one
    database.close()
    modules = _modules_at_the_login_screen(tmp_path, settings)
    assert "kiosk.screens.session.login" in modules and "textual.app" in modules  # it did start
    assert _offenders(modules, HEAVY) == []
    assert sorted(m for m in modules if m.startswith("kiosk.screens") and m not in LOGIN_SCREENS) == []
    assert "kiosk.db" in modules  # the database was opened, after the first paint
    if not TEST_DB_URL:
        # peewee is imported without the server drivers it probes for (kiosk.cli.console).
        assert _offenders(modules, ("psycopg2", "psycopg", "pymysql")) == []


def test_the_first_paint_comes_before_the_database_layer(tmp_path, settings, database, make_user):
    make_user("alice", "staff")
    database.close()
    settings.data_dir.mkdir(exist_ok=True)  # as `kiosk init` leaves it with PostgreSQL too
    assert not settings.config_path.exists()  # no config.toml: nothing to parse it for
    modules = _modules_at_the_login_screen(tmp_path, settings, at_first_paint=True)
    assert "kiosk.screens.session.login" in modules and "textual.app" in modules
    assert _offenders(modules, AFTER_THE_FIRST_PAINT) == []
    assert _offenders(modules, HEAVY) == []
    # The first start read the profile before its login screen and remembered the school's
    # name (kiosk/school_name.py); the next reads it after, with the database.
    assert "kiosk.rules.profile" in modules
    modules = _modules_at_the_login_screen(tmp_path, settings, at_first_paint=True)
    assert _offenders(modules, AFTER_THE_FIRST_PAINT + ("tomllib", "kiosk.rules.profile")) == []
    assert "kiosk.rules.profile" in _modules_at_the_login_screen(tmp_path, settings)  # read after


def test_a_stale_model_digest_means_the_full_schema_check(tmp_path, settings, database):
    from kiosk import schema

    assert schema.is_current()
    schema._set_meta("models_source", "an older console's models")
    assert not schema.is_current()
    database.close()
    # The console's own start-up now checks the tables (importing the models) and records
    # the digest again, so the next start is quick.
    modules = _modules_at_the_login_screen(tmp_path, settings)
    assert "kiosk.models" in modules
    database.connect(reuse_if_open=True)
    assert schema.is_current()
    assert _offenders(_modules_at_the_login_screen(tmp_path, settings), ("kiosk.models",)) == []


def test_a_newer_schema_is_still_refused_without_the_models(tmp_path, settings, database):
    from kiosk import schema
    from kiosk.errors import SchemaTooNew

    schema._set_meta("schema_version", str(schema.SCHEMA_VERSION + 1))
    assert not schema.is_current()
    with pytest.raises(SchemaTooNew):
        schema.open_database(settings, create=False)
