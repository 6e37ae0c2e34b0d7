"""What the DSL team does about a concern, as data: each kind of action and the fields it needs.

Statutory work (Working Together to Safeguard Children; procedures paragraphs 11a and 21)
has its own facts to keep: a referral's local authority reference and outcome, a conference's
type and date, the police's crime reference, why the parent was not told. A kind names its
fields here; the service stores them beside the action and the screen asks for them.

A date field is a FACT (it happened: never in the future) or a PLAN (it is booked: a
conference date may be next month). Pure data and pure functions: no I/O, no clock (the
caller passes today), no textual or peewee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FACT = "fact"
PLAN = "plan"


@dataclass(frozen=True)
class DetailField:
    """One extra field of an action kind.

    kind: "line" (short text), "text" (several lines), "date" (DD/MM/YYYY; `when` says
    whether it may be in the future), "choice" (`options` as (value, label) pairs).
    `required_if` = (other field, value): required only when that field has that value.
    """

    name: str
    label: str
    kind: str = "line"
    required: bool = False
    when: str = FACT
    options: tuple[tuple[str, str], ...] = ()
    required_if: tuple[str, str] | None = None
    max_length: int = 200


@dataclass(frozen=True)
class ActionKind:
    key: str
    label: str
    fields: tuple[DetailField, ...] = ()
    paragraph: str = ""  # of the school's procedures, when the kind comes from one
    hint: str = ""  # shown above the fields


CONFERENCE_TYPES = (("initial", "Initial child protection conference"),
                    ("review", "Review child protection conference"))
PARENT_DECISIONS = (("contacted", "Contacted the parent or carer"),
                    ("not_contacted", "Decided not to contact them"))

KINDS: tuple[ActionKind, ...] = (
    ActionKind("childrens_services", "Referral to children's social care / MASH", (
        DetailField("la_reference", "The local authority's reference (if given)"),
        DetailField("outcome", "Outcome of the referral (when known)", "text", max_length=2000),
    ), paragraph="21", hint="The action's date is the date of the referral."),
    ActionKind("strategy_discussion", "Strategy discussion", (
        DetailField("meeting_date", "Date of the strategy discussion", "date", required=True, when=PLAN),
    )),
    ActionKind("section_47", "Section 47 enquiry", (
        DetailField("social_worker", "Lead social worker (if known)"),
    ), hint="The action's date is the date the enquiry started."),
    ActionKind("cp_conference", "Child protection conference", (
        DetailField("conference_type", "Which conference", "choice", required=True,
                    options=CONFERENCE_TYPES),
        DetailField("conference_date", "Conference date", "date", required=True, when=PLAN),
    )),
    ActionKind("core_group", "Core group meeting", (
        DetailField("meeting_date", "Core group date", "date", required=True, when=PLAN),
    )),
    ActionKind("police", "Police contact", (
        DetailField("crime_reference", "Crime reference (if given)"),
    )),
    ActionKind("early_help_assessment", "Early help assessment started", (),
               hint="The action's date is the date the assessment started."),
    ActionKind("spoke_to_child", "Spoke to the child"),
    ActionKind("parent_contact", "Contacted the parent (or decided not to)", (
        DetailField("decision", "Contacted, or decided not to", "choice", required=True,
                    options=PARENT_DECISIONS),
        DetailField("why_not", "Why not (it may increase the risk to the child, paragraph 11a)",
                    "text", required_if=("decision", "not_contacted"), max_length=2000),
    ), paragraph="11a"),
    ActionKind("consultation_line", "Advice from the professional consultation line", (
        DetailField("advice", "The advice given", "text", max_length=2000),
        DetailField("adviser", "Who gave it (if known)"),
    ), paragraph="21"),
    ActionKind("early_help", "Early help"),
    ActionKind("monitor", "Monitor"),
    ActionKind("no_further_action", "No further action"),
    ActionKind("designated_teacher", "Shared with the designated teacher"),
    ActionKind("other", "Other"),
)

BY_KEY: dict[str, ActionKind] = {k.key: k for k in KINDS}
assert len(BY_KEY) == len(KINDS), "action kind keys are unique"
LABELS: dict[str, str] = {k.key: k.label for k in KINDS}


def field_label(kind: str, name: str) -> str:
    for f in BY_KEY[kind].fields if kind in BY_KEY else ():
        if f.name == name:
            return f.label
    return name


def check_details(kind: str, raw: dict | None, today: date) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Check an action's extra fields. Returns (values to keep, problems).

    Values are stored as text (dates as ISO); blank optional fields are left out; names the
    kind does not have are problems, not silently dropped. Each problem is (field name, what
    is wrong). Dates arrive already read (a `date`) or as ISO text.
    """
    spec = BY_KEY.get(kind)
    if spec is None:
        return {}, [("kind", "choose what was done from the list")]
    raw = dict(raw or {})
    problems: list[tuple[str, str]] = []
    known = {f.name for f in spec.fields}
    for name in raw:
        if name not in known:
            problems.append((name, f"is not a field of {spec.label.lower()}"))
    out: dict[str, str] = {}
    for f in spec.fields:
        value = raw.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        required = f.required or (f.required_if is not None
                                  and raw.get(f.required_if[0]) == f.required_if[1])
        if value in (None, ""):
            if required:
                problems.append((f.name, "is required"))
            continue
        if f.kind == "date":
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    problems.append((f.name, "must be a date"))
                    continue
            if not isinstance(value, date):
                problems.append((f.name, "must be a date"))
                continue
            if f.when == FACT and value > today:
                problems.append((f.name, "is in the future; only a planned date may be"))
                continue
            out[f.name] = value.isoformat()
        elif f.kind == "choice":
            if value not in {v for v, _ in f.options}:
                problems.append((f.name, "choose from the list"))
                continue
            out[f.name] = value
        else:
            if not isinstance(value, str):
                problems.append((f.name, "must be text"))
                continue
            if len(value) > f.max_length:
                problems.append((f.name, f"is longer than {f.max_length} characters"))
                continue
            out[f.name] = value
    return out, problems


def describe(kind: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value as read) for each stored field, in the kind's order; choices and dates
    in words."""
    spec = BY_KEY.get(kind)
    if spec is None:
        return [(k, v) for k, v in values.items()]
    out = []
    for f in spec.fields:
        if f.name not in values:
            continue
        v = values[f.name]
        if f.kind == "choice":
            v = dict(f.options).get(v, v)
        elif f.kind == "date":
            try:
                v = date.fromisoformat(v).strftime("%d/%m/%Y")
            except ValueError:
                pass
        out.append((f.label.split(" (")[0], v))
    return out
