"""The clerk's review of the minutes: edit, accept or reject the points to check, validate.

Every step appends an immutable version (``storage.models.MinutesVersion``: who, when, what
changed, ``draft`` | ``reviewed`` | ``validated``, the whole Minutes JSON) and an audit entry, in
the caller's transaction. A step names the version it was made on (``base_version``): a step made
on an older version than the current one answers :class:`StaleVersion` (409) instead of silently
undoing someone else's work. Validating freezes a version; later edits or a regeneration append
new versions and downloads keep carrying the validated one until another is validated.

Citations stay real: decisions and actions name the transcript segments they rest on
(``segment_ids``) and their :class:`~summarizer.schema.SourceRef` (time, speaker, words) is rebuilt
from the stored transcript, so an edit can never cite words nobody said.

The HTTP routes (``api/routes/review.py``) and the clerk page both call these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from asr_service.api.auth import Principal
from asr_service.bus import subjects as bus_subjects
from asr_service.localtime import DEFAULT_TIMEZONE, format_datetime_long
from asr_service.storage import repository as repo
from asr_service.storage.models import ApiToken, MinutesVersion
from asr_service.transcript import Transcript
from summarizer.schema import (
    Action,
    Decision,
    Minutes,
    OpenQuestion,
    Participant,
    SourceRef,
    Topic,
)

log = logging.getLogger(__name__)

VALIDATED_KIND = "minutes_validated"
"""Bus subject kind of the event published when a version is validated."""


class ReviewError(ValueError):
    """A review step that cannot be done as asked; ``status`` is the HTTP status to answer."""

    status = 422


class NoMinutes(ReviewError):
    status = 404


class StaleVersion(ReviewError):
    status = 409


class PendingPoints(ReviewError):
    status = 409


# ------------------------------------------------------------------------------- request bodies


class ParticipantIn(BaseModel):
    """A participant as the clerk writes it."""

    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    speaker_id: str | None = Field(default=None, max_length=128)


class TopicIn(BaseModel):
    """An agenda item with its summary."""

    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=10_000)
    segment_ids: list[int] = Field(default_factory=list, max_length=500)


class DecisionIn(BaseModel):
    """A decision and the transcript segments it rests on (at least one)."""

    text: str = Field(min_length=1, max_length=2000)
    segment_ids: list[int] = Field(min_length=1, max_length=50)


class ActionIn(BaseModel):
    """An action with its owner and due date as the clerk corrected them."""

    task: str = Field(min_length=1, max_length=2000)
    owner: str | None = Field(default=None, max_length=200)
    due: str | None = Field(
        default=None, max_length=100, description="as written in the minutes, e.g. 15/01/2027"
    )
    segment_ids: list[int] = Field(min_length=1, max_length=50)


class QuestionIn(BaseModel):
    """A question left open."""

    text: str = Field(min_length=1, max_length=2000)
    segment_ids: list[int] = Field(default_factory=list, max_length=50)


class MinutesEdit(BaseModel):
    """A clerk's edit: every field left out (``null``) is kept as it is in ``base_version``."""

    model_config = {
        "json_schema_extra": {
            "example": {
                "base_version": 1,
                "actions": [
                    {
                        "task": "Transmettre le dossier à la préfecture",
                        "owner": "Mme Durand",
                        "due": "15/01/2027",
                        "segment_ids": [4],
                    }
                ],
                "comment": "Responsable et échéance corrigés",
            }
        }
    }

    base_version: int = Field(ge=1, description="the version this edit was made on")
    title: str | None = Field(default=None, min_length=1, max_length=500)
    participants: list[ParticipantIn] | None = Field(default=None, max_length=500)
    topics: list[TopicIn] | None = Field(default=None, max_length=200)
    decisions: list[DecisionIn] | None = Field(default=None, max_length=500)
    actions: list[ActionIn] | None = Field(default=None, max_length=500)
    open_questions: list[QuestionIn] | None = Field(default=None, max_length=500)
    comment: str = Field(default="", max_length=1000, description="why, kept with the version")


