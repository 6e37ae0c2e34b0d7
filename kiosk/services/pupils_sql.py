"""Pupil search by name prefix in hand-written SQL (issue 19): it runs on every key typed in
every search box, and peewee's query building and model rows were nine tenths of it.

`search_rows` answers exactly what `Pupil.select().where(...)` answered (tests compare the
two); the rows carry the attributes `kiosk.services.pupils.summary` reads.
"""

from __future__ import annotations

from kiosk.rules.flags import PUPIL_FLAGS
from kiosk.services import fastsql

_FLAGS = tuple(PUPIL_FLAGS)
_COLUMNS = ("id", "first_name", "last_name", "preferred_name", "date_of_birth", "year_group",
            "form_group", "upn", "active", "status", "left_on", "other_label") + _FLAGS
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM pupil WHERE "
_PREFIX = "({0} >= ? AND {0} < ?)"
_ONE_WORD = "(" + " OR ".join(_PREFIX.format(c) for c in ("first_key", "last_key", "preferred_key")) + ")"
_TWO_WORDS = ("(" + _PREFIX.format("first_key") + " OR " + _PREFIX.format("preferred_key") + ") AND "
              + _PREFIX.format("last_key"))
_TAIL = " AND active = ? ORDER BY last_key, first_key LIMIT ?"
_ON_ROLL = " AND status = ?"


class PupilRow:
    """The columns of a pupil that a search result shows (not a model instance)."""

    __slots__ = _COLUMNS

    def __init__(self, values) -> None:
        for name, value in zip(_COLUMNS, values):
            setattr(self, name, value)
        self.date_of_birth = fastsql.as_date(self.date_of_birth)
        self.left_on = fastsql.as_date(self.left_on)
        self.active = bool(self.active)
        # The flags stay 0/1 on SQLite: `summary` only asks whether each is set.

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"


def search_rows(words: list[str], on_roll: str | None, limit: int) -> list[PupilRow]:
    """Active pupils whose first, preferred or last name starts with the one word, or
    whose first or preferred name starts with the first word and last name with the last;
    `on_roll`: only pupils with this status. By last then first name."""
    if len(words) == 1:
        w = words[0]
        text, params = _ONE_WORD, [w, w + "\uffff"] * 3
    else:
        a, b = words[0], words[-1]
        text, params = _TWO_WORDS, [a, a + "\uffff", a, a + "\uffff", b, b + "\uffff"]
    if on_roll is not None:
        text += _ON_ROLL
        params.append(on_roll)
    params += [True, limit]
    return [PupilRow(r) for r in fastsql.rows(_SELECT + text + _TAIL, params)]
