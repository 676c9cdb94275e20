"""Segment and word times never fall outside the audio they were decoded from, and a segment
never spans a long silence."""

from __future__ import annotations

from asr_service.asr import clamp_segment, split_at_gaps
from asr_service.transcript import Segment, Word


def _segment(start: float, end: float, words: list[tuple[float, float]]) -> Segment:
    return Segment(
        id=0,
        start=start,
        end=end,
        text="bonjour à tous",
        words=[Word(start=a, end=b, word=f" w{i}") for i, (a, b) in enumerate(words)],
    )


def test_a_segment_past_the_end_of_the_audio_is_clamped_with_its_words() -> None:
    seg = _segment(2.5, 10.24, [(2.5, 2.9), (2.9, 10.24)])
    out = clamp_segment(seg, 0.0, 3.0)
    assert (out.start, out.end) == (2.5, 3.0)
    assert [(w.start, w.end) for w in out.words] == [(2.5, 2.9), (2.9, 3.0)]
    assert out.text == seg.text and seg.end == 10.24  # the input is left as it was


def test_times_before_the_offset_are_raised_to_it() -> None:
    out = clamp_segment(_segment(9.8, 11.0, [(9.8, 10.4)]), 10.0, 20.0)
    assert (out.start, out.end) == (10.0, 11.0)
    assert (out.words[0].start, out.words[0].end) == (10.0, 10.4)


def test_a_segment_within_the_audio_is_returned_unchanged() -> None:
    seg = _segment(1.0, 2.0, [(1.0, 1.5)])
    assert clamp_segment(seg, 0.0, 3.0) is seg


def test_a_segment_decoded_across_distant_speech_chunks_is_split_at_the_gap() -> None:
    seg = _segment(4.21, 28.32, [(4.21, 4.6), (26.3, 26.5), (26.5, 26.9), (27.0, 28.32)])
    pieces = split_at_gaps(seg)
    assert [(p.start, p.end) for p in pieces] == [(4.21, 4.6), (26.3, 28.32)]
    assert [p.text for p in pieces] == ["w0", "w1 w2 w3"]
    assert all(p.avg_logprob == seg.avg_logprob for p in pieces)


def test_a_segment_with_short_pauses_stays_whole() -> None:
    seg = _segment(1.0, 5.0, [(1.0, 1.5), (2.4, 3.0), (4.0, 5.0)])
    assert split_at_gaps(seg) == [seg]
