"""The console's two dialogs, used by every screen: a yes/no question and a few fields.

`ConfirmDialog(question, title="")` returns True (y) or False (n, escape).
`NoticeDialog(title, lines)` shows what is shown once (a password) until enter or escape.

`FieldsDialog(title, fields, submit=...)` shows a handful of `Field`s and a message line.
Ctrl+S collects `{field name: value}` (after every key typed before it, kiosk.widgets.typed);
with `submit`, that function runs as a service call in a worker (`run_service`) and the
dialog closes with its result (True when the service returns None); a refusal keeps
everything typed, says why and puts the cursor on the field the ValidationError names (a
field's `name` is the input dataclass's field name). Without `submit` the values
themselves are returned. Escape returns None, asking first if anything was typed
(`confirm_leave`, the same question every form asks). Enter on a one-line field moves on
(on the last, it saves).

Labels, choices and typed text all go through Content: nothing typed reaches markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.inputs import SafeInput, SafeTextArea
from kiosk.widgets.service import ServiceCaller, describe_failure, discard_draft
from kiosk.widgets.ticks import TickList

__all__ = ["ConfirmDialog", "DraftOrigin", "Field", "FieldsDialog", "LEAVE_QUESTION", "NoticeDialog",
           "confirm_leave"]

LEAVE_QUESTION = "Leave without saving? What you typed here will be lost."


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: y / n (escape is no)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, title: str = "") -> None:
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self):
        with Vertical(classes="dialog"):
            if self.title_text:
                yield Static(Content.styled(self.title_text, "bold"))
            yield Static(Content(self.question))
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Yes (y)"), id="yes", variant="error")
                yield Button(Content("No (n)"), id="no")
        yield KioskFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class NoticeDialog(ModalScreen[None]):
    """Text shown until enter or escape: what is shown once and never again (a password)."""

    DEFAULT_CSS = """
    NoticeDialog > VerticalScroll { width: 76; height: auto; max-height: 22; }
    """
    BINDINGS = [Binding("enter", "close", "Close"), Binding("escape", "close", "Close")]

    def __init__(self, title: str, lines: list) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines  # (text, style) pairs or Content

    def compose(self):
        with VerticalScroll(classes="dialog", id="notice"):
            yield Static(Content.styled(self.title_text, "bold"))
            for line in self.lines:
                if isinstance(line, Content):
                    yield Static(line)
                else:
                    text, style = line
                    yield Static(Content.styled(text, style) if style else Content(text))
            yield Static(Content("enter close"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#notice").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def confirm_leave(screen: Screen, leave: Callable[[], None], question: str = LEAVE_QUESTION) -> None:
    """Ask before `leave()` throws away typed text (every form and dialog asks this way)."""

    def answer(yes: bool | None) -> None:
        if yes:
            leave()

    screen.app.push_screen(ConfirmDialog(question), answer)


@dataclass(frozen=True)
class Field:
    """One field of a FieldsDialog. `name` is the input dataclass's field name.

    kind: "line" (one line), "text" (several lines), "select" (a drop-down), "choice" (a
    short list shown open; enter moves on), "multi" (tick several). `options` are
    (value, label) pairs for the last three. `aliases`: other names a service's
    ValidationError may give this field (the cursor goes here for them too).
    """

    name: str
    label: str
    kind: str = "line"
    value: Any = None
    options: tuple[tuple[Any, str], ...] = ()
    max_length: int = 200
    placeholder: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftOrigin:
    """Where a dialog came from, so that what is typed in it can be kept as a draft and the
    dialog opened again: the screen ("module:Class"), its constructor arguments, and the
    screen action that opens this dialog (e.g. "add_action" or "add('note')")."""

    screen: str
    args: tuple
    action: str

    @property
    def form_id(self) -> str:
        name = self.screen.rpartition(":")[2]
        raw = ".".join([name, self.action, *map(str, self.args)])
        return re.sub(r"[^A-Za-z0-9._-]+", "_", raw)[:64]


class FieldsDialog(ServiceCaller, ModalScreen[Any]):
    """A few fields, Save (ctrl+s) and Cancel (escape); see the module docstring.

    With an `origin` (set by KioskScreen.open_dialog) it is a draft like any form: kept
    at the lock and every few seconds while typing, dropped when saved or left on purpose,
    and opened again with its text when the draft is restored."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    DEFAULT_CSS = """
    FieldsDialog .dialog { height: auto; max-height: 100%; padding: 0 2; width: 76; }
    FieldsDialog #dialog-fields { height: auto; max-height: 14; }
    FieldsDialog Label { margin-top: 1; }
    FieldsDialog SafeTextArea { height: 4; }
    FieldsDialog SelectionList { height: auto; max-height: 6; }
    FieldsDialog #dialog-message { height: auto; }
    """

    def __init__(self, title: str, fields: list[Field], submit: Callable[[dict], Any] | None = None,
                 save_label: str = "Save", intro: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.submit = submit
        self.save_label = save_label
        self.intro = intro
        self.busy = False
        self._initial: dict | None = None
        self.origin: DraftOrigin | None = None
        self.pending_values: dict | None = None  # a restored draft, filled in on mount

    # --- the draft contract (the same as a form's) ------------------------------------

    @property
    def form_id(self) -> str:
        return self.origin.form_id if self.origin else ""

    @property
    def draft_title(self) -> str:
        return self.title_text

    def screen_class_path(self) -> str:
        return self.origin.screen if self.origin else ""

    def has_content(self) -> bool:
        return self.origin is not None and self.has_changes()

    def form_state(self) -> dict:
        assert self.origin is not None
        return {"dialog": self.origin.action, "args": list(self.origin.args), "values": self.values()}

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"))
            if self.intro:
                yield Static(Content(self.intro), classes="hint")
            with VerticalScroll(id="dialog-fields"):
                for f in self.fields:
                    yield Label(Content(f.label))
                    yield self._widget(f)
            yield Static(Content(""), id="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.save_label} (Ctrl+S)"), id="save", variant="primary")
                yield Button(Content("Cancel (Esc)"), id="cancel")
        yield KioskFooter()

    @staticmethod
    def _widget(f: Field):
        wid = f"f-{f.name}"
        if f.kind == "text":
            area = SafeTextArea(str(f.value or ""), id=wid)
            area.show_line_numbers = False
            return area
        if f.kind == "select":
            known = {val for val, _ in f.options}
            return Select([(Text(lbl), val) for val, lbl in f.options], prompt="Choose",
                          value=f.value if f.value in known else Select.NULL, id=wid)
        if f.kind == "choice":
            ol = OptionList(*[Option(Content(lbl), id=str(val)) for val, lbl in f.options], id=wid)
            ol.styles.height = min(len(f.options), 7) + 2
            return ol
        if f.kind == "multi":
            chosen = set(f.value or ())
            return TickList(*[Selection(Content(lbl), val, val in chosen)
                              for val, lbl in f.options], id=wid)
        return SafeInput(str(f.value or ""), id=wid, max_length=f.max_length,
                         placeholder=f.placeholder)

    def on_mount(self) -> None:
        for f in self.fields[:-1]:
            if f.kind == "line":  # Enter moves on at once, so a burst after it follows it
                self.query_one(f"#f-{f.name}", SafeInput).next_on_enter = True
        for f in self.fields:
            if f.kind == "choice":
                ol = self.query_one(f"#f-{f.name}", OptionList)
                ol.highlighted = next((i for i, (v, _) in enumerate(f.options) if v == f.value), 0)
        if self.fields:
            self.query_one(f"#f-{self.fields[0].name}").focus()
        self._initial = self.values()
        if self.pending_values:
            self.load_values(self.pending_values)
            self.pending_values = None

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.query_one(f"#f-{f.name}")
            if f.kind == "text":
                out[f.name] = w.text
            elif f.kind == "select":
                out[f.name] = None if w.value is Select.NULL else w.value
            elif f.kind == "choice":
                i = w.highlighted
                out[f.name] = f.options[i][0] if i is not None and f.options else None
            elif f.kind == "multi":
                out[f.name] = list(w.selected)
            else:
                out[f.name] = w.value
        return out

    def load_values(self, values: dict) -> None:
        """Put values back (a restored draft): unknown names and options are skipped."""
        for f in self.fields:
            if f.name not in values:
                continue
            v = values[f.name]
            w = self.query_one(f"#f-{f.name}")
            if f.kind == "text" and isinstance(v, str):
                w.text = v
            elif f.kind == "select" and v in {val for val, _ in f.options}:
                w.value = v
            elif f.kind == "choice":
                index = next((i for i, (val, _) in enumerate(f.options) if val == v), None)
                if index is not None:
                    w.highlighted = index
            elif f.kind == "multi" and isinstance(v, list):
                for val in v:
                    if val in {o for o, _ in f.options}:
                        w.select(val)
            elif f.kind == "line" and isinstance(v, str):
                w.value = v

    def has_changes(self) -> bool:
        try:
            return self._initial is not None and self.values() != self._initial
        except Exception:  # noqa: BLE001 - not composed yet
            return False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_next()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        """Enter on a one-line field moves on; on the last field it saves."""
        event.stop()
        if event.input.id == f"f-{self.fields[-1].name}":
            self.action_save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.busy:
            return
        if self.has_changes():
            confirm_leave(self, self._leave)
        else:
            self._leave()

    def _leave(self) -> None:
        self.drop_draft(self.form_id)
        self.dismiss(None)

    def action_save(self) -> None:
        if self.busy:
            return
        values = self.values()
        if self.submit is None:
            self.drop_draft(self.form_id)
            self.dismiss(values)
            return
        self.busy = True
        self.draft_epoch += 1  # an autosave from before this is not written after it
        self.say("Saving...")
        submit, app, actor, form_id = self.submit, self.app, self.app.actor, self.form_id

        def save(values: dict):
            result = submit(values)
            if form_id and actor is not None:  # the same unit: saved, so no longer a draft
                discard_draft(app, actor, form_id)
            return result

        self.run_service(save, values, then=self._saved, failed=self._refused,
                         group="dialog-save", exclusive=True)

    def _saved(self, result: Any) -> None:
        self.busy = False
        self.dismiss(True if result is None else result)

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        from kiosk.errors import ValidationError

        if isinstance(exc, ValidationError):
            self.focus_field(exc.field)
        message = describe_failure(exc)
        if not message.startswith("Not saved"):
            message = f"Not saved. {message}"
        self.say(message, error=True)
        self.notify(message, severity="error", markup=False)

    def field_selectors(self, name: str) -> list[str]:
        for f in self.fields:
            if name in f.aliases:
                return [f"#f-{f.name}"]
        return super().field_selectors(name)

    def say(self, text: str, error: bool = False) -> None:
        self.query_one("#dialog-message", Static).update(
            Content.styled(text, "bold red") if error else Content(text))
