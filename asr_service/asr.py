"""Speech recognition: faster-whisper (CTranslate2) behind VAD and hallucination guards.

:class:`Transcriber` loads one Whisper model (the embedded base by default, or any CTranslate2
Whisper folder an operator points at) and turns 16 kHz audio into a :class:`Transcript`. It knows
nothing of NATS, HTTP or storage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import restore_speech_timestamps
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from asr_service.audio import SAMPLE_RATE
from asr_service.config import Settings
from asr_service.hallucinations import (
    clean_segments,
    dropped_words,
    is_silence_hallucination,
    without_repeated_context,
)
from asr_service.languages import AUTO, normalize_language
from asr_service.speech import (
    level_for_vad,
    padded_clips,
    rejected_with_energy,
    uncovered_speech,
)
from asr_service.transcript import DroppedSpan, Segment, Transcript, Word
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
TOKENS_PER_S = 20
"""Most tokens a file decode may generate per second of a window's audio, timestamps included.

Whisper sometimes loops on the last seconds of a window ("… … …", "de la fin de la fin…"), more
so when primed with hotwords, and each decode of a loop runs to the 224-token limit; the
compression-ratio fallback then decodes the window again at every temperature. On the tuning
material (French dev clips and tuning meetings, 100 window decodes) speech made at most 12.2
tokens per second (fast spontaneous French, 77 tokens in 6.3 s; the live pass measured about 14),
loops 27-160; 20 per second plus :data:`WINDOW_TOKEN_SLACK` (the live pass's rule) cuts a loop
in a 1.4 s window at 44 tokens instead of 224."""
WINDOW_TOKEN_SLACK = 16
"""Tokens a window may always generate on top of :data:`TOKENS_PER_S` (a short window's
timestamps and end of text)."""


def window_token_cap(audio_s: float, tokens_per_s: float = TOKENS_PER_S) -> int:
    """Most tokens a decode of a window holding ``audio_s`` seconds of audio may generate (file
    and live passes alike)."""
    return WINDOW_TOKEN_SLACK + int(tokens_per_s * audio_s)


def generation_max_length(cap: int, prompt_len: int, model_max: int = 448) -> int:
    """The ``max_length`` that lets CTranslate2's Whisper ``generate`` write ``cap`` tokens
    after a prompt of ``prompt_len``: it writes at most min(max_length / 2, max_length -
    prompt_len + 1) (measured with Whisper base after a 4-token prompt: 20 tokens for 40, 52 for
    104), so prompt + cap alone would halve a short prompt's cap. Bounded by the model's 448."""
    return min(max(2 * cap, cap + prompt_len - 1), model_max)


def content_frames(features: np.ndarray) -> int:
    """Frames of log-Mel ``features`` before the padding faster-whisper appends to a window
    shorter than 30 s (``pad_or_trim`` pads with 0.0 in every Mel bin, a frame the feature
    extractor never makes: its values are 0 only where the log-Mel is exactly -4, and its floor
    is 8 below the recording's loudest bin)."""
    if features.shape[-1] == 0:
        return 0
    frames = features.reshape(-1, features.shape[-1])
    used = np.flatnonzero(np.any(frames != 0, axis=0))
    return int(used[-1]) + 1 if used.size else 0


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

    Two limits on faster-whisper's decode of a window with temperature fallback
    (:meth:`generate_with_fallback`), which otherwise let a loop cost a file decode several
    times its time (the 36 s sample with a five-term vocabulary, on CTranslate2's generic CPU
    kernels where Whisper base loops on it: 58-62 s instead of 9-11 s without the vocabulary;
    14-15 s with both limits):

    - with ``tokens_per_s`` set, each decode of a window (every temperature) generates at most
      :func:`window_token_cap` tokens for the audio the window holds: a repetition loop stops
      there instead of at Whisper's 224-token limit. faster-whisper resumes at the cut decode's
      last complete segment, so speech over the cap is decoded in the next window, not lost; a
      cut decode is logged, and its text goes through the guards (a loop's repeats end up in the
      transcript's ``dropped`` list, as before);
    - hotwords prime the first temperature only: when that decode fails Whisper's checks (a
      loop or a low log-probability), the hotter ones decode on the plain prompt, as the live
      pass retries a failed decode without its vocabulary. Whisper primed with a term list
      loops where the plain prompt does not; the better decode of the two is kept when both
      fail.
    """

    def __init__(self, *args: Any, tokens_per_s: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens_per_s = tokens_per_s
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
        audio_s = content_frames(features) / FRAMES_PER_SECOND
        frames = getattr(self._window, "frames", None)
        if frames is not None and features.shape[-1] > frames:
            features = np.ascontiguousarray(features[..., :frames])
        encoded = super().encode(features)
        # the window generate_with_fallback decodes next is this one (the same object)
        self._window.encoded = (encoded, audio_s)
        return encoded

    def generate_with_fallback(
        self, encoder_output: Any, prompt: list[int], tokenizer: Any, options: Any
    ) -> Any:
        last = getattr(self._window, "encoded", None)
        audio_s = last[1] if last is not None and last[0] is encoder_output else None
        plain = _without_hotwords(prompt, tokenizer, options.hotwords, self.max_length)
        if plain is None or len(options.temperatures) < 2:
            return self._generate(encoder_output, prompt, tokenizer, options, audio_s)
        first = self._generate(
            encoder_output,
            prompt,
            tokenizer,
            dataclasses.replace(options, temperatures=options.temperatures[:1]),
            audio_s,
        )
        if not _needs_fallback(first, options):
            return first
        log.debug("window of %s s: decode with hotwords failed, falling back without", audio_s)
        second = self._generate(
            encoder_output,
            plain,
            tokenizer,
            dataclasses.replace(options, temperatures=options.temperatures[1:]),
            audio_s,
        )
        if not _needs_fallback(second, options):
            return second
        # both failed: faster-whisper's choice among failed decodes, a non-loop first, then
        # the highest log-probability, reported at the last temperature tried
        threshold = options.compression_ratio_threshold
        both = [first, second]
        candidates = [d for d in both if threshold is None or d[3] <= threshold] or both
        best = max(candidates, key=lambda d: d[1])
        return best[0], best[1], second[2], best[3]

    def _generate(
        self,
        encoder_output: Any,
        prompt: list[int],
        tokenizer: Any,
        options: Any,
        audio_s: float | None,
    ) -> Any:
        """faster-whisper's decode with temperature fallback, each decode capped at
        :func:`window_token_cap` tokens for the window's ``audio_s`` seconds (when known)."""
        if not self.tokens_per_s or audio_s is None:
            return super().generate_with_fallback(encoder_output, prompt, tokenizer, options)
        cap = window_token_cap(audio_s, self.tokens_per_s)
        # faster-whisper's max_length is the prompt plus max_new_tokens
        max_length = generation_max_length(cap, len(prompt), self.max_length)
        new_tokens = max_length - len(prompt)
        if new_tokens <= 0 or (
            options.max_new_tokens is not None and options.max_new_tokens <= new_tokens
        ):
            return super().generate_with_fallback(encoder_output, prompt, tokenizer, options)
        options = dataclasses.replace(options, max_new_tokens=new_tokens)
        decoded = super().generate_with_fallback(encoder_output, prompt, tokenizer, options)
        result, avg_logprob, temperature, compression_ratio = decoded
        if len(result.sequences_ids[0]) >= cap:
            log.info(
                "window of %.1f s: decode cut at its cap of %d tokens (temperature %.1f, "
                "compression ratio %.2f, log-probability %.2f): a repetition loop, or speech "
                "faster than %g tokens/s (resumed in the next window)",
                audio_s,
                cap,
                temperature,
                compression_ratio,
                avg_logprob,
                self.tokens_per_s,
            )
        return decoded


def _without_hotwords(
    prompt: list[int], tokenizer: Any, hotwords: str | None, max_length: int = 448
) -> list[int] | None:
    """``prompt`` without the hotwords faster-whisper's ``get_prompt`` put after its
    start-of-previous token; ``None`` when it holds none."""
    if not hotwords or not prompt or prompt[0] != tokenizer.sot_prev:
        return None
    words = tokenizer.encode(" " + hotwords.strip())[: max_length // 2 - 1]
    if prompt[1 : 1 + len(words)] != words:
        return None
    rest = prompt[1 + len(words) :]
    previous = rest[: rest.index(tokenizer.sot)] if tokenizer.sot in rest else []
    return [tokenizer.sot_prev, *rest] if previous else rest


def _needs_fallback(decoded: Any, options: Any) -> bool:
    """faster-whisper's test of a decode (``generate_with_fallback``): a loop (compression
    ratio) or a low log-probability, unless the window is silence."""
    result, avg_logprob, _, compression_ratio = decoded
    low = options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold
    loop = (
        options.compression_ratio_threshold is not None
        and compression_ratio > options.compression_ratio_threshold
    )
    silence = (
        low
        and options.no_speech_threshold is not None
        and result.no_speech_prob > options.no_speech_threshold
    )
    return (loop or low) and not silence


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
            tokens_per_s=TOKENS_PER_S,
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
            # Silero's own hysteresis: once in speech, stay there until the probability falls
            # under threshold - 0.15 (quiet word endings and far voices dip in and out)
            neg_threshold=max(0.01, s.vad_threshold - 0.15),
            min_silence_duration_ms=s.vad_min_silence_ms,
            speech_pad_ms=s.vad_speech_pad_ms,
        )

    def speech_chunks(self, audio: np.ndarray) -> list[dict[str, int]]:
        """Silero VAD speech chunks (samples) of ``audio``, found on a loudness-levelled copy so
        that a quiet voice next to a loud one is detected as well (Whisper hears the original)."""
        return get_speech_timestamps(
            level_for_vad(audio), self.vad_options(), sampling_rate=SAMPLE_RATE
        )

    def vad_regions(self, audio: np.ndarray) -> list[tuple[float, float]]:
        """Speech regions (seconds) found by Silero VAD."""
        return _seconds((c["start"], c["end"]) for c in self.speech_chunks(audio))

    def _decode_chunks(
        self,
        audio: np.ndarray,
        chunks: list[dict[str, int]],
        options: dict[str, Any],
        offset: float,
        progress: ProgressFn | None = None,
    ) -> tuple[list[Segment], Any]:
        """Decode only ``chunks`` of ``audio`` (concatenated, as faster-whisper's VAD filter
        does), with times mapped back to the original audio and shifted by ``offset``."""
        duration = len(audio) / SAMPLE_RATE
        segments, info = self.model.transcribe(
            _speech_only(audio, chunks), vad_filter=False, **options
        )
        out: list[Segment] = []
        for seg in restore_speech_timestamps(segments, chunks, SAMPLE_RATE):
            # ids are placeholders until clean_segments numbers what it keeps
            out.extend(split_at_gaps(to_segment(seg, len(out), offset)))
            if progress:
                progress(min(seg.end, duration), duration)
        return out, info

    def _second_look(
        self,
        audio: np.ndarray,
        chunks: list[dict[str, int]],
        segments: list[Segment],
        options: dict[str, Any],
        offset: float,
    ) -> tuple[list[Segment], list[DroppedSpan]]:
        """Speech the first decode left without words, decoded again on its own.

        Candidates are the VAD's speech chunks plus the stretches it rejected although they
        carry energy, minus the time already covered by words (:func:`uncovered_speech`).
        Whisper often ends a window early on hard audio (a quiet or far voice, babble), and the
        VAD misses quiet voices; each hole gets a fresh decode with a little context. Inside the
        VAD's speech a segment is kept on the first decode's terms (unless Whisper's own guard,
        high no-speech probability *and* low log-probability, rejects it): the VAD already heard
        speech there. Outside it only confident segments are kept (log-probability at least
        ``logprob_threshold`` and no-speech probability under ``no_speech_threshold``). Kept
        segments are trimmed to the hole; the rest is returned as dropped spans:
        ``vad_rejected`` outside the VAD's chunks, ``undecoded`` inside them.
        """
        duration = len(audio) / SAMPLE_RATE
        vad = _seconds((c["start"], c["end"]) for c in chunks)
        energy = _seconds(rejected_with_energy(audio, chunks))
        words = [(w.start - offset, w.end - offset) for seg in segments for w in seg.words]
        if not words:  # decoded without word timestamps: segments stand for their words
            words = [(seg.start - offset, seg.end - offset) for seg in segments]
        holes = uncovered_speech(vad + energy, words)
        if not holes:
            return [], []
        clips = padded_clips(holes, duration)
        flat = [round(t, 3) for clip in clips for t in clip]
        decoded, _ = self.model.transcribe(audio, vad_filter=False, clip_timestamps=flat, **options)

        def reason(start: float, end: float) -> str:
            mid = (start + end) / 2 - offset
            return "undecoded" if any(a <= mid <= b for a, b in vad) else "vad_rejected"

        def in_hole(t: float) -> bool:
            return any(a <= t - offset <= b for a, b in holes)

        first_words = sorted((w for seg in segments for w in seg.words), key=lambda w: w.start)
        kept: list[Segment] = []
        dropped: list[DroppedSpan] = []
        claimed: list[tuple[float, float]] = []
        for raw in decoded:
            seg = to_segment(raw, 0, offset)
            if seg.words:
                inside = [w for w in seg.words if in_hole((w.start + w.end) / 2)]
                if not inside:
                    continue  # context around a hole, already transcribed
                inside, repeats = without_repeated_context(inside, first_words)
                for twice in repeats:
                    claimed.append((twice[0].start, twice[-1].end))
                    dropped.append(dropped_words(seg, twice, "duplicate"))
                if not inside:
                    continue
                seg = with_words(seg, inside)
            elif not in_hole((seg.start + seg.end) / 2):
                continue
            claimed.append((seg.start, seg.end))
            if reason(seg.start, seg.end) == "undecoded":
                # speech the VAD found: kept on the same terms as the first decode's segments
                keep = bool(seg.text) and not is_silence_hallucination(
                    seg, self.settings.no_speech_threshold, self.settings.logprob_threshold
                )
            else:  # audio the VAD rejected: only what decodes confidently
                keep = bool(
                    seg.text
                    and (seg.avg_logprob if seg.avg_logprob is not None else -99)
                    >= self.settings.logprob_threshold
                    and (seg.no_speech_prob or 0.0) < self.settings.no_speech_threshold
                )
            if keep:
                kept.append(seg)
            else:
                dropped.append(
                    DroppedSpan(
                        start=seg.start,
                        end=seg.end,
                        reason=reason(seg.start, seg.end),
                        text=seg.text or None,
                        avg_logprob=seg.avg_logprob,
                        no_speech_prob=seg.no_speech_prob,
                    )
                )
        for a, b in holes:  # speech with nothing decoded at all is listed too
            start, end = round(offset + a, 3), round(offset + b, 3)
            if not any(cs < end and start < ce for cs, ce in claimed):
                dropped.append(DroppedSpan(start=start, end=end, reason=reason(start, end)))
        return kept, dropped

    def detect_language(
        self, audio: np.ndarray, chunks: list[dict[str, int]] | None = None
    ) -> tuple[str, float]:
        """Most probable language of the speech in ``audio`` among ``settings.detect_among``.

        ``chunks``: speech already found by :meth:`speech_chunks`; detection then listens to
        that speech only, instead of running the VAD a second time (on the unlevelled audio)."""
        if chunks:
            _, _, probs = self.model.detect_language(_speech_only(audio, chunks), vad_filter=False)
        else:
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
        dropped: list[DroppedSpan] = []
        language_probability = None
        detected = lang_arg or "fr"
        decode_options = {
            k: v for k, v in options.items() if k not in ("vad_filter", "vad_parameters")
        }
        if duration > 0:
            with self.lock:
                chunks = self.speech_chunks(audio) if use_vad else []
                if lang_arg is None:
                    decode_options["language"], language_probability = self.detect_language(
                        audio, chunks
                    )
                if use_vad:
                    info = None
                    if chunks:
                        raw, info = self._decode_chunks(
                            audio, chunks, decode_options, offset, progress
                        )
                    if s.vad_second_look:
                        rescued, dropped = self._second_look(
                            audio, chunks, raw, decode_options, offset
                        )
                        raw = sorted(raw + rescued, key=lambda seg: (seg.start, seg.end))
                else:
                    segments, info = self.model.transcribe(
                        audio, vad_filter=False, **decode_options
                    )
                    for seg in segments:
                        raw.append(to_segment(seg, len(raw), offset))
                        if progress:
                            progress(min(seg.end, duration), duration)
                if info is not None:
                    detected = info.language
                    if language_probability is None:
                        language_probability = info.language_probability
                else:
                    detected = decode_options["language"] or detected
        raw = [clamp_segment(seg, offset, offset + duration) for seg in raw]
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
        settings_used["language"] = decode_options["language"]
        settings_used["vad_parameters"] = self.vad_options().__dict__ if use_vad else None
        settings_used["vad_second_look"] = s.vad_second_look if use_vad else None
        dropped = sorted(dropped + removed, key=lambda d: (d.start, d.end))
        return Transcript(
            language=detected,
            language_probability=language_probability,
            duration=offset + duration,
            segments=kept,
            dropped=dropped,
            model=self.info,
            settings=settings_used,
        )


def _speech_only(audio: np.ndarray, chunks: list[dict[str, int]]) -> np.ndarray:
    """The VAD's speech ``chunks`` of ``audio`` joined end to end (as faster-whisper's own VAD
    filter feeds Whisper)."""
    pieces, _ = collect_chunks(audio, chunks, sampling_rate=SAMPLE_RATE)
    return np.concatenate(pieces).astype(np.float32, copy=False)


def _seconds(spans: Iterable[tuple[int, int]]) -> list[tuple[float, float]]:
    """Sample spans as (start, end) seconds."""
    return [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in spans]


def clamp_segment(seg: Segment, lo: float, hi: float) -> Segment:
    """``seg`` with its times and its words' times kept within ``[lo, hi]``: Whisper's timestamp
    tokens can point past the end of the audio (a 30 s window on a 3 s clip), and a time
    after the recording's end would misplace captions, speakers and cited turns."""

    def clip(t: float) -> float:
        return round(min(max(t, lo), hi), 3)

    if lo <= seg.start and seg.end <= hi and all(lo <= w.start and w.end <= hi for w in seg.words):
        return seg
    words = [w.model_copy(update={"start": clip(w.start), "end": clip(w.end)}) for w in seg.words]
    return seg.model_copy(update={"start": clip(seg.start), "end": clip(seg.end), "words": words})


SEGMENT_GAP_S = 1.5
"""Words further apart than this in the recording are not one segment."""


def split_at_gaps(seg: Segment, gap_s: float = SEGMENT_GAP_S) -> list[Segment]:
    """``seg`` cut where two consecutive words are more than ``gap_s`` apart.

    The VAD's speech chunks are decoded joined end to end, so Whisper may write one segment
    across two chunks that lie many seconds apart in the recording ("Yeah," at 4 s and "who
    wants to take notes today?" at 26 s, one segment from 4.2 to 28.3 s): a caption would then
    stay on screen through the silence, and a speaker turn would span it. Each piece keeps the
    segment's decoding scores (they were measured on the whole)."""
    if len(seg.words) < 2:
        return [seg]
    runs: list[list[Word]] = [[seg.words[0]]]
    for word in seg.words[1:]:
        if word.start - runs[-1][-1].end > gap_s:
            runs.append([word])
        else:
            runs[-1].append(word)
    if len(runs) == 1:
        return [seg]
    return [with_words(seg, run) for run in runs]


def with_words(seg: Segment, words: list[Word]) -> Segment:
    """``seg`` cut down to ``words`` (a run of its own words): times and text follow them."""
    return seg.model_copy(
        update={
            "start": words[0].start,
            "end": words[-1].end,
            "words": words,
            "text": "".join(w.word for w in words).strip(),
        }
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
