"""The minutes step with the real embedded model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, llama.cpp).

LLM calls are slow on a small CPU, so the model is loaded once per session and each real run is
shared by several assertions (session fixtures): one short council excerpt in-process, and one run of
the command line under ``unshare -n`` (network cut) on a meeting without any decision.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asr_service.transcript import Transcript
from summarizer import (
    EMPTY_NOTICE,
    Minutes,
    load_transcript,
    render_markdown,
    summarize,
)
from summarizer.backends import LLMBackend, backend_from_settings

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
REPO = HERE.parents[1]
EXCERPT = HERE / "data" / "conseil_extrait.txt"  # one decision, one action, one idea
NO_DECISION = HERE / "data" / "sans_decision.txt"


@pytest.fixture(scope="session")
def llm() -> LLMBackend:
    """The embedded model, assembled from its PyPI parts and loaded once."""
    return backend_from_settings()


@pytest.fixture(scope="session")
def served_model_url() -> str:
    """The embedded GGUF served by llama.cpp's OpenAI-compatible HTTP server on a free port
    (``python -m summarizer.serve``, here in-process), for the ``openai`` backend path."""
    from summarizer.serve import model_path, start_server
    from summarizer.settings import LLMSettings

    server, url = start_server(model_path(LLMSettings()), port=0, n_ctx=4096)
    yield url
    del server


@pytest.fixture(scope="session")
def council_minutes(llm: LLMBackend) -> tuple[Transcript, Minutes]:
    transcript = load_transcript(EXCERPT)
    return transcript, summarize(transcript, backend=llm)


@pytest.fixture(scope="session")
def offline_cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m summarizer`` on the no-decision meeting, network namespace cut when root."""
    out = tmp_path_factory.mktemp("minutes-offline")
    cmd = [sys.executable, "-m", "summarizer", str(NO_DECISION), "--out", str(out), "--quiet"]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = ["unshare", "-n", *cmd]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_PROXY": "*"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_minutes_validate_and_cite_existing_segments(council_minutes):
    transcript, minutes = council_minutes
    again = Minutes.model_validate_json(minutes.model_dump_json())
    assert again == minutes
    assert minutes.status == "ok"
    assert minutes.decisions, "the budget is adopted"
    assert minutes.actions, "the budget must be sent to the prefecture"
    assert not any("solaire" in d.text.lower() for d in minutes.decisions), "only an idea"
    existing = {s.id: s for s in transcript.segments}
    assert minutes.cited_segment_ids() <= set(existing)
    for item in [*minutes.decisions, *minutes.actions]:
        for ref in item.sources:
            assert ref.start == existing[ref.segment_id].start
            assert ref.text == existing[ref.segment_id].text.strip()


def test_verified_owners_and_dates_are_said_in_the_transcript(council_minutes):
    transcript, minutes = council_minutes
    speakers = {sp.display for sp in transcript.speakers}
    spoken = transcript.text.lower()
    for action in minutes.actions:
        if action.owner:
            assert action.owner in speakers or action.owner.lower() in spoken
        if action.due:
            words = [w for w in action.due.lower().replace("'", " ").split() if w.isalnum()]
            assert all(w in spoken for w in words), action.due


def test_markdown_is_rendered_from_the_minutes(council_minutes):
    _, minutes = council_minutes
    md = render_markdown(minutes)
    assert md.startswith(f"# {minutes.title}")
    assert "## Relevé de décisions" in md and "## Actions" in md
    for decision in minutes.decisions:
        assert decision.text.replace("|", "\\|") in md


def test_openai_backend_writes_minutes_through_a_real_local_server(served_model_url):
    """The same pipeline through HTTP: a real llama.cpp server, the ``openai`` backend."""
    from summarizer import OpenAIBackend

    backend = OpenAIBackend(served_model_url, "local-gguf", context_tokens=4096, timeout_s=600)
    transcript = load_transcript(EXCERPT)
    minutes = summarize(transcript, backend=backend, steps=("decisions", "actions"))
    assert minutes.generation.backend == "openai:local-gguf"
    assert minutes.generation.llm_calls > 0 and "failed_steps" not in minutes.generation.extra
    assert minutes.decisions, "the excerpt adopts the budget"
    assert not any("solaire" in d.text.lower() for d in minutes.decisions), "only an idea"
    assert minutes.cited_segment_ids() <= {s.id for s in transcript.segments}


def test_empty_transcript_needs_no_llm(llm):
    minutes = summarize(Transcript(), backend=llm)
    assert minutes.status == "empty"
    assert minutes.notice == EMPTY_NOTICE
    assert minutes.generation.llm_calls == 0


def test_meeting_without_decision_yields_none_offline(offline_cli_run):
    data = json.loads((offline_cli_run / "minutes.json").read_text(encoding="utf-8"))
    minutes = Minutes.model_validate(data)
    assert minutes.status == "ok"
    assert minutes.decisions == []
    markdown = (offline_cli_run / "minutes.md").read_text(encoding="utf-8")
    assert "Aucune décision" in markdown
    # no phantom proposal copied from the prompts ("Rédiger la note", issue 18)
    assert "Rédiger la note" not in markdown
    assert all(u.segment_ids for u in minutes.to_check)
