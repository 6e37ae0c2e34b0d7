"""The domain never imports the UI: services, models, rules, db and schema load without textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_does_not_import_textual():
    code = r"""
import importlib, pkgutil, sys
import kiosk.services, kiosk.models, kiosk.rules, kiosk.db, kiosk.schema
for pkg in (kiosk.services, kiosk.rules, kiosk.models):
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(len(loaded))
assert not loaded, loaded
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_the_check_can_fail():
    code = "import sys, kiosk.app; assert 'textual' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
