"""The multi-line field that refuses control characters (kiosk.widgets.inputs re-exports it)."""

from __future__ import annotations

from textual.widgets import TextArea

from kiosk.text import has_control_chars
from kiosk.widgets.inputs import CONTROL_REFUSED
from kiosk.widgets.typed import FocusInOrder


class SafeTextArea(FocusInOrder, TextArea):
    """A multi-line field that drops control characters (other than newline and tab) from
    pastes and typing, with a message. The service checks again with kiosk.text.clean.
    Tab moves on at once, so keys typed after it in a burst land in the next field
    (kiosk.widgets.typed)."""

    def _on_paste(self, event) -> None:  # type: ignore[override]
        if has_control_chars(event.text, multiline=True):
            event.prevent_default()
            event.stop()
            self.notify(CONTROL_REFUSED, severity="warning", markup=False, timeout=4)
            return
