"""Speech recognition: faster-whisper (CTranslate2) behind VAD and hallucination guards.

:class:`Transcriber` loads one Whisper model (the embedded base by default, or any CTranslate2
Whisper folder an operator points at) and turns 16 kHz audio into a :class:`Transcript`. It knows
nothing of NATS, HTTP or storage.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from asr_service.audio import SAMPLE_RATE
from asr_service.config import Settings
from asr_service.hallucinations import clean_segments
from asr_service.languages import AUTO, normalize_language
from asr_service.transcript import Segment, Transcript, Word
from models import ModelError, ModelStore
from models.catalogue import list_specs

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, float], None]
REQUIRED_FILES = ("model.bin", "config.json")


def resolve_model_path(settings: Settings, store: ModelStore) -> tuple[str, Path]:
    """(name, folder) of the Whisper model the settings ask for; never downloads."""
    asr_names = [s.name for s in list_specs() if s.kind == "asr"]
    if settings.model in asr_names:
        return settings.model, store.ensure(settings.model)
    path = Path(settings.model).expanduser()
    if path.is_dir():
        missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
        if missing:
            raise ModelError(
                f"{path} is not a CTranslate2 Whisper model folder (missing {', '.join(missing)}). "
                "Fix: convert it with `ct2-transformers-converter --model <hf-folder> --output_dir "
                f"{path} --copy_files tokenizer.json preprocessor_config.json`"
            )
        return path.name, path
    raise ModelError(
        f"ASR model {settings.model!r} is neither a catalogue model ({', '.join(asr_names)}) nor a "
        "folder. Fix: set ASR_MODEL to 'whisper-base' or to the path of a CTranslate2 Whisper folder."
    )


def choose_device(device: str, compute_type: str) -> tuple[str, str]:
    """CUDA with float16 when a GPU is visible, CPU with int8 otherwise; explicit values win."""
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


FRAMES_PER_SECOND = 100
"""Mel frames per second of audio (Whisper's 10 ms hop)."""
WHISPER_WINDOW_S = 30.0
LIVE_WINDOW_MARGIN_S = 5.0
"""Trailing padding a short encoder window keeps after the audio (measured with ≥ 4.85 s)."""


class WindowedWhisperModel(WhisperModel):
    """A ``WhisperModel`` whose encoder can run on a window shorter than Whisper's 30 s.

    faster-whisper pads every input to 30 s before the encoder, so a 2 s utterance costs the
    encoder as much as 30 s of speech, and the encoder's cost grows faster than linearly with the
    window (base int8, 2 cores: 1.06 s for 30 s, 0.30 s for 15 s, 0.13 s for 9 s). Live decodes
    are short, so within :meth:`encoder_window` the padded features are cut to the window before
    encoding. Whisper was trained on 30 s windows: cutting the padding to nothing breaks it
    (loops), but the audio plus 5 s of padding keeps WER level on French utterances
    (``benchmarks/bench_live_window.py``). Outside the context manager (file transcription, the
    final pass) nothing changes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._window = threading.local()

    @contextlib.contextmanager
    def encoder_window(self, seconds: float | None) -> Iterator[None]:
        """Encode on ``seconds`` of window in this thread (``None`` or ≥ 30: the full window)."""
        frames = None
        if seconds and seconds < WHISPER_WINDOW_S:
            frames = int(seconds * FRAMES_PER_SECOND)
            frames += frames % 2  # the encoder's convolution halves the frame count
        previous = getattr(self._window, "frames", None)
        self._window.frames = frames
        try:
            yield
        finally:
            self._window.frames = previous

    def encode(self, features: np.ndarray) -> Any:
        frames = getattr(self._window, "frames", None)
        if frames is not None and features.shape[-1] > frames:
            features = np.ascontiguousarray(features[..., :frames])
        return super().encode(features)


def live_window_s(
    audio_s: float, max_window_s: float, margin_s: float = LIVE_WINDOW_MARGIN_S
) -> float | None:
    """The encoder window for a live decode of ``audio_s`` seconds: the audio plus ``margin_s``
    of trailing padding (Whisper needs some to see the audio end), rounded up to whole seconds,
    when that fits in ``max_window_s``; else ``None`` (the full 30 s window). ``max_window_s`` 0
    disables short windows."""
    if max_window_s <= 0 or audio_s + margin_s > max_window_s:
        return None
    return float(min(max_window_s, math.ceil(audio_s + margin_s)))


class Transcriber:
    """One loaded Whisper model plus the settings that govern decoding and guards."""

    def __init__(self, settings: Settings, store: ModelStore | None = None) -> None:
        self.settings = settings
        store = store or ModelStore(settings.models_dir, settings.model_paths)
        self.model_name, self.model_path = resolve_model_path(settings, store)
        self.device, self.compute_type = choose_device(settings.device, settings.compute_type)
        # CTranslate2 seeds each decoding thread's generator once, when it first samples: set the
        # seed before the model's threads exist, or the fallback sampling is seeded at random.
        ctranslate2.set_random_seed(settings.sampling_seed)
        self.model = self._load(workers=1)
        # CTranslate2 models are thread-safe for concurrent calls, but one whole-file
        # transcription at a time keeps latency predictable on small CPUs.
        self.lock = threading.Lock()

    def _load(self, workers: int, threads: int | None = None) -> WindowedWhisperModel:
        return WindowedWhisperModel(
            str(self.model_path),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=threads or self.settings.resolved_cpu_threads,
            num_workers=workers,
            local_files_only=True,
        )

    @cached_property
    def live_model(self) -> WindowedWhisperModel:
        """The model of live decodes, loaded on first use (workers only): ``model_workers``
        replicas of ``live_cpu_threads`` threads each that decode side by side, separate from
        :attr:`model` so that a whole-file pass (an end-of-meeting pass) never makes live decodes
        wait. Live decodes are greedy (no sampling), so which replica runs one does not change
        its result; :attr:`model` keeps one replica because its temperature fallback samples,
        and one replica's seeded generator keeps transcripts reproducible."""
        return self._load(
            workers=self.settings.model_workers, threads=self.settings.resolved_live_cpu_threads
        )

    @property
    def info(self) -> dict[str, Any]:
        """What produced a transcript: stored with it so results can be reproduced."""
        return {
            "name": self.model_name,
            "path": str(self.model_path),
            "device": self.device,
            "compute_type": self.compute_type,
        }

    def vad_options(self) -> VadOptions:
        s = self.settings
        return VadOptions(
            threshold=s.vad_threshold,
            min_silence_duration_ms=s.vad_min_silence_ms,
            speech_pad_ms=s.vad_speech_pad_ms,
        )

    def vad_regions(self, audio: np.ndarray) -> list[tuple[float, float]]:
        """Speech regions (seconds) found by Silero VAD."""
        chunks = get_speech_timestamps(audio, self.vad_options(), sampling_rate=SAMPLE_RATE)
        return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """Most probable language of the speech in ``audio`` among ``settings.detect_among``."""
        _, _, probs = self.model.detect_language(
            audio, vad_filter=self.settings.vad, vad_parameters=self.vad_options()
        )
        allowed = set(self.settings.detect_among)
        ranked = [(code, p) for code, p in probs if not allowed or code in allowed] or probs
        total = sum(p for _, p in ranked) or 1.0
        code, p = max(ranked, key=lambda cp: cp[1])
        return code, p / total

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        vocabulary: Sequence[str] | None = None,
        beam_size: int | None = None,
        offset: float = 0.0,
        vad: bool | None = None,
        word_timestamps: bool | None = None,
        progress: ProgressFn | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 ``audio``; times are shifted by ``offset`` seconds."""
        s = self.settings
        lang = language if language is not None else s.language
        lang_arg: str | None = normalize_language(lang)
        if lang_arg == AUTO:
            lang_arg = None
        elif lang_arg not in self.model.supported_languages:
            log.warning("language %r unknown to the model: detecting it instead", lang)
            lang_arg = None
        vocab = list(vocabulary if vocabulary is not None else s.vocabulary)
        duration = len(audio) / SAMPLE_RATE
        use_vad = s.vad if vad is None else vad
        words_on = s.word_timestamps if word_timestamps is None else word_timestamps
        beam = beam_size or s.beam_size
        options = {
            "language": lang_arg,
            "beam_size": beam,
            "vad_filter": use_vad,
            "vad_parameters": self.vad_options() if use_vad else None,
            "word_timestamps": words_on,
            "condition_on_previous_text": s.condition_on_previous_text,
            "temperature": s.temperatures,
            "hotwords": ", ".join(vocab) if vocab else None,
            "initial_prompt": s.initial_prompt,
            "no_speech_threshold": s.no_speech_threshold,
            "log_prob_threshold": s.logprob_threshold,
            "compression_ratio_threshold": s.compression_ratio_threshold,
        }
        raw: list[Segment] = []
        language_probability = None
        detected = lang_arg or "fr"
        if duration > 0:
            with self.lock:
                if lang_arg is None:
                    options["language"], language_probability = self.detect_language(audio)
                segments, info = self.model.transcribe(audio, **options)
                detected = info.language
                if language_probability is None:
                    language_probability = info.language_probability
                for seg in segments:
                    raw.append(to_segment(seg, len(raw), offset))
                    if progress:
                        progress(min(seg.end, duration), duration)
        kept, removed = clean_segments(
            raw,
            phrases=s.hallucination_phrases,
            no_speech_threshold=s.no_speech_threshold,
            logprob_threshold=s.logprob_threshold,
            max_repeats=s.max_repeats,
            vocabulary=vocab,
        )
        if progress:
            progress(duration, duration)
        settings_used = {k: v for k, v in options.items() if k != "vad_parameters"}
        settings_used["vad_parameters"] = self.vad_options().__dict__ if use_vad else None
        settings_used["hallucinations_removed"] = removed
        return Transcript(
            language=detected,
            language_probability=language_probability,
            duration=offset + duration,
            segments=kept,
            model=self.info,
            settings=settings_used,
        )


def to_segment(seg: Any, index: int, offset: float) -> Segment:
    """A faster-whisper segment as our :class:`Segment`, shifted by ``offset`` seconds."""
    words = [
        Word(
            start=round(offset + w.start, 3),
            end=round(offset + w.end, 3),
            word=w.word,
            probability=round(w.probability, 4),
        )
        for w in (seg.words or [])
    ]
    return Segment(
        id=index,
        start=round(offset + seg.start, 3),
        end=round(offset + seg.end, 3),
        text=seg.text.strip(),
        words=words,
        avg_logprob=seg.avg_logprob,
        no_speech_prob=seg.no_speech_prob,
        compression_ratio=seg.compression_ratio,
    )
