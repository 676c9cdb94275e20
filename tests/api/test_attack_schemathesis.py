"""Attack suite, part 2: property-based requests from the OpenAPI document (schemathesis).

Every operation of ``app.openapi()`` gets generated requests (path, query, headers, bodies:
valid and invalid ones, unicode...), sent with an admin token of tenant ``mairie`` to the real app
on SQLite, seeded with a meeting; no answer may be a server error (5xx). Bounded: Hypothesis
generates at most ``MAX_EXAMPLES_TOTAL`` (200) examples per generation mode in all, spread over the
operations; schemathesis adds its deterministic coverage cases (each parameter's boundaries:
huge integers, extreme dates, empty and over-long strings), about 1,000 requests and one minute
on 2 cores in all. Prints the counts (``-s``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from asr_service.api import create_app
from asr_service.config import Settings
from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import sample_minutes, sample_transcript

MAX_EXAMPLES_TOTAL = 200
SKIPPED = {"/api/v1/recordings"}  # multipart streaming: covered by tests/api/test_recordings.py

_folder = Path(tempfile.mkdtemp(prefix="asr-schemathesis-"))
_db = Database(f"sqlite:///{_folder / 'asr.db'}")
_db.migrate()
APP = create_app(
    Settings(
        data_dir=_folder / "data",
        api_job_workers=0,
        auth_failure_rate_limit="100000/minute",  # generated requests may carry bad credentials
        sign_in_rate_limit="100000/minute",
    ),
    db=_db,
    model_check=lambda: (True, "attack suite"),
    run_retention=False,
)
with _db.session() as _s:
    _, ADMIN = repo.create_api_token(_s, "mairie", "admin")
    repo.create_meeting(_s, "mairie", "cm-1", title="Conseil", source="live", status="live")
    repo.save_transcript(_s, "mairie", "cm-1", "final", sample_transcript("cm-1"))
    repo.save_minutes(_s, "mairie", "cm-1", sample_minutes("cm-1").model_dump(mode="json"), "")
    repo.set_meeting_status(_s, "mairie", "cm-1", "done")

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = [op.ok() for op in schema.get_all_operations() if op.ok().path not in SKIPPED]
PER_OPERATION = max(1, MAX_EXAMPLES_TOTAL // len(OPERATIONS))
COUNTS: Counter[str] = Counter()
SERVER_ERRORS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def report() -> None:
    yield
    print(
        f"\nschemathesis: {len(OPERATIONS)} operations, {COUNTS['requests']} requests "
        f"(at most {PER_OPERATION} generated per operation), {len(SERVER_ERRORS)} server errors; "
        f"statuses {dict(sorted((k, v) for k, v in COUNTS.items() if k != 'requests'))}"
    )
    for line in SERVER_ERRORS:
        print("  5xx:", line)
    _db.dispose()
    shutil.rmtree(_folder, ignore_errors=True)


@schema.exclude(path_regex="^/api/v1/recordings$").parametrize()
@settings(
    max_examples=PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_on_generated_requests(case: schemathesis.Case) -> None:
    COUNTS["requests"] += 1
    try:
        response = case.call(headers={"Authorization": f"Bearer {ADMIN}"})
    except Exception as exc:  # an unhandled exception in the app: what a client sees as a 500
        SERVER_ERRORS.append(f"{case.method} {case.formatted_path} -> {exc.__class__.__name__}")
        COUNTS["500"] += 1
        raise
    COUNTS[str(response.status_code)] += 1
    if response.status_code >= 500:
        SERVER_ERRORS.append(
            f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.200} -> "
            f"{response.status_code} {response.text[:200]}"
        )
    assert response.status_code < 500, SERVER_ERRORS[-1]
