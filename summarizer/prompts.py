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
_TEXT = {"type": "string", "maxLength": 220}
_SHORT = {"type": "string", "maxLength": 100}


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
    {"decisions": _array({"decision": _TEXT, "segments": _SEGMENTS}, ["decision", "segments"], 10)}
)

# Second pass on single turns that use decision words but that the first pass did not cite.
DECISION_CHECK_TASK = """TÂCHE : dans l'intervention [{sid}], la réunion prend-elle une décision (vote,
adoption, validation, accord explicite) ? "is_decision" : true ou false (false pour une idée, une
proposition sans accord, un report, une information, une tâche confiée à une personne).
Si oui : "decision" = une phrase impersonnelle qui reprend fidèlement ce qui est décidé."""

DECISION_CHECK_SCHEMA = _object({"is_decision": {"type": "boolean"}, "decision": _TEXT})

ACTIONS_TASK = """TÂCHE : dresser la liste de TOUTES les actions à mener après la réunion : chaque
fois qu'une personne est chargée de faire quelque chose ou annonce qu'elle le fera (« je m'en
charge », « je transmettrai », « pouvez-vous… », « il faudra que… »).
Ce ne sont PAS des actions : une décision de principe, une idée sans engagement, une information.
Pour chaque action : "task" = la tâche à l'infinitif, reprise fidèlement ; "owner" = le nom de la
personne chargée (l'orateur s'il dit « je ») ou "" si personne n'est désigné ; "due" = l'échéance
exactement comme elle est dite, ou "" si aucune échéance n'est dite (ne jamais en inventer) ;
"segments" = numéros des interventions.
Exemple (hors de cette réunion) : [8] (00:03:00) Paul Martin : Je rédigerai la note avant le 3 juin.
→ {"task": "Rédiger la note", "owner": "Paul Martin", "due": "avant le 3 juin", "segments": [8]}"""

_SHORT_OR_EMPTY = {"type": "string", "maxLength": 120}

ACTIONS_SCHEMA = _object(
    {
        "actions": _array(
            {
                "task": _TEXT,
                "owner": _SHORT_OR_EMPTY,
                "due": _SHORT_OR_EMPTY,
                "segments": _SEGMENTS,
            },
            ["task", "owner", "due", "segments"],
            12,
        )
    }
)

# Second pass on single turns that sound like a commitment but that the first pass missed.
ACTION_CHECK_TASK = """TÂCHE : dans l'intervention [{sid}], une personne est-elle chargée d'une tâche à
faire après la réunion, ou s'engage-t-elle à la faire ? "is_action" : true ou false (false pour une
idée, une information, une décision de principe, une question).
Si oui : "task" = la tâche à l'infinitif, reprise fidèlement ; "owner" = le nom de la personne qui
fera la tâche (l'orateur s'il dit « je » ; la personne à qui l'on s'adresse si on le lui demande),
"" si personne ; "due" = l'échéance exactement comme elle est dite dans ces lignes, "" sinon."""

ACTION_CHECK_SCHEMA = _object(
    {
        "is_action": {"type": "boolean"},
        "task": _TEXT,
        "owner": _SHORT_OR_EMPTY,
        "due": _SHORT_OR_EMPTY,
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
