"""The clerk's review of the minutes over HTTP: the API routes and the forms of the meeting page.

API (tag « relecture »), every route tenant-scoped (another tenant's meeting answers 404) and open
to the ``clerk`` role and above:

- ``GET  /api/v1/meetings/{id}/minutes/review``: the current version with the history;
- ``GET  /api/v1/meetings/{id}/minutes/versions/{n}``: one version, whole;
- ``PATCH /api/v1/meetings/{id}/minutes/review``: edit → a new ``reviewed`` version;
- ``POST /api/v1/meetings/{id}/minutes/review/points/{n}``: accept or reject point à vérifier n;
- ``POST /api/v1/meetings/{id}/minutes/review/validate``: validate (who and when are recorded;
  the bus gets ``minutes_validated``);
- ``POST /api/v1/meetings/{id}/minutes/regenerate``: write the minutes again from the (corrected)
  transcript → a new ``draft``, never over a validated version;
- ``PATCH /api/v1/meetings/{id}/transcript/segments/{segment_id}``: correct a segment's words.

The page forms (``/reunions/{id}/relecture/…``, plain HTML forms, no script needed) call the same
functions and come back to the meeting page with a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from asr_service.api import minutes_review as review
from asr_service.api.auth import Principal
from asr_service.api.deps import ClerkDep, ServicesDep, require_meeting
from asr_service.api.services import ApiServices
from asr_service.speakers import humanise, speaker_display
from asr_service.storage import repository as repo
from asr_service.storage.models import MinutesVersion
from summarizer.schema import Minutes, SourceRef

router = APIRouter(prefix="/api/v1/meetings", tags=["relecture"])
pages = APIRouter(include_in_schema=False)

INT_MAX = 2**31 - 1
NOT_FOUND = {404: {"description": "Unknown meeting, another tenant's meeting, or no minutes yet"}}
CONFLICT = {
    409: {"description": "Made on an older version than the current one (reload and redo it), "
          "or points à vérifier still undecided (validation)"},
    422: {"description": "Invalid edit, e.g. a cited segment that does not exist"},
}  # fmt: skip
STATUS_LABELS = {"draft": "Projet (généré)", "reviewed": "Projet (relu)", "validated": "Validé"}


# ------------------------------------------------------------------------------- responses


class VersionInfo(BaseModel):
    """One version of the minutes in the history."""

    number: int
    status: str = Field(description="draft (as generated), reviewed (edited), validated")
    based_on: int | None = Field(description="the version it was made from")
    author: str = Field(description="`service` for generated versions, else the principal")
    author_name: str
    created_at: datetime
    summary: str = Field(description="why (the clerk's comment) or what (generated, validated)")
    changes: list[str] = Field(description="what changed, one sentence each")

    @classmethod
    def of(cls, v: MinutesVersion) -> VersionInfo:
        return cls(
            number=v.number,
            status=v.status,
            based_on=v.based_on,
            author=v.author,
            author_name=v.author_name,
            created_at=v.created_at,
            summary=v.summary,
            changes=list(v.changes or []),
        )


class VersionOut(VersionInfo):
    """A version with its whole minutes."""

    minutes: Minutes

    @classmethod
    def of(cls, v: MinutesVersion) -> VersionOut:  # type: ignore[override]
        return cls(**VersionInfo.of(v).model_dump(), minutes=review.minutes_of(v))


class ReviewOut(BaseModel):
    """The review state of a meeting's minutes."""

    meeting_id: str
    current: VersionOut = Field(description="the latest version: what the next step works on")
    validated: VersionInfo | None = Field(
        description="the latest validated version: what downloads carry (null: none yet)"
    )
    validation: str | None = Field(description="« Validé par <clerk> le <date> », or null")
    points_to_check: int = Field(description="points à vérifier of the current version")
    regenerating: bool = Field(description="a regeneration is queued or running")
    versions: list[VersionInfo] = Field(description="every version, newest first")


class SegmentCorrection(BaseModel):
    """The corrected words of one transcript segment."""

    text: str = Field(min_length=1, max_length=10_000)


class SegmentOut(BaseModel):
    segment_id: int
    kind: str = Field(description="the transcript corrected: final, else live")
    text: str


class Accepted(BaseModel):
    detail: str


