"""French text normalisation and WER, the conventions of ``shared/eval/README.md``.

Both reference and hypothesis go through the same normaliser: lower-case, punctuation removed,
apostrophes and hyphens split, digits written as French words, optional filler removal. Without
it, WER mostly measures differences of case, punctuation and digit style between sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import jiwer
from num2words import num2words

FILLERS = {"euh", "heu", "hum", "hm", "ben", "bah", "hein", "mh", "mhm", "ah", "oh"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ORDINAL = re.compile(r"\b(\d+)(?:e|è|ème|eme|er|re|ère)\b")
_SPLIT = re.compile(r"['’`\-‐–—]")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _number_words(match: re.Match[str]) -> str:
    token = match.group(0).replace(",", ".")
    try:
        value = float(token) if "." in token else int(token)
        return " " + num2words(value, lang="fr") + " "
    except (ValueError, OverflowError, NotImplementedError):
        return token


def _ordinal_words(match: re.Match[str]) -> str:
    try:
        return " " + num2words(int(match.group(1)), lang="fr", to="ordinal") + " "
    except (ValueError, NotImplementedError):
        return match.group(0)


def normalise_fr(text: str, *, drop_fillers: bool = True) -> str:
    """Normalise French text for scoring (not for display)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"(\d)[\s\u202f\u00a0](\d{3})\b", r"\1\2", text)  # 12 000 -> 12000
    text = _ORDINAL.sub(_ordinal_words, text)
    text = _NUMBER.sub(_number_words, text)
    text = _SPLIT.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    words = _SPACES.sub(" ", text).strip().split()
    if drop_fillers:
        words = [w for w in words if w not in FILLERS]
    return " ".join(words)


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words) after normalisation, to sum into a corpus-level WER."""
    ref = normalise_fr(reference)
    hyp = normalise_fr(hypothesis)
    n_ref = len(ref.split())
    if n_ref == 0:
        return len(hyp.split()), 0
    out = jiwer.process_words(ref, hyp if hyp else "")
    return out.substitutions + out.deletions + out.insertions, n_ref


def corpus_wer(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total errors / total reference words."""
    errors = words = 0
    for ref, hyp in pairs:
        e, n = word_errors(ref, hyp)
        errors += e
        words += n
    return errors / words if words else 0.0
