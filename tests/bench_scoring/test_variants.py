"""The benchmark's harder variants (benchmarks/variants.py): reproducible, and another draw of a
random variant gives other audio, so DER can be averaged over draws."""

from __future__ import annotations

import numpy as np

from benchmarks.variants import RANDOM_VARIANTS, make_variant
from diarization.turns import SpeakerTurn

SR = 16_000


def _meeting() -> tuple[np.ndarray, list[SpeakerTurn], np.ndarray]:
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(12 * SR)).astype(np.float32)
    # a third speaker: the levels variant draws the level of speakers after the first two
    turns = [SpeakerTurn(0.5, 4.0, "A"), SpeakerTurn(4.5, 8.0, "B"), SpeakerTurn(8.5, 11.5, "C")]
    voices = (0.1 * rng.standard_normal(60 * SR)).astype(np.float32)
    return audio, turns, voices


def test_a_variant_is_the_same_audio_at_every_run_and_draw_zero_is_the_default():
    audio, turns, voices = _meeting()
    for name in RANDOM_VARIANTS:
        first, _ = make_variant(name, "clip", audio, turns, voices=voices)
        again, _ = make_variant(name, "clip", audio, turns, voices=voices, draw=0)
        assert np.array_equal(first, again), name


def test_another_draw_of_a_random_variant_is_other_audio():
    audio, turns, voices = _meeting()
    for name in RANDOM_VARIANTS:
        first, _ = make_variant(name, "clip", audio, turns, voices=voices)
        other, _ = make_variant(name, "clip", audio, turns, voices=voices, draw=1)
        assert len(first) != len(other) or not np.allclose(first, other), name
    phone, _ = make_variant("phone", "clip", audio, turns, draw=0)
    assert np.array_equal(phone, make_variant("phone", "clip", audio, turns, draw=1)[0])
