"""Keep secrets out of what the service prints: configuration, logs, error messages.

One place decides what a secret looks like, so ``asr-service config``, every log line (see
:mod:`asr_service.logging`) and the commands' error lines hide the same things:

- a password inside a URL (``postgresql://asr:pw@db/asr``, ``nats://user:pw@host:4222``) and a
  NATS token written as the URL's user (``nats://t0ken@host``);
- ``password=…``, ``token=…``, ``secret=…``, ``api_key=…`` pairs (query strings, DSNs) and
  ``Bearer …`` credentials;
- the value of every secret setting (``SecretStr`` fields: NATS password/token, LLM API key, OIDC
  client secret...) once :func:`register_secrets` has seen the settings, wherever it appears.

Secret settings are typed :class:`pydantic.SecretStr` (or :class:`SecretUrl` for a URL that may
carry a password), so ``repr``/``str``/dumps of the settings never show them; code that needs the
value calls :func:`reveal`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"

_URL_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/\s,'\"]*)(?::(?P<password>[^@/\s,'\"]*))?@"
)
_TOKEN_SCHEMES = ("nats", "tls", "ws", "wss")
"""Schemes where a user with no password is a token (``nats://<token>@host``)."""
_KEY_VALUE = re.compile(
    r"(?i)\b(?P<key>[\w-]*(?:password|passwd|pwd|token|secret|api[_-]?key))"
    r"(?P<sep>\s*[=:]\s*)(?P<quote>['\"]?)(?P<value>[^\s&,'\";]+)"
)
_BEARER = re.compile(r"(?i)\b(?P<kind>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")

_known: tuple[str, ...] = ()
"""Secret values registered from settings, longest first (a value containing another is masked
whole); replaced wherever they appear. Sorted once here, not on every log line."""


def _userinfo(match: re.Match[str]) -> str:
    scheme, user, password = match["scheme"], match["user"], match["password"]
    if password is not None:
        return f"{scheme}{user}:{MASK}@"
    if user and scheme.split(":", 1)[0].lower() in _TOKEN_SCHEMES:
        return f"{scheme}{MASK}@"
    return match[0]


def redact_url(url: str) -> str:
    """``url`` (or comma-separated URLs) with any password, or NATS token, replaced by ``***``.

    >>> redact_url("postgresql://asr:hunter2@db:5432/asr")
    'postgresql://asr:***@db:5432/asr'
    >>> redact_url("nats://s3cr3t@nats:4222,nats://a:b@n2")
    'nats://***@nats:4222,nats://a:***@n2'
    """
    return _URL_USERINFO.sub(_userinfo, url)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every recognisable secret replaced by ``***``: URL passwords, key=value
    credentials, bearer tokens, and the registered (and given) secret values."""
    values = _known if not secrets else _longest_first((*_known, *secrets))
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    text = _URL_USERINFO.sub(_userinfo, text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{m['quote']}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m['kind']} {MASK}", text)


def _longest_first(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}, key=len, reverse=True))


def reveal(value: Any) -> Any:
    """The plain value of a secret setting (``SecretStr``/``SecretUrl``); other values as given.

    Lets code accept either a settings object's secret or a plain string (tests, overrides)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value


class SecretUrl(SecretStr):
    """A URL that may carry a password: shown with the password masked (not wholly hidden, so
    logs and ``asr-service config`` still say which server), revealed by ``get_secret_value``."""

    def _display(self) -> str:
        return redact_url(self.get_secret_value())


def secret_values(model: BaseModel) -> list[str]:
    """Every secret inside a settings object: ``SecretStr`` values (nested models too) and the
    passwords/tokens inside ``SecretUrl`` values."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        if isinstance(value, BaseModel):
            found += secret_values(value)
        elif isinstance(value, SecretUrl):
            for match in _URL_USERINFO.finditer(value.get_secret_value()):
                if match["password"]:
                    found.append(match["password"])
                elif match["user"] and _userinfo(match) != match[0]:
                    found.append(match["user"])
        elif isinstance(value, SecretStr) and value.get_secret_value():
            found.append(value.get_secret_value())
    return found


def register_secrets(settings: BaseModel) -> None:
    """Remember the secret values of ``settings`` so that :func:`redact` hides them anywhere
    (a password echoed back inside a library's error message, for instance). Values shorter than
    4 characters are not registered: masking them would garble ordinary text."""
    global _known
    _known = _longest_first((*_known, *(v for v in secret_values(settings) if len(v) >= 4)))


def settings_lines(settings: BaseModel, prefix: str = "ASR_") -> list[str]:
    """``ASR_NAME=value`` lines of every setting, secrets masked (``asr-service config``)."""
    lines: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        key = f"{prefix}{name.upper()}"
        if isinstance(value, BaseModel):
            lines += settings_lines(value, f"{key}_")
            continue
        if isinstance(value, SecretUrl):
            shown: Any = str(value)
        elif isinstance(value, SecretStr):
            shown = MASK if value.get_secret_value() else ""
        else:
            shown = value
        lines.append(redact(f"{key}={'' if shown is None else shown}"))
    return lines
