"""Short encoder windows for live decodes: the encoder sees the window, the text is still right."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from faster_whisper import WhisperModel

from asr_service.asr import LIVE_WINDOW_MARGIN_S, live_window_s
from asr_service.audio import SAMPLE_RATE
from asr_service.hallucinations import normalise


def test_live_window_is_the_audio_plus_trailing_padding() -> None:
    assert live_window_s(3.0, 15.0) == 3.0 + LIVE_WINDOW_MARGIN_S
    assert live_window_s(0.4, 15.0) == 6.0  # rounded up to whole seconds
    assert live_window_s(15.0 - LIVE_WINDOW_MARGIN_S, 15.0) == 15.0
    assert live_window_s(10.5, 15.0) is None  # too long: the full 30 s window
    assert live_window_s(3.0, 0.0) is None  # short windows off


@pytest.fixture
def encoded_frames(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Frame counts the Whisper encoder received during the test."""
    seen: list[int] = []
    original = WhisperModel.encode

    def spy(self: Any, features: np.ndarray) -> Any:
        seen.append(features.shape[-1])
        return original(self, features)

    monkeypatch.setattr(WhisperModel, "encode", spy)
    return seen


def test_short_window_encodes_less_and_transcribes_the_same_words(
    transcriber: Any, french_speech: np.ndarray, encoded_frames: list[int]
) -> None:
    # "Bonjour à tous. J'ouvre la réunion du comité de pilotage…", cut after "pilotage"
    opening = french_speech[: int(4.0 * SAMPLE_RATE)]
    model = transcriber.model

    def words(window: float | None) -> set[str]:
        with model.encoder_window(window):
            segments, _ = model.transcribe(
                opening,
                language="fr",
                beam_size=1,
                temperature=0.0,
                vad_filter=False,
                no_speech_threshold=None,  # as live decodes (the VAD found speech)
            )
            return set(normalise(" ".join(s.text for s in segments)).split())

    full = words(None)
    assert encoded_frames[-1] == 3000
    short = words(15.0)
    assert encoded_frames[-1] == 1500
    assert {"bonjour", "tous", "réunion", "comité"} <= short & full, (short, full)
    # outside the context manager the model is back to Whisper's 30 s window
    words(None)
    assert encoded_frames[-1] == 3000
