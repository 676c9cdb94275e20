"""Benchmark the minutes step on annotated French meetings it was not written on.

Meetings (see :mod:`benchmarks.minutes_data`): the evaluation set ``benchmarks/minutes_eval/``
split once into ``tuning`` and ``heldout`` (the figure that counts: never looked at while
tuning), plus the three ``original`` meetings of ``benchmarks/data/minutes/`` that the first
prompts were written alongside. Each in two variants: ``clean`` (named speakers, punctuation) and
``asr`` (lower case, no punctuation, word errors, anonymous speakers read "Intervenant N").

Per group × variant × system:

* decision recall / precision: a predicted decision matches a gold one when it cites one of the
  gold decision's turns;
* action recall / precision: an action counts only if it matches a gold action (shared turn, and
  at least a quarter of the gold task's words) **and** its owner and due date match (both absent
  counts as a match; on the ASR variant the owner may be the anonymous speaker who said it);
* invented owners / dates: an owner or a deadline that is not said anywhere in the transcript
  (nor a speaker); wrong owners / dates: said, but not the gold one for a matched action;
* ideas as decisions: predicted decisions citing a turn annotated as not a decision (an idea,
  a proposal without agreement, a postponed item) and matching no gold decision;
* phantom items: the same item text (decision, action or point to check) in the minutes of three
  or more different meetings, or a point to check that cites no turn of the meeting.

Systems: ``verified`` (the shipped pipeline), ``unverified`` (the same LLM answers, checks off),
``single-prompt`` (one prompt, no definitions, no checks). By default only the relevé steps
(decisions, actions) run: topics and open questions do not enter these figures (``--all-steps``
runs them too). The LLM is the embedded model unless ``ASR_LLM_*`` selects another backend, e.g.
an OpenAI-compatible server (docs/minutes.md). ``--long`` also runs a synthetic 2 h meeting through
the verified pipeline and reports windows, time and peak RSS.

    .venv/bin/python -m benchmarks.bench_minutes [--groups heldout] [--variants clean,asr]
        [--systems verified,unverified,single-prompt] [--only NAME,...] [--json out.json]
        [--details] [--save DIR] [--all-steps] [--long]
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import typer

from asr_service.formats import write_atomically
from asr_service.speakers import display_name
from asr_service.transcript import Segment, Transcript
from benchmarks.minutes_data import GROUPS, VARIANTS, EvalMeeting, load_meetings
from summarizer import Minutes, summarize, summarize_single_prompt
from summarizer.backends import LLMBackend, backend_from_settings
from summarizer.prompts import clock
from summarizer.text import content_tokens, coverage, normalize, similarity, time_tokens, tokens
from summarizer.windows import estimate_tokens

SYSTEMS = ("verified", "unverified", "single-prompt")
RELEVE_STEPS = ("decisions", "actions")
PHANTOM_MEETINGS = 3


class ReplayBackend:
    """Wraps a backend and memoises answers, so ``unverified`` reuses ``verified``'s LLM calls."""

    def __init__(self, inner: LLMBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.context_tokens = inner.context_tokens
        self.cache: dict[str, dict[str, Any]] = {}
        self.calls = 0

    def complete_json(self, messages, schema, *, max_tokens):
        key = json.dumps([messages, schema, max_tokens], ensure_ascii=False, sort_keys=True)
        if key not in self.cache:
            self.calls += 1
            self.cache[key] = self.inner.complete_json(messages, schema, max_tokens=max_tokens)
        return self.cache[key]


class DiskCache:
    """Dev-only, opt-in (``--llm-cache DIR``): LLM answers stored on disk, one JSON file per
    request, so a rerun after a change in verification only (or in a few prompts) replays the
    unchanged answers in seconds. The key is the backend's name and model plus the full request
    (messages, schema, token limit) and its decoding parameters (temperature, seed): decoding is
    deterministic (temperature 0, fixed seed), so a stored answer is the answer the model would
    give. Never used by the service."""

    def __init__(self, inner: LLMBackend, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.context_tokens = inner.context_tokens
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, messages, schema, max_tokens) -> str:
        ident = {
            "backend": self.inner.name,
            "model": str(getattr(self.inner, "model_path", "") or getattr(self.inner, "model", "")),
            "temperature": getattr(self.inner, "temperature", None),
            "seed": getattr(self.inner, "seed", None),
            "messages": messages,
            "schema": schema,
            "max_tokens": max_tokens,
        }
        blob = json.dumps(ident, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def complete_json(self, messages, schema, *, max_tokens):
        path = self.folder / f"{self.key(messages, schema, max_tokens)}.json"
        if path.is_file():
            self.hits += 1
            return json.loads(path.read_text(encoding="utf-8"))
        self.misses += 1
        answer = self.inner.complete_json(messages, schema, max_tokens=max_tokens)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(answer, ensure_ascii=False).encode("utf-8"))
        return answer


class RulesOnlyBackend:
    """``--rules-only``: a model that never finds anything. Every candidate turn is answered with
    the kind that keeps nothing ("information ou avis", "déjà fait ou information"), every list is
    empty: what the minutes still hold is what the code reads alone (decisions put to the vote or
    assented to, commitments with their owner and date). Shows what the model adds, and lets a
    change in the checks be measured in seconds on the tuning meetings."""

    name = "rules-only"
    context_tokens = 32_768

    _NOTHING = {"information ou avis", "déjà fait ou information"}

    def complete_json(self, messages, schema, *, max_tokens):
        return self._empty(schema)

    def _empty(self, schema: dict[str, Any]) -> Any:
        if "enum" in schema:
            return next((v for v in schema["enum"] if v in self._NOTHING), schema["enum"][-1])
        kind = schema.get("type")
        if kind == "object":
            return {k: self._empty(v) for k, v in schema.get("properties", {}).items()}
        if kind == "array":
            return []
        if kind in ("integer", "number"):
            return 0
        if kind == "boolean":
            return False
        return ""


@dataclass
class Score:
    """Counts for one system on one or more meetings."""

    meetings: int = 0
    gold_decisions: int = 0
    pred_decisions: int = 0
    matched_decisions: int = 0
    gold_actions: int = 0
    pred_actions: int = 0
    correct_actions: int = 0
    matched_actions: int = 0
    invented_owners: int = 0
    invented_dates: int = 0
    wrong_owners: int = 0
    wrong_dates: int = 0
    # matched actions whose owner or deadline was said (annotated) but left empty: what separates
    # the tasks found from the complete ones, besides wrong owners and dates
    empty_owners: int = 0
    empty_dates: int = 0
    ideas_as_decisions: int = 0
    phantom_items: int = 0
    # the clerk's "points à vérifier": how many, and how many annotated items the relevé missed
    # are among them (same turn; an action also about the same thing), i.e. what a clerk who
    # reads them can still accept
    points_to_check: int = 0
    missed_offered: int = 0
    llm_calls: int = 0
    seconds: float = 0.0
    details: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k, v in asdict(other).items():
            if k == "details":
                self.details += v
            else:
                setattr(self, k, getattr(self, k) + v)

    @property
    def missed_items(self) -> int:
        """Annotated decisions and actions that no item of the relevé matches."""
        return (
            self.gold_decisions - self.matched_decisions + self.gold_actions - self.matched_actions
        )

    @staticmethod
    def ratio(a: int, b: int) -> str:
        return f"{100 * a / b:.0f} %" if b else "–"


def _ids_at(transcript: Transcript, stamps: list[str]) -> set[int]:
    by_clock = {clock(s.start): s.id for s in transcript.segments}
    return {by_clock[t] for t in stamps}


def owner_matches(pred: str | None, gold: str | None, speaker: str | None = None) -> bool:
    """Same person: both absent, a shared name word ("Mme Perrin" ~ "Odile Perrin"), or, on
    anonymous transcripts, the label of the speaker who is the gold owner ("Intervenant 3")."""
    if pred is None or gold is None:
        return pred is None and gold is None
    if speaker and normalize(pred) in {normalize(speaker), normalize(display_name(speaker) or "")}:
        return True
    return bool(set(content_tokens(pred)) & set(content_tokens(gold)))


def due_matches(pred: str | None, gold: str | None) -> bool:
    """Same deadline: both absent, or the same time words ("15 avril" ~ "avant le 15 avril")."""
    if pred is None or gold is None:
        return pred is None and gold is None
    return time_tokens(pred) == time_tokens(gold)


def about_gold_task(gold: dict[str, Any], task: str) -> bool:
    """Whether ``task`` is about the annotated action ``gold``: a quarter of its words at least
    (the cited turns are compared apart)."""
    return coverage(gold["task"], task) >= 0.25


def score(minutes: Minutes, meeting: EvalMeeting) -> Score:
    """Compare one set of minutes with the gold annotation."""
    transcript, gold = meeting.transcript, meeting.gold
    s = Score(
        meetings=1,
        gold_decisions=len(gold["decisions"]),
        pred_decisions=len(minutes.decisions),
        gold_actions=len(gold["actions"]),
        pred_actions=len(minutes.actions),
        llm_calls=minutes.generation.llm_calls,
        seconds=minutes.generation.seconds,
    )
    said_words = set(tokens(transcript.text))
    for sp in transcript.speakers:
        said_words |= set(tokens(sp.display)) | set(tokens(display_name(sp.id, sp.name) or ""))
    said_times = time_tokens(transcript.text)
    tag = f"{meeting.name}/{meeting.variant}"

    gold_dec = [(_ids_at(transcript, g["at"]), g) for g in gold["decisions"]]
    not_dec = set().union(*[_ids_at(transcript, g["at"]) for g in gold.get("not_decisions", [])])
    used_dec: set[int] = set()
    for d in minutes.decisions:
        ids = {r.segment_id for r in d.sources}
        hits = [i for i, (gids, _) in enumerate(gold_dec) if gids & ids and i not in used_dec]
        if hits:
            used_dec.add(max(hits, key=lambda i: similarity(d.text, gold_dec[i][1]["text"])))
            s.matched_decisions += 1
        elif ids & not_dec:
            s.ideas_as_decisions += 1
            s.details.append(f"{tag}: idea as decision: {d.text}")
        else:
            s.details.append(f"{tag}: extra decision: {d.text}")
    s.details += [
        f"{tag}: missed decision: {g['text']}"
        for i, (_, g) in enumerate(gold_dec)
        if i not in used_dec
    ]

    gold_act = [(_ids_at(transcript, g["at"]), g) for g in gold["actions"]]
    used = set()
    for a in minutes.actions:
        if a.owner and not set(content_tokens(a.owner)) <= said_words:
            s.invented_owners += 1
            s.details.append(f"{tag}: invented owner {a.owner!r} for {a.task!r}")
        if a.due and not time_tokens(a.due) <= said_times:
            s.invented_dates += 1
            s.details.append(f"{tag}: invented date {a.due!r} for {a.task!r}")
        ids = {r.segment_id for r in a.sources}
        # same turn(s) and about the same thing
        hits = [
            i
            for i, (gids, g) in enumerate(gold_act)
            if gids & ids and i not in used and about_gold_task(g, a.task)
        ]
        if not hits:
            s.details.append(f"{tag}: extra action: {a.task!r} ({a.owner!r}, {a.due!r})")
            continue
        i = max(hits, key=lambda i: similarity(a.task, gold_act[i][1]["task"]))
        used.add(i)
        g = gold_act[i][1]
        s.matched_actions += 1
        label = meeting.speaker_labels.get(g["owner"] or "") if meeting.variant == "asr" else None
        ok_owner = owner_matches(a.owner, g["owner"], label)
        ok_due = due_matches(a.due, g["due"])
        if a.owner and not ok_owner:
            s.wrong_owners += 1
        if a.due and not ok_due:
            s.wrong_dates += 1
        if not a.owner and g["owner"]:
            s.empty_owners += 1
        if not a.due and g["due"]:
            s.empty_dates += 1
        if ok_owner and ok_due:
            s.correct_actions += 1
        else:
            s.details.append(
                f"{tag}: action incomplete: {g['task']!r}: owner {a.owner!r}/{g['owner']!r}, "
                f"due {a.due!r}/{g['due']!r}"
            )
    s.details += [
        f"{tag}: missed action: {g['task']}" for i, (_, g) in enumerate(gold_act) if i not in used
    ]
    s.points_to_check = len(minutes.to_check)
    points = [(p.kind, set(p.segment_ids), p.text) for p in minutes.to_check]
    for i, (gids, _) in enumerate(gold_dec):
        if i not in used_dec and any(k == "decision" and gids & ids for k, ids, _ in points):
            s.missed_offered += 1
    for i, (gids, g) in enumerate(gold_act):
        if i not in used and any(
            k == "action" and gids & ids and about_gold_task(g, text) for k, ids, text in points
        ):
            s.missed_offered += 1
    return s


def item_texts(minutes: Minutes) -> list[str]:
    """Every item text of the minutes (decisions, actions, points to check), normalised."""
    texts = [d.text for d in minutes.decisions] + [a.task for a in minutes.actions]
    texts += [u.text for u in minutes.to_check]
    return [normalize(t) for t in texts if t.strip()]


def phantoms(runs: dict[str, Minutes]) -> dict[str, list[str]]:
    """Per meeting: items repeated in ``PHANTOM_MEETINGS`` or more meetings' minutes, and points
    to check citing no turn (``runs``: meeting name → minutes, one system and variant)."""
    seen: Counter[str] = Counter()
    for minutes in runs.values():
        seen.update(set(item_texts(minutes)))
    out: dict[str, list[str]] = {}
    for name, minutes in runs.items():
        found = [t for t in dict.fromkeys(item_texts(minutes)) if seen[t] >= PHANTOM_MEETINGS]
        found += [f"{u.text} (cites nothing)" for u in minutes.to_check if not u.segment_ids]
        out[name] = found
    return out


def synthetic_long_meeting(target_tokens: int = 25_000, hours: float = 2.0) -> Transcript:
    """A 2 h meeting of ~25k tokens: the gold meetings repeated, renumbered, spread over 2 h."""
    base = [m.transcript for m in load_meetings(groups=("original",), variants=("clean",))]
    segments: list[Segment] = []
    speakers = {}
    total = 0
    while total < target_tokens:
        for t in base:
            for sp in t.speakers:
                speakers[sp.id] = sp
            for seg in t.segments:
                segments.append(seg.model_copy(update={"id": len(segments)}))
                total += estimate_tokens(seg)
    step = hours * 3600 / len(segments)
    for i, seg in enumerate(segments):
        seg.start, seg.end = i * step, (i + 1) * step
    return Transcript(segments=segments, speakers=list(speakers.values()), duration=hours * 3600)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """Resident memory of this process now (MiB)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


class _OutOfTime(Exception):
    pass


def run_long(backend: LLMBackend, budget_s: float) -> dict[str, Any]:
    """Summarise the 2 h synthetic meeting, logging RSS at each window; stop after ``budget_s``
    (reported as such) so a slow machine still gets the memory profile of the windows done."""
    long = synthetic_long_meeting()
    tokens_est = sum(estimate_tokens(s) for s in long.segments)
    print(f"\n2 h synthetic meeting: {len(long.segments)} turns, ~{tokens_est} tokens", flush=True)
    t0 = time.monotonic()
    rss: list[float] = []

    def progress(msg: str) -> None:
        rss.append(current_rss_mib())
        print(f"  {time.monotonic() - t0:6.0f} s  {msg}  RSS {rss[-1]:.0f} MiB", flush=True)
        if time.monotonic() - t0 > budget_s:
            raise _OutOfTime

    done = True
    try:
        minutes = summarize(long, backend=backend, progress=progress)
    except _OutOfTime:
        done, minutes = False, None
    took = time.monotonic() - t0
    result = {
        "turns": len(long.segments),
        "tokens_estimate": tokens_est,
        "completed": done,
        "windows_started": len(rss),
        "seconds": round(took, 1),
        "rss_per_window_mib": [round(r) for r in rss],
        "peak_rss_mib": round(peak_rss_mib()),
    }
    if minutes is not None:
        result.update(
            windows=minutes.generation.windows,
            decisions=len(minutes.decisions),
            actions=len(minutes.actions),
        )
    state = "completed" if done else f"stopped by the {budget_s:.0f} s budget"
    print(
        f"  {state} after {took / 60:.1f} min, {len(rss)} windows started; RSS per window "
        f"{', '.join(f'{r:.0f}' for r in rss)} MiB; peak RSS {peak_rss_mib():.0f} MiB"
    )
    return result


def run_eval(
    meetings: list[EvalMeeting],
    systems: list[str],
    backend: LLMBackend,
    steps: tuple[str, ...],
    save: Path | None,
    details: bool,
    reuse: Path | None = None,
    per_meeting: dict[tuple[str, str, str], Score] | None = None,
) -> dict[tuple[str, str, str], Score]:
    """Run every system on every meeting; scores per (system, group, variant). With ``reuse``,
    minutes saved there by an earlier ``--save`` run are scored again instead of recomputed;
    ``per_meeting`` (if given) receives each (system, meeting, variant)'s own score."""
    replay = ReplayBackend(backend)
    totals: dict[tuple[str, str, str], Score] = defaultdict(Score)
    runs: dict[tuple[str, str], dict[str, Minutes]] = defaultdict(dict)
    for meeting in meetings:
        for system in systems:
            t0 = time.monotonic()
            saved = (reuse / f"{meeting.name}.{meeting.variant}.{system}.json") if reuse else None
            if saved is not None and saved.is_file():
                minutes = Minutes.model_validate_json(saved.read_text(encoding="utf-8"))
            elif system == "single-prompt":
                minutes = summarize_single_prompt(meeting.transcript, backend=replay)
            else:
                minutes = summarize(
                    meeting.transcript,
                    backend=replay,
                    verify=system == "verified",
                    steps=steps,
                )
            sc = score(minutes, meeting)
            if saved is None or not saved.is_file():
                sc.seconds = round(time.monotonic() - t0, 1)
            runs[(system, meeting.variant)][meeting.name] = minutes
            totals[(system, meeting.group, meeting.variant)].add(sc)
            if per_meeting is not None:
                per_meeting[(system, meeting.name, meeting.variant)] = sc
            if save:
                save.mkdir(parents=True, exist_ok=True)
                name = f"{meeting.name}.{meeting.variant}.{system}.json"
                (save / name).write_text(minutes.model_dump_json(indent=2), encoding="utf-8")
            print(
                f"[{meeting.group}/{meeting.variant}/{meeting.name}] {system}: {sc.seconds:.0f} s, "
                f"{minutes.generation.llm_calls} calls",
                file=sys.stderr,
                flush=True,
            )
            if details:
                for line in sc.details:
                    print(f"    {system}: {line}", file=sys.stderr)
    group_of = {m.name: m.group for m in meetings}
    for (system, variant), by_name in runs.items():
        for name, found in phantoms(by_name).items():
            sc = totals[(system, group_of[name], variant)]
            sc.phantom_items += len(found)
            sc.details += [f"{name}/{variant}: phantom: {t}" for t in found]
            if details and found:
                print(f"    {system}: {name}/{variant}: phantom items {found}", file=sys.stderr)
    return totals


def print_table(totals: dict[tuple[str, str, str], Score], backend_name: str) -> None:
    """The figures as a Markdown table (one row per system × group × variant)."""
    print(f"\nBackend: {backend_name}\n")
    print(
        "| system | group | variant | meetings | decision R | decision P | action R | action P "
        "| tasks found | invented owners | invented dates | wrong owners | wrong dates "
        "| empty owners | empty dates | ideas as decisions "
        "| phantom items | points à vérifier | missed items among them | LLM calls | time |"
    )
    print("|" + "---|" * 21)
    order = {g: i for i, g in enumerate(GROUPS)}
    for (system, group, variant), s in sorted(
        totals.items(), key=lambda kv: (kv[0][0], order[kv[0][1]], kv[0][2])
    ):
        print(
            f"| {system} | {group} | {variant} | {s.meetings} "
            f"| {Score.ratio(s.matched_decisions, s.gold_decisions)} "
            f"| {Score.ratio(s.matched_decisions, s.pred_decisions)} "
            f"| {Score.ratio(s.correct_actions, s.gold_actions)} "
            f"| {Score.ratio(s.correct_actions, s.pred_actions)} "
            f"| {Score.ratio(s.matched_actions, s.gold_actions)} "
            f"| {s.invented_owners} | {s.invented_dates} | {s.wrong_owners} | {s.wrong_dates} "
            f"| {s.empty_owners} | {s.empty_dates} "
            f"| {s.ideas_as_decisions} | {s.phantom_items} | {s.points_to_check} "
            f"| {s.missed_offered} of {s.missed_items} "
            f"| {s.llm_calls} | {s.seconds:.0f} s |"
        )
    print("\n(unverified reuses the verified run's LLM answers: its time is only the checks.)")


def print_per_meeting(scores: dict[tuple[str, str, str], Score]) -> None:
    """One line per system × meeting × variant: decisions, complete actions, tasks found."""
    print(
        "\n| system | meeting | variant | decisions | actions | tasks found | ideas | wrong "
        "| empty |"
    )
    print("|" + "---|" * 9)
    for (system, name, variant), s in sorted(scores.items()):
        print(
            f"| {system} | {name} | {variant} | {s.matched_decisions}/{s.gold_decisions} "
            f"| {s.correct_actions}/{s.gold_actions} | {s.matched_actions} "
            f"| {s.ideas_as_decisions} | {s.wrong_owners + s.wrong_dates} "
            f"| {s.empty_owners + s.empty_dates} |"
        )


def _choose(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise typer.BadParameter(f"unknown {what} {unknown}; choose among {list(allowed)}")
    return chosen


def main(
    groups: str = typer.Option("tuning,heldout,original", help="tuning, heldout, original"),
    variants: str = typer.Option(",".join(VARIANTS), help="clean, asr"),
    systems: str = typer.Option("verified", help="verified, unverified, single-prompt"),
    only: str = typer.Option("", help="comma-separated meeting names"),
    all_steps: bool = typer.Option(False, help="also topics and open questions"),
    long: bool = typer.Option(False, help="also run the 2 h synthetic meeting"),
    long_budget_s: float = typer.Option(float("inf"), help="stop the 2 h meeting after"),
    json_path: Path | None = typer.Option(None, "--json", help="write the figures here"),
    details: bool = typer.Option(False, help="print each miss, extra item and invention"),
    save: Path | None = typer.Option(None, help="folder for each run's minutes JSON"),
    reuse: Path | None = typer.Option(
        None, help="score the minutes saved in this folder (--save) instead of running the LLM"
    ),
    llm_cache: Path | None = typer.Option(
        None, help="dev only: replay LLM answers stored in this folder, store new ones there"
    ),
    rules_only: bool = typer.Option(
        False, help="no model: every candidate answered 'nothing here' (what the code reads alone)"
    ),
    per_meeting: bool = typer.Option(False, help="also print each meeting's figures"),
) -> None:
    """Score the minutes step per group (tuning, held-out, original) and transcript variant."""
    chosen_systems = _choose(systems, SYSTEMS, "systems")
    meetings = load_meetings(
        groups=tuple(_choose(groups, GROUPS, "groups")),
        variants=tuple(_choose(variants, VARIANTS, "variants")),
    )
    if only:
        meetings = [m for m in meetings if m.name in only.split(",")]
    if not meetings:
        raise typer.BadParameter("no meeting selected")
    backend: LLMBackend = RulesOnlyBackend() if rules_only else backend_from_settings()
    if llm_cache and not rules_only:
        backend = DiskCache(backend, llm_cache)
    steps = ("topics", "questions", *RELEVE_STEPS) if all_steps else RELEVE_STEPS
    each: dict[tuple[str, str, str], Score] = {}
    totals = run_eval(meetings, chosen_systems, backend, steps, save, details, reuse, each)
    if per_meeting:
        print_per_meeting(each)
    print_table(totals, backend.name)
    if isinstance(backend, DiskCache):
        print(f"\nLLM cache {llm_cache}: {backend.hits} answers replayed, {backend.misses} asked")
    out: dict[str, Any] = {
        "backend": backend.name,
        "steps": list(steps),
        "meetings": sorted({f"{m.group}/{m.name}" for m in meetings}),
        "scores": [
            {"system": k[0], "group": k[1], "variant": k[2]}
            | {f: v for f, v in asdict(sc).items() if f != "details"}
            | {"details": sc.details}
            for k, sc in totals.items()
        ],
    }
    if long:
        out["long"] = run_long(backend, long_budget_s)
    out["peak_rss_mib"] = round(peak_rss_mib())
    print(f"\nPeak RSS of the benchmark process: {peak_rss_mib():.0f} MiB")
    if json_path:
        json_path.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")


app = typer.Typer(add_completion=False)
app.command()(main)


if __name__ == "__main__":
    app()
