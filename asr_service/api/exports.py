"""Turn stored transcripts and minutes into download responses, in every supported format.

Transcripts: ``json``, ``txt``, ``srt``, ``vtt`` (the shared writers of :mod:`asr_service.formats`)
and ``odt``, ``docx``, ``pdf`` (a readable document with speakers and timestamps).
Minutes: ``json``, ``md`` (the summarizer's own Markdown), ``odt``, ``docx``, ``pdf``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import quote

from fastapi import Response

from asr_service.documents import MEDIA_TYPES, minutes_document, render, transcript_document
from asr_service.localtime import DEFAULT_TIMEZONE
from asr_service.speakers import humanise
from asr_service.transcript import Transcript
from summarizer.schema import Minutes


class TranscriptFormat(StrEnum):
    json = "json"
    txt = "txt"
    srt = "srt"
    vtt = "vtt"
    odt = "odt"
    docx = "docx"
    pdf = "pdf"


class MinutesFormat(StrEnum):
    json = "json"
    md = "md"
    odt = "odt"
    docx = "docx"
    pdf = "pdf"


def attachment(content: bytes, fmt: str, stem: str) -> Response:
    """A download response with a safe ASCII file name and the exact one in RFC 5987 form."""
    name = f"{stem}.{fmt}"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content=content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def transcript_bytes(
    transcript: Transcript, fmt: TranscriptFormat, *, title: str, tz: str = DEFAULT_TIMEZONE
) -> bytes:
    """The transcript encoded as ``fmt`` (dates in documents in ``tz``, the operator's zone)."""
    if fmt in (TranscriptFormat.odt, TranscriptFormat.docx, TranscriptFormat.pdf):
        return render(transcript_document(transcript, title=title, tz=tz), fmt.value)
    from asr_service import formats

    return formats.render(transcript, fmt.value).encode("utf-8")


def minutes_bytes(
    minutes: Minutes,
    markdown: str,
    fmt: MinutesFormat,
    *,
    title: str,
    review_status: str | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> bytes:
    """The minutes encoded as ``fmt`` (``md`` is the stored Markdown when there is one).

    ``review_status`` ("Projet …" or "Validé par … le …") heads every readable format; the JSON
    stays the bare :class:`Minutes` (the download says its version and status in headers).
    """
    if fmt is MinutesFormat.json:
        return minutes.model_dump_json(indent=2).encode("utf-8")
    if fmt is MinutesFormat.md:
        if not markdown:
            from summarizer.render import render_markdown

            markdown = render_markdown(minutes)
        markdown = humanise(markdown)  # "Intervenant N", as in every readable format
        if review_status:
            markdown = f"> **{review_status}**\n\n{markdown}"
        return markdown.encode("utf-8")
    document = minutes_document(minutes, meeting_title=title, review_status=review_status, tz=tz)
    return render(document, fmt.value)
