"""Live-pass decoding on the transcriber's shared Whisper model: several streams in one batch.

A worker decodes the utterances of every meeting it serves on one model. The requests waiting
when a decode thread frees up (the usual case under load) are decoded as one CTranslate2 batch:
the decoder's cost per step is dominated by reading its weights, so a batch of three costs about
1.3 times one (base int8, 2 cores: 6 ms per token alone, 8 ms for three).

Each request is decoded once: greedy by default, one temperature (no temperature fallback), a
token cap (``LIVE_TOKENS_PER_S``), no second VAD (the streaming policy found the speech), and
its encoder window cut to the audio plus 5 s (:func:`asr_service.asr.live_window_s`): the
encoder's cost follows the window, not the audio in it. Whisper's timestamp tokens are dropped:
a request is one utterance, its words timed by cross-attention alignment, so no text is lost at
the window's last timestamp. Each request is primed with its meeting's language and vocabulary
(:class:`DecodeContext`); requests of one prompt share a batch, and one a vocabulary prompt makes
fail (Whisper sometimes gives up on speech unrelated to the terms) is decoded again without it.
The transcriber's hallucination guards then run per request.
``benchmarks/bench_live_window.py`` measures WER and decode time of these choices.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

from asr_service.asr import (
    LIVE_WINDOW_MARGIN_S,
    WHISPER_WINDOW_S,
    generation_max_length,
    live_window_s,
    window_token_cap,
)
from asr_service.hallucinations import clean_segments
from asr_service.streaming.policy import (
    SAMPLE_RATE,
    Decode,
    DecodeContext,
    DecodeMany,
    DecodeRequest,
)
from asr_service.transcript import DroppedSpan, Segment, Word

log = logging.getLogger(__name__)

LIVE_NO_SPEECH_THRESHOLD = 0.9
LIVE_TOKENS_PER_S = 20
"""Cap on tokens a live decode may generate per second of audio, timestamps included (fast
French speech makes up to about 14; 12 cut the end of 6 s turns, measured while the live pass
got only half its cap, see :func:`asr_service.asr.generation_max_length`): a decode that starts
looping stops early instead of holding the decoder for seconds. With the whole cap, WER and
decode time of the ≤ 10 s utterances of ``bench_live_window.py`` are unchanged (0.362, 2026-12-06)."""


def token_cap(audio_s: float) -> int:
    """Most tokens a live decode of ``audio_s`` seconds may generate."""
    return min(window_token_cap(audio_s, LIVE_TOKENS_PER_S), 220)


MAX_BATCH = 8
"""Most requests decoded in one batch (memory and the pass's duration stay bounded)."""
MIN_AUDIO = SAMPLE_RATE // 10
"""Shorter requests (a VAD blip) are not decoded: no segment."""
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
_FRAMES_PER_S = 100


@dataclass(frozen=True)
class Prompt:
    """A context's tokenizer (its language) and prompt tokens (its vocabulary)."""

    tokenizer: Tokenizer
    tokens: list[int]


@dataclass
class Decoded:
    """One decoded audio: its text, words (seconds from the audio's start) and scores."""

    text: str
    words: list[Word]
    duration: float
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float

    def segment(self, offset: float) -> Segment | None:
        """As one :class:`Segment` in meeting time (``offset``: the audio's first sample)."""
        if not self.text:
            return None
        words = [
            w.model_copy(
                update={"start": round(offset + w.start, 3), "end": round(offset + w.end, 3)}
            )
            for w in self.words
        ]
        return Segment(
            id=0,
            start=words[0].start if words else round(offset, 3),
            end=words[-1].end if words else round(offset + self.duration, 3),
            text=self.text,
            words=words,
            avg_logprob=self.avg_logprob,
            no_speech_prob=self.no_speech_prob,
            compression_ratio=self.compression_ratio,
        )


class LiveDecoding:
    """Batched Whisper decoding of live audio on the transcriber's model.

    ``language`` and ``vocabulary`` (Whisper's hotwords prompt) are the defaults of requests
    whose :class:`DecodeContext` names none; ``beam_size`` 1 is greedy; ``encoder_window_s`` is
    the longest short encoder window (0: always 30 s), each audio's window being the audio plus
    ``window_margin_s`` of padding. Decodes run on the transcriber's live model, whose replicas
    take concurrent calls (``ASR_MODEL_WORKERS``): no lock is held, and a whole-file pass on the
    transcriber's other model does not block them.
    """

    def __init__(
        self,
        transcriber: Any,
        *,
        language: str = "fr",
        vocabulary: Sequence[str] | None = None,
        beam_size: int = 1,
        encoder_window_s: float = 0.0,
        window_margin_s: float = LIVE_WINDOW_MARGIN_S,
    ) -> None:
        self.settings = transcriber.settings
        self.model = transcriber.live_model
        self.default = DecodeContext(language, tuple(vocabulary or ()))
        self.beam_size = beam_size
        self.encoder_window_s = encoder_window_s
        self.window_margin_s = window_margin_s
        self._prompts: dict[DecodeContext, Prompt] = {}
        self.removed = RemovedTally()
        """What the guards took out of live captions, by reason (the final pass decodes the
        meeting again and lists its own removals in the transcript's ``dropped``)."""
        self.suppress_tokens = get_suppressed_tokens(self.prompt(self.default).tokenizer, [-1])

    def resolve(self, context: DecodeContext | None) -> DecodeContext:
        """The context a request is decoded with: its own language when Whisper knows it (else
        the default: a meeting announced as ``auto`` is decoded in the default language live, its
        language detected by the final pass), its own vocabulary else the default one."""
        context = context or self.default
        language = context.language
        if language not in self.model.supported_languages:
            language = self.default.language
        return DecodeContext(language, context.vocabulary or self.default.vocabulary)

    def prompt(self, context: DecodeContext) -> Prompt:
        """The tokenizer and prompt of a (resolved) context, built once."""
        found = self._prompts.get(context)
        if found is None:
            tokenizer = Tokenizer(
                self.model.hf_tokenizer,
                self.model.model.is_multilingual,
                task="transcribe",
                language=context.language,
            )
            tokens = self.model.get_prompt(
                tokenizer,
                [],
                without_timestamps=False,  # timestamp mode: Whisper loops less in it
                hotwords=", ".join(context.vocabulary) if context.vocabulary else None,
            )
            found = Prompt(tokenizer, list(tokens))
            if len(self._prompts) > 1024:  # one per language and vocabulary: bounded
                self._prompts.clear()
            self._prompts[context] = found
        return found

    def window_s(self, audio_s: float) -> float:
        """Encoder window of ``audio_s`` seconds of audio."""
        return (
            live_window_s(audio_s, self.encoder_window_s, self.window_margin_s) or WHISPER_WINDOW_S
        )

    def decode(
        self,
        audios: Sequence[np.ndarray],
        *,
        words: bool = True,
        contexts: Sequence[DecodeContext | None] | None = None,
    ) -> list[Decoded]:
        """Decode each audio (16 kHz, at most 30 s) in batches: those that fit a short window
        and share a prompt (language and vocabulary: CTranslate2 batches only prompts of one
        shape) together, on the longest one's window; the others on the full window."""
        out: dict[int, Decoded] = {}
        durations = [len(a) / SAMPLE_RATE for a in audios]
        resolved = [self.resolve(c) for c in (contexts or [None] * len(audios))]

        def group(i: int) -> tuple[bool, str, tuple[str, ...]]:
            full = self.window_s(durations[i]) >= WHISPER_WINDOW_S
            return full, resolved[i].language or "", resolved[i].vocabulary

        order = sorted(range(len(audios)), key=group)
        for _, members in groupby(order, key=group):
            indexes = list(members)
            context = resolved[indexes[0]]
            out.update(self._batches(audios, indexes, words, self.prompt(context)))
            if context.vocabulary:
                out.update(self._without_vocabulary(audios, indexes, out, words, context))
        return [out[i] for i in range(len(audios))]

    def _without_vocabulary(
        self,
        audios: Sequence[np.ndarray],
        indexes: list[int],
        decoded: dict[int, Decoded],
        words: bool,
        context: DecodeContext,
    ) -> dict[int, Decoded]:
        """Decodes to keep instead of those a vocabulary prompt failed: Whisper primed with
        terms unrelated to what is said sometimes gives up on the audio (no text, a very low
        log-probability, or a repetition loop), where the file pass falls back on another
        temperature. The live pass, which decodes once, decodes those again on the plain prompt
        and keeps the better of the two."""
        failed = [i for i in indexes if self._gave_up(decoded[i])]
        if not failed:
            return {}
        again = self._batches(audios, failed, words, self.prompt(DecodeContext(context.language)))
        return {i: retry for i, retry in again.items() if self._better(retry, than=decoded[i])}

    def _gave_up(self, decoded: Decoded) -> bool:
        """Whisper's own failure signs (the thresholds its temperature fallback uses)."""
        s = self.settings
        return (
            not decoded.text
            or decoded.avg_logprob < s.logprob_threshold
            or decoded.compression_ratio > s.compression_ratio_threshold
        )

    def _better(self, second: Decoded, *, than: Decoded) -> bool:
        """Whether ``second`` is a better decode than ``than``: no text is worst, then a
        repetition loop, then a low log-probability; the log-probability decides between
        equals."""

        def rank(d: Decoded) -> tuple[bool, bool, bool, float]:
            return (
                not d.text,
                d.compression_ratio > self.settings.compression_ratio_threshold,
                d.avg_logprob < self.settings.logprob_threshold,
                -d.avg_logprob,
            )

        return rank(second) < rank(than)

    def _batches(
        self, audios: Sequence[np.ndarray], indexes: list[int], words: bool, prompt: Prompt
    ) -> dict[int, Decoded]:
        """The audios at ``indexes`` decoded on one prompt, ``MAX_BATCH`` at a time."""
        out: dict[int, Decoded] = {}
        for k in range(0, len(indexes), MAX_BATCH):
            batch = indexes[k : k + MAX_BATCH]
            decoded = self._batch([audios[i] for i in batch], words, prompt)
            out.update(zip(batch, decoded, strict=True))
        return out

    def _batch(self, audios: list[np.ndarray], words: bool, prompt: Prompt) -> list[Decoded]:
        model, tok = self.model, prompt.tokenizer
        durations = [min(len(a) / SAMPLE_RATE, WHISPER_WINDOW_S) for a in audios]
        features = np.stack([pad_or_trim(model.feature_extractor(a)[..., :-1]) for a in audios])
        with model.encoder_window(self.window_s(max(durations))):
            encoded = model.encode(features)
        caps = [token_cap(d) for d in durations]
        results = model.model.generate(
            encoded,
            [list(prompt.tokens) for _ in audios],
            beam_size=self.beam_size,
            max_length=generation_max_length(max(caps), len(prompt.tokens)),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self.suppress_tokens,
        )
        # faster-whisper's word timing takes segments of one time line: each audio is one
        # segment, 30 s after the previous one (its heuristics then see each audio alone)
        segments = [
            [
                {
                    # each audio's own cap (the batch ran to the longest's): a loop in a short
                    # audio is cut where it would have been alone
                    "tokens": [t for t in r.sequences_ids[0][:cap] if t < tok.eot],
                    "start": WHISPER_WINDOW_S * k,
                    "end": WHISPER_WINDOW_S * k + d,
                    "seek": int(WHISPER_WINDOW_S * k * _FRAMES_PER_S),
                }
            ]
            for k, (r, d, cap) in enumerate(zip(results, durations, caps, strict=True))
        ]
        if words and any(seg[0]["tokens"] for seg in segments):
            model.add_word_timestamps(
                segments,
                tok,
                encoded,
                [int(np.ceil(d)) * _FRAMES_PER_S for d in durations],
                PREPEND_PUNCTUATIONS,
                APPEND_PUNCTUATIONS,
                0.0,
            )
        decoded = []
        for k, (r, d, seg) in enumerate(zip(results, durations, segments, strict=True)):
            base = WHISPER_WINDOW_S * k
            text = tok.decode(seg[0]["tokens"]).strip()
            length = len(r.sequences_ids[0])  # the score is the whole sequence's
            decoded.append(
                Decoded(
                    text=text,
                    words=[
                        Word(
                            start=round(min(max(w["start"] - base, 0.0), d), 3),
                            end=round(min(max(w["end"] - base, 0.0), d), 3),
                            word=w["word"],
                            probability=round(float(w["probability"]), 4),
                        )
                        for w in seg[0].get("words", [])
                    ],
                    duration=d,
                    avg_logprob=float(r.scores[0]) * length / (length + 1) if r.scores else 0.0,
                    no_speech_prob=float(r.no_speech_prob),
                    compression_ratio=get_compression_ratio(text) if text else 0.0,
                )
            )
        return decoded

    def committed(
        self, decoded: Decoded, offset: float, context: DecodeContext | None = None
    ) -> list[Segment]:
        """What a live decode commits: its segment in meeting time (``offset``: the audio's first
        sample), unless the hallucination guards drop it."""
        segment = decoded.segment(offset)
        return self.clean([segment], context) if segment is not None else []

    def clean(self, segments: list[Segment], context: DecodeContext | None = None) -> list[Segment]:
        """The hallucination guards, with the live pass's lenient no-speech threshold (VAD has
        already found speech here: Whisper's own silence skip drops real but unusual speech);
        the context's vocabulary is never taken for a hallucination."""
        s = self.settings
        kept, removed = clean_segments(
            segments,
            phrases=s.hallucination_phrases,
            no_speech_threshold=max(s.no_speech_threshold, LIVE_NO_SPEECH_THRESHOLD),
            logprob_threshold=s.logprob_threshold,
            max_repeats=s.max_repeats,
            vocabulary=list(self.resolve(context).vocabulary),
        )
        for span in removed:
            self.removed.add(span)
            log.debug(
                "live caption removed (%s) %.2f-%.2f s: %r",
                span.reason,
                span.start,
                span.end,
                span.text,
            )
        return kept


class RemovedTally:
    """Thread-safe count and seconds of live-caption removals per reason, read by the worker's
    ``/metrics`` (``asr_worker_live_captions_removed_total``) so that a guard silently eating live
    speech shows up in monitoring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: dict[str, int] = {}
        self._seconds: dict[str, float] = {}

    def add(self, span: DroppedSpan) -> None:
        """Count one removed span."""
        with self._lock:
            self._spans[span.reason] = self._spans.get(span.reason, 0) + 1
            length = max(0.0, span.end - span.start)
            self._seconds[span.reason] = self._seconds.get(span.reason, 0.0) + length

    def snapshot(self) -> dict[str, tuple[int, float]]:
        """Reason -> (spans removed, seconds removed) so far."""
        with self._lock:
            return {r: (n, self._seconds[r]) for r, n in sorted(self._spans.items())}


def live_decoder(transcriber: Any, **options: Any) -> DecodeMany:
    """A ``DecodeMany`` for the worker's scheduler: one batch per pass, one segment (meeting
    time) per request, or none. ``options`` go to :class:`LiveDecoding`."""
    return batched_decoder(LiveDecoding(transcriber, **options))


def batched_decoder(live: LiveDecoding) -> DecodeMany:
    """The ``DecodeMany`` of an existing :class:`LiveDecoding` (whose tallies the caller reads)."""

    def decode_many(requests: list[DecodeRequest]) -> list[list[Segment]]:
        out: list[list[Segment]] = [[] for _ in requests]
        audible = [i for i, r in enumerate(requests) if len(r.audio) >= MIN_AUDIO]
        wanted = [requests[i] for i in audible]
        decoded = live.decode(
            [r.audio for r in wanted],
            words=any(r.words for r in wanted),
            contexts=[r.context for r in wanted],
        )
        for i, r, d in zip(audible, wanted, decoded, strict=True):
            out[i] = live.committed(d, r.offset, r.context)
        return out

    return decode_many


def single_decoder(decode_many: DecodeMany, context: DecodeContext | None = None) -> Decode:
    """A ``Decode`` (one request at a time) on a ``DecodeMany``, for a stream of ``context``."""

    def decode(audio: np.ndarray, offset: float, words: bool = True) -> list[Segment]:
        request = DecodeRequest(
            audio=audio, offset=offset, words=words, context=context or DecodeContext()
        )
        return decode_many([request])[0]

    return decode