def review_state(
    session: Session, services: ApiServices, tenant_id: str, meeting_id: str
) -> ReviewOut:
    versions = repo.minutes_versions(session, tenant_id, meeting_id)
    if not versions:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="Pas encore de compte rendu pour cette réunion."
        )
    validated = [v for v in versions if v.status == "validated"]
    current = versions[-1]
    regen = services.regenerations
    return ReviewOut(
        meeting_id=meeting_id,
        current=VersionOut.of(current),
        validated=VersionInfo.of(validated[-1]) if validated else None,
        validation=(
            review.validation_label(validated[-1], services.settings.timezone)
            if validated
            else None
        ),
        points_to_check=len(review.minutes_of(current).to_check),
        regenerating=bool(regen and regen.running(tenant_id, meeting_id)),
        versions=[VersionInfo.of(v) for v in reversed(versions)],
    )


def _step(services: ApiServices, who: Principal, meeting_id: str, step: Any) -> ReviewOut:
    """Run one review step in its own transaction (committed before the outbox is woken), mapping
    review errors to HTTP answers."""
    try:
        with services.db.session() as session:
            require_meeting(session, who.tenant_id, meeting_id)
            step(session)
    except review.ReviewError as exc:
        raise HTTPException(exc.status, detail=str(exc)) from exc
    except ValidationError as exc:  # a form field the page sent empty or out of range
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"Requête invalide ({fields})."
        ) from exc
    except IntegrityError as exc:  # another step took the same version number meanwhile
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="Le compte rendu vient d'être modifié par ailleurs : rechargez la page.",
        ) from exc
    if services.outbox is not None:
        services.outbox.wake()
    with services.db.session() as session:
        return review_state(session, services, who.tenant_id, meeting_id)


# ------------------------------------------------------------------------------- API routes

MeetingId = Annotated[str, Path(max_length=128)]


@router.get(
    "/{meeting_id}/minutes/review",
    response_model=ReviewOut,
    summary="The minutes under review: current version, validated version, history",
    responses=NOT_FOUND,
)
def get_review(meeting_id: MeetingId, services: ServicesDep, who: ClerkDep) -> ReviewOut:
    with services.db.session() as session:
        require_meeting(session, who.tenant_id, meeting_id)
        return review_state(session, services, who.tenant_id, meeting_id)


@router.get(
    "/{meeting_id}/minutes/versions/{number}",
    response_model=VersionOut,
    summary="One version of the minutes, whole",
    responses=NOT_FOUND,
)
def get_version(
    meeting_id: MeetingId,
    number: Annotated[int, Path(ge=1, le=INT_MAX)],
    services: ServicesDep,
    who: ClerkDep,
) -> VersionOut:
    with services.db.session() as session:
        require_meeting(session, who.tenant_id, meeting_id)
        version = repo.get_minutes_version(session, who.tenant_id, meeting_id, number)
        if version is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"Version {number} du compte rendu introuvable."
            )
        return VersionOut.of(version)


@router.patch(
    "/{meeting_id}/minutes/review",
    response_model=ReviewOut,
    summary="Edit the minutes (title, participants, topics, decisions, actions): a new version",
    responses={**NOT_FOUND, **CONFLICT},
)
def edit(
    meeting_id: MeetingId,
    body: review.MinutesEdit,
    services: ServicesDep,
    who: ClerkDep,
) -> ReviewOut:
    """Fields left out are kept. Decisions and actions cite transcript segments by ID; their
    times, speakers and words are taken from the transcript. Nothing changed: no new version."""
    return _step(services, who, meeting_id, lambda s: review.edit_minutes(s, who, meeting_id, body))


@router.post(
    "/{meeting_id}/minutes/review/points/{number}",
    response_model=ReviewOut,
    summary="Accept or reject one « point à vérifier » (numbered from 1): a new version",
    responses={**NOT_FOUND, **CONFLICT},
)
def decide_point(
    meeting_id: MeetingId,
    number: Annotated[int, Path(ge=1, le=INT_MAX)],
    body: review.PointDecision,
    services: ServicesDep,
    who: ClerkDep,
) -> ReviewOut:
    """Accepted, the point joins the decisions, actions or open questions (citing its own
    segments, or ``segment_ids``); rejected, it leaves the minutes (the history keeps it)."""
    return _step(
        services, who, meeting_id, lambda s: review.decide(s, who, meeting_id, number - 1, body)
    )


