"""Inputs that refuse control characters (typed or pasted) and say so.

`SafeTextArea` lives in kiosk.widgets.text_area and is imported from here on first use:
Textual's TextArea is a large import the login screen does not need."""

from __future__ import annotations

from textual.widgets import Input

from kiosk.text import INPUT_RESTRICT, SHORT_MAX, has_control_chars
from kiosk.widgets.typed import FocusInOrder

CONTROL_REFUSED = "Control characters are not allowed here; they were not entered."
TOO_LONG = "This field holds at most {limit} characters; the rest was not entered."


class SafeInput(FocusInOrder, Input):
    """An Input with the console's restrict pattern and a length limit.

    Textual's `restrict` already rejects the characters (also on paste); this adds the
    message, so a person knows why nothing appeared. Tab (and Enter, with
    `next_on_enter=True`) moves on at once, so keys typed after it in a burst land in the
    next field (kiosk.widgets.typed).
    """

    def __init__(self, value: str | None = None, *, max_length: int = SHORT_MAX,
                 next_on_enter: bool = False, **kwargs) -> None:
        kwargs.setdefault("restrict", INPUT_RESTRICT)
        super().__init__(value, max_length=max_length, **kwargs)
        self.next_on_enter = next_on_enter
        self._refused_text = ""
        self._refused_length = 0

    def replace(self, text: str, start: int, end: int) -> None:
        # Input calls restricted() without saying why: keep what was tried so it can.
        self._refused_text = text
        self._refused_length = len(self.value) - abs(end - start) + len(text)
        super().replace(text, start, end)

    def restricted(self) -> None:
        self.app.bell()
        if has_control_chars(self._refused_text):
            message = CONTROL_REFUSED
        elif self.max_length and self._refused_length > self.max_length:
            message = TOO_LONG.format(limit=self.max_length)
        else:
            message = "That cannot be typed here; it was not entered."
        self.notify(message, severity="warning", markup=False, timeout=4)



def __getattr__(name: str):
    if name == "SafeTextArea":
        from kiosk.widgets.text_area import SafeTextArea

        return SafeTextArea
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
