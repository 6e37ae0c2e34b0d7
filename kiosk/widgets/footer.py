"""KioskFooter: every key the screen answers to, wrapped onto as many lines as it takes.

Textual's Footer is one line: at 80 columns the last keys fell off the end ("f1 Conta",
"f2 W", "e Early h"), or were squeezed ("s Sha…"). Nothing a person needs may be cut at
80x24, so this footer lays the keys out itself, whole, line by line, and grows a line when
they do not fit. It follows the screen's bindings like Textual's (the bindings signal) and
redraws on resize. Keyboard first: the keys are shown, not clicked.
"""

from __future__ import annotations

from collections import OrderedDict

from textual.content import Content
from textual.widgets import Static

GAP = "  "


class KioskFooter(Static):
    DEFAULT_CSS = """
    KioskFooter {
        dock: bottom;
        height: auto;
        max-height: 4;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 0 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(Content(""), **kwargs)
        self.lines: list[str] = []  # the footer as plain lines, for tests and for width checks
        self._laid_out: tuple | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.refresh_keys()

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.refresh_keys)

    def items(self) -> list[tuple[str, str, bool]]:
        """(key as shown, description, enabled) for each action, in binding order."""
        by_action: OrderedDict[str, tuple[str, str, bool]] = OrderedDict()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in by_action:
                continue
            by_action[binding.action] = (self.app.get_key_display(binding),
                                         binding.description, enabled)
        return list(by_action.values())

    def refresh_keys(self) -> None:
        if not self.is_attached:
            return
        width = (self.size.width or self.screen.size.width or self.app.size.width) - 1
        width = max(width, 20)
        items = self.items()
        # Asked for again and again as a screen mounts (resize, focus, bindings): the same keys
        # at the same width are not laid out (and the footer not refreshed) again.
        if (width, items) == self._laid_out:
            return
        self._laid_out = (width, items)
        lines: list[list[tuple[str, str, bool]]] = [[]]
        used = 0
        for key, description, enabled in items:
            item_len = len(key) + 2 + len(description)
            need = item_len if not lines[-1] else len(GAP) + item_len
            if lines[-1] and used + need > width:
                lines.append([])
                used, need = 0, item_len
            lines[-1].append((key, description, enabled))
            used += need
        rendered: list[Content] = []
        self.lines = []
        for line in lines:
            parts: list = []
            plain = []
            for i, (key, description, enabled) in enumerate(line):
                style = "bold reverse" if enabled else "dim reverse"
                if i:
                    parts.append(GAP)
                parts += [(f" {key} ", style), (description, "" if enabled else "dim")]
                plain.append(f" {key} {description}")
            rendered.append(Content.assemble(*parts))
            self.lines.append(GAP.join(plain))
        self.update(Content("\n").join(rendered))
