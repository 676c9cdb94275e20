"""Clerk sign-in with OpenID Connect (ProConnect, or any OIDC provider): authorization code + PKCE.

Flow (``routes/web.py`` drives it):

1. ``GET /connexion/oidc``: a new sign-in (random ``state``, ``nonce`` and PKCE verifier, kept
   server-side by :mod:`asr_service.api.sessions`) and a redirect to the provider's authorization
   endpoint (Authlib builds the URL with the S256 code challenge).
2. ``GET /connexion/oidc/retour?code=…&state=…``: the state must be the one this browser started
   (cookie) and still pending; the code is exchanged for tokens with the client secret and the
   verifier (Authlib); the ID token is verified (joserfc: signature against the provider's JWKS,
   ``iss``, ``aud``, ``exp``/``iat`` with 60 s leeway, ``nonce``, ``azp`` when several audiences);
   the userinfo endpoint is read when the provider has one (ProConnect puts ``siret`` there, as a
   signed JWT: verified the same way) and must name the same ``sub``.
3. The claims are mapped to a tenant and a role (:func:`map_claims`), and a server-side session
   is opened.

The provider's metadata (``/.well-known/openid-configuration``) and keys are fetched when first
needed and cached; the keys are fetched again once when a token is signed by an unknown key
(rotation). Every failure is an :class:`OidcError` whose message can be shown to the clerk.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from asr_service.api.auth import Role
from asr_service.config import Settings
from asr_service.storage import safe_name

HTTP_TIMEOUT_S = 10.0
METADATA_TTL_S = 3600.0
LEEWAY_S = 60
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]


class OidcError(Exception):
    """A sign-in failed; ``message`` is French and safe to show; ``status`` the HTTP status."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class OidcIdentity:
    """A verified user, mapped to this service's tenant and role."""

    subject: str
    tenant_id: str
    role: Role
    name: str
    claims: dict[str, Any] = field(default_factory=dict)
    id_token: str | None = None


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def map_claims(claims: dict[str, Any], settings: Settings) -> tuple[str, Role]:
    """(tenant, role) for a user's claims, or OidcError(403) when the mapping admits none.

    Tenant: the ``ASR_OIDC_TENANT_CLAIM`` value, through ``ASR_OIDC_TENANTS`` when that table is
    set (a value not listed is refused), else used as the tenant ID itself. Role: the highest
    role any value of ``ASR_OIDC_ROLE_CLAIM`` maps to in ``ASR_OIDC_ROLES``, else
    ``ASR_OIDC_DEFAULT_ROLE`` (unset: refused).
    """
    values = _as_list(claims.get(settings.oidc_tenant_claim))
    tenant: str | None = None
    for value in values:
        if settings.oidc_tenants:
            tenant = settings.oidc_tenants.get(value)
        else:
            try:
                tenant = safe_name(value, "tenant id")
            except ValueError:
                tenant = None
        if tenant:
            break
    if not tenant:
        raise OidcError(
            "Votre compte n'est rattaché à aucun espace de ce service "
            f"(attribut « {settings.oidc_tenant_claim} »). Contactez l'administrateur.",
            status=403,
        )
    roles = [
        Role(settings.oidc_roles[v])
        for v in _as_list(claims.get(settings.oidc_role_claim or ""))
        if v in settings.oidc_roles
    ]
    if roles:
        return tenant, max(roles, key=lambda r: r.rank)
    if settings.oidc_default_role is None:
        raise OidcError(
            "Votre compte n'a aucun rôle dans ce service. Contactez l'administrateur.", status=403
        )
    return tenant, Role(settings.oidc_default_role)


