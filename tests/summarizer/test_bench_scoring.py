"""The minutes benchmark's scoring (benchmarks/bench_minutes.py): phantom items, owners on
anonymous transcripts, inventions. No LLM: minutes are built by hand."""

from __future__ import annotations

from benchmarks.bench_minutes import owner_matches, phantoms, score
from benchmarks.minutes_data import load_meetings
from summarizer import Action, Decision, Minutes, SourceRef, Unverified


def _ref(sid: int) -> SourceRef:
    return SourceRef(segment_id=sid, start=0.0, end=1.0)


def test_an_item_repeated_across_meetings_is_a_phantom():
    phantom = Unverified(kind="action", text="Rédiger la note", reason="x", segment_ids=[8])
    runs = {
        f"m{i}": Minutes(
            decisions=[Decision(text=f"Décision propre à la réunion {i}", sources=[_ref(1)])],
            to_check=[phantom],
        )
        for i in range(3)
    }
    runs["m3"] = Minutes(to_check=[Unverified(kind="action", text="Sans source", reason="x")])
    found = phantoms(runs)
    assert found["m0"] == ["rediger la note"]
    assert found["m3"] == ["Sans source (cites nothing)"]


def test_owner_on_anonymous_transcripts_may_be_the_speaker_label():
    assert owner_matches("Intervenant 3", "Claire Vidal", "SPEAKER_02")
    assert owner_matches("Claire", "Claire Vidal", "SPEAKER_02")
    assert not owner_matches("Intervenant 2", "Claire Vidal", "SPEAKER_02")
    assert owner_matches(None, None) and not owner_matches("Paul", None)


def test_score_counts_matches_inventions_and_ideas():
    meeting = next(
        m for m in load_meetings(groups=("tuning",), variants=("asr",)) if m.name == "conseil_ecole"
    )
    t = meeting.transcript
    at = {s.start: s.id for s in t.segments}
    minutes = Minutes(
        decisions=[
            Decision(text="La sortie est adoptée", sources=[_ref(at[100.0])]),  # 00:01:40
            Decision(text="Des arbres seront plantés", sources=[_ref(at[250.0])]),  # an idea
        ],
        actions=[
            Action(
                task="Réserver le car",
                owner="Intervenant 2",
                due="d'ici vendredi",
                sources=[_ref(at[130.0])],
            ),
            Action(
                task="Appeler le rectorat",
                owner="Madame Dupont",
                due="le 3 mars",
                sources=[_ref(at[355.0])],
            ),
        ],
    )
    s = score(minutes, meeting)
    assert (s.matched_decisions, s.ideas_as_decisions) == (1, 1)
    assert s.correct_actions == 1  # the car, by the anonymous speaker who accepted it
    assert (s.invented_owners, s.invented_dates) == (1, 1)
    assert (s.empty_owners, s.empty_dates) == (0, 0)
    # the same task found with its owner and deadline left empty: matched, not complete
    bare = Minutes(actions=[Action(task="Réserver le car", sources=[_ref(at[130.0])])])
    s = score(bare, meeting)
    assert (s.matched_actions, s.correct_actions) == (1, 0)
    assert (s.empty_owners, s.empty_dates, s.wrong_owners, s.wrong_dates) == (1, 1, 0, 0)


def test_missed_items_offered_as_points_to_check_are_counted():
    """What a clerk can still accept: a missed item counts as offered when a point à vérifier
    cites its turn (an action's point also about the same thing); an item of the relevé, or a
    point about something else, does not."""
    meeting = next(
        m
        for m in load_meetings(groups=("tuning",), variants=("clean",))
        if m.name == "conseil_ecole"
    )
    at = {s.start: s.id for s in meeting.transcript.segments}
    minutes = Minutes(
        actions=[Action(task="Réserver le car", sources=[_ref(at[125.0])])],  # 00:02:05
        to_check=[
            Unverified(kind="decision", text="Sortie au parc", reason="x", segment_ids=[at[100.0]]),
            Unverified(kind="action", text="Réserver le car", reason="x", segment_ids=[at[125.0]]),
            Unverified(
                kind="action", text="Chiffrer les plantations", reason="x", segment_ids=[at[275.0]]
            ),  # 00:04:35
            Unverified(
                kind="action", text="Fermer le portail", reason="x", segment_ids=[at[330.0]]
            ),  # 00:05:30: not about the police
        ],
    )
    s = score(minutes, meeting)
    assert s.points_to_check == 4
    assert s.missed_offered == 2  # the outing decision and the plantations
    assert s.missed_items == 2 + 4 - 1


def test_llm_cache_replays_identical_requests_only(tmp_path):
    """The benchmark's opt-in on-disk cache (dev only): an identical request (backend, model,
    messages, schema, token limit, temperature, seed) is answered from disk; any difference asks
    the model again."""
    from benchmarks.bench_minutes import DiskCache

    class Counting:
        name = "fake"
        context_tokens = 8192
        temperature = 0.0
        seed = 42

        def __init__(self):
            self.calls = 0

        def complete_json(self, messages, schema, *, max_tokens):
            self.calls += 1
            return {"n": self.calls}

    inner = Counting()
    cache = DiskCache(inner, tmp_path / "cache")
    msgs = [{"role": "user", "content": "bonjour"}]
    assert cache.complete_json(msgs, {}, max_tokens=10) == {"n": 1}
    assert cache.complete_json(msgs, {}, max_tokens=10) == {"n": 1}
    assert cache.complete_json(msgs, {}, max_tokens=20) == {"n": 2}
    inner.seed = 7
    assert cache.complete_json(msgs, {}, max_tokens=10) == {"n": 3}
    again = DiskCache(Counting(), tmp_path / "cache")  # another run, same folder
    assert again.complete_json(msgs, {}, max_tokens=20) == {"n": 2}
    assert (again.hits, again.misses, cache.hits, cache.misses) == (1, 0, 1, 3)


def test_the_rules_only_run_scores_what_the_code_reads_without_a_model():
    from benchmarks.bench_minutes import RELEVE_STEPS, RulesOnlyBackend, run_eval

    meetings = [
        m
        for m in load_meetings(groups=("tuning",), variants=("clean",))
        if m.name == "conseil_ecole"
    ]
    each: dict = {}
    totals = run_eval(
        meetings, ["verified"], RulesOnlyBackend(), RELEVE_STEPS, None, False, None, each
    )
    s = totals[("verified", "tuning", "clean")]
    assert s.llm_calls > 0 and s.gold_decisions > 0
    # a vote read in code is found with no model at all
    assert s.matched_decisions > 0
    assert each[("verified", "conseil_ecole", "clean")].matched_decisions == s.matched_decisions
    # every answer is the "nothing here" kind of its schema
    schema = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["tâche à faire", "déjà fait ou information"]}
        },
    }
    assert RulesOnlyBackend().complete_json([], schema, max_tokens=1) == {
        "kind": "déjà fait ou information"
    }
