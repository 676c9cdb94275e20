"""Attack suite, part 1: the cross-tenant matrix over every operation of the OpenAPI document.

Generated from ``app.openapi()``, so a route added later is attacked without editing this file.
Tenant B (``prefecture``) owns a finished meeting, an upload job and tokens; each of tenant A's
tokens (clerk, backend, admin) calls every operation with B's identifiers in the path (and a
valid body built from the schema's example, so the request reaches the route's tenant check).
Every answer must be 403/404 (or 401/422 for what never reached data); no 2xx on B's resources,
no B identifier in any answer, and B's records unchanged afterwards. Also: every non-public
operation without a token answers 401. Prints the counts (``-s``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness

PUBLIC = {"/healthz", "/readyz", "/metrics"}
B_MEETING = "pref-confidentiel"
B_TITLE = "Cellule de crise préfectorale"


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref``."""
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def sample(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value satisfying a simple JSON schema: its example, default, first enum value or const,
    else the plainest value of its type (objects: their required properties)."""
    schema = resolve(spec, schema)
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return sample(spec, schema[key][0])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {
            n: sample(spec, p) for n, p in schema.get("properties", {}).items() if n in required
        }
    plain = {"integer": 1, "number": 1.0, "boolean": True, "array": [], "string": "x"}
    return plain.get(kind, "x")


def example_body(spec: dict[str, Any], operation: dict[str, Any]) -> tuple[str, Any] | None:
    """(content type, a valid-looking body) for an operation's request body, or None."""
    body = operation.get("requestBody")
    if not body:
        return None
    content = body["content"]
    if "application/json" in content:
        schema = resolve(spec, content["application/json"].get("schema", {}))
        example = content["application/json"].get("example") or schema.get("example")
        if example is None:
            example = sample(spec, schema)
        return "application/json", example
    return next(iter(content)), None


def path_values(b: dict[str, str]) -> dict[str, str]:
    """A value of tenant B for each kind of path parameter (integers: B's token and numbers)."""
    return {
        "meeting_id": B_MEETING,
        "job_id": b["job_id"],
        "token_id": b["token_id"],
        "number": "1",
        "segment_id": "0",
    }


def fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, "1")  # an unknown parameter still gets a plausible value

    return re.sub(r"\{([^}]+)\}", one, path)


def seed_tenant_b(api: ApiHarness, wav_file: Path) -> dict[str, str]:
    api.seed_meeting("prefecture", B_MEETING, title=B_TITLE)
    upload = api.client.post(
        "/api/v1/recordings",
        files={"file": ("crise.wav", wav_file.read_bytes(), "audio/wav")},
        data={"meeting_id": "pref-upload", "title": B_TITLE},
        headers=api.auth("prefecture", "backend"),
    )
    assert upload.status_code == 202, upload.text
    api.services.jobs.wait(timeout=30)
    with api.services.db.session() as s:
        tokens = repo.list_api_tokens(s, "prefecture")
    return {"job_id": upload.json()["job"]["job_id"], "token_id": str(tokens[0].id)}


def b_markers(b: dict[str, str]) -> list[str]:
    return [B_MEETING, "pref-upload", B_TITLE, b["job_id"], "prefecture"]


def test_cross_tenant_matrix_over_every_operation(api: ApiHarness, wav_file: Path) -> None:
    b = seed_tenant_b(api, wav_file)
    spec = api.client.app.openapi()
    values = path_values(b)
    tried = server_errors = leaks = blocked = 0
    statuses: Counter[int] = Counter()
    findings: list[str] = []
    operations = [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path not in PUBLIC
    ]
    assert len(operations) >= 15  # the document really lists the API
    for role in ("clerk", "backend", "admin"):
        for method, path, op in operations:
            url = fill(path, values)
            kwargs: dict[str, Any] = {"headers": api.auth("mairie", role)}
            body = example_body(spec, op)
            if body is not None and body[0] == "application/json":
                kwargs["json"] = body[1]
            elif body is not None and path.endswith("/recordings"):
                kwargs["files"] = {"file": ("a.wav", wav_file.read_bytes(), "audio/wav")}
                kwargs["data"] = {"meeting_id": f"a-upload-{role}"}
            r = api.client.request(method, url, **kwargs)
            tried += 1
            statuses[r.status_code] += 1
            text = r.text
            if r.status_code >= 500:
                server_errors += 1
                findings.append(f"{role} {method} {url} -> {r.status_code}")
            sent = url + repr(kwargs.get("json")) + repr(kwargs.get("data"))
            leaked = [m for m in b_markers(b) if m in text and m not in sent]  # not an echo
            on_b_resource = "{" in path
            if leaked or (on_b_resource and 200 <= r.status_code < 300):
                leaks += 1
                findings.append(f"{role} {method} {url} -> {r.status_code} {leaked} {text[:200]}")
            elif r.status_code in (403, 404):
                blocked += 1
    api.services.jobs.wait(timeout=30)

    unauthenticated = 0
    for method, path, _op in operations:
        r = api.client.request(method, fill(path, values))
        unauthenticated += 1
        if r.status_code != 401:
            findings.append(f"no token: {method} {path} -> {r.status_code}")
    print(
        f"\ncross-tenant matrix: {len(operations)} operations x 3 roles = {tried} requests, "
        f"{blocked} answered 403/404, {server_errors} server errors, {leaks} cross-tenant leaks; "
        f"{unauthenticated} requests without a token; statuses {dict(sorted(statuses.items()))}"
    )
    assert findings == []

    # meeting IDs are per tenant: reusing B's ID is no conflict (a 409 would reveal it exists)
    same_id = api.client.post(
        "/api/v1/recordings",
        files={"file": ("a.wav", wav_file.read_bytes(), "audio/wav")},
        data={"meeting_id": B_MEETING},
        headers=api.auth("mairie", "backend"),
    )
    assert same_id.status_code == 202, same_id.text
    api.services.jobs.wait(timeout=30)
    deleted = api.client.delete(
        f"/api/v1/meetings/{B_MEETING}", headers=api.auth("mairie", "backend")
    )
    assert deleted.status_code == 200  # A's own meeting of that ID; B's stays (checked below)

    # B's records survived A's deletions and revocations
    with api.services.db.session() as s:
        assert repo.get_meeting(s, "prefecture", B_MEETING) is not None
        assert repo.get_transcript(s, "prefecture", B_MEETING) is not None
        assert all(t.revoked_at is None for t in repo.list_api_tokens(s, "prefecture"))
    own = api.client.get(f"/api/v1/meetings/{B_MEETING}", headers=api.auth("prefecture"))
    assert own.status_code == 200 and own.json()["title"] == B_TITLE
