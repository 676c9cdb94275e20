"""Downloads: every transcript and minutes format, parsed back; audit of each download."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from odf import teletype
from odf.opendocument import load
from odf.text import H, P

from asr_service.documents.minutes_doc import (
    SECTION_ACTIONS,
    SECTION_DECISIONS,
    SECTION_PARTICIPANTS,
    SECTION_QUESTIONS,
    SECTION_TO_CHECK,
    SECTION_TOPICS,
)
from tests.api.conftest import ApiHarness

SECTIONS = [
    SECTION_PARTICIPANTS,
    SECTION_TOPICS,
    SECTION_DECISIONS,
    SECTION_ACTIONS,
    SECTION_QUESTIONS,
    SECTION_TO_CHECK,
]


def odt_headings_and_text(content: bytes) -> tuple[list[str], str]:
    doc = load(io.BytesIO(content))
    headings = [teletype.extractText(h) for h in doc.getElementsByType(H)]
    paragraphs = [teletype.extractText(p) for p in doc.getElementsByType(P)]
    return headings, "\n".join(headings + paragraphs)


def docx_headings_and_text(content: bytes) -> tuple[list[str], str]:
    document = docx.Document(io.BytesIO(content))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return headings, "\n".join([p.text for p in document.paragraphs] + cells)


def test_minutes_odt_docx_pdf_hold_every_section(api: ApiHarness, tmp_path: Path) -> None:
    api.seed_meeting("mairie", "cm-1")
    base = "/api/v1/meetings/cm-1/minutes"

    odt = api.client.get(f"{base}?format=odt", headers=api.auth())
    assert odt.status_code == 200
    assert odt.headers["content-type"] == "application/vnd.oasis.opendocument.text"
    assert 'filename="cm-1-compte-rendu.odt"' in odt.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(odt.content)) as z:  # a real ODF package
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    headings, text = odt_headings_and_text(odt.content)
    assert headings[0] == "Conseil municipal du 28 novembre"
    for section in SECTIONS:
        assert section in headings
    assert "Le devis de l'entreprise Martin est approuvé à l'unanimité." in text
    assert "M. Bernard" in text and "avant le 15 décembre" in text
    assert "[00:01:01]" in text  # the decision cites its segment's timestamp

    word = api.client.get(f"{base}?format=docx", headers=api.auth())
    assert word.status_code == 200
    headings, text = docx_headings_and_text(word.content)
    for section in SECTIONS:
        assert section in headings
    assert "Transmettre le dossier à la préfecture" in text and "avant le 15 décembre" in text

    pdf = api.client.get(f"{base}?format=pdf", headers=api.auth())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    for section in SECTIONS:
        assert section in pdf_text
    assert "préfecture" in pdf_text

    md = api.client.get(f"{base}?format=md", headers=api.auth())
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "Le devis de l'entreprise Martin est approuvé" in md.text
    as_json = api.client.get(f"{base}?format=json", headers=api.auth()).json()
    assert as_json["decisions"][0]["sources"][0]["segment_id"] == 3

    # the real-world check: LibreOffice opens both files (where installed; once, on SQLite)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office and api.services.db.url.startswith("sqlite"):
        (tmp_path / "cr-odt.odt").write_bytes(odt.content)
        (tmp_path / "cr-docx.docx").write_bytes(word.content)
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
             f"-env:UserInstallation=file://{tmp_path}/lo-profile",
             str(tmp_path / "cr-odt.odt"), str(tmp_path / "cr-docx.docx")],
            check=True, timeout=180, capture_output=True,
        )  # fmt: skip
        for name in ("cr-odt.pdf", "cr-docx.pdf"):
            converted = pypdf.PdfReader(tmp_path / name)
            assert SECTION_DECISIONS in "".join(p.extract_text() for p in converted.pages)


def test_transcript_in_every_format(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    base = "/api/v1/meetings/cm-1/transcript"
    got = {}
    for fmt in ("json", "txt", "srt", "vtt", "odt", "docx", "pdf"):
        r = api.client.get(f"{base}?format={fmt}", headers=api.auth())
        assert r.status_code == 200, (fmt, r.text)
        got[fmt] = r
    assert json.loads(got["json"].content)["segments"][3]["text"].startswith("Le conseil approuve")
    assert "Mme Durand" in got["txt"].text
    assert got["srt"].text.startswith("1\n00:00:00,000 --> 00:00:06,500")
    assert got["vtt"].text.startswith("WEBVTT")
    _, odt_text = odt_headings_and_text(got["odt"].content)
    # readable document: one turn per speaker change, with time and name
    assert (
        "[00:00:00] Mme Durand : Bonjour à tous, la séance est ouverte. Premier point" in odt_text
    )
    assert "[00:00:14] M. Bernard : Le devis" in odt_text
    _, docx_text = docx_headings_and_text(got["docx"].content)
    assert "M. Bernard : Le devis de l'entreprise Martin" in docx_text
    assert got["pdf"].content.startswith(b"%PDF")
    assert api.client.get(f"{base}?format=exe", headers=api.auth()).status_code == 422


def test_missing_outputs_are_404_and_downloads_are_audited(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "empty", with_outputs=False, status="finalizing")
    for path in ("transcript", "minutes"):
        r = api.client.get(f"/api/v1/meetings/empty/{path}", headers=api.auth())
        assert r.status_code == 404, path
        assert "Pas encore" in r.json()["detail"]
    api.seed_meeting("mairie", "cm-1")
    api.client.get("/api/v1/meetings/cm-1/minutes?format=docx", headers=api.auth())
    api.client.get("/api/v1/meetings/cm-1/transcript?format=srt", headers=api.auth())
    audit = api.client.get("/api/v1/audit", headers=api.auth("mairie", "admin")).json()
    clerk_subject = audit[0]["actor"]
    assert clerk_subject.startswith("token:")
    assert [(e["action"], e["target"], e["detail"]["format"]) for e in audit[:2]] == [
        ("transcript.downloaded", "cm-1", "srt"),
        ("minutes.downloaded", "cm-1", "docx"),
    ]
    # the other tenant's audit log stays empty of them
    other = api.client.get("/api/v1/audit", headers=api.auth("prefecture", "admin")).json()
    assert all(e["target"] != "cm-1" for e in other)


@pytest.mark.parametrize("fmt", ["odt", "docx", "pdf"])
def test_empty_minutes_render_a_notice(fmt: str) -> None:
    from asr_service.documents import minutes_document, render
    from summarizer.schema import Minutes

    doc = minutes_document(Minutes(status="empty", notice="Rien à résumer : aucune parole."))
    assert "Rien à résumer : aucune parole." in doc.plain_text()
    assert SECTION_DECISIONS not in doc.plain_text()  # nothing invented
    assert len(render(doc, fmt)) > 500
