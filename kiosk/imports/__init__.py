"""Reading records that arrive from outside: the school's roll (CTF XML, MIS CSV exports)
and staff accounts (CSV).

Everything here is pure: bytes in, plain dataclasses out, no database and no Textual. A
file that cannot be read as a whole raises `ImportFileError` with one line saying why; a
row that cannot be used is returned as a `RefusedRow` so the preview can list it. The
services (`kiosk.services.roll_import`, `kiosk.services.accounts_import`) do the matching
and the writing.
"""

from kiosk.imports.common import ImportFileError, RefusedRow, RollRow, ParsedRoll, read_roll

__all__ = ["ImportFileError", "ParsedRoll", "RefusedRow", "RollRow", "read_roll"]
