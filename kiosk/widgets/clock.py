"""A clock in England's local time, read through kiosk.clock so tests can fix it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from kiosk.clock import local_now


class Clock(Static):
    DEFAULT_CSS = "Clock { width: auto; }"

    def __init__(self, fmt: str = "%a %d %b %H:%M", **kwargs) -> None:
        super().__init__(**kwargs)
        self.fmt = fmt

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(15, self.tick)

    def tick(self) -> None:
        self.update(Content(local_now().strftime(self.fmt)))
