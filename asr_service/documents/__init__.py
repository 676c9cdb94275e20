"""Downloadable documents: transcripts and minutes as ODT, DOCX and PDF.

``render(document, fmt)`` writes a format-neutral :class:`Document` (built by
:func:`transcript_document` or :func:`minutes_document`) in one of :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable

from asr_service.documents.docx import render_docx
from asr_service.documents.layout import Document
from asr_service.documents.minutes_doc import minutes_document
from asr_service.documents.odt import render_odt
from asr_service.documents.pdf import render_pdf
from asr_service.documents.transcript_doc import transcript_document

RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "odt": render_odt,
    "docx": render_docx,
    "pdf": render_pdf,
}
MEDIA_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}
FORMATS = tuple(RENDERERS)


def render(document: Document, fmt: str) -> bytes:
    """The document in format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        return RENDERERS[fmt](document)
    except KeyError:
        raise ValueError(f"unknown document format {fmt!r}; expected one of {FORMATS}") from None


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "Document",
    "minutes_document",
    "render",
    "transcript_document",
]