@router.post(
    "/{meeting_id}/minutes/review/validate",
    response_model=ReviewOut,
    summary="Validate the current version (records who and when; publishes minutes_validated)",
    responses={**NOT_FOUND, **CONFLICT},
)
def validate(
    meeting_id: MeetingId, body: review.ValidateIn, services: ServicesDep, who: ClerkDep
) -> ReviewOut:
    """Every point à vérifier must be decided first. Downloads then carry this version, « Validé
    par <clerk> le <date> »; the bus event is kept in an outbox until NATS acknowledged it."""
    return _step(services, who, meeting_id, lambda s: review.validate(s, who, meeting_id, body))


@router.post(
    "/{meeting_id}/minutes/regenerate",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Write the minutes again from the transcript (a new draft; validated ones stay)",
    responses={
        **NOT_FOUND,
        409: {"description": "A regeneration is already running"},
        503: {"description": "This process runs no jobs (ASR_API_JOB_WORKERS=0)"},
    },
)
def regenerate(meeting_id: MeetingId, services: ServicesDep, who: ClerkDep) -> Accepted:
    """Runs in the background (the model takes minutes); follow ``regenerating`` in the review.
    The result is a new ``draft`` version; the audit log says ``minutes.regenerated``."""
    _queue_regeneration(services, who, meeting_id)
    return Accepted(detail="Régénération du compte rendu lancée.")


def _queue_regeneration(services: ApiServices, who: Principal, meeting_id: str) -> None:
    with services.db.session() as session:
        require_meeting(session, who.tenant_id, meeting_id)
        if repo.get_transcript(session, who.tenant_id, meeting_id) is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail="Pas de transcription pour cette réunion."
            )
        if services.regenerations is None:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="Ce serveur ne produit pas de comptes rendus (ASR_API_JOB_WORKERS=0) : "
                "la régénération y est impossible.",
            )
        if not services.regenerations.submit(who.tenant_id, meeting_id, who.subject):
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="Une régénération est déjà en cours."
            )
        repo.audit(
            session,
            "minutes.regeneration_requested",
            tenant_id=who.tenant_id,
            actor=who.subject,
            target=meeting_id,
        )


@router.patch(
    "/{meeting_id}/transcript/segments/{segment_id}",
    response_model=SegmentOut,
    summary="Correct the words of one transcript segment (before regenerating the minutes)",
    responses=NOT_FOUND,
)
def correct_segment(
    meeting_id: MeetingId,
    segment_id: Annotated[int, Path(ge=0, le=INT_MAX)],
    body: Annotated[SegmentCorrection, Body()],
    services: ServicesDep,
    who: ClerkDep,
) -> SegmentOut:
    """Corrects the final transcript (else the live one); the audit log keeps the words before
    and after. The minutes are not changed until they are regenerated."""
    with services.db.session() as session:
        return _correct(session, who, meeting_id, segment_id, body.text)


def _correct(
    session: Session, who: Principal, meeting_id: str, segment_id: int, text: str
) -> SegmentOut:
    """Replace one segment's words in the stored transcript (final, else live), audited."""
    require_meeting(session, who.tenant_id, meeting_id)
    kind = "final"
    transcript = repo.get_transcript(session, who.tenant_id, meeting_id, "final")
    if transcript is None:
        kind = "live"
        transcript = repo.get_transcript(session, who.tenant_id, meeting_id, "live")
    segments = transcript.segments if transcript is not None else []
    segment = next((s for s in segments if s.id == segment_id), None)
    if transcript is None or segment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Segment {segment_id} introuvable.")
    before = segment.text
    segment.text = text.strip()
    repo.save_transcript(session, who.tenant_id, meeting_id, kind, transcript)
    repo.audit(
        session,
        "transcript.corrected",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=meeting_id,
        detail={"segment_id": segment_id, "kind": kind, "before": before, "after": segment.text},
    )
    return SegmentOut(segment_id=segment_id, kind=kind, text=segment.text)


# ------------------------------------------------------------------------------- the page


