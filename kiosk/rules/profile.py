"""The school profile: what the procedures leave to each school, loaded from TOML and checked.

The procedures name roles ("the DSL", "the Director of Education") and a few numbers; the
profile fills in who holds each role today, how to reach them, the local authority's lines, the
early help offer, term dates and which version of the procedures staff have signed.

``load_profile()`` reads the packaged default (the school in the procedures document, with
placeholder people) or a school's own file. It checks every field and refuses the whole file
if anything is wrong, naming file, key and problem, because a console that starts on a
half-valid profile could show a staff member a wrong phone number at the worst moment.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

DEFAULT_PROFILE_PATH = Path(__file__).with_name("default_profile.toml")

# Role keys of the people a profile must name. Deputies are a list and handled apart.
PERSON_ROLES: dict[str, str] = {
    "dsl": "Designated Safeguarding Lead",
    "designated_teacher": "Designated Teacher for looked-after and previously looked-after children",
    "safeguarding_governor": "Safeguarding Governor",
    "headteacher": "Headteacher",
    "chair_of_governors": "Chair of the Local Governing Body",
    "director_of_education": "Trust Director of Education",
    "trust_safeguarding_lead": "Trust Lead on Safeguarding",
}
DEPUTY_ROLE_TITLE = "Deputy Designated Safeguarding Lead"

OFFER_KINDS = frozenset({"drop_in", "club", "workshop", "one_to_one", "group"})
FREQUENCIES = frozenset(
    {"daily", "weekly", "fortnightly", "monthly", "half_termly", "termly", "as_needed"}
)

DEFAULT_RECEIPT_CHASE_SCHOOL_DAYS = 3

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")
_PHONE_CHARS_RE = re.compile(r"^(\+44)?[\d ]+$")
_SHORT_CODES = frozenset({"999", "112", "101", "111"})

# The same characters and limits as kiosk.text (rules import nothing else of the console; a
# test pins the two equal): C0/C1 controls, DEL, line separators, bidi overrides and isolates.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SHORT_MAX = 200
LONG_MAX = 20_000


def has_control_chars(value: str) -> bool:
    return _CONTROL_RE.search(value) is not None


# ---------------------------------------------------------------------------------------------
# The profile as data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone holding a role the procedures name. ``placeholder`` marks the example entries."""

    name: str
    role_title: str
    phone: str
    email: str
    placeholder: bool = False


@dataclass(frozen=True)
class Line:
    """A service rather than a person: a phone line, an email address or a portal."""

    name: str
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    hours: str | None = None
    # A number taken from public sources rather than the procedures: the school confirms it.
    confirm: bool = False


@dataclass(frozen=True)
class LocalAuthority:
    """The local authority's ways in: advice (para 20), referral and early help portal (21)."""

    name: str
    consultation_line: Line
    referral_line: Line
    early_help_portal: Line
    lado: Line | None = None
    out_of_hours: Line | None = None


@dataclass(frozen=True)
class Offer:
    """One part of the school's early help offer (para 6)."""

    key: str
    name: str
    kind: str
    frequency: str
    audience: str | None = None
    access: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Agency:
    """An outside agency the school refers to (para 6), with how long a reply should take."""

    key: str
    name: str
    contact: str
    response_days: int
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    placeholder: bool = False


@dataclass(frozen=True)
class Category:
    """A kind of concern (Keeping Children Safe in Education, Part 1)."""

    key: str
    name: str
    description: str | None = None


class Term(NamedTuple):
    """One block of school days, first and last day inclusive."""

    start: date
    end: date


