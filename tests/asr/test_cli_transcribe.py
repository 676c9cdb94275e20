"""`asr-service transcribe` as a user runs it: files out, clear errors, no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import srt
from typer.testing import CliRunner

from asr_service.cli import app
from asr_service.hallucinations import normalise
from tests.conftest import SAMPLE_KEYWORDS

runner = CliRunner()


def _cli(
    *args: str, env: dict | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    cmd = [*prefix, sys.executable, "-m", "asr_service.cli", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600
    )


def test_cli_writes_four_transcript_files(tmp_path: Path, french_speech_path: Path):
    result = runner.invoke(
        app, ["transcribe", str(french_speech_path), "--out", str(tmp_path), "--no-diarize"]
    )
    assert result.exit_code == 0, result.output
    stem = french_speech_path.stem
    for ext in ("json", "txt", "srt", "vtt"):
        assert (tmp_path / f"{stem}.{ext}").stat().st_size > 0
    data = json.loads((tmp_path / f"{stem}.json").read_text())
    assert data["language"] == "fr" and data["model"]["name"] == "whisper-base"
    assert data["settings"]["beam_size"] == 5 and data["segments"][0]["words"]
    cues = list(srt.parse((tmp_path / f"{stem}.srt").read_text()))
    assert len(cues) == len(data["segments"])


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"not audio at all\n" * 50, "not a readable audio")],
    ids=["empty", "non-audio"],
)
def test_cli_bad_input_exits_non_zero_with_a_clear_message(tmp_path: Path, content, message):
    bad = tmp_path / "meeting.wav"
    bad.write_bytes(content)
    result = runner.invoke(app, ["transcribe", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3  # ExitCode.BAD_INPUT (2 is a usage error)
    assert message in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root unshare"
)
def test_cli_runs_with_the_network_cut(tmp_path: Path, french_speech_path: Path):
    """The whole run in a network namespace with no interfaces up: nothing may reach out."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n not permitted here: {probe.stderr!r}")
    proc = _cli(
        "transcribe",
        str(french_speech_path),
        "--out",
        str(tmp_path),
        "--formats",
        "json,txt",
        prefix=("unshare", "-n"),
    )
    assert proc.returncode == 0, proc.stderr
    text = normalise((tmp_path / f"{french_speech_path.stem}.txt").read_text())
    # Whisper base falls back to sampling on parts of the synthetic sample, so which of its
    # reliable words come out varies from run to run; two of them show the run transcribed it.
    found = [k for k in SAMPLE_KEYWORDS if k in text]
    assert len(found) >= 2, text
