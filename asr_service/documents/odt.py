"""Write a :class:`~asr_service.documents.layout.Document` as OpenDocument Text (ODT, via odfpy).

ODT is the format the French administration's interoperability framework (RGI) asks for; the file
uses the standard "Heading N", "Text body" and list styles so LibreOffice's navigator and outline
see the structure.
"""

from __future__ import annotations

import io

from odf.dc import Language, Subject, Title
from odf.opendocument import OpenDocumentText
from odf.style import (
    ListLevelProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, ListLevelStyleBullet, ListStyle, P, Span

from asr_service.documents.layout import BulletList, Document, Heading, Paragraph


class _Styles:
    """The handful of named styles the document uses, registered once per file."""

    def __init__(self, doc: OpenDocumentText) -> None:
        self.headings: dict[int, Style] = {}
        for level, size in ((1, "18pt"), (2, "14pt"), (3, "12pt")):
            style = Style(name=f"Heading {level}", family="paragraph", defaultoutlinelevel=level)
            style.addElement(TextProperties(fontsize=size, fontweight="bold"))
            style.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm"))
            doc.styles.addElement(style)
            self.headings[level] = style
        self.body = Style(name="Text body", family="paragraph")
        self.body.addElement(ParagraphProperties(marginbottom="0.2cm"))
        doc.styles.addElement(self.body)
        self.bold = Style(name="Strong", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        self.italic = Style(name="Emphasis", family="text")
        self.italic.addElement(TextProperties(fontstyle="italic"))
        self.bold_italic = Style(name="StrongEmphasis", family="text")
        self.bold_italic.addElement(TextProperties(fontweight="bold", fontstyle="italic"))
        for s in (self.bold, self.italic, self.bold_italic):
            doc.styles.addElement(s)
        self.cell = Style(name="TableCell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
        doc.automaticstyles.addElement(self.cell)
        self.bullets = ListStyle(name="Bullets")
        level = ListLevelStyleBullet(level=1, bulletchar="•")
        level.addElement(ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.5cm"))
        self.bullets.addElement(level)
        doc.automaticstyles.addElement(self.bullets)

    def run_style(self, bold: bool, italic: bool) -> Style | None:
        if bold and italic:
            return self.bold_italic
        return self.bold if bold else self.italic if italic else None


def _paragraph(para: Paragraph, styles: _Styles) -> P:
    p = P(stylename=styles.body)
    for run in para.runs:
        style = styles.run_style(run.bold, run.italic)
        if style is None:
            p.addText(run.text)
        else:
            p.addElement(Span(stylename=style, text=run.text))
    return p


def render_odt(document: Document) -> bytes:
    """The document as ODT bytes."""
    doc = OpenDocumentText()
    styles = _Styles(doc)
    doc.meta.addElement(Title(text=document.title))
    if document.subject:
        doc.meta.addElement(Subject(text=document.subject))
    doc.meta.addElement(Language(text=document.language))

    for index, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            doc.text.addElement(
                H(outlinelevel=level, stylename=styles.headings[level], text=block.text)
            )
        elif isinstance(block, Paragraph):
            doc.text.addElement(_paragraph(block, styles))
        elif isinstance(block, BulletList):
            lst = List(stylename=styles.bullets)
            for item in block.items:
                li = ListItem()
                li.addElement(_paragraph(item, styles))
                lst.addElement(li)
            doc.text.addElement(lst)
        else:
            table = Table(name=f"Tableau{index}")
            table.addElement(TableColumn(numbercolumnsrepeated=len(block.header)))
            for row, header in [(block.header, True), *((r, False) for r in block.rows)]:
                tr = TableRow()
                for value in row:
                    cell = TableCell(stylename=styles.cell, valuetype="string")
                    p = P(stylename=styles.body)
                    if header:
                        p.addElement(Span(stylename=styles.bold, text=value))
                    else:
                        p.addText(value)
                    cell.addElement(p)
                    tr.addElement(cell)
                table.addElement(tr)
            doc.text.addElement(table)

    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()
