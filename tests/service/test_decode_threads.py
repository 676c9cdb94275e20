"""How many CPU threads each Whisper model gets: the live replicas share the decode threads out
instead of each taking all of them (oversubscribed cores slow every decode under load)."""

from __future__ import annotations

from asr_service.config import Settings


def test_live_replicas_share_the_decode_threads_out() -> None:
    assert Settings(cpu_threads=2, model_workers=2).resolved_live_cpu_threads == 1
    assert Settings(cpu_threads=8, model_workers=2).resolved_live_cpu_threads == 4
    assert Settings(cpu_threads=1, model_workers=2).resolved_live_cpu_threads == 1  # never 0


def test_an_operator_may_set_the_live_threads_and_the_file_model_keeps_all() -> None:
    settings = Settings(cpu_threads=4, model_workers=2, live_cpu_threads=3)
    assert settings.resolved_live_cpu_threads == 3
    assert settings.resolved_cpu_threads == 4
