"""Overlap-aware diarization on real models: two voices at once, segmentation-3.0 on ONNX."""

from __future__ import annotations

import numpy as np
import pytest

from asr_service.audio import SAMPLE_RATE
from diarization import DiarizationOptions, Diarizer, attribute_speakers
from diarization.export import locate_segmentation_onnx
from diarization.segmentation import FRAMES_PER_CHUNK, Segmenter
from models import ModelStore
from tests.diarization.conftest import transcribe_fresh

SHIFT_S = 2.7
"""Durand's track moved this much earlier: his first turn (5.27 s) then starts at 2.57 s, while
Martin's first turn runs to 4.67 s: two voices at once for about 2.1 s."""
OVERLAP = (2.6, 4.6)


@pytest.fixture(scope="module")
def overlapping(tracks: dict[str, np.ndarray]) -> np.ndarray:
    shift = int(SHIFT_S * SAMPLE_RATE)
    durand = np.concatenate([tracks["Durand"][shift:], np.zeros(shift, np.float32)])
    return (tracks["Martin"] + durand).astype(np.float32)


def test_segmentation_export_runs_on_onnxruntime(model_store: ModelStore, meeting: np.ndarray):
    """The install-time export is in place, verified, and gives 589 frames per 10 s chunk of
    at most two active local speakers (the powerset's limit)."""
    segmenter = Segmenter(locate_segmentation_onnx(model_store))
    local = segmenter(meeting, step=5.0)
    assert local.activity.shape == (len(local.starts), FRAMES_PER_CHUNK, 3)
    assert local.activity.sum(-1).max() <= 2
    assert local.activity.any()


def test_two_voices_at_once_give_two_speakers_there(diarizer: Diarizer, overlapping):
    turns = diarizer.diarize(overlapping)
    middle = sum(OVERLAP) / 2
    active = {t.speaker for t in turns if t.start <= middle <= t.end}
    assert len(active) == 2, turns
    assert len({t.speaker for t in turns}) == 2


def test_two_voices_at_once_yield_words_for_both(settings, model_store, diarizer, overlapping):
    transcript = transcribe_fresh(settings, model_store, overlapping)
    result = diarizer.run(overlapping)
    attributed = attribute_speakers(transcript, result.turns)
    speakers = {w.speaker for s in attributed.segments for w in s.words}
    assert len(speakers) == 2, attributed.segments
    # around the overlap both voices have words (the first turns of each)
    near = {
        w.speaker
        for s in attributed.segments
        for w in s.words
        if OVERLAP[0] - 2.0 <= w.start <= OVERLAP[1] + 2.0
    }
    assert len(near) == 2, attributed.segments


@pytest.mark.parametrize("method", ["windows+overlap", "segmentation", "windows"])
def test_every_method_finds_both_voices(model_store: ModelStore, meeting: np.ndarray, method: str):
    diarizer = Diarizer(model_store, options=DiarizationOptions(method=method))
    turns = diarizer.diarize(meeting)
    assert len({t.speaker for t in turns}) == 2, turns


def test_unknown_method_is_a_clear_error(model_store: ModelStore):
    assert DiarizationOptions().method == "windows+segmentation"
    with pytest.raises(ValueError, match="windows\\+segmentation, windows\\+overlap, segm"):
        Diarizer(model_store, options=DiarizationOptions(method="magic"))
