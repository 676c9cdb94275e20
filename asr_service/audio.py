"""Decode any audio or video file PyAV (FFmpeg) can read into 16 kHz mono float32.

Whisper, VAD and the speaker models all want 16 kHz mono. Bad input must say what is wrong:
missing, empty, not audio, corrupt or truncated files raise :class:`AudioError` with a message a
clerk can act on.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

SAMPLE_RATE = 16_000
TRUNCATION_TOLERANCE = 0.9  # decoded/declared duration below this means the file was cut short


class AudioError(ValueError):
    """The input cannot be used as audio; the message says why."""


def decode_audio(
    source: str | Path | bytes | BinaryIO,
    *,
    sampling_rate: int = SAMPLE_RATE,
    allow_truncated: bool = False,
) -> np.ndarray:
    """Decode ``source`` (path, bytes or file object) to mono float32 at ``sampling_rate``.

    Raises AudioError for missing, empty, non-audio, corrupt and (unless ``allow_truncated``)
    truncated inputs.
    """
    name = str(source) if isinstance(source, str | Path) else "<stream>"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"{name}: file not found")
        if path.is_dir():
            raise AudioError(f"{name}: is a folder, not an audio file")
        if path.stat().st_size == 0:
            raise AudioError(f"{name}: file is empty (0 bytes)")
    elif isinstance(source, bytes):
        if not source:
            raise AudioError("audio payload is empty (0 bytes)")
        source = io.BytesIO(source)

    try:
        container = av.open(source if not isinstance(source, Path) else str(source), mode="r")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise AudioError(f"{name}: not a readable audio/video file ({_reason(exc)})") from exc

    with container:
        if not container.streams.audio:
            raise AudioError(f"{name}: contains no audio stream")
        stream = container.streams.audio[0]
        declared = _wav_header_duration(source) or _declared_duration(container, stream)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=sampling_rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except (av.error.FFmpegError, ValueError) as exc:
            if not chunks:
                raise AudioError(f"{name}: corrupt audio data ({_reason(exc)})") from exc
            if not allow_truncated:
                got = sum(c.size for c in chunks) / sampling_rate
                raise AudioError(
                    f"{name}: corrupt or truncated after {got:.1f} s ({_reason(exc)})"
                ) from exc

    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    if samples.size == 0:
        raise AudioError(f"{name}: no audio samples could be decoded (empty or corrupt)")
    audio = samples.astype(np.float32) / 32768.0
    got = audio.size / sampling_rate
    if (
        declared
        and not allow_truncated
        and got < declared * TRUNCATION_TOLERANCE
        and declared - got > 0.5
    ):
        raise AudioError(
            f"{name}: truncated: header announces {declared:.1f} s but only {got:.1f} s decode"
        )
    return audio


def pcm16_to_float(payload: bytes) -> np.ndarray:
    """Raw little-endian PCM16 mono bytes to float32 samples (odd byte counts are an error)."""
    if len(payload) % 2:
        raise AudioError(f"PCM16 payload has an odd number of bytes ({len(payload)})")
    return np.frombuffer(payload, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(audio: np.ndarray) -> bytes:
    """float32 samples in [-1, 1] to little-endian PCM16 bytes."""
    clipped = np.clip(audio, -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


def write_wav(path: str | Path, audio: np.ndarray, sampling_rate: int = SAMPLE_RATE) -> Path:
    """Write mono float32 audio as a 16-bit WAV file."""
    import wave

    path = Path(path)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sampling_rate)
        wav.writeframes(float_to_pcm16(audio))
    return path


def _wav_header_duration(source: str | Path | BinaryIO) -> float:
    """Duration a PCM WAV header announces (FFmpeg trusts the file size instead, hiding cuts)."""
    import wave

    try:
        if isinstance(source, str | Path):
            with wave.open(str(source), "rb") as wav:
                return wav.getnframes() / wav.getframerate()
        pos = source.tell()
        try:
            source.seek(0)
            with wave.open(source, "rb") as wav:  # type: ignore[arg-type]
                return wav.getnframes() / wav.getframerate()
        finally:
            source.seek(pos)
    except (wave.Error, EOFError, OSError, AttributeError, ValueError, ZeroDivisionError):
        return 0.0


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
