"""Inputs that refuse control characters (typed or pasted) and say so."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from kiosk.text import INPUT_RESTRICT, SHORT_MAX, has_control_chars

CONTROL_REFUSED = "Control characters are not allowed here; they were not entered."


class SafeInput(Input):
    """An Input with the console's restrict pattern and a length limit.

    Textual's `restrict` already rejects the characters (also on paste); this adds the
    message, so a person knows why nothing appeared.
    """

    def __init__(self, value: str | None = None, *, max_length: int = SHORT_MAX, **kwargs) -> None:
        kwargs.setdefault("restrict", INPUT_RESTRICT)
        super().__init__(value, max_length=max_length, **kwargs)

    def restricted(self) -> None:
        self.app.bell()
        self.notify(CONTROL_REFUSED, severity="warning", markup=False, timeout=4)


class SafeTextArea(TextArea):
    """A multi-line field that drops control characters (other than newline and tab) from
    pastes and typing, with a message. The service checks again with kiosk.text.clean."""

    def _on_paste(self, event) -> None:  # type: ignore[override]
        if has_control_chars(event.text, multiline=True):
            event.prevent_default()
            event.stop()
            self.notify(CONTROL_REFUSED, severity="warning", markup=False, timeout=4)
            return
