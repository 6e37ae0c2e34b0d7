"""A QR code drawn with half-block characters, black on white whatever the theme.

Each character cell holds two modules (top and bottom) as ' ', '▀', '▄' or '█' in black
on a white background, with a white quiet zone, so it scans on a dark or a light
terminal theme alike. `qr_lines` is plain text (tests decode it back); `QrCode` is the
widget.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

# A 2-module quiet zone keeps a version-4 code at 37x19 cells; the white border drawn
# around it in the terminal is what the phone sees as the margin.
QUIET_ZONE = 2
STYLE = "#000000 on #ffffff"
_CELL = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_lines(data: str, border: int = QUIET_ZONE) -> list[str]:
    """The code for `data` (error level L, the smallest version that holds it) as text."""
    import segno  # only where a code is drawn: the sign-in screens import this module

    code = segno.make(data, error="l", micro=False, boost_error=False)
    rows = [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=border)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return ["".join(_CELL[(top, bottom)] for top, bottom in zip(rows[i], rows[i + 1]))
            for i in range(0, len(rows), 2)]


class QrCode(Static):
    DEFAULT_CSS = "QrCode { width: auto; height: auto; }"

    def __init__(self, data: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        if data:
            self.show(data)

    def show(self, data: str) -> None:
        text = "\n".join(qr_lines(data))
        self.update(Content.styled(text, STYLE))
