"""HTTP hardening that is not about who the caller is: headers, same-origin checks, throttling.

- :class:`SecurityHeaders` (ASGI middleware): every response gets a Content-Security-Policy,
  ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff`` and a Referrer-Policy. Clerk
  pages run no inline script, so their policy allows scripts and styles from this origin only; the
  API docs pages (Swagger UI, ReDoc, whose bootstrap is an inline script) get ``'unsafe-inline'``
  for scripts and nothing else more.
- :func:`check_same_origin`: the CSRF guard. A request that changes state and is authenticated
  by the session cookie must come from a page of this service: its ``Origin`` (else its
  ``Referer``) must be this server's own origin (or ``ASR_PUBLIC_URL``'s). Browsers always send
  ``Origin`` on cross-origin requests and on POST/PUT/PATCH/DELETE, and a page of another site cannot
  forge it; Bearer-token calls are not concerned (a browser never adds that header by itself).
- :class:`AuthThrottle`: rate limits (the ``limits`` library, moving windows, in memory: per
  process) on sign-in attempts per client IP and on authentication failures per IP and per token
  prefix. Over a limit the caller gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response (pure ASGI, so
    streamed uploads and downloads pass through untouched)."""

    def __init__(self, app: ASGIApp, form_targets: tuple[str, ...] = ()) -> None:
        """``form_targets``: origins a form of ours may lead to besides this one (the OpenID
        Connect provider: signing out posts to us, and we redirect to its logout; browsers apply
        ``form-action`` to that redirect too)."""
        self.app = app
        extra = "".join(f" {origin}" for origin in form_targets if origin)
        self.page_csp = PAGE_CSP.replace("form-action 'self'", f"form-action 'self'{extra}")
        self.docs_csp = DOCS_CSP.replace("form-action 'self'", f"form-action 'self'{extra}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.docs_csp if scope["path"] in DOCS_PATHS else self.page_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower()
                    not in (
                        b"content-security-policy",
                        b"x-frame-options",
                        b"x-content-type-options",
                        b"referrer-policy",
                    )
                ]
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of a URL (None for None), for CSP source lists."""
    return _origin(url) if url else None


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower-case; None when it has none."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def request_origin_allowed(request: Request, public_url: str | None) -> bool:
    """True when the request's ``Origin`` (else ``Referer``) is this service's own origin."""
    claimed = request.headers.get("origin")
    if not claimed or claimed == "null":
        referer = request.headers.get("referer")
        claimed = _origin(referer) if referer else None
    if not claimed:
        return False
    claimed = claimed.lower().rstrip("/")
    allowed = set()
    if public_url and (configured := _origin(public_url)):
        allowed.add(configured)
    host = request.headers.get("host", "").lower()
    if host:
        # this server as the browser reached it: http directly, https behind a TLS proxy
        allowed |= {f"http://{host}", f"https://{host}"}
    return claimed in allowed


def check_same_origin(request: Request, public_url: str | None) -> None:
    """403 when a state-changing, cookie-authenticated request comes from another origin."""
    if request.method in SAFE_METHODS:
        return
    if not request_origin_allowed(request, public_url):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Requête refusée : elle ne vient pas d'une page de ce service "
            "(en-tête Origin absent ou étranger).",
        )


class TooManyAttempts(HTTPException):
    """429 with the seconds to wait in ``Retry-After``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"Trop de tentatives : réessayez dans {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


def token_prefix(credential: str | None) -> str | None:
    """The first 12 characters of a presented credential: enough to group guesses at one token,
    too few to be worth anything if logs or memory leak."""
    return credential[:12] if credential else None


class AuthThrottle:
    """Moving-window rate limits on sign-in attempts and authentication failures."""

    def __init__(self, sign_in: str, failures: str) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.sign_in_items = parse_many(sign_in)
        self.failure_items = parse_many(failures)

    def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        reset = self.limiter.get_window_stats(item, *keys).reset_time
        return max(1, math.ceil(reset - time.time()))

    def sign_in_attempt(self, ip: str) -> None:
        """Count one sign-in attempt from ``ip``; TooManyAttempts when over the limit."""
        for item in self.sign_in_items:
            if not self.limiter.hit(item, "sign-in", ip):
                raise TooManyAttempts(self._retry_after(item, "sign-in", ip))

    def _failure_keys(self, ip: str, prefix: str | None) -> list[tuple[str, ...]]:
        keys = [("auth-failure", "ip", ip)]
        if prefix:
            keys.append(("auth-failure", "prefix", prefix))
        return keys

    def check(self, ip: str, prefix: str | None) -> None:
        """TooManyAttempts when ``ip`` or ``prefix`` already failed too often (not counted)."""
        for keys in self._failure_keys(ip, prefix):
            for item in self.failure_items:
                if not self.limiter.test(item, *keys):
                    raise TooManyAttempts(self._retry_after(item, *keys))

    def failed(self, ip: str, prefix: str | None) -> None:
        """Record one failed authentication of ``ip`` with a credential starting ``prefix``."""
        for keys in self._failure_keys(ip, prefix):
            for item in self.failure_items:
                self.limiter.hit(item, *keys)


def client_ip(request: Request) -> str:
    """The caller's address as the server sees it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "inconnu"
