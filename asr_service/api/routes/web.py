"""The clerks' web pages (French, server-rendered): sign in, meeting list, transcript, minutes.

No front-end build: Jinja2 templates and one stylesheet. Clerks sign in with their organisation's
OpenID Connect provider (``/connexion/oidc``, see ``api/oidc.py``) or, where the operator keeps it,
by pasting an API token; either opens a server-side session whose opaque id is the cookie
(``api/sessions.py``). The download buttons are plain links to the API, which accepts that
cookie. Pages never show another tenant's data: they call the same tenant-scoped
repository functions as the API.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from asr_service.api.auth import Principal
from asr_service.api.deps import (
    FIRST_DAY,
    LAST_DAY,
    SESSION_COOKIE,
    ServicesDep,
    authenticate,
    resolve_principal,
)
from asr_service.api.exports import MinutesFormat, TranscriptFormat
from asr_service.api.oidc import OidcClient, OidcError
from asr_service.api.routes.meetings import list_meetings, meeting_detail
from asr_service.api.security import (
    SAFE_METHODS,
    AuthThrottle,
    check_same_origin,
    client_ip,
    token_prefix,
)
from asr_service.api.services import ApiServices
from asr_service.api.sessions import (
    SIGN_IN_REQUEST_TTL,
    begin_sign_in,
    close_session,
    open_session,
    take_sign_in,
)
from asr_service.documents.transcript_doc import clock, speaker_turns
from asr_service.localtime import DAY_FORMAT, format_datetime, parse_day
from asr_service.speakers import humanise_minutes
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


@pass_context
def _datetime_fr(context: Context, moment: datetime | None) -> str:
    """``06/12/2026 10:15`` in the operator's time zone (``ASR_TIMEZONE``), not UTC."""
    return format_datetime(moment, context["request"].app.state.services.settings.timezone)


TEMPLATES.env.filters["datetime_fr"] = _datetime_fr

router = APIRouter(include_in_schema=False)

OIDC_PATH = "/connexion/oidc"
STATE_COOKIE = "asr_oidc_state"


def page_principal(request: Request, services: ServicesDep) -> Principal | None:
    """The signed-in clerk of a page request (session cookie), or None (→ sign-in page).

    A state-changing page request (a form POST) must come from this service's own origin: 403
    otherwise (CSRF)."""
    if not request.cookies.get(SESSION_COOKIE):
        return None
    principal, _ = authenticate(request, services, None)
    if principal is not None and request.method not in SAFE_METHODS:
        check_same_origin(request, services.settings.public_url)
    return principal


def _to_login() -> RedirectResponse:
    return RedirectResponse("/connexion", status_code=status.HTTP_303_SEE_OTHER)


def _oidc(request: Request) -> OidcClient | None:
    return request.app.state.oidc


def _login_page(
    request: Request, services: ApiServices, error: str | None = None, status_code: int = 200
) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "login.html",
        {
            "error": error,
            "oidc": _oidc(request) is not None,
            "token_sign_in": services.settings.token_sign_in,
        },
        status_code=status_code,
    )


def _signed_in(
    request: Request, services: ApiServices, cookie_value: str, *, clear_state: bool = False
) -> Response:
    """Redirect to the meetings with the new session cookie."""
    response = RedirectResponse("/reunions", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        cookie_value,
        httponly=True,
        samesite="lax",  # Strict would drop it on the redirect chain back from the provider
        secure=_secure(request, services),
        max_age=int(services.settings.session_hours * 3600),
    )
    if clear_state:
        response.delete_cookie(STATE_COOKIE, path=OIDC_PATH)
    return response


def _secure(request: Request, services: ApiServices) -> bool:
    return services.settings.cookie_secure or request.url.scheme == "https"


def _callback_url(request: Request, services: ApiServices) -> str:
    settings = services.settings
    if settings.oidc_redirect_url:
        return settings.oidc_redirect_url
    if settings.public_url:
        return settings.public_url.rstrip("/") + OIDC_PATH + "/retour"
    return str(request.url_for("oidc_callback"))


