"""The clerks' web pages (French, server-rendered): sign in, meeting list, transcript, minutes.

No front-end build: Jinja2 templates and one stylesheet. Signing in checks the token and stores it
in an HttpOnly, SameSite=Strict cookie; the download buttons are plain links to the API, which
accepts that cookie. Pages never show another tenant's data: they call the same tenant-scoped
repository functions as the API.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from asr_service.api.auth import Principal
from asr_service.api.deps import SESSION_COOKIE, ServicesDep, resolve_principal
from asr_service.api.exports import MinutesFormat, TranscriptFormat
from asr_service.api.routes.meetings import list_meetings, meeting_detail
from asr_service.documents.transcript_doc import clock, speaker_turns
from asr_service.storage import repository as repo
from asr_service.storage.models import MEETING_STATUSES
from summarizer.schema import Minutes

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent.parent / "templates")
TEMPLATES.env.filters["clock"] = clock

STATUS_LABELS = {
    "created": "Reçue",
    "live": "En cours",
    "ending": "Se termine",
    "finalizing": "En traitement",
    "done": "Terminée",
    "failed": "En échec",
}
TEMPLATES.env.globals["status_label"] = lambda s: STATUS_LABELS.get(s, s)
TEMPLATES.env.filters["datetime_fr"] = lambda d: d.strftime("%d/%m/%Y %H:%M UTC") if d else "—"

router = APIRouter(include_in_schema=False)


def page_principal(request: Request, services: ServicesDep) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with services.db.session() as session:
        return resolve_principal(session, token)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/connexion", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/")
def home(request: Request, services: ServicesDep) -> Response:
    if page_principal(request, services) is None:
        return _to_login()
    return RedirectResponse("/reunions", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/connexion", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return TEMPLATES.TemplateResponse(request, "login.html", {"error": None})


@router.post("/connexion", response_class=HTMLResponse)
def login(
    request: Request, services: ServicesDep, token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    with services.db.session() as session:
        principal = resolve_principal(session, token.strip())
    if principal is None:
        return TEMPLATES.TemplateResponse(
            request,
            "login.html",
            {"error": "Jeton inconnu, révoqué ou expiré. Vérifiez-le et réessayez."},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = RedirectResponse("/reunions", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        secure=services.settings.cookie_secure,
        max_age=12 * 3600,
    )
    return response


@router.post("/deconnexion")
def logout() -> Response:
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/reunions", response_class=HTMLResponse)
def meetings_page(
    request: Request,
    services: ServicesDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    statut: Annotated[str | None, Query()] = None,
    du: Annotated[str | None, Query()] = None,
    au: Annotated[str | None, Query()] = None,
) -> Response:
    who = page_principal(request, services)
    if who is None:
        return _to_login()
    error = None
    try:
        date_from = date.fromisoformat(du) if du else None
        date_to = date.fromisoformat(au) if au else None
    except ValueError:
        date_from = date_to = None
        error = "Date invalide : utilisez le format AAAA-MM-JJ."
    status_filter = statut if statut in MEETING_STATUSES else None
    with services.db.session() as session:
        listing = list_meetings(
            session,
            who,
            q=q or None,
            status=status_filter,
            source=None,
            date_from=date_from,
            date_to=date_to,
            limit=200,
            offset=0,
        )
    return TEMPLATES.TemplateResponse(
        request,
        "meetings.html",
        {
            "who": who,
            "meetings": listing.items,
            "q": q or "",
            "statut": status_filter or "",
            "du": du or "",
            "au": au or "",
            "statuses": STATUS_LABELS,
            "error": error,
        },
    )


@router.get("/reunions/{meeting_id}", response_class=HTMLResponse)
def meeting_page(meeting_id: str, request: Request, services: ServicesDep) -> Response:
    who = page_principal(request, services)
    if who is None:
        return _to_login()
    with services.db.session() as session:
        try:
            detail = meeting_detail(session, who.tenant_id, meeting_id)
        except HTTPException:
            return TEMPLATES.TemplateResponse(
                request,
                "error.html",
                {"who": who, "message": f"Réunion introuvable : {meeting_id}"},
                status_code=status.HTTP_404_NOT_FOUND,
            )
        transcript = repo.get_transcript(session, who.tenant_id, meeting_id)
        record = repo.get_minutes(session, who.tenant_id, meeting_id)
    minutes = Minutes.model_validate(record.data) if record is not None else None
    return TEMPLATES.TemplateResponse(
        request,
        "meeting.html",
        {
            "who": who,
            "meeting": detail,
            "turns": speaker_turns(transcript) if transcript else [],
            "minutes": minutes,
            "transcript_formats": [f.value for f in TranscriptFormat],
            "minutes_formats": [f.value for f in MinutesFormat],
        },
    )
