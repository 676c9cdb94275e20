"""A file decode's window cannot generate more tokens than its audio allows, and hotwords prime
only the first temperature.

Whisper base loops on the last seconds of a window ("… … …", "de la fin de la fin…"), more so
when primed with hotwords; each looping decode used to run to the 224-token limit at every
temperature of the fallback (the sample with a vocabulary: 5-6x the time of the same file
without). The real model checks that CTranslate2 honours the cap as computed, that a cut decode
is reported, and that the speech of a cut window is still transcribed or listed as dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
from faster_whisper.audio import pad_or_trim
from faster_whisper.feature_extractor import FeatureExtractor
from faster_whisper.tokenizer import Tokenizer

from asr_service.asr import (
    Transcriber,
    _without_hotwords,
    content_frames,
    window_token_cap,
)
from asr_service.audio import SAMPLE_RATE
from asr_service.config import Settings

VOCAB = ["Madame Martin", "numérisation", "prestataire", "tranche", "bon de commande"]


# -- pure functions -------------------------------------------------------------------------------
def test_cap_leaves_fast_speech_whole_and_cuts_loops_short() -> None:
    # fastest speech of the tuning material: 77 tokens in 6.3 s; a loop: 224 tokens in 1.4 s
    assert window_token_cap(6.29) > 77
    assert window_token_cap(1.4) == 44 < 224
    assert window_token_cap(0.0) == 16  # a blip still gets its timestamps and a word or two
    # a full 30 s window keeps Whisper's own limit (224)
    assert window_token_cap(30.0) > 224
    assert window_token_cap(2.0, tokens_per_s=5) == 26


def test_content_frames_finds_the_padding_of_a_short_window() -> None:
    extractor = FeatureExtractor()
    rng = np.random.default_rng(0)
    speechlike = (rng.standard_normal(SAMPLE_RATE * 3) * 0.1).astype(np.float32)
    for audio in (speechlike, np.zeros(SAMPLE_RATE * 3, dtype=np.float32)):
        features = extractor(audio)[..., :-1]  # digital silence is no padding either
        frames = features.shape[-1]
        assert content_frames(pad_or_trim(features)) == frames
        assert content_frames(pad_or_trim(features)[None]) == frames  # a batch of one
    assert content_frames(np.zeros((80, 3000), dtype=np.float32)) == 0
    full = extractor(np.tile(speechlike, 11))[..., :3000]
    assert content_frames(full) == 3000


# -- the real model -------------------------------------------------------------------------------
class _Spy:
    """Stands for the CTranslate2 model: records each generate call's prompt, temperature,
    output length and the audio (seconds) of the window it decodes (the last one encoded)."""

    def __init__(self, inner: Any, windows: list[float]) -> None:
        self.inner = inner
        self.windows = windows
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> Any:
        results = self.inner.generate(features, prompts, **kwargs)
        self.calls.append(
            {
                "prompt": list(prompts[0]),
                "temperature": kwargs.get("sampling_temperature", 0.0),
                "tokens": len(results[0].sequences_ids[0]),
                "window_s": self.windows[-1],
            }
        )
        return results


def _spied(
    settings: Settings, model_store: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Transcriber, _Spy]:
    """A transcriber of its own (its sampler's seed is not shared with other tests), with a spy
    on its decoder and on the windows it encodes."""
    transcriber = Transcriber(settings, model_store)
    windows: list[float] = []
    spy = _Spy(transcriber.model.model, windows)
    transcriber.model.model = spy
    original = type(transcriber.model).encode

    def encode(self: Any, features: np.ndarray) -> Any:
        windows.append(content_frames(features) / 100)
        return original(self, features)

    monkeypatch.setattr(transcriber.model, "encode", encode.__get__(transcriber.model))
    return transcriber, spy


@pytest.fixture(scope="module")
def opening(french_speech: np.ndarray) -> np.ndarray:
    """The sample's first three sentences (about 18 s)."""
    return french_speech[: 18 * SAMPLE_RATE]


def test_a_window_generates_no_more_than_its_cap_and_a_cut_is_reported(
    data_dir, model_store, opening, monkeypatch, caplog
) -> None:
    """With a cap far below speech (3 tokens/s), every decode stops at its window's cap (the
    arithmetic matches CTranslate2's length rule), the cuts are logged, and the words the cap
    held back are decoded in later windows or listed as dropped: no speech vanishes."""
    transcriber, spy = _spied(Settings(data_dir=data_dir), model_store, monkeypatch)
    rate = 3
    monkeypatch.setattr(transcriber.model, "tokens_per_s", rate)
    caplog.set_level(logging.INFO, logger="asr_service.asr")
    result = transcriber.transcribe(opening)

    assert spy.calls
    for call in spy.calls:
        assert call["tokens"] <= window_token_cap(call["window_s"], rate), call
    assert any(c["tokens"] == window_token_cap(c["window_s"], rate) for c in spy.calls)
    assert "decode cut at its cap" in caplog.text

    # the cap only shortens each decode: the opening is still transcribed (later windows pick
    # up where a cut one stopped), and any speech left without words is listed as dropped
    assert "pilotage" in result.text or "réunion" in result.text, result.text
    spans = [(w.start, w.end) for s in result.segments for w in s.words]
    spans += [(d.start, d.end) for d in result.dropped]
    for start, end in transcriber.vad_regions(opening):
        assert any(a < end and start < b for a, b in spans), ((start, end), result)


def test_speech_decodes_under_the_default_cap(data_dir, model_store, opening, monkeypatch):
    """Clear speech stays far under the default cap (``TOKENS_PER_S``; the fastest speech
    measured made 12.2 tokens per second): its first decode is whole."""
    transcriber, spy = _spied(Settings(data_dir=data_dir), model_store, monkeypatch)
    transcriber.transcribe(opening)
    first = spy.calls[0]
    assert first["window_s"] > 15
    assert first["tokens"] < 0.75 * window_token_cap(first["window_s"]), first


def test_hotwords_prime_the_first_temperature_only(
    data_dir, model_store, opening, monkeypatch
) -> None:
    """A log-probability bar no decode meets makes every window fall back: the first decode is
    primed with the vocabulary, the hotter ones are not, and a transcript still comes out (the
    best of all decodes, as faster-whisper keeps when every temperature fails)."""
    settings = Settings(data_dir=data_dir, logprob_threshold=0.0, temperatures=[0.0, 0.4])
    transcriber, spy = _spied(settings, model_store, monkeypatch)
    result = transcriber.transcribe(opening, vocabulary=VOCAB)
    tokenizer = Tokenizer(transcriber.model.hf_tokenizer, True, task="transcribe", language="fr")
    hotwords = tokenizer.encode(" " + ", ".join(VOCAB))
    primed = [c for c in spy.calls if c["prompt"][1 : 1 + len(hotwords)] == hotwords]
    assert primed and all(c["temperature"] == 0.0 for c in primed)
    plain = [c for c in spy.calls if c not in primed]
    assert plain and all(c["temperature"] == 0.4 for c in plain)
    assert all(c["prompt"][0] != tokenizer.sot_prev for c in plain)
    assert len(plain) <= len(primed)  # at most one fallback per window, and never primed
    assert result.segments and result.settings["hotwords"] == ", ".join(VOCAB)


def test_without_hotwords_keeps_the_rest_of_the_prompt(transcriber) -> None:
    model = transcriber.model
    tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language="fr")
    hotwords = ", ".join(VOCAB)
    previous = tokenizer.encode(" Bonjour à tous.")
    for before in ([], previous):
        primed = model.get_prompt(tokenizer, before, hotwords=hotwords)
        assert _without_hotwords(primed, tokenizer, hotwords) == model.get_prompt(tokenizer, before)
    assert _without_hotwords(model.get_prompt(tokenizer, []), tokenizer, hotwords) is None
    assert _without_hotwords(model.get_prompt(tokenizer, []), tokenizer, None) is None
