"""Regenerate the shipped synthetic French recordings with espeak-ng (needs `apt-get install espeak-ng`).

The audio is synthetic speech produced by espeak-ng from the texts below, which we wrote: no
third-party recording is shipped. Usage: ``python tests/data/generate_samples.py``.

The meeting (``asr_service/data/sample_meeting_fr.ogg``, 36 s) alternates a male voice (``fr+m2``)
and a female one (``fr+f3``) at 150 words a minute, 0.7 s apart, as Ogg/Opus 48 kb/s. Among the
espeak-ng voice pairs tried, this one is the best recognised by Whisper base: its offline
transcript (default settings) scores CER ≈ 0.21 against the texts, and on greedy decoding
(temperature 0) alone gives the same text, so runs are stable. The former pair (``fr+m3`` /
``fr+f4``) scored 0.27-0.41 and fell back to sampling. The two voices are clearly different
speakers for diarization.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import av
import numpy as np

from asr_service.audio import decode_audio

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

MEETING = [
    (
        "fr+m2",
        "Bonjour à tous. J'ouvre la réunion du comité de pilotage sur la numérisation des archives municipales.",
    ),
    (
        "fr+f3",
        "Merci Monsieur le Maire. Le prestataire a livré la première tranche, soit douze mille pages numérisées.",
    ),
    (
        "fr+m2",
        "Très bien. Nous décidons de valider cette première tranche. Madame Martin, pouvez-vous préparer le bon de commande de la deuxième tranche avant le quinze janvier ?",
    ),
    ("fr+f3", "Oui, je m'en charge. Je préparerai le bon de commande avant le quinze janvier."),
    ("fr+m2", "Parfait. Le budget reste fixé à quarante mille euros. La séance est levée."),
]


def speak(voice: str, text: str, speed: int = 150) -> np.ndarray:
    """espeak-ng speech for one sentence as 16 kHz float32."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True
        )
        return decode_audio(wav)


def encode_opus(audio: np.ndarray, path: Path, bitrate: int = 32_000) -> None:
    """Write 16 kHz mono float32 audio as Ogg/Opus (small enough to ship in git)."""
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=48_000, layout="mono")
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(
            (np.clip(audio, -1, 1) * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
        )
        frame.sample_rate = 16_000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for f in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def main() -> None:
    pause = np.zeros(int(0.7 * 16_000), dtype=np.float32)
    parts = [pause]
    for voice, text in MEETING:
        parts += [speak(voice, text), pause]
    encode_opus(
        np.concatenate(parts), ROOT / "asr_service" / "data" / "sample_meeting_fr.ogg", 48_000
    )


if __name__ == "__main__":
    main()
