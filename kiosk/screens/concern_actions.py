"""Adding an action to a concern: choose its kind, then the fields that kind asks for.

The kinds and their fields are data (kiosk.rules.action_kinds); this module turns them into
the dialog's fields and the dialog's values back into a service call. An action may also set
a follow-up (what, due date, owner). The service judges everything again.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.dates import fmt_date, parse_typed_date
from kiosk.rules.action_kinds import KINDS, BY_KEY
from kiosk.services.casework import FollowUpInput
from kiosk.widgets.footer import KioskFooter


class KindPicker(ModalScreen[str | None]):
    """What was done: the list of action kinds (enter chooses, escape cancels)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    KindPicker OptionList { height: auto; max-height: 17; }
    """

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Add an action: what was done?", "bold"))
            yield OptionList(*[Option(Content(k.label), id=k.key) for k in KINDS], id="kinds")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#kinds", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def action_fields(kind: str, today, who: str, team) -> list:
    """The dialog's fields for one kind: the common ones, the kind's own, a follow-up."""
    from kiosk.screens.concern_detail import FieldSpec

    spec = BY_KEY[kind]
    fields = [
        FieldSpec("date", "Date (DD/MM/YYYY)", "date", value=fmt_date(today), errors=("action date",)),
        FieldSpec("who", "Who did it", value=who),
    ]
    for f in spec.fields:
        label = f.label + ("" if f.required or f.required_if else "")
        if f.kind == "date":
            label += " (DD/MM/YYYY" + (", may be ahead)" if f.when == "plan" else ")")
            fields.append(FieldSpec(f"d_{f.name}", label, errors=(f.name,)))
        elif f.kind == "choice":
            fields.append(FieldSpec(f"d_{f.name}", label, "select",
                                    [(lbl, val) for val, lbl in f.options], errors=(f.name,)))
        elif f.kind == "text":
            fields.append(FieldSpec(f"d_{f.name}", label, "area", errors=(f.name,)))
        else:
            fields.append(FieldSpec(f"d_{f.name}", label, errors=(f.name,)))
    fields += [
        FieldSpec("notes", "Notes", "area"),
        FieldSpec("rationale", "Rationale: why this action", "area"),
        FieldSpec("follow_up", "Follow-up: what is to be done next (optional)", errors=("follow_up",)),
        FieldSpec("follow_up_due", "Follow-up due (DD/MM/YYYY)", errors=("follow_up_due",)),
        FieldSpec("follow_up_owner", "Follow-up owner", "select", [(u.name, u.id) for u in team],
                  errors=("follow_up_owner",)),
    ]
    return fields


def action_call(kind: str, values: dict) -> dict:
    """The dialog's values as add_action's keywords (dates read here, judged by the service)."""
    spec = BY_KEY[kind]
    details = {}
    for f in spec.fields:
        raw = values.get(f"d_{f.name}")
        if f.kind == "date":
            raw = parse_typed_date(raw or "", f.name, required=False)
        if raw not in (None, ""):
            details[f.name] = raw
    follow_up = None
    what = (values.get("follow_up") or "").strip()
    due_text = (values.get("follow_up_due") or "").strip()
    if what or due_text:
        due = parse_typed_date(due_text, "follow_up_due", required=True)
        owner = values.get("follow_up_owner")
        follow_up = FollowUpInput(what, due, int(owner) if owner is not None else None)
    return dict(kind=kind, action_date=values["date"], taken_by=values["who"],
                notes=values["notes"], rationale=values["rationale"], details=details,
                follow_up=follow_up)
