"""Running the admin CLI in-process (shared by the CLI and mail-config tests)."""

from __future__ import annotations

import io
import sys

from kiosk.cli import main
from kiosk.db import db
from tests.conftest import STRONG_PASSWORD


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    if db.obj is not None and not db.is_closed():
        db.close()
    return code, out, err


def init(monkeypatch, capsys, password=STRONG_PASSWORD):
    return run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
               stdin=password + "\n")