class OidcClient:
    """One configured provider: discovery, authorization URL, code exchange, token checks."""

    def __init__(self, settings: Settings, *, http: httpx.Client | None = None) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError("OIDC needs ASR_OIDC_ISSUER and ASR_OIDC_CLIENT_ID")
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        secret = settings.oidc_client_secret
        self._secret = secret.get_secret_value() if secret is not None else None
        self.http = http or httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False)
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    # -- provider metadata and keys ------------------------------------------------------------
    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(
                "Le fournisseur d'identité ne répond pas ; réessayez plus tard.", status=502
            ) from exc

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (cached an hour); its issuer must be ours."""
        with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_S:
                document = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
                if document.get("issuer", "").rstrip("/") != self.issuer:
                    raise OidcError("Fournisseur d'identité mal configuré (issuer).", status=502)
                self._metadata, self._metadata_at = document, time.monotonic()
                self._keys = None
            return self._metadata

    def keys(self, refresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS), fetched again when ``refresh``."""
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(self._get_json(self.metadata()["jwks_uri"]))
        return self._keys

    # -- the flow ------------------------------------------------------------------------------
    def _oauth(self, redirect_uri: str) -> OAuth2Client:
        methods = self.metadata().get(
            "token_endpoint_auth_methods_supported", ["client_secret_basic"]
        )
        auth_method = "client_secret_basic"
        if self._secret is None:
            auth_method = "none"
        elif "client_secret_basic" not in methods and "client_secret_post" in methods:
            auth_method = "client_secret_post"
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self._secret,
            token_endpoint_auth_method=auth_method,
            scope=self.settings.oidc_scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_S,
        )

    def authorization_url(
        self, redirect_uri: str, *, state: str, nonce: str, code_verifier: str
    ) -> str:
        """Where to send the browser: the authorization endpoint with an S256 code challenge."""
        endpoint = self.metadata()["authorization_endpoint"]
        with self._oauth(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, code_verifier=code_verifier, nonce=nonce
            )
        return url

    def finish(
        self, redirect_uri: str, *, code: str, nonce: str, code_verifier: str
    ) -> OidcIdentity:
        """Exchange ``code``, verify the ID token (and userinfo), map the claims."""
        metadata = self.metadata()
        try:
            with self._oauth(redirect_uri) as client:
                tokens = client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except Exception as exc:  # noqa: BLE001 - Authlib raises OAuthError, httpx HTTPError...
            raise OidcError(
                "Le fournisseur d'identité a refusé la connexion ; recommencez.", status=401
            ) from exc
        id_token = tokens.get("id_token")
        if not id_token:
            raise OidcError("Le fournisseur d'identité n'a pas envoyé de jeton d'identité.")
        claims = self._verify(id_token, nonce=nonce)
        userinfo_url = metadata.get("userinfo_endpoint")
        if userinfo_url and tokens.get("access_token"):
            extra = self._userinfo(userinfo_url, tokens["access_token"])
            if extra.get("sub") != claims["sub"]:
                raise OidcError("Réponse incohérente du fournisseur d'identité (sub).")
            claims = {**extra, **claims}
        tenant, role = map_claims(claims, self.settings)
        name = str(
            claims.get("name")
            or " ".join(
                str(claims[k]) for k in ("given_name", "usual_name", "family_name") if claims.get(k)
            )
            or claims.get("email")
            or claims["sub"]
        )
        return OidcIdentity(
            subject=f"oidc:{claims['sub']}",
            tenant_id=tenant,
            role=role,
            name=name,
            claims=claims,
            id_token=id_token,
        )

    def logout_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """The provider's logout (RP-initiated logout) for a session, or None when the provider
        has no ``end_session_endpoint`` or is unreachable (the local logout stands alone)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except OidcError:
            return None
        if not endpoint:
            return None
        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            params["id_token_hint"] = id_token
        return str(httpx.URL(endpoint, params=params))

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            try:
                return jwt.decode(token, self.keys(), algorithms=SIGNING_ALGORITHMS).claims
            except (JoseError, ValueError):
                # perhaps signed by a key published since we fetched the set (rotation)
                return jwt.decode(
                    token, self.keys(refresh=True), algorithms=SIGNING_ALGORITHMS
                ).claims
        except (JoseError, ValueError) as exc:
            raise OidcError("Jeton d'identité invalide (signature).") from exc

    def _verify(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        claims = self._decode(id_token)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise OidcError(f"Jeton d'identité invalide ({exc.error}).") from exc
        audiences = _as_list(claims.get("aud"))
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("Jeton d'identité invalide (azp).")
        return dict(claims)

    def _userinfo(self, url: str, access_token: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise OidcError("Le fournisseur d'identité ne répond pas (userinfo).", 502) from exc
        if response.headers.get("content-type", "").startswith("application/jwt"):
            claims = self._decode(response.text.strip())
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.metadata()["issuer"]},
                aud={"essential": True, "value": self.client_id},
            )
            try:
                registry.validate(claims)
            except JoseError as exc:
                raise OidcError(f"Réponse userinfo invalide ({exc.error}).") from exc
            return dict(claims)
        try:
            return dict(json.loads(response.text))
        except ValueError as exc:
            raise OidcError("Réponse userinfo illisible.", status=502) from exc
