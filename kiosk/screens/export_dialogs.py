"""Dialogs the export screens share: a notice shown once (the password for the receiving
DSL), and a yes/no question (each restricted concern before it goes into a file).

The fields dialog is kiosk.screens.early_help_dialogs.FieldsDialog until the one shared
fields/confirm dialog of kiosk/widgets (issue 13) lands; then these move there too.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class NoticeDialog(ModalScreen[None]):
    """Text shown until enter or escape. Used for what is shown once and never again."""

    DEFAULT_CSS = """
    NoticeDialog > VerticalScroll { width: 76; height: auto; max-height: 22; }
    """
    BINDINGS = [Binding("enter", "close", "Close"), Binding("escape", "close", "Close")]

    def __init__(self, title: str, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines  # (text, style)

    def compose(self):
        with VerticalScroll(classes="dialog", id="notice"):
            yield Static(Content.styled(self.title_text, "bold"))
            for text, style in self.lines:
                yield Static(Content.styled(text, style) if style else Content(text))
            yield Static(Content("enter close"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#notice").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A question answered y (True) or n / escape (False)."""

    DEFAULT_CSS = """
    ConfirmDialog > VerticalScroll { width: 76; height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n", "answer(False)", "No"),
                Binding("escape", "answer(False)", "No")]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self):
        with VerticalScroll(classes="dialog", id="confirm"):
            yield Static(Content.styled(self.title_text, "bold"))
            yield Static(Content(self.question))
            yield Static(Content("y yes    n no"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#confirm").focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(bool(value))
