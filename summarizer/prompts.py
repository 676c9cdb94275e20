"""Prompts and output schemas of the extraction steps (shared by every backend).

Each step asks one small, well-defined question, with a definition, counter-examples and the
supporting segment numbers; the transcript comes first and is identical across steps so a local
llama.cpp reuses its KV cache (only the short task text is new at each step).
"""

from __future__ import annotations

from typing import Any

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
        who = transcript.speaker_name(seg.speaker) or "Intervenant"
        lines.append(f"[{seg.id}] ({clock(seg.start)}) {who} : {seg.text.strip()}")
    return "\n".join(lines)


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
_TEXT = {"type": "string", "maxLength": 300}
_SHORT = {"type": "string", "maxLength": 100}
_NULLABLE = {"anyOf": [{"type": "string", "maxLength": 120}, {"type": "null"}]}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


DECISIONS_TASK = """TÂCHE : relever les DÉCISIONS prises par la réunion.
Définition : une décision est un choix arrêté par les participants : vote, adoption, validation,
accord explicite (« adopté à l'unanimité », « c'est décidé », « on valide », « nous retenons »).
Ce ne sont PAS des décisions :
- une idée ou une proposition restée sans accord (« on pourrait… », « je propose… » sans réponse) ;
- un sujet reporté, à étudier, ou sur lequel rien n'est tranché (« on en reparlera », « à voir ») ;
- une tâche confiée à une personne (c'est une action, pas une décision) ;
- une information, un constat ou un avis.
Pour chaque décision : "decision" = une phrase impersonnelle qui reprend fidèlement ce qui est
décidé, avec les montants et dates cités ; "segments" = numéros des interventions où la décision
est prise. Aucune décision : liste vide."""

DECISIONS_SCHEMA = _object(
    {"decisions": _array({"decision": _TEXT, "segments": _SEGMENTS}, ["decision", "segments"], 12)}
)

ACTIONS_TASK = """TÂCHE : relever les ACTIONS : tâches qu'une personne ou un service est chargé de
faire, ou s'engage à faire, après la réunion (« Mme X transmettra… », « je m'en occupe »).
Ce ne sont PAS des actions : une décision de principe, une idée sans engagement, une tâche déjà
faite, un souhait vague.
Pour chaque action :
- "task" : la tâche reprise fidèlement, à l'infinitif (ex. « Transmettre le devis aux finances ») ;
- "owner" : la personne ou le service chargé, avec le nom tel qu'il est dit dans la transcription ;
  si l'orateur dit « je m'en charge », c'est l'orateur ; null si personne n'est désigné ;
- "due" : l'échéance EXACTEMENT comme elle est dite (« avant le 15 mars », « fin juin ») ; null si
  aucune échéance n'est dite pour cette tâche. Ne jamais inventer ni calculer une date ;
- "segments" : numéros des interventions où la tâche est confiée ou acceptée.
Aucune action : liste vide."""

ACTIONS_SCHEMA = _object(
    {
        "actions": _array(
            {"task": _TEXT, "owner": _NULLABLE, "due": _NULLABLE, "segments": _SEGMENTS},
            ["task", "owner", "due", "segments"],
            15,
        )
    }
)

TOPICS_TASK = """TÂCHE : établir l'ordre du jour traité.
- "title" : titre court de la réunion (instance et objet, ex. « Conseil municipal de Saint-Aubin »).
- "roles" : fonction des participants SEULEMENT si elle est dite (« adjointe aux finances ») ;
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
        "decisions": DECISIONS_SCHEMA["properties"]["decisions"],
        "actions": ACTIONS_SCHEMA["properties"]["actions"],
    }
)
