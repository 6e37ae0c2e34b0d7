"""Tick boxes that read the same in 16 colours as in 16 million, and a tick list chosen
from by typing first letters (TypeAheadTicks).

Textual draws every checkbox as ``▐X▌`` and tells ticked from unticked by colour alone; in
the ansi-dark theme (SSH without COLORTERM) both look like a tick. Here the X is drawn only
when the box is ticked, so the state never depends on colour.
"""

from __future__ import annotations

import time

from rich.segment import Segment
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox, SelectionList

UNTICKED = " "


class TickBox(Checkbox):
    """A Checkbox showing ``▐X▌`` when ticked and ``▐ ▌`` when not."""

    @property
    def _button(self) -> Content:
        # As Textual's ToggleButton._button, with the inner character following the value.
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background,
                           background=self.background_colors[1])
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (self.BUTTON_INNER if self.value else UNTICKED, button_style),
            (self.BUTTON_RIGHT, side_style),
        )


class TickList(SelectionList):
    """A SelectionList whose unticked entries show ``▐ ▌`` rather than an X."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except Exception:  # noqa: BLE001 - past the last option: nothing to change
            return strip
        if selection.value in self._selected:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == "X":
            segments[1] = Segment(UNTICKED, segments[1].style, segments[1].control)
            return Strip(segments, strip.cell_length)
        return strip


class TypeAheadTicks(TickList):
    """A TickList chosen from by typing: letters move to the first entry starting with
    what was typed (a pause of a second starts afresh), Space ticks, Enter ticks the
    highlighted entry and posts `Done` so the form can move on (a list can only mean one
    thing by Enter: "this one, and I have finished here")."""

    BINDINGS = [Binding("enter", "tick_and_done", "Tick, next", show=False)]
    RESET_AFTER = 1.0  # seconds between letters before typing starts a new search

    class Done(Message):
        def __init__(self, ticks: "TypeAheadTicks") -> None:
            super().__init__()
            self.ticks = ticks

        @property
        def control(self) -> "TypeAheadTicks":
            return self.ticks

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._typed = ""
        self._typed_at = 0.0

    def _labels(self) -> list[str]:
        return [str(self.get_option_at_index(i).prompt).lower() for i in range(self.option_count)]

    def find(self, typed: str) -> int | None:
        """The first entry whose label (or a word of it) starts with `typed`."""
        typed = typed.lower()
        labels = self._labels()
        for i, label in enumerate(labels):
            if label.startswith(typed):
                return i
        for i, label in enumerate(labels):
            if any(word.startswith(typed) for word in label.split()):
                return i
        return None

    def on_key(self, event) -> None:
        char = event.character
        if not char or len(char) != 1 or not (char.isalnum() or char in "-'"):
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        typed = self._typed + char if now - self._typed_at < self.RESET_AFTER else char
        self._typed_at = now
        index = self.find(typed)
        if index is None and len(typed) > 1:
            typed, index = char, self.find(char)
        self._typed = typed
        if index is not None:
            self.highlighted = index

    def action_tick_and_done(self) -> None:
        if self.highlighted is not None:
            value = self.get_option_at_index(self.highlighted).value
            if value not in self._selected:
                self.select(value)
        self.post_message(self.Done(self))