class PointDecision(BaseModel):
    """Accept or reject one "point à vérifier" (``to_check[index]`` of ``base_version``)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"base_version": 2, "decision": "reject", "comment": "Non évoqué en séance"},
                {"base_version": 2, "decision": "accept", "segment_ids": [41, 42]},
            ]
        }
    }

    base_version: int = Field(ge=1)
    decision: Literal["accept", "reject"]
    segment_ids: list[int] | None = Field(
        default=None,
        max_length=50,
        description="segments an accepted decision or action cites (default: the point's own)",
    )
    comment: str = Field(default="", max_length=1000)


class ValidateIn(BaseModel):
    """Validate ``base_version`` (it must be the current one)."""

    model_config = {"json_schema_extra": {"example": {"base_version": 3}}}

    base_version: int = Field(ge=1)
    comment: str = Field(default="", max_length=1000)


# ------------------------------------------------------------------------------- helpers


def local_time(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """``06/12/2026 à 05:12``: a time as the clerk reads it, in the operator's zone."""
    return format_datetime_long(moment, tz)


def actor_name(session: Session, who: Principal) -> str:
    """A readable name for the caller: the principal's own name (sign-in sessions), else the
    API token's name, else the subject."""
    name = getattr(who, "name", None) or getattr(who, "display_name", None)
    if name:
        return str(name)
    if who.subject.startswith("token:"):
        try:
            token = session.get(ApiToken, int(who.subject.split(":", 1)[1]))
        except ValueError:
            token = None
        if token is not None and token.name:
            return token.name
    return who.subject


def validation_label(version: MinutesVersion, tz: str = DEFAULT_TIMEZONE) -> str:
    """``Validé par <clerk> le <date>``, printed on the documents of a validated version (the
    time in ``tz``, the operator's zone: ``ASR_TIMEZONE``)."""
    when = local_time(version.created_at, tz)
    return f"Validé par {version.author_name or version.author} le {when}"


def draft_label(version: MinutesVersion | None) -> str:
    """What documents of a version that is not validated say, at the top."""
    number = f" (version {version.number})" if version is not None else ""
    return f"Projet{number} — compte rendu non validé, à ne pas diffuser"


def minutes_of(version: MinutesVersion) -> Minutes:
    return Minutes.model_validate(version.data)


def current_version(session: Session, tenant_id: str, meeting_id: str) -> MinutesVersion:
    """The latest version; :class:`NoMinutes` when the meeting has no minutes yet."""
    current = repo.latest_minutes_version(session, tenant_id, meeting_id)
    if current is None:
        raise NoMinutes("Pas encore de compte rendu pour cette réunion.")
    return current


def _current_at(
    session: Session, who: Principal, meeting_id: str, base_version: int
) -> tuple[MinutesVersion, Minutes]:
    """The current version and its minutes; :class:`StaleVersion` unless it is ``base_version``
    (the version the client's step was made on)."""
    current = current_version(session, who.tenant_id, meeting_id)
    if base_version != current.number:
        raise StaleVersion(
            f"Le compte rendu a changé : vous modifiez la version {base_version}, la version "
            f"actuelle est la {current.number}. Rechargez la page et refaites la modification."
        )
    return current, minutes_of(current)


def _sources(
    segment_ids: list[int], transcript: Transcript | None, known: dict[int, SourceRef]
) -> list[SourceRef]:
    """The cited segments as :class:`SourceRef`, from the transcript (else as cited before)."""
    by_id = {s.id: s for s in transcript.segments} if transcript is not None else {}
    refs: list[SourceRef] = []
    missing: list[int] = []
    for sid in dict.fromkeys(segment_ids):
        seg = by_id.get(sid)
        if seg is not None:
            refs.append(
                SourceRef(
                    segment_id=sid,
                    start=seg.start,
                    end=seg.end,
                    speaker=transcript.speaker_name(seg.speaker) if transcript else None,
                    text=seg.text.strip(),
                )
            )
        elif sid in known:
            refs.append(known[sid])
        else:
            missing.append(sid)
    if missing:
        raise ReviewError(
            "Passage(s) de la transcription introuvable(s) : "
            + ", ".join(str(m) for m in missing)
            + ". Citez des numéros de segments existants."
        )
    return refs


