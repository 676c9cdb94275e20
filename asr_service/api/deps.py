"""FastAPI dependencies: services, a database session per request, and the caller's identity.

Routes declare what they need (``session: SessionDep``, ``who: ClerkDep`` / ``BackendDep`` /
``AdminDep``) and read like their specification; authentication and tenancy live here only.

The caller is an API token from ``Authorization: Bearer <token>`` (machines) or, for the clerk
pages and their download links, a server-side sign-in session whose opaque id is in the
``asr_session`` cookie (HttpOnly, SameSite=Lax, Secure over HTTPS; see ``api/sessions.py``). A
state-changing request authenticated by that cookie must come from this service's own origin
(CSRF), and authentication failures are throttled per client IP and per credential prefix.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from asr_service.api.auth import Principal, Role, principal_from_token
from asr_service.api.security import AuthThrottle, check_same_origin, client_ip, token_prefix
from asr_service.api.services import ApiServices
from asr_service.api.sessions import resolve_session
from asr_service.storage import repository as repo
from asr_service.storage.models import Meeting

SESSION_COOKIE = "asr_session"

DB_INT_MAX = 2**31 - 1
"""Largest value of an ``INTEGER`` column on PostgreSQL: every integer parameter that reaches the
database (IDs, offsets) is bounded by it, so an out-of-range number is a 422, never a 500."""
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9999, 12, 30)
"""Bounds of every date parameter: one day inside ``date.max`` so a day range's end (the next
day at midnight) is still a date, and no meeting predates the epoch."""

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="API token `asr_…` created with `asr-service tokens create` (tenant + role).",
)


def get_services(request: Request) -> ApiServices:
    return request.app.state.services


ServicesDep = Annotated[ApiServices, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with services.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def resolve_principal(session: Session, token: str | None) -> Principal | None:
    """The principal of an API token, or ``None`` when missing, unknown, revoked or expired."""
    if not token or not token.startswith(repo.TOKEN_PREFIX) or len(token) > 200:
        return None
    record = repo.authenticate_token(session, token)
    return principal_from_token(record) if record is not None else None


def get_throttle(request: Request) -> AuthThrottle:
    return request.app.state.throttle


def authenticate(
    request: Request, services: ApiServices, bearer: str | None
) -> tuple[Principal | None, str | None]:
    """(principal or None, the credential that was presented) for a request: the Bearer token
    when there is one, else the session cookie. 429 when this client or this credential's prefix
    failed too often; a failure is counted. Its own short transaction (a token's last use is
    stamped), so a long upload never holds a database write lock."""
    credential = bearer or request.cookies.get(SESSION_COOKIE)
    if not credential:
        return None, None
    throttle = get_throttle(request)
    ip, prefix = client_ip(request), token_prefix(credential)
    throttle.check(ip, prefix)
    with services.db.session() as session:
        if bearer:
            principal = resolve_principal(session, bearer)
        else:
            principal = resolve_session(session, credential)
    if principal is None:
        throttle.failed(ip, prefix)
    return principal, credential


def get_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller; 401 with a French message otherwise, 429 after too many
    failures, 403 for a cookie-authenticated change coming from another origin (CSRF)."""
    bearer = credentials.credentials if credentials is not None else None
    principal, _ = authenticate(request, services, bearer)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Jeton d'accès ou session manquant, inconnu, révoqué ou expiré.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if principal.by_cookie:
        check_same_origin(request, services.settings.public_url)
    request.state.tenant = principal.tenant_id  # the logs of the rest of the request name it
    return principal


def require(role: Role):  # noqa: ANN201 - returns a FastAPI dependency
    """A dependency that admits callers whose role includes ``role`` (403 otherwise)."""

    def dependency(who: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not who.role.allows(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"Ce jeton (rôle « {who.role} ») ne permet pas cette opération "
                f"(rôle « {role} » requis).",
            )
        return who

    return dependency


ClerkDep = Annotated[Principal, Depends(require(Role.clerk))]
BackendDep = Annotated[Principal, Depends(require(Role.backend))]
AdminDep = Annotated[Principal, Depends(require(Role.admin))]


def meeting_not_found(meeting_id: str) -> HTTPException:
    """The same 404 for an unknown meeting and another tenant's meeting (no ID probing)."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Réunion introuvable : {meeting_id}")


def require_meeting(session: Session, tenant_id: str, meeting_id: str) -> Meeting:
    """The tenant's meeting, else :func:`meeting_not_found`'s 404."""
    meeting = repo.get_meeting(session, tenant_id, meeting_id)
    if meeting is None:
        raise meeting_not_found(meeting_id)
    return meeting
