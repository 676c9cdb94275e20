"""Prompts and output schemas of the extraction steps (shared by every backend).

Two kinds of steps:

* per window (topics, open questions): the transcript comes first and is identical across steps,
  so a local llama.cpp reuses its KV cache (only the short task text is new at each step);
* per candidate turn (decisions, actions): a turn that the French cue lexicon flags is shown with
  a few turns of context, marked ``>>``, and the model says whether it takes a decision or gives a
  task, and phrases it. The fixed instructions come first so their KV cache is reused from one
  candidate to the next.

No prompt contains an example answer with content (a task, a name, a date): a small model copies
such examples into its answers, and an example once showed up as the same phantom action in
every meeting's "points à vérifier". Instructions describe fields, never sample values.
"""

from __future__ import annotations

from typing import Any

from asr_service.speakers import speaker_display
from asr_service.transcript import Segment, Transcript

SYSTEM = (
    "Tu es secrétaire de séance dans une administration française. Tu rédiges en français, "
    "dans un style administratif impersonnel, à la troisième personne. Tu ne rapportes que ce "
    "qui est dit dans la transcription : tu n'inventes ni nom, ni date, ni chiffre. Chaque "
    "intervention de la transcription commence par son numéro entre crochets, par exemple [12]; "
    "tu cites ces numéros comme preuves. Tu réponds uniquement en JSON."
)


def clock(seconds: float) -> str:
    """``3725.0`` → ``"01:02:05"``."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_segments(segments: list[Segment], transcript: Transcript) -> str:
    """One line per segment: ``[id] (HH:MM:SS) Speaker : text``."""
    lines = []
    for seg in segments:
        who = speaker_display(transcript, seg.speaker) or "Intervenant"
        lines.append(f"[{seg.id}] ({clock(seg.start)}) {who} : {seg.text.strip()}")
    return "\n".join(lines)


def format_excerpt(segments: list[Segment], transcript: Transcript, marked: int) -> str:
    """The lines of :func:`format_segments`, the turn ``marked`` prefixed with ``>>``."""
    lines = format_segments(segments, transcript).splitlines()
    return "\n".join(
        (">> " if seg.id == marked else "   ") + line
        for seg, line in zip(segments, lines, strict=True)
    )


def build_candidate_messages(task: str, excerpt: str) -> list[dict[str, str]]:
    """System + user message for one candidate turn; the fixed task precedes the excerpt."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{task}\n\nEXTRAIT :\n{excerpt}"},
    ]


def build_messages(transcript_block: str, task: str) -> list[dict[str, str]]:
    """System + user message; the transcript precedes the task so the prefix is shared."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"TRANSCRIPTION :\n{transcript_block}\n\n{task}"},
    ]


def _array(item_props: dict[str, Any], required: list[str], max_items: int) -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": max_items,
        "items": {
            "type": "object",
            "properties": item_props,
            "required": required,
            "additionalProperties": False,
        },
    }


_SEGMENTS = {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 6}
_TEXT = {"type": "string", "maxLength": 220}
_SHORT = {"type": "string", "maxLength": 100}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


DECISION_KINDS = [
    "décision prise",
    "proposition ou idée sans accord",
    "point reporté ou question ouverte",
    "information ou avis",
    "tâche confiée à quelqu'un",
]
DECISION_CANDIDATE_TASK = """TÂCHE : dans l'extrait de réunion ci-dessous, lis l'intervention
marquée >> avec les interventions voisines.
"summary" : une phrase courte et impersonnelle qui dit ce que la réunion arrête ou envisage dans
cette intervention, avec les montants et les dates cités.
"kind" : la nature de ce point :
- "décision prise" : un choix arrêté par les participants (vote, adoption, validation, accord
  de tous, y compris dit simplement : « c'est décidé », « on valide », « on part là-dessus »,
  « va pour… », « unanimité ») ;
