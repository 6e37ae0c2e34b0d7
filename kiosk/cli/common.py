"""Helpers shared by CLI commands: settings from args, opening the database, passwords."""

from __future__ import annotations

import sys

from kiosk.config import Settings, load_settings
from kiosk.errors import ValidationError


def settings_from(args) -> Settings:
    return load_settings(data_dir=getattr(args, "data_dir", None), db_url=getattr(args, "db_url", None))


def open_db(args, create: bool = False) -> Settings:
    from kiosk.schema import open_database

    settings = settings_from(args)
    open_database(settings, create=create)
    return settings


def read_password(from_stdin: bool, prompt: str = "Password: ") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValidationError("password", "nothing was given on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValidationError("password", "no terminal to ask on; use --password-stdin")
    import getpass  # here: `kiosk run` never asks, and starts without it

    first = getpass.getpass(prompt)
    second = getpass.getpass("Again: ")
    if first != second:
        raise ValidationError("password", "the two entries differ")
    return first
