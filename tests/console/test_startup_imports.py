"""Start-up loads only what the login screen needs (issue 19).

The console is started the way a person starts it (`python -m kiosk run` on an 80x24
pseudo-terminal, through kiosk.bench.startup.launch); once the login screen is on the
terminal it is ended with SIGTERM, and at exit it writes the names in sys.modules. None of
the models, the heavy libraries or the other screens may be among them, so a module-level
import that pulls one in again fails here instead of slowing every start-up silently.
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
# The screens the login needs; every other screen is imported when first pushed.
LOGIN_SCREENS = {"kiosk.screens", "kiosk.screens.session", "kiosk.screens.session.login", "kiosk.screens.registry"}

DUMP_AND_RUN = """
import atexit, json, sys
atexit.register(lambda: open({out!r}, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["kiosk"] + {args!r}
from kiosk.cli import main
main()
"""


def _modules_at_the_login_screen(tmp_path, settings) -> set[str]:
    from kiosk.bench import startup

    out = tmp_path / "modules.json"
    args = ["--data-dir", str(settings.data_dir)] + (["--db-url", TEST_DB_URL] if TEST_DB_URL else []) + ["run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    startup.launch([sys.executable, "-c", DUMP_AND_RUN.format(out=str(out), args=args)], env,
                   measure_rss=True, settle=0.5)
    assert out.exists(), "the console did not exit cleanly on SIGTERM"
    return set(json.loads(out.read_text()))


def _offenders(modules: set[str], prefixes) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_the_login_screen_needs_no_model_and_no_heavy_library(tmp_path, settings, database, make_user):
    make_user("alice", "staff")  # a school with an account: nothing special about an empty one
    database.close()
    modules = _modules_at_the_login_screen(tmp_path, settings)
    assert "kiosk.screens.session.login" in modules and "textual.app" in modules  # it did start
    assert _offenders(modules, HEAVY) == []
    assert sorted(m for m in modules if m.startswith("kiosk.screens") and m not in LOGIN_SCREENS) == []
    if not TEST_DB_URL:
        # peewee is imported without the server drivers it probes for (kiosk.cli.console).
        assert _offenders(modules, ("psycopg2", "psycopg", "pymysql")) == []


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
