"""Clerks' server-side sign-in sessions, and OpenID Connect sign-ins under way.

A session is a database row; the browser holds only its opaque id (256 random bits) in an
HttpOnly, SameSite=Lax cookie (Secure over HTTPS), and the row is keyed by the id's SHA-256, so a
leaked table yields no usable cookie. Signing in always creates a new id (rotation: an id planted
before sign-in is worthless after it) and deletes the session the browser had; signing out deletes
the row, so the same cookie replayed afterwards is refused. A session opened with an API token on
the sign-in page also ends when that token is revoked or expires.

An OpenID Connect sign-in under way is a row keyed by the SHA-256 of its ``state`` holding the PKCE
verifier and the nonce; it is used once (deleted when the provider sends the browser back) and
expires after ten minutes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from asr_service.api.auth import Principal, Role
from asr_service.storage import repository as repo
from asr_service.storage.models import ApiToken, SignInRequest, SignInSession, utcnow

SIGN_IN_REQUEST_TTL = timedelta(minutes=10)
_OPAQUE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def well_formed(value: str | None) -> bool:
    """True when ``value`` looks like an id this module issued (no database query otherwise)."""
    return bool(value) and bool(_OPAQUE.match(value or ""))


def open_session(
    session: Session,
    *,
    tenant_id: str,
    role: Role | str,
    subject: str,
    method: str,
    hours: float,
    name: str = "",
    token_id: int | None = None,
    id_token: str | None = None,
    replaces: str | None = None,
) -> str:
    """Create a session, audit it (``session.opened`` with the sign-in method and role) and
    return its cookie value; ``replaces`` (the browser's previous cookie) is deleted. Expired
    sessions and sign-in requests are swept at the same time."""
    if replaces and well_formed(replaces):
        session.execute(delete(SignInSession).where(SignInSession.id_hash == _digest(replaces)))
    now = utcnow()
    session.execute(delete(SignInSession).where(SignInSession.expires_at <= now))
    session.execute(delete(SignInRequest).where(SignInRequest.expires_at <= now))
    repo.ensure_tenant(session, tenant_id)
    value = secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            id_hash=_digest(value),
            tenant_id=tenant_id,
            role=str(Role(role)),
            subject=subject[:300],
            name=name[:200],
            method=method,
            token_id=token_id,
            id_token=id_token,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    repo.audit(
        session,
        "session.opened",
        tenant_id=tenant_id,
        actor=subject,
        detail={"method": method, "role": str(Role(role))},
    )
    return value


def resolve_session(session: Session, value: str | None) -> Principal | None:
    """The principal of a live session cookie, or None (unknown, ended, expired, or its token
    revoked or expired)."""
    if not well_formed(value):
        return None
    row = session.get(SignInSession, _digest(value or ""))
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    if row.token_id is not None:
        token = session.get(ApiToken, row.token_id)
        if (
            token is None
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
        ):
            return None
    return Principal(
        tenant_id=row.tenant_id,
        role=Role(row.role),
        subject=row.subject,
        method=f"session:{row.method}",
        name=row.name,
    )


def close_session(session: Session, value: str | None) -> SignInSession | None:
    """Delete the session of this cookie; the deleted row (its ``id_token`` serves the logout at
    the provider), or None when there was none."""
    if not well_formed(value):
        return None
    row = session.get(SignInSession, _digest(value or ""))
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def count_sessions(session: Session, tenant_id: str) -> int:
    """Sessions of a tenant (live or not yet swept): for tests and operators."""
    return len(
        session.scalars(
            select(SignInSession.id_hash).where(SignInSession.tenant_id == tenant_id)
        ).all()
    )


@dataclass(frozen=True)
class PendingSignIn:
    """What the provider's answer is checked against."""

    state: str
    nonce: str
    code_verifier: str


def begin_sign_in(session: Session) -> PendingSignIn:
    """A new OpenID Connect sign-in: random state, nonce and PKCE verifier (RFC 7636: 43-128
    characters), stored until the provider sends the browser back."""
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
    )
    now = utcnow()
    session.add(
        SignInRequest(
            state_hash=_digest(pending.state),
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            created_at=now,
            expires_at=now + SIGN_IN_REQUEST_TTL,
        )
    )
    session.flush()
    return pending


def take_sign_in(session: Session, state: str | None) -> PendingSignIn | None:
    """The sign-in started with ``state``, removed (one use); None when unknown or expired."""
    if not well_formed(state):
        return None
    row = session.get(SignInRequest, _digest(state or ""))
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.expires_at <= utcnow():
        return None
    return PendingSignIn(state=state or "", nonce=row.nonce, code_verifier=row.code_verifier)
