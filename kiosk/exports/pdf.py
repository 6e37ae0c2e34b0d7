"""PDF layout for every export (fpdf2): page furniture, tables, bar charts and the body map.

Every page carries the furniture the procedures ask for: the school, the subject (a pupil's
name, or "No individual" for the governors' report), who produced it and when, and
"page N of M". Tables repeat their headings on each page. `RecordPdf.output_encrypted`
is the only way out for a PDF that holds case records: AES-256 with a user password.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import EncryptionMethod

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_WORDS = ("amber", "basil", "cedar", "delta", "ember", "fable", "grove", "heron", "ivory",
          "juniper", "kestrel", "lantern", "meadow", "nectar", "orchid", "pebble", "quartz",
          "raven", "saffron", "thistle", "umber", "velvet", "willow", "yarrow", "zephyr",
          "harbour", "copper", "glacier", "marble", "sparrow", "tundra", "walnut")


def generate_password() -> str:
    """A strong password to read out over the phone: five words and four digits (~70 bits)."""
    words = [secrets.choice(_WORDS) for _ in range(5)]
    digits = "".join(secrets.choice(string.digits) for _ in range(4))
    return "-".join(words) + "-" + digits


def check_password(password: str) -> str:
    from kiosk.errors import ValidationError

    if not isinstance(password, str) or len(password) < 12:
        raise ValidationError("password", "must be at least 12 characters (give it by another channel)")
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in password):
        raise ValidationError("password", "must not contain control characters")
    return password


@dataclass(frozen=True)
class Furniture:
    school: str
    subject: str  # "Amara Abbott (UPN ...)" or "No individual: counts only"
    title: str
    produced_by: str
    produced_at: str  # local time, as shown


def _find_font() -> tuple[Path, Path] | None:
    for d in _FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


class RecordPdf(FPDF):
    def __init__(self, furniture: Furniture) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.furniture = furniture
        fonts = _find_font()
        if fonts:
            self.add_font("Body", "", str(fonts[0]))
            self.add_font("Body", "B", str(fonts[1]))
            self.family = "Body"
            self.unicode = True
        else:  # the core font covers Latin-1 only: other characters become "?"
            self.family = "Helvetica"
            self.unicode = False
        self.set_auto_page_break(True, margin=18)
        self.set_margins(14, 22, 14)
        self.alias_nb_pages()
        self.set_title(furniture.title)
        self.set_creator("DSL console")
        self.set_font(self.family, "", 10)

    def t(self, text) -> str:
        """Text as the font can print it (control characters never reach the file)."""
        text = "" if text is None else str(text)
        text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
        if not self.unicode:
            text = text.replace("\u2026", "...").replace("\u2013", "-").replace("\u2014", "-")
            text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
            text = text.encode("latin-1", "replace").decode("latin-1")
        return text

    # --- furniture ------------------------------------------------------------------------
    def header(self) -> None:
        f = self.furniture
        self.set_font(self.family, "B", 8)
        self.set_text_color(60, 60, 60)
        self.set_xy(14, 8)
        self.cell(0, 4, self.t(f"{f.school}  |  {f.title}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 8)
        self.cell(0, 4, self.t(f"{f.subject}  |  OFFICIAL-SENSITIVE"), new_x="LMARGIN", new_y="NEXT")
        self.line(14, 17, self.w - 14, 17)
        self.set_text_color(0, 0, 0)
        self.set_y(22)
        self.set_font(self.family, "", 10)

    def footer(self) -> None:
        f = self.furniture
        self.set_y(-13)
        self.set_font(self.family, "", 8)
        self.set_text_color(60, 60, 60)
        self.cell(0, 4, self.t(f"Produced by {f.produced_by} on {f.produced_at}"), align="L")
        self.set_x(14)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # --- content --------------------------------------------------------------------------
    def heading(self, text: str, size: int = 14) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(self.family, "", 10)

    def para(self, text: str, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", 10)
        self.multi_cell(0, 5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def field(self, label: str, value: str) -> None:
        self.set_font(self.family, "B", 10)
        self.multi_cell(0, 5, self.t(label), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 5, self.t(value or "-"), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def table(self, headings, rows, widths=None, font_size: int = 9) -> None:  # type: ignore[override]
        """A table whose headings repeat at the top of every page it runs onto."""
        self.set_font(self.family, "", font_size)
        has_head = any(headings)  # ("", "") : a two-column list of labels and values
        with super().table(col_widths=widths, repeat_headings=1, line_height=font_size * 0.5,
                           text_align="LEFT", first_row_as_headings=has_head) as tbl:
            if has_head:
                head = tbl.row()
                for h in headings:
                    head.cell(self.t(h))
            for r in rows:
                row = tbl.row()
                for value in r:
                    row.cell(self.t(value))
        self.ln(3)
        self.set_font(self.family, "", 10)

    def bar_chart(self, title: str, labels, values, shown=None, height: float = 60) -> None:
        """Horizontal bars drawn with rectangles; `shown` is the label printed by each bar
        (a suppressed count draws no bar and prints "<5")."""
        labels = [self.t(x) for x in labels]
        values = [max(0, int(v or 0)) for v in values]
        shown = list(shown) if shown is not None else [str(v) for v in values]
        row_h = 5.5
        need = 10 + row_h * max(1, len(labels))
        if self.get_y() + need > self.h - 20:
            self.add_page()
        self.set_font(self.family, "B", 10)
        self.cell(0, 6, self.t(title), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 8)
        label_w, x0 = 62, 14 + 62
        bar_w = self.w - 14 - x0 - 16
        top = max(values) if values else 0
        for label, v, s in zip(labels, values, shown):
            y = self.get_y()
            self.set_xy(14, y)
            self.cell(label_w - 2, row_h, label[:40], align="R")
            length = 0.0 if (top == 0 or s in ("<5", "x")) else bar_w * v / top
            if length > 0:
                self.set_fill_color(70, 110, 160)
                self.rect(x0, y + 1, length, row_h - 2, style="F")
            self.set_xy(x0 + length + 1, y)
            self.cell(14, row_h, self.t(s))
            self.set_y(y + row_h)
        self.ln(3)
        self.set_font(self.family, "", 10)

    def output_encrypted(self, password: str) -> bytes:
        """The PDF, AES-256 encrypted: opening it needs `password`."""
        check_password(password)
        owner = secrets.token_urlsafe(24)
        self.set_encryption(owner_password=owner, user_password=password,
                            encryption_method=EncryptionMethod.AES_256)
        return bytes(self.output())

    def output_plain(self) -> bytes:
        """Only for files that hold no individual (the governors' report)."""
        return bytes(self.output())


# --- the body map -------------------------------------------------------------------------
# Each body area (kiosk.models.concerns.BODY_AREAS) is drawn on a front and back outline at
# fixed points (in a 40 x 90 box per figure). Areas seen from one side only appear there.
BODY_MAP_POINTS = {
    "head": (("front", 20, 8), ("back", 20, 8)),
    "face": (("front", 20, 9),),
    "neck": (("front", 20, 17), ("back", 20, 17)),
    "chest": (("front", 20, 26),),
    "abdomen": (("front", 20, 38),),
    "back": (("back", 20, 30),),
    "left_arm": (("front", 31, 32), ("back", 9, 32)),
    "right_arm": (("front", 9, 32), ("back", 31, 32)),
    "left_hand": (("front", 33, 47), ("back", 7, 47)),
    "right_hand": (("front", 7, 47), ("back", 33, 47)),
    "genital": (("front", 20, 48),),
    "buttocks": (("back", 20, 47),),
    "left_leg": (("front", 25, 64), ("back", 15, 64)),
    "right_leg": (("front", 15, 64), ("back", 25, 64)),
    "left_foot": (("front", 26, 86), ("back", 14, 86)),
    "right_foot": (("front", 14, 86), ("back", 26, 86)),
}


def _outline(pdf: FPDF, x: float, y: float) -> None:
    pdf.set_draw_color(90, 90, 90)
    pdf.ellipse(x + 15, y + 2, 10, 12)  # head
    pdf.line(x + 18, y + 14, x + 18, y + 18)
    pdf.line(x + 22, y + 14, x + 22, y + 18)
    pdf.rect(x + 12, y + 18, 16, 32)  # torso
    pdf.polygon([(x + 12, y + 19), (x + 6, y + 45), (x + 9, y + 46), (x + 13, y + 26)])  # arm
    pdf.polygon([(x + 28, y + 19), (x + 34, y + 45), (x + 31, y + 46), (x + 27, y + 26)])
    pdf.rect(x + 5, y + 45, 5, 5)
    pdf.rect(x + 30, y + 45, 5, 5)
    pdf.rect(x + 12.5, y + 50, 7, 34)  # legs
    pdf.rect(x + 20.5, y + 50, 7, 34)
    pdf.rect(x + 11.5, y + 84, 8, 4)
    pdf.rect(x + 20.5, y + 84, 8, 4)
    pdf.set_draw_color(0, 0, 0)


def body_map(pdf: RecordPdf, marks: list[tuple[int, str, str]]) -> None:
    """Draw the front and back outlines with numbered marks; `marks` is (number, area, label)."""
    if pdf.get_y() + 110 > pdf.h - 20:
        pdf.add_page()
    top = pdf.get_y() + 2
    origins = {"front": (24, top + 6), "back": (84, top + 6)}
    pdf.set_font(pdf.family, "B", 9)
    for side, (x, y) in origins.items():
        pdf.set_xy(x, top)
        pdf.cell(40, 5, "Front" if side == "front" else "Back", align="C")
        _outline(pdf, x, y)
    pdf.set_font(pdf.family, "B", 7)
    for number, area, _label in marks:
        points = BODY_MAP_POINTS.get(area, ())
        if not points:  # "other": listed below only
            continue
        for side, px, py in points:
            ox, oy = origins[side]
            pdf.set_fill_color(200, 30, 30)
            pdf.ellipse(ox + px - 2.2, oy + py - 2.2, 4.4, 4.4, style="F")
            pdf.set_text_color(255, 255, 255)
            pdf.set_xy(ox + px - 2.2, oy + py - 2.2)
            pdf.cell(4.4, 4.4, str(number), align="C")
            pdf.set_text_color(0, 0, 0)
    pdf.set_y(top + 100)
    pdf.set_font(pdf.family, "", 9)
    for number, _area, label in marks:
        pdf.multi_cell(0, 4.5, pdf.t(f"{number}. {label}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(pdf.family, "", 10)
