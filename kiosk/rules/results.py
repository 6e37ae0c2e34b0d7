"""Plain result objects that the rules hand to the console.

Everything here is a frozen dataclass of strings, dates and tuples, so a screen can show it,
a test can compare it and nothing can change it on the way. Nothing here knows about Textual,
peewee or the profile file: the rules modules build these, the rules pane displays them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Contact:
    """One way of reaching someone: a person in a role, a phone line, a portal.

    ``role`` is a role key ("dsl", "deputy_dsl", "headteacher", "local_authority", "nspcc",
    "designated_teacher", "agency:<key>", "police", ...). A contact has at least one of
    phone, email or url; ``note`` says when to use it (hours, "advice before referring").
    """

    role: str
    name: str
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    note: str | None = None
    placeholder: bool = False  # True while the school still has to replace the example entry
    to_confirm: bool = False  # a real number from public sources the school has yet to confirm

    @property
    def summary(self) -> str:
        """Name and every way of reaching them on one line, for a narrow pane."""
        parts = [self.name, *(p for p in (self.phone, self.email, self.url) if p)]
        return " | ".join(parts)


@dataclass(frozen=True)
class Step:
    """One thing to do, in plain words, with whom to contact and the paragraph it comes from.

    ``paragraph`` is a reference into the school's procedures ("11a", "14", "21"); where the duty
    comes from national guidance rather than the procedures it says so ("KCSIE").
    """

    text: str
    contact: Contact | None
    paragraph: str


@dataclass(frozen=True)
class Guidance:
    """What to do next in one situation: an ordered list of steps and everyone they mention."""

    situation: str
    title: str
    steps: tuple[Step, ...]
    contacts: tuple[Contact, ...]
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Deadline:
    """A date (or moment) by which something must be done, and where the duty comes from.

    ``due`` is a ``date`` when the duty is "by the end of that day" and a ``datetime`` when the
    moment matters. ``overdue(now)`` accepts either; comparing a date deadline with a datetime
    uses the calendar day, so a date deadline is met all day long.
    """

    label: str
    due: date | datetime
    paragraph: str
    note: str = ""

    def overdue(self, now: date | datetime) -> bool:
        due = self.due
        if isinstance(due, datetime):
            if isinstance(now, datetime):
                return now > due
            return now > due.date()
        if isinstance(now, datetime):
            now = now.date()
        return now > due


@dataclass(frozen=True)
class Routing:
    """Where a concern about a child goes (paragraphs 10-12).

    ``recipient`` is the first available of DSL, deputy DSL, headteacher; when none is
    available it is "local_authority" and ``refer_yourself`` is True (11c). ``fallbacks`` are the
    roles to try next, in order. ``la_contacts`` are always filled: any member of staff may refer
    directly (12), which ``direct_referral_note`` says in words.
    """

    recipient: str
    fallbacks: tuple[str, ...]
    contacts: tuple[Contact, ...]
    refer_yourself: bool
    la_contacts: tuple[Contact, ...]
    direct_referral_note: str
    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """One named route for raising a concern (whistleblowing, escalation)."""

    recipient: str
    contacts: tuple[Contact, ...]
    note: str
    paragraph: str


@dataclass(frozen=True)
class AdultRouting:
    """Where a concern about an adult goes (paragraphs 14-16).

    ``kind`` is "allegation" when any of the four tests of paragraph 14 is met, else
    "low_level". ``share_with`` are the roles the recipient must tell afterwards (for an
    allegation: the local authority's LADO, within ``deadline_rule``). ``excluded`` are the roles
    the subject holds: none of them is ever the recipient or in ``share_with``.
    """

    kind: str
    recipient: str
    contacts: tuple[Contact, ...]
    fallbacks: tuple[str, ...]
    share_with: tuple[str, ...]
    share_contacts: tuple[Contact, ...]
    deadline_rule: str | None
    paragraphs: tuple[str, ...]
    escalation: Route
    excluded: frozenset[str] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()