@dataclass(frozen=True)
class Profile:
    """Everything the rules need to know about one school. Built only by ``load_profile``."""

    source: Path | None
    school_name: str
    trust_name: str
    local_authority_name: str
    dsl: Person
    deputy_dsls: tuple[Person, ...]
    designated_teacher: Person
    safeguarding_governor: Person
    headteacher: Person
    chair_of_governors: Person
    director_of_education: Person
    trust_safeguarding_lead: Person
    local_authority: LocalAuthority
    nspcc: Line
    offers: tuple[Offer, ...]
    agencies: tuple[Agency, ...]
    categories: tuple[Category, ...]
    procedures_version: str
    last_review: date
    next_review: date
    procedures_file: Path | None
    terms: tuple[Term, ...]
    receipt_chase_school_days: int = DEFAULT_RECEIPT_CHASE_SCHOOL_DAYS
    retention: "RetentionRules" = None  # type: ignore[assignment]  # set by _build

    @property
    def people(self) -> dict[str, Person | tuple[Person, ...]]:
        """People by role key; "deputy_dsls" maps to the (possibly empty) tuple of deputies."""
        out: dict[str, Person | tuple[Person, ...]] = {
            role: getattr(self, role) for role in PERSON_ROLES
        }
        out["deputy_dsls"] = self.deputy_dsls
        return out

    @property
    def placeholder_roles(self) -> tuple[str, ...]:
        """Roles still holding example entries, so the console can nag until they are replaced."""
        roles = [role for role in PERSON_ROLES if getattr(self, role).placeholder]
        roles += [
            f"deputy_dsls[{i}]" for i, p in enumerate(self.deputy_dsls, 1) if p.placeholder
        ]
        roles += [f"agency:{a.key}" for a in self.agencies if a.placeholder]
        la = self.local_authority
        roles += [f"local_authority.{name}" for name in ("lado", "out_of_hours")
                  if getattr(la, name) is not None and getattr(la, name).confirm]
        return tuple(roles)

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)

    def category(self, key: str) -> Category:
        for c in self.categories:
            if c.key == key:
                return c
        raise KeyError(key)

    def offer(self, key: str) -> Offer:
        for o in self.offers:
            if o.key == key:
                return o
        raise KeyError(key)

    def agency(self, key: str) -> Agency:
        for a in self.agencies:
            if a.key == key:
                return a
        raise KeyError(key)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class ProfileError(ValueError):
    """A profile that must not be used. The message names the file, the key and the problem.

    ``problems`` holds every (key, problem) pair found, so an administrator fixes them all in
    one pass rather than one restart at a time. ``key`` is the first key, for tests and logs.
    """

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = tuple(problems)
        self.key = problems[0][0] if problems else ""
        lines = [f"{file}: {key}: {problem}" if key else f"{file}: {problem}" for key, problem in problems]
        super().__init__("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Loading and checking
# ---------------------------------------------------------------------------------------------


class _Checker:
    """Reads values out of the parsed TOML, recording every problem against its dotted key.

    Each reader returns the value, or None when it is missing or wrong; the loader keeps
    going so that all problems are reported together, then refuses the file if there were any.
    """

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self._missing: list[str] = []  # tables already reported missing

    def fail(self, key: str, problem: str) -> None:
        # Once a table is reported missing, "missing" for each of its keys is only noise.
        if any(key.startswith(m + ".") for m in self._missing):
            return
        self.problems.append((key, problem))

    # -- tables ------------------------------------------------------------------------------

    def table(self, parent: dict, name: str, prefix: str, *, required: bool = True) -> dict | None:
        key = _join(prefix, name)
        value = parent.get(name)
        if value is None:
            if required:
                self.fail(key, "missing (expected a table)")
                self._missing.append(key)
            return None
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, found {_kind(value)}")
            return None
        return value

    def only(self, table: dict, prefix: str, allowed: set[str] | frozenset[str]) -> None:
        """Refuse keys we do not know: a typo ("phnoe") must not silently drop a number."""
        for name in table:
            if name not in allowed:
                hint = difflib.get_close_matches(name, sorted(allowed), n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.fail(_join(prefix, name), f"unknown key{extra}")

    # -- scalars -----------------------------------------------------------------------------

    def text(self, table: dict, name: str, prefix: str, *, required: bool = True,
             max_length: int = SHORT_MAX) -> str | None:
        key = _join(prefix, name)
        value = table.get(name)
        if value is None:
            if required:
                self.fail(key, "missing")
            return None
        if not isinstance(value, str):
            self.fail(key, f"expected text, found {_kind(value)}")
            return None
        value = value.strip()
        if not value:
            self.fail(key, "empty")
            return None
        if has_control_chars(value):
            # Control characters in a name would reach the terminal (see FIELD-NOTES); bidi
            # overrides would show a number or a name other than the one stored.
            self.fail(key, "contains control characters")
            return None
        if len(value) > max_length:
            self.fail(key, f"too long ({len(value)} characters; at most {max_length})")
            return None
        return value

    def key_text(self, table: dict, name: str, prefix: str) -> str | None:
        value = self.text(table, name, prefix)
        if value is not None and not _KEY_RE.match(value):
            self.fail(_join(prefix, name), f"{value!r} is not a key (use lower_case letters, digits, _)")
            return None
        return value

    def choice(self, table: dict, name: str, prefix: str, allowed: frozenset[str]) -> str | None:
        value = self.text(table, name, prefix)
        if value is not None and value not in allowed:
            self.fail(_join(prefix, name), f"{value!r} is not one of {', '.join(sorted(allowed))}")
            return None
        return value

    def phone(self, table: dict, name: str, prefix: str, *, required: bool = True) -> str | None:
        value = self.text(table, name, prefix, required=required)
        if value is not None and not is_uk_phone(value):
            self.fail(
                _join(prefix, name),
                f"{value!r} does not look like a UK phone number (digits and spaces, "
                "optionally starting +44, e.g. 01284 763111)",
            )
            return None
        return value

    def email(self, table: dict, name: str, prefix: str, *, required: bool = True) -> str | None:
        value = self.text(table, name, prefix, required=required)
        if value is not None and not _EMAIL_RE.match(value):
            self.fail(_join(prefix, name), f"{value!r} does not look like an email address")
            return None
        return value

    def url(self, table: dict, name: str, prefix: str, *, required: bool = True) -> str | None:
        value = self.text(table, name, prefix, required=required)
        if value is not None and not _URL_RE.match(value):
            self.fail(_join(prefix, name), f"{value!r} does not look like a web address (https://...)")
            return None
        return value

    def date(self, table: dict, name: str, prefix: str) -> date | None:
        return self.date_value(table.get(name), _join(prefix, name))

    def date_value(self, value: Any, key: str) -> date | None:
        if value is None:
            self.fail(key, "missing")
            return None
        if isinstance(value, datetime):
            self.fail(key, "expected a date (YYYY-MM-DD), found a date and time")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _ISO_DATE_RE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(key, f"{value!r} is not a date (expected YYYY-MM-DD)")
        return None

    def integer(self, table: dict, name: str, prefix: str, lo: int, hi: int,
                *, default: int | None = None) -> int | None:
        key = _join(prefix, name)
        value = table.get(name)
        if value is None:
            if default is None:
                self.fail(key, "missing")
            return default
        # bool is an int in Python; `true` for a number of days is a mistake.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, f"expected a whole number, found {_kind(value)}")
            return None
        if not lo <= value <= hi:
            self.fail(key, f"{value} is out of range ({lo} to {hi})")
            return None
        return value

    def flag(self, table: dict, name: str, prefix: str) -> bool:
        value = table.get(name, False)
        if not isinstance(value, bool):
            self.fail(_join(prefix, name), f"expected true or false, found {_kind(value)}")
            return False
        return value

    def array_of_tables(self, table: dict, name: str, prefix: str, *, required: bool = True) -> list[dict]:
        key = _join(prefix, name)
        value = table.get(name)
        if value is None:
            if required:
                self.fail(key, "missing (expected a list of tables)")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, "expected a list of tables ([[...]])")
            return []
        return value


def is_uk_phone(value: str) -> bool:
    """True for a UK number written with digits and spaces, optionally +44, or 999/101/111.

    Lengths: 0 plus 7 to 10 digits covers geographic (01284 763111), non-geographic
    (0345 606 1499, 0800 028 0285) and short freephone (0800 1111); +44 drops the 0.
    """
    if not _PHONE_CHARS_RE.match(value):
        return False
    digits = value.replace(" ", "")
    if digits in _SHORT_CODES:
        return True
    if digits.startswith("+44"):
        rest = digits[3:]
        return rest[:1] not in ("", "0") and 7 <= len(rest) <= 10
    return digits.startswith("0") and digits[1:2] != "0" and 8 <= len(digits) <= 11


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _kind(value: Any) -> str:
    return {
        str: "text", int: "a number", float: "a number", bool: "true/false",
        list: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)


def _item_prefix(prefix: str, index: int, item: dict) -> str:
    """Name a list entry by its key where it has a usable one, else by its position (from 1)."""
    key = item.get("key")
    if isinstance(key, str) and _KEY_RE.match(key.strip()):
        return f"{prefix}[{key.strip()}]"
    return f"{prefix}[#{index}]"


_PERSON_KEYS = frozenset({"name", "role_title", "phone", "email", "placeholder"})
_LINE_KEYS = frozenset({"name", "phone", "email", "url", "hours", "confirm"})


def _person(c: _Checker, table: dict | None, prefix: str, default_title: str) -> Person | None:
    if table is None:
        return None
    c.only(table, prefix, _PERSON_KEYS)
    return Person(
        name=c.text(table, "name", prefix),
        role_title=c.text(table, "role_title", prefix, required=False) or default_title,
        phone=c.phone(table, "phone", prefix),
        email=c.email(table, "email", prefix),
        placeholder=c.flag(table, "placeholder", prefix),
    )


def _line(c: _Checker, parent: dict, name: str, prefix: str, *, needs: tuple[str, ...],
          required: bool = True) -> Line | None:
    """A service line; ``needs`` lists which of phone/email/url/hours this line must have."""
    key = _join(prefix, name)
    table = c.table(parent, name, prefix, required=required)
    if table is None:
        return None
    c.only(table, key, _LINE_KEYS)
    line = Line(
        name=c.text(table, "name", key),
        phone=c.phone(table, "phone", key, required="phone" in needs),
        email=c.email(table, "email", key, required="email" in needs),
        url=c.url(table, "url", key, required="url" in needs),
        hours=c.text(table, "hours", key, required="hours" in needs),
        confirm=c.flag(table, "confirm", key),
    )
    if not (line.phone or line.email or line.url):
        c.fail(key, "needs at least one of phone, email or url")
    return line


def _keyed_items(c: _Checker, items: list[dict], prefix: str, what: str) -> list[tuple[str, dict]]:
    """Pair each list entry with its error prefix and refuse duplicate keys."""
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items, 1):
        p = _item_prefix(prefix, i, item)
        key = item.get("key")
        if isinstance(key, str):
            if key.strip() in seen:
                c.fail(f"{p}.key", f"duplicate {what} key {key.strip()!r} (also entry #{seen[key.strip()]})")
            else:
                seen[key.strip()] = i
        out.append((p, item))
    return out


