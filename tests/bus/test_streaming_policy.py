"""The streaming policy with small deterministic fakes (energy VAD, grid decoder): fast checks
of segmentation, commits, LocalAgreement and the bounds on buffer and decode length."""

from __future__ import annotations

import numpy as np
import pytest

from asr_service.streaming import StreamingPolicy, UtteranceStream, agreed_prefix
from asr_service.transcript import Segment, Word

SR = 16000


def energy_vad(audio: np.ndarray, merge_s: float = 0.5) -> list[tuple[float, float]]:
    """Speech = 10 ms frames above an energy threshold, merged across pauses < ``merge_s``."""
    frames = len(audio) // 160
    loud = [np.abs(audio[i * 160 : (i + 1) * 160]).mean() > 0.05 for i in range(frames)]
    regions: list[list[float]] = []
    for i, on in enumerate(loud):
        if not on:
            continue
        t = i * 0.01
        if regions and t - regions[-1][1] < merge_s:
            regions[-1][1] = t + 0.01
        else:
            regions.append([t, t + 0.01])
    return [(a, b) for a, b in regions]


class GridDecoder:
    """Word k covers [k/2, k/2 + 0.4) of absolute time, recognised where the audio is loud."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(
        self, audio: np.ndarray, offset: float, words_wanted: bool = True
    ) -> list[Segment]:
        self.calls.append(len(audio) / SR)
        words = []
        k = int(np.ceil(offset * 2))
        while k / 2 + 0.4 <= offset + len(audio) / SR:
            a = int((k / 2 - offset) * SR)
            if np.abs(audio[a : a + int(0.4 * SR)]).mean() > 0.05:
                words.append(Word(start=k / 2, end=k / 2 + 0.4, word=f" w{k}"))
            k += 1
        if not words:
            return []
        text = "".join(w.word for w in words).strip()
        return [Segment(id=0, start=words[0].start, end=words[-1].end, text=text, words=words)]


def tone(seconds: float) -> np.ndarray:
    return (0.3 * np.sign(np.sin(np.arange(int(seconds * SR)) / 5))).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def play(stream: UtteranceStream, audio: np.ndarray, chunk_s: float = 0.1) -> list:
    """Push audio chunk by chunk, stepping like the worker does; returns step results."""
    results = []
    step = int(chunk_s * SR)
    for i in range(0, len(audio), step):
        stream.push(audio[i : i + step])
        if stream.wants_plan():
            plan = stream.plan()
            if plan.action != "none":
                results.append(stream.execute(plan))
    return results


def committed_words(results: list) -> list[str]:
    return [w.word.strip() for r in results for s in r.committed for w in s.words]


def test_utterance_is_committed_when_it_ends() -> None:
    decoder = GridDecoder()
    stream = UtteranceStream(decoder, energy_vad, speaker="Alice")
    audio = np.concatenate([silence(0.5), tone(2.0), silence(1.0), tone(2.0), silence(1.0)])
    results = play(stream, audio)
    commits = [r for r in results if r.action == "commit"]
    assert len(commits) == 2
    first = commits[0].committed[0]
    assert first.speaker == "Alice" and first.words[0].speaker == "Alice"
    assert [w.word.strip() for w in first.words] == ["w1", "w2", "w3", "w4"]
    assert committed_words(results) == ["w1", "w2", "w3", "w4", "w7", "w8", "w9", "w10"]
    # the commit came within end_silence + one planning interval of the end of speech (2.5 s)
    assert commits[0].cursor < 2.5 + 0.5 + 0.25 + 0.2
    assert any(r.partial is not None for r in results)  # partials while speaking


def test_long_turn_is_committed_phrase_by_phrase_at_short_pauses() -> None:
    decoder = GridDecoder()
    policy = StreamingPolicy(phrase_pause_s=0.25, phrase_after_s=3.0)
    stream = UtteranceStream(decoder, lambda a: energy_vad(a, merge_s=0.2), policy)
    phrase = np.concatenate([tone(1.5), silence(0.3)])
    audio = np.concatenate([phrase] * 6 + [silence(1.0)])  # one 10.8 s turn, breaths of 0.3 s
    results = play(stream, audio)
    commits = [r for r in results if r.action == "commit"]
    # a 0.3 s breath is no utterance end (0.5 s), but commits once 3 s of speech wait
    assert len(commits) >= 3
    assert commits[0].cursor < 4.0, commits[0].cursor  # first commit after the 2nd phrase
    words = committed_words(results)
    numbers = [int(w[1:]) for w in words]
    assert numbers == sorted(set(numbers)), "a word committed twice or out of order"
    # no word said wholly inside a phrase is lost at the cuts (phrase j: [1.8 j, 1.8 j + 1.5))
    inside = {k for k in range(22) for j in range(6) if 1.8 * j <= k / 2 <= 1.8 * j + 1.1}
    assert inside <= set(numbers), sorted(inside - set(numbers))


def test_short_pauses_do_not_split_short_utterances() -> None:
    decoder = GridDecoder()
    stream = UtteranceStream(decoder, lambda a: energy_vad(a, merge_s=0.2))
    audio = np.concatenate([tone(1.0), silence(0.3), tone(1.0), silence(1.0)])  # 2.3 s < 3 s
    commits = [r for r in play(stream, audio) if r.action == "commit"]
    assert len(commits) == 1 and len(decoder.calls) >= 1


def test_long_speech_is_committed_by_agreement_within_the_buffer_bound() -> None:
    decoder = GridDecoder()
    policy = StreamingPolicy(agree_after_s=4.0, max_buffer_s=8.0)
    stream = UtteranceStream(decoder, energy_vad, policy)
    audio = tone(40.0)
    biggest = 0.0
    results = []
    step = int(0.1 * SR)
    for i in range(0, len(audio), step):
        stream.push(audio[i : i + step])
        biggest = max(biggest, stream.buffered_s)
        if stream.wants_plan():
            plan = stream.plan()
            if plan.action != "none":
                results.append(stream.execute(plan))
    assert biggest <= policy.max_buffer_s + 0.2
    assert max(decoder.calls) <= policy.max_buffer_s + 0.01
    words = committed_words(results)
    assert len(words) == len(set(words)), "a word was committed twice"
    numbers = [int(w[1:]) for w in words]
    assert numbers == sorted(numbers) and numbers[0] == 0
    assert numbers[-1] >= 2 * (40 - policy.max_buffer_s) - 2  # most of it is already committed
    while (plan := stream.plan(final=True)).action != "none":
        results.append(stream.execute(plan))
    assert [int(w[1:]) for w in committed_words(results)] == list(range(0, 80))


def test_silence_costs_no_decoding_and_is_dropped() -> None:
    decoder = GridDecoder()
    stream = UtteranceStream(decoder, energy_vad)
    play(stream, silence(20.0))
    assert decoder.calls == []
    assert stream.buffered_s < 1.0
    assert stream.cursor > 19 * SR


def test_stale_plans_are_not_executed() -> None:
    stream = UtteranceStream(GridDecoder(), energy_vad)
    stream.push(np.concatenate([tone(1.0), silence(1.0)]))
    plan = stream.plan()
    assert plan.action == "commit"
    stream.execute(plan)
    assert stream.execute(plan).action == "none"  # same plan again: buffer moved on


def test_agreed_prefix() -> None:
    def words(text: str) -> list[Word]:
        return [Word(start=0, end=0, word=" " + w) for w in text.split()]

    assert agreed_prefix(words("Bonjour à tous"), words("bonjour, à tous les")) == 3
    assert agreed_prefix(words("Bonjour à"), words("Bonsoir à")) == 0
    assert agreed_prefix([], words("a b")) == 0


def test_a_backlog_of_utterances_is_committed_in_one_step_one_decode_each() -> None:
    decoder = GridDecoder()
    stream = UtteranceStream(decoder, energy_vad)
    stream.push(np.concatenate([tone(1.0), silence(1.0), tone(1.0), silence(1.0)]))
    plan = stream.plan()
    assert plan.action == "commit" and len(plan.cuts) == 2
    requests = stream.requests(plan)
    assert [round(r.offset, 2) for r in requests] == [0.0, round(plan.cuts[0] / SR, 2)]
    result = stream.execute(plan)
    assert [w for s in result.committed for w in s.text.split()] == ["w0", "w1", "w4", "w5"]
    assert decoder.calls == [
        pytest.approx(plan.cuts[0] / SR),
        pytest.approx((plan.cuts[1] - plan.cuts[0]) / SR),
    ]
