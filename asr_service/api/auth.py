"""Who is calling: bearer API tokens bound to a tenant and a role; OIDC-ready.

Design
------
Every request is resolved to a :class:`Principal` (tenant, role, subject) by an authenticator;
routes only ever see the principal, never the credential. Today one authenticator exists: opaque
API tokens (``asr_<43 url-safe chars>``, 256 bits of randomness) stored as their SHA-256 digest
(``storage.repository.create_api_token`` / ``authenticate_token``), so a leaked database yields no
usable token. A slow password hash (bcrypt/argon2) buys nothing for
256-bit random secrets and would make every request pay ~100 ms.

ProConnect (the French State's OIDC federation for agents) plugs in as a second authenticator: the
web page redirects to the IdP, the callback validates the ID token (issuer, audience, signature
against the IdP's JWKS, expiry), and a claim mapping turns it into the same :class:`Principal`,
e.g. the ``siret``/``organizational_unit`` claim to a tenant and a group claim to a role (see
docs/api.md). Nothing in the routes changes.

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
    subject: str  # token id, or the OIDC ``sub`` once ProConnect is wired
    method: str = "token"


def principal_from_token(token: object) -> Principal:
    """The principal of a stored ``ApiToken`` record."""
    return Principal(
        tenant_id=token.tenant_id,  # type: ignore[attr-defined]
        role=Role(token.role),  # type: ignore[attr-defined]
        subject=f"token:{token.id}",  # type: ignore[attr-defined]
    )