def load_profile(path: str | Path | None = None) -> Profile:
    """Read and check a profile; ``None`` loads the packaged default (Westley Middle School).

    Raises ProfileError naming the file, key and problem for anything unreadable or invalid.
    """
    file = Path(path) if path is not None else DEFAULT_PROFILE_PATH
    label = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ProfileError(label, [("", f"cannot read the file ({exc.strerror or exc})")]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(label, [("", "not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(label, [("", _toml_problem(exc, raw))]) from None
    return _build(data, label, file)


def profile_from_dict(data: dict, label: str = "<profile>") -> Profile:
    """Check an already-parsed profile (for tests and the `kiosk init` preview)."""
    return _build(data, label, None)


def _toml_problem(exc: tomllib.TOMLDecodeError, raw: bytes) -> str:
    """Turn a TOML syntax error into a message that quotes the offending line.

    tomllib reports only line and column; quoting the line shows which key it was
    (an unquoted bad date such as ``last_review = 2025-13-01`` fails here, not in our checks).
    """
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column \d+\)", msg)
    if m:
        lines = raw.decode("utf-8", "replace").splitlines()
        n = int(m.group(1))
        if 1 <= n <= len(lines):
            text = lines[n - 1].strip()
            key = text.split("=", 1)[0].strip() if "=" in text else text
            return f"line {n} ({key}): invalid TOML: {msg}"
    return f"invalid TOML: {msg}"


_TOP_KEYS = frozenset(
    {"school", "procedures", "contacts", "local_authority", "nspcc", "early_help",
     "categories", "calendar", "deadlines", "retention"}
)


def _build(data: dict, label: str, file: Path | None) -> Profile:
    c = _Checker()
    c.only(data, "", _TOP_KEYS)

    # [school]
    school = c.table(data, "school", "") or {}
    c.only(school, "school", {"name", "trust"})
    school_name = c.text(school, "name", "school")
    trust_name = c.text(school, "trust", "school")

    # [procedures]
    proc = c.table(data, "procedures", "") or {}
    c.only(proc, "procedures", {"version", "last_review", "next_review", "file"})
    version = c.text(proc, "version", "procedures")
    last_review = c.date(proc, "last_review", "procedures")
    next_review = c.date(proc, "next_review", "procedures")
    if last_review and next_review:
        if next_review <= last_review:
            c.fail("procedures.next_review", "must be after procedures.last_review")
        elif next_review > one_year_after(last_review):
            c.fail(
                "procedures.next_review",
                "more than a year after last_review (paragraph 19: reviewed at least annually)",
            )
    proc_file_text = c.text(proc, "file", "procedures", required=False)
    procedures_file = None
    if proc_file_text:
        procedures_file = Path(proc_file_text)
        if not procedures_file.is_absolute() and file is not None:
            # Relative to the profile, so a school can keep both files side by side.
            procedures_file = file.parent / procedures_file

    # [contacts.*]
    contacts = c.table(data, "contacts", "") or {}
    c.only(contacts, "contacts", set(PERSON_ROLES) | {"deputy_dsls"})
    people: dict[str, Person | None] = {}
    for role, title in PERSON_ROLES.items():
        people[role] = _person(c, c.table(contacts, role, "contacts"), f"contacts.{role}", title)
    deputies: list[Person] = []
    for i, item in enumerate(c.array_of_tables(contacts, "deputy_dsls", "contacts", required=False), 1):
        person = _person(c, item, f"contacts.deputy_dsls[#{i}]", DEPUTY_ROLE_TITLE)
        if person is not None:
            deputies.append(person)

    # [local_authority]
    la = c.table(data, "local_authority", "") or {}
    c.only(la, "local_authority",
           {"name", "consultation_line", "referral_line", "early_help_portal", "lado", "out_of_hours"})
    local_authority = LocalAuthority(
        name=c.text(la, "name", "local_authority"),
        consultation_line=_line(c, la, "consultation_line", "local_authority", needs=("phone",)),
        referral_line=_line(c, la, "referral_line", "local_authority", needs=("phone",)),
        early_help_portal=_line(c, la, "early_help_portal", "local_authority", needs=("url",)),
        lado=_line(c, la, "lado", "local_authority", needs=(), required=False),
        out_of_hours=_line(c, la, "out_of_hours", "local_authority", needs=("phone",), required=False),
    )

    # [nspcc]
    nspcc = _line(c, data, "nspcc", "", needs=("phone", "email", "hours"))

    # [early_help]
    eh = c.table(data, "early_help", "") or {}
    c.only(eh, "early_help", {"offers", "agencies"})
    offers = []
    for p, item in _keyed_items(c, c.array_of_tables(eh, "offers", "early_help"), "early_help.offers", "offer"):
        c.only(item, p, {"key", "name", "kind", "frequency", "audience", "access", "description"})
        offers.append(Offer(
            key=c.key_text(item, "key", p),
            name=c.text(item, "name", p),
            kind=c.choice(item, "kind", p, OFFER_KINDS),
            frequency=c.choice(item, "frequency", p, FREQUENCIES),
            audience=c.text(item, "audience", p, required=False),
            access=c.text(item, "access", p, required=False),
            description=c.text(item, "description", p, required=False, max_length=LONG_MAX),
        ))
    agencies = []
    for p, item in _keyed_items(c, c.array_of_tables(eh, "agencies", "early_help"), "early_help.agencies", "agency"):
        c.only(item, p, {"key", "name", "contact", "response_days", "phone", "email", "url", "placeholder"})
        agencies.append(Agency(
            key=c.key_text(item, "key", p),
            name=c.text(item, "name", p),
            contact=c.text(item, "contact", p),
            response_days=c.integer(item, "response_days", p, 1, 60),
            phone=c.phone(item, "phone", p, required=False),
            email=c.email(item, "email", p, required=False),
            url=c.url(item, "url", p, required=False),
            placeholder=c.flag(item, "placeholder", p),
        ))

    # [[categories]]
    categories = []
    cat_items = c.array_of_tables(data, "categories", "")
    if "categories" in data and not cat_items:
        c.fail("categories", "empty (a concern form needs at least one category)")
    for p, item in _keyed_items(c, cat_items, "categories", "category"):
        c.only(item, p, {"key", "name", "description"})
        categories.append(Category(
            key=c.key_text(item, "key", p),
            name=c.text(item, "name", p),
            description=c.text(item, "description", p, required=False, max_length=LONG_MAX),
        ))

    # [calendar]
    cal = c.table(data, "calendar", "", required=False) or {}
    c.only(cal, "calendar", {"terms"})
    terms = _terms(c, cal.get("terms"))

    # [deadlines]
    dl = c.table(data, "deadlines", "", required=False) or {}
    c.only(dl, "deadlines", {"receipt_chase_school_days"})
    chase = c.integer(dl, "receipt_chase_school_days", "deadlines", 1, 20,
                      default=DEFAULT_RECEIPT_CHASE_SCHOOL_DAYS)

    # [retention]
    from kiosk.rules.retention import RetentionRules

    rt = c.table(data, "retention", "", required=False) or {}
    c.only(rt, "retention", set(RetentionRules.__dataclass_fields__))
    base = RetentionRules()
    r_values: dict = {}
    for name in ("child_protection_until_age", "early_help_until_age"):
        r_values[name] = c.integer(rt, name, "retention", 18, 100, default=getattr(base, name))
    r_values["allegation_retirement_age"] = c.integer(rt, "allegation_retirement_age", "retention", 55, 80,
                                                      default=base.allegation_retirement_age)
    r_values["allegation_min_years"] = c.integer(rt, "allegation_min_years", "retention", 1, 50,
                                                 default=base.allegation_min_years)
    r_values["keep_review_years"] = c.integer(rt, "keep_review_years", "retention", 1, 10,
                                              default=base.keep_review_years)
    for name in ("remove_malicious_allegations", "low_level_while_employed", "legal_hold_adult_allegations"):
        value = rt.get(name, getattr(base, name))
        if not isinstance(value, bool):
            c.fail(f"retention.{name}", f"expected true or false, found {_kind(value)}")
            value = getattr(base, name)
        r_values[name] = value
    holds = rt.get("legal_hold_categories", list(base.legal_hold_categories))
    if not isinstance(holds, list) or not all(isinstance(h, str) for h in holds):
        c.fail("retention.legal_hold_categories", "expected a list of category keys")
        holds = list(base.legal_hold_categories)
    r_values["legal_hold_categories"] = tuple(holds)
    retention = RetentionRules(**r_values)

    if c.problems:
        raise ProfileError(label, c.problems)
    return Profile(
        retention=retention,
        source=file,
        school_name=school_name,
        trust_name=trust_name,
        local_authority_name=local_authority.name,
        dsl=people["dsl"],
        deputy_dsls=tuple(deputies),
        designated_teacher=people["designated_teacher"],
        safeguarding_governor=people["safeguarding_governor"],
        headteacher=people["headteacher"],
        chair_of_governors=people["chair_of_governors"],
        director_of_education=people["director_of_education"],
        trust_safeguarding_lead=people["trust_safeguarding_lead"],
        local_authority=local_authority,
        nspcc=nspcc,
        offers=tuple(offers),
        agencies=tuple(agencies),
        categories=tuple(categories),
        procedures_version=version,
        last_review=last_review,
        next_review=next_review,
        procedures_file=procedures_file,
        terms=terms,
        receipt_chase_school_days=chase,
    )


def _terms(c: _Checker, value: Any) -> tuple[Term, ...]:
    """Term dates as [[start, end], ...]: each ordered, the list in order and not overlapping."""
    if value is None:
        return ()
    if not isinstance(value, list):
        c.fail("calendar.terms", "expected a list of [start, end] pairs")
        return ()
    terms: list[Term] = []
    for i, pair in enumerate(value, 1):
        key = f"calendar.terms[#{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            c.fail(key, "expected a [start, end] pair")
            continue
        start = c.date_value(pair[0], f"{key}.start")
        end = c.date_value(pair[1], f"{key}.end")
        if start is None or end is None:
            continue
        if end < start:
            c.fail(key, "ends before it starts")
            continue
        if terms and start <= terms[-1].end:
            c.fail(key, "starts before the previous term ends (list terms in order, without overlap)")
            continue
        terms.append(Term(start, end))
    return tuple(terms)


def one_year_after(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)
