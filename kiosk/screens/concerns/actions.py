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
from kiosk.services.concerns import ActionInput
from kiosk.widgets.dialogs import Field
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


def action_fields(kind: str, today, who: str, team) -> list[Field]:
    """The dialog's fields for one kind: the common ones, the kind's own, a follow-up. A
    kind's own field is named d_<name>; the service names it <name> (an alias)."""
    spec = BY_KEY[kind]
    fields = [
        Field("date", "Date (DD/MM/YYYY)", value=fmt_date(today), aliases=("action_date",)),
        Field("who", "Who did it", value=who, aliases=("taken_by",)),
    ]
    for f in spec.fields:
        label = f.label
        if f.kind == "date":
            label += " (DD/MM/YYYY" + (", may be ahead)" if f.when == "plan" else ")")
            fields.append(Field(f"d_{f.name}", label, aliases=(f.name,)))
        elif f.kind == "choice":
            fields.append(Field(f"d_{f.name}", label, "select", options=tuple(f.options), aliases=(f.name,)))
        elif f.kind == "text":
            fields.append(Field(f"d_{f.name}", label, "text", aliases=(f.name,)))
        else:
            fields.append(Field(f"d_{f.name}", label, aliases=(f.name,)))
    fields += [
        Field("notes", "Notes", "text"),
        Field("rationale", "Rationale: why this action", "text"),
        Field("follow_up", "Follow-up: what is to be done next (optional)"),
        Field("follow_up_due", "Follow-up due (DD/MM/YYYY)"),
        Field("follow_up_owner", "Follow-up owner", "select", options=tuple((u.id, u.name) for u in team)),
    ]
    return fields


def action_input(kind: str, values: dict) -> ActionInput:
    """The dialog's values as add_action's input (dates read here, judged by the service)."""
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
    return ActionInput(kind=kind, action_date=values["date"], taken_by=values["who"],
                       notes=values["notes"], rationale=values["rationale"], details=details,
                       follow_up=follow_up)
