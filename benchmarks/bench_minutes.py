"""Benchmark the minutes step against hand-annotated French meetings.

For each gold meeting in ``benchmarks/data/minutes/`` (transcript ``*.txt`` + ``*.gold.json``) and
each system, prints:

* decision recall / precision (a predicted decision matches a gold one when it cites one of the
  gold decision's turns);
* action recall / precision, where an action counts only if it matches a gold action (shared
  turn, and at least a quarter of the gold task's words) **and** its owner and due date match
  the gold ones (both absent counts as a match);
* invented owners / dates: a predicted owner or date that contradicts the gold action it matches
  (gold says none, or another one), or, for an action matching no gold one, that is not said in
  the transcript at all;
* ideas listed as decisions: predicted decisions citing a turn annotated as "not a decision".

Systems: ``verified`` (the shipped pipeline: small steps + verification in code), ``unverified``
(the same steps and LLM answers, checks off: shows what verification removes), ``single-prompt``
(one prompt, no definitions, no checks: the naive baseline). The LLM is the embedded model unless
``ASR_LLM_*`` selects another backend. ``--long`` also runs a synthetic 2 h meeting (~25k tokens)
through the verified pipeline and reports windows, time and peak RSS.

    .venv/bin/python benchmarks/bench_minutes.py [--systems verified,unverified,single-prompt]
        [--long] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asr_service.transcript import Segment, Transcript
from summarizer import Minutes, load_transcript, summarize, summarize_single_prompt
from summarizer.backends import LLMBackend, backend_from_settings
from summarizer.prompts import clock
from summarizer.text import coverage, name_tokens, similarity, time_tokens, tokens
from summarizer.windows import estimate_tokens

DATA = Path(__file__).parent / "data" / "minutes"
SYSTEMS = ("verified", "unverified", "single-prompt")


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


@dataclass
class Score:
    """Counts for one system on one or more meetings."""

    gold_decisions: int = 0
    pred_decisions: int = 0
    matched_decisions: int = 0
    gold_actions: int = 0
    pred_actions: int = 0
    correct_actions: int = 0
    matched_actions: int = 0
    invented_owners: int = 0
    invented_dates: int = 0
    ideas_as_decisions: int = 0
    seconds: float = 0.0
    details: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k, v in asdict(other).items():
            if k == "details":
                self.details += v
            else:
                setattr(self, k, getattr(self, k) + v)

    @staticmethod
    def ratio(a: int, b: int) -> str:
        return f"{100 * a / b:.0f} %" if b else "–"


def _ids_at(transcript: Transcript, stamps: list[str]) -> set[int]:
    by_clock = {clock(s.start): s.id for s in transcript.segments}
    return {by_clock[t] for t in stamps}


def owner_matches(pred: str | None, gold: str | None) -> bool:
    """Same person: both absent, or a shared name word ("Mme Perrin" ~ "Odile Perrin")."""
    if pred is None or gold is None:
        return pred is None and gold is None
    return bool(set(tokens(pred)) & set(tokens(gold)) - {"m", "mme", "madame", "monsieur"})


def due_matches(pred: str | None, gold: str | None) -> bool:
    """Same deadline: both absent, or the same time words ("15 avril" ~ "avant le 15 avril")."""
    if pred is None or gold is None:
        return pred is None and gold is None
    return time_tokens(pred) == time_tokens(gold)


def score(minutes: Minutes, transcript: Transcript, gold: dict[str, Any]) -> Score:
    """Compare one set of minutes with the gold annotation."""
    s = Score(
        gold_decisions=len(gold["decisions"]),
        pred_decisions=len(minutes.decisions),
        gold_actions=len(gold["actions"]),
        pred_actions=len(minutes.actions),
        seconds=minutes.generation.seconds,
    )
    said_names = set()
    for seg in transcript.segments:
        said_names |= name_tokens(seg.text)
    for sp in transcript.speakers:
        said_names |= set(tokens(sp.display))
    said_times = time_tokens(transcript.text)

    gold_dec = [(_ids_at(transcript, g["at"]), g) for g in gold["decisions"]]
    not_dec = set().union(*[_ids_at(transcript, g["at"]) for g in gold.get("not_decisions", [])])
    used: set[int] = set()
    for d in minutes.decisions:
        ids = {r.segment_id for r in d.sources}
        hits = [i for i, (gids, _) in enumerate(gold_dec) if gids & ids and i not in used]
        if hits:
            used.add(max(hits, key=lambda i: similarity(d.text, gold_dec[i][1]["text"])))
            s.matched_decisions += 1
        elif ids & not_dec:
            s.ideas_as_decisions += 1
            s.details.append(f"idea as decision: {d.text}")
    s.details += [
        f"missed decision: {g['text']}" for i, (_, g) in enumerate(gold_dec) if i not in used
    ]

    gold_act = [(_ids_at(transcript, g["at"]), g) for g in gold["actions"]]
    used = set()
    for a in minutes.actions:
        ids = {r.segment_id for r in a.sources}
        # same turn(s) and about the same thing (a quarter of the gold task's words at least)
        hits = [
            i
            for i, (gids, g) in enumerate(gold_act)
            if gids & ids and i not in used and coverage(g["task"], a.task) >= 0.25
        ]
        if not hits:
            if a.owner and not set(tokens(a.owner)) & said_names:
                s.invented_owners += 1
                s.details.append(f"invented owner {a.owner!r} on unmatched action {a.task!r}")
            if a.due and not time_tokens(a.due) <= said_times:
                s.invented_dates += 1
                s.details.append(f"invented date {a.due!r} on unmatched action {a.task!r}")
            continue
        i = max(hits, key=lambda i: similarity(a.task, gold_act[i][1]["task"]))
        used.add(i)
        g = gold_act[i][1]
        s.matched_actions += 1
        ok_owner, ok_due = owner_matches(a.owner, g["owner"]), due_matches(a.due, g["due"])
        if a.owner and not ok_owner:
            s.invented_owners += 1
            s.details.append(f"wrong owner {a.owner!r} (gold {g['owner']!r}) for {g['task']!r}")
        if a.due and not ok_due:
            s.invented_dates += 1
            s.details.append(f"wrong date {a.due!r} (gold {g['due']!r}) for {g['task']!r}")
        if ok_owner and ok_due:
            s.correct_actions += 1
        else:
            s.details.append(
                f"action incomplete: {g['task']!r}: owner {a.owner!r}/{g['owner']!r}, "
                f"due {a.due!r}/{g['due']!r}"
            )
    s.details += [
        f"missed action: {g['task']}" for i, (_, g) in enumerate(gold_act) if i not in used
    ]
    return s


def gold_meetings() -> list[tuple[str, Transcript, dict[str, Any]]]:
    """Every annotated meeting: (name, transcript, gold)."""
    out = []
    for gold_path in sorted(DATA.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        out.append(
            (
                gold_path.name.removesuffix(".gold.json"),
                load_transcript(DATA / gold["transcript"]),
                gold,
            )
        )
    return out


def synthetic_long_meeting(target_tokens: int = 25_000, hours: float = 2.0) -> Transcript:
    """A 2 h meeting of ~25k tokens: the gold meetings repeated, renumbered, spread over 2 h."""
    base = [t for _, t, _ in gold_meetings()]
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--long", action="store_true", help="also run the 2 h synthetic meeting")
    ap.add_argument("--long-budget-s", type=float, default=float("inf"), help="stop it after")
    ap.add_argument("--only", default="", help="comma-separated meeting names")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--details", action="store_true", help="print each miss and invention")
    ap.add_argument("--save", type=Path, help="folder for each system's minutes JSON")
    args = ap.parse_args(argv)
    systems = [s for s in args.systems.split(",") if s]
    meetings = gold_meetings()
    if args.only:
        meetings = [m for m in meetings if m[0] in args.only.split(",")]

    inner = backend_from_settings()
    backend = ReplayBackend(inner)
    totals = {name: Score() for name in systems}
    rows = []
    for name, transcript, gold in meetings:
        for system in systems:
            t0 = time.monotonic()
            if system == "single-prompt":
                minutes = summarize_single_prompt(transcript, backend=backend)
            else:
                minutes = summarize(transcript, backend=backend, verify=system == "verified")
            sc = score(minutes, transcript, gold)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{name}.{system}.json").write_text(minutes.model_dump_json(indent=2))
            sc.seconds = round(time.monotonic() - t0, 1)
            totals[system].add(sc)
            rows.append((name, system, sc))
            print(f"[{name}] {system}: {sc.seconds:.0f} s", file=sys.stderr, flush=True)
            if args.details:
                for line in sc.details:
                    print(f"    {name}/{system}: {line}", file=sys.stderr)

    print(f"\nBackend: {inner.name}; meetings: {', '.join(m[0] for m in meetings)}\n")
    print(
        "| system | decision R | decision P | action R | action P | invented owners "
        "| invented dates | ideas as decisions | LLM time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    out: dict[str, Any] = {"backend": inner.name, "systems": {}}
    for system, s in totals.items():
        print(
            f"| {system} | {Score.ratio(s.matched_decisions, s.gold_decisions)} "
            f"| {Score.ratio(s.matched_decisions, s.pred_decisions)} "
            f"| {Score.ratio(s.correct_actions, s.gold_actions)} "
            f"| {Score.ratio(s.correct_actions, s.pred_actions)} "
            f"| {s.invented_owners} | {s.invented_dates} | {s.ideas_as_decisions} "
            f"| {s.seconds:.0f} s |"
        )
        out["systems"][system] = {k: v for k, v in asdict(s).items() if k != "details"}
    print("\n(unverified reuses the verified run's LLM answers: its time is only the checks.)")

    if args.long:
        out["long"] = run_long(inner, args.long_budget_s)
    out["peak_rss_mib"] = round(peak_rss_mib())
    print(f"\nPeak RSS of the benchmark process: {peak_rss_mib():.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