- "proposition ou idée sans accord" : une idée, une suggestion, « on pourrait… » ;
- "point reporté ou question ouverte" : reporté, ajourné, renvoyé, à étudier, pas tranché ;
- "information ou avis" : un constat, un chiffre, l'avis ou le vote d'une seule personne ;
- "tâche confiée à quelqu'un" : une personne est chargée de faire quelque chose."""

_PHRASE = {"type": "string", "maxLength": 130}
DECISION_CANDIDATE_SCHEMA = _object(
    {"summary": _PHRASE, "kind": {"type": "string", "enum": DECISION_KINDS}}
)

ACTION_KINDS = [
    "tâche à faire",
    "idée ou souhait sans engagement",
    "déjà fait ou information",
    "décision ou vote",
    "question",
]
ACTION_CANDIDATE_TASK = """TÂCHE : dans l'extrait de réunion ci-dessous, lis l'intervention
marquée >> avec les interventions voisines.
"task" : la chose à faire après la réunion dont parle cette intervention, à l'infinitif, avec
les mots de l'intervention.
"owner" : qui la fera, tel que c'est dit (l'orateur s'il dit « je », la personne à qui l'on
s'adresse), "" si personne n'est désigné.
"due" : l'échéance exactement comme elle est dite dans l'extrait, "" si aucune n'est dite.
"kind" : la nature de l'intervention :
- "tâche à faire" : quelqu'un s'engage à faire quelque chose, ou on le lui demande ;
- "idée ou souhait sans engagement" ;
- "déjà fait ou information" ;
- "décision ou vote" ;
- "question"."""

_SHORT_OR_EMPTY = {"type": "string", "maxLength": 120}

ACTION_CANDIDATE_SCHEMA = _object(
    {
        "task": _PHRASE,
        "owner": _SHORT_OR_EMPTY,
        "due": _SHORT_OR_EMPTY,
        "kind": {"type": "string", "enum": ACTION_KINDS},
    }
)

TOPICS_TASK = """TÂCHE : établir l'ordre du jour traité.
- "title" : titre court de la réunion : l'instance et l'objet, avec les mots de la transcription.
- "roles" : la fonction de chaque participant SEULEMENT si elle est dite dans la transcription ;
  liste vide sinon.
- "topics" : les sujets abordés, dans l'ordre ; pour chacun "title" (quelques mots), "summary"
  (deux ou trois phrases impersonnelles à la troisième personne, sans rien ajouter à ce qui est
  dit) et "segments" (numéros des interventions du sujet)."""

TOPICS_SCHEMA = _object(
    {
        "title": {"type": "string", "maxLength": 120},
        "roles": _array(
            {"name": _SHORT, "role": _SHORT},
            ["name", "role"],
            12,
        ),
        "topics": _array(
            {"title": _SHORT, "summary": _TEXT, "segments": _SEGMENTS},
            ["title", "summary", "segments"],
            8,
        ),
    }
)

QUESTIONS_TASK = """TÂCHE : relever les QUESTIONS EN SUSPENS : points soulevés mais restés sans
réponse ni décision, reportés ou à étudier plus tard. Ce ne sont PAS des questions en suspens : une
question qui a reçu sa réponse, un point tranché. "question" : formulation impersonnelle ;
"segments" : numéros des interventions. Aucune : liste vide."""

QUESTIONS_SCHEMA = _object(
    {"questions": _array({"question": _TEXT, "segments": _SEGMENTS}, ["question", "segments"], 8)}
)

# Single-prompt extraction without definitions nor verification: the benchmark's baseline.
BASELINE_TASK = """Rédige le compte rendu de cette réunion en JSON : "title", "decisions" (liste de
{"decision", "segments"}), "actions" (liste de {"task", "owner", "due", "segments"})."""

BASELINE_SCHEMA = _object(
    {
        "title": {"type": "string", "maxLength": 120},
        "decisions": _array(
            {"decision": _TEXT, "segments": _SEGMENTS}, ["decision", "segments"], 10
        ),
        "actions": _array(
            {
                "task": _TEXT,
                "owner": _SHORT_OR_EMPTY,
                "due": _SHORT_OR_EMPTY,
                "segments": _SEGMENTS,
            },
            ["task", "owner", "due", "segments"],
            12,
        ),
    }
)
