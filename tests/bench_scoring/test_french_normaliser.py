"""The French scoring normaliser treats case, punctuation, digits and fillers alike on both sides."""

from __future__ import annotations

from benchmarks.scoring import corpus_wer, normalise_fr, word_errors


def test_case_punctuation_apostrophes_and_hyphens():
    assert normalise_fr("L'USOC, Comité-Olympique !") == "l usoc comité olympique"


def test_digits_become_words_including_grouped_thousands_and_ordinals():
    assert normalise_fr("12 000 pages le 15 janvier") == "douze mille pages le quinze janvier"
    assert normalise_fr("le 2e rang") == "le deuxième rang"
    assert normalise_fr("3,5") == "trois virgule cinq"


def test_fillers_are_dropped_only_when_asked():
    assert normalise_fr("euh on va ben commencer hein") == "on va commencer"
    assert normalise_fr("euh on va", drop_fillers=False) == "euh on va"


def test_wer_counts_errors_after_normalisation():
    assert word_errors("Bonjour à tous.", "bonjour, à tous") == (0, 3)
    assert word_errors("un deux trois", "1 2") == (1, 3)
    assert corpus_wer([("a b c d", "a b c d"), ("e f", "e x")]) == 1 / 6
    assert word_errors("", "du texte") == (2, 0)
