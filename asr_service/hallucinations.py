"""Guards against Whisper's known failure modes, as pure functions over transcript segments.

Whisper invents text on silence or music (subtitle credits such as "Sous-titrage ST' 501"),
loops on a phrase, and emits low-confidence segments where nobody speaks. Each guard is small and
testable; :func:`clean_segments` applies them in order and renumbers what is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from asr_service.transcript import DroppedSpan, Segment, Word

_PUNCT = re.compile(r"[^\w\s']+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, unify apostrophes, strip punctuation: for comparing phrases, not for display."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("`", "'")
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def is_blocklisted(text: str, phrases: Iterable[str]) -> bool:
    """True when the text is made (almost) only of blocklisted phrases."""
    norm = normalise(text)
    if not norm:
        return True
    rest = norm
    for phrase in sorted((normalise(p) for p in phrases), key=len, reverse=True):
        if phrase and phrase in rest:
            rest = rest.replace(phrase, " ")
    rest = _SPACES.sub(" ", rest).strip()
    return len(rest) <= max(3, len(norm) // 10) and rest != norm


ECHO_SHARE = 0.5
"""A recital is mostly the list itself: at least this share of the segment's words are terms."""


def is_prompt_echo(text: str, vocabulary: Sequence[str], min_items: int = 3) -> bool:
    """True when the segment recites the vocabulary list it was primed with (a hotword echo):
    most of its terms, and little else. A long segment of real speech that uses the meeting's
    vocabulary ("…Madame Martin, vous pouvez préparer le bon de commande de la deuxième
    tranche…") is no echo, however many terms it says."""
    terms = [normalise(v) for v in vocabulary if normalise(v)]
    if len(terms) < min_items:
        return False
    norm = normalise(text)
    said = [t for t in terms if t in norm]
    if len(said) < min_items or len(said) < 0.6 * len(terms):
        return False
    words = len(norm.split())
    return sum(len(t.split()) * norm.count(t) for t in said) >= ECHO_SHARE * words


def is_silence_hallucination(
    seg: Segment, no_speech_threshold: float, logprob_threshold: float
) -> bool:
    """Whisper's own test: probably no speech and not confidently decoded."""
    if seg.no_speech_prob is None or seg.avg_logprob is None:
        return False
    return seg.no_speech_prob > no_speech_threshold and seg.avg_logprob < logprob_threshold


PHRASE_WORDS = 3
"""From this many words, a repeated n-gram is a phrase rather than a word or two."""
PHRASE_MAX_REPEATS = 2
"""A phrase said more than this many times in a row is a loop: people repeat a word or two
("non, non, non"), not a clause ("le bon de commande de la tranche" thrice is Whisper looping)."""


def collapse_repetitions(words: Sequence[Word], max_repeats: int, max_ngram: int = 8) -> list[Word]:
    """Remove loops: an n-gram repeated more than ``max_repeats`` times in a row (a phrase of
    ``PHRASE_WORDS`` or more: more than ``PHRASE_MAX_REPEATS`` times) keeps one copy."""
    out = list(words)
    for n in range(1, max_ngram + 1):
        allowed = max_repeats if n < PHRASE_WORDS else min(max_repeats, PHRASE_MAX_REPEATS)
        i = 0
        result: list[Word] = []
        while i < len(out):
            gram = [normalise(w.word) for w in out[i : i + n]]
            reps = 1
            while (
                i + (reps + 1) * n <= len(out)
                and [normalise(w.word) for w in out[i + reps * n : i + (reps + 1) * n]] == gram
            ):
                reps += 1
            if reps > allowed and len(gram) == n:
                result.extend(out[i : i + n])
                i += reps * n
            else:
                result.append(out[i])
                i += 1
        out = result
    return out


def collapse_text_repetitions(text: str, max_repeats: int) -> str:
    """Same as :func:`collapse_repetitions` for segments decoded without word timestamps."""
    tokens = text.split()
    words = [Word(start=0, end=0, word=t) for t in tokens]
    kept = collapse_repetitions(words, max_repeats)
    return " ".join(w.word for w in kept) if len(kept) < len(tokens) else text


CONTEXT_OVERLAP_S = 2.0
"""Words of the first decode this close to a re-decoded stretch are its context."""


