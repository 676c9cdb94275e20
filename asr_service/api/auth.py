"""Who is calling: bearer API tokens bound to a tenant and a role; OIDC-ready.

Design
------
Every request is resolved to a :class:`Principal` (tenant, role, subject) by an authenticator;
routes only ever see the principal, never the credential. Two authenticators exist:

- **API tokens** (machines, ``Authorization: Bearer``): opaque ``asr_<43 url-safe chars>``
  (256 bits of randomness) stored as their SHA-256 digest (``storage.repository``), so a leaked
  database yields no usable token. A slow password hash buys nothing for 256-bit random secrets.
- **Sign-in sessions** (clerks' browsers, the ``asr_session`` cookie): server-side sessions
  (:mod:`asr_service.api.sessions`) opened by OpenID Connect (ProConnect...: authorization code
  + PKCE, :mod:`asr_service.api.oidc`, whose claim mapping yields the tenant and role) or, as a
  fallback an operator may switch off (``ASR_TOKEN_SIGN_IN=false``), by pasting an API token.

Roles are ordered: ``clerk`` reads (lists, views, downloads), ``backend`` also writes (uploads,
deletions), ``admin`` also manages tokens and tenant settings such as retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a token may do; each role includes the rights of the ones before it."""

    clerk = "clerk"
    backend = "backend"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """True when this role has at least the rights of ``needed``."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Principal:
    """The authenticated caller as routes see it."""

    tenant_id: str
    role: Role
    subject: str  # ``token:<id>``, or ``oidc:<issuer sub>`` for a clerk signed in with OIDC
    method: str = "token"  # token (Bearer), session:oidc or session:token (cookie)
    name: str = ""  # what the pages show (the OIDC user's name or e-mail)

    @property
    def by_cookie(self) -> bool:
        """True when the request was authenticated by the session cookie (CSRF applies)."""
        return self.method.startswith("session")


def principal_from_token(token: object) -> Principal:
    """The principal of a stored ``ApiToken`` record."""
    return Principal(
        tenant_id=token.tenant_id,  # type: ignore[attr-defined]
        role=Role(token.role),  # type: ignore[attr-defined]
        subject=f"token:{token.id}",  # type: ignore[attr-defined]
    )
