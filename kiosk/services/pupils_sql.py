"""Pupil search by name prefix in hand-written SQL (issue 19): it runs on every key typed in
every search box, and peewee's query building and model rows were nine tenths of it.

`search_rows` answers exactly what `Pupil.select().where(...)` answered (tests compare the
two); the rows carry the attributes `kiosk.services.pupils.summary` reads.
"""

from __future__ import annotations

from collections import namedtuple
from itertools import compress

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


_FLAGS_AT = len(_COLUMNS) - len(_FLAGS)
_Columns = namedtuple("_Columns", _COLUMNS)
# PupilRow.of converts these by position.
assert (_COLUMNS[4], _COLUMNS[8], _COLUMNS[10]) == ("date_of_birth", "active", "left_on")


class PupilRow(_Columns):
    """The columns of a pupil that a search result shows (not a model instance): a named
    tuple, made in one step per row (a loop of setattr per column was a sixth of a search)."""

    __slots__ = ()

    @classmethod
    def of(cls, r) -> "PupilRow":
        # date_of_birth (4), active (8) and left_on (10) as the model gives them; the flags
        # stay 0/1 on SQLite: `summary` only asks whether each is set.
        return _new(cls, (r[0], r[1], r[2], r[3], as_date(r[4]), r[5], r[6], r[7], bool(r[8]), r[9],
                          as_date(r[10]), *r[11:]))

    def set_flags(self) -> tuple[str, ...]:
        """The keys of the flags that are set, in PUPIL_FLAGS order (what `_flags_of` gives
        for a model row, without a getattr per flag)."""
        return tuple(compress(_FLAGS, self[_FLAGS_AT:]))

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"


_new = tuple.__new__
as_date = fastsql.as_date


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
    of = PupilRow.of
    return [of(r) for r in fastsql.rows(_SELECT + text + _TAIL, params)]


def by_ids(ids: list[int]) -> dict[int, PupilRow]:
    """{id: row} of these pupils, active or not (recording a concern checks its pupils with
    this: `Pupil.get_or_none` for each was a sixth of the record)."""
    if not ids:
        return {}
    of = PupilRow.of
    return {r[0]: of(r) for r in fastsql.rows(_SELECT + "id IN " + fastsql.marks(len(ids)), ids)}
