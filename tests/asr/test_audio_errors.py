"""Bad audio gets a clear error; odd-but-valid audio is converted to 16 kHz mono."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from asr_service.audio import AudioError, decode_audio, pcm16_to_float, write_wav


def _tone(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"this is a text file, not audio\n" * 20, "not a readable audio"),
        (
            bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)),
            "not a readable audio",
        ),
    ],
    ids=["empty", "text", "random-bytes"],
)
def test_unusable_files_raise_a_clear_error(tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "input.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=expected):
        decode_audio(path)


def test_missing_file_and_folder_are_named(tmp_path: Path):
    with pytest.raises(AudioError, match="not found"):
        decode_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="folder"):
        decode_audio(tmp_path)


def test_truncated_wav_is_reported(tmp_path: Path):
    full = write_wav(tmp_path / "full.wav", _tone(4.0, 16_000))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    with pytest.raises(AudioError, match="truncated"):
        decode_audio(cut)
    # callers that prefer partial audio (live recovery) can still get what is there
    partial = decode_audio(cut, allow_truncated=True)
    assert 1.0 < len(partial) / 16_000 < 2.0


def test_video_container_without_audio_is_rejected(tmp_path: Path):
    path = tmp_path / "video.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height = 32, 32
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(AudioError, match="no audio stream"):
        decode_audio(path)


def test_other_rates_and_stereo_are_resampled_to_16k_mono(tmp_path: Path):
    path = tmp_path / "stereo44.wav"
    tone = _tone(2.0, 44_100)
    stereo = np.stack([tone, tone], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44_100)
        w.writeframes((stereo * 32767).astype("<i2").tobytes())
    audio = decode_audio(path)
    assert audio.dtype == np.float32
    assert abs(len(audio) / 16_000 - 2.0) < 0.05


def test_bytes_input_and_raw_pcm(tmp_path: Path):
    path = write_wav(tmp_path / "a.wav", _tone(1.0, 16_000))
    assert abs(len(decode_audio(path.read_bytes())) - 16_000) < 200
    with pytest.raises(AudioError, match="empty"):
        decode_audio(b"")
    with pytest.raises(AudioError, match="odd number of bytes"):
        pcm16_to_float(b"\x00\x01\x02")
