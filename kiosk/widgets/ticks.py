"""Tick boxes that read the same in 16 colours as in 16 million.

Textual draws every checkbox as ``▐X▌`` and tells ticked from unticked by colour alone; in
the ansi-dark theme (SSH without COLORTERM) both look like a tick. Here the X is drawn only
when the box is ticked, so the state never depends on colour.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
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
