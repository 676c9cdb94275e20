"""Render :class:`~summarizer.schema.Minutes` as Markdown, deterministically (same minutes → same
bytes): no clock, no randomness, fixed section order. Every decision and action shows the
segments that support it (``§id`` with timestamp) so a clerk can check it against the transcript.
"""

from __future__ import annotations

from asr_service.speakers import humanise_minutes
from summarizer.schema import Minutes, SourceRef


def clock(seconds: float) -> str:
    """``3725`` → ``"01:02:05"``."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def _refs(sources: list[SourceRef]) -> str:
    return ", ".join(f"§{s.segment_id} ({clock(s.start)})" for s in sources)


def render_markdown(minutes: Minutes) -> str:
    """The minutes as a Markdown document (French); anonymous speakers read "Intervenant N"
    (:func:`asr_service.speakers.humanise_minutes`; minutes.json keeps the stable IDs)."""
    minutes = humanise_minutes(minutes)
    out: list[str] = [f"# {minutes.title}", ""]
    if minutes.status == "empty":
        out += [f"> {minutes.notice or 'Rien à résumer.'}", ""]
        return "\n".join(out)
    out.append(f"**Date :** {minutes.date or 'non précisée dans la transcription'}  ")
    if minutes.duration:
        out.append(f"**Durée de l'enregistrement :** {_duration(minutes.duration)}  ")
    out.append("")
    if minutes.participants:
        out += ["## Participants", ""]
        for p in minutes.participants:
            out.append(f"- {p.name}" + (f", {p.role}" if p.role else ""))
        out.append("")
    if minutes.topics:
        out += ["## Ordre du jour", ""]
        out += [f"{i}. {t.title}" for i, t in enumerate(minutes.topics, start=1)]
        out += ["", "## Synthèse des échanges", ""]
        for i, t in enumerate(minutes.topics, start=1):
            span = ""
            if t.start is not None and t.end is not None:
                span = f" ({clock(t.start)} – {clock(t.end)})"
            out += [f"### {i}. {t.title}{span}", "", t.summary or "—", ""]
    out += ["## Relevé de décisions", ""]
    if minutes.decisions:
        out += ["| N° | Décision | Source |", "|---|---|---|"]
        for i, d in enumerate(minutes.decisions, start=1):
            out.append(f"| {i} | {_cell(d.text)} | {_refs(d.sources)} |")
    else:
        out.append("Aucune décision n'a été prise.")
    out += ["", "## Actions", ""]
    if minutes.actions:
        out += ["| N° | Action | Responsable | Échéance | Source |", "|---|---|---|---|---|"]
        for i, a in enumerate(minutes.actions, start=1):
            out.append(
                f"| {i} | {_cell(a.task)} | {_cell(a.owner) or 'non désigné'} "
                f"| {_cell(a.due) or 'non précisée'} | {_refs(a.sources)} |"
            )
    else:
        out.append("Aucune action n'a été décidée.")
    out.append("")
    if minutes.open_questions:
        out += ["## Questions en suspens", ""]
        for q in minutes.open_questions:
            out.append(f"- {q.text}" + (f" ({_refs(q.sources)})" if q.sources else ""))
        out.append("")
    if minutes.to_check:
        out += [
            "## Points à vérifier",
            "",
            "> Propositions de l'outil que la transcription ne confirme pas : "
            "à vérifier avant toute diffusion, elles ne figurent pas au relevé.",
            "",
        ]
        kinds = {"decision": "Décision", "action": "Action", "open_question": "Question"}
        for u in minutes.to_check:
            ids = ", ".join(f"§{i}" for i in u.segment_ids)
            out.append(f"- {kinds[u.kind]} : {u.text} — {u.reason}" + (f" ({ids})" if ids else ""))
        out.append("")
    out += [
        "---",
        "",
        "*Compte rendu établi automatiquement à partir de la transcription"
        + (f" ({minutes.generation.backend})" if minutes.generation.backend else "")
        + " ; § renvoie au numéro d'intervention dans la transcription.*",
        "",
    ]
    return "\n".join(out)
