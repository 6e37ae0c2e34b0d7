"""kiosk.rules is pure: it must not pull in the UI or the database layer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kiosk_rules_imports_neither_textual_nor_peewee():
    code = (
        "import sys, kiosk.rules\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'peewee', 'playhouse'))\n"
        "other = sorted(m for m in sys.modules if m.startswith('kiosk.') and not m.startswith('kiosk.rules'))\n"
        "assert not bad, bad\n"
        "assert not other, other\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_rules_sources_do_not_mention_the_ui_or_database():
    for path in (ROOT / "kiosk" / "rules").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("import textual", "from textual", "import peewee", "from peewee",
                     "datetime.now(", "date.today("):
            assert name not in text, f"{path.name} contains {name!r}"
