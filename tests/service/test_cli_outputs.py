"""What the CLI writes and shows: ODT/DOCX/PDF from ``transcribe``, the same list options in
``transcribe`` and ``simulate``, the progress of ``models install`` (issue 14)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from asr_service.cli import _write_documents, app
from asr_service.cli_support import split_list
from benchmarks.sizing.command import bench_progress
from models import ModelStore
from models.catalogue import get_spec
from tests.api.conftest import sample_minutes, sample_transcript

runner = CliRunner()


def document_text(path: Path) -> str:
    """The visible text of a written document (enough to see it holds the transcript)."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        return ""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if path.suffix == ".odt":
            assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
            return archive.read("content.xml").decode()
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_transcribe_writes_the_formats_asked_for(tmp_path: Path, french_speech_path: Path):
    """Repeated and comma-separated --formats; only those files are written."""
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["transcribe", str(french_speech_path), "--out", str(out), "--no-diarize",
         "--formats", "txt", "--formats", "odt,docx,pdf"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stem = french_speech_path.stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{ext}" for ext in ("txt", "odt", "docx", "pdf")
    )
    words = (out / f"{stem}.txt").read_text().split("] ", 1)[1].split()[:3]
    for ext in ("odt", "docx"):
        text = document_text(out / f"{stem}.{ext}")
        assert " ".join(words) in " ".join(text.split()), (ext, words)
    document_text(out / f"{stem}.pdf")


def test_minutes_documents_are_written_beside_the_transcript(tmp_path: Path):
    """With minutes (here a stored sample, not an LLM run), each document format is written for
    the minutes too, as the API serves them."""
    result = SimpleNamespace(transcript=sample_transcript("m1"), minutes=sample_minutes("m1"))
    paths = _write_documents(result, tmp_path, "meeting", ["json", "docx", "pdf"], "Conseil")
    assert sorted(paths) == ["meeting.docx", "meeting.pdf", "minutes.docx", "minutes.pdf"]
    minutes_text = document_text(tmp_path / "minutes.docx")
    assert sample_minutes("m1").decisions[0].text.split()[0] in minutes_text


def test_list_options_are_the_same_in_transcribe_and_simulate():
    commands = get_command(app).commands  # type: ignore[attr-defined]
    for name in ("transcribe", "simulate"):
        (option,) = [p for p in commands[name].params if p.name == "vocabulary"]
        assert option.multiple and option.opts == ["--vocabulary"], name
    for name, option_name in (("transcribe", "formats"), ("simulate", "tracks")):
        (option,) = [p for p in commands[name].params if p.name == option_name]
        assert option.multiple, (name, option_name)
    assert split_list(["Mme Martin", "ZAC, PLU", " ", "SCoT"]) == [
        "Mme Martin",
        "ZAC",
        "PLU",
        "SCoT",
    ]


def test_models_install_reports_progress_per_step(tmp_path: Path):
    """The store reports each file's bytes joined, then hashed, up to its size."""
    calls: list[tuple[str, int, int]] = []
    spec = get_spec("silero-vad")
    ModelStore(tmp_path / "cache").install("silero-vad", lambda *c: calls.append(c))
    for fspec in spec.files:
        steps = {step for step, _, total in calls if step.startswith(fspec.name)}
        assert steps == {
            f"{fspec.name}: joining {len(fspec.parts)} part(s)",
            f"{fspec.name}: checking sha256",
        }
        for step in steps:
            done = [d for s, d, total in calls if s == step and total == fspec.size]
            assert done == sorted(done) and done[-1] == fspec.size


@pytest.mark.parametrize("name", ["silero-vad"])
def test_models_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str):
    monkeypatch.setenv("ASR_MODELS_DIR", str(tmp_path / "cache"))
    result = runner.invoke(app, ["models", "install", name])
    assert result.exit_code == 0, result.output
    assert f"installed {name}" in result.output
    assert (tmp_path / "cache" / name).is_dir()


def test_bench_progress_follows_the_harness_parts():
    """The harness's part markers drive the bar (an optional part grows the total); its other
    lines, and each part's end, are printed above the bar."""
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    with bench_progress(2, console) as say:
        say("[batch throughput] …")
        say("batch meeting-1 (36s audio): base 4.0s")
        say("[batch throughput] done in 40 s")
        say("[decoding across streams] …")  # not foreseen: the total grows to 3
        say("[decoding across streams] done in 12 s")
        say("[live capacity] …")
        say("[live capacity] done in 300 s")
    text = out.getvalue()
    for line in ("batch meeting-1 (36s audio): base 4.0s", "[live capacity] done in 300 s"):
        assert line in text
    assert "3/3 parts" in text and "[batch throughput] …" not in text
