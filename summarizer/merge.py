"""Merge per-window results into one set of minutes without duplicates (the "reduce").

Two items are the same when they cite a common segment and say nearly the same thing, or when they
say the same thing almost word for word (same amounts and dates). Merging keeps the most
informative version (an action with an owner and a due date beats one without) and the union of the
sources, so the result does not depend on which window saw the item first. Memory stays
proportional to the number of items.
"""

from __future__ import annotations

import re

from asr_service.speakers import ANONYMOUS_LABEL
from summarizer.schema import Action, Decision, OpenQuestion, SourceRef, Topic
from summarizer.text import content_tokens, similarity, tokens

SAME_WITH_SHARED_SOURCE = 60.0
SAME_WITHOUT_SHARED_SOURCE = 88.0
SAME_TOPIC_TITLE = 85.0
# A proposal, the replies and the vote on it: turns this close saying this alike are one item.
NEIGHBOUR_TURNS = 2
SAME_NEIGHBOURS = 50.0
# …and a proposal adopted a few turns later ("Je propose qu'on les distribue gratuitement…" /
# two remarks / "Distribution gratuite des composteurs. Pas d'opposition ? Adopté."), said alike
FAR_NEIGHBOUR_TURNS = 4
SAME_FAR_NEIGHBOURS = 70.0
TASK_WORDS_THAT_COUNT = 6


def _ids(sources: list[SourceRef]) -> set[int]:
    return {s.segment_id for s in sources}


def _union(a: list[SourceRef], b: list[SourceRef]) -> list[SourceRef]:
    seen = {s.segment_id: s for s in a}
    for s in b:
        seen.setdefault(s.segment_id, s)
    return sorted(seen.values(), key=lambda s: (s.start, s.segment_id))


def _numbers(text: str) -> set[str]:
    return {t for t in tokens(text) if t.isdigit()}


def _same(text_a: str, src_a: list[SourceRef], text_b: str, src_b: list[SourceRef]) -> bool:
    """Same item: a shared source and similar words, or near-identical words and numbers."""
    score = similarity(text_a, text_b)
    if _ids(src_a) & _ids(src_b):
        return score >= SAME_WITH_SHARED_SOURCE
    return score >= SAME_WITHOUT_SHARED_SOURCE and _numbers(text_a) == _numbers(text_b)


def _adjacent_same_numbers(a: Decision, b: Decision) -> bool:
    """Consecutive turns about the same figures ("report au 2 juin" / "d'accord pour le 2 juin")."""
    near = any(abs(x - y) <= 1 for x in _ids(a.sources) for y in _ids(b.sources))
    return near and bool(_numbers(a.text) & _numbers(b.text))


def _neighbours_alike(
    text_a: str,
    src_a: list[SourceRef],
    text_b: str,
    src_b: list[SourceRef],
    far: int = NEIGHBOUR_TURNS,
) -> bool:
    """Consecutive turns saying the same thing: a request and its acceptance, a proposal and
    the vote on it, each asked about on its own; up to ``far`` turns apart when said alike."""
    gap = min((abs(x - y) for x in _ids(src_a) for y in _ids(src_b)), default=None)
    if gap is None or gap > far:
        return False
    return similarity(text_a, text_b) >= (
        SAME_NEIGHBOURS if gap <= NEIGHBOUR_TURNS else SAME_FAR_NEIGHBOURS
    )


# The frame the model puts around every decision ("La réunion décide de…") says nothing of
# which decision it is: two decisions in a row share it.
_FRAME_RE = re.compile(
    r"^\s*(?:la|le|les)\s+(?:r[ée]union|s[ée]ance|conseil|comit[ée]|commission|bureau|membres)\s+"
    r"(?:d[ée]cide(?:nt)?|a d[ée]cid[ée]|valide(?:nt)?|adopte(?:nt)?|approuve(?:nt)?|retiennent|"
    r"retient)\s+"
    r"(?:de\s+|d['’]\s*|que\s+|qu['’]\s*)?",
    re.IGNORECASE,
)


# The result read after a vote ("… : adopté à l'unanimité.") says nothing of which point it is
# either: two votes in a row share it.
_RESULT_RE = re.compile(
    r"\s*:\s*(?:adopt[ée]e?s?|avis\s+(?:d[ée])?favorable)(?:\s+[àa]\s+l['’]unanimit[ée])?\s*\.?\s*$",
    re.I,
)


def _content(decision: str) -> str:
    """A decision's words without the frame around it, nor the vote's result after it."""
    return _RESULT_RE.sub("", _FRAME_RE.sub("", decision))


