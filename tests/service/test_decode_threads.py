"""How many CPU threads each Whisper model gets: the live replicas take ``cpu_threads`` unless
an operator sets ``live_cpu_threads`` (e.g. one per replica, so replicas never share a core)."""

from __future__ import annotations

from asr_service.config import Settings


def test_live_replicas_take_the_decode_threads_by_default() -> None:
    assert Settings(cpu_threads=2, model_workers=2).resolved_live_cpu_threads == 2


def test_an_operator_may_set_the_live_threads_and_the_file_model_keeps_all() -> None:
    settings = Settings(cpu_threads=4, model_workers=2, live_cpu_threads=1)
    assert settings.resolved_live_cpu_threads == 1
    assert settings.resolved_cpu_threads == 4