def _known_refs(minutes: Minutes) -> dict[int, SourceRef]:
    return {
        s.segment_id: s
        for item in [*minutes.decisions, *minutes.actions, *minutes.open_questions]
        for s in item.sources
    }


def _quote(text: str | None, empty: str = "non précisé") -> str:
    return f"« {text} »" if text else empty


def _paired(
    changes: list[str],
    label: str,
    ending: str,
    old: Sequence[Any],
    new: Sequence[Any],
    text: Callable[[Any], str | None],
) -> Iterator[tuple[int, Any, Any]]:
    """Walk two lists of points side by side: record (in ``changes``) the points only one side
    has, as added or removed (``ending`` makes the participle agree), and yield ``(number, old,
    new)`` for each point both have, in order."""
    for i in range(max(len(old), len(new))):
        if i >= len(old):
            changes.append(f"{label} {i + 1} ajouté{ending} : {_quote(text(new[i]))}")
        elif i >= len(new):
            changes.append(f"{label} {i + 1} supprimé{ending} : {_quote(text(old[i]))}")
        else:
            yield i + 1, old[i], new[i]


def describe_changes(old: Minutes, new: Minutes) -> list[str]:
    """What an edit changed, one French sentence per change (kept with the version)."""
    changes: list[str] = []
    if old.title != new.title:
        changes.append(f"Titre : {_quote(old.title)} → {_quote(new.title)}")
    old_p = [(p.name, p.role) for p in old.participants]
    new_p = [(p.name, p.role) for p in new.participants]
    if old_p != new_p:
        changes.append(
            "Participants : "
            + (", ".join(n for n, _ in new_p) if new_p else "aucun")
            + f" (avant : {', '.join(n for n, _ in old_p) or 'aucun'})"
        )
    for n, a, b in _paired(changes, "Sujet", "", old.topics, new.topics, lambda t: t.title):
        if a.title != b.title:
            changes.append(f"Sujet {n}, titre : {_quote(a.title)} → {_quote(b.title)}")
        if a.summary != b.summary:
            changes.append(f"Sujet {n} : synthèse modifiée")
    for n, a, b in _paired(
        changes, "Décision", "e", old.decisions, new.decisions, lambda d: d.text
    ):
        if a.text != b.text:
            changes.append(f"Décision {n} : {_quote(a.text)} → {_quote(b.text)}")
        if [s.segment_id for s in a.sources] != [s.segment_id for s in b.sources]:
            changes.append(f"Décision {n} : passages cités modifiés")
    for n, a, b in _paired(changes, "Action", "e", old.actions, new.actions, lambda x: x.task):
        if a.task != b.task:
            changes.append(f"Action {n} : {_quote(a.task)} → {_quote(b.task)}")
        if a.owner != b.owner:
            changes.append(f"Action {n}, responsable : {_quote(a.owner)} → {_quote(b.owner)}")
        if a.due != b.due:
            changes.append(
                f"Action {n}, échéance : {_quote(a.due, 'non précisée')} → "
                f"{_quote(b.due, 'non précisée')}"
            )
        if [s.segment_id for s in a.sources] != [s.segment_id for s in b.sources]:
            changes.append(f"Action {n} : passages cités modifiés")
    old_q = [q.text for q in old.open_questions]
    new_q = [q.text for q in new.open_questions]
    if old_q != new_q:
        changes.append("Questions en suspens modifiées")
    return changes


