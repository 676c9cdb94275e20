"""Transcript → :class:`~summarizer.schema.Minutes`: the minutes step of the pipeline.

For each time window (map): four small extraction steps (decisions, actions, topics, open
questions), each checked in code against the transcript (:mod:`summarizer.verify`). Then the
windows are merged without duplicates (reduce, :mod:`summarizer.merge`). Participants come from the
transcript's speakers; the meeting date only when it is said. An empty transcript returns an
"empty" result at once, without calling the LLM.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from asr_service.transcript import Segment, Transcript
from summarizer import prompts
from summarizer.backends import LLMBackend, LLMError, backend_from_settings
from summarizer.merge import merge_actions, merge_decisions, merge_questions, merge_topics
from summarizer.schema import (
    Action,
    Decision,
    GenerationInfo,
    Minutes,
    OpenQuestion,
    Participant,
    Topic,
    Unverified,
)
from summarizer.settings import LLMSettings
from summarizer.text import normalize, tokens
from summarizer.verify import (
    NEGATED_RE,
    STRONG_DECISION_RE,
    TranscriptIndex,
    check_action,
    check_decision,
    check_question,
    unchecked_action,
    unchecked_decision,
)
from summarizer.windows import split_windows

EMPTY_NOTICE = "Rien à résumer : la transcription ne contient aucune parole."
# Room left in the context for the instructions and the answer.
PROMPT_RESERVE_TOKENS = 2500
DATE_RE = re.compile(
    r"\b(\d{1,2}(?:er)?\s+(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|"
    r"septembre|octobre|novembre|décembre|decembre)(?:\s+\d{4})?)\b",
    re.IGNORECASE,
)

# A task given or taken: first-person future ("transmettrai"), "je m'en charge", requests.
COMMITMENT_RE = re.compile(
    r"\b(\w{2,}(?:rai|ras)|je m en (?:charge|occupe)|je (?:vais|prepare|m occupe)|il faudra|d ici|"
    r"pouvez vous|pourriez vous|vous pourriez|peux tu|pourrais tu|tu (?:peux|pourras|vas)|"
    r"vous (?:pourrez|allez)|"
    r"charge de|se charge)\b"
)

Progress = Callable[[str], None]


@lru_cache(maxsize=2)
def _cached_backend(settings_json: str) -> LLMBackend:
    return backend_from_settings(LLMSettings.model_validate_json(settings_json))


def shared_backend(settings: LLMSettings | None = None) -> LLMBackend:
    """The backend for ``settings``, created once per process (a model load is seconds)."""
    return _cached_backend((settings or LLMSettings()).model_dump_json())


def _call(backend: LLMBackend, block: str, task: str, schema: dict, max_tokens: int) -> dict:
    return backend.complete_json(prompts.build_messages(block, task), schema, max_tokens=max_tokens)


def _items(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = answer.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Proposals without exact repeats (a small model at temperature 0 sometimes loops)."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = repr(sorted((k, str(v)) for k, v in item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def commitment_segments(segments: list[Segment]) -> list[Segment]:
    """Turns that sound like a task being given or taken ("je transmettrai", "pouvez-vous")."""
    return [s for s in segments if COMMITMENT_RE.search(normalize(s.text))]


def decision_segments(segments: list[Segment]) -> list[Segment]:
    """Turns that use decision words ("adopté", "c'est validé"), negations removed."""
    return [
        s for s in segments if STRONG_DECISION_RE.search(NEGATED_RE.sub(" ", normalize(s.text)))
    ]


def uncited(candidates: list[Segment], proposals: list[dict[str, Any]]) -> list[Segment]:
    """Candidates that no proposal cites (nor their neighbour turns)."""
    cited = {i for p in proposals for i in p.get("segments") or [] if isinstance(i, int)}
    return [s for s in candidates if not {s.id - 1, s.id, s.id + 1} & cited]


Ask = Callable[[str, str, dict, int], dict]


def _check_turn(
    ask: Ask, transcript: Transcript, index: TranscriptIndex, sid: int, decision: bool
) -> dict[str, Any] | None:
    """Ask about one turn (with two turns before and one after) whether it takes a decision
    (``decision``) or assigns a task; the proposal it returns cites that turn."""
    context = index.around([sid], before=2, after=1)
    block = prompts.format_segments(context, transcript)
    if decision:
        task, schema, flag, key = (
            prompts.DECISION_CHECK_TASK,
            prompts.DECISION_CHECK_SCHEMA,
            "is_decision",
            "decision",
        )
    else:
        task, schema, flag, key = (
            prompts.ACTION_CHECK_TASK,
            prompts.ACTION_CHECK_SCHEMA,
            "is_action",
            "task",
        )
    answer = ask(block, task.format(sid=sid), schema, 250)
    if answer.get(flag) is not True or not str(answer.get(key) or "").strip():
        return None
    return {**answer, "segments": [sid]}


def stated_date(transcript: Transcript, first_segments: int = 15) -> str | None:
    """The meeting date when said near the start ("séance du 14 mars 2025"), else ``None``."""
    for seg in transcript.segments[:first_segments]:
        m = DATE_RE.search(seg.text)
        if m and re.search(r"\d{4}", m.group(1)):
            return m.group(1)
    return None


def _participants(transcript: Transcript, roles: dict[str, str]) -> list[Participant]:
    seen: dict[str, Participant] = {}
    speaking = [s.speaker for s in transcript.segments if s.speaker]
    for sid in dict.fromkeys(speaking + [sp.id for sp in transcript.speakers]):
        name = transcript.speaker_name(sid) or sid
        role = None
        for who, r in roles.items():
            if set(tokens(who)) & set(tokens(name)) - {"m", "mme"}:
                role = r
                break
        seen.setdefault(sid, Participant(name=name, role=role, speaker_id=sid))
    return list(seen.values())


def _verified_role(role: str, transcript_text: str) -> bool:
    """A role is kept only when its words are said in the transcript."""
    words = [t for t in tokens(role) if len(t) >= 4]
    return bool(words) and all(w in transcript_text for w in words)


def _empty(transcript: Transcript) -> Minutes:
    return Minutes(
        status="empty",
        notice=EMPTY_NOTICE,
        meeting_id=transcript.meeting_id,
        duration=transcript.duration,
        language=transcript.language,
        generation=GenerationInfo(backend="none", model="", windows=0, llm_calls=0),
    )


def summarize(
    transcript: Transcript,
    *,
    backend: LLMBackend | None = None,
    settings: LLMSettings | None = None,
    verify: bool = True,
    window_tokens: int | None = None,
    title: str | None = None,
    progress: Progress | None = None,
) -> Minutes:
    """Write the minutes of ``transcript``.

    ``backend``: an :class:`~summarizer.backends.LLMBackend`; by default built from ``settings``
    (``ASR_LLM_*``: the embedded model, loaded once per process and reused). ``title`` replaces
    the title the model proposes. ``verify=False`` keeps the model's proposals unchecked (only for
    benchmarks). Raises :class:`~summarizer.backends.LLMError` when the LLM fails.
    """
    if not any(s.text.strip() for s in transcript.segments):
        return _empty(transcript)
    settings = settings or LLMSettings()
    started = time.monotonic()
    backend = backend or shared_backend(settings)
    budget = window_tokens or min(
        settings.window_tokens, max(500, backend.context_tokens - PROMPT_RESERVE_TOKENS)
    )
    say = progress or (lambda _msg: None)
    index = TranscriptIndex(transcript)
    spoken = normalize(transcript.text)
    segments = [s for s in transcript.segments if s.text.strip()]

    decisions: list[Decision] = []
    actions: list[Action] = []
    questions: list[OpenQuestion] = []
    topics: list[Topic] = []
    rejected: list[Unverified] = []
    roles: dict[str, str] = {}
    proposed_title = ""
    calls = 0
    errors: list[str] = []

    def settle(items: list[dict], check: Any, unchecked: Any, sink: list) -> list[dict]:
        """Verify proposals (``check``, or ``unchecked`` when verification is off): verified
        items go to ``sink``, failures to ``rejected``; returns the accepted proposals."""
        accepted = []
        for item in _dedupe(items):
            result = check(item, index) if verify else unchecked(item, index)
            if isinstance(result, Unverified):
                rejected.append(result)
            elif result is not None:
                sink.append(result)
                accepted.append(item)
        return accepted

    def ask(block: str, task: str, schema: dict, max_tokens: int) -> dict:
        """One LLM step; a failed step is recorded and skipped (its items are missing, never
        made up); when every step fails the LLM is unusable and the error is raised."""
        nonlocal calls
        calls += 1
        try:
            return _call(backend, block, task, schema, max_tokens)
        except LLMError as exc:
            errors.append(str(exc)[:300])
            return {}

    windows = 0
    for window in split_windows(segments, budget):
        windows += 1
        say(f"fenêtre {windows} : segments {window[0].id}–{window[-1].id}")
        block = prompts.format_segments(window, transcript)
        in_window = {s.id for s in window}

        answer = ask(block, prompts.DECISIONS_TASK, prompts.DECISIONS_SCHEMA, 900)
        decision_proposals = _items(answer, "decisions")

        answer = ask(block, prompts.ACTIONS_TASK, prompts.ACTIONS_SCHEMA, 1200)
        proposals = _items(answer, "actions")

        answer = ask(block, prompts.TOPICS_TASK, prompts.TOPICS_SCHEMA, 900)
        proposed_title = proposed_title or str(answer.get("title") or "").strip()
        for r in _items(answer, "roles"):
            name, role = str(r.get("name") or ""), str(r.get("role") or "")
            if name and role and (not verify or _verified_role(role, spoken)):
                roles.setdefault(name, role)
        for t in _items(answer, "topics"):
            ids = [i for i in index.existing(t.get("segments") or []) if i in in_window]
            if not str(t.get("title") or "").strip():
                continue
            topics.append(
                Topic(
                    title=str(t["title"]).strip(),
                    summary=str(t.get("summary") or "").strip(),
                    segment_ids=ids,
                    start=index.by_id[ids[0]].start if ids else window[0].start,
                    end=index.by_id[ids[-1]].end if ids else window[-1].end,
                )
            )

        answer = ask(block, prompts.QUESTIONS_TASK, prompts.QUESTIONS_SCHEMA, 500)
        for item in _items(answer, "questions"):
            q = check_question(item, index)
            if isinstance(q, Unverified):
                if verify:
                    rejected.append(q)
            else:
                questions.append(q)

        # Last, so the steps above share the window's KV cache: turns that sound like a decision
        # or a task given or taken, but that no accepted item cites, are asked about one by one
        # with a little context, and the answers verified the same way.
        accepted = settle(decision_proposals, check_decision, unchecked_decision, decisions)
        second = [
            _check_turn(ask, transcript, index, seg.id, decision=True)
            for seg in uncited(decision_segments(window), accepted)
        ]
        settle([i for i in second if i], check_decision, unchecked_decision, decisions)
        accepted = settle(proposals, check_action, unchecked_action, actions)
        second = [
            _check_turn(ask, transcript, index, seg.id, decision=False)
            for seg in uncited(commitment_segments(window), accepted)
        ]
        settle([i for i in second if i], check_action, unchecked_action, actions)

    if errors and len(errors) == calls:
        raise LLMError(f"every LLM step failed; first error: {errors[0]}")
    return Minutes(
        meeting_id=transcript.meeting_id,
        title=title or proposed_title or "Compte rendu de réunion",
        date=stated_date(transcript),
        duration=transcript.duration or segments[-1].end,
        language=transcript.language,
        participants=_participants(transcript, roles),
        topics=merge_topics(topics),
        decisions=merge_decisions(decisions),
        actions=merge_actions(actions),
        open_questions=merge_questions(questions),
        to_check=list({(u.kind, u.text, tuple(u.segment_ids)): u for u in rejected}.values()),
        generation=GenerationInfo(
            backend=backend.name,
            model=getattr(backend, "model_path", None) and str(backend.model_path.name) or "",
            windows=windows,
            llm_calls=calls,
            seconds=round(time.monotonic() - started, 1),
            verified=verify,
            extra={"failed_steps": errors} if errors else {},
        ),
    )


def summarize_single_prompt(transcript: Transcript, *, backend: LLMBackend) -> Minutes:
    """Baseline for the benchmark: one prompt, no definitions, no verification, no windows.

    Only the existence of the cited segments is checked (the schema needs sources).
    """
    if not any(s.text.strip() for s in transcript.segments):
        return _empty(transcript)
    started = time.monotonic()
    index = TranscriptIndex(transcript)
    block = prompts.format_segments(transcript.segments, transcript)
    answer = _call(backend, block, prompts.BASELINE_TASK, prompts.BASELINE_SCHEMA, 1200)
    decisions = [d for i in _items(answer, "decisions") if (d := unchecked_decision(i, index))]
    actions = [a for i in _items(answer, "actions") if (a := unchecked_action(i, index))]
    return Minutes(
        title=str(answer.get("title") or "Compte rendu de réunion"),
        duration=transcript.duration,
        participants=_participants(transcript, {}),
        decisions=decisions,
        actions=actions,
        generation=GenerationInfo(
            backend=backend.name,
            windows=1,
            llm_calls=1,
            seconds=round(time.monotonic() - started, 1),
            verified=False,
        ),
    )


__all__ = ["EMPTY_NOTICE", "LLMError", "summarize", "summarize_single_prompt", "stated_date"]
