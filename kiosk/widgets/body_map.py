"""A body map a keyboard user can mark: front and back outlines with each body area a spot.

Arrows move between the spots, Enter or space marks the highlighted one (the widget posts
`BodyMap.Marked` with the area key; the concern form then asks what was seen there). Areas
already recorded show with a star. The keys are those of kiosk.models.concerns.BODY_AREAS,
so what is stored stays a list of (body area, description) as before. Left and right are
the child's: on the front view the child's right side is on your left.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

# (area, label, row, column). Front figure at the left, back figure at the right.
SPOTS: tuple[tuple[str, str, int, int], ...] = (
    ("head", "Head", 1, 11), ("face", "Face", 2, 11), ("neck", "Neck", 3, 11),
    ("right_arm", "R arm", 4, 1), ("chest", "Chest", 4, 10), ("left_arm", "L arm", 4, 20),
    ("abdomen", "Abdomen", 5, 9),
    ("right_hand", "R hand", 6, 0), ("genital", "Genitals", 6, 9), ("left_hand", "L hand", 6, 20),
    ("right_leg", "R leg", 7, 5), ("left_leg", "L leg", 7, 15),
    ("right_foot", "R foot", 8, 4), ("left_foot", "L foot", 8, 15),
    ("head", "Head", 1, 45), ("neck", "Neck", 3, 45),
    ("left_arm", "L arm", 4, 35), ("back", "Back", 4, 45), ("right_arm", "R arm", 4, 54),
    ("left_hand", "L hand", 6, 34), ("buttocks", "Buttocks", 6, 43), ("right_hand", "R hand", 6, 54),
    ("left_leg", "L leg", 7, 39), ("right_leg", "R leg", 7, 49),
    ("left_foot", "L foot", 8, 38), ("right_foot", "R foot", 8, 49),
    ("other", "Other or several areas", 9, 20),
)
WIDTH = 62
ROWS = 10


class BodyMap(Widget, can_focus=True):
    DEFAULT_CSS = """
    BodyMap { height: 10; width: 64; border: none; }
    BodyMap:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("enter", "mark", "Mark area", show=False),
        Binding("space", "mark", "Mark area", show=False),
    ]

    class Marked(Message):
        def __init__(self, body_map: "BodyMap", area: str) -> None:
            super().__init__()
            self.body_map = body_map
            self.area = area

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cursor = 0
        self.marked: set[str] = set()

    @property
    def area(self) -> str:
        return SPOTS[self.cursor][0]

    def set_marked(self, areas) -> None:
        self.marked = set(areas)
        self.refresh()

    def move_to(self, area: str) -> None:
        for i, spot in enumerate(SPOTS):
            if spot[0] == area:
                self.cursor = i
                self.refresh()
                return

    def action_move(self, drow: int, dcol: int) -> None:
        _, _, row, col = SPOTS[self.cursor]
        best = None
        for i, (_, label, r, c) in enumerate(SPOTS):
            if i == self.cursor:
                continue
            if drow and (r - row) * drow <= 0:
                continue
            if dcol and ((c - col) * dcol <= 0 or abs(r - row) > 1):
                continue
            score = (abs(r - row) * 10 + abs(c - col)) if drow else (abs(r - row) * 100 + abs(c - col))
            if best is None or score < best[0]:
                best = (score, i)
        if best is not None:
            self.cursor = best[1]
            self.refresh()

    def action_mark(self) -> None:
        self.post_message(self.Marked(self, self.area))

    def render(self) -> Text:
        grid = [[" "] * WIDTH for _ in range(ROWS)]
        styles: list[tuple[int, int, int, str]] = []
        for text, col in (("Front (child facing you)", 0), ("Back", 43)):
            grid[0][col:col + len(text)] = list(text)
            styles.append((0, col, len(text), "bold"))
        for i, (area, label, row, col) in enumerate(SPOTS):
            text = ("*" if area in self.marked else "") + label
            grid[row][col:col + len(text)] = list(text)
            style = "reverse" if (i == self.cursor and self.has_focus) else (
                "bold red" if area in self.marked else "")
            if i == self.cursor and not self.has_focus:
                style = "underline"
            if style:
                styles.append((row, col, len(text), style))
        out = Text()
        lines = ["".join(r).rstrip() for r in grid]
        offsets = []
        pos = 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        out = Text("\n".join(lines))
        for row, col, length, style in styles:
            out.stylize(style, offsets[row] + col, offsets[row] + col + length)
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
