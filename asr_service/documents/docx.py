"""Write a :class:`~asr_service.documents.layout.Document` as Word (DOCX, via python-docx).

Uses Word's built-in "Title", "Heading N", "List Bullet" and "Table Grid" styles so the navigation
pane and accessibility checker see a real structure.
"""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from asr_service.documents.layout import BulletList, Document, Heading, Paragraph


def _add_runs(paragraph: docx.text.paragraph.Paragraph, para: Paragraph) -> None:
    for run in para.runs:
        r = paragraph.add_run(run.text)
        r.bold = run.bold or None
        r.italic = run.italic or None


def render_docx(document: Document) -> bytes:
    """The document as DOCX bytes."""
    out = docx.Document()
    props = out.core_properties
    props.title = document.title
    props.subject = document.subject
    props.language = document.language
    # Declare the text language so spell-checkers and screen readers read French.
    normal = out.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), document.language)

    for block in document.blocks:
        if isinstance(block, Heading):
            out.add_heading(block.text, level=0 if block.level <= 1 else min(block.level - 1, 9))
        elif isinstance(block, Paragraph):
            _add_runs(out.add_paragraph(), block)
        elif isinstance(block, BulletList):
            for item in block.items:
                _add_runs(out.add_paragraph(style="List Bullet"), item)
        else:
            table = out.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, value in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(value).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
            out.add_paragraph()

    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