def merge_decisions(items: list[Decision]) -> list[Decision]:
    """Decisions without duplicates, in order of first citation."""
    out: list[Decision] = []
    for item in items:
        for i, kept in enumerate(out):
            a, b = _content(kept.text), _content(item.text)
            # two results of votes are two votes ("La légumerie… : adopté." / "Le festival… :
            # adopté."), however alike their words or close their turns, unless they are the
            # same item read twice
            two_votes = bool(_RESULT_RE.search(kept.text) and _RESULT_RE.search(item.text))
            if _same(a, kept.sources, b, item.sources) or (
                not two_votes
                and (
                    _adjacent_same_numbers(kept, item)
                    or _neighbours_alike(a, kept.sources, b, item.sources, far=FAR_NEIGHBOUR_TURNS)
                )
            ):
                best = item if len(item.text) > len(kept.text) else kept
                out[i] = best.model_copy(update={"sources": _union(kept.sources, item.sources)})
                break
        else:
            out.append(item)
    return sorted(out, key=lambda d: d.sources[0].start)


def _richness(a: Action) -> tuple[int, int, int]:
    """Verified fields first, then how much the task says (content words, up to six: "Négocier
    l'avenant avec le prestataire" beats "Négocier avec eux"), then the fewer corrections."""
    said = min(len(content_tokens(a.task)), TASK_WORDS_THAT_COUNT)
    return (int(a.owner is not None) + int(a.due is not None), said, -len(a.notes))


def _other_people(a: Action, b: Action) -> bool:
    """Two actions given to different people ("Paul gives the rights", "Inès shares the
    mock-ups") are two items, however alike their words."""
    if not a.owner or not b.owner:
        return False
    if _anonymous(a.owner) != _anonymous(b.owner):
        return False  # "Sonia" addressed by name may well be the "Intervenant 3" who answers
    if _anonymous(a.owner):
        return a.owner.strip() != b.owner.strip()  # "Intervenant 4" is not "Intervenant 5"
    return not set(content_tokens(a.owner)) & set(content_tokens(b.owner))


def _anonymous(owner: str) -> bool:
    return bool(re.fullmatch(rf"{ANONYMOUS_LABEL} \d+", owner.strip()))


def _dated_again(kept: Action, item: Action) -> bool:
    """The same owner saying, a few turns after taking work on, when they will do it, in other
    words ("Mohamed, tu montes le dossier ?" / "Oui, je le fais…" / … / "Et moi je dépose le
    dossier, euh, mi-janvier."): one action, dated by the second."""
    if not (kept.owner and item.owner) or kept.due or not item.due:
        return False
    if _anonymous(kept.owner) != _anonymous(item.owner) or _other_people(kept, item):
        return False
    gap = min((y - x for x in _ids(kept.sources) for y in _ids(item.sources)), default=None)
    if gap is None or not 0 < gap <= FAR_NEIGHBOUR_TURNS:
        return False
    # the thing worked on, named first after the verb in both (the verb may change: "monter le
    # dossier", "déposer le dossier")
    first, second = content_tokens(kept.task)[1:2], content_tokens(item.task)[1:2]
    return bool(first) and first == second


def merge_actions(items: list[Action]) -> list[Action]:
    """Actions without duplicates; the version with more verified fields wins."""
    out: list[Action] = []
    for item in sorted(items, key=lambda a: a.sources[0].start):
        for i, kept in enumerate(out):
            if _dated_again(kept, item):
                out[i] = kept.model_copy(
                    update={"due": item.due, "sources": _union(kept.sources, item.sources)}
                )
                break
            if _other_people(kept, item):
                continue
            if _same(kept.task, kept.sources, item.task, item.sources) or _neighbours_alike(
                kept.task, kept.sources, item.task, item.sources
            ):
                best = item if _richness(item) > _richness(kept) else kept
                out[i] = best.model_copy(update={"sources": _union(kept.sources, item.sources)})
                break
        else:
            out.append(item)
    return sorted(out, key=lambda a: a.sources[0].start)


def merge_questions(items: list[OpenQuestion]) -> list[OpenQuestion]:
    """Open questions without duplicates."""
    out: list[OpenQuestion] = []
    for item in items:
        if not any(_same(k.text, k.sources, item.text, item.sources) for k in out):
            out.append(item)
    return out


def merge_topics(items: list[Topic]) -> list[Topic]:
    """Topics in time order; a topic continued in the next window (same title) is joined."""
    out: list[Topic] = []
    for item in sorted(items, key=lambda t: t.start if t.start is not None else 0.0):
        if out and similarity(out[-1].title, item.title) >= SAME_TOPIC_TITLE:
            prev = out[-1]
            summary = prev.summary
            if item.summary and similarity(prev.summary, item.summary) < SAME_WITHOUT_SHARED_SOURCE:
                summary = f"{prev.summary} {item.summary}".strip()
            ids = sorted(set(prev.segment_ids) | set(item.segment_ids))
            out[-1] = prev.model_copy(
                update={
                    "summary": summary,
                    "segment_ids": ids,
                    "end": max(filter(None, [prev.end, item.end]), default=None),
                }
            )
        else:
            out.append(item)
    return out
