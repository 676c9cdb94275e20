"""The sizing workload: trimmed meetings end at a pause; dev subsets stay within their budget."""

from __future__ import annotations

import numpy as np
import pytest

from asr_service.audio import SAMPLE_RATE
from benchmarks.sizing.workload import dev_clips, meetings, quiet_cut


def test_quiet_cut_ends_in_the_pause_before_the_limit() -> None:
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 0.3, 10 * SAMPLE_RATE).astype(np.float32)
    audio[int(6.5 * SAMPLE_RATE) : int(7.0 * SAMPLE_RATE)] = 0.0  # the only pause before 8 s
    cut = quiet_cut(audio, 8.0)
    assert 6.5 <= len(cut) / SAMPLE_RATE <= 7.0
    assert len(quiet_cut(audio, 20.0)) == len(audio)  # shorter than the limit: untouched


def test_shipped_meeting_is_always_in_the_workload() -> None:
    (first, *_) = meetings(full=False, max_seconds=5.0)
    assert first.name == "sample_meeting_fr"
    assert 3.0 <= first.seconds <= 5.0


def test_dev_subset_fits_its_budget_and_mixes_sources() -> None:
    every = dev_clips(limit_seconds=None)
    if not every:
        pytest.skip("no shared evaluation set here (ASR_EVAL_DIR)")
    subset = dev_clips(limit_seconds=45.0)
    assert 0 < sum(c.duration for c in subset) <= 45.0
    assert len({c.source for c in subset}) >= min(3, len({c.source for c in every}))
    assert {c.clip_id for c in subset} <= {c.clip_id for c in every}