def page_context(
    session: Session, services: ApiServices, who: Principal, meeting_id: str, request: Request
) -> dict[str, Any]:
    """What the review panel of ``meeting.html`` shows (``review`` is None without minutes) and
    the segments the transcript's correction forms edit."""
    transcript = repo.get_transcript(session, who.tenant_id, meeting_id)
    segments = {s.id: s for s in transcript.segments} if transcript is not None else {}
    correction = {
        "segment_texts": {sid: seg.text.strip() for sid, seg in segments.items()},
        "transcript_message": request.query_params.get("corrige"),
        "transcript_error": request.query_params.get("erreur_transcription"),
    }
    try:
        state = review_state(session, services, who.tenant_id, meeting_id)
    except HTTPException:
        return {"review": None, **correction}
    point_sources = [
        [
            SourceRef(
                segment_id=sid,
                start=segments[sid].start,
                end=segments[sid].end,
                speaker=speaker_display(transcript, segments[sid].speaker) if transcript else None,
                text=segments[sid].text.strip(),
            )
            for sid in point.segment_ids
            if sid in segments
        ]
        for point in state.current.minutes.to_check
    ]
    return {
        "review": state,
        **correction,
        "point_sources": point_sources,
        "humanise": humanise,
        "local_time": lambda moment: review.local_time(moment, services.settings.timezone),
        "review_status_labels": STATUS_LABELS,
        "review_draft_label": review.draft_label(
            repo.get_minutes_version(session, who.tenant_id, meeting_id, state.current.number)
        ),
        "review_message": request.query_params.get("message"),
        "review_error": request.query_params.get("erreur"),
    }


def _back(meeting_id: str, *, message: str | None = None, error: str | None = None) -> Response:
    query = f"?message={quote(message)}" if message else f"?erreur={quote(error or '')}"
    return RedirectResponse(
        f"/reunions/{quote(meeting_id)}{query}#relecture", status_code=status.HTTP_303_SEE_OTHER
    )


@pages.post("/reunions/{meeting_id}/relecture/segments/{segment_id}")
async def page_correct(
    meeting_id: MeetingId,
    segment_id: Annotated[int, Path(ge=0, le=INT_MAX)],
    request: Request,
    services: ServicesDep,
) -> Response:
    """The correction form under a transcript turn; back to that turn with the outcome."""
    form = await request.form()
    text = str(form.get("text") or "").strip()

    def correct() -> Response:
        from asr_service.api.routes.web import page_principal

        who = page_principal(request, services)
        if who is None:
            return RedirectResponse("/connexion", status_code=status.HTTP_303_SEE_OTHER)
        try:
            if not text or len(text) > 10_000:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                    detail="Le texte corrigé doit compter de 1 à 10 000 caractères.",
                )
            with services.db.session() as session:
                _correct(session, who, meeting_id, segment_id, text)
        except HTTPException as exc:
            query = f"erreur_transcription={quote(str(exc.detail))}"
        else:
            query = "corrige=" + quote(
                f"Segment {segment_id} corrigé. Régénérez le compte rendu pour en tenir compte."
            )
        return RedirectResponse(
            f"/reunions/{quote(meeting_id)}?{query}#t-{segment_id}",
            status_code=status.HTTP_303_SEE_OTHER,
        )

    return await run_in_threadpool(correct)


def _page_step(
    request: Request, services: ApiServices, meeting_id: str, message: str, step: Any
) -> Response:
    from asr_service.api.routes.web import page_principal

    who = page_principal(request, services)
    if who is None:
        return RedirectResponse("/connexion", status_code=status.HTTP_303_SEE_OTHER)
    try:
        _step(services, who, meeting_id, lambda s: step(s, who))
    except HTTPException as exc:
        return _back(meeting_id, error=str(exc.detail))
    return _back(meeting_id, message=message)


def _ids(value: str) -> list[int]:
    """``"3, 4"`` → ``[3, 4]``; a non-number is a clear error."""
    try:
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise review.ReviewError(
            f"Numéros de segments invalides : « {value} » (ex. : 3, 4)."
        ) from None


