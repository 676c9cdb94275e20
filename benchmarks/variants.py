"""Harder, deterministic variants of the shared multi-speaker recordings, built with numpy/scipy.

Each variant returns new audio and the reference turns moved to match (only ``pauses`` moves
them). Randomness is seeded from the clip id, so every run builds the same audio:

- ``levels``: each speaker at its own level between −35 and −15 dBFS (first speaker −35, second
  −15, others in between), as when participants sit at different distances from the microphone;
- ``babble``: babble of six other French voices plus pink room noise at 10 dB SNR;
- ``phone``: 8 kHz telephone band (300–3400 Hz) and back to 16 kHz;
- ``reverb``: far-field reverberation (synthetic room response, RT60 0.7 s, direct/reverberant
  ratio about 0 dB);
- ``pauses``: 8 s pauses of room tone inserted at three speaker changes.

The audio of the shared set stays in ``../shared/eval``: variants are built in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import signal

from diarization.turns import SpeakerTurn

SR = 16_000
VARIANTS = ("clean", "levels", "babble", "phone", "reverb", "pauses")
# another draw gives other audio: babble excerpts and noise, the levels of the third speaker
# on, the room's response, the room tone of the pauses (their places are fixed)
RANDOM_VARIANTS = ("levels", "babble", "reverb", "pauses")


def variant_key(clip_id: str, variant: str, draw: int = 0) -> str:
    """``clip/variant`` (``#draw`` after it for draws after the first): the name of one built
    recording in reports, and the seed of its randomness."""
    return f"{clip_id}/{variant}" + (f"#{draw}" if draw else "")


def _rng(clip_id: str, variant: str, draw: int = 0) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(variant_key(clip_id, variant, draw).encode()))


def speech_rms(audio: np.ndarray, turns: list[SpeakerTurn]) -> float:
    """RMS of the audio inside the reference turns (the speech level)."""
    mask = speech_mask(turns, len(audio))
    part = audio[mask] if mask.any() else audio
    return float(np.sqrt(np.mean(part.astype(np.float64) ** 2)) + 1e-12)


def speech_mask(turns: list[SpeakerTurn], n: int) -> np.ndarray:
    """Boolean per sample: inside some reference turn."""
    mask = np.zeros(n, dtype=bool)
    for t in turns:
        mask[int(t.start * SR) : int(t.end * SR)] = True
    return mask


def levels(audio, turns, rng) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Each speaker's turns scaled to that speaker's level (overlaps take the mean gain)."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    targets = {}
    for i, spk in enumerate(speakers):
        targets[spk] = -35.0 if i == 0 else -15.0 if i == 1 else float(rng.uniform(-35, -15))
    gain_sum = np.zeros(len(audio))
    count = np.zeros(len(audio))
    for spk in speakers:
        own = [t for t in turns if t.speaker == spk]
        rms = speech_rms(audio, own)
        g = 10 ** (targets[spk] / 20) / rms
        for t in own:
            a, b = int(t.start * SR), int(t.end * SR)
            gain_sum[a:b] += g
            count[a:b] += 1
    outside = 10 ** (-35 / 20) / speech_rms(audio, turns)  # background follows the quietest
    gain = np.where(count > 0, gain_sum / np.maximum(count, 1), outside)
    ramp = np.hanning(int(0.02 * SR))
    gain = signal.oaconvolve(gain, ramp / ramp.sum(), mode="same")
    return np.clip(audio * gain, -1, 1).astype(np.float32), turns


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f) noise of unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum))
    spectrum /= np.sqrt(np.maximum(f, 1))
    out = np.fft.irfft(spectrum, n)
    return out / (np.sqrt(np.mean(out**2)) + 1e-12)


def babble_source(eval_dir: Path) -> np.ndarray:
    """Six French single-speaker clips of the shared set, concatenated (the babble voices)."""
    from asr_service.audio import decode_audio

    folder = eval_dir / "fr" / "gold"
    files = sorted(folder.glob("fleurs_fr_00*.wav"))[:6] or sorted(folder.glob("*.wav"))[:6]
    return np.concatenate([decode_audio(f) for f in files]) if files else np.zeros(SR)


def babble(audio, turns, rng, voices: np.ndarray) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Six offsets of ``voices`` summed, plus pink noise, at 10 dB SNR below the speech."""
    n = len(audio)
    mix = np.zeros(n)
    for _ in range(6):
        start = int(rng.integers(0, max(1, len(voices) - 1)))
        piece = np.resize(np.roll(voices, -start), n)
        mix += piece / (np.sqrt(np.mean(piece**2)) + 1e-12)
    mix /= np.sqrt(np.mean(mix**2)) + 1e-12
    noise = 0.7 * mix + 0.3 * pink_noise(n, rng)
    noise /= np.sqrt(np.mean(noise**2)) + 1e-12
    noise *= speech_rms(audio, turns) / 10 ** (10 / 20)
    return np.clip(audio + noise, -1, 1).astype(np.float32), turns


def phone(audio, turns, rng) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Telephone band: 300–3400 Hz band-pass, 8 kHz sampling, back to 16 kHz."""
    sos = signal.butter(6, [300, 3400], btype="bandpass", fs=SR, output="sos")
    narrow = signal.resample_poly(signal.sosfiltfilt(sos, audio), 1, 2)
    wide = signal.resample_poly(narrow, 2, 1)[: len(audio)]
    return np.clip(wide, -1, 1).astype(np.float32), turns


def reverb(audio, turns, rng) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Far-field: convolution with an exponentially decaying noise tail (RT60 0.7 s)."""
    length = int(0.8 * SR)
    t = np.arange(length) / SR
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / 0.7)
    tail[: int(0.005 * SR)] = 0.0
    tail *= 1.0 / (np.sqrt(np.sum(tail**2)) + 1e-12)  # reverberant energy ≈ direct energy
    rir = tail
    rir[0] = 1.0
    wet = signal.oaconvolve(audio, rir)[: len(audio)]
    wet *= speech_rms(audio, turns) / speech_rms(wet, turns)
    return np.clip(wet, -1, 1).astype(np.float32), turns