def apply_edit(old: Minutes, edit: MinutesEdit, transcript: Transcript | None) -> Minutes:
    """The minutes with the edit applied; fields the edit leaves out are kept."""
    known = _known_refs(old)
    update: dict[str, Any] = {}
    if edit.title is not None:
        update["title"] = edit.title.strip()
    if edit.participants is not None:
        update["participants"] = [
            Participant(name=p.name.strip(), role=(p.role or "").strip() or None,
                        speaker_id=p.speaker_id)
            for p in edit.participants
        ]  # fmt: skip
    if edit.topics is not None:
        topics = []
        for i, t in enumerate(edit.topics):
            previous = old.topics[i] if i < len(old.topics) else None
            ids = t.segment_ids or (previous.segment_ids if previous else [])
            topics.append(
                Topic(
                    title=t.title.strip(),
                    summary=t.summary.strip(),
                    segment_ids=ids,
                    start=previous.start if previous and ids == previous.segment_ids else None,
                    end=previous.end if previous and ids == previous.segment_ids else None,
                )
            )
        update["topics"] = topics
    if edit.decisions is not None:
        update["decisions"] = [
            Decision(text=d.text.strip(), sources=_sources(d.segment_ids, transcript, known))
            for d in edit.decisions
        ]
    if edit.actions is not None:
        actions = []
        for i, a in enumerate(edit.actions):
            previous = old.actions[i] if i < len(old.actions) else None
            actions.append(
                Action(
                    task=a.task.strip(),
                    owner=(a.owner or "").strip() or None,
                    due=(a.due or "").strip() or None,
                    sources=_sources(a.segment_ids, transcript, known),
                    notes=previous.notes if previous and previous.task == a.task.strip() else [],
                )
            )
        update["actions"] = actions
    if edit.open_questions is not None:
        update["open_questions"] = [
            OpenQuestion(text=q.text.strip(), sources=_sources(q.segment_ids, transcript, known))
            for q in edit.open_questions
        ]
    return old.model_copy(update=update)


def decide_point(
    old: Minutes, index: int, body: PointDecision, transcript: Transcript | None
) -> tuple[Minutes, str]:
    """Accept (the point joins the decisions, actions or questions) or reject (it is dropped;
    the previous version keeps it) ``to_check[index]``; returns the minutes and the change."""
    if not 0 <= index < len(old.to_check):
        raise NoMinutes(f"Point à vérifier introuvable : n° {index + 1}.")
    point = old.to_check[index]
    remaining = [p for i, p in enumerate(old.to_check) if i != index]
    if body.decision == "reject":
        return (
            old.model_copy(update={"to_check": remaining}),
            f"Point rejeté : {_quote(point.text)} (motif de l'outil : {point.reason})",
        )
    ids = body.segment_ids if body.segment_ids is not None else point.segment_ids
    update: dict[str, Any] = {"to_check": remaining}
    if point.kind in ("decision", "action") and not ids:
        raise ReviewError(
            "Ce point ne cite aucun passage de la transcription : indiquez le ou les numéros de "
            "segments qui l'établissent pour l'accepter, ou rejetez-le."
        )
    sources = _sources(ids, transcript, _known_refs(old)) if ids else []
    if point.kind == "decision":
        update["decisions"] = [*old.decisions, Decision(text=point.text, sources=sources)]
    elif point.kind == "action":
        update["actions"] = [*old.actions, Action(task=point.text, sources=sources)]
    else:
        update["open_questions"] = [
            *old.open_questions,
            OpenQuestion(text=point.text, sources=sources),
        ]
    return old.model_copy(update=update), f"Point accepté : {_quote(point.text)}"


# ------------------------------------------------------------------------------- the steps


def _append(
    session: Session,
    who: Principal,
    meeting_id: str,
    current: MinutesVersion,
    minutes: Minutes,
    *,
    status: str,
    summary: str,
    changes: list[str],
    action: str,
    detail: dict[str, Any] | None = None,
) -> MinutesVersion:
    name = actor_name(session, who)
    version = repo.add_minutes_version(
        session,
        who.tenant_id,
        meeting_id,
        minutes.model_dump(mode="json"),
        status=status,
        author=who.subject,
        author_name=name,
        summary=summary,
        changes=changes,
        based_on=current.number,
    )
    repo.audit(
        session,
        action,
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=meeting_id,
        detail={"version": version.number, "based_on": current.number, "changes": changes,
                **(detail or {})},
    )  # fmt: skip
    return version


