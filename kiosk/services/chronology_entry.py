"""One line of a pupil's chronology, as every domain that contributes lines makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChronologyEntry:
    at: datetime  # naive UTC
    kind: str  # "concern", "action", "event", "amendment", "flag", "early_help", ...
    title: str
    detail: str
    category: str | None  # a category key, or None
    record_type: str  # "concern", "pupil", "early_help_case", ...
    record_id: int
    restricted: bool = False
    seq: int = 0  # tie-break for entries at the same moment: the row id (later rows first)
