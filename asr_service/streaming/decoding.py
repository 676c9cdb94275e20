"""Live-pass decoding on the transcriber's shared Whisper model: several streams in one batch.

A worker decodes the utterances of every meeting it serves on one model. The requests waiting
when a decode thread frees up (the usual case under load) are decoded as one CTranslate2 batch:
the decoder's cost per step is dominated by reading its weights, so a batch of three costs about
1.3 times one (base int8, 2 cores: 6 ms per token alone, 8 ms for three).

Each request is decoded once: greedy by default, one temperature (no fallback re-decodes), a
token cap (``LIVE_TOKENS_PER_S``), no second VAD (the streaming policy found the speech), and
its encoder window cut to the audio plus 5 s (:func:`asr_service.asr.live_window_s`): the
encoder's cost follows the window, not the audio in it. Whisper's timestamp tokens are dropped:
a request is one utterance, its words timed by cross-attention alignment, so no text is lost at
the window's last timestamp. The transcriber's hallucination guards then run per request.
``benchmarks/bench_live_window.py`` measures WER and decode time of these choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

from asr_service.asr import WHISPER_WINDOW_S, live_window_s
from asr_service.hallucinations import clean_segments
from asr_service.streaming.policy import SAMPLE_RATE, Decode, DecodeMany, DecodeRequest
from asr_service.transcript import Segment, Word

LIVE_NO_SPEECH_THRESHOLD = 0.9
LIVE_TOKENS_PER_S = 20
"""Cap on tokens a live decode may generate per second of audio, timestamps included (fast
French speech makes up to about 14; 12 cut the end of 6 s turns): a decode that starts looping
stops early instead of holding the decoder for seconds."""


def token_cap(audio_s: float) -> int:
    """Most tokens a live decode of ``audio_s`` seconds may generate."""
    return min(16 + int(LIVE_TOKENS_PER_S * audio_s), 220)


MAX_BATCH = 8
"""Most requests decoded in one batch (memory and the pass's duration stay bounded)."""
MIN_AUDIO = SAMPLE_RATE // 10
"""Shorter requests (a VAD blip) are not decoded: no segment."""
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
_FRAMES_PER_S = 100


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

    ``vocabulary`` becomes Whisper's hotwords prompt; ``beam_size`` 1 is greedy;
    ``encoder_window_s`` is the longest short encoder window (0: always 30 s). Decodes run on the
    transcriber's live model, whose replicas take concurrent calls (``ASR_MODEL_WORKERS``): no
    lock is held, and a whole-file pass on the transcriber's other model does not block them.
    """

    def __init__(
        self,
        transcriber: Any,
        *,
        language: str = "fr",
        vocabulary: Sequence[str] | None = None,
        beam_size: int = 1,
        encoder_window_s: float = 0.0,
    ) -> None:
        self.settings = transcriber.settings
        self.model = transcriber.live_model
        self.vocabulary = list(vocabulary or [])
        self.beam_size = beam_size
        self.encoder_window_s = encoder_window_s
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer,
            self.model.model.is_multilingual,
            task="transcribe",
            language=language,
        )
        self.prompt = self.model.get_prompt(
            self.tokenizer,
            [],
            without_timestamps=False,  # timestamp mode: Whisper loops less in it
            hotwords=", ".join(self.vocabulary) if self.vocabulary else None,
        )
        self.suppress_tokens = get_suppressed_tokens(self.tokenizer, [-1])

    def window_s(self, audio_s: float) -> float:
        """Encoder window of ``audio_s`` seconds of audio."""
        return live_window_s(audio_s, self.encoder_window_s) or WHISPER_WINDOW_S

    def decode(self, audios: Sequence[np.ndarray], *, words: bool = True) -> list[Decoded]:
        """Decode each audio (16 kHz, at most 30 s) in batches: those that fit a short window
        together (on the longest one's window), the others on the full window."""
        out: dict[int, Decoded] = {}
        durations = [len(a) / SAMPLE_RATE for a in audios]

        def full_window(i: int) -> bool:
            return self.window_s(durations[i]) >= WHISPER_WINDOW_S

        order = sorted(range(len(audios)), key=full_window)
        for _, group in groupby(order, key=full_window):
            indexes = list(group)
            for k in range(0, len(indexes), MAX_BATCH):
                batch = indexes[k : k + MAX_BATCH]
                decoded = self._batch([audios[i] for i in batch], words)
                out.update(zip(batch, decoded, strict=True))
        return [out[i] for i in range(len(audios))]

    def _batch(self, audios: list[np.ndarray], words: bool) -> list[Decoded]:
        model, tok = self.model, self.tokenizer
        durations = [min(len(a) / SAMPLE_RATE, WHISPER_WINDOW_S) for a in audios]
        features = np.stack([pad_or_trim(model.feature_extractor(a)[..., :-1]) for a in audios])
        with model.encoder_window(self.window_s(max(durations))):
            encoded = model.encode(features)
        caps = [token_cap(d) for d in durations]
        results = model.model.generate(
            encoded,
            [list(self.prompt) for _ in audios],
            beam_size=self.beam_size,
            max_length=len(self.prompt) + max(caps),
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

    def clean(self, segments: list[Segment]) -> list[Segment]:
        """The hallucination guards, with the live pass's lenient no-speech threshold (VAD has
        already found speech here: Whisper's own silence skip drops real but unusual speech)."""
        s = self.settings
        kept, _ = clean_segments(
            segments,
            phrases=s.hallucination_phrases,
            no_speech_threshold=max(s.no_speech_threshold, LIVE_NO_SPEECH_THRESHOLD),
            logprob_threshold=s.logprob_threshold,
            max_repeats=s.max_repeats,
            vocabulary=self.vocabulary,
        )
        return kept


def live_decoder(transcriber: Any, **options: Any) -> DecodeMany:
    """A ``DecodeMany`` for the worker's scheduler: one batch per pass, one segment (meeting
    time) per request, or none. ``options`` go to :class:`LiveDecoding`."""
    live = LiveDecoding(transcriber, **options)

    def decode_many(requests: list[DecodeRequest]) -> list[list[Segment]]:
        out: list[list[Segment]] = [[] for _ in requests]
        audible = [i for i, r in enumerate(requests) if len(r.audio) >= MIN_AUDIO]
        wanted = [requests[i] for i in audible]
        decoded = live.decode([r.audio for r in wanted], words=any(r.words for r in wanted))
        for i, r, d in zip(audible, wanted, decoded, strict=True):
            seg = d.segment(r.offset)
            out[i] = live.clean([seg]) if seg is not None else []
        return out

    return decode_many


def single_decoder(decode_many: DecodeMany) -> Decode:
    """A ``Decode`` (one request at a time) on a ``DecodeMany``."""

    def decode(audio: np.ndarray, offset: float, words: bool = True) -> list[Segment]:
        return decode_many([DecodeRequest(audio=audio, offset=offset, words=words)])[0]

    return decode
