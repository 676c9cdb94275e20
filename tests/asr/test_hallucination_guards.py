"""The guards against Whisper's failure modes, on hand-made segments (fast, no model)."""

from __future__ import annotations

from asr_service.config import DEFAULT_HALLUCINATIONS
from asr_service.hallucinations import (
    clean_segments,
    collapse_repetitions,
    is_blocklisted,
    is_prompt_echo,
    repeated_context,
    without_repeated_context,
)
from asr_service.transcript import Segment, Word


def _words(text: str) -> list[Word]:
    return [
        Word(start=i * 0.3, end=i * 0.3 + 0.25, word=" " + t) for i, t in enumerate(text.split())
    ]


def _clean(segments, **kw):
    params = dict(
        phrases=DEFAULT_HALLUCINATIONS,
        no_speech_threshold=0.6,
        logprob_threshold=-1.0,
        max_repeats=3,
    )
    params.update(kw)
    return clean_segments(segments, **params)


def test_subtitle_credits_are_blocklisted_but_real_speech_is_kept():
    assert is_blocklisted("Sous-titrage ST' 501", DEFAULT_HALLUCINATIONS)
    assert is_blocklisted("Merci d'avoir regardé !", DEFAULT_HALLUCINATIONS)
    assert not is_blocklisted(
        "Merci d'avoir regardé le dossier, nous passons au vote du budget.", DEFAULT_HALLUCINATIONS
    )
    assert not is_blocklisted("Le conseil municipal est ouvert.", DEFAULT_HALLUCINATIONS)


def test_repetition_loops_are_collapsed_to_one_copy():
    words = _words("nous votons le budget le budget le budget le budget le budget aujourd'hui")
    kept = collapse_repetitions(words, max_repeats=3)
    assert " ".join(w.word.strip() for w in kept) == "nous votons le budget aujourd'hui"
    # a phrase said twice is normal speech and stays
    twice = _words("oui oui d'accord")
    assert len(collapse_repetitions(twice, max_repeats=3)) == 3
    # so is a word said three times; a clause said three times in a row is a loop
    thrice = _words("non non non merci")
    assert len(collapse_repetitions(thrice, max_repeats=3)) == 4
    looped = _words(
        "vous préparez le bon de commande, le bon de commande, le bon de commande. Merci"
    )
    kept = collapse_repetitions(looped, max_repeats=3)
    assert " ".join(w.word.strip() for w in kept) == "vous préparez le bon de commande, Merci"
    said_twice = _words("la fois d'après la fois d'après ça")
    assert len(collapse_repetitions(said_twice, max_repeats=3)) == 7


def test_high_no_speech_low_confidence_segments_are_dropped_and_ids_renumbered():
    segs = [
        Segment(id=0, start=0, end=2, text="Bonjour à tous.", avg_logprob=-0.2, no_speech_prob=0.1),
        Segment(id=1, start=2, end=4, text="Merci.", avg_logprob=-1.5, no_speech_prob=0.9),
        Segment(
            id=2, start=4, end=6, text="Sous-titrage ST' 501", avg_logprob=-0.3, no_speech_prob=0.2
        ),
        Segment(
            id=3, start=6, end=8, text="La séance est levée.", avg_logprob=-0.3, no_speech_prob=0.1
        ),
    ]
    kept, removed = _clean(segs)
    assert [s.text for s in kept] == ["Bonjour à tous.", "La séance est levée."]
    assert [s.id for s in kept] == [0, 1]
    assert {r.reason for r in removed} == {"no_speech", "blocklisted"}
    assert [(r.start, r.end, r.text) for r in removed] == [
        (2, 4, "Merci."),
        (4, 6, "Sous-titrage ST' 501"),
    ]


def test_vocabulary_echo_is_removed():
    vocab = ["Madame Martin", "numérisation", "prestataire", "tranche"]
    assert is_prompt_echo("Madame Martin, numérisation, prestataire, tranche.", vocab)
    assert not is_prompt_echo("Madame Martin présente la tranche deux.", vocab)


def test_real_speech_that_uses_the_vocabulary_is_no_echo():
    vocab = ["Madame Martin", "numérisation", "prestataire", "tranche", "bon de commande"]
    speech = (
        "Bonjour à tous. J'ouvre le comité de pilotage sur la numérisation des archives. Le "
        "prestataire a livré la première tranche. Madame Martin, vous pouvez préparer le bon de "
        "commande de la deuxième tranche ? Oui, je m'en charge."
    )
    assert not is_prompt_echo(speech, vocab)
    assert is_prompt_echo("Madame Martin, numérisation, prestataire, bon de commande.", vocab)


def test_a_second_decode_repeating_the_words_next_to_it_is_trimmed_at_both_edges():
    before = _words("taille 36 à 46.")
    after = _words("Plus de gris foncés")
    assert repeated_context(_words("plus"), before, after) == (0, 1)
    assert repeated_context(_words("46 plus"), before, after) == (1, 1)
    assert repeated_context(_words("à 46, et puis"), before, after) == (2, 0)


def test_a_second_decode_with_new_words_is_kept_whole():
    before = _words("taille 36 à 46.")
    after = _words("Plus de gris foncés")
    assert repeated_context(_words("moins de bleu"), before, after) == (0, 0)
    # the same word said again further on is no repeat of the context
    assert repeated_context(_words("la taille"), before, after) == (0, 0)
    # one word cannot be cut from both edges
    assert repeated_context(_words("46"), _words("à 46"), _words("46 ans")) == (1, 0)


def test_only_first_decode_words_next_to_the_stretch_count_as_its_context():
    def word(start: float, text: str) -> Word:
        return Word(start=start, end=start + 0.3, word=" " + text)

    first = [word(22.0, "46."), word(24.7, "Plus"), word(25.1, "de"), word(40.0, "merci")]
    kept, repeats = without_repeated_context([word(23.6, "plus")], first)
    assert kept == [] and [w.word for run in repeats for w in run] == [" plus"]
    # the same word said again 15 s later is speech of its own
    kept, repeats = without_repeated_context([word(38.0, "merci")], first[:3] + [word(45, "merci")])
    assert [w.word for w in kept] == [" merci"] and repeats == []
