"""The live pass's decisions (``asr_service.bus.live``), alone: when a gap in ``seq`` is skipped,
and when a partial hypothesis may take the decoder."""

from __future__ import annotations

from asr_service.bus.live import PARTIAL_MAX_LOAD, REORDER_MAX, gap_stalled, partials_allowed


def test_a_gap_is_skipped_only_when_reception_stalls_on_it() -> None:
    assert not gap_stalled([], progress_at=0.0, now=100.0)
    # a chunk held for 3 s while nothing was stored: the missing one is given up
    assert gap_stalled([10.0], progress_at=5.0, now=13.0, wait_s=2.0)
    # ... but in-order chunks kept coming (last stored 1 s ago): a stray far-ahead seq waits
    assert not gap_stalled([10.0], progress_at=12.0, now=13.0, wait_s=2.0)
    # too many held chunks: skipped at once
    many = [12.9] * (REORDER_MAX + 1)
    assert gap_stalled(many, progress_at=12.9, now=13.0)


def test_partials_yield_to_commits_under_load() -> None:
    calm = {"idle": True, "waiting": 0, "load": PARTIAL_MAX_LOAD / 2}
    assert partials_allowed(urgent=False, starved=False, **calm)
    busy = [
        {"idle": False, "waiting": 0, "load": 0.0},  # a decode runs
        {"idle": True, "waiting": 1, "load": 0.0},  # decodes are waiting
        {"idle": True, "waiting": 0, "load": PARTIAL_MAX_LOAD + 0.1},  # no headroom
    ]
    for state in busy:
        assert not partials_allowed(urgent=False, starved=False, **state)
        assert partials_allowed(urgent=True, starved=False, **state)  # commits always run
        assert partials_allowed(urgent=False, starved=True, **state)  # nothing shown for long
