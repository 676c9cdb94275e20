"""Batched live decoding on the real base model: several utterances in one pass give what each
gives alone, on the short encoder window of the longest, with words inside their own audio."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from faster_whisper import WhisperModel

from asr_service.audio import SAMPLE_RATE
from asr_service.bus.schemas import MeetingStarted
from asr_service.streaming import DecodeContext, DecodeRequest, LiveDecoding, live_decoder
from tests.conftest import SENTENCE_MAX_CER, cer
from tests.data.generate_samples import MEETING

from .conftest import bus_settings

SENTENCES = (0, 1, 3)
"""Sample sentences of at most 7 s (the VAD's first, second and fourth regions)."""


@pytest.fixture(scope="module")
def utterances(transcriber: Any, french_speech: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """(audio, script text) of three sentences of the shipped sample, cut at VAD regions."""
    regions = transcriber.vad_regions(french_speech)
    assert len(regions) == len(MEETING), regions
    return [
        (
            french_speech[int(regions[i][0] * SAMPLE_RATE) : int(regions[i][1] * SAMPLE_RATE)],
            MEETING[i][1],
        )
        for i in SENTENCES
    ]


@pytest.fixture
def encoded_frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(batch, frames) of each encoder call during the test."""
    seen: list[tuple[int, int]] = []
    original = WhisperModel.encode

    def spy(self: Any, features: np.ndarray) -> Any:
        seen.append((features.shape[0], features.shape[-1]))
        return original(self, features)

    monkeypatch.setattr(WhisperModel, "encode", spy)
    return seen


def test_a_batch_decodes_each_utterance_as_alone_on_one_short_window(
    transcriber: Any, utterances: list[tuple[np.ndarray, str]], encoded_frames: list
) -> None:
    live = LiveDecoding(transcriber, encoder_window_s=15.0)
    alone = [live.decode([audio])[0] for audio, _ in utterances]
    together = live.decode([audio for audio, _ in utterances])
    longest = max(len(audio) for audio, _ in utterances) / SAMPLE_RATE
    assert encoded_frames[-1] == (3, 100 * live.window_s(longest))  # one encoder call
    assert live.window_s(longest) < 15.0
    for (audio, script), one, batched in zip(utterances, alone, together, strict=True):
        assert cer(script, batched.text) < SENTENCE_MAX_CER, (script, batched.text)
        assert cer(one.text, batched.text) < 0.25, (one.text, batched.text)
        duration = len(audio) / SAMPLE_RATE
        assert batched.words, batched.text
        assert all(0.0 <= w.start <= w.end <= duration for w in batched.words)
        assert batched.words[-1].end > duration / 2  # the words span the utterance


def test_live_decoder_returns_segments_in_meeting_time_and_skips_words_for_partials(
    transcriber: Any, utterances: list[tuple[np.ndarray, str]]
) -> None:
    decode_many = live_decoder(transcriber, encoder_window_s=15.0)
    (first, _), (second, _), _ = utterances
    committed, partial = decode_many(
        [
            DecodeRequest(audio=first, offset=100.0, words=True),
            DecodeRequest(audio=second, offset=200.0, words=False),
        ]
    )
    assert len(committed) == 1 and committed[0].words
    assert 100.0 <= committed[0].start < committed[0].end <= 100.0 + len(first) / SAMPLE_RATE
    assert all(100.0 <= w.start <= w.end for w in committed[0].words)
    # a pass that contains a commit aligns words for all; a partial alone does not
    (partial_alone,) = decode_many([DecodeRequest(audio=second, offset=200.0, words=False)])
    assert len(partial_alone) == 1 and not partial_alone[0].words
    assert partial_alone[0].start == 200.0
    assert partial_alone[0].end == pytest.approx(200.0 + len(second) / SAMPLE_RATE, abs=0.01)
    assert cer(partial[0].text, partial_alone[0].text) < 0.25
    # a VAD blip too short to decode gives no segment and does not disturb the others
    blip, full = decode_many(
        [
            DecodeRequest(audio=np.zeros(800, dtype=np.float32), offset=0.0),
            DecodeRequest(audio=first, offset=100.0),
        ]
    )
    assert blip == [] and full and cer(committed[0].text, full[0].text) < 0.25
    assert decode_many([]) == []


def test_live_decodes_do_not_wait_for_a_whole_file_transcription(
    transcriber: Any, french_speech: np.ndarray, utterances: list[tuple[np.ndarray, str]]
) -> None:
    """An end-of-meeting pass holds the transcriber for the whole recording: live decodes of the
    worker's other meetings run beside it, on the live model's replicas (ASR_MODEL_WORKERS)."""
    assert transcriber.settings.model_workers >= 2
    decode_many = live_decoder(transcriber, encoder_window_s=15.0)
    audio, script = utterances[0]
    final_pass = threading.Thread(target=transcriber.transcribe, args=(french_speech,))
    final_pass.start()
    try:
        time.sleep(0.2)
        assert transcriber.lock.locked()  # the whole-file pass is running
        (segments,) = decode_many([DecodeRequest(audio=audio, offset=0.0)])
        assert final_pass.is_alive()  # the live decode finished first
    finally:
        final_pass.join()
    assert segments and cer(script, segments[0].text) < SENTENCE_MAX_CER


def test_requests_decode_with_their_meetings_language_and_vocabulary(
    transcriber: Any, utterances: list[tuple[np.ndarray, str]], encoded_frames: list
) -> None:
    """A pass mixing meetings decodes each request with its meeting's prompt: requests sharing
    one batch together, a meeting with its own vocabulary in its own batch (CTranslate2 batches
    only prompts of one shape), and an unknown or ``auto`` language on the default language."""
    live = LiveDecoding(transcriber, language="fr", encoder_window_s=15.0)
    terms = ("Madame Martin", "numérisation")
    plain, english = DecodeContext("fr"), DecodeContext("en")
    assert live.resolve(DecodeContext("auto")) == plain == live.resolve(DecodeContext("xx"))
    assert live.resolve(None) == plain
    assert live.resolve(DecodeContext("fr", terms)).vocabulary == terms

    def prompt_text(context: DecodeContext) -> str:
        prompt = live.prompt(live.resolve(context))
        return prompt.tokenizer.tokenizer.decode(prompt.tokens, skip_special_tokens=False)

    assert "<|en|>" in prompt_text(english) and "<|fr|>" not in prompt_text(english)
    assert "Madame Martin" in prompt_text(DecodeContext("fr", terms))
    assert "Madame" not in prompt_text(plain)

    audios = [audio for audio, _ in utterances]
    # the primed request is the sentence that says "numérisation": primed with names it does not
    # say, Whisper may open a sentence with them ("Madame Martin, …" on the second, CER 0.60)
    contexts = [DecodeContext("fr", terms), plain, DecodeContext("auto")]
    encoded_frames.clear()
    decoded = live.decode(audios, contexts=contexts)
    # the two plain requests in one batch, the primed one in its own (and once more on the plain
    # prompt if Whisper gave up on it: the next test)
    assert sorted(batch for batch, _ in encoded_frames[:2]) == [1, 2]
    assert [batch for batch, _ in encoded_frames[2:]] in ([], [1])
    alone = [live.decode([a], contexts=[c])[0] for a, c in zip(audios, contexts, strict=True)]
    for (_, script), together, one in zip(utterances, decoded, alone, strict=True):
        assert cer(script, together.text) < SENTENCE_MAX_CER, (script, together.text)
        assert cer(one.text, together.text) < 0.25, (one.text, together.text)


def test_a_decode_the_vocabulary_prompt_fails_is_decoded_again_without_it(
    transcriber: Any, utterances: list[tuple[np.ndarray, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whisper primed with terms unrelated to the speech sometimes gives up (no text): the live
    pass decodes once, so such a request is decoded again on the plain prompt, and only those."""
    live = LiveDecoding(transcriber, encoder_window_s=15.0)
    terms = ("prestataire", "bon de commande")
    primed = live.prompt(live.resolve(DecodeContext("fr", terms)))
    real_batch = live._batch
    calls: list[tuple[int, bool]] = []

    def batch(audios: list[np.ndarray], words: bool, prompt: Any) -> list[Any]:
        calls.append((len(audios), prompt is primed))
        out = real_batch(audios, words, prompt)
        if prompt is primed:  # the primed decode gives up on the first audio, not the second
            out[0] = dataclasses.replace(out[0], text="", words=[])
            out[1] = dataclasses.replace(out[1], avg_logprob=-0.2)
        return out

    monkeypatch.setattr(live, "_batch", batch)
    audios = [audio for audio, _ in utterances[:2]]
    first, second = live.decode(audios, contexts=[DecodeContext("fr", terms)] * 2)
    assert calls == [(2, True), (1, False)]  # one batch primed, the failed audio again plain
    assert cer(utterances[0][1], first.text) < SENTENCE_MAX_CER, first.text
    assert cer(utterances[1][1], second.text) < SENTENCE_MAX_CER, second.text


async def test_a_worker_primes_live_decodes_with_the_meetings_language_and_asked_vocabulary(
    tmp_path: Path, nats_url: str, start_worker: Any
) -> None:
    meta = MeetingStarted(meeting_id="m-1", language="en", vocabulary=["Cerfa", "DINUM"])
    bare = MeetingStarted(meeting_id="m-2")
    service_terms = {"vocabulary": ["ANTS"]}
    plain = await start_worker(bus_settings(tmp_path / "plain", nats_url, **service_terms))
    assert plain.live_context(meta) == DecodeContext("en", ())
    assert plain.live_context(bare) == DecodeContext("fr", ())  # not even the service's terms
    primed = await start_worker(
        bus_settings(tmp_path / "primed", nats_url, live_vocabulary=True, **service_terms)
    )
    assert primed.live_context(meta) == DecodeContext("en", ("Cerfa", "DINUM"))
    assert primed.live_context(bare) == DecodeContext("fr", ("ANTS",))


def test_live_guard_removals_are_tallied_by_reason(transcriber: Any) -> None:
    """A caption the guards remove is counted (and its audio time summed) under its reason, so
    the worker's metrics show live speech the guards ate; kept captions are not counted."""
    from asr_service.transcript import Segment

    live = LiveDecoding(transcriber)
    credit = Segment(id=0, start=1.0, end=3.5, text="Sous-titrage ST' 501", avg_logprob=-0.2)
    silent = Segment(id=1, start=5.0, end=6.0, text="Merci.", avg_logprob=-1.5, no_speech_prob=0.95)
    speech = Segment(id=2, start=7.0, end=9.0, text="Bonjour à tous.", avg_logprob=-0.3)
    kept = live.clean([credit, silent, speech])
    assert [s.text for s in kept] == ["Bonjour à tous."]
    assert live.removed.snapshot() == {"blocklisted": (1, 2.5), "no_speech": (1, 1.0)}


def test_a_live_decode_may_write_its_whole_token_cap(
    transcriber: Any, utterances: list[tuple[np.ndarray, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CTranslate2 writes at most half of ``max_length`` tokens: the live pass once asked for
    prompt + cap and got half its cap, cutting fast speech short. With a cap of 24 tokens on a
    7 s sentence (more than 24 tokens of speech) the decode now stops at 24, not 14."""
    import asr_service.streaming.decoding as decoding

    monkeypatch.setattr(decoding, "token_cap", lambda audio_s: 24)
    live = LiveDecoding(transcriber)
    written: list[int] = []
    inner = live.model.model

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(inner, name)

        def generate(self, *args: Any, **kwargs: Any) -> Any:
            results = inner.generate(*args, **kwargs)
            written.extend(len(r.sequences_ids[0]) for r in results)
            return results

    monkeypatch.setattr(live.model, "model", Spy())
    audio, _ = utterances[0]
    live.decode([audio])
    assert written == [24]
