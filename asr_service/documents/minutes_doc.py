"""Lay out :class:`summarizer.schema.Minutes` as a French "compte rendu" document.

Sections, always in this order so clerks find them at the same place: participants, ordre du
jour (topics with summaries), relevé de décisions, actions (table: task, owner, due date, sources),
questions en suspens, and, apart and clearly labelled, the proposals that failed verification.
Each decision and action cites its transcript timestamps so it can be checked.
"""

from __future__ import annotations

from datetime import tzinfo

from asr_service.documents.layout import Document, Paragraph, Run
from asr_service.documents.transcript_doc import clock
from asr_service.localtime import DEFAULT_TIMEZONE, format_datetime_long
from asr_service.speakers import humanise_minutes
from summarizer.schema import Minutes, SourceRef

SECTION_PARTICIPANTS = "Participants"
SECTION_TOPICS = "Ordre du jour et synthèse des échanges"
SECTION_DECISIONS = "Relevé de décisions"
SECTION_ACTIONS = "Actions à mener"
SECTION_QUESTIONS = "Questions en suspens"
SECTION_TO_CHECK = "Propositions non vérifiées (à contrôler)"


def cite(sources: list[SourceRef]) -> str:
    """``[00:01:12, 00:03:40]``: the timestamps of the cited segments."""
    return "[" + ", ".join(clock(s.start) for s in sources) + "]" if sources else ""


def minutes_document(
    minutes: Minutes,
    *,
    meeting_title: str | None = None,
    review_status: str | None = None,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
) -> Document:
    """The minutes as a :class:`Document` ready for any renderer.

    Anonymous speakers read "Intervenant N" (:func:`asr_service.speakers.humanise_minutes`);
    the date the minutes were generated is in ``tz``, the operator's time zone
    (``Settings.timezone``).
    ``review_status`` is printed in bold under the title: "Projet …" until a clerk validated the
    minutes, "Validé par <clerk> le <date>" after (see ``api/minutes_review.py``).
    """
    minutes = humanise_minutes(minutes)
    title = minutes.title or meeting_title or "Compte rendu de réunion"
    subject = "Compte rendu de réunion" + (f" — {review_status}" if review_status else "")
    doc = Document(title=title, subject=subject, language="fr-FR")
    doc.heading(title, level=1)
    if review_status:
        doc.paragraph(Run(review_status, bold=True))
    facts = []
    if meeting_title and meeting_title != title:
        facts.append(f"Réunion : {meeting_title}")
    if minutes.date:
        facts.append(f"Date : {minutes.date}")
    if minutes.duration:
        facts.append(f"Durée enregistrée : {clock(minutes.duration)}")
    facts.append(f"Généré le {format_datetime_long(minutes.generation.created_at, tz)}")
    if facts:
        doc.paragraph(Run(" — ".join(facts), italic=True))
    if minutes.status == "empty":
        doc.paragraph(
            minutes.notice or "Rien à résumer : la transcription ne contient aucune parole."
        )
        return doc

    doc.heading(SECTION_PARTICIPANTS)
    if minutes.participants:
        doc.bullets([f"{p.name} ({p.role})" if p.role else p.name for p in minutes.participants])
    else:
        doc.paragraph("Participants non identifiés.")

    doc.heading(SECTION_TOPICS)
    if not minutes.topics:
        doc.paragraph("Aucun sujet identifié.")
    for topic in minutes.topics:
        span = f" ({clock(topic.start)})" if topic.start is not None else ""
        doc.heading(topic.title + span, level=3)
        if topic.summary:
            doc.paragraph(topic.summary)

    doc.heading(SECTION_DECISIONS)
    if minutes.decisions:
        doc.bullets(
            [
                Paragraph((Run(d.text + " "), Run(cite(d.sources), italic=True)))
                for d in minutes.decisions
            ]
        )
    else:
        doc.paragraph("Aucune décision n'a été prise.")

    doc.heading(SECTION_ACTIONS)
    if minutes.actions:
        doc.table(
            ["Action", "Responsable", "Échéance", "Source"],
            [
                [a.task, a.owner or "Non précisé", a.due or "Non précisée", cite(a.sources)]
                for a in minutes.actions
            ],
        )
    else:
        doc.paragraph("Aucune action n'a été décidée.")

    if minutes.open_questions:
        doc.heading(SECTION_QUESTIONS)
        doc.bullets(
            [
                Paragraph((Run(q.text + " "), Run(cite(q.sources), italic=True)))
                for q in minutes.open_questions
            ]
        )

    if minutes.to_check:
        doc.heading(SECTION_TO_CHECK)
        doc.paragraph(
            Run(
                "Éléments proposés automatiquement mais non confirmés par la transcription ; "
                "ils ne valent pas relevé.",
                italic=True,
            )
        )
        doc.bullets([f"{u.text} — motif : {u.reason}" for u in minutes.to_check])
    return doc
