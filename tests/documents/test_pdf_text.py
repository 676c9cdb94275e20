"""The PDF writer prints text as written: no markup of the text is interpreted by fpdf2."""

from __future__ import annotations

import io

import pypdf
import pytest

from asr_service.documents import render
from asr_service.documents.layout import Document, Paragraph, Run


def _pdf_text(document: Document) -> str:
    reader = pypdf.PdfReader(io.BytesIO(render(document, "pdf")))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    "text",
    [
        "Budget -- point 2 -- vote ; ~~ancien~~",
        "Note **importante** et __soulignée__ : a * b _ c",
        "<b>balise</b> & co",
    ],
)
def test_markup_characters_come_out_intact(text: str) -> None:
    """Regression (issue 14): "--" and "~~" were eaten as fpdf2 markdown markers."""
    doc = Document(title="Essai")
    doc.paragraph(text)
    doc.bullets([text])
    doc.blocks.append(Paragraph((Run("Décision : ", bold=True), Run(text, italic=True))))
    lines = _pdf_text(doc).splitlines()
    assert lines.count(text) == 1  # the paragraph
    assert sum(text in line for line in lines) == 3  # the paragraph, the bullet, the runs
    assert f"Décision : {text}" in lines
