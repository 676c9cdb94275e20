"""FastAPI dependencies: services, a database session per request, and the caller's identity.

Routes declare what they need (``session: SessionDep``, ``who: ClerkDep`` / ``BackendDep`` /
``AdminDep``) and read like their specification; authentication and tenancy live here only.

A token is read from ``Authorization: Bearer <token>`` (API clients) or, for the clerk pages and
their download links, from the ``asr_session`` cookie the sign-in form sets (HttpOnly,
SameSite=Strict).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from asr_service.api.auth import Principal, Role, principal_from_token
from asr_service.api.services import ApiServices
from asr_service.storage import repository as repo

SESSION_COOKIE = "asr_session"

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
    """The principal of a token, or ``None`` when it is missing, unknown, revoked or expired."""
    if not token or not token.startswith(repo.TOKEN_PREFIX) or len(token) > 200:
        return None
    record = repo.authenticate_token(session, token)
    return principal_from_token(record) if record is not None else None


def request_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is not None:
        return credentials.credentials
    return request.cookies.get(SESSION_COOKIE)


def get_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller; 401 with a French message otherwise.

    Uses its own short transaction (it stamps the token's last use), so a long upload never holds
    a database write lock.
    """
    with services.db.session() as session:
        principal = resolve_principal(session, request_token(request, credentials))
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Jeton d'accès manquant, inconnu, révoqué ou expiré.",
            headers={"WWW-Authenticate": "Bearer"},
        )
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
