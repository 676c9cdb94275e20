"""Who said which words: speaker turns applied to a transcript, and the ways of naming speakers.

- :func:`attribute_speakers` gives every word the speaker whose turns overlap it most, splits
  segments where the speaker changes (single stray words are smoothed away first), and fills
  ``transcript.speakers`` in order of first appearance.
- :func:`diarize_tracks` handles meetings recorded one track per participant: each track's
  speech is its owner's, no clustering needed.
- :func:`map_clusters_to_names` names anonymous clusters from the voice-activity timings a
  meeting backend reports per participant (largest overlap first, one name per cluster).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from asr_service.transcript import Segment, Speaker, Transcript, Word
from diarization.turns import SpeakerTurn, merge_adjacent, speakers_in_order
from diarization.vad import clean_regions, speech_regions

SAMPLE_RATE = 16_000
NEAREST_TURN_MAX_GAP = 1.0  # seconds: a word outside every turn takes a turn this close
STRAY_WORD_MAX = 0.5  # seconds: a lone word of another speaker shorter than this is smoothed


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


class _TurnIndex:
    """Speaker lookup for time spans over sorted turns."""

    def __init__(self, turns: list[SpeakerTurn]):
        self.turns = sorted(turns, key=lambda t: (t.start, t.end))
        self.starts = np.array([t.start for t in self.turns])
        self.max_len = max((t.duration for t in self.turns), default=0.0)

    def speaker(self, start: float, end: float) -> str | None:
        """The speaker talking most during ``[start, end]``, else the nearest one within 1 s."""
        if not self.turns:
            return None
        lo = int(np.searchsorted(self.starts, start - self.max_len, side="left"))
        hi = int(np.searchsorted(self.starts, end, side="right"))
        totals: dict[str, float] = {}
        for turn in self.turns[lo:hi]:
            ov = _overlap(start, end, turn.start, turn.end)
            if ov > 0:
                totals[turn.speaker] = totals.get(turn.speaker, 0.0) + ov
        if totals:
            return max(totals, key=lambda s: totals[s])
        mid = (start + end) / 2
        nearest = min(
            self.turns[max(0, lo - 1) : hi + 1] or self.turns,
            key=lambda t: min(abs(t.start - mid), abs(t.end - mid)),
        )
        if min(abs(nearest.start - mid), abs(nearest.end - mid)) <= NEAREST_TURN_MAX_GAP:
            return nearest.speaker
        return None


def _smooth_words(words: list[Word], speakers: list[str | None]) -> list[str | None]:
    """Fill unknown speakers from neighbours; a short lone word between one speaker takes it."""
    out = list(speakers)
    for i, spk in enumerate(out):  # unknown -> previous known
        if spk is None and i > 0:
            out[i] = out[i - 1]
    for i in range(len(out) - 2, -1, -1):  # leading unknowns -> next known
        if out[i] is None:
            out[i] = out[i + 1]
    for i in range(1, len(out) - 1):
        if (
            out[i] != out[i - 1]
            and out[i - 1] == out[i + 1]
            and words[i].end - words[i].start < STRAY_WORD_MAX
        ):
            out[i] = out[i - 1]
    return out


def _join_words(words: list[Word]) -> str:
    """Segment text from its words (faster-whisper words carry their leading space)."""
    return "".join(w.word for w in words).strip()


def attribute_speakers(
    transcript: Transcript,
    turns: list[SpeakerTurn],
    *,
    names: dict[str, str] | None = None,
) -> Transcript:
    """A copy of ``transcript`` with speakers on words and segments, and ``speakers`` filled.

    Segments are split where the speaker changes inside them; a split piece that continues the
    previous segment's speaker without a pause is merged back into it. Segment ids are
    renumbered 0.. in time order (unique and ordered). ``names`` maps speaker labels to display
    names (``Speaker.name``); the labels themselves stay as the turns give them.
    """
    names = names or {}
    index = _TurnIndex(turns)
    pieces: list[Segment] = []
    for segment in transcript.segments:
        if not segment.words:
            speaker = index.speaker(segment.start, segment.end)
            pieces.append(segment.model_copy(update={"speaker": speaker}, deep=True))
            continue
        words = [w.model_copy() for w in segment.words]
        speakers = _smooth_words(words, [index.speaker(w.start, w.end) for w in words])
        runs: list[list[int]] = []
        for i, spk in enumerate(speakers):
            if runs and speakers[runs[-1][-1]] == spk:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            run_words = [words[i].model_copy(update={"speaker": speakers[i]}) for i in run]
            if len(runs) == 1:
                start, end = segment.start, segment.end
            else:
                start, end = run_words[0].start, run_words[-1].end
            piece = segment.model_copy(
                update={
                    "start": start,
                    "end": end,
                    "text": segment.text if len(runs) == 1 else _join_words(run_words),
                    "words": run_words,
                    "speaker": speakers[run[0]],
                },
                deep=True,
            )
            if (
                len(runs) > 1
                and pieces
                and pieces[-1].speaker == piece.speaker
                and run is runs[0]
                and piece.start - pieces[-1].end < 0.3
                and pieces[-1].words
            ):
                prev = pieces[-1]
                merged_words = prev.words + run_words
                pieces[-1] = prev.model_copy(
                    update={
                        "end": piece.end,
                        "words": merged_words,
                        "text": _join_words(merged_words),
                    }
                )
            else:
                pieces.append(piece)
    pieces.sort(key=lambda s: (s.start, s.end))
    for i, piece in enumerate(pieces):
        piece.id = i
    order = [s.speaker for s in pieces if s.speaker is not None]
    labels = list(dict.fromkeys(order))
    speakers = [Speaker(id=label, name=names.get(label)) for label in labels]
    return transcript.model_copy(update={"segments": pieces, "speakers": speakers}, deep=True)


def diarize_tracks(
    tracks: dict[str, np.ndarray],
    *,
    vad: Callable[[np.ndarray], list[tuple[float, float]]] = speech_regions,
    min_duration: float = 0.2,
) -> list[SpeakerTurn]:
    """Turns of a meeting recorded one track per participant, labelled with the track's name.

    Each track's speech regions (VAD) are its owner's turns; where two people talk at once both
    turns are kept (overlap). Tracks must be 16 kHz mono float audio on a common time line.
    """
    turns: list[SpeakerTurn] = []
    for name, audio in tracks.items():
        audio = np.asarray(audio)
        if audio.ndim != 1 or not np.issubdtype(audio.dtype, np.floating):
            raise ValueError(
                f"track {name!r}: expected 1-D float audio, got {audio.dtype}{audio.shape}"
            )
        duration = len(audio) / SAMPLE_RATE
        for start, end in clean_regions(vad(audio), duration, min_duration):
            turns.append(SpeakerTurn(start, end, name))
    return sorted(turns, key=lambda t: (t.start, t.end))


def map_clusters_to_names(
    turns: list[SpeakerTurn],
    activity: dict[str, list[tuple[float, float]]],
    *,
    min_overlap: float = 0.5,
) -> dict[str, str]:
    """``{label: name}`` from per-participant voice-activity timings of the meeting backend.

    Each cluster gets the participant whose reported activity overlaps its turns most (pairs
    taken largest overlap first, one name per cluster and one cluster per name); a pair that
    shares less than ``min_overlap`` seconds is not a match.
    """
    labels = speakers_in_order(turns)
    names = list(activity)
    if not labels or not names:
        return {}
    overlap = np.zeros((len(labels), len(names)))
    for turn in merge_adjacent(turns):
        i = labels.index(turn.speaker)
        for j, name in enumerate(names):
            overlap[i, j] += sum(_overlap(turn.start, turn.end, s, e) for s, e in activity[name])
    mapping: dict[str, str] = {}
    for flat in np.argsort(-overlap, axis=None):
        i, j = np.unravel_index(flat, overlap.shape)
        if overlap[i, j] < min_overlap:
            break
        if labels[i] in mapping or names[j] in mapping.values():
            continue
        mapping[labels[i]] = names[j]
    return mapping
