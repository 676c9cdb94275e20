"""Regenerate the diarization test recordings with espeak-ng (needs `apt-get install espeak-ng`).

Synthetic speech from texts we wrote, two clearly different espeak-ng voices (``fr+m3`` for
"Martin", ``fr+f4`` for "Durand"): no third-party recording is shipped. Writes, beside this file:

- ``track_martin.ogg`` / ``track_durand.ogg``: one track per participant on a common time line
  (each silent while the other speaks); their sum is a two-speaker meeting;
- ``turns.json``: the true speaker turns of that meeting (seconds);
- ``enrol_martin.ogg`` / ``enrol_durand.ogg``: short enrolment clips with other sentences.

Usage, from the repository root: ``python -m tests.diarization.data.generate``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.data.generate_samples import encode_opus, speak

HERE = Path(__file__).parent
SR = 16_000
VOICES = {"Martin": "fr+m3", "Durand": "fr+f4"}
DIALOGUE = [
    ("Martin", "Bonjour, nous commençons le point hebdomadaire sur le chantier de la médiathèque."),
    ("Durand", "Les travaux de toiture sont terminés, il reste la façade et les menuiseries."),
    ("Martin", "Très bien. Quel est le retard estimé pour la livraison des fenêtres ?"),
    ("Durand", "Environ trois semaines, le fournisseur manque de verre feuilleté."),
    ("Martin", "Dans ce cas, nous décalons la réception au mois de mars."),
]
ENROL = {
    "Martin": "Je suis le directeur des services techniques de la commune.",
    "Durand": "Je coordonne les entreprises présentes sur le chantier.",
}
GAP = 0.6  # seconds of silence between turns


def trim(audio: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Audio without its leading and trailing silence (espeak-ng pads both ends)."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


def main() -> None:
    pieces = [(name, trim(speak(VOICES[name], text))) for name, text in DIALOGUE]
    total = int((GAP + sum(len(p) / SR + GAP for _, p in pieces)) * SR)
    tracks = {name: np.zeros(total, dtype=np.float32) for name in VOICES}
    turns, t = [], GAP
    for name, audio in pieces:
        start = int(t * SR)
        tracks[name][start : start + len(audio)] = audio
        turns.append({"start": round(t, 3), "end": round(t + len(audio) / SR, 3), "speaker": name})
        t += len(audio) / SR + GAP
    for name, audio in tracks.items():
        encode_opus(audio, HERE / f"track_{name.lower()}.ogg")
    (HERE / "turns.json").write_text(json.dumps(turns, indent=1) + "\n")
    for name, text in ENROL.items():
        encode_opus(trim(speak(VOICES[name], text)), HERE / f"enrol_{name.lower()}.ogg")


if __name__ == "__main__":
    main()
