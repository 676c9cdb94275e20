"""Write a :class:`~asr_service.documents.layout.Document` as PDF (via fpdf2).

A Unicode TrueType font is used when one is installed (DejaVu Sans from Debian's
``fonts-dejavu-core``, or the path in ``ASR_PDF_FONT``), so every French character prints; without
one, fpdf2's built-in Helvetica is used and the few characters outside Latin-1 are replaced by
their closest Latin-1 equivalent rather than failing the download.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from asr_service.documents.layout import BulletList, Document, Heading, Paragraph

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
_LATIN1_FALLBACKS = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "…": "...", "œ": "oe",
     "Œ": "OE", "€": "EUR", "•": "-", "\u202f": " ", "\u2009": " "}
)  # fmt: skip
HEADING_SIZES = {1: 18, 2: 14, 3: 12}


def _unicode_font() -> Path | None:
    from asr_service.config import get_settings

    configured = get_settings().pdf_font  # ASR_PDF_FONT
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path
    return None


class _Writer:
    """fpdf2 with the chosen font and a text filter for the built-in fallback font."""

    def __init__(self, document: Document) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.set_title(document.title)
        self.pdf.set_subject(document.subject)
        self.pdf.set_lang(document.language)
        self.pdf.set_creator("asr-service")
        font = _unicode_font()
        if font is not None:
            self.pdf.add_font("Body", "", str(font))
            bold = font.with_name(font.stem + "-Bold" + font.suffix)
            self.pdf.add_font("Body", "B", str(bold if bold.is_file() else font))
            oblique = font.with_name(font.stem + "-Oblique" + font.suffix)
            self.pdf.add_font("Body", "I", str(oblique if oblique.is_file() else font))
            self.pdf.add_font("Body", "BI", str(bold if bold.is_file() else font))
            self.family, self.unicode = "Body", True
        else:
            self.family, self.unicode = "Helvetica", False
        self.pdf.add_page()

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.translate(_LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font(self.family, style, size)

    def paragraph(self, para: Paragraph, indent: str = "") -> None:
        """Runs written one after the other with their emphasis, wrapped at the margin.

        ``FPDF.write`` prints text as given: no markdown, so "--", "~~", "**" or "[x](y)" in a
        transcript or in minutes print as written (fpdf2's markdown mode ate them).
        """
        self.font(10.5)
        if indent:
            self.pdf.write(5.5, indent)
        for run in para.runs:
            self.font(10.5, ("B" if run.bold else "") + ("I" if run.italic else ""))
            self.pdf.write(5.5, self.text(run.text))
        self.pdf.ln(5.5 + 1.5)


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4)."""
    w = _Writer(document)
    pdf = w.pdf
    outline_level = -1  # fpdf2 refuses an outline that skips a level
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            pdf.ln(2)
            w.font(HEADING_SIZES[level], "B")
            outline_level = min(level - 1, outline_level + 1)
            pdf.start_section(w.text(block.text), level=outline_level)
            pdf.multi_cell(0, 8, w.text(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            w.paragraph(block)
        elif isinstance(block, BulletList):
            for item in block.items:
                w.paragraph(item, indent="•  " if w.unicode else "-  ")
        else:
            w.font(9.5)
            widths = (2.5,) + (1.0,) * (len(block.header) - 1)  # the first column holds the text
            with pdf.table(first_row_as_headings=True, line_height=5.5, col_widths=widths) as table:
                for values in (block.header, *block.rows):
                    row = table.row()
                    for value in values:
                        row.cell(w.text(value))
            pdf.ln(3)
    return bytes(pdf.output())
