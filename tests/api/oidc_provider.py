"""A real OpenID Connect provider for the tests: panva/oidc-provider on Node (tests/oidc/).

:func:`provider_install` installs the npm package pinned by ``tests/oidc/package-lock.json``
(integrity hashes checked by ``npm ci``) once into ``~/.cache/asr-service/test-oidc-provider/<lock
hash>``; tests are skipped, with the reason, when Node or npm is missing or the registry cannot be
reached. :func:`start_provider` runs ``tests/oidc/provider.mjs`` on a free loopback port with the
accounts below; :func:`provider_sign_in` plays the user's part on the provider's pages over HTTP
(login form, consent form) and returns the URL the provider sends the browser back to.

Accounts (login → claims): ``alice`` and ``admin`` belong to the town hall (SIRET
21690123100019 → tenant ``mairie``), ``bob`` to the prefecture (11000000000000 → ``prefecture``),
``eve`` to an organisation this service does not know (refused).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "asr-service"
CLIENT_SECRET = "secret-de-test-du-client-oidc"
SIRET_MAIRIE = "21690123100019"
SIRET_PREFECTURE = "11000000000000"
ACCOUNTS = {
    "alice": {"email": "alice.martin@mairie.fr", "given_name": "Alice", "usual_name": "Martin",
              "siret": SIRET_MAIRIE, "groups": ["greffe"]},
    "admin": {"email": "dsi@mairie.fr", "given_name": "Paul", "usual_name": "Durand",
              "siret": SIRET_MAIRIE, "groups": ["greffe", "asr-admins"]},
    "bob": {"email": "bob@prefecture.gouv.fr", "given_name": "Bob", "usual_name": "Petit",
            "siret": SIRET_PREFECTURE, "groups": ["greffe"]},
    "eve": {"email": "eve@ailleurs.fr", "given_name": "Eve", "usual_name": "Inconnue",
            "siret": "99999999999999", "groups": []},
}  # fmt: skip
TENANTS = {SIRET_MAIRIE: "mairie", SIRET_PREFECTURE: "prefecture"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def provider_install() -> Path:
    """The folder where ``provider.mjs`` runs with ``oidc-provider`` installed (cached)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the OpenID Connect provider test needs Node.js and npm (apt-get install npm)")
    lock = (OIDC_DIR / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = cache / "asr-service" / "test-oidc-provider" / hashlib.sha256(lock).hexdigest()[:16]
    if not (target / "node_modules" / "oidc-provider" / "package.json").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(OIDC_DIR / name, target / name)
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            pytest.skip(
                f"npm ci of tests/oidc failed (registry unreachable?): {result.stderr[-500:]}"
            )
    shutil.copy(OIDC_DIR / "provider.mjs", target / "provider.mjs")
    return target


@dataclass
class Provider:
    """A running provider: its issuer URL and the log of its process."""

    issuer: str
    process: subprocess.Popen[str]


@contextmanager
def start_provider(folder: Path, redirect_uris: list[str], tmp: Path) -> Iterator[Provider]:
    """Run the provider until the block ends; registered client ``CLIENT_ID``."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    config = tmp / "oidc-provider.json"
    config.write_text(
        json.dumps(
            {
                "issuer": issuer,
                "port": port,
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": redirect_uris,
                        # where the provider's logout may send the browser back: the sign-in page
                        "post_logout_redirect_uris": [
                            uri.replace("/connexion/oidc/retour", "/connexion")
                            for uri in redirect_uris
                        ],
                    }
                ],
                "accounts": ACCOUNTS,
            }
        )
    )
    log = (tmp / "oidc-provider.log").open("w")
    process = subprocess.Popen(
        ["node", "provider.mjs", str(config)], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(
                    f"{issuer}/.well-known/openid-configuration", timeout=1
                ).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(
                        "oidc-provider did not start: " + (tmp / "oidc-provider.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield Provider(issuer=issuer, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _form(html: str, base: str) -> tuple[str, dict[str, str]]:
    """The action URL and hidden inputs of the first form of a page."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, html[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return urljoin(base, unescape(action.group(1))), fields


def provider_sign_in(authorization_url: str, login: str, until: str) -> str:
    """Play the user on the provider: log in as ``login``, consent; return the first redirect
    whose URL starts with ``until`` (the service's callback) without following it."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        url, method, data = authorization_url, "GET", None
        for _ in range(20):
            response = browser.request(method, url, data=data)
            if response.is_redirect:
                url, method, data = urljoin(url, response.headers["location"]), "GET", None
                if url.startswith(until):
                    return url
                continue
            assert response.status_code == 200, (response.status_code, response.text[:500])
            action, fields = _form(response.text, url)
            if fields.get("prompt") == "login":
                fields |= {"login": login, "password": "mot-de-passe"}
            url, method, data = action, "POST", fields
        raise AssertionError("the provider never sent the browser back")
