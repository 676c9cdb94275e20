"""Behaviour of the real Whisper base model behind our guards, on shipped French speech."""

from __future__ import annotations

import numpy as np

from asr_service.audio import SAMPLE_RATE
from asr_service.hallucinations import normalise
from tests.conftest import SAMPLE_KEYWORDS, SAMPLE_MAX_CER, cer, sample_script


def test_transcript_is_french_with_expected_keywords(sample_transcript):
    assert sample_transcript.language == "fr"
    text = normalise(sample_transcript.text)
    assert cer(sample_script(), text) < SAMPLE_MAX_CER, text
    found = [k for k in SAMPLE_KEYWORDS if k in text]
    assert len(found) >= 2, f"expected keywords {SAMPLE_KEYWORDS} in {text!r}"


def test_timestamps_are_monotonic_and_inside_the_audio(sample_transcript, french_speech):
    duration = len(french_speech) / SAMPLE_RATE
    segs = sample_transcript.segments
    assert len(segs) >= 3
    assert [s.id for s in segs] == list(range(len(segs)))
    for prev, seg in zip(segs, segs[1:], strict=False):
        assert seg.start >= prev.start
    for seg in segs:
        assert 0 <= seg.start < seg.end <= duration + 0.05
        assert seg.words, "word timestamps are on by default"
        for w in seg.words:
            assert seg.start - 0.05 <= w.start <= w.end <= seg.end + 0.05
            assert 0.0 <= w.probability <= 1.0


def test_silence_gives_an_empty_transcript_not_invented_text(transcriber):
    silence = np.zeros(SAMPLE_RATE * 15, dtype=np.float32)
    assert transcriber.transcribe(silence).segments == []
    # Even with VAD off, the no-speech / blocklist guards must keep silence empty.
    assert transcriber.transcribe(silence, vad=False).segments == []


def test_low_noise_gives_no_text(transcriber):
    rng = np.random.default_rng(0)
    noise = (rng.standard_normal(SAMPLE_RATE * 10) * 0.003).astype(np.float32)
    assert transcriber.transcribe(noise).segments == []


def test_vocabulary_helps_names_without_echoing_the_list(transcriber, french_speech):
    vocab = ["Madame Martin", "numérisation", "prestataire", "tranche"]
    result = transcriber.transcribe(french_speech, vocabulary=vocab)
    text = normalise(result.text)
    assert "martin" in text
    assert result.settings["hotwords"] == ", ".join(vocab)
    # the primed list itself must never come out as a segment
    assert not any(normalise(", ".join(vocab)) in normalise(s.text) for s in result.segments)


def test_language_detection_finds_french(transcriber, french_speech):
    result = transcriber.transcribe(french_speech, language="auto")
    assert result.language == "fr"
    assert result.language_probability is not None and result.language_probability > 0.5


def test_language_detection_reuses_the_speech_found_by_the_vad(
    transcriber, french_speech, monkeypatch
):
    """With language=auto the VAD runs once (on the levelled copy) and detection listens to the
    speech it found; faster-whisper's own VAD is not run again on the raw audio."""
    import faster_whisper.transcribe as fw

    import asr_service.asr as asr

    calls = {"ours": 0, "faster_whisper": 0}

    def counting(name, original):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(asr, "get_speech_timestamps", counting("ours", asr.get_speech_timestamps))
    monkeypatch.setattr(
        fw, "get_speech_timestamps", counting("faster_whisper", fw.get_speech_timestamps)
    )
    result = transcriber.transcribe(french_speech, language="auto")
    assert result.language == "fr"
    assert calls == {"ours": 1, "faster_whisper": 0}


def test_offset_shifts_times_into_meeting_time(transcriber, french_speech):
    piece = french_speech[: SAMPLE_RATE * 7]
    shifted = transcriber.transcribe(piece, offset=100.0)
    assert shifted.segments and all(s.start >= 100.0 for s in shifted.segments)