@router.get("/")
def home(request: Request, services: ServicesDep) -> Response:
    if page_principal(request, services) is None:
        return _to_login()
    return RedirectResponse("/reunions", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/connexion", response_class=HTMLResponse)
def login_form(request: Request, services: ServicesDep) -> Response:
    return _login_page(request, services)


@router.post("/connexion", response_class=HTMLResponse)
def login(
    request: Request, services: ServicesDep, token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Token sign-in (the fallback): the token opens a server-side session; the cookie holds the
    session's id, never the token."""
    if not services.settings.token_sign_in:
        return _login_page(
            request,
            services,
            "La connexion par jeton est désactivée : utilisez le bouton de connexion.",
            status.HTTP_403_FORBIDDEN,
        )
    check_same_origin(request, services.settings.public_url)  # no sign-in planted by another site
    throttle: AuthThrottle = request.app.state.throttle
    ip, token = client_ip(request), token.strip()
    throttle.sign_in_attempt(ip)
    throttle.check(ip, token_prefix(token))
    with services.db.session() as session:
        principal = resolve_principal(session, token)
        cookie_value = None
        if principal is not None:
            cookie_value = open_session(
                session,
                tenant_id=principal.tenant_id,
                role=principal.role,
                subject=principal.subject,
                method="token",
                hours=services.settings.session_hours,
                token_id=int(principal.subject.split(":", 1)[1]),
                replaces=request.cookies.get(SESSION_COOKIE),
            )
    if cookie_value is None:
        throttle.failed(ip, token_prefix(token))
        return _login_page(
            request,
            services,
            "Jeton inconnu, révoqué ou expiré. Vérifiez-le et réessayez.",
            status.HTTP_401_UNAUTHORIZED,
        )
    return _signed_in(request, services, cookie_value)


@router.get(OIDC_PATH)
def oidc_start(request: Request, services: ServicesDep) -> Response:
    """Start an OpenID Connect sign-in: remember state, nonce and PKCE verifier, go to the
    provider."""
    client = _oidc(request)
    if client is None:
        return _to_login()
    request.app.state.throttle.sign_in_attempt(client_ip(request))
    with services.db.session() as session:
        pending = begin_sign_in(session)
    try:
        url = client.authorization_url(
            _callback_url(request, services),
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    except OidcError as exc:
        return _login_page(request, services, exc.message, exc.status)
    response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        STATE_COOKIE,
        pending.state,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to us
        secure=_secure(request, services),
        max_age=int(SIGN_IN_REQUEST_TTL.total_seconds()),
        path=OIDC_PATH,
    )
    return response


@router.get(OIDC_PATH + "/retour", name="oidc_callback")
def oidc_callback(
    request: Request,
    services: ServicesDep,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The provider sends the browser back: check state, exchange the code, open a session."""
    client = _oidc(request)
    if client is None:
        return _to_login()
    throttle: AuthThrottle = request.app.state.throttle
    ip = client_ip(request)
    throttle.sign_in_attempt(ip)
    throttle.check(ip, None)
    expected = request.cookies.get(STATE_COOKIE) or ""
    with services.db.session() as session:
        pending = take_sign_in(session, state)
    try:
        if error:
            raise OidcError("Connexion annulée ou refusée par le fournisseur d'identité.")
        if (
            not state
            or not code
            or pending is None
            or not secrets.compare_digest(expected.encode(), state.encode())
        ):
            raise OidcError("Connexion expirée ou commencée ailleurs : recommencez.")
        identity = client.finish(
            _callback_url(request, services),
            code=code,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    except OidcError as exc:
        throttle.failed(ip, None)
        return _login_page(request, services, exc.message, exc.status)
    with services.db.session() as session:
        cookie_value = open_session(
            session,
            tenant_id=identity.tenant_id,
            role=identity.role,
            subject=identity.subject,
            name=identity.name,
            method="oidc",
            hours=services.settings.session_hours,
            id_token=identity.id_token,
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    return _signed_in(request, services, cookie_value, clear_state=True)


@router.post("/deconnexion")
def logout(request: Request, services: ServicesDep) -> Response:
    """End the session on the server (the cookie is dead everywhere), then in the browser; a
    clerk signed in with OpenID Connect is then sent to the provider's logout, which comes back
    to the sign-in page."""
    value = request.cookies.get(SESSION_COOKIE)
    id_token = method = None
    if value:
        check_same_origin(request, services.settings.public_url)
        with services.db.session() as session:
            ended = close_session(session, value)
            if ended is not None:
                id_token, method = ended.id_token, ended.method
    response = _to_login()
    client = _oidc(request)
    if client is not None and method == "oidc":
        back = str(request.url_for("login_form"))
        if services.settings.public_url:
            back = services.settings.public_url.rstrip("/") + "/connexion"
        url = client.logout_url(id_token, back)
        if url:
            response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _page_date(value: str | None) -> date | None:
    """A day typed in the search form (JJ/MM/AAAA, or AAAA-MM-JJ); ValueError when malformed or
    outside the API's bounds."""
    if not value:
        return None
    day = parse_day(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(value)
    return day


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
        date_from = _page_date(du)
        date_to = _page_date(au)
    except ValueError:
        date_from = date_to = None
        error = f"Date invalide : utilisez le format {DAY_FORMAT} (entre 1970 et 9999)."
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
            tz=services.settings.timezone,
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
        from asr_service.api.routes.review import page_context  # the review panel (its owner)

        review = page_context(session, services, who, meeting_id, request)
    minutes = Minutes.model_validate(record.data) if record is not None else None
    if review["review"] is not None:  # the version under review, not the model's raw output
        minutes = review["review"].current.minutes
    if minutes is not None:  # "Intervenant N" on the page; the stored minutes keep the IDs
        minutes = humanise_minutes(minutes)
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
            **review,
        },
    )