def edit_from_form(form: Any, base_version: int) -> review.MinutesEdit:
    """The edit the page's form describes (``action-0-owner``…); rows ticked « supprimer » go."""

    def rows(prefix: str) -> list[int]:
        found = {
            int(key.split("-")[1])
            for key in form
            if key.startswith(prefix + "-") and key.split("-")[1].isdigit()
        }
        return sorted(i for i in found if not form.get(f"{prefix}-{i}-delete"))

    def text(key: str) -> str:
        return str(form.get(key) or "").strip()

    def filled(prefix: str, field: str) -> list[int]:
        """Rows with some text or citation: the blank « add » row is not an item."""
        return [
            i
            for i in rows(prefix)
            if text(f"{prefix}-{i}-{field}") or text(f"{prefix}-{i}-segments")
        ]

    participants = [
        review.ParticipantIn(
            name=text(f"participant-{i}-name"),
            role=text(f"participant-{i}-role") or None,
            speaker_id=text(f"participant-{i}-speaker") or None,
        )
        for i in rows("participant")
        if text(f"participant-{i}-name")
    ]
    return review.MinutesEdit(
        base_version=base_version,
        title=text("title") or None,
        participants=participants,
        topics=[
            review.TopicIn(
                title=text(f"topic-{i}-title"),
                summary=text(f"topic-{i}-summary"),
                segment_ids=_ids(text(f"topic-{i}-segments")),
            )
            for i in rows("topic")
        ],
        decisions=[
            review.DecisionIn(
                text=text(f"decision-{i}-text"), segment_ids=_ids(text(f"decision-{i}-segments"))
            )
            for i in filled("decision", "text")
        ],
        actions=[
            review.ActionIn(
                task=text(f"action-{i}-task"),
                owner=text(f"action-{i}-owner") or None,
                due=text(f"action-{i}-due") or None,
                segment_ids=_ids(text(f"action-{i}-segments")),
            )
            for i in filled("action", "task")
        ],
        comment=text("comment"),
    )


def _base(form: Any) -> int:
    try:
        return int(str(form.get("base_version") or "0"))
    except ValueError:
        return 0


@pages.post("/reunions/{meeting_id}/relecture/modifier")
async def page_edit(meeting_id: MeetingId, request: Request, services: ServicesDep) -> Response:
    form = await request.form()

    def step(session: Session, who: Principal) -> None:
        try:
            body = edit_from_form(form, _base(form))
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            raise review.ReviewError(
                "Modification refusée : chaque élément conservé doit avoir un texte, et chaque "
                f"décision ou action au moins un passage cité ({fields})."
            ) from exc
        review.edit_minutes(session, who, meeting_id, body)

    return await run_in_threadpool(
        _page_step, request, services, meeting_id, "Modifications enregistrées.", step
    )


@pages.post("/reunions/{meeting_id}/relecture/points/{number}")
async def page_point(
    meeting_id: MeetingId,
    number: Annotated[int, Path(ge=1, le=INT_MAX)],
    request: Request,
    services: ServicesDep,
) -> Response:
    form = await request.form()
    decision = "accept" if form.get("decision") == "accept" else "reject"

    def step(session: Session, who: Principal) -> None:
        raw = str(form.get("segments") or "").strip()
        body = review.PointDecision(
            base_version=_base(form), decision=decision, segment_ids=_ids(raw) if raw else None
        )
        review.decide(session, who, meeting_id, number - 1, body)

    message = "Point accepté." if decision == "accept" else "Point rejeté."
    return await run_in_threadpool(_page_step, request, services, meeting_id, message, step)


@pages.post("/reunions/{meeting_id}/relecture/valider")
async def page_validate(meeting_id: MeetingId, request: Request, services: ServicesDep) -> Response:
    form = await request.form()

    def step(session: Session, who: Principal) -> None:
        review.validate(session, who, meeting_id, review.ValidateIn(base_version=_base(form)))

    return await run_in_threadpool(
        _page_step, request, services, meeting_id, "Compte rendu validé.", step
    )


@pages.post("/reunions/{meeting_id}/relecture/regenerer")
def page_regenerate(meeting_id: MeetingId, request: Request, services: ServicesDep) -> Response:
    from asr_service.api.routes.web import page_principal

    who = page_principal(request, services)
    if who is None:
        return RedirectResponse("/connexion", status_code=status.HTTP_303_SEE_OTHER)
    try:
        _queue_regeneration(services, who, meeting_id)
    except HTTPException as exc:
        return _back(meeting_id, error=str(exc.detail))
    return _back(
        meeting_id,
        message="Régénération lancée : un nouveau projet apparaîtra dans l'historique ; la "
        "version validée reste celle des téléchargements.",
    )
