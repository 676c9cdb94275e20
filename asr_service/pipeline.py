"""The file pipeline: audio → VAD → ASR → diarization → minutes, as one reusable object.

The CLI, the HTTP upload jobs and the end-of-meeting final pass all call :class:`Pipeline`, so a
recording is processed the same way whichever door it came through. Stages load their models
lazily and once per pipeline; optional stages (diarization, minutes) are skipped with a recorded
reason when their package or weights are not installed, never silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from asr_service.asr import Transcriber
from asr_service.audio import SAMPLE_RATE, decode_audio
from asr_service.config import Settings
from asr_service.formats import FORMATS, write_all
from asr_service.transcript import Transcript
from models import ModelError, ModelStore

log = logging.getLogger(__name__)

StageProgress = Callable[[str, float, float], None]


@dataclass
class PipelineOptions:
    """What the caller wants from one recording (per request; models come from Settings)."""

    language: str | None = None
    vocabulary: list[str] = field(default_factory=list)
    beam_size: int | None = None
    diarize: bool = True
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    participants: list[str] = field(default_factory=list)
    enrolment: dict[str, Path] = field(default_factory=dict)  # name -> clip of their voice
    minutes: bool = False
    title: str | None = None
    meeting_id: str | None = None


@dataclass
class PipelineResult:
    """A processed recording: transcript, optional minutes, and how long each stage took."""

    transcript: Transcript
    minutes: Any | None = None
    minutes_markdown: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def audio_duration(self) -> float:
        return self.transcript.duration

    def real_time_factor(self, stage: str | None = None) -> float:
        """Processing seconds per audio second (one stage, or all)."""
        spent = self.timings.get(stage, 0.0) if stage else sum(self.timings.values())
        return spent / self.audio_duration if self.audio_duration else 0.0


class StageUnavailable(RuntimeError):
    """An optional stage cannot run here (package or weights missing); the message says why."""


class Pipeline:
    """Models loaded once, reused for every recording processed through this object."""

    def __init__(
        self,
        settings: Settings,
        store: ModelStore | None = None,
        transcriber: Transcriber | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or ModelStore(settings.models_dir, settings.model_paths)
        self.diarization_note = "done"  # what the stages say when diarization ran
        if transcriber is not None:
            self.__dict__["transcriber"] = transcriber

    @cached_property
    def transcriber(self) -> Transcriber:
        return Transcriber(self.settings, self.store)

    @cached_property
    def diarizer(self) -> Any:
        try:
            from diarization import DiarizationOptions, Diarizer
        except ImportError as exc:
            raise StageUnavailable(f"diarization package not available ({exc})") from exc
        try:
            return Diarizer(self.store)
        except ModelError as exc:  # an ONNX export is missing or corrupt: says to install it
            try:  # without the segmentation export: one speaker at a time, said in the stages
                diarizer = Diarizer(self.store, options=DiarizationOptions(method="windows"))
            except ModelError:
                raise StageUnavailable(str(exc)) from exc
            log.warning("overlap-aware diarization unavailable, one speaker at a time: %s", exc)
            self.diarization_note = f"done without overlap detection: {exc}"
            return diarizer

    # -- stages --------------------------------------------------------------------------------
    def transcribe(
        self, audio: np.ndarray, options: PipelineOptions, progress: StageProgress | None = None
    ) -> Transcript:
        def report(done: float, total: float) -> None:
            if progress:
                progress("asr", done, total)

        return self.transcriber.transcribe(
            audio,
            language=options.language,
            vocabulary=options.vocabulary or None,
            beam_size=options.beam_size,
            progress=report,
        )

    def diarize(
        self, audio: np.ndarray, transcript: Transcript, options: PipelineOptions
    ) -> Transcript:
        try:
            from diarization import attribute_speakers
        except ImportError as exc:
            raise StageUnavailable(f"diarization package not available ({exc})") from exc
        result = self.diarizer.run(
            audio,
            num_speakers=options.num_speakers,
            min_speakers=options.min_speakers,
            max_speakers=options.max_speakers,
        )
        names: dict[str, str] = {}
        if options.enrolment:  # name clusters after the participants' enrolment clips
            clips = {name: decode_audio(path) for name, path in options.enrolment.items()}
            names = self.diarizer.identify(result, self.diarizer.voiceprints_of(clips))
        return attribute_speakers(transcript, result.turns, names=names)

    def summarize(self, transcript: Transcript, options: PipelineOptions) -> tuple[Any, str]:
        try:
            from summarizer import LLMError, render_markdown, summarize
        except ImportError as exc:
            raise StageUnavailable(f"summarizer package not available ({exc})") from exc
        try:
            minutes = summarize(transcript, title=options.title)
        except (LLMError, ModelError) as exc:  # keep the transcript; say why minutes are missing
            raise StageUnavailable(f"minutes: {exc}") from exc
        return minutes, render_markdown(minutes)

    # -- whole run -----------------------------------------------------------------------------
    def run(
        self,
        audio: np.ndarray,
        options: PipelineOptions | None = None,
        *,
        source: str | None = None,
        progress: StageProgress | None = None,
    ) -> PipelineResult:
        """Run every requested stage on 16 kHz mono audio."""
        options = options or PipelineOptions()
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        transcript = self.transcribe(audio, options, progress)
        timings["asr"] = time.perf_counter() - t0
        transcript.source = source
        transcript.meeting_id = options.meeting_id
        transcript.duration = len(audio) / SAMPLE_RATE
        stages: dict[str, str] = {}

        if options.diarize and transcript.segments:
            t0 = time.perf_counter()
            try:
                transcript = self.diarize(audio, transcript, options)
                stages["diarization"] = self.diarization_note
            except StageUnavailable as exc:
                log.warning("diarization skipped: %s", exc)
                stages["diarization"] = f"skipped: {exc}"
            timings["diarization"] = time.perf_counter() - t0
        result = PipelineResult(transcript=transcript, timings=timings)

        if options.minutes:
            t0 = time.perf_counter()
            try:
                result.minutes, result.minutes_markdown = self.summarize(transcript, options)
                stages["minutes"] = "done"
            except StageUnavailable as exc:
                log.warning("minutes skipped: %s", exc)
                stages["minutes"] = f"skipped: {exc}"
            timings["minutes"] = time.perf_counter() - t0
        transcript.settings["stages"] = stages
        return result

    def run_file(
        self,
        path: str | Path,
        options: PipelineOptions | None = None,
        *,
        progress: StageProgress | None = None,
    ) -> PipelineResult:
        """Decode a file (any format FFmpeg reads) and run the pipeline on it."""
        t0 = time.perf_counter()
        audio = decode_audio(path)
        decode_s = time.perf_counter() - t0
        result = self.run(audio, options, source=Path(path).name, progress=progress)
        result.timings = {"decode": decode_s, **result.timings}
        return result


def write_outputs(
    result: PipelineResult, out_dir: Path, stem: str, formats: tuple[str, ...] = FORMATS
) -> dict[str, Path]:
    """Write transcript files and, when present, ``minutes.json`` and ``minutes.md``."""
    paths = write_all(result.transcript, out_dir, stem, formats)
    if result.minutes is not None:
        minutes_json = out_dir / "minutes.json"
        minutes_json.write_text(result.minutes.model_dump_json(indent=2), encoding="utf-8")
        paths["minutes.json"] = minutes_json
    if result.minutes_markdown is not None:
        minutes_md = out_dir / "minutes.md"
        minutes_md.write_text(result.minutes_markdown, encoding="utf-8")
        paths["minutes.md"] = minutes_md
    return paths


def process_file(
    path: str | Path,
    settings: Settings | None = None,
    options: PipelineOptions | None = None,
    *,
    progress: StageProgress | None = None,
) -> PipelineResult:
    """One-shot convenience: build a pipeline and process one file."""
    return Pipeline(settings or Settings()).run_file(path, options, progress=progress)