def repeated_context(
    words: Sequence[Word], before: Sequence[Word], after: Sequence[Word], max_n: int = 3
) -> tuple[int, int]:
    """How many of ``words``' first and last words repeat the words just ``before`` and
    ``after`` them: (head, tail).

    A second decode of a stretch the first one left without words hears a little context on
    each side; when the first decode's word times are off, the stretch's edge holds a word that
    is already transcribed next to it ("… taille 36 à 46." / "plus" / "Plus de gris…"), and
    keeping it writes the word twice. The longest run of up to ``max_n`` words that equals the
    end of ``before`` (the start of ``after``), compared without case or punctuation, counts.
    """
    said = [normalise(w.word) for w in words]

    def run(edge: list[str], from_end: bool) -> int:
        for n in range(min(max_n, len(said), len(edge)), 0, -1):
            mine = said[:n] if from_end else said[-n:]
            theirs = edge[-n:] if from_end else edge[:n]
            if mine == theirs and all(mine):
                return n
        return 0

    head = run([normalise(w.word) for w in before], from_end=True)
    tail = run([normalise(w.word) for w in after], from_end=False)
    return head, min(tail, len(words) - head)


def without_repeated_context(
    words: list[Word], first_words: Sequence[Word]
) -> tuple[list[Word], list[list[Word]]]:
    """(kept, repeats): ``words`` of a second decode less the edge words that repeat the first
    decode's ``first_words`` next to them (:func:`repeated_context`, context within
    :data:`CONTEXT_OVERLAP_S`), and those edge runs (0-2)."""
    lo, hi = words[0].start, words[-1].end
    first_mid, last_mid = (lo + words[0].end) / 2, (words[-1].start + hi) / 2
    before = [
        w
        for w in first_words
        if (w.start + w.end) / 2 < first_mid and w.end >= lo - CONTEXT_OVERLAP_S
    ]
    after = [
        w
        for w in first_words
        if (w.start + w.end) / 2 > last_mid and w.start <= hi + CONTEXT_OVERLAP_S
    ]
    head, tail = repeated_context(words, before, after)
    repeats = [run for run in (words[:head], words[len(words) - tail :]) if run]
    return words[head : len(words) - tail], repeats


def _removed_words(before: Sequence[Word], after: Sequence[Word]) -> list[Word]:
    """The words of ``before`` that ``collapse_repetitions`` left out of ``after`` (in order)."""
    kept = {id(w) for w in after}
    return [w for w in before if id(w) not in kept]


def dropped_words(seg: Segment, words: Sequence[Word], reason: str) -> DroppedSpan:
    """The span of ``words`` (removed from ``seg``) as a dropped entry with ``seg``'s scores."""
    return DroppedSpan(
        start=words[0].start,
        end=words[-1].end,
        reason=reason,
        text="".join(w.word for w in words).strip(),
        avg_logprob=seg.avg_logprob,
        no_speech_prob=seg.no_speech_prob,
    )


def _dropped(seg: Segment, reason: str, text: str | None = None) -> DroppedSpan:
    return DroppedSpan(
        start=seg.start,
        end=seg.end,
        reason=reason,
        text=seg.text if text is None else text,
        avg_logprob=seg.avg_logprob,
        no_speech_prob=seg.no_speech_prob,
    )


def clean_segments(
    segments: Iterable[Segment],
    *,
    phrases: Sequence[str],
    no_speech_threshold: float,
    logprob_threshold: float,
    max_repeats: int,
    vocabulary: Sequence[str] = (),
) -> tuple[list[Segment], list[DroppedSpan]]:
    """Apply every guard; returns the kept segments (renumbered) and what was removed, as
    :class:`DroppedSpan` entries with their time span, reason and text (for the transcript's
    ``dropped`` list: nothing disappears silently)."""
    kept: list[Segment] = []
    removed: list[DroppedSpan] = []
    for seg in segments:
        if is_silence_hallucination(seg, no_speech_threshold, logprob_threshold):
            removed.append(_dropped(seg, "no_speech"))
            continue
        if is_blocklisted(seg.text, phrases):
            removed.append(_dropped(seg, "blocklisted"))
            continue
        if is_prompt_echo(seg.text, vocabulary):
            removed.append(_dropped(seg, "vocabulary_echo"))
            continue
        if seg.words:
            words = collapse_repetitions(seg.words, max_repeats)
            if len(words) < len(seg.words):
                removed.append(dropped_words(seg, _removed_words(seg.words, words), "repetition"))
                text = "".join(w.word for w in words).strip()
                seg = seg.model_copy(update={"words": words, "text": text, "end": words[-1].end})
        else:
            text = collapse_text_repetitions(seg.text, max_repeats)
            if text != seg.text:
                removed.append(_dropped(seg, "repetition"))
                seg = seg.model_copy(update={"text": text})
        kept.append(seg.model_copy(update={"id": len(kept)}))
    return kept, removed