def _speaker_change(ordered: list[SpeakerTurn], at: float) -> bool:
    before = [t for t in ordered if t.end <= at]
    after = [t for t in ordered if t.start >= at]
    return bool(before and after and before[-1].speaker != after[0].speaker)


def pauses(audio, turns, rng, seconds: float = 8.0) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """``seconds`` of faint room tone inserted at up to three speaker changes (turns moved)."""
    ordered = sorted(turns, key=lambda t: t.start)
    gaps = [
        (a.end + b.start) / 2 for a, b in zip(ordered, ordered[1:], strict=False) if b.start > a.end
    ]
    free = [g for g in gaps if not any(t.start < g < t.end for t in turns)]
    changes = [g for g in free if _speaker_change(ordered, g)] or free
    index = np.linspace(0, len(changes) - 1, min(3, len(changes))).astype(int)
    picked = sorted({changes[i] for i in index}) if changes else []
    pieces, last = [], 0
    for cut in picked:
        at = int(cut * SR)
        pieces.append(audio[last:at])
        pieces.append((pink_noise(int(seconds * SR), rng) * 10 ** (-65 / 20)).astype(np.float32))
        last = at
    pieces.append(audio[last:])

    def moved(x: float) -> float:
        return x + seconds * sum(1 for c in picked if c <= x)

    new_turns = [SpeakerTurn(moved(t.start), moved(t.end), t.speaker) for t in turns]
    return np.concatenate(pieces).astype(np.float32), new_turns


def make_variant(
    name: str,
    clip_id: str,
    audio: np.ndarray,
    turns: list[SpeakerTurn],
    *,
    voices: np.ndarray | None = None,
    draw: int = 0,
) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Variant ``name`` of one recording and its reference turns. ``draw`` > 0 gives another
    random draw of the same variant (:data:`RANDOM_VARIANTS`): one noise draw of a short file
    moves its DER by several points, so figures can be averaged over draws."""
    if name == "clean":
        return audio, turns
    rng = _rng(clip_id, name, draw)
    if name == "babble":
        if voices is None:
            raise ValueError("the babble variant needs the babble voices (babble_source)")
        return babble(audio, turns, rng, voices)
    builders: dict[str, Callable] = {
        "levels": levels,
        "phone": phone,
        "reverb": reverb,
        "pauses": pauses,
    }
    if name not in builders:
        raise ValueError(f"unknown variant {name!r}; choose among {', '.join(VARIANTS)}")
    return builders[name](audio, turns, rng)


def stretch_uem(
    uem: list[tuple[float, float]] | None, audio_s: float, variant_s: float
) -> list[tuple[float, float]] | None:
    """The scored regions of a variant: the last region's end moves by the audio added."""
    if not uem:
        return uem
    extra = variant_s - audio_s
    return [*uem[:-1], (uem[-1][0], uem[-1][1] + extra)] if extra > 0 else uem
