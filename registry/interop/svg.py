"""A small SVG canvas for print: A4 width, pages of A4 height, one font stack, nothing fetched from elsewhere.

Every element and text goes through ElementTree, which escapes what it writes: names and labels are data (a name
with ``<`` or ``&`` stays text). The only URL in a picture is the SVG namespace.
"""

import math
import textwrap
import xml.etree.ElementTree as ET

NAMESPACE = "http://www.w3.org/2000/svg"
#: A4 at 96 units per inch: 210 x 297 mm. Taller content takes whole pages more, so it prints page by page.
WIDTH, PAGE = 794, 1123
WIDTH_MM, PAGE_MM = 210, 297
MARGIN = 48
#: Fonts with Vietnamese letters first; no web font is loaded (a printed picture fetches nothing).
FONTS = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Roboto, Arial, Helvetica, sans-serif"
INK, MUTED, PAPER = "#1a1a1a", "#555555", "#ffffff"
HELD = "#1f4e79"
#: Seat states as drawn: held is filled, vacant (stated empty) is crossed out, unknown is dashed with a question mark.
#: They differ in shape as well as colour, so a black-and-white print still tells them apart.
STATES = ("held", "vacant", "unknown")


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` in lines that fit ``width`` units at font ``size`` (an average letter is about half as wide)."""
    return textwrap.wrap(text, max(int(width / (size * 0.55)), 8)) or [""]


class Canvas:
    """An SVG picture drawn top to bottom: ``y`` is where the next thing goes."""

    def __init__(self, title: str, description: str, language: str):
        self.root = ET.Element(
            "svg",
            {
                "xmlns": NAMESPACE,
                "version": "1.1",
                "role": "img",
                "aria-labelledby": "picture-title picture-desc",
                "font-family": FONTS,
                "fill": INK,
                "xml:lang": language,
            },
        )
        ET.SubElement(self.root, "title", id="picture-title").text = title
        ET.SubElement(self.root, "desc", id="picture-desc").text = description
        self.background = ET.SubElement(self.root, "rect", x="0", y="0", width=str(WIDTH), fill=PAPER)
        self.y = MARGIN

    def element(self, tag: str, parent=None, text: str | None = None, **attributes) -> ET.Element:
        attributes = {name.rstrip("_").replace("_", "-"): _number(value) for name, value in attributes.items()}
        element = ET.SubElement(self.root if parent is None else parent, tag, attributes)
        if text is not None:
            element.text = text
        return element

    def text(self, x: float, y: float, value: str, size: float = 12, **attributes) -> ET.Element:
        return self.element("text", text=value, x=x, y=y, font_size=size, **attributes)

    def lines(self, x: float, value: str, width: float, size: float = 12, **attributes) -> None:
        """``value`` wrapped to ``width`` from the current ``y`` on; ``y`` moves below it."""
        for line in wrap(value, width, size):
            self.y += size * 1.35
            self.text(x, self.y, line, size, **attributes)

    def seat(self, x: float, y: float, state: str, size: float = 12) -> None:
        """One seat marker, its top left at (x, y)."""
        group = self.element("g", class_=f"seat {state}")
        if state == "held":
            self.element("rect", group, x=x, y=y, width=size, height=size, fill=HELD, stroke=HELD)
            return
        dashed = {"stroke_dasharray": "3 2"} if state == "unknown" else {}
        self.element(
            "rect", group, x=x, y=y, width=size, height=size, fill=PAPER, stroke=INK, stroke_width=1.2, **dashed
        )
        if state == "vacant":
            self.element("line", group, x1=x, y1=y + size, x2=x + size, y2=y, stroke=INK, stroke_width=1.2)
        else:
            mark = {"text_anchor": "middle", "font_weight": "bold", "parent": group}
            self.text(x + size / 2, y + size * 0.8, "?", size * 0.8, **mark)

    def legend(self, title: str, entries: list[tuple[str, str]], draw=None) -> None:
        """A legend: each entry a marker (a seat state, or ``draw(x, y, key)`` for others) and what it means."""
        self.y += 24
        self.element("line", x1=MARGIN, y1=self.y, x2=WIDTH - MARGIN, y2=self.y, stroke=MUTED, stroke_width=0.5)
        self.y += 18
        self.text(MARGIN, self.y, title, 12, font_weight="bold")
        for key, meaning in entries:
            self.y += 6
            top = self.y + 6  # the marker level with its line of text
            if key in STATES:
                self.seat(MARGIN, top, key)
            else:
                draw(MARGIN, top, key)
            self.lines(MARGIN + 40, meaning, WIDTH - 2 * MARGIN - 40, 11)

    def svg(self) -> str:
        """The picture as an XML document: 210 mm wide, as many A4 pages tall as it needs."""
        pages = max(math.ceil((self.y + MARGIN) / PAGE), 1)
        height = pages * PAGE
        self.root.set("width", f"{WIDTH_MM}mm")
        self.root.set("height", f"{pages * PAGE_MM}mm")
        self.root.set("viewBox", f"0 0 {WIDTH} {height}")
        self.background.set("height", str(height))
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(self.root, encoding="unicode") + "\n"


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


class PDFUnavailable(Exception):
    """The system lacks the cairo library that draws PDF (the SVG is still there)."""


def pdf(svg: str) -> bytes:
    """The picture as PDF, 210 mm wide (one page per A4 page when it is one page tall), drawn by CairoSVG."""
    try:
        # Imported when a PDF is asked for: CairoSVG loads the system's libcairo, which a host may lack, and the SVG
        # pictures (and everything else) must work without it.
        import cairosvg
    except (ImportError, OSError) as missing:  # not installed, or installed without the system library
        raise PDFUnavailable(str(missing)) from None
    # unsafe=False (the default): no external entity or file is read; a picture has none anyway.
    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"))