def edit_minutes(
    session: Session, who: Principal, meeting_id: str, edit: MinutesEdit
) -> MinutesVersion:
    """A clerk's edit: a new ``reviewed`` version (nothing is written when nothing changed)."""
    current, old = _current_at(session, who, meeting_id, edit.base_version)
    new = apply_edit(old, edit, repo.get_transcript(session, who.tenant_id, meeting_id))
    changes = describe_changes(old, new)
    if not changes:
        return current
    return _append(
        session,
        who,
        meeting_id,
        current,
        new,
        status="reviewed",
        summary=edit.comment.strip() or "Modifié par le greffe",
        changes=changes,
        action="minutes.edited",
    )


def decide(
    session: Session, who: Principal, meeting_id: str, index: int, body: PointDecision
) -> MinutesVersion:
    """Accept or reject one point to check: a new ``reviewed`` version."""
    current, old = _current_at(session, who, meeting_id, body.base_version)
    transcript = repo.get_transcript(session, who.tenant_id, meeting_id)
    new, change = decide_point(old, index, body, transcript)
    accepted = body.decision == "accept"
    return _append(
        session,
        who,
        meeting_id,
        current,
        new,
        status="reviewed",
        summary=body.comment.strip() or ("Point accepté" if accepted else "Point rejeté"),
        changes=[change],
        action="minutes.point_accepted" if accepted else "minutes.point_rejected",
        detail={"point": old.to_check[index].model_dump(mode="json")},
    )


def validate(session: Session, who: Principal, meeting_id: str, body: ValidateIn) -> MinutesVersion:
    """Freeze the current version as ``validated`` (a new version: who and when), audit it, and
    queue the ``minutes_validated`` bus event in the same transaction (the outbox)."""
    current, minutes = _current_at(session, who, meeting_id, body.base_version)
    if current.status == "validated":
        raise StaleVersion(f"La version {current.number} est déjà validée.")
    if minutes.to_check:
        raise PendingPoints(
            f"Il reste {len(minutes.to_check)} point(s) à vérifier : acceptez-les ou rejetez-les "
            "avant de valider le compte rendu."
        )
    version = _append(
        session,
        who,
        meeting_id,
        current,
        minutes,
        status="validated",
        summary=body.comment.strip() or "Compte rendu validé",
        changes=[f"Version {current.number} validée"],
        action="minutes.validated",
    )
    queue_validated_event(session, who.tenant_id, meeting_id, version, minutes)
    return version


def queue_validated_event(
    session: Session, tenant_id: str, meeting_id: str, version: MinutesVersion, minutes: Minutes
) -> None:
    """Write the ``minutes_validated`` event to the outbox (published by ``api/outbox.py``)."""
    from asr_service.bus.schemas import MinutesValidatedEvent

    event = MinutesValidatedEvent(
        meeting_id=meeting_id,
        version=version.number,
        validated_by=version.author_name or version.author,
        validated_at=version.created_at,
        title=minutes.title,
        decisions=len(minutes.decisions),
        actions=len(minutes.actions),
    )
    if not bus_subjects.valid_id(tenant_id) or not bus_subjects.valid_id(meeting_id):
        # IDs no subject can carry: no backend could follow this meeting on the bus
        log.warning(
            "minutes of %s/%s validated; no bus event: the IDs cannot form a NATS subject",
            tenant_id,
            meeting_id,
        )
        return
    repo.add_outbox(
        session,
        tenant_id,
        bus_subjects.subject(tenant_id, meeting_id, VALIDATED_KIND),
        f"{tenant_id}.{meeting_id}.minutes.v{version.number}",
        event.model_dump(mode="json"),
    )
