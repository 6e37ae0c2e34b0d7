"""Small dialogs the early help screens share: a few fields, a pupil search.

`FieldsDialog` shows a handful of fields (one-line inputs, a multi-line box, a short list
to choose from) and returns their values as a dict on ctrl+s, or None on escape. Every
label and choice goes through Content, so text typed by a person never reaches markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.widgets.inputs import SafeInput, SafeTextArea


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "line"  # line, text, choice
    value: str = ""
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (value, label)
    max_length: int = 200
    placeholder: str = ""


class FieldsDialog(ModalScreen[dict | None]):
    """A few fields; ctrl+s returns {name: value}, escape returns None."""

    DEFAULT_CSS = """
    FieldsDialog .eh-text { height: 5; }
    FieldsDialog Label { margin-top: 1; }
    FieldsDialog .eh-dialog { width: 76; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, fields: list[FieldSpec], intro: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.intro = intro

    def compose(self):
        with VerticalScroll(classes="dialog eh-dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            if self.intro:
                yield Static(Content(self.intro), classes="hint")
            for f in self.fields:
                yield Label(Content(f.label))
                if f.kind == "text":
                    area = SafeTextArea(f.value, id=f"f-{f.name}", classes="eh-text")
                    area.show_line_numbers = False
                    yield area
                elif f.kind == "choice":
                    options = [Option(Content(label), id=value) for value, label in f.choices]
                    ol = OptionList(*options, id=f"f-{f.name}", classes="eh-choice")
                    ol.styles.height = min(len(options), 7) + 2
                    yield ol
                else:
                    yield SafeInput(f.value, id=f"f-{f.name}", max_length=f.max_length,
                                    placeholder=f.placeholder)
            yield Static(Content("ctrl+s save    escape cancel"), classes="hint")

    def on_mount(self) -> None:
        for f in self.fields:
            if f.kind == "choice":
                ol = self.query_one(f"#f-{f.name}", OptionList)
                index = next((i for i, (v, _) in enumerate(f.choices) if v == f.value), 0)
                ol.highlighted = index
        if self.fields:
            self.query_one(f"#f-{self.fields[0].name}").focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.name}")
            if f.kind == "text":
                out[f.name] = widget.text
            elif f.kind == "choice":
                i = widget.highlighted
                out[f.name] = f.choices[i][0] if i is not None else ""
            else:
                out[f.name] = widget.value
        return out

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)


class PupilSearchDialog(ModalScreen):
    """Find a pupil with the console's one pupil search (PupilPicker: Enter chooses when one
    pupil matches, otherwise moves into the list); escape cancels. Dismisses with a
    PupilSummary."""

    DEFAULT_CSS = """
    PupilSearchDialog .eh-dialog { width: 76; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str = "Find a pupil", on_roll_only: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.on_roll_only = on_roll_only

    def compose(self):
        from kiosk.widgets.pupil_picker import PupilPicker

        with Vertical(classes="dialog eh-dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            yield PupilPicker(placeholder="e.g. amara or am ab", id="pupil-picker",
                              on_roll_only=self.on_roll_only)

    def on_mount(self) -> None:
        self.query_one("#pupil-search").focus()

    def on_pupil_picker_chosen(self, message) -> None:
        message.stop()
        self.dismiss(message.pupil)

    def action_cancel(self) -> None:
        self.dismiss(None)
