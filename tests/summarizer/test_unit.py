"""Unit tests of the minutes step with a scripted fake LLM: parsing, verification, map-reduce,
rendering. Fast; the real embedded model is exercised in test_real_model.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from asr_service.transcript import Segment, Speaker, Transcript
from summarizer import (
    EMPTY_NOTICE,
    Minutes,
    OpenAIBackend,
    TranscriptFormatError,
    load_transcript,
    parse_clerk_text,
    prompts,
    render_markdown,
    summarize,
)
from summarizer.backends import LLMError, _with_retry, backend_from_settings
from summarizer.pipeline import STEPS, commitment_segments, decision_segments
from summarizer.schema import Decision, Unverified
from summarizer.settings import LLMSettings
from summarizer.text import (
    SENTENCE_RE,
    addressee,
    commits_self,
    deadline_of,
    is_acceptance,
    opens_with_acceptance,
    spoken_task,
    stated_deadlines,
)
from summarizer.verify import TranscriptIndex, check_action, check_decision, states_decision
from summarizer.windows import split_windows

DATA = Path(__file__).parent / "data"
BENCH = Path(__file__).parents[2] / "benchmarks" / "data" / "minutes"

COUNCIL = """\
[00:00:05] Hélène Marchand: Je mets aux voix le budget 2025. Le budget est adopté à l'unanimité.
[00:00:40] Hélène Marchand: Odile, il faudra transmettre le budget à la préfecture avant le 15 avril
[00:00:50] Odile Perrin: Entendu, je m'en charge.
[00:01:10] Jean-Paul Roussel: On pourrait installer des panneaux solaires sur le gymnase.
[00:01:30] Hélène Marchand: Rien n'est décidé ce soir sur ce point.
"""


class FakeLLM:
    """Answers each extraction step from a script keyed by the task; records the calls."""

    name = "fake"
    context_tokens = 8192

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[list[dict[str, str]]] = []

    def complete_json(self, messages, schema, *, max_tokens):
        self.calls.append(messages)
        task = messages[-1]["content"]
        for key, answer in self.answers.items():
            if key in task:
                return answer(messages) if callable(answer) else answer
        return {"decisions": [], "actions": [], "topics": [], "questions": [], "roles": []}


def council() -> Transcript:
    return parse_clerk_text(COUNCIL)


def marked_turn(messages: list[dict[str, str]]) -> tuple[int, str]:
    """The id and text of the candidate turn (``>>``) a per-turn prompt asks about."""
    m = re.search(r"^>> \[(\d+)\] \([\d:]+\) [^:]+ : (.*)$", messages[-1]["content"], re.M)
    assert m, "a per-turn prompt marks its turn"
    return int(m.group(1)), m.group(2)


def scripted(decisions: dict[int, str], actions: dict[int, dict[str, str]]):
    """A fake model's answer to each per-turn question: ``decisions``/``actions`` by turn id."""

    def answer(messages: list[dict[str, str]]) -> dict[str, Any]:
        sid, text = marked_turn(messages)
        if prompts.DECISION_KINDS[0] in messages[-1]["content"]:
            said = decisions.get(sid)
            kind = prompts.DECISION_KINDS[0 if said else 3]
            return {"summary": said or text, "kind": kind}
        item = actions.get(sid)
        if item:
            return {**item, "kind": prompts.ACTION_KINDS[0]}
        return {"task": text, "owner": "", "due": "", "kind": prompts.ACTION_KINDS[2]}

    return answer


# -- loading ---------------------------------------------------------------------------------


def test_clerk_text_is_parsed_into_segments_and_speakers():
    t = council()
    assert [s.id for s in t.segments] == [0, 1, 2, 3, 4]
    assert t.segments[1].start == 40.0 and t.segments[1].end == 50.0
    assert t.speaker_name(t.segments[2].speaker) == "Odile Perrin"
    assert {s.name for s in t.speakers} == {"Hélène Marchand", "Odile Perrin", "Jean-Paul Roussel"}


def test_load_transcript_reads_json_and_text(tmp_path):
    text_path = tmp_path / "seance.txt"
    text_path.write_text(COUNCIL, encoding="utf-8")
    json_path = tmp_path / "seance.json"
    json_path.write_text(council().model_dump_json(), encoding="utf-8")
    assert load_transcript(text_path).segments[0].text.startswith("Je mets aux voix")
    assert load_transcript(json_path).segments == load_transcript(text_path).segments


def test_bad_transcripts_give_clear_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("pas de minutage ici\n", encoding="utf-8")
    with pytest.raises(TranscriptFormatError, match="line 1"):
        load_transcript(bad)
    with pytest.raises(FileNotFoundError):
        load_transcript(tmp_path / "absent.txt")
    broken = tmp_path / "broken.json"
    broken.write_text('{"segments": [', encoding="utf-8")
    with pytest.raises(TranscriptFormatError, match="invalid JSON"):
        load_transcript(broken)


def test_evaluation_set_is_split_once_and_annotations_point_at_turns():
    from benchmarks.minutes_data import load_meetings

    meetings = load_meetings()
    new = {m.name: m for m in meetings if m.group in ("tuning", "heldout")}
    assert len(new) >= 15
    assert {m.group for m in new.values()} == {"tuning", "heldout"}
    for m in meetings:
        starts = {prompts.clock(s.start) for s in m.transcript.segments}
        for item in m.gold["decisions"] + m.gold["actions"] + m.gold.get("not_decisions", []):
            assert set(item["at"]) <= starts, (m.name, m.variant, item)
        if m.variant == "asr":  # anonymous, lower case, no punctuation
            assert all(sp.name is None for sp in m.transcript.speakers)
            assert m.transcript.text == m.transcript.text.lower()
            assert not re.search(r"[.,;:?!]", m.transcript.text)


def test_gold_transcripts_parse():
    for path in BENCH.glob("*.txt"):
        t = load_transcript(path)
        assert len(t.segments) > 20, path
        gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
        starts = {prompts.clock(s.start) for s in t.segments}
        for item in gold["decisions"] + gold["actions"]:
            assert set(item["at"]) <= starts, (path.name, item)


# -- verification ----------------------------------------------------------------------------


def test_decision_must_cite_text_that_states_it():
    index = TranscriptIndex(council())
    ok = check_decision({"decision": "Le budget 2025 est adopté.", "segments": [0]}, index)
    assert ok.__class__.__name__ == "Decision"
    idea = check_decision(
        {"decision": "Des panneaux solaires seront installés sur le gymnase.", "segments": [3]},
        index,
    )
    assert idea.__class__.__name__ == "Unverified"
    ghost = check_decision({"decision": "Le budget est adopté.", "segments": [99]}, index)
    assert ghost.__class__.__name__ == "Unverified"


def test_action_owner_and_due_are_verified():
    index = TranscriptIndex(council())
    good = check_action(
        {
            "task": "Transmettre le budget à la préfecture",
            "owner": "Odile Perrin",
            "due": "avant le 15 avril",
            "segments": [1, 2],
        },
        index,
    )
    assert good.owner == "Odile Perrin" and good.due == "avant le 15 avril"
    assert good.notes == []
    invented = check_action(
        {
            "task": "Transmettre le budget à la préfecture",
            "owner": "M. Dupont",
            "due": "le 30 juin",
            "segments": [1],
        },
        index,
    )
    # the invented owner and date are replaced by those the transcript says, and noted
    assert invented.owner == "Odile Perrin" and invented.due == "avant le 15 avril"
    assert any("Dupont" in n for n in invented.notes)
    assert any("30 juin" in n for n in invented.notes)
    rewritten = check_action(
        {"task": "Réorganiser l'informatique", "owner": None, "due": None, "segments": [1]},
        index,
    )
    assert rewritten.__class__.__name__ == "Unverified"


# -- pipeline with a fake LLM ------------------------------------------------------------------


def test_empty_transcript_says_nothing_to_summarise_without_llm():
    llm = FakeLLM()
    silent = Transcript(segments=[Segment(id=0, start=0, end=1, text="  ")])
    minutes = summarize(silent, backend=llm)
    assert minutes.status == "empty" and minutes.notice == EMPTY_NOTICE
    assert minutes.decisions == minutes.actions == minutes.topics == []
    assert llm.calls == []
    assert EMPTY_NOTICE in render_markdown(minutes)


def test_pipeline_keeps_verified_items_and_sets_aside_the_rest():
    answer = scripted(
        decisions={0: "Le budget 2025 est adopté à l'unanimité."},
        actions={
            1: {"task": "Transmettre le budget à la préfecture", "owner": "", "due": ""},
            4: {"task": "Rédiger la note de synthèse", "owner": "Paul Martin", "due": "3 juin"},
        },
    )
    llm = FakeLLM(
        {
            "TÂCHE : dans l'extrait": answer,
            "ordre du jour": {
                "title": "Conseil municipal",
                "roles": [{"name": "Hélène Marchand", "role": "présidente du Sénat"}],
                "topics": [{"title": "Budget", "summary": "Le budget est voté.", "segments": [0]}],
            },
        }
    )
    minutes = summarize(council(), backend=llm)
    assert [d.text for d in minutes.decisions] == ["Le budget 2025 est adopté à l'unanimité."]
    assert len(minutes.actions) == 1
    action = minutes.actions[0]
    # owner and deadline as said: Odile is addressed by name and accepts; the date is hers
    assert (action.owner, action.due) == ("Odile Perrin", "avant le 15 avril")
    # the task the turn does not say is set aside, never printed as an action
    assert [(u.kind, u.text) for u in minutes.to_check] == [
        ("action", "Rédiger la note de synthèse")
    ]
    assert all(p.role is None for p in minutes.participants)  # role never said: dropped
    assert minutes.cited_segment_ids() <= {s.id for s in council().segments}
    Minutes.model_validate_json(minutes.model_dump_json())
    md = render_markdown(minutes)
    assert md == render_markdown(minutes)  # deterministic
    assert "| 1 | Le budget 2025 est adopté à l'unanimité. | §0 (00:00:05) |" in md
    assert "Points à vérifier" in md
    unchecked = summarize(council(), backend=llm, verify=False)
    assert len(unchecked.actions) == 2 and unchecked.to_check == []


def test_prompts_hold_no_example_a_model_could_copy():
    """A small model copies example answers: every prompt describes fields, none shows values."""
    texts = [v for k, v in vars(prompts).items() if k.endswith("_TASK") or k == "SYSTEM"]
    for text in texts:
        assert not re.search(r"\{\s*\"(task|decision|owner|due|question)\"\s*:", text), text
        assert "→" not in text and "Exemple" not in text and "ex." not in text
    # the action step's answer is a task: a commitment quoted in its instructions ("je
    # transmettrai") became the task of 86 of 180 answers on eight meetings ("transmettre…")
    quoted = re.findall(r"«\s*([^»]*?)\s*»", prompts.ACTION_CANDIDATE_TASK)
    assert all(len(q.split()) == 1 for q in quoted), quoted  # « je » names the speaker only


def test_a_meeting_without_action_gets_no_phantom_point():
    """The model that copied the prompt's example ("Rédiger la note", segment 8) into every
    meeting: with no example in the prompts nothing is copied, and a proposal citing no turn
    of the meeting is not a point for the clerk to check."""

    class Copycat(FakeLLM):
        """Answers with whatever example the prompt shows (as the 1.5B model did)."""

        def complete_json(self, messages, schema, *, max_tokens):
            self.calls.append(messages)
            text = messages[-1]["content"]
            example = re.search(r"→\s*(\{.*\})", text)
            if example:
                copied = json.loads(example.group(1))
                return {"actions": [copied], **copied, "kind": prompts.ACTION_KINDS[0]}
            if "QUESTIONS EN SUSPENS" in text:
                return {"questions": [{"question": "Rédiger la note", "segments": [8]}]}
            return {"kind": "question", "summary": "", "task": "", "topics": [], "title": ""}

    no_action = load_transcript(DATA / "sans_decision.txt")
    minutes = summarize(no_action, backend=Copycat())
    assert minutes.actions == [] and minutes.decisions == []
    assert minutes.to_check == []
    assert "Rédiger la note" not in render_markdown(minutes)
    assert minutes.generation.extra["proposals_citing_nothing"] == 1


def _long_transcript(minutes: int = 120) -> Transcript:
    """A synthetic 2 h meeting: one decision and one action every ten minutes."""
    segs = []
    speakers = [Speaker(id=f"s{i}", name=n) for i, n in enumerate(["Anne Roy", "Paul Mercier"])]
    for i in range(minutes * 4):  # a turn every 15 s
        start = i * 15.0
        if i % 40 == 10:
            text = f"Le point numéro {i} est adopté à l'unanimité par le conseil."
        elif i % 40 == 20:
            text = f"Paul Mercier enverra le dossier numéro {i} avant le 15 mars."
        else:
            text = f"Intervention {i} : échanges sur le dossier en cours, sans conclusion."
        segs.append(Segment(id=i, start=start, end=start + 14, text=text, speaker=f"s{i % 2}"))
    return Transcript(segments=segs, speakers=speakers, duration=minutes * 60.0)


def _answer_about_turn(messages):
    """A fake model that reports what the marked turn says (decision or task)."""
    sid, text = marked_turn(messages)
    if prompts.DECISION_KINDS[0] in messages[-1]["content"]:
        return {"summary": text, "kind": prompts.DECISION_KINDS[0 if "adopté" in text else 3]}
    if "enverra" in text:
        n = re.search(r"numéro (\d+)", text).group(1)
        task = f"Envoyer le dossier numéro {n}"
        return {"task": task, "owner": "", "due": "", "kind": prompts.ACTION_KINDS[0]}
    return {"task": text, "owner": "", "due": "", "kind": prompts.ACTION_KINDS[2]}


def test_long_meeting_topics_by_window_and_every_candidate_turn_asked_once():
    t = _long_transcript()
    windows = list(split_windows(t.segments, budget=1500))
    assert len(windows) > 3
    covered = {s.id for w in windows for s in w}
    assert covered == {s.id for s in t.segments}
    llm = FakeLLM({"TÂCHE : dans l'extrait": _answer_about_turn})
    minutes = summarize(t, backend=llm, window_tokens=1500)
    assert minutes.generation.windows == len(windows)
    candidates = len(decision_segments(t.segments)) + len(commitment_segments(t.segments))
    assert len(llm.calls) == 2 * len(windows) + candidates
    expected_decisions = sum(1 for s in t.segments if "adopté" in s.text)
    expected_actions = sum(1 for s in t.segments if "enverra" in s.text)
    assert len(minutes.decisions) == expected_decisions
    assert len(minutes.actions) == expected_actions
    # owner and date from the transcript, as said ("Paul Mercier enverra ... avant le 15 mars")
    assert all(a.due == "avant le 15 mars" for a in minutes.actions)
    starts = [d.sources[0].start for d in minutes.decisions]
    assert starts == sorted(starts)
    # no prompt sends the whole meeting
    longest = max(len(m[-1]["content"]) for m in llm.calls)
    assert longest < len(prompts.format_segments(t.segments, t)) / 3
    relevé = summarize(t, backend=FakeLLM(), steps=("decisions",))
    assert relevé.generation.windows == 0 and relevé.topics == []
    with pytest.raises(ValueError, match="unknown minutes steps"):
        summarize(t, backend=FakeLLM(), steps=("décisions",))
    assert set(STEPS) == {"topics", "questions", "decisions", "actions"}


# -- OpenAI-compatible backend ------------------------------------------------------------------


def test_openai_backend_sends_schema_and_parses_answer():
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers.get("authorization")
        seen["body"] = json.loads(request.content)
        content = '```json\n{"decisions": []}\n```'
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    backend = OpenAIBackend(
        "http://llm.intranet/v1",
        "mistral-small",
        api_key="secret",
        transport=httpx.MockTransport(handler),
    )
    messages = [{"role": "user", "content": "x"}]
    out = backend.complete_json(messages, {"type": "object"}, max_tokens=5)
    assert out == {"decisions": []}
    assert seen["url"] == "http://llm.intranet/v1/chat/completions"
    assert seen["auth"] == "Bearer secret"
    assert seen["body"]["response_format"]["type"] == "json_schema"
    assert seen["body"]["model"] == "mistral-small"


# -- settings and cues ---------------------------------------------------------------------------


def test_backend_factory_names_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("ASR_LLM_BACKEND", "openai")
    with pytest.raises(LLMError, match="ASR_LLM_BASE_URL"):
        backend_from_settings()
    with pytest.raises(LLMError, match="ASR_LLM_GGUF_PATH"):
        backend_from_settings(LLMSettings(backend="gguf"))
    with pytest.raises(LLMError, match="not found"):
        backend_from_settings(LLMSettings(backend="gguf", gguf_path=tmp_path / "none.gguf"))
    monkeypatch.setenv("ASR_LLM_BASE_URL", "http://llm.intranet/v1")
    monkeypatch.setenv("ASR_LLM_API_MODEL", "qwen2.5-7b-instruct")
    backend = backend_from_settings()
    assert isinstance(backend, OpenAIBackend) and backend.name == "openai:qwen2.5-7b-instruct"


def test_an_answer_drifting_into_another_script_is_not_kept():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Le rapport est adopté à l'unanimité. Karim, tu transmets les "
        "chiffres des trois dernières années ?\n"
    )
    index = TranscriptIndex(t)
    drifted = "Transmettre les chiffres des trois dernières年的"
    assert isinstance(check_decision({"decision": drifted, "segments": [0]}, index), Unverified)
    action = check_action({"task": drifted, "owner": "", "due": "", "segments": [0]}, index)
    assert isinstance(action, Unverified) and "alphabet latin" in action.reason
    clean = check_action(
        {
            "task": "Transmettre les chiffres des trois dernières années",
            "owner": "",
            "due": "",
            "segments": [0],
        },
        index,
    )
    assert not isinstance(clean, Unverified)


def test_a_summary_the_chair_then_agrees_to_is_the_decision():
    from summarizer.pipeline import decision_as_said

    t = parse_clerk_text(
        "[00:00:01] Karim Benali: On peut garder une salle ouverte le samedi matin.\n"
        "[00:00:06] Agnès Roux: Très bien. Donc accueil maintenu le samedi matin, sauf en "
        "août, avec un agent d'astreinte. Ça me va.\n"
        "[00:00:14] Agnès Roux: Le transport des élèves, vous le réorganisez ? Ça me va.\n"
    )
    index = TranscriptIndex(t)
    said = decision_as_said(index, 1)
    assert said["decision"] == (
        "Accueil maintenu le samedi matin, sauf en août, avec un agent d'astreinte (accord)."
    )
    assert not isinstance(check_decision(said, index), Unverified)
    assert decision_as_said(index, 2) is None  # a question, then agreement: nothing summed up


def test_a_decision_word_in_a_clause_of_time_is_not_a_decision():
    from summarizer.verify import states_decision

    # what happens once something is decided, not a decision taken
    assert not states_decision("Je vous transmets le planning dès qu'il est validé.")
    assert not states_decision("Quand ce sera adopté, je préviens les familles.")
    assert not states_decision("Je lance la commande une fois le devis validé.")
    # a condition may settle a point; a decision said outright still counts
    assert states_decision("Si la digue est fixée ce soir, oui. On rouvre demain.")
    assert states_decision("La date est fixée au 4 mars, je vous préviens dès qu'on a la salle.")


def test_candidate_turns_skip_negations_and_bare_acceptances():
    t = council()
    assert [s.id for s in decision_segments(t.segments)] == [0]  # "rien n'est décidé" is not
    # "Entendu, je m'en charge." is read as the context of the request just before it; a turn
    # that says a deadline ("ce soir") is asked about, the model and the checks decide
    assert [s.id for s in commitment_segments(t.segments)] == [1, 4]
    asr = parse_clerk_text(
        "[00:00:01] SPEAKER_00: on tranche pas aujourd'hui rien est décidé\n"
        "[00:00:09] SPEAKER_00: bon on part là dessus va pour le 2 juin\n"
        "[00:00:15] SPEAKER_01: ok je l'ajoute au backlog\n"
    )
    assert [s.id for s in decision_segments(asr.segments)] == [1]  # negation without "ne"
    assert [s.id for s in commitment_segments(asr.segments)] == [1, 2]


def test_a_point_settled_with_on_and_a_pronoun_is_a_decision_candidate():
    t = parse_clerk_text(
        "[00:00:01] Mme Roux: Je propose d'annuler la kermesse, il fera quarante degrés.\n"
        "[00:00:09] M. Blanc: Bon. On l'annule, et on la reporte en septembre.\n"
        "[00:00:15] Mme Roux: Et la sortie au lac, on la fait quand ?\n"
        "[00:00:20] M. Blanc: Si on la fait jeudi, il faut un car.\n"
        "[00:00:26] Mme Roux: On le demandait depuis deux ans, on le sait bien.\n"
        "[00:00:29] Mme Roux: On les leur a demandées lundi. On la réclame depuis mai.\n"
        "[00:00:30] M. Blanc: Reste à savoir sur quelle ligne on les finance.\n"
        "[00:00:31] M. Blanc: Les vieux PC, on les remet à plus tard.\n"
        "[00:00:36] Mme Roux: Et les livres désherbés, on les redonne à l'association ?\n"
        "[00:00:40] M. Blanc: Oui, on redonne.\n"
    )
    # a question (direct or not), a condition, an imperfect, a stative verb, a past, a lasting
    # state and a deferral settle nothing
    assert [s.id for s in decision_segments(t.segments)] == [1, 9]
    index = TranscriptIndex(t)
    proposal = {"decision": "La kermesse est annulée et reportée en septembre.", "segments": [1]}
    assert isinstance(check_decision(proposal, index), Decision)
    # the same words cited from the question are not a decision
    asked = {"decision": "La sortie au lac est faite.", "segments": [2]}
    assert isinstance(check_decision(asked, index), Unverified)


def test_consent_heard_in_the_chairs_turn_settles_the_point_said_before_it():
    from summarizer.pipeline import decision_as_said

    for said in (
        "Le samedi 14 juin, alors. Tout le monde est d'accord ? Oui. Très bien.",
        "le samedi 14 juin alors tout le monde est d'accord oui très bien",  # as the ASR writes
    ):
        t = parse_clerk_text(
            "[00:00:01] Amina: On pourrait avancer la fête au samedi 14 juin.\n"
            f"[00:00:09] Gérard: {said}\n"
            "[00:00:15] Gérard: Bon. On arrête là pour ce soir. Merci à tous.\n"
        )
        index = TranscriptIndex(t)
        found = decision_as_said(index, 1)
        assert found == {"decision": "Le samedi 14 juin (accord de tous).", "segments": [1]}
        assert isinstance(check_decision(found, index), Decision)
        # closing the meeting ("on arrête là") is no decision
        assert [s.id for s in decision_segments(t.segments)] == [1]


def test_cues_for_owners_and_deadlines_as_said():
    assert addressee("Claire, tu peux réserver le car d'ici vendredi ?") == "Claire"
    assert addressee("et sonia tu m'envoies la synthèse") == "Sonia"  # ASR: no commas
    assert addressee("Alors, vous en pensez quoi ?") is None
    assert commits_self("Je transmettrai la pétition dès demain.")
    assert commits_self("Ok, je l'ajoute au backlog.")
    assert not commits_self("Je pense qu'on devrait ouvrir la zone aux commerces.")
    assert not commits_self("Je mets aux voix le budget avant le 15 avril.")
    # an offer, or asking someone on the meeting's behalf, takes the task on
    assert commits_self("Je peux m'occuper de la sono, j'ai du matériel.")
    assert commits_self("je peux appeler la présidente je la connais bien")
    assert commits_self("Il faut le chiffrage, je demande un devis à la métropole.")
    assert commits_self("Je demande à la police municipale de passer plus souvent.")
    assert not commits_self("Je peux vous dire que le budget est tenu.")
    assert not commits_self("Je me demande si c'est utile.")
    assert not commits_self("Je vous demande de relire le texte.")
    assert not commits_self("Je demande à voir les chiffres.")
    said = "Il manque trois infirmiers en juillet. J'établirai le planning avant le 30 avril."
    assert stated_deadlines(said) == ["en juillet", "avant le 30 avril"]
    for phrase in [
        "d'ici la fin du mois",
        "avant les vacances",
        "la semaine prochaine",
        "dans la matinée",
        "pour le prochain directoire",
        "dès lundi",
    ]:
        assert stated_deadlines(f"je le fais {phrase}") == [phrase]


def test_who_answers_when_with_a_time_takes_the_task_by_then():
    from summarizer.verify import answers_when

    t = parse_clerk_text(
        "[00:00:01] Mathieu Garcia: La double authentification, on la fait. "
        "Tu peux l'activer quand ?\n"
        "[00:00:09] Yasmine Cherif: Lundi, si Kevin me fait le tuto pour eux.\n"
    )
    index = TranscriptIndex(t)
    action = check_action(
        {"task": "Activer la double authentification", "owner": "", "due": "", "segments": [0]},
        index,
    )
    assert (action.owner, action.due) == ("Yasmine Cherif", "Lundi")  # as said
    assert answers_when("C'est pour quand ?", "Début janvier, pour la com.")
    assert not answers_when("Tu peux l'activer quand ?", "Pas avant mars, on n'a personne.")
    assert not answers_when("Tu peux l'activer ?", "Lundi, si Kevin me fait le tuto.")


def _owner_and_due(index: TranscriptIndex, task: str, sid: int) -> tuple[str | None, str | None]:
    """Owner and deadline that verification gives ``task`` cited at turn ``sid``."""
    action = check_action({"task": task, "owner": "", "due": "", "segments": [sid]}, index)
    assert not isinstance(action, Unverified), action.reason
    return action.owner, action.due


def test_a_reply_that_takes_on_another_task_keeps_the_requests_deadline():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Monsieur Petit, vous nous reprenez le budget annexe pour le "
        "bureau de mars ?\n"
        "[00:00:08] Paul Petit: Oui, c'est jouable. Je téléphone au trésorier jeudi.\n"
        "[00:00:14] Paul Petit: Les bons de commande, je vous les envoie ce soir.\n"
        "[00:00:20] Inès Faure: Parfait. La note aux agents, je la fais partir demain, alors.\n"
    )
    index = TranscriptIndex(t)
    # "jeudi" goes with the call to the treasurer, not with the budget asked for March
    assert _owner_and_due(index, "Reprendre le budget annexe", 0) == (
        "Paul Petit",
        "pour le bureau de mars",
    )
    # the next speaker's own task and date ("demain") are not this one's
    assert _owner_and_due(index, "Envoyer les bons de commande", 2) == ("Paul Petit", "ce soir")
    # a reply that takes on what was asked through a pronoun still gives its date
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Karim, tu t'occupes des badges des stagiaires ?\n"
        "[00:00:05] Karim Benali: Oui, je les commande lundi.\n"
    )
    assert _owner_and_due(TranscriptIndex(t), "S'occuper des badges", 0) == (
        "Karim Benali",
        "lundi",
    )


def test_a_deadline_said_after_the_request_or_asked_for_belongs_to_the_task():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Karim, tu prépares le diaporama ? Il nous le faudrait pour "
        "le conseil du 12 mars. Ce n'est pas l'objet du vote aujourd'hui.\n"
        "[00:00:09] Karim Benali: D'accord.\n"
        "[00:00:12] Agnès Roux: Léa, tu peux relire la convention ?\n"
        "[00:00:16] Léa Morel: Oui. C'est pour quand ?\n"
        "[00:00:19] Agnès Roux: D'ici mardi, si possible.\n"
        "[00:00:23] Paul Petit: Je contacte le rectorat. Ce n'est pas simple en ce moment.\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Préparer le diaporama", 0) == (
        "Karim Benali",
        "pour le conseil du 12 mars",
    )
    assert _owner_and_due(index, "Relire la convention", 2) == ("Léa Morel", "D'ici mardi")
    # a date said in passing after the task is not its deadline
    assert _owner_and_due(index, "Contacter le rectorat", 5) == ("Paul Petit", None)


def test_a_reply_that_says_when_then_accepts_takes_the_task_on():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Vous nous transmettez les relevés de fréquentation, mois par "
        "mois ?\n"
        "[00:00:07] Karim Benali: Avant le 3 mars, c'est faisable.\n"
        "[00:00:12] Léa Morel: Il manque le RIB du traiteur. Je leur demande de l'envoyer "
        "sous huit jours.\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Transmettre les relevés de fréquentation", 0) == (
        "Karim Benali",
        "Avant le 3 mars",
    )
    assert is_acceptance("lundi ça marche") and not is_acceptance("Le budget, d'accord.")
    # asking an absent third party is the speaker's task; "je vous demande de…" asks the room
    assert commits_self(t.segments[2].text)
    assert not commits_self("Je vous demande de voter, s'il vous plaît.")


def test_the_speakers_own_task_stays_theirs_beside_a_request_to_someone_else():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Je présenterai le bilan au bureau communautaire, en mars. "
        "Karim, vous me transmettez les tableaux ?\n"
        "[00:00:08] Karim Benali: Oui, je vous envoie ça demain.\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Présenter le bilan au bureau communautaire", 0) == (
        "Agnès Roux",
        "en mars",
    )
    assert _owner_and_due(index, "Transmettre les tableaux", 0) == ("Karim Benali", "demain")


def test_a_reply_takes_on_the_second_task_asked_in_the_turn_before():
    from summarizer.pipeline import task_as_said

    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Je présenterai le bilan au bureau communautaire, en mars. "
        "Karim, vous me transmettez les tableaux de suivi ?\n"
        "[00:00:08] Karim Benali: Oui, je vous transmets ça demain.\n"
    )
    index = TranscriptIndex(t)
    said = task_as_said(index, 1)
    assert said["task"] == "Transmettre les tableaux de suivi"
    action = check_action(said, index)
    assert (action.owner, action.due) == ("Karim Benali", "demain")


def test_seeing_to_something_with_someone_is_a_task_due_when_asked():
    assert spoken_task("Je vois ça avec la DRH demain.") == ("Voir ça avec la DRH", "je")
    assert spoken_task("Je vois ce que vous voulez dire.") is None
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Karim, vous voyez avec le garage pour que les bus soient "
        "révisés avant le 3 mars ?\n"
        "[00:00:07] Karim Benali: Oui, je vois ça avec eux dès lundi.\n"
    )
    # "dès lundi" says when the work starts; the deadline asked stands
    assert _owner_and_due(
        TranscriptIndex(t), "Voir avec le garage pour que les bus soient révisés", 0
    ) == ("Karim Benali", "avant le 3 mars")


def test_a_reply_that_says_how_it_does_the_task_asked_adds_no_task():
    from summarizer.pipeline import task_as_said

    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Karim, vous pouvez corriger le tableau des effectifs ?\n"
        "[00:00:05] Karim Benali: Oui, je reprends les fiches de paie et je corrige lundi.\n"
        "[00:00:09] Agnès Roux: Léa, tu réserves la salle ?\n"
        "[00:00:12] Léa Morel: Je réserve aujourd'hui, et j'envoie une invitation à tous.\n"
    )
    index = TranscriptIndex(t)
    assert task_as_said(index, 1) is None  # the correction asked is turn 0's action
    assert task_as_said(index, 3)["task"] == "Envoyer une invitation à tous"  # one more task
    # "vous les relancez ?": "les" is a pronoun there, not "les relancez"
    assert spoken_task("Oui, je leur écris cette semaine.", "Vous les relancez ?") == (
        "Écrire",
        "je",
    )


def test_a_service_that_is_going_to_do_something_owns_it():
    assert spoken_task("La DRH va envoyer la note aux agents.") == (
        "Envoyer la note aux agents",
        "La DRH",
    )
    assert spoken_task(
        "Les services techniques vont le faire chiffrer avant mars.", "Il me faut un devis."
    ) == ("Faire chiffrer le devis", "Les services techniques")
    assert spoken_task("Ça va prendre du temps.") is None
    assert spoken_task("Le prestataire ne va pas faire le travail.") is None
    # a month alone is a deadline after "avant", "d'ici", "pour"
    assert stated_deadlines("Je vous l'envoie d'ici juin, au plus tard avant juillet.") == [
        "d'ici juin",
        "avant juillet",
    ]


def test_what_the_speaker_says_they_must_do_is_their_task():
    said = "Je ne dis pas non, mais il faut que je regarde le coût avec la DRH."
    assert commits_self(said)
    assert spoken_task(said) == ("Regarder le coût avec la DRH", "je")
    assert spoken_task("Il faut que je prévienne les familles.") == ("Prévenir les familles", "je")
    assert spoken_task("Il faut que je voie avec mon directeur.") == (
        "Voir avec mon directeur",
        "je",
    )
    assert not commits_self("Il faut que je sois honnête avec vous.")
    # an opinion with a deadline nearby takes nothing on
    assert not commits_self("J'aime bien l'idée, mais il faudrait le faire avant mars.")
    assert spoken_task("Il faut que je vous dise une chose.") is None


def test_a_name_said_after_the_request_is_whom_it_asks():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Faites le relevé des compteurs, Mme Morel, on verra ensuite.\n"
        "[00:00:06] Agnès Roux: Point suivant.\n"
        "[00:00:09] Agnès Roux: Tu peux le reprendre, Karim ? Envoyez-moi le devis, SDIS.\n"
    )
    assert addressee(t.segments[0].text) == "Morel"
    assert spoken_task(t.segments[0].text) == ("Faire le relevé des compteurs", "tu")
    assert addressee(t.segments[2].text) == "Karim"
    assert addressee("Vous relancez le SDIS, demain ?") is None  # an acronym, then a date
    assert spoken_task("La note, je la fais partir demain, alors.") == (
        "Faire partir la note",
        "je",
    )


def test_owner_is_the_anonymous_speaker_who_commits():
    from benchmarks.minutes_data import anonymous_transcript

    t = anonymous_transcript(
        [
            "[00:00:01] SPEAKER_00: est ce que tu peux corriger l'export avant jeudi",
            "[00:00:05] SPEAKER_01: oui je corrige ça d'ici mercredi soir",
            "[00:00:09] SPEAKER_02: je pense qu'on pourrait traduire le portail",
        ],
        source="test",
    )
    index = TranscriptIndex(t)
    proposal = {"task": "Corriger l'export", "owner": "Kevin", "due": "jeudi", "segments": [0]}
    action = check_action(proposal, index)
    # the owner's own words win: who answered ("Intervenant 2"), and the deadline given
    assert action.owner == "Intervenant 2"
    assert action.due == "d'ici mercredi soir"
    assert any("Kevin" in n for n in action.notes)
    assert "SPEAKER_01" not in prompts.format_segments(t.segments, t)


def test_postponed_points_are_not_decisions():
    t = parse_clerk_text(
        "[00:00:01] Henri Blanchard: Sans cet avis, on ne peut pas statuer. "
        "Le dossier est ajourné à la prochaine commission.\n"
        "[00:00:20] Nadia Chevalier: C'est décidé : la mise en production est reportée au 2 juin.\n"
    )
    index = TranscriptIndex(t)
    ajourne = check_decision({"decision": "Le dossier est ajourné.", "segments": [0]}, index)
    assert ajourne.__class__.__name__ == "Unverified"
    reporte = check_decision(
        {"decision": "La mise en production est reportée au 2 juin.", "segments": [1]}, index
    )
    assert reporte.__class__.__name__ == "Decision"


def test_failed_steps_are_skipped_but_a_dead_llm_is_an_error():
    class Flaky(FakeLLM):
        def complete_json(self, messages, schema, *, max_tokens):
            if prompts.DECISION_KINDS[0] in messages[-1]["content"]:
                raise LLMError("timeout")
            return super().complete_json(messages, schema, max_tokens=max_tokens)

    class Dead(FakeLLM):
        def complete_json(self, messages, schema, *, max_tokens):
            raise LLMError("connection refused")

    minutes = summarize(council(), backend=Flaky())
    assert minutes.decisions == [] and minutes.generation.extra["failed_steps"] == ["timeout"]
    with pytest.raises(LLMError, match="every LLM step failed"):
        summarize(council(), backend=Dead())


def test_answer_cut_by_token_limit_is_retried_with_more_room():
    seen: list[int] = []

    def complete(messages, schema, max_tokens):
        seen.append(max_tokens)
        if max_tokens < 200:
            return '{"decisions": [{"decision": "Le bud', "length"
        return '{"decisions": []}', "stop"

    assert _with_retry(complete, [], {}, 100) == {"decisions": []}
    assert seen == [100, 200]


def test_information_meeting_statements_are_not_decisions():
    index = TranscriptIndex(load_transcript(DATA / "sans_decision.txt"))
    for seg in index.transcript.segments:
        proposal = {"decision": seg.text, "segments": [seg.id]}
        assert check_decision(proposal, index).__class__.__name__ == "Unverified", seg.text


def test_decision_citation_moves_to_the_turn_that_states_it():
    t = parse_clerk_text(
        "[00:00:01] Karim Benali: Notre groupe votera contre ce budget.\n"
        "[00:00:20] Hélène Marchand: Le budget primitif 2025 est adopté.\n"
    )
    index = TranscriptIndex(t)
    d = check_decision({"decision": "Le budget primitif 2025 est adopté.", "segments": [0]}, index)
    assert [s.segment_id for s in d.sources] == [0, 1]


def test_due_date_is_kept_whole_as_said():
    t = parse_clerk_text(
        "[00:00:01] Jean-Paul Roussel: J'organiserai une réunion de chantier "
        "la semaine du 7 avril.\n"
    )
    proposal = {
        "task": "Organiser une réunion de chantier",
        "owner": "Jean-Paul Roussel",
        "due": "7 avril",
        "segments": [0],
    }
    assert check_action(proposal, TranscriptIndex(t)).due == "la semaine du 7 avril"


# -- issue 18, generalisation: rules read in code ----------------------------------------------


def test_task_as_said_is_read_from_plain_commitments_requests_and_third_parties():
    assert spoken_task("C'est prévu. Je planifierai les sessions de formation en avril.") == (
        "Planifier les sessions de formation",
        "je",
    )
    assert spoken_task(
        "Prochain comité dans deux mois. Aurélie, vous préparez l'ordre du jour."
    ) == (
        "Préparer l'ordre du jour",
        "tu",
    )
    assert spoken_task("claire tu peux réserver le car d'ici vendredi") == ("Réserver le car", "tu")
    assert spoken_task(
        "Le secrétariat du CSE enverra le protocole aux syndicats d'ici la fin du mois."
    ) == ("Envoyer le protocole aux syndicats", "Le secrétariat du CSE")
    assert spoken_task("Je ferai rédiger l'avenant pour la prochaine séance.") == (
        "Faire rédiger l'avenant",
        "je",
    )
    # ASR text: no full stop before the closing words
    assert spoken_task("merci j'enverrai le compte rendu aux familles bonne soirée") == (
        "Envoyer le compte rendu aux familles",
        "je",
    )
    # "je reviens vers vous" with a deadline is a commitment, "je reviens sur…" is not
    assert spoken_task("Je reviens vers vous d'ici la fin de la semaine.") == (
        "Revenir vers vous",
        "je",
    )
    assert commits_self("je reviens vers vous d'ici la fin de la semaine")
    assert not commits_self("Je reviens sur le budget.")
    assert spoken_task("J'établirai le planning d'été avant le 30 avril.") == (
        "Établir le planning d'été",
        "je",
    )
    # ASR text: the next clause starts without a comma
    assert spoken_task("oui je demanderai une étude au syndicat on l'aura pour le conseil") == (
        "Demander une étude au syndicat",
        "je",
    )
    for said in [
        "Oui, je m'en occupe.",  # the task is the one asked for just before
        "Je pense qu'on devrait ouvrir la zone aux commerces.",
        "Le 2 juin, ça nous va.",
        "On verra dans une phase ultérieure.",
        "La réunion aura lieu mardi.",
        "Kevin, tu peux nous dire où on en est ?",
        "Certains collègues voudraient supprimer les devoirs du samedi.",
    ]:
        assert spoken_task(said) is None, said


def test_a_plain_commitment_the_model_misreads_is_still_an_action():
    t = parse_clerk_text(
        "[00:00:01] Mélanie Carré: Il faudrait une formation avant la bascule.\n"
        "[00:00:20] Aurélie Fabre: C'est prévu. Je planifierai les sessions de formation en avril.\n"
        "[00:00:40] Bertrand Lemaire: Et la bascule, on la fixe quand ?\n"
    )

    def misread(messages):
        sid, _ = marked_turn(messages)
        if prompts.ACTION_KINDS[0] in messages[-1]["content"] and sid == 1:
            # the model phrases the next turn and calls it a decision
            return {
                "task": "déterminer une date",
                "owner": "",
                "due": "",
                "kind": "décision ou vote",
            }
        return {"task": "", "owner": "", "due": "", "kind": prompts.ACTION_KINDS[2]}

    minutes = summarize(t, backend=FakeLLM({"TÂCHE : dans l'extrait": misread}))
    assert [(a.task, a.owner, a.due) for a in minutes.actions] == [
        ("Planifier les sessions de formation", "Aurélie Fabre", "en avril")
    ]
    assert any("telle que dite" in n for n in minutes.actions[0].notes)


def test_decision_framing_words_are_not_its_content():
    t = parse_clerk_text(
        "[00:00:01] Aurélie Fabre: Je propose le 2 juin, après la formation.\n"
        "[00:00:10] Mélanie Carré: Le 2 juin, ça nous va.\n"
        "[00:00:20] Bertrand Lemaire: Va pour le 2 juin.\n"
    )
    index = TranscriptIndex(t)
    ok = check_decision(
        {"decision": "La réunion décide de valider le 2 juin.", "segments": [2]}, index
    )
    assert ok.__class__.__name__ == "Decision"
    empty = check_decision({"decision": "La réunion décide.", "segments": [2]}, index)
    assert empty.__class__.__name__ == "Unverified"


def test_a_turn_that_puts_the_point_off_or_asks_is_not_a_decision():
    t = parse_clerk_text(
        "[00:00:01] Henri Blanchard: Sans l'attestation on ne peut rien faire, on le met en attente.\n"
        "[00:00:10] Céline Morin: D'accord.\n"
        "[00:00:20] Bertrand Lemaire: Et la bascule, on la fixe quand ?\n"
        "[00:00:30] Aurélie Fabre: Je propose le 2 juin.\n"
        "[00:00:40] Julie Martin: Allez, on le met en haut de page.\n"
    )
    # the deferral and the question are not candidates; a bare "D'accord." is, and is checked
    assert [s.id for s in decision_segments(t.segments)] == [1, 4]
    index = TranscriptIndex(t)
    for sid in (0, 1):
        deferred = check_decision(
            {"decision": "La réunion décide de demander l'attestation.", "segments": [sid]}, index
        )
        assert deferred.__class__.__name__ == "Unverified"
    asked = check_decision({"decision": "La bascule est fixée.", "segments": [2]}, index)
    assert asked.__class__.__name__ == "Unverified"


def test_a_short_turn_borrows_the_task_before_it_only_when_it_accepts_it():
    t = parse_clerk_text(
        "[00:00:01] Corinne Maillard: J'informerai les familles boursières par courrier.\n"
        "[00:00:10] Thomas Vial: Autre chose : certains collègues voudraient changer le samedi.\n"
        "[00:00:20] Julie Martin: Sonia, tu envoies la synthèse ?\n"
        "[00:00:25] Sonia Bakri: Oui, sans problème.\n"
    )
    index = TranscriptIndex(t)
    borrowed = {"task": "Informer les familles boursières", "owner": "", "due": "", "segments": [1]}
    assert check_action(borrowed, index).__class__.__name__ == "Unverified"
    accepted = {"task": "Envoyer la synthèse", "owner": "", "due": "", "segments": [3]}
    assert check_action(accepted, index).owner == "Sonia Bakri"


def test_merged_actions_keep_the_fuller_task():
    from summarizer.merge import merge_actions
    from summarizer.schema import Action, SourceRef

    def ref(i):
        return SourceRef(segment_id=i, start=float(i), end=float(i + 1))

    full = Action(
        task="Négocier l'avenant avec le prestataire",
        owner="Guillaume Henry",
        due="dès cette semaine",
        sources=[ref(3)],
        notes=["échéance « demain » non dite dans le passage cité"],
    )
    short = Action(
        task="Négocier avec eux", owner="Guillaume Henry", due="dès cette semaine", sources=[ref(4)]
    )
    merged = merge_actions([full, short])
    assert [a.task for a in merged] == ["Négocier l'avenant avec le prestataire"]
    assert [s.segment_id for s in merged[0].sources] == [3, 4]


def test_a_vote_is_asked_about_with_the_proposal_two_turns_before():
    t = parse_clerk_text(
        "[00:00:01] Hélène Marchand: Je propose la ligne de bus vers la gare.\n"
        "[00:00:10] Karim Benali: Je mets aux voix la ligne vers la gare.\n"
        "[00:00:20] Hélène Marchand: Unanimité, merci.\n"
    )
    llm = FakeLLM({"TÂCHE : dans l'extrait": scripted({}, {})})
    summarize(t, backend=llm, steps=("decisions",))
    asked = [m[-1]["content"] for m in llm.calls if ">> [2]" in m[-1]["content"]]
    assert asked and "[0]" in asked[0]


def test_accord_as_a_noun_and_waiting_are_neither_decision_nor_task():
    t = parse_clerk_text(
        "[00:00:01] Pascale Renaud: Je ferai rédiger l'avenant à l'accord pour la prochaine séance.\n"
        "[00:00:10] Thierry Vasseur: Le secrétariat enverra le protocole d'accord aux syndicats.\n"
        "[00:00:20] Marion Lacroix: Le prestataire change en janvier. Je préfère attendre.\n"
        "[00:00:30] Amina Diallo: Pour la CFDT, d'accord.\n"
    )
    assert [s.id for s in decision_segments(t.segments)] == [3]
    wait = {
        "task": "Attendre le changement du prestataire",
        "owner": "",
        "due": "",
        "segments": [2],
    }
    assert check_action(wait, TranscriptIndex(t)).__class__.__name__ == "Unverified"


def test_decision_as_said_is_read_when_the_model_misses_it():
    from summarizer.reading import stated_decision

    said = "Je vous propose le jeudi 4 décembre. Des objections ? Aucune. La date est fixée au 4 décembre."
    assert stated_decision(said) == "La date est fixée au 4 décembre."
    assert (
        stated_decision("je soumets au vote pour dix huit la décision modificative est adoptée")
        == "La décision modificative est adoptée."
    )
    assert stated_decision("Nous actons donc trois jours de télétravail.") == (
        "Trois jours de télétravail."
    )
    # the subject as said, "de"/"aux" phrases included, also without punctuation
    assert (
        stated_decision(
            "qui est pour la subvention de 3 500 euros aux amis de la loire est adoptée"
        )
        == "La subvention de 3 500 euros aux amis de la loire est adoptée."
    )
    assert stated_decision("Nous décidons d'ouvrir un circuit court.") == "Ouvrir un circuit court."
    for none in [
        "Le dossier est ajourné à la prochaine commission.",
        "Rien n'est décidé ce soir.",
        "Le reste du règlement, lui, est approuvé tel quel ?",
        "Unanimité, merci.",
        "On le met en attente.",
    ]:
        assert stated_decision(none) is None, none
    t = parse_clerk_text(
        "[00:00:01] Pascale Renaud: Je vous propose le jeudi 4 décembre. Des objections ? "
        "Aucune. La date est fixée au 4 décembre.\n"
    )

    def proposal_only(messages):
        return {"summary": "Une date est proposée.", "kind": prompts.DECISION_KINDS[1]}

    minutes = summarize(
        t, backend=FakeLLM({"TÂCHE : dans l'extrait": proposal_only}), steps=("decisions",)
    )
    assert [d.text for d in minutes.decisions] == ["La date est fixée au 4 décembre."]


def test_actions_of_different_people_stay_apart_and_a_stock_verb_is_not_a_task():
    from summarizer.merge import merge_actions
    from summarizer.schema import Action, SourceRef
    from summarizer.text import verb_said

    def act(task, owner, sid):
        return Action(
            task=task, owner=owner, sources=[SourceRef(segment_id=sid, start=sid, end=sid)]
        )

    rights = act("Transmettre les droits au serveur", "Paul", 3)
    mockups = act("Transmettre les maquettes", "Inès", 5)
    assert len(merge_actions([rights, mockups])) == 2
    # a name addressed and the anonymous voice that answers may be the same person
    asked, answered = (
        act("Envoyer la synthèse", "Sonia", 12),
        act("Envoyer la synthèse", "Intervenant 3", 13),
    )
    assert len(merge_actions([asked, answered])) == 1
    assert verb_said("Envoyer la synthèse", "Et Sonia, tu m'envoies la synthèse ?")
    assert verb_said("Envoyer le compte rendu", "J'enverrai le compte rendu.")
    assert verb_said("Mettre à jour l'analyse", "L'analyse doit être mise à jour.")
    assert verb_said("Transmettre la démo", "Oui, on garde vendredi quinze heures.") is False
    assert verb_said("La coopérative peut compléter", "La coopérative peut compléter.") is None
    t = parse_clerk_text(
        "[00:00:01] Paul: Je te donne les droits dans la matinée.\n"
        "[00:00:10] Inès: Presque fini, je les partage jeudi.\n"
    )
    stock = {"task": "Transmettre les maquettes", "owner": "", "due": "", "segments": [1]}
    assert check_action(stock, TranscriptIndex(t)).__class__.__name__ == "Unverified"


def test_third_party_subject_is_found_without_punctuation():
    said = "pourquoi pas mais ça se prévoit au budget de l'an prochain les services techniques passeront voir la cour avant les vacances"
    assert spoken_task(said) == ("Passer voir la cour", "les services techniques")
    assert spoken_task("La direction de l'école fera un courrier.") == (
        "Faire un courrier",
        "La direction de l'école",
    )


def test_informal_settling_is_a_decision_only_when_another_voice_agrees():
    from summarizer.reading import assented_decision

    t = parse_clerk_text(
        "[00:00:01] Julie Martin: Allez, on le met en haut de page, tout le monde est d'accord ?\n"
        "[00:00:05] Kevin Morel: Ça me va.\n"
        "[00:00:10] Paul: Dernier truc : on garde la démo à quinze heures vendredi ?\n"
        "[00:00:15] Léa: Oui, on garde vendredi quinze heures. Bon, c'est tout, merci.\n"
        "[00:00:20] Max: On garde le même prestataire, je pense.\n"
        "[00:00:25] Léa: On verra.\n"
    )
    index = TranscriptIndex(t)
    assert assented_decision(index, 0) == "On le met en haut de page."
    assert assented_decision(index, 3) == "On garde vendredi quinze heures."
    assert assented_decision(index, 4) is None  # nobody agrees
    asr = parse_clerk_text(
        "[00:00:01] SPEAKER_03: je propose le 2 juin après la formation\n"
        "[00:00:05] SPEAKER_04: le 2 juin ça nous va\n"
        "[00:00:09] SPEAKER_00: va pour le 2 juin\n"
    )
    assert assented_decision(TranscriptIndex(asr), 2) == "Va pour le 2 juin."
    cond = parse_clerk_text(
        "[00:00:01] Marc Petit: On part là-dessus : pompe à chaleur, sous réserve de la "
        "subvention. Et ensuite le toit.\n"
        "[00:00:05] Anne Roy: D'accord.\n"
    )
    assert assented_decision(TranscriptIndex(cond), 0) == (
        "On part là-dessus : pompe à chaleur, sous réserve de la subvention."
    )


def test_a_proposal_put_to_the_vote_and_carried_is_a_decision():
    from summarizer.reading import voted_decision

    t = parse_clerk_text(
        "[00:00:01] Hélène Marchand: Dernier point, la ligne de bus vers la gare.\n"
        "[00:00:10] Hélène Marchand: Je mets aux voix la ligne vers la gare.\n"
        "[00:00:20] Karim Benali: Unanimité, merci.\n"
        "[00:00:30] Hélène Marchand: Je soumets au vote. Pour : dix-huit. C'est adopté.\n"
        "[00:00:40] Hélène Marchand: Je mets aux voix la motion. Elle est rejetée.\n"
    )
    index = TranscriptIndex(t)
    assert voted_decision(index, 2) == ("La ligne vers la gare : adopté à l'unanimité.", [1, 2])
    assert voted_decision(index, 1) == ("La ligne vers la gare : adopté à l'unanimité.", [1])
    assert voted_decision(index, 3) is None  # puts nothing named to the vote itself
    assert voted_decision(index, 4) is None  # rejected
    decided = check_decision({"decision": voted_decision(index, 2)[0], "segments": [1, 2]}, index)
    assert decided.__class__.__name__ == "Decision"


def test_owner_given_by_role_is_the_subject_of_the_future():
    t = parse_clerk_text(
        "[00:00:01] Nadia Chevalier: Le directeur des systèmes d'information fera le point "
        "sur les licences d'ici la fin du mois.\n"
    )
    proposal = {
        "task": "Faire le point sur les licences",
        "owner": "DSI",
        "due": "",
        "segments": [0],
    }
    action = check_action(proposal, TranscriptIndex(t))
    assert action.owner == "Le directeur des systèmes d'information"
    assert action.due == "d'ici la fin du mois"


def test_a_due_date_must_be_said_in_those_words():
    t = parse_clerk_text(
        "[00:00:01] Bertrand Lemaire: Prochain comité dans deux mois. Aurélie, vous préparez "
        "l'ordre du jour.\n"
    )
    proposal = {
        "task": "Préparer l'ordre du jour",
        "owner": "",
        "due": "à deux mois",
        "segments": [0],
    }
    action = check_action(proposal, TranscriptIndex(t))
    assert action.due is None and action.owner == "Aurélie"
    assert any("à deux mois" in n for n in action.notes)


def test_a_needed_task_is_read_when_someone_accepts_it():
    t = parse_clerk_text(
        "[00:00:01] Hélène Marchand: Il faudra relancer le prestataire dès lundi.\n"
        "[00:00:10] Marc Petit: Ça marche.\n"
        "[00:00:20] Hélène Marchand: Il faut un car de soixante places.\n"
    )

    def no_task(messages):
        return {"task": "", "owner": "", "due": "", "kind": prompts.ACTION_KINDS[2]}

    minutes = summarize(t, backend=FakeLLM({"TÂCHE : dans l'extrait": no_task}), steps=("actions",))
    assert [(a.task, a.owner, a.due) for a in minutes.actions] == [
        ("Relancer le prestataire", "Marc Petit", "dès lundi")
    ]


def test_a_proposal_carried_by_a_vote_a_few_turns_later_is_a_decision():
    from summarizer.reading import voted_decision

    t = parse_clerk_text(
        "[00:00:01] Odile Ferrand: Je vous propose de renouveler la convention avec la "
        "ludothèque. Qui est pour ? Six. C'est voté à l'unanimité.\n"
        "[00:00:10] Odile Ferrand: Je propose qu'on ouvre la salle le samedi.\n"
        "[00:00:20] Marc Petit: Il faudra un agent de plus.\n"
        "[00:00:30] Odile Ferrand: Qui est pour ? Cinq pour, une abstention.\n"
        "[00:00:40] Odile Ferrand: C'est adopté.\n"
        "[00:00:50] Léa Roy: Je propose de repeindre le hall.\n"
        "[00:01:00] Odile Ferrand: Rejeté, quatre voix contre.\n"
    )
    index = TranscriptIndex(t)
    assert voted_decision(index, 0) == (
        "Renouveler la convention avec la ludothèque : adopté à l'unanimité.",
        [0],
    )
    assert voted_decision(index, 4) == ("On ouvre la salle le samedi : adopté.", [1, 4])
    assert voted_decision(index, 2) is None  # a remark, not a result
    assert voted_decision(index, 6) is None  # the vote failed
    unpunctuated = parse_clerk_text(
        "[00:00:01] SPEAKER_00: je vous propose de renouveler la convention avec la ludothèque "
        "qui est pour six c'est voté à l'unanimité\n"
    )
    assert voted_decision(TranscriptIndex(unpunctuated), 0) == (
        "Renouveler la convention avec la ludothèque : adopté à l'unanimité.",
        [0],
    )


def test_a_conclusion_states_the_point_it_settles():
    from summarizer.reading import concluded_decision

    t = parse_clerk_text(
        "[00:00:01] Anne Roy: Le jeudi, la salle est prise par la chorale.\n"
        "[00:00:10] Paul Diaz: Bon, alors le mardi soir, on fait comme ça. Et pour le goûter ?\n"
        "[00:00:20] Anne Roy: Je propose qu'on commande chez le boulanger du bourg.\n"
        "[00:00:30] Paul Diaz: Très bien, on part là-dessus.\n"
        "[00:00:40] Paul Diaz: Finalement, les inscriptions passent en ligne. Tout le monde est "
        "d'accord ? Bon, c'est réglé.\n"
        "[00:00:50] Paul Diaz: Personne n'est contre ? Parfait : dix euros par enfant.\n"
        "[00:01:00] Anne Roy: On fait comme ça ?\n"
        "[00:01:10] SPEAKER_01: finalement les inscriptions passent en ligne tout le monde est "
        "d'accord bon c'est réglé\n"
    )
    index = TranscriptIndex(t)
    assert concluded_decision(index, 1) == ("Le mardi soir, on fait comme ça.", [1])
    assert concluded_decision(index, 3) == (
        "On commande chez le boulanger du bourg : on part là-dessus.",
        [2, 3],
    )
    assert concluded_decision(index, 4) == (
        "Finalement, les inscriptions passent en ligne, c'est réglé.",
        [4],
    )
    assert concluded_decision(index, 5) == ("Dix euros par enfant.", [5])
    assert concluded_decision(index, 6) is None  # asked, not concluded
    assert concluded_decision(index, 7) == (
        "Finalement les inscriptions passent en ligne, c'est réglé.",
        [7],
    )
    for sid in (1, 3, 4, 5, 7):
        text, ids = concluded_decision(index, sid)
        assert check_decision({"decision": text, "segments": ids}, index).__class__.__name__ == (
            "Decision"
        )


def test_decision_words_of_another_body_or_of_the_past_take_no_decision():
    from summarizer.verify import STRONG_DECISION_RE, settled

    for said in (
        "C'est le conseil d'administration qui vote le budget, pas nous.",
        "L'an dernier on avait décidé de fermer en août.",
        "Ils avaient déjà validé ce plan.",
    ):
        assert not STRONG_DECISION_RE.search(settled(said)), said
    assert STRONG_DECISION_RE.search(settled("C'est validé pour le plan de formation."))


def test_task_reading_handles_negation_clefts_pronouns_and_reflexives():
    assert spoken_task("Le technicien dit que la chaudière ne tiendra pas l'hiver.") is None
    assert spoken_task("C'est le service juridique qui rédigera l'avenant.") == (
        "Rédiger l'avenant",
        "le service juridique",
    )
    assert spoken_task("Le rectorat attend le bilan des absences. Je le prépare pour lundi.") == (
        "Préparer le bilan des absences",
        "je",
    )
    assert spoken_task("Karim, tu t'occupes des badges ?") == ("S'occuper des badges", "tu")
    assert spoken_task("J'obtiendrai les devis.") == ("Obtenir les devis", "je")


def test_a_task_of_one_word_says_nothing_to_do():
    t = parse_clerk_text("[00:00:01] Anne Roy: Sandrine, tu commences ?\n")
    result = check_action({"task": "Commencer", "segments": [0]}, TranscriptIndex(t))
    assert result.__class__.__name__ == "Unverified"
    assert result.reason == "la tâche ne dit pas quoi faire"


@pytest.mark.parametrize(
    "said, deadline",
    [
        ("Je monte le stand la veille de la fête.", "la veille de la fête"),
        ("Je réponds aux familles sous huit jours.", "sous huit jours"),
        ("Je le fais d'ici trois semaines.", "d'ici trois semaines"),
        ("Je vous l'envoie en fin de semaine.", "en fin de semaine"),
        ("On le refait l'année prochaine.", "l'année prochaine"),
    ],
)
def test_relative_deadlines_are_read_as_said(said, deadline):
    assert stated_deadlines(said) == [deadline]


def test_two_anonymous_speakers_are_two_owners():
    from summarizer.merge import merge_actions
    from summarizer.schema import Action, SourceRef

    def action(task, owner, sid):
        src = SourceRef(segment_id=sid, start=float(sid), end=sid + 1.0, speaker=owner, text=task)
        return Action(task=task, owner=owner, sources=[src])

    merged = merge_actions(
        [
            action("Préparer l'arrêté de circulation pour le chantier", "Intervenant 5", 21),
            action("Écrire aux riverains pour expliquer le chantier", "Intervenant 4", 22),
        ]
    )
    assert [a.owner for a in merged] == ["Intervenant 5", "Intervenant 4"]


def test_a_choice_replaced_later_is_not_kept_and_the_new_one_is():
    from summarizer.reading import replaced_decision, superseded
    from summarizer.schema import Decision

    t = parse_clerk_text(
        "[00:00:01] Anne Roy: Pour informer les familles, je propose un courrier papier.\n"
        "[00:00:10] Paul Diaz: D'accord, va pour un courrier papier.\n"
        "[00:00:20] Léa Morel: Un courrier coûte cher, et personne ne le lit.\n"
        "[00:00:30] Paul Diaz: Bon, on oublie le courrier papier : on fait un message sur "
        "l'espace numérique de travail. Léa, tu peux le rédiger ?\n"
    )
    index = TranscriptIndex(t)
    assert replaced_decision(index, 3) == (
        "On fait un message sur l'espace numérique de travail (au lieu du courrier papier)."
    )
    first = Decision(text="Va pour un courrier papier.", sources=index.refs([1]))
    assert "on oublie le courrier papier" in superseded(first, index)
    second = Decision(text=replaced_decision(index, 3), sources=index.refs([3]))
    assert superseded(second, index) is None


def test_an_outcome_said_after_its_settling_words_is_read():
    from summarizer.reading import concluded_decision

    t = parse_clerk_text(
        "[00:00:01] Paul Diaz: Très bien, c'est acté : fermeture du site le 24 décembre.\n"
        "[00:00:10] Paul Diaz: Je propose un audit des accès. Personne n'est contre ? Parfait, "
        "on retient ça.\n"
    )
    index = TranscriptIndex(t)
    assert concluded_decision(index, 0) == (
        "Fermeture du site le 24 décembre (c'est acté).",
        [0],
    )
    assert concluded_decision(index, 1) == ("Un audit des accès.", [1])


def test_the_next_meeting_date_is_no_deadline():
    from summarizer.text import deadline_of

    assert deadline_of("Paul, tu mets à jour le registre. Prochaine réunion le 3 juin.") is None
    assert deadline_of("paul tu mets à jour le registre prochain copil le 3 juin") is None
    assert deadline_of("Paul, tu mets à jour le registre avant le 3 juin.") == "avant le 3 juin"
    t = parse_clerk_text(
        "[00:00:01] Anne Roy: Merci. Paul, tu mets à jour le registre. Prochain comité le 3 juin.\n"
    )
    proposal = {"task": "Mettre à jour le registre", "due": "le 3 juin", "segments": [0]}
    action = check_action(proposal, TranscriptIndex(t))
    assert action.due is None and action.owner == "Paul"


def test_a_correction_replaces_the_earlier_choice():
    from summarizer.reading import replaced_decision

    t = parse_clerk_text(
        "[00:00:01] Anne Roy: On installe le bureau de vote dans le préau.\n"
        "[00:00:10] Paul Diaz: Le préau n'est pas accessible en fauteuil.\n"
        "[00:00:20] Anne Roy: Alors on corrige : pas le préau, le bureau de vote sera dans la "
        "salle du conseil.\n"
        "[00:00:30] SPEAKER_00: alors on corrige pas le préau le bureau de vote sera dans la "
        "salle du conseil\n"
    )
    index = TranscriptIndex(t)
    expected = "Le bureau de vote sera dans la salle du conseil (au lieu du préau)."
    assert replaced_decision(index, 2) == expected
    assert replaced_decision(index, 3) == expected
    assert check_decision({"decision": expected, "segments": [2]}, index).__class__.__name__ == (
        "Decision"
    )


def test_a_decision_put_off_to_later_decides_nothing_now():
    from summarizer.verify import STRONG_DECISION_RE, settled

    said = "Je ne tranche pas ce soir. On décidera au conseil de juin, avec les parents."
    assert not STRONG_DECISION_RE.search(settled(said))


def test_agreeing_is_no_task_and_hyphenated_verbs_are():
    assert spoken_task("Je confirme, le quai est trop étroit pour deux cars.") is None
    assert spoken_task("Je confirme le créneau au traiteur demain.") == (
        "Confirmer le créneau au traiteur",
        "je",
    )
    assert spoken_task("Le service des sports pré-réservera le stade pour le cross.") == (
        "Pré-réserver le stade pour le cross",
        "Le service des sports",
    )


@pytest.mark.parametrize(
    "said, deadline",
    [
        ("Je passe au camping avant vingt heures.", "avant vingt heures"),
        ("Je vous envoie le point demain à sept heures.", "demain à sept heures"),
        ("Je rappelle la mairie cet après-midi.", "cet après-midi"),
        ("Je l'envoie dans cinq minutes.", "dans cinq minutes"),
        ("On fait le porte-à-porte dans le quart d'heure.", "dans le quart d'heure"),
        ("Le service communication s'en occupe, dans la demi-heure.", "dans la demi-heure"),
        ("Je fais la demande au COZ tout de suite.", "tout de suite"),
        ("Je saisis notre avocat aujourd'hui même.", "aujourd'hui même"),
        ("Je vous le transmets dès aujourd'hui.", "dès aujourd'hui"),
        ("Mes équipes feront une reconnaissance à l'aube.", "à l'aube"),
        ("Oui, je fais ça ce week-end, de jour et de nuit.", "ce week-end"),
        (
            "Je fais passer l'étude au moins quinze jours avant la séance.",
            "au moins quinze jours avant la séance",
        ),
    ],
)
def test_hours_of_the_day_are_deadlines(said, deadline):
    assert stated_deadlines(said) == [deadline]


def test_a_pronoun_in_a_reply_stands_for_what_the_turn_before_named():
    assert spoken_task(
        "Presque prêt, je les envoie vendredi.",
        context="Merci. Sonia, tu en es où des convocations ?",
    ) == ("Envoyer les convocations", "je")


def test_a_task_built_from_a_later_turn_is_rejected():
    t = parse_clerk_text(
        "[00:00:01] Léa Roy: Note-le dans le registre, on verra au prochain point.\n"
        "[00:00:10] Max Diaz: Ok, je l'ajoute au registre.\n"
        "[00:00:20] Paul Morel: Dernier truc : on garde la visite de chantier mardi ?\n"
    )
    proposal = {"task": "Ajouter la visite de chantier au registre", "segments": [1]}
    result = check_action(proposal, TranscriptIndex(t))
    assert result.__class__.__name__ == "Unverified"
    assert "intervention suivante" in result.reason


def test_an_outcome_after_a_vote_in_the_same_turn_is_a_decision():
    from summarizer.reading import stated_decision

    assert stated_decision(
        "Je mets aux voix. Unanimité. Le règlement du concours est reconduit pour 2026."
    ) == ("Le règlement du concours est reconduit pour 2026.")
    assert stated_decision(
        "je mets aux voix unanimité le règlement du concours est reconduit pour 2026"
    ) == ("Le règlement du concours est reconduit pour 2026.")
    assert stated_decision("Le règlement est reconduit chaque année depuis 2020.") is None


# -- fourth round: rules drawn from the u2 meetings (tuning material since their one scoring) --


def _said(lines: str) -> TranscriptIndex:
    return TranscriptIndex(parse_clerk_text(lines))


@pytest.mark.parametrize(
    "said, context, task",
    [
        # the next first-person verb when the first says only itself
        (
            "Je réserve aujourd'hui, et j'envoie une invitation à tout le monde.",
            "",
            ("Envoyer une invitation à tout le monde", "je"),
        ),
        # "leur" stands for who was just named; "moi-même" says who, not what
        (
            "Je leur réponds moi-même, cette semaine.",
            "Il faudra prévenir les élus qui ont écrit.",
            ("Répondre aux élus", "je"),
        ),
        # a present with an object pronoun, the condition after it left out
        (
            "Je le relance, et s'il ne se passe rien, j'applique les pénalités.",
            "Le prestataire de nettoyage n'est pas passé. Encore ?",
            ("Relancer le prestataire de nettoyage", "je"),
        ),
        # the speaker puts themself forward
        (
            "Et moi je fais passer l'info sur l'intranet.",
            "",
            ("Faire passer l'info sur l'intranet", "je"),
        ),
        # present tense of -ir / -re verbs, said to someone
        ("Olivier, tu saisis le juridique ?", "", ("Saisir le juridique", "tu")),
        ("Lina, tu fais le compte rendu ?", "", ("Faire le compte rendu", "tu")),
        # the speaker's own people, and a subject before an object pronoun
        ("Mes équipes feront une reconnaissance à l'aube.", "", ("Faire une reconnaissance", "je")),
        (
            "Le secrétariat de la commission vous enverra un sondage, cette semaine.",
            "",
            ("Envoyer un sondage", "Le secrétariat de la commission"),
        ),
        # a thing just introduced ("un planning") is what "l'" stands for
        (
            "Je l'ouvre dès la semaine prochaine.",
            "Je crée un planning partagé des contrôles. Vous le mettez en place quand ?",
            ("Ouvrir le planning", "je"),
        ),
        # answering for one's team when asked, with a deadline
        (
            "J'ai deux patrouilles sur place, on fait le porte-à-porte dans le quart d'heure.",
            "Alors on évacue le hameau. Capitaine Ferhat ?",
            ("Faire le porte-à-porte", "je"),
        ),
    ],
)
def test_tasks_as_said_in_everyday_french(said, context, task):
    assert spoken_task(said, context) == task


@pytest.mark.parametrize(
    "said, task",
    [
        # verbs of work in the present take the work on, deadline or not
        ("Bon, merci. Je mets le compte rendu sur le wiki.", "Mettre le compte rendu sur le wiki"),
        (
            "Je fais remonter la demande aux services techniques.",
            "Faire remonter la demande aux services techniques",
        ),
        # "je m'occupe des panneaux" says its object ("je m'en occupe" does not)
        ("Je m'occupe des panneaux, je les fais refaire avant mai.", "S'occuper des panneaux"),
        # a word starting with "je" or "on" does not end the clause
        ("Léa, tu prépares le jeu de données de démo ?", "Préparer le jeu de données de démo"),
    ],
)
def test_work_verbs_in_the_present_are_tasks(said, task):
    assert spoken_task(said)[0] == task


def test_a_needed_task_with_a_deadline_is_an_action_without_owner():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Didier Blanchard: Dernière chose : les plans de signalisation des chantiers, "
        "il faut les mettre à jour avant l'été.\n"
        "[00:00:09] Manon Petit: On a eu une remarque de l'assureur, oui.\n"
    )
    action = check_action(task_as_said(index, 0), index)
    assert (action.task, action.owner, action.due) == (
        "Mettre les plans de signalisation à jour",
        None,
        "avant l'été",
    )


@pytest.mark.parametrize(
    "said",
    [
        "Les délégués, vous voulez dire quelque chose sur l'ambiance ?",
        "Très bien. Vous le mettez en place quand ?",  # asks the date of a known task
        "Claire, tu commences ?",  # taking the floor
        "Moi, je recommande l'évacuation maintenant.",
        "Je le pense aussi.",
        "J'ouvre la séance.",
        "On a eu trois courriers la semaine dernière.",
    ],
)
def test_no_task_in_questions_opinions_and_chairing(said):
    assert spoken_task(said, "Combien ?") is None


def test_a_title_addressed_is_the_person_who_answers():
    index = _said(
        "[00:00:01] Isabelle Carré: Capitaine, vous orientez les gens là-bas ?\n"
        "[00:00:05] Nadia Ferhat: Oui, je passe la consigne aux patrouilles.\n"
    )
    action = check_action({"task": "Orienter les gens là-bas", "segments": [0]}, index)
    assert action.owner == "Nadia Ferhat"


def test_a_third_party_named_beats_who_agrees_next():
    index = _said(
        "[00:00:01] Bernard Chauvin: Le secrétariat de la commission vous enverra un sondage "
        "pour la date, cette semaine.\n"
        "[00:00:09] Christine Lebrun: D'accord.\n"
    )
    action = check_action({"task": "Envoyer un sondage pour la date", "segments": [0]}, index)
    assert (action.owner, action.due) == ("Le secrétariat de la commission", "cette semaine")


def test_a_date_long_after_the_next_meeting_is_no_meeting_date():
    from summarizer.text import deadline_of

    said = (
        "alors là aussi on renvoie à la prochaine séance quand on aura les pièces le secrétariat "
        "de la commission vous enverra un sondage pour la date cette semaine"
    )
    assert deadline_of(said) == "cette semaine"


def test_the_deadline_is_the_one_of_the_task_sentence():
    index = _said(
        "[00:00:01] Isabelle Carré: On revient sur ce qu'on a dit ce matin : le marché est annulé."
        " Monsieur le maire, vous prévenez l'organisateur ?\n"
    )
    action = check_action({"task": "Prévenir l'organisateur", "segments": [0]}, index)
    assert action.due is None


def test_the_chair_settles_a_point_in_so_many_words():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Isabelle Carré: Alors on évacue le Mas-Neuf. Tout de suite. Capitaine ?\n"
        "[00:00:05] Marc Delorme: Allez, va pour le mardi 17. Aurélie, tu réserves ?\n"
        "[00:00:09] Isabelle Carré: Alors on revient sur ce qu'on a dit ce matin : le marché "
        "nocturne est annulé.\n"
        "[00:00:15] Isabelle Carré: Bon. On oublie le gymnase : le centre d'accueil, ce sera la "
        "salle polyvalente.\n"
        "[00:00:20] Marc Delorme: Alors on passe au point deux.\n"
        "[00:00:25] Marc Delorme: Bon, on en reparlera quand on aura plus d'infos.\n"
    )
    read = [decision_as_said(index, i) for i in range(6)]
    assert [r and r["decision"] for r in read] == [
        "On évacue le Mas-Neuf.",
        "Va pour le mardi 17.",
        "Le marché nocturne est annulé.",
        "Le centre d'accueil, ce sera la salle polyvalente (au lieu du gymnase).",
        None,
        None,
    ]
    from summarizer.schema import Decision

    assert all(isinstance(check_decision(r, index), Decision) for r in read[:4])


def test_no_decision_in_a_condition_another_body_or_an_objection():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Frédéric Masson: Si le feu est fixé cette nuit, oui. Mes équipes feront une "
        "reconnaissance à l'aube.\n"
        "[00:00:09] Catherine Vidal: Alors, le conseil d'administration a voté le budget du voyage "
        "la semaine dernière, la participation des familles est fixée à deux cents euros.\n"
        "[00:00:19] Alain Picard: Moi, je ne suis pas d'accord pour qu'on valide ça comme ça.\n"
    )
    assert [decision_as_said(index, i) for i in range(3)] == [None, None, None]
    # the model is not even asked about the other body's vote
    assert 1 not in [s.id for s in decision_segments(index.transcript.segments)]


def test_a_choice_dropped_in_unpunctuated_text_is_superseded():
    from summarizer.reading import superseded
    from summarizer.schema import Decision

    index = _said(
        "[00:00:01] SPEAKER_00: va pour le gymnase\n"
        "[00:00:05] SPEAKER_01: le vent tourne le gymnase est dans l'axe\n"
        "[00:00:09] SPEAKER_00: bon on oublie le gymnase le centre d'accueil des évacués ce sera "
        "la salle polyvalente de saint julien\n"
    )
    gym = Decision(text="Va pour le gymnase.", sources=index.refs([0]))
    assert superseded(gym, index)


def test_a_vote_counted_over_several_turns_is_carried():
    from summarizer.reading import voted_decision

    index = _said(
        "[00:00:01] Paul Roy: Je mets aux voix le projet de règlement tel qu'amendé. Qui est pour ?\n"
        "[00:00:08] Anne Lys: Attendez, je compte… Six pour.\n"
        "[00:00:12] Marc Dor: La CGT vote contre, deux voix.\n"
        "[00:00:18] Paul Roy: Des abstentions ? Non.\n"
        "[00:00:22] Paul Roy: Six pour, deux contre. Le comité émet un avis favorable.\n"
    )
    said, ids = voted_decision(index, 4)
    assert said.startswith("Le projet de règlement tel qu'amendé") and ids == [0, 4]


def test_settling_words_after_an_agreement_settle_the_point():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Jean Roy: Très bien, on l'intègre au règlement : un jour de plus pour ces "
        "agents.\n"
        "[00:00:09] Jean Roy: Alors, en attendant, on fait une reprise en enrobé sur les trous.\n"
        "[00:00:15] Jean Roy: D'accord, on verra ça en septembre.\n"
    )
    read = [decision_as_said(index, i) for i in range(3)]
    assert [r and r["decision"] for r in read] == [
        "Un jour de plus pour ces agents.",
        "On fait une reprise en enrobé sur les trous.",
        None,
    ]


def test_the_task_as_said_wins_over_the_model_naming_another_one():
    t = parse_clerk_text(
        "[00:00:01] Bernard Chauvin: Alors on renvoie à la prochaine séance, quand on aura les "
        "pièces. Le secrétariat de la commission vous enverra un sondage pour la date, cette "
        "semaine.\n"
        "[00:00:12] Christine Lebrun: D'accord.\n"
    )
    misread = {"task": "Renvoyer à la prochaine séance les pièces", "owner": "", "due": ""}
    llm = FakeLLM({"TÂCHE : dans l'extrait": scripted({}, {0: misread})})
    minutes = summarize(t, backend=llm, steps=("actions",))
    assert [(a.task, a.owner, a.due) for a in minutes.actions] == [
        ("Envoyer un sondage pour la date", "Le secrétariat de la commission", "cette semaine")
    ]


def test_a_decree_is_no_decision_word():
    from summarizer.verify import settled

    assert not _is_decision_word("On pourrait aussi publier les arrêtés de dérogation.")
    assert not _is_decision_word("Monsieur le maire, vous prenez l'arrêté ?")
    assert _is_decision_word("Le budget est arrêté à trois millions.")
    assert settled("les arrêtés de dérogation").strip() == "de derogation"


def _is_decision_word(text: str) -> bool:
    from summarizer.verify import STRONG_DECISION_RE, settled

    return bool(STRONG_DECISION_RE.search(settled(text)))


def test_agreeing_that_something_is_needed_is_not_taking_it_on():
    index = _said(
        "[00:00:01] Pauline Maréchal: Il faudra prévenir les campings du secteur.\n"
        "[00:00:07] Isabelle Carré: Oui, tout à fait, il…\n"
    )
    action = check_action({"task": "Prévenir les campings du secteur", "segments": [0]}, index)
    assert action.owner is None


def test_a_pick_of_one_word_settles_the_point():
    from summarizer.reading import settled_by_chair

    assert settled_by_chair("Allez, va pour jeudi. Léa, tu prépares le jeu de données ?") == (
        "Va pour jeudi."
    )
    assert settled_by_chair("allez va pour jeudi léa tu prépares le jeu de données") == (
        "Va pour jeudi."
    )


def test_a_choice_named_in_full_is_superseded_further_on():
    from summarizer.reading import superseded
    from summarizer.schema import Decision

    filler = "".join(f"[00:00:{10 + i:02d}] Paul Roy: Point {i} sans rapport.\n" for i in range(12))
    index = _said(
        "[00:00:01] Isabelle Carré: Va pour le gymnase.\n"
        + filler
        + "[00:00:40] Isabelle Carré: Bon. On oublie le gymnase : ce sera la salle polyvalente.\n"
    )
    gym = Decision(text="Va pour le gymnase.", sources=index.refs([0]))
    budget = Decision(text="Le budget du gymnase est adopté.", sources=index.refs([0]))
    assert superseded(gym, index)
    assert superseded(budget, index) is None  # further on, half the words are not enough


def test_a_day_of_the_month_said_in_words_or_a_body_s_meeting_is_a_deadline():
    assert stated_deadlines("vous fera une fiche, avant le quinze juillet.") == [
        "avant le quinze juillet"
    ]
    assert stated_deadlines("on en reparle le vingt et un mars") == ["le vingt et un mars"]
    assert stated_deadlines("Tu nous la présentes pour la CME de septembre ?") == [
        "pour la CME de septembre"
    ]
    assert stated_deadlines("un chiffrage précis pour la prochaine CME, et on tranche") == [
        "pour la prochaine CME"
    ]
    assert stated_deadlines("on verra pour la prochaine fois") == []


def test_a_third_party_doing_work_by_a_deadline_is_a_task_of_theirs():
    assert spoken_task(
        "Je propose qu'on ne vote pas ce soir. La direction des finances fait un chiffrage "
        "précis pour la prochaine CME, et on tranche à ce moment-là."
    ) == ("Faire un chiffrage précis", "La direction des finances")
    assert spoken_task(
        "La direction qualité vous les envoie cette semaine.",
        "Oui, je m'en occupe. Il me faudra les chiffres de la qualité.",
    ) == ("Envoyer les chiffres de la qualité", "La direction qualité")
    # a proposal, a past, a subject inside a longer clause: no task
    assert spoken_task("La commission propose une subvention pour le festival de juillet.") is None
    assert spoken_task("Olivier, le Budget m'a déjà fait la sienne d'ici vendredi.") is None
    assert spoken_task("Le conseil a voté en décembre une enveloppe de quatre millions.") is None


def test_a_vote_called_without_its_object_carries_the_point_the_turn_opened():
    from summarizer.reading import voted_decision

    index = _said(
        "[00:00:01] Philippe Marchand: Dernier point, le règlement intérieur de la CME. La "
        "modification porte sur le vote électronique. Des remarques ? … Je mets aux voix. "
        "Contre ? Abstentions ? Adopté à l'unanimité.\n"
    )
    said, ids = voted_decision(index, 0)
    assert said.startswith("Le règlement intérieur de la CME : la modification porte sur le vote")
    assert said.endswith("adopté à l'unanimité.") and ids == [0]
    asr = _said(
        "[00:00:01] SPEAKER_00: dernier point le règlement intérieur de la cme vous avez eu le "
        "document je mets aux voix contre abstentions adopté à l'unanimité\n"
    )
    said, _ = voted_decision(asr, 0)
    assert said.startswith("Le règlement intérieur de la cme") and "contre" not in said


def test_a_point_settled_after_no_one_objects_is_the_point_said_before_the_question():
    from summarizer.reading import concluded_decision

    index = _said(
        "[00:00:01] Philippe Marchand: Bon. Passage au biosimilaire de l'adalimumab, avec "
        "substitution. Personne n'est contre ? … Bon. C'est validé.\n"
    )
    assert concluded_decision(index, 0) == (
        "Passage au biosimilaire de l'adalimumab, avec substitution.",
        [0],
    )


def test_another_body_s_choice_a_power_recalled_or_a_discussion_put_off_is_no_decision():
    assert not _is_decision_word("Ça, c'est décidé par l'ARS, on ne vote rien.")
    assert not _is_decision_word("C'est à la CME de valider.")
    assert not _is_decision_word("Le projet médical, adopté par la CME l'an dernier, court.")
    assert _is_decision_word("Le projet médical est adopté par la CME.")
    index = _said(
        "[00:00:01] Jean Lefort: Est-ce qu'on pourrait ouvrir une consultation mémoire ?\n"
        "[00:00:09] Philippe Marchand: C'est une bonne idée, Jean. On en discutera à la révision "
        "du projet médical, à l'automne.\n"
        "[00:00:20] Hélène Vasseur: Le projet médical est adopté jusqu'en 2027.\n"
    )
    later = check_decision(
        {
            "decision": "La réunion décide de discuter de la consultation mémoire à l'automne.",
            "segments": [1],
        },
        index,
    )
    assert later.reason.startswith("l'intervention citée renvoie la discussion")


@pytest.mark.parametrize(
    "form, infinitive",
    [
        ("recevrez", "recevoir"),
        ("reçois", "recevoir"),
        ("rappellerai", "rappeler"),
        ("jetterai", "jeter"),
        ("transmette", "transmettre"),
        ("préviens", "prévenir"),
        ("aurez", None),  # "vous aurez quarante-huit heures": no work named
        ("aviez", None),  # "vous aviez un point ?": a past, no task
        ("ouvres", "ouvrir"),  # not "ouvrer"
        ("offrez", "offrir"),
        ("appuie", "appuyer"),  # not "appuier"
        ("nettoies", "nettoyer"),
        ("paie", "payer"),
        ("livrez", "livrer"),
    ],
)
def test_irregular_forms_give_their_infinitive_or_no_task(form, infinitive):
    from summarizer.text import _infinitive

    assert _infinitive(form) == infinitive


def test_a_relative_clause_addressed_to_vous_asks_nothing():
    assert spoken_task(
        "Le service des rémunérations fait un chiffrage de deux ou trois scénarios, que vous "
        "recevrez sous huit jours."
    ) == (
        "Faire un chiffrage de deux ou trois scénarios",
        "Le service des rémunérations",
    )
    assert spoken_task("Madame Roux, vous recevez Maxime et sa famille avant les vacances ?") == (
        "Recevoir Maxime et sa famille",
        "tu",
    )


def test_a_task_handed_over_after_a_decline_goes_to_who_takes_it():
    index = _said(
        "[00:00:01] Philippe Marchand: Point cinq, le bilan annuel. Thomas, tu peux le présenter "
        "au bureau de juin ?\n"
        "[00:00:08] Thomas Keller: Euh, en juin je suis en congé, ça tombe mal.\n"
        "[00:00:13] Philippe Marchand: Jean, tu peux le prendre ?\n"
        "[00:00:17] Jean Lefort: Oui, je m'en occupe.\n"
    )
    action = check_action(
        {"task": "Présenter le bilan annuel au bureau", "owner": "Thomas", "segments": [0]}, index
    )
    assert (action.owner, action.due) == ("Jean Lefort", "au bureau de juin")
    kept = _said(
        "[00:00:01] Philippe Marchand: Thomas, tu peux le présenter au bureau de juin ?\n"
        "[00:00:08] Thomas Keller: Oui, pas de souci.\n"
        "[00:00:13] Philippe Marchand: Jean, tu peux le prendre ?\n"
        "[00:00:17] Jean Lefort: Oui.\n"
    )
    action = check_action({"task": "Présenter le bilan au bureau", "segments": [0]}, kept)
    assert action.owner == "Thomas Keller"


def test_a_proposal_put_to_the_others_and_accepted_is_a_decision():
    from summarizer.reading import accepted_proposal

    index = _said(
        "[00:00:01] Hugo Perrin: Moi, dernier truc. Je propose qu'on gèle les mises en prod "
        "jusqu'à lundi. Pas de déploiement cette semaine. Ça vous va ?\n"
        "[00:00:09] Léa Martin: Ça me va.\n"
        "[00:00:10] Théo Garcia: On pourrait aussi couper le wifi invité ?\n"
        "[00:00:14] Léa Martin: D'accord.\n"
    )
    assert accepted_proposal(index, 1) == ("On gèle les mises en prod jusqu'à lundi.", [0, 1])
    assert accepted_proposal(index, 3) is None  # an idea without a consent question


def test_a_request_with_a_pronoun_names_what_was_said_before():
    assert spoken_task(
        "Tu peux le renouveler avant jeudi ?",
        "Aujourd'hui, gros souci : le certificat wildcard expire samedi. Ce samedi ?",
    ) == ("Renouveler le certificat", "tu")
    assert commitment_segments(
        parse_clerk_text(
            "[00:00:01] Hugo Perrin: Et cette fois tu mets la procédure sur le wiki.\n"
        ).segments
    )


def test_a_point_put_on_record_and_agreed_is_a_decision_read_from_either_turn():
    from summarizer.reading import accepted_proposal

    index = _said(
        "[00:00:01] Catherine Morel: Alors ça, on peut l'acter : remisage à domicile du véhicule "
        "d'intervention, dans un rayon de trente kilomètres. D'accord ?\n"
        "[00:00:09] Patrick Roussel: D'accord.\n"
    )
    expected = (
        "Remisage à domicile du véhicule d'intervention, dans un rayon de trente kilomètres.",
        [0, 1],
    )
    assert accepted_proposal(index, 0) == expected
    assert accepted_proposal(index, 1) == expected


def test_a_person_named_at_the_head_of_a_clause_doing_work_by_a_deadline_owns_it():
    assert spoken_task(
        "En résumé, deux points d'accord. Amandine vous envoie le relevé de conclusions sous "
        "huit jours."
    ) == ("Envoyer le relevé de conclusions", "Amandine")


def test_taking_back_what_was_said_supersedes_that_choice():
    from summarizer.reading import accepted_proposal, superseded
    from summarizer.schema import Decision

    index = _said(
        "[00:00:01] Camille Renaud: Donc on saisit le Conseil d'État vendredi. Ça convient à "
        "tout le monde ?\n"
        "[00:00:09] Olivier Ménard: Pour nous, c'est bon.\n"
        "[00:00:20] Camille Renaud: Bon. Alors on revient sur ce que j'ai dit : pas de saisine "
        "vendredi. Passage au CNEN le 6, et saisine du Conseil d'État le lundi 10. Pas "
        "d'objection ?\n"
        "[00:00:31] Olivier Ménard: Ça reste tenable, oui.\n"
    )
    friday = Decision(text="On saisit le Conseil d'État vendredi.", sources=index.refs([0]))
    assert superseded(friday, index).startswith("remplacée plus loin")
    assert accepted_proposal(index, 3) == (
        "Passage au CNEN le 6, et saisine du Conseil d'État le lundi 10.",
        [2, 3],
    )


def test_an_arbitration_concluded_settles_what_was_just_proposed():
    from summarizer.reading import concluded_decision

    index = _said(
        "[00:00:01] Sarah Cohen: Quarante-deux millions. Ça nous va, on peut retenir la "
        "proposition du Trésor.\n"
        "[00:00:08] Camille Renaud: Parfait, alors c'est arbitré comme ça.\n"
    )
    assert concluded_decision(index, 1) == (
        "Retenir la proposition du Trésor : c'est arbitré.",
        [0, 1],
    )


def test_taking_over_names_a_person_not_a_task():
    index = _said(
        "[00:00:01] Philippe Marchand: Jean, tu peux le prendre ?\n"
        "[00:00:05] Jean Lefort: Oui, je m'en occupe.\n"
    )
    assert check_action({"task": "prendre Jean", "segments": [1]}, index).reason == (
        "la tâche ne dit pas quoi faire"
    )
    call = check_action({"task": "Appeler Jean", "owner": "", "segments": [0]}, index)
    assert getattr(call, "reason", "") != "la tâche ne dit pas quoi faire"


def test_a_pronoun_stands_for_what_the_same_verb_took_before():
    assert spoken_task(
        "Je vous l'envoie la semaine prochaine.",
        "Je peux vous envoyer le cahier des charges de l'appel à projets de l'an prochain, pour "
        "que votre dossier soit prêt dès l'ouverture. Volontiers.",
    ) == ("Envoyer le cahier des charges de l'appel à projets", "je")
    # what follows "et" is another clause, not the object
    assert spoken_task(
        "Je le reconvoque sous quinze jours, et cette fois je m'assure de la présence des "
        "architectes.",
        "Il faut reconvoquer le jury rapidement.",
    ) == ("Reconvoquer le jury rapidement", "je")


def test_a_request_in_the_imperative_is_a_task_of_whom_it_addresses():
    assert spoken_task(
        "On ne décide rien ce soir. Denis, demandez le devis, et on regarde ça en commission."
    ) == ("Demander le devis", "tu")
    assert spoken_task(
        "Olivier, envoyez-moi une note d'une page sur le taux bonifié d'ici vendredi, le Budget "
        "m'a déjà fait la sienne."
    ) == ("Envoyer une note d'une page sur le taux bonifié", "tu")
    assert spoken_task("Excusez-moi, allez-y.") is None
    index = _said(
        "[00:00:01] Martine Rouquette: Et la commission scolaire, je la réunis quand ?\n"
        "[00:00:06] Jean-Pierre Castagné: Réunissez-la en juin, qu'on ait une proposition pour "
        "le conseil de septembre.\n"
    )
    from summarizer.pipeline import task_as_said

    action = check_action(task_as_said(index, 1), index)
    assert (action.task, action.owner, action.due) == (
        "Réunir la commission",
        "Martine Rouquette",
        "en juin",
    )


def test_a_vote_on_a_proposal_after_a_colon_is_carried():
    from summarizer.reading import voted_decision

    index = _said(
        "[00:00:01] Jean-Pierre Castagné: Bon. Je vous propose : les travaux en deux tranches, la "
        "toiture d'abord, le clocher ensuite. Qui est contre ? Abstentions ? Adopté à "
        "l'unanimité.\n"
    )
    said, _ = voted_decision(index, 0)
    assert said.startswith("Les travaux en deux tranches")


def test_a_point_taken_back_and_replaced_then_retained_is_the_replacement():
    from summarizer.reading import concluded_decision

    index = _said(
        "[00:00:01] Isabelle Marty: Alors on ne refait pas la même erreur. On revient sur le 2 "
        "juin : ouverture le lundi 16 juin, et on prolonge jusqu'au 31 juillet. Pas "
        "d'objection ? … C'est retenu.\n"
    )
    assert concluded_decision(index, 0) == (
        "Ouverture le lundi 16 juin, et on prolonge jusqu'au 31 juillet.",
        [0],
    )


def test_a_promise_to_deliver_and_a_deadline_corrected_on_the_fly():
    from summarizer.text import deadline_of, is_acceptance

    assert is_acceptance("Vous l'aurez la semaine prochaine.")
    assert (
        deadline_of(
            "Je m'occupe d'un courrier aux familles, avant les vacances de… non, on est en mai. Avant "
            "la fin du mois."
        )
        == "Avant la fin du mois"
    )


def test_a_settling_word_said_alone_still_settles_the_next_sentence():
    from summarizer.reading import settled_by_chair

    assert settled_by_chair("Bon. On la décale à mardi prochain, c'est Julien qui la fait.") == (
        "On la décale à mardi prochain, c'est Julien qui la fait."
    )
    assert spoken_task("denis demandez le devis et on regarde ça en commission") == (
        "Demander le devis",
        "tu",
    )


def test_a_choice_answered_by_a_bare_no_later_is_superseded():
    from summarizer.reading import superseded
    from summarizer.schema import Decision

    filler = "".join(f"[00:00:{10 + i:02d}] Paul Roy: Point {i} sans rapport.\n" for i in range(8))
    index = _said(
        "[00:00:01] Anne Bertin: Bon, on part sur un alternat par feux, en attendant l'expert.\n"
        + filler
        + "[00:00:40] Anne Bertin: Alors on arrête tout. Pas d'alternat. La route est fermée.\n"
    )
    lights = Decision(text="On part sur un alternat par feux.", sources=index.refs([0]))
    assert superseded(lights, index)


def test_an_offer_declined_is_no_task_and_allez_settles_a_choice():
    from summarizer.reading import settled_by_chair

    index = _said(
        "[00:00:01] Paul Roy: Je peux appeler le traiteur, si vous voulez ?\n"
        "[00:00:05] Anne Bertin: Non merci, c'est déjà fait.\n"
    )
    assert check_action({"task": "Appeler le traiteur", "segments": [0]}, index).reason == (
        "offre déclinée dans l'intervention suivante : pas une tâche"
    )
    assert settled_by_chair("Allez, on garde la deuxième option.") == "On garde la deuxième option."
    assert settled_by_chair("Allez, on démarre la rétro, on a quarante-cinq minutes.") is None


def test_a_task_taken_over_by_a_volunteer_or_put_on_someone_by_name():
    index = _said(
        "[00:00:01] Anne Bertin: Nora, vous appelez la région tout de suite après la réunion ?\n"
        "[00:00:07] Nora Belkacem: Je peux, mais j'ai déjà le communiqué et la Croix-Rouge…\n"
        "[00:00:12] Bernard Coste: Laissez, je connais le service. Je les appelle, moi, tout de "
        "suite après la réunion.\n"
    )
    action = check_action({"task": "Appeler la région", "segments": [0]}, index)
    assert action.owner == "Bernard Coste"
    assert spoken_task(
        "Bon. On la décale à mardi prochain, c'est Julien qui la fait, et toi en binôme.",
        "La migration Postgres. Elle est prévue jeudi soir.",
    ) == ("Faire la migration", "Julien")


def test_a_point_put_on_record_in_unpunctuated_text_and_agreed():
    from summarizer.reading import accepted_proposal

    index = _said(
        "[00:00:01] SPEAKER_00: alors ça on peut l'acter remisage à domicile du véhicule dans un "
        "rayon de trente kilomètres d accord\n"
        "[00:00:09] SPEAKER_01: d accord\n"
    )
    said, ids = accepted_proposal(index, 1)
    assert said.startswith("Remisage à domicile du véhicule") and not said.endswith("accord.")
    assert ids == [0, 1]


def test_before_an_event_of_the_work_is_a_deadline_and_a_corrected_one_reads_on():
    from summarizer.verify import resolve_due

    assert stated_deadlines("Oui, on la prépare, avant la publication.") == ["avant la publication"]
    assert stated_deadlines("la mettre à jour avant qu'on ouvre aux partenaires") == [
        "avant qu'on ouvre aux partenaires"
    ]
    index = _said(
        "[00:00:01] Antoine Ferrand: Je m'occupe d'un courrier aux familles, avant les vacances "
        "de… non, on est en mai. Avant la fin du mois.\n"
    )
    assert resolve_due(None, [0], index, [], "Envoyer un courrier aux familles") == (
        "Avant la fin du mois"
    )


def test_a_recent_past_a_reflexive_and_a_far_pronoun_give_no_wrong_task():
    assert spoken_task("Je viens de regarder le planning, le samedi matin ça va.") is None
    assert spoken_task("Non, l'accueil se fait uniquement sur rendez-vous le mercredi.") is None
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Bernard Lemaire: La télé du grand salon ne marche plus. Le soir, pour le "
        "foot, c'est ennuyeux.\n"
        "[00:00:08] Nathalie Roussel: Patrick est au courant. Il doit passer avec la pièce.\n"
        "[00:00:14] Bernard Lemaire: Il a dit ça la semaine dernière.\n"
        "[00:00:18] Nathalie Roussel: Je le relance, je vous promets.\n"
    )
    said = task_as_said(index, 3)
    assert said is None or "foot" not in said["task"]


def test_a_title_before_a_name_does_not_end_the_sentence():
    assert SENTENCE_RE.findall("Je vois ça avec M. Garnier jeudi. Mme. Roux signe.") == [
        "Je vois ça avec M. Garnier jeudi.",
        " Mme. Roux signe.",
    ]
    assert SENTENCE_RE.findall("Le taux passe à 2.5 points. Bien.") == [
        "Le taux passe à 2.5 points.",
        " Bien.",
    ]
    t = parse_clerk_text(
        "[00:00:01] Paul Petit: Pour les travaux du gymnase, j'en discute avec M. Garnier lundi.\n"
    )
    # the task read as said keeps the name after "M."
    action = check_action(
        {"task": "Discuter des travaux du gymnase avec M. Garnier", "segments": [0]},
        TranscriptIndex(t),
    )
    assert not isinstance(action, Unverified), action.reason
    assert action.due == "lundi"


def test_a_verb_said_in_another_form_is_not_borrowed_from_the_next_turn():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Et le relevé des compteurs ?\n"
        "[00:00:05] Karim Benali: Je fais le relevé mercredi.\n"
        "[00:00:09] Inès Faure: Il faudrait aussi faire le point sur les fuites.\n"
    )
    # "faire" said in the next turn, "fais" in the cited one: the task's own verb
    assert _owner_and_due(TranscriptIndex(t), "Faire le relevé des compteurs", 1) == (
        "Karim Benali",
        "mercredi",
    )


def test_asking_for_the_deadline_and_a_day_of_the_month_alone():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Sophie, tu réserves la salle pour la formation ?\n"
        "[00:00:05] Sophie Marin: Oui. Il y a une date limite ?\n"
        "[00:00:08] Agnès Roux: Avant le 20, après ils la donnent au club.\n"
    )
    assert _owner_and_due(TranscriptIndex(t), "Réserver la salle pour la formation", 0) == (
        "Sophie Marin",
        "Avant le 20",
    )
    assert deadline_of("Tu me l'envoies pour le 12 au plus tard ?") == "pour le 12"
    assert deadline_of("On commande pour le 12 heures de route.") is None


def test_a_day_said_of_what_has_happened_is_no_deadline():
    assert deadline_of("Je leur ai écrit vendredi, rien, je les rappelle.") is None
    assert deadline_of("On a reçu le devis jeudi, je le signe avant le 15.") == "avant le 15"
    # what was planned is still to come
    assert deadline_of("On a prévu de le livrer lundi.") == "lundi"


def test_someone_asked_to_do_it_and_a_volunteer_who_takes_it():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Pour le vide-grenier, quelqu'un vérifie les emplacements.\n"
        "[00:00:05] Karim Benali: Je peux le faire, je passe de toute façon samedi.\n"
    )
    action = check_action(
        {"task": "Vérifier les emplacements du vide-grenier", "segments": [1]}, TranscriptIndex(t)
    )
    assert not isinstance(action, Unverified), action.reason
    assert action.owner == "Karim Benali"


def test_an_order_another_authority_took_is_not_our_decision():
    text = (
        "La sous-préfecture a pris un arrêté, baignade interdite dans le lac tout l'été. "
        "C'est la sous-préfecture qui l'a décidé, nous on affiche."
    )
    assert not states_decision(text)
    assert states_decision("Pas d'opposition ? C'est décidé, on affiche l'arrêté.")


def test_a_task_taken_on_by_a_pronoun_sentence_gets_that_sentences_deadline():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Il faut recenser les besoins en vélos de service, le pôle "
        "jeunesse en réclame. Karim, vous vous en chargez ? Avant la fin du mois, si possible.\n"
        "[00:00:09] Karim Benali: Entendu.\n"
        "[00:00:12] Inès Faure: Moi, je vais voir avec le garage pour l'entretien. Je connais "
        "le gérant. Je fais ça avant Noël.\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Recenser les besoins en vélos de service", 0) == (
        "Karim Benali",
        "Avant la fin du mois",
    )
    assert _owner_and_due(index, "Voir avec le garage pour l'entretien", 2) == (
        "Inès Faure",
        "avant Noël",
    )


def test_an_acceptance_that_opens_a_longer_reply_and_a_deadline_added_after_it():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Madame Faure, vous pouvez prévenir les familles ?\n"
        "[00:00:05] Inès Faure: Oui, jeudi. J'ai déjà la liste à jour depuis la rentrée, avec "
        "les numéros de téléphone et les adresses.\n"
        "[00:00:12] Agnès Roux: Karim, vous mettez le plan de la cantine sur le site ?\n"
        "[00:00:16] Karim Benali: Oui, pas de souci.\n"
        "[00:00:19] Agnès Roux: Il faudrait que ce soit en ligne avant le 3 mars.\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Prévenir les familles", 0) == ("Inès Faure", "jeudi")
    assert _owner_and_due(index, "Mettre le plan de la cantine sur le site", 2) == (
        "Karim Benali",
        "avant le 3 mars",
    )
    # a first sentence that says something else is no acceptance
    assert not opens_with_acceptance("Oui, je suis au conseil. Et on pourrait faire un sondage.")
    assert not opens_with_acceptance("Entendu. Mais je ne peux pas avant mars, on manque de monde.")


def test_a_hypothesis_a_noted_point_and_a_consent_still_needed_settle_nothing():
    assert not states_decision("Si la mairie nous confirme le prêt, on vote tout de suite.")
    assert not states_decision("Le bureau prend acte, pas de vote, c'est un avis.")
    assert not states_decision("Il faut d'abord que la directrice soit d'accord.")
    assert not states_decision("Elle est d'accord pour étudier un échange de bureau.")
    # the chair's call for assent still settles
    assert states_decision("S'il n'y a pas d'objection, c'est adopté.")
    assert states_decision("Si tout le monde est d'accord, on valide le planning.")


def test_what_another_body_settled_or_will_settle_is_not_our_decision():
    assert not states_decision(
        "Pour information, le rectorat a arrêté le calendrier : la bascule se fait en mai."
    )
    assert not states_decision("La grille, c'est décidé au niveau de la région.")
    assert not states_decision("Le conseil de surveillance votera le plan le 12. On attend.")
    assert not states_decision("La directrice a signé la note de service la semaine dernière.")


def test_a_verb_with_a_grave_accent_and_an_object_pronoun_read_as_said():
    assert spoken_task("L'avenant est signé, je te le transfère après la réunion.") == (
        "Transférer l'avenant après la réunion",
        "je",
    )
    assert spoken_task("Je relève les compteurs demain.")[0] == "Relever les compteurs"
    assert spoken_task("Je complète le tableau des effectifs ce soir.")[0].startswith(
        "Compléter le tableau"
    )


def test_assuming_a_postponement_is_no_task():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Le report de la réunion publique, on l'assume ?\n"
        "[00:00:05] Paul Petit: Oui, c'est un report, je l'assume. Ça relève du préfet.\n"
    )
    action = check_action({"task": "Assumer le report", "segments": [1]}, TranscriptIndex(t))
    assert isinstance(action, Unverified)


def test_work_already_done_in_the_past_is_no_task():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Et les habilitations électriques, tout le monde est à jour ?\n"
        "[00:00:05] Paul Petit: Moi, j'ai fait la mienne en octobre avec l'équipe de nuit.\n"
    )
    action = check_action(
        {"task": "Faire la mienne en octobre", "due": "en octobre", "segments": [1]},
        TranscriptIndex(t),
    )
    assert isinstance(action, Unverified)
    assert "passé composé" in action.reason


def test_a_summary_the_chair_settles_and_the_others_agree_to_is_the_decision():
    from summarizer.pipeline import decision_as_said

    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Bien. Je résume et je tranche : le lot un à Batiplus, le lot "
        "deux à Menuiserie Roche ; l'offre de Dumas n'est pas retenue. Tout le monde est "
        "d'accord ?\n"
        "[00:00:09] Paul Petit: D'accord.\n"
    )
    said = decision_as_said(TranscriptIndex(t), 0)
    assert said is not None
    assert said["decision"].startswith("Le lot un à Batiplus, le lot deux à Menuiserie Roche")
    assert "n'est pas retenue" in said["decision"]


def test_a_reply_opening_by_taking_it_on_borrows_the_request_and_whom_to_call():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Et les convocations des trois suppléants, et celle de M. Faure ?\n"
        "[00:00:05] Inès Faure: Je les envoie lundi. Pour M. Faure, je l'appellerai avant, il "
        "a changé de numéro et il préfère un coup de fil à un courrier.\n"
        "[00:00:12] Agnès Roux: Et le dossier de subvention ? Mme Petit a écrit deux fois.\n"
        "[00:00:16] Karim Benali: Le dossier est prêt. Mme Roux, vous pouvez l'appeler pour "
        "lui dire ?\n"
    )
    index = TranscriptIndex(t)
    assert _owner_and_due(index, "Envoyer les convocations des trois suppléants", 1) == (
        "Inès Faure",
        "lundi",
    )
    # whom to call is a person named before, never "le dossier"; not the one addressed
    assert spoken_task(t.segments[3].text, t.segments[2].text) == (
        "Appeler Mme Petit pour lui dire",
        "tu",
    )


def test_a_need_for_your_work_is_taken_on_by_whoever_replies():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Il me faudra votre bilan des heures, pour que je le joigne au "
        "rapport annuel.\n"
        "[00:00:06] Karim Benali: Je vous l'envoie avant le 12.\n"
    )
    assert _owner_and_due(TranscriptIndex(t), "Envoyer le bilan des heures", 0) == (
        "Karim Benali",
        "avant le 12",
    )


def test_what_ca_stands_for_in_a_request_or_a_promise():
    assert spoken_task(
        "Mme Roux, le renouvellement des badges de la crèche, vous pouvez nous chiffrer ça ?"
    ) == ("Chiffrer le renouvellement des badges de la crèche", "tu")
    assert spoken_task(
        "On vous fera une note de synthèse pour le préfet. Je vous ferai ça pour mardi."
    )[0].startswith("Faire une note de synthèse pour le préfet")


def test_keeping_an_idea_and_warning_the_meeting_are_no_tasks():
    t = parse_clerk_text(
        "[00:00:01] Paul Petit: Je vous préviens d'entrée : le rectorat a fixé les dotations.\n"
        "[00:00:05] Inès Faure: On sait. On demande quand même un poste de plus.\n"
        "[00:00:09] Paul Petit: Gardez l'idée, on en reparlera en mars.\n"
    )
    index = TranscriptIndex(t)
    for task, sid in [("Prévenir d'entrée le rectorat", 0), ("Garder l'idée", 2)]:
        action = check_action({"task": task, "segments": [sid]}, index)
        assert isinstance(action, Unverified), task


def test_the_chairs_ruling_after_a_colon_is_the_decision():
    from summarizer.reading import stated_decision

    assert (
        stated_decision("Bon. Je tranche : deux agents de plus cet été, dont un pour le musée.")
        == "Deux agents de plus cet été, dont un pour le musée."
    )
    assert stated_decision("Je tranche, mais plus tard, quand on aura les chiffres.") is None


def test_what_to_do_if_it_happens_an_idea_and_the_decision_itself_are_no_tasks():
    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Et si jamais la crue dépasse la cote d'alerte, vous fermez le "
        "parking des berges.\n"
        "[00:00:06] Karim Benali: Moi je proposais de fermer la piscine le lundi.\n"
        "[00:00:10] Agnès Roux: Je tranche : on garde l'ouverture du lundi matin, sur "
        "réservation.\n"
    )
    index = TranscriptIndex(t)
    for task, sid in [
        ("Fermer le parking des berges", 0),
        ("Fermer la piscine le lundi", 1),
        ("Garder l'ouverture du lundi matin", 2),
    ]:
        assert isinstance(check_action({"task": task, "segments": [sid]}, index), Unverified)
    assert deadline_of("Ce sera fait d'ici la fin de la semaine prochaine.") == (
        "d'ici la fin de la semaine prochaine"
    )


def test_leur_stands_for_whom_the_request_asked_to_warn():
    assert spoken_task(
        "Oui, je leur écris demain. Ils vont râler.",
        "Mme Faure, vous prévenez le service culturel de la mairie ?",
    ) == ("Écrire au service culturel de la mairie", "je")


def test_an_idea_is_a_task_only_once_taken_up_and_a_refusal_foretold_is_none():
    t = parse_clerk_text(
        "[00:00:01] Inès Faure: Est-ce qu'on ne pourrait pas ouvrir la salle le dimanche ?\n"
        "[00:00:05] Agnès Roux: Non. Le maire ne l'acceptera jamais, et le club non plus.\n"
        "[00:00:09] Karim Benali: On pourrait faire un sondage auprès des adhérents.\n"
        "[00:00:13] Agnès Roux: Faites-le.\n"
    )
    index = TranscriptIndex(t)
    refused = check_action({"task": "Ouvrir la salle le dimanche", "segments": [0]}, index)
    assert isinstance(refused, Unverified)
    assert spoken_task(t.segments[1].text) is None
    taken = check_action({"task": "Faire un sondage auprès des adhérents", "segments": [2]}, index)
    assert not isinstance(taken, Unverified), taken.reason


def test_quoted_words_a_demonstrative_and_a_bare_deadline_after_the_yes():
    t = parse_clerk_text(
        "[00:00:01] Paul Petit: Le faux mail disait « mettez à jour votre mot de passe ».\n"
        "[00:00:05] Agnès Roux: Inès, il me faudrait un plan de formation, service par "
        "service.\n"
        "[00:00:09] Inès Faure: D'accord.\n"
        "[00:00:11] Agnès Roux: Pour la prochaine réunion, si possible.\n"
        "[00:00:14] Inès Faure: Je reprends celui de l'an dernier, c'est presque le même.\n"
    )
    index = TranscriptIndex(t)
    quoted = check_action({"task": "Mettre à jour votre mot de passe", "segments": [0]}, index)
    assert isinstance(quoted, Unverified)
    same = check_action({"task": "Reprendre celui de l'an dernier", "segments": [4]}, index)
    assert isinstance(same, Unverified)
    assert _owner_and_due(index, "Faire le plan de formation", 1) == (
        "Inès Faure",
        "Pour la prochaine réunion",
    )


def test_a_point_and_its_assent_in_one_sentence_is_the_decision():
    from summarizer.pipeline import decision_as_said

    t = parse_clerk_text(
        "[00:00:01] Agnès Roux: Tant pis pour eux. La fermeture du parking le soir, ça me va. "
        "Karim ?\n"
        "[00:00:06] Karim Benali: Je m'en occupe demain.\n"
    )
    said = decision_as_said(TranscriptIndex(t), 0)
    assert said is not None and said["decision"] == "La fermeture du parking le soir (accord)."


# -- eleventh round: rules drawn from the u8 meetings (tuning material since their scoring) ---


def test_offers_and_taking_charge_commit_the_speaker_and_negations_do_not():
    assert commits_self("Je peux vous envoyer nos relevés de compteurs.")
    assert commits_self("Je peux porter la question au bureau.")
    assert commits_self("Je m'occupe de la faire signer par le maire.")
    assert commits_self("Je pose la question au rectorat.")
    assert not commits_self("Je m'occupe du personnel depuis 2019.")
    assert not commits_self("Je pose la question : faut-il continuer ?")
    # "je ne peux rien garantir" commits to nothing, whatever the deadline of the need after it
    assert not commits_self(
        "Je ne peux rien garantir. Par contre, il faudra écrire aux familles avant les vacances."
    )


def test_a_date_inside_a_condition_or_a_word_is_no_deadline_of_the_task():
    assert deadline_of("Je vous fais ça début mai, si la subvention arrive en avril.") == (
        "début mai"
    )
    assert deadline_of("Avant jeudi si vous pouvez, sinon lundi.") == "Avant jeudi"
    # "d'études courant mars" holds no "dès"
    assert stated_deadlines("Je lance l'étude avec le bureau d'études courant mars.") == [
        "courant mars"
    ]
    assert deadline_of("Il faudrait les tailler avant les premières gelées.") == (
        "avant les premières gelées"
    )
    assert stated_deadlines("On les traite avant les autres.") == []


def test_who_is_asked_or_handed_the_work_owns_it():
    index = _said(
        "[00:00:01] Agnès Roux: Le tarif est voté. Je demande au service financier de modifier "
        "les régies avant le 1er mars.\n"
        "[00:00:08] Paul Petit: Très bien. Et le service juridique prépare l'avenant avec le "
        "délégataire.\n"
        "[00:00:14] Inès Faure: Je peux tenir un stand au marché, courant avril.\n"
        "[00:00:19] Agnès Roux: Oui, faites-le. Et le service communication prépare l'affiche "
        "pour le 10 février.\n"
    )
    assert _owner_and_due(index, "Modifier les régies", 0) == (
        "le service financier",
        "avant le 1er mars",
    )
    assert _owner_and_due(index, "Préparer l'avenant avec le délégataire", 1) == (
        "le service juridique",
        None,
    )
    assert _owner_and_due(index, "Préparer l'affiche", 3) == (
        "le service communication",
        "pour le 10 février",
    )
    # what a service does, said without "Et" or a deadline, hands it nothing
    assert spoken_task("Le service juridique prépare les conventions.") is None
    assert spoken_task("Et le service juridique prépare déjà la convention.") is None


def test_a_second_task_of_a_reply_has_its_own_date_or_none():
    index = _said(
        "[00:00:01] Agnès Roux: Pour le conseil de juin, il faudrait arrêter le calendrier des "
        "travaux.\n"
        "[00:00:07] Paul Petit: Oui, je vais proposer deux dates aux entreprises. Et j'écrirai "
        "aux riverains pour les prévenir.\n"
        "[00:00:14] Agnès Roux: Inès, vous pouvez relancer le bureau de contrôle ?\n"
        "[00:00:18] Inès Faure: Oui, je les relance. Et je lance la consultation des peintres "
        "courant avril.\n"
        "[00:00:24] Agnès Roux: Karim, vous pouvez inviter le médecin du travail au prochain "
        "CST ?\n"
        "[00:00:29] Karim Benali: Je m'en occupe, je vois ça avec lui cette semaine.\n"
    )
    # the June council is the date asked for the calendar, not for the letter
    assert _owner_and_due(index, "Écrire aux riverains pour les prévenir", 1) == (
        "Paul Petit",
        None,
    )
    # April is the painters' consultation, not the reminder
    assert _owner_and_due(index, "Relancer le bureau de contrôle", 2) == ("Inès Faure", None)
    # how the asked task gets done, and when
    assert _owner_and_due(index, "Inviter le médecin du travail", 4) == (
        "Karim Benali",
        "cette semaine",
    )


def test_no_objection_then_adopted_names_the_proposal_and_a_deferral_settles_nothing():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Agnès Roux: Les gardes. Je propose trois équipes de quatre, en alternance "
        "une semaine sur trois.\n"
        "[00:00:07] Paul Petit: C'est mieux qu'avant.\n"
        "[00:00:10] Agnès Roux: Pas d'opposition ? … C'est adopté.\n"
        "[00:00:14] Inès Faure: Le ménage des vestiaires, on le confie à un prestataire ?\n"
        "[00:00:19] Agnès Roux: On ne sait pas ce que ça coûte, donc on remet ce point au "
        "prochain bureau.\n"
        "[00:00:25] Agnès Roux: Ouverture le samedi matin dès mars. Pas d'opposition ? Adopté. "
        "Karim, vous faites les affiches ?\n"
    )
    adopted = decision_as_said(index, 2)
    assert adopted is not None and adopted["segments"] == [0, 2]
    assert adopted["decision"].startswith("Trois équipes de quatre, en alternance")
    assert decision_as_said(index, 4) is None
    stated = decision_as_said(index, 5)
    assert stated is not None and stated["decision"] == "Ouverture le samedi matin dès mars."
    unpunctuated = _said(
        "[00:00:01] SPEAKER_00: ouverture le samedi matin dès mars pas d'opposition adopté "
        "karim vous faites les affiches\n"
    )
    said = decision_as_said(unpunctuated, 0)
    assert said is not None and said["decision"].startswith("Ouverture le samedi matin")
    assert "affiches" not in said["decision"]


def test_work_handed_to_a_person_or_own_service_and_an_offer_taken_up_are_read_in_code():
    from summarizer.pipeline import task_as_said
    from summarizer.text import delegated_task

    assert delegated_task("Je demande au service comptable de mettre à jour les tarifs.") == (
        "Mettre à jour les tarifs",
        "le service comptable",
    )
    assert delegated_task("Je vais demander à M. Roy de préparer la salle.") == (
        "Préparer la salle",
        "M. Roy",
    )
    # asking an outside body is the speaker's own task; "des bénévoles" is no infinitive
    assert delegated_task("Je demande à la police municipale de passer plus souvent.") is None
    assert delegated_task("Je demande à la Croix-Rouge des bénévoles.") is None
    # "faites ça" says nothing of what: the service named after it has the task
    assert spoken_task("Oui, faites ça. Et le service culturel prépare l'affiche pour lundi.") == (
        "Préparer l'affiche",
        "le service culturel",
    )
    index = _said(
        "[00:00:01] Paul Petit: Je peux vous transmettre nos relevés de crues, par bassin.\n"
        "[00:00:07] Agnès Roux: Oui, volontiers.\n"
        "[00:00:10] Inès Faure: Je peux appeler le syndicat mixte.\n"
        "[00:00:14] Agnès Roux: Non, pas la peine, je les vois demain.\n"
    )
    taken = task_as_said(index, 0)
    assert taken is not None and taken["task"] == "Transmettre nos relevés de crues, par bassin"
    assert task_as_said(index, 2) is None  # declined


def test_a_name_before_vous_etes_addresses_no_request():
    said = "kevin et laure vous êtes au dessus je vous envoie le tableau détaillé demain"
    assert addressee(said) is None
    assert addressee("laure vous relancez la mairie") == "Laure"


def test_what_is_put_to_the_meeting_is_no_task_until_taken_up():
    index = _said(
        "[00:00:01] Agnès Roux: On vous propose une hausse de deux pour cent au 1er janvier.\n"
        "[00:00:06] Paul Petit: C'est beaucoup, pour les petites communes.\n"
        "[00:00:10] Inès Faure: Je voudrais qu'on vote une motion pour demander un report.\n"
        "[00:00:15] Paul Petit: On verra ça à la prochaine séance.\n"
    )
    for task, sid in [("Proposer une hausse de deux pour cent", 0), ("Demander un report", 2)]:
        assert isinstance(check_action({"task": task, "segments": [sid]}, index), Unverified)


def test_the_person_asked_who_answers_by_when_takes_it_on():
    index = _said(
        "[00:00:01] Agnès Roux: Mme Roy, vous pouvez ouvrir la ligne d'appel rapidement ?\n"
        "[00:00:06] Claire Roy: Le standard peut être prêt d'ici jeudi.\n"
        "[00:00:10] Agnès Roux: Karim, vous pouvez présenter le bilan au bureau ?\n"
        "[00:00:14] Karim Benali: En juin je suis en congé, ça tombe mal.\n"
    )
    assert _owner_and_due(index, "Ouvrir la ligne d'appel", 0) == ("Claire Roy", "d'ici jeudi")
    # a date in a reply that declines is not when the work is due
    assert _owner_and_due(index, "Présenter le bilan au bureau", 2)[1] is None


def test_eux_after_a_preposition_names_the_group_said_before():
    assert spoken_task(
        "Bon, on part là-dessus, stand commun avec les JA. Élodie, tu prends contact avec eux ?"
    ) == ("Prendre contact avec les JA", "tu")
    assert spoken_task("Tu prends contact avec eux ?", "Il faudrait associer les riverains.") == (
        "Prendre contact avec les riverains",
        "tu",
    )


def test_work_handed_to_a_service_makes_the_turn_a_candidate():
    from summarizer.pipeline import _is_commitment

    assert _is_commitment("Merci. Et le service juridique rédige la convention avec la famille.")
    assert _is_commitment("Je demande au service comptable de mettre à jour les tarifs.")
    assert not _is_commitment("Le service juridique rédige les conventions.")


def test_a_proposal_and_its_adoption_a_few_turns_later_are_one_decision():
    from summarizer.merge import merge_decisions
    from summarizer.schema import SourceRef

    def ref(i):
        return SourceRef(segment_id=i, start=float(i), end=float(i + 1))

    proposed = Decision(
        text="La réunion décide de distribuer gratuitement les composteurs sur inscription.",
        sources=[ref(13)],
    )
    adopted = Decision(
        text="La réunion décide de la distribution gratuite des composteurs sur inscription.",
        sources=[ref(16)],
    )
    other = Decision(text="La réunion décide de fermer la déchetterie le lundi.", sources=[ref(17)])
    merged = merge_decisions([proposed, adopted, other])
    assert len(merged) == 2
    assert [s.segment_id for s in merged[0].sources] == [13, 16]


def test_decision_words_in_a_which_or_how_question_state_nothing():
    assert not states_decision(
        "Il n'y a aucun protocole. Quel produit, quelle dose, quel taux de perte on accepte ?"
    )
    assert states_decision("Qui est pour ? … Sept. Contre ? Un. C'est adopté.")


def test_a_second_request_taken_on_next_is_a_task_of_its_own():
    from summarizer.pipeline import _accepted_second_request

    index = _said(
        "[00:00:01] Agnès Roux: On ne fixe pas la date aujourd'hui, il faut que je voie avec la "
        "mairie. Inès, tu contactes les trois écoles pour avoir leurs disponibilités ?\n"
        "[00:00:09] Inès Faure: D'accord, je les appelle d'ici vendredi.\n"
        "[00:00:13] Agnès Roux: Bon, on commence. Karim, tu fais le point.\n"
        "[00:00:16] Karim Benali: Oui.\n"
    )
    [second] = _accepted_second_request(index, 0, [{"task": "Voir avec la mairie"}])
    assert second["task"].startswith("Contacter les trois écoles")
    assert _owner_and_due(index, second["task"], 0) == ("Inès Faure", "d'ici vendredi")
    # reporting in the meeting is no task
    assert isinstance(check_action({"task": "Faire le point", "segments": [2]}, index), Unverified)


def test_a_choice_fixed_by_another_body_is_not_the_meetings():
    assert not states_decision(
        "Les objectifs sont relevés, on passe de 410 à 460 entrées. C'est fixé par la DT."
    )
    assert not states_decision("L'agence fermera à midi le 24. C'est une décision de la DT.")


def test_a_name_in_ez_after_a_title_is_no_imperative_and_a_task_is_no_decision():
    assert spoken_task("Bon, on y va. Mme Lopez est avec nous aujourd'hui, merci.") is None
    assert addressee("Mme Martinez, vous pouvez appeler ?") == "Martinez"
    index = _said("[00:00:01] Agnès Roux: Il faut trouver un autre preneur. Vous votez ? Adopté.\n")
    task_as_decision = check_decision(
        {
            "decision": "La réunion décide de confier la tâche de trouver un preneur à Paul.",
            "segments": [0],
        },
        index,
    )
    assert isinstance(task_as_decision, Unverified)


def test_a_proposal_agreed_by_whoever_opens_the_next_point_is_decided():
    from summarizer.reading import agreed_and_moved_on

    index = _said(
        "[00:00:01] Paul Petit: Je propose qu'on ouvre la salle deux soirs par semaine au lieu "
        "d'un, tant que la demande dure.\n"
        "[00:00:08] Agnès Roux: Oui, deux soirs par semaine, c'est raisonnable. Et pour le "
        "ménage, Inès ?\n"
        "[00:00:12] Inès Faure: Je propose qu'on change de prestataire.\n"
        "[00:00:16] Agnès Roux: Oui, mais pas avant l'été. Et pour les clés, Karim ?\n"
    )
    agreed = agreed_and_moved_on(index, 1)
    assert agreed is not None and agreed[1] == [0, 1]
    assert agreed[0].startswith("On ouvre la salle deux soirs par semaine")
    decided = check_decision(
        {"decision": agreed[0], "segments": agreed[1], "settled_in_code": True}, index
    )
    assert not isinstance(decided, Unverified)
    assert agreed_and_moved_on(index, 3) is None  # "mais pas avant l'été"
    llm = FakeLLM({"TÂCHE : dans l'extrait": scripted({}, {})})
    minutes = summarize(index.transcript, backend=llm, steps=("decisions",))
    assert [d.text for d in minutes.decisions] == [agreed[0]]


def test_the_terms_of_a_deal_give_no_task():
    index = _said(
        "[00:00:01] Claire Roy: Le marché permet de commander cent tonnes de plus, à condition "
        "de commander avant le 15 novembre.\n"
        "[00:00:07] Paul Petit: C'est intéressant.\n"
    )
    dealt = check_action({"task": "Commander avant le 15 novembre", "segments": [0]}, index)
    assert isinstance(dealt, Unverified)


def test_unpunctuated_tasks_stop_where_a_new_clause_or_request_starts():
    said = spoken_task(
        "il faut que je les recontacte pour signer la convention et le bailleur social serait "
        "intéressé pour les parties communes"
    )
    assert said == ("Recontacter pour signer la convention", "je")
    said = spoken_task(
        "je vais porter le résultat en commission mme royer vous m'envoyez les résultats"
    )
    assert said is not None and said[0] == "Porter le résultat en commission"


def test_irregular_futures_and_a_self_aside_read_as_said():
    assert spoken_task("Nathan, vous ferez une liste de trois films.") == (
        "Faire une liste de trois films",
        "tu",
    )
    assert spoken_task("Tu enverras le compte rendu aux membres.") == (
        "Envoyer le compte rendu aux membres",
        "tu",
    )
    assert spoken_task("Je relance les directeurs de département, moi, dès lundi.") == (
        "Relancer les directeurs de département",
        "je",
    )


def test_veux_bien_asks_refais_commits_and_an_offer_agreed_at_length_is_taken_up():
    from summarizer.pipeline import task_as_said

    assert spoken_task("Élodie, tu veux bien faire le tutorat du premier ?") == (
        "Faire le tutorat du premier",
        "tu",
    )
    assert spoken_task("Je refais la fiche réflexe avant Noël.") == (
        "Refaire la fiche réflexe",
        "je",
    )
    index = _said(
        "[00:00:01] Claire Roy: Je peux demander aux infirmières de remonter les créneaux.\n"
        "[00:00:06] Agnès Roux: Très bien. Donc deuxième dose en mars, trois équipes mobiles, et "
        "les créneaux remontés par les infirmières. On part là-dessus ?\n"
    )
    taken = task_as_said(index, 0)
    assert (
        taken is not None and taken["task"] == "Demander aux infirmières de remonter les créneaux"
    )


def test_work_announced_in_the_future_passive_belongs_to_its_agent():
    said = "Le compte rendu vous sera envoyé par le secrétariat du Département."
    assert spoken_task(said) == ("Envoyer le compte rendu", "le secrétariat du Département")
    index = _said(f"[00:00:01] Agnès Roux: Merci à tous. {said}\n")
    assert _owner_and_due(index, "Envoyer le compte rendu", 0) == (
        "le secrétariat du Département",
        None,
    )
    assert spoken_task("La convention sera signée par le maire la semaine prochaine.") == (
        "Signer la convention",
        "le maire",
    )


def test_a_proposal_agreed_in_so_many_words_is_decided_but_not_a_name():
    from summarizer.reading import accepted_proposal

    index = _said(
        "[00:00:01] Agnès Roux: On ne va pas tout changer d'un coup. On essaie sur une salle, "
        "la salle nord, au printemps. D'accord ?\n"
        "[00:00:07] Paul Petit: Bon, sur une salle, d'accord, on essaie.\n"
        "[00:00:11] Agnès Roux: On garde la règle : fermeture à quatre mètres, pas avant. "
        "Monsieur Leclerc, ça vous va ?\n"
        "[00:00:16] Bruno Leclerc: Bon, d'accord, ça me va.\n"
    )
    said = accepted_proposal(index, 0)
    assert said is not None and said[0].startswith("On essaie sur une salle")
    assert accepted_proposal(index, 2) is None or "Leclerc" not in accepted_proposal(index, 2)[0]


def test_a_point_summed_up_before_the_work_is_handed_out_is_decided():
    from summarizer.reading import recap_then_request

    index = _said(
        "[00:00:01] Claire Roy: Pour ceux qui ont raté la séance, on pourrait faire un rattrapage "
        "au centre de vaccination.\n"
        "[00:00:06] Paul Petit: Le mercredi après-midi, c'est possible, sans rendez-vous.\n"
        "[00:00:11] Agnès Roux: Donc le rattrapage au centre de vaccination, le mercredi "
        "après-midi. Mme Faure, vous pouvez nous faire un flyer ?\n"
        "[00:00:16] Inès Faure: Oui.\n"
        "[00:00:18] Agnès Roux: Alors, le point suivant. Karim, vous commencez ?\n"
    )
    said = recap_then_request(index, 2)
    assert said == ("Le rattrapage au centre de vaccination, le mercredi après-midi.", [2])
    assert recap_then_request(index, 4) is None  # an agenda opener
    llm = FakeLLM({"TÂCHE : dans l'extrait": scripted({}, {})})
    minutes = summarize(index.transcript, backend=llm, steps=("decisions",))
    assert [d.text for d in minutes.decisions] == [said[0]]


def test_the_speaker_who_offers_the_very_task_owns_it():
    index = _said(
        "[00:00:01] Inès Faure: Il faudra le dire aux étudiants. Je peux relayer sur les réseaux "
        "de l'association.\n"
        "[00:00:07] Agnès Roux: Très bien.\n"
    )
    assert _owner_and_due(index, "Relayer sur les réseaux de l'association", 0)[0] == "Inès Faure"


def test_relative_clauses_conditions_ongoing_work_and_adverbs_are_read_as_meant():
    from summarizer.text import offered_task

    # "vous qui vous occupez du bulletin" says who she is, the request follows
    assert spoken_task(
        "Mme Lambert, vous qui vous occupez du bulletin, vous rédigez un article ?"
    ) == ("Rédiger un article", "tu")
    assert spoken_task("Pour le 2 février, oui, si je m'y mets dès la reprise.") is None
    assert spoken_task("Je peux l'animer, ça remplace ce que je fais déjà sur ce créneau.") is None
    # "on n'a pas la main", "qui la fixe": no antecedent; "une réponse type" is
    assert spoken_task(
        "C'est l'État qui la fixe, on n'a pas la main. Il faut une réponse type. Karim, tu la "
        "rédiges ?"
    ) == ("Rédiger la réponse", "tu")
    assert offered_task("Je connais les principaux, je peux les appeler directement.") == (
        "Appeler les principaux directement"
    )
    index = _said("[00:00:01] Agnès Roux: Tu seras en repos, c'est bon, je te mets dessus.\n")
    assert isinstance(check_action({"task": "Mettre dessus", "segments": [0]}, index), Unverified)


def test_deciding_is_the_decision_not_a_task():
    index = _said(
        "[00:00:01] Agnès Roux: Je propose qu'on décide de lancer la procédure sur l'ancien "
        "carré. D'accord ?\n"
        "[00:00:06] Paul Petit: D'accord.\n"
    )
    decided = check_action({"task": "Décider qu'on lance la procédure", "segments": [0]}, index)
    assert isinstance(decided, Unverified)


def test_unpunctuated_conclusions_start_after_the_settling_word():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] SPEAKER_00: c'est vrai mais sinon c'est l'été et on perd encore plus bon "
        "première semaine des vacances de février on part là dessus\n"
    )
    first = decision_as_said(index, 0)
    assert first is not None and first["decision"].startswith("Première semaine des vacances")


def test_a_ruling_names_the_point_said_before_it():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Agnès Roux: Non, tu as raison. Les dossiers urgents d'abord : RSA, AAH. "
        "Ensuite le reste par ancienneté. Je tranche, on fait comme ça.\n"
    )
    said = decision_as_said(index, 0)
    assert said is not None
    assert said["decision"].startswith("Les dossiers urgents d'abord : RSA, AAH. Ensuite le reste")


def test_the_one_named_after_the_yes_owns_the_task_and_a_reserve_is_no_task():
    index = _said(
        "[00:00:01] Kevin Roy: Et il faudrait des affiches.\n"
        "[00:00:05] Hugo Petit: Je peux faire l'affiche sur l'ordi !\n"
        "[00:00:09] Agnès Roux: D'accord, Hugo, tu fais l'affiche et tu l'envoies à Kevin avant "
        "mercredi.\n"
        "[00:00:15] Léa Roy: Ça dépasse le budget. À moins que la mairie complète.\n"
    )
    assert _owner_and_due(index, "Faire l'affiche", 2) == ("Hugo Petit", "avant mercredi")
    reserve = check_action({"task": "Compléter le budget", "segments": [3]}, index)
    assert isinstance(reserve, Unverified)
    assert addressee("Oui, bien sûr, tu as raison.") is None


def test_alternatives_that_depend_on_results_give_no_task():
    index = _said(
        "[00:00:01] Claire Roy: Selon les résultats, soit on pourra les clapper en mer, soit il "
        "faudra les mettre à terre.\n"
        "[00:00:07] Agnès Roux: Les dossiers restent instruits selon l'ancien régime, vous "
        "l'intégrez au texte ?\n"
    )
    either = check_action({"task": "Mettre les sédiments à terre", "segments": [0]}, index)
    assert isinstance(either, Unverified)
    asked = check_action({"task": "Intégrer l'ancien régime au texte", "segments": [1]}, index)
    assert not isinstance(asked, Unverified), asked.reason


def test_on_at_the_head_of_a_clause_is_nobody_named():
    # "On" at the start of a sentence is not a person's name: the meeting's way of working
    # ("on traite en priorité…") hands no task to a third party called "On"
    assert (
        spoken_task(
            "Ce que je vous propose, c'est qu'on arrête de traiter dans l'ordre d'arrivée. On traite "
            "en priorité ceux dont le récépissé expire dans les quinze jours."
        )
        is None
    )
    assert spoken_task("Amandine vous envoie le relevé cette semaine.") == (
        "Envoyer le relevé",
        "Amandine",
    )


def test_a_repeated_day_is_no_object_and_how_is_no_task():
    task, who = spoken_task("Mais je vous envoie chaque lundi matin la liste des dossiers urgents.")
    assert (task, who) == ("Envoyer la liste des dossiers urgents", "je")
    assert spoken_task(
        "Oui, je m'appuie sur celui de l'agence régionale, je vous l'envoie pour relecture d'ici "
        "quinze jours."
    )[0].startswith("Envoyer")


def test_calling_someone_back_is_a_task_and_remembering_is_not():
    assert spoken_task("Thomas, tu la rappelles, la directrice, pour réserver les créneaux ?") == (
        "Rappeler la directrice, pour réserver les créneaux",
        "tu",
    )
    assert spoken_task("Vous vous rappelez la réunion de mars ?") is None
    assert spoken_task("Vous rappelez que le délai est de deux mois.") is None


def test_a_pronoun_takes_up_what_was_asked_with_un_or_une_and_the_request_is_cited():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Julie Roy: Oui. Mme Benali, vous pourriez me faire une note sur l'évolution "
        "de Lina, que je la joigne ?\n"
        "[00:00:06] Anne Benali: Je vous la fais pour le quinze janvier.\n"
    )
    said = task_as_said(index, 1)
    assert said is not None
    assert said["task"] == "Faire une note sur l'évolution de Lina"
    assert said["segments"] == [0, 1]
    action = check_action(said, index)
    assert not isinstance(action, Unverified), action.reason
    # "que je la joigne" is why the note is asked, not a task the asker takes on
    assert (action.owner, action.due) == ("Anne Benali", "pour le quinze janvier")


def test_the_speakers_own_clause_after_a_request_is_the_speakers():
    index = _said(
        "[00:00:01] Paul Garnier: Bon, on retient ce modèle. Mme Roux, vous préparez le bon de "
        "commande, je le signe la semaine prochaine.\n"
        "[00:00:09] Anne Roux: C'est noté.\n"
    )
    assert _owner_and_due(index, "Préparer le bon de commande", 0)[0] == "Anne Roux"
    assert _owner_and_due(index, "Signer le bon de commande", 0) == (
        "Paul Garnier",
        "la semaine prochaine",
    )


def test_another_bodys_decision_put_as_a_condition_decides_nothing():
    assert not states_decision(
        "Si jamais le directoire le retient, je lancerai la consultation tout de suite."
    )
    assert states_decision("Si personne ne s'y oppose, c'est adopté.")


def test_a_subordinate_you_asks_nothing_and_a_wish_that_you_do_asks():
    assert (
        spoken_task(
            "Est-ce qu'on peut désigner un interlocuteur unique, pour éviter que vous receviez "
            "des pièces de partout ?"
        )
        is None
    )
    assert spoken_task("Il faudrait que vous envoyiez la liste avant lundi.") == (
        "Envoyer la liste",
        "tu",
    )
    assert spoken_task("Est-ce que tu peux corriger l'export avant jeudi ?") == (
        "Corriger l'export",
        "tu",
    )
    assert spoken_task("Très bien. Je vous explique rapidement la procédure.") is None


def test_taking_over_a_declined_task_and_a_deadline_said_on_its_own():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Anne Garnier: On fait une relance par courrier. Sophie, tu peux faire le "
        "publipostage ?\n"
        "[00:00:06] Sophie Blanc: Alors moi, en janvier je n'aurai pas le temps, je suis sur "
        "l'accueil à plein temps.\n"
        "[00:00:14] Paul Roux: Je le prends, j'ai déjà les adresses dans l'extraction. Je le fais "
        "avant le quinze janvier.\n"
        "[00:00:21] Paul Roux: Et je lui envoie une troisième relance, en recommandé. Demain.\n"
    )
    said = task_as_said(index, 2)
    assert said is not None and said["task"] == "Faire le publipostage"
    action = check_action(said, index)
    assert not isinstance(action, Unverified), action.reason
    assert (action.owner, action.due) == ("Paul Roux", "avant le quinze janvier")
    assert _owner_and_due(index, "Envoyer une troisième relance", 3) == ("Paul Roux", "Demain")
    assert spoken_task("C'est la DRH qui fixe la date, on n'a rien reçu. Je les relance.") == (
        "Relancer la DRH",
        "je",
    )


def test_a_choice_settled_again_with_on_corrige_replaces_the_earlier_one():
    from summarizer.reading import superseded

    index = _said(
        "[00:00:01] Paul Vidal: Je propose que toute dispensation soit soumise à validation "
        "préalable par le référent.\n"
        "[00:00:09] Anne Rousseau: La pharmacie est d'accord, on bloquera la dispensation dans le "
        "logiciel.\n"
        "[00:00:14] Marc Nguyen: Et la nuit ? Il n'y a qu'un référent.\n"
        "[00:00:20] Anne Rousseau: On pourrait faire comme au CHU : dispensation possible tout de "
        "suite, mais réévaluation obligatoire par le référent à soixante-douze heures.\n"
        "[00:00:31] Paul Vidal: D'accord, on corrige : dispensation immédiate possible, "
        "réévaluation obligatoire par le référent à soixante-douze heures. Adopté.\n"
    )
    first = check_decision(
        {"decision": "On bloquera la dispensation dans le logiciel.", "segments": [1]}, index
    )
    assert isinstance(first, Decision)
    assert superseded(first, index).startswith("remplacée plus loin")
    new = check_decision(
        {
            "decision": "Dispensation possible tout de suite, réévaluation obligatoire par le "
            "référent à soixante-douze heures",
            "segments": [3, 4],
        },
        index,
    )
    assert isinstance(new, Decision)
    assert superseded(new, index) is None


def test_a_second_task_the_speaker_takes_on_in_the_same_turn_is_read():
    from summarizer.pipeline import _second_own_task, task_as_said

    index = _said(
        "[00:00:01] Paul Vidal: Pour les carbapénèmes, il faut informer le référent et paramétrer "
        "le logiciel. Mme Rousseau ?\n"
        "[00:00:06] Anne Rousseau: Je fais le paramétrage avec l'éditeur. Et le Dr Caron, le "
        "référent, je lui envoie un mail ce soir.\n"
    )
    first = task_as_said(index, 1)
    assert first is not None and first["task"] == "Faire le paramétrage avec l'éditeur"
    second = _second_own_task(index, 1, [first])
    assert [s["task"] for s in second] == ["Envoyer un mail au Dr Caron"]
    action = check_action(second[0], index)
    assert not isinstance(action, Unverified), action.reason
    assert (action.owner, action.due) == ("Anne Rousseau", "ce soir")
    # "lui" after a person addressed by name is someone else: no guess
    assert spoken_task("Mme Roux, je lui envoie le dossier demain.") == ("Envoyer le dossier", "je")


def test_a_tu_imperative_after_an_offer_is_a_task_for_whoever_offered():
    index = _said(
        "[00:00:01] Sébastien Roy: Je peux faire une permanence téléphonique pendant la saisie.\n"
        "[00:00:09] Paul Girard: Oui, très bien, fais-le. Et envoie un petit tutoriel aux "
        "directeurs avant la passation.\n"
    )
    assert spoken_task(index.by_id[1].text) == ("Envoyer un petit tutoriel aux directeurs", "tu")
    assert _owner_and_due(index, "Envoyer un petit tutoriel aux directeurs", 1) == (
        "Sébastien Roy",
        "avant la passation",
    )
    # a noun at the head of a sentence is no imperative
    assert spoken_task("Ordre du jour : la vidange annuelle et le planning.") is None


def test_the_reply_dates_the_task_it_takes_on_after_correcting_itself():
    index = _said(
        "[00:00:01] Paul Girard: Mme Chevalier, il faut prévenir les collègues un mois avant. "
        "Vous pouvez préparer les courriers ?\n"
        "[00:00:08] Anne Chevalier: Alors là, pour février, il faut que les premiers courriers "
        "partent début janvier. Je les prépare pendant les vacances... non, je plaisante, je les "
        "prépare la semaine de la rentrée.\n"
    )
    assert _owner_and_due(index, "Préparer les courriers", 0) == (
        "Anne Chevalier",
        "la semaine de la rentrée",
    )


def test_asking_a_named_party_on_the_meetings_behalf_is_a_task():
    assert spoken_task(
        "Alors on le fait au collège. Je demande au principal, je le vois jeudi."
    ) == (
        "Demander au principal",
        "je",
    )
    assert spoken_task("Je demande à voir.") is None


def test_validated_with_a_colon_states_the_decision_and_one_persons_ok_is_not_one():
    from summarizer.pipeline import decision_as_said

    index = _said(
        "[00:00:01] Anne Robin: Je propose une cellule de veille mensuelle.\n"
        "[00:00:06] Paul Girard: Alors validé : cellule de veille mensuelle, pas le lundi. Mme "
        "Robin, vous préparez une fiche de saisine pour les écoles ? Pour fin janvier ?\n"
        "[00:00:14] Anne Robin: Fin janvier, d'accord.\n"
    )
    said = decision_as_said(index, 1)
    assert said is not None
    assert said["decision"] == "Cellule de veille mensuelle, pas le lundi (validé)."
    assert isinstance(check_decision(said, index), Decision)
    by_one = check_decision(
        {"decision": "Anne Robin a validé la cellule de veille mensuelle.", "segments": [2]}, index
    )
    assert isinstance(by_one, Unverified)


def test_leur_after_a_service_named_in_the_turn_names_it():
    assert spoken_task(
        "Et le site, c'est le service communication de la préfecture qui le gère, je leur écris."
    ) == ("Écrire au service communication de la préfecture", "je")


def test_the_course_the_chair_sets_on_a_point_before_handing_out_the_work_is_a_decision():
    from summarizer.reading import recap_then_request

    index = _said(
        "[00:00:01] Paul Roux: On a trois cents titres dans le coffre, une centaine depuis plus "
        "de trois mois.\n"
        "[00:00:08] Anne Garnier: Sur ceux de plus de trois mois, on fait une relance par "
        "courrier. Sophie, tu peux faire le publipostage ?\n"
    )
    assert recap_then_request(index, 1) == (
        "Sur ceux de plus de trois mois, on fait une relance par courrier.",
        [1],
    )


def test_what_follows_from_a_choice_with_ca_as_subject_is_no_task():
    index = _said(
        "[00:00:01] Paul Roux: Moi je proposerais d'ouvrir le mercredi après-midi sans "
        "rendez-vous. Ça videra le coffre en même temps.\n"
    )
    follows = check_action({"task": "Vider le coffre en même temps", "segments": [0]}, index)
    assert isinstance(follows, Unverified)
    assert "conséquence" in follows.reason


def test_a_turn_ends_where_the_next_begins_in_unpunctuated_text():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] SPEAKER_00: sur ceux de plus de trois mois on fait une relance par courrier "
        "sophie tu peux faire le publipostage\n"
        "[00:00:06] SPEAKER_01: alors moi honnêtement en janvier je n'aurai pas le temps\n"
        "[00:00:12] SPEAKER_02: je le prends j'ai déjà les adresses dans l'extraction je le fais "
        "avant le quinze janvier\n"
    )
    said = task_as_said(index, 2)
    assert said is not None and said["task"] == "Faire le publipostage"


def test_the_name_of_whom_a_request_addresses_run_on_at_the_end_of_a_task_is_dropped():
    index = _said(
        "[00:00:01] SPEAKER_00: alors on lance l'audit en février dr martin vous préparez la "
        "grille avant fin janvier\n"
        "[00:00:06] SPEAKER_01: avant fin janvier entendu\n"
        "[00:00:09] Paul Martin: oui\n"
    )
    action = check_action(
        {"task": "lancer l'audit en février dr martin", "segments": [0, 1]}, index
    )
    assert not isinstance(action, Unverified), action.reason
    assert action.task == "lancer l'audit en février"
    kept = check_action({"task": "Préparer la grille avec Paul Martin", "segments": [0]}, index)
    assert not isinstance(kept, Unverified), kept.reason
    assert kept.task == "Préparer la grille avec Paul Martin"


def test_a_date_given_as_a_reason_or_a_consequence_is_not_the_deadline():
    assert deadline_of("Oui, d'ici mardi, comme ça ils partent avant les congés.") == "d'ici mardi"
    assert deadline_of("oui d'ici mardi comme ça ils partent avant les congés") == "d'ici mardi"
    assert (
        deadline_of("Il me faut le jeudi 9, parce que la salle est prise le lundi et le mardi.")
        == "le jeudi 9"
    )
    task = spoken_task(
        "Pour le camion, tu le signales au garage tout de suite, parce que demain vous en avez "
        "besoin."
    )
    assert task is not None and "parce" not in task[0] and task[0].startswith("Signaler")


def test_a_weekday_with_its_date_is_one_deadline_and_last_saturday_is_none():
    said = "Je dépose le rapport sur la plateforme le mardi 14 au plus tard."
    assert deadline_of(said) == "le mardi 14"
    assert spoken_task(said) == ("Déposer le rapport sur la plateforme", "je")
    assert stated_deadlines("La panne de samedi dernier, je la signale.") == []
    assert (
        deadline_of("On se retrouve lundi 8 heures.") == "lundi 8 heures"
    )  # the hour said with it


def test_later_today_and_a_lead_time_are_deadlines_but_not_earlier_today():
    assert deadline_of("Je les transmets à Paul tout à l'heure.") == "tout à l'heure"
    assert stated_deadlines("Comme je disais tout à l'heure, le budget est serré.") == []
    assert (
        deadline_of(
            "Envoyez-les au secrétariat deux semaines avant, qu'ils partent avec la convocation."
        )
        == "deux semaines avant"
    )
    # a lead time before something unnamed counts only when nothing else is said
    assert deadline_of("fin mars le service veut les textes trois semaines avant") == "fin mars"
    # what has happened, said with a feminine participle; what lies ahead, unpunctuated
    assert stated_deadlines("La dernière fois, on l'a sue deux jours avant.") == []
    assert deadline_of("je l'ai reçue hier je fais l'extraction demain") == "demain"


def test_a_bodys_meeting_of_a_month_and_the_occasion_answered_are_deadlines():
    assert deadline_of("J'en parlerai à la commission de mai.") == "à la commission de mai"
    assert deadline_of("J'envoie une note avant le comité de pilotage.") == (
        "avant le comité de pilotage"
    )
    index = _said(
        "[00:00:01] Anne Roy: Je ferai les badges.\n"
        "[00:00:04] Paul Morin: Merci. Pour quand ?\n"
        "[00:00:07] Anne Roy: Pour la réunion des bénévoles, comme ça on les distribue là.\n"
    )
    assert _owner_and_due(index, "Faire les badges", 0) == (
        "Anne Roy",
        "Pour la réunion des bénévoles",
    )


def test_whoever_takes_the_task_on_has_the_last_word_on_when():
    # a date put to them after they took it on
    index = _said(
        "[00:00:01] Anne Roy: Je prépare les attestations, mais il me faut la liste définitive.\n"
        "[00:00:06] Paul Morin: Vous l'aurez lundi. Donc les attestations, avant la fin du mois ?\n"
        "[00:00:11] Anne Roy: Avant la fin du mois, oui, c'est faisable.\n"
    )
    assert _owner_and_due(index, "Préparer les attestations", 0) == (
        "Anne Roy",
        "Avant la fin du mois",
    )
    # their own date against the one asked
    index = _said(
        "[00:00:01] Anne Roy: Je peux mettre le planning en ligne.\n"
        "[00:00:04] Paul Morin: Oui, mettez-le en ligne d'ici la fin de la semaine si possible.\n"
        "[00:00:09] Anne Roy: D'ici jeudi, c'est faisable.\n"
    )
    assert _owner_and_due(index, "Mettre le planning en ligne", 0) == ("Anne Roy", "D'ici jeudi")
    # the other side names a date after the reply, the owner agrees to it
    index = _said(
        "[00:00:01] Paul Morin: Vous pourriez me rédiger une synthèse ?\n"
        "[00:00:04] Anne Roy: Oui, je vous envoie une synthèse avant le comité.\n"
        "[00:00:09] Paul Morin: Le comité, c'est le 20 mai. Si je l'ai pour le 12 mai, c'est "
        "parfait.\n"
        "[00:00:15] Anne Roy: Le 12 mai, d'accord.\n"
    )
    assert _owner_and_due(index, "Envoyer une synthèse", 1) == ("Anne Roy", "Le 12 mai")


def test_the_clause_or_sentence_that_says_the_task_gives_its_deadline():
    from summarizer.verify import _clause_deadline

    index = _said(
        "[00:00:01] Anne Roy: Je vous envoie les fiches la semaine prochaine, et je les reverrai "
        "après la réunion de mi-juin.\n"
    )
    assert _owner_and_due(index, "Envoyer les fiches", 0) == ("Anne Roy", "la semaine prochaine")
    # unpunctuated, a negated clause runs into the task's: no guess
    assert (
        _clause_deadline(
            "je ne demande pas de décision aujourd'hui je ferai une note et on en reparlera au "
            "conseil de mai",
            "Faire une note",
        )
        is None
    )
    # the same verb with another object in the next sentence is another task
    index = _said(
        "[00:00:01] Anne Roy: Je demanderai au service juridique de relire la convention. Paul, "
        "vous pourriez demander trois devis ?\n"
        "[00:00:06] Paul Morin: Oui, je contacte trois entreprises d'ici la fin du mois.\n"
    )
    assert _owner_and_due(index, "Demander au service juridique de relire la convention", 0) == (
        "Anne Roy",
        None,
    )
    # ... but not a pronoun taking the object up
    index = _said(
        "[00:00:01] Anne Roy: Le bilan doit être présenté au bureau. Thomas, tu peux le présenter "
        "au bureau de juin ?\n"
        "[00:00:06] Thomas Petit: Oui.\n"
    )
    assert _owner_and_due(index, "Présenter le bilan", 0) == ("Thomas Petit", "au bureau de juin")


def test_saying_the_verb_asked_or_hearing_an_imperative_takes_the_task_on():
    from summarizer.text import is_request

    index = _said(
        "[00:00:01] Anne Roy: M. Roux, vous pouvez demander à la trésorerie s'il reste des "
        "crédits ?\n"
        "[00:00:06] Paul Roux: Je demande, oui. Cette semaine.\n"
    )
    assert _owner_and_due(index, "Demander à la trésorerie", 0) == ("Paul Roux", "Cette semaine")
    index = _said(
        "[00:00:01] Anne Roy: Bien sûr. Envoyez-les à Claire une semaine avant, qu'ils partent "
        "avec la convocation.\n"
        "[00:00:06] Paul Roux: Entendu.\n"
    )
    assert _owner_and_due(index, "Envoyer les chiffres à Claire", 0) == (
        "Paul Roux",
        "une semaine avant",
    )
    assert not is_request("Oui, faites ça.")
    assert spoken_task("Julie, vous refaites le planning ?") == ("Refaire le planning", "tu")


def test_tu_with_a_verb_in_iens_asks_and_remembering_or_keeping_informed_does_not():
    assert spoken_task(
        "Va pour jeudi. Et on range aussi la réserve. Paul, tu préviens les familles par mail "
        "aujourd'hui ?"
    ) == ("Prévenir les familles par mail", "tu")
    assert spoken_task("Tu tiens le registre des visites ?") == (
        "Tenir le registre des visites",
        "tu",
    )
    assert spoken_task("Tu te souviens de la date du contrôle ?") is None
    assert spoken_task("Tu viens à la réunion demain ?") is None
    assert spoken_task("Je le propose au maire. Je vous tiens au courant.") != (
        "Tenir au courant",
        "tu",
    )


def test_more_ways_a_deadline_is_said():
    assert deadline_of("Oui, je les pose la veille, le 17 au matin, comme d'habitude.") == (
        "le 17 au matin"
    )
    assert deadline_of("Je fais l'analyse dans la foulée.") == "dans la foulée"
    assert deadline_of("Vous envoyez le dossier au moins cinq jours francs avant.") == (
        "au moins cinq jours francs avant"
    )
    assert deadline_of("Je fais une fiche argumentée pour le dialogue de printemps.") == (
        "pour le dialogue de printemps"
    )
    assert deadline_of("Je les relancerai au prochain conseil de la formation.") == (
        "au prochain conseil de la formation"
    )
    # a meeting a point is put off to counts only when no other date is said
    assert (
        deadline_of(
            "on renvoie à la prochaine séance le secrétariat vous enverra un sondage cette semaine"
        )
        == "cette semaine"
    )
    # said again more precisely
    assert deadline_of(
        "Vous refaites les fiches ? Avant les inscriptions, donc avant fin avril."
    ) == ("avant fin avril")


def test_a_deadline_said_alone_before_the_task_or_in_the_sentence_that_calls_it_one():
    index = _said(
        "[00:00:01] Paul Morin: Donc les appels quotidiens, ça commence quand ?\n"
        "[00:00:04] Anne Roy: Dès demain matin. Je lance les appels à neuf heures.\n"
    )
    assert _owner_and_due(index, "Lancer les appels", 1) == ("Anne Roy", "Dès demain matin")
    index = _said(
        "[00:00:01] Paul Morin: M. Diallo, vous lancez la commande des deux véhicules ?\n"
        "[00:00:04] Marc Diallo: Oui, je la lance.\n"
        "[00:00:07] Anne Roy: Attention, la date limite de dépôt, c'est le 20 novembre. Après, "
        "la commande glisse sur l'année prochaine.\n"
    )
    assert _owner_and_due(index, "Lancer la commande des deux véhicules", 0) == (
        "Marc Diallo",
        "le 20 novembre",
    )


def test_calling_back_or_restating_the_task_with_a_date_settles_when():
    assert commits_self("Je les rappelle demain matin.")
    assert not commits_self("Je rappelle que la séance est publique.")
    assert not commits_self("Je préférerais qu'il vienne nous le présenter à la prochaine séance.")
    index = _said(
        "[00:00:01] Anne Roy: Pour les deux écoles, je peux appeler les directeurs.\n"
        "[00:00:05] Paul Morin: Oui, faites-le. Avant les vacances, si possible.\n"
        "[00:00:08] Anne Roy: Je les appelle cette semaine.\n"
    )
    assert _owner_and_due(index, "Appeler les directeurs", 0) == ("Anne Roy", "cette semaine")
    # a date given to the next request is not the offered task's
    index = _said(
        "[00:00:01] Anne Roy: Je peux faire une permanence téléphonique les après-midis.\n"
        "[00:00:05] Paul Morin: Oui, fais-le. Et envoie un tutoriel aux écoles avant la "
        "passation.\n"
        "[00:00:09] Anne Roy: Je l'envoie la semaine du 18 janvier.\n"
    )
    assert _owner_and_due(index, "Faire une permanence téléphonique", 0) == ("Anne Roy", None)


def test_a_requests_date_goes_with_what_it_asks_not_with_another_task_or_its_own():
    # the request's date is for the speaker's own work, not for what is asked
    index = _said(
        "[00:00:01] Marc Diallo: Oui, je les pose la veille, le 17 au matin. Il me faut les "
        "arrêtés, par contre.\n"
        "[00:00:05] Anne Roy: L'arrêté est signé, je te le transfère après le briefing.\n"
    )
    # (its own "après le briefing" is)
    assert _owner_and_due(index, "Transférer l'arrêté", 1) == ("Anne Roy", "après le briefing")
    # the reply takes on another task than the one asked
    index = _said(
        "[00:00:01] Paul Morin: Mme Roy, vous refaites les fiches ? Avant fin avril.\n"
        "[00:00:05] Anne Roy: Oui. Par contre le paramétrage, ce n'est pas moi, c'est le service "
        "informatique. Je leur transmets la délibération.\n"
    )
    assert _owner_and_due(index, "Transmettre la délibération au service informatique", 1) == (
        "Anne Roy",
        None,
    )


def test_sortir_is_read_in_the_second_person():
    assert spoken_task("Dr Roy, vous me sortez les chiffres du trimestre ?") == (
        "Sortir les chiffres du trimestre",
        "tu",
    )
    assert spoken_task("Tu sors la liste des entreprises ?") == (
        "Sortir la liste des entreprises",
        "tu",
    )


def test_the_object_of_a_pronoun_comes_from_the_question_before_not_from_a_purpose():
    # "le" stands for what the question asked, the self-reference and the deadline left out
    assert spoken_task(
        "Je le fais, moi, demain matin, avant la tournée.", "Bien. Qui peut faire le relevé ?"
    ) == ("Faire le relevé", "je")
    # "les" is what is needed, not the object of what it is needed for
    assert spoken_task(
        "Il me faut les bilans par classe pour refaire les groupes. Vous pouvez me les envoyer ?"
    ) == ("Envoyer les bilans", "tu")
    # a possessive names the antecedent too
    assert spoken_task(
        "Je vous les transmets ce soir.", "Je corrige, si M. Roy me renvoie ses remarques."
    ) == ("Transmettre ses remarques", "je")
    # people put at the head of the question before
    assert spoken_task(
        "Un report au mois prochain. Paul, tu les préviens ?",
        "Et les quatre familles, on leur dit quoi ?",
    ) == ("Prévenir les quatre familles", "tu")


def test_a_party_asked_whether_it_can_do_the_work_is_its_owner():
    assert spoken_task("D'accord. Le secrétariat peut envoyer la convocation aux parents ?") == (
        "Envoyer la convocation aux parents",
        "Le secrétariat",
    )
    # the one addressed answers for the party named
    assert spoken_task("Karim, la DSI peut ouvrir les accès avant lundi ?") == (
        "Ouvrir les accès",
        "Karim",
    )
    # a rule checked, a statement of what is possible: no task
    assert spoken_task("Le président peut désigner un suppléant, non ?") is None
    assert (
        spoken_task("Le service peut envoyer des rappels, c'est prévu par la convention.") is None
    )
    assert commitment_segments(
        _said("[00:00:01] Anne Roy: Oui, on s'en charge.\n").transcript.segments
    )


def test_what_is_checked_and_when_the_answer_comes_back():
    assert spoken_task("De mon côté, je vérifie si on peut décaler la livraison à mardi.") == (
        "Vérifier si on peut décaler la livraison à mardi",
        "je",
    )
    assert spoken_task("Je regarde si c'est possible, d'ici vendredi.") == (
        "Regarder si c'est possible",
        "je",
    )
    index = _said(
        "[00:00:01] Marc Diallo: Je regarde si la salle est libre le soir. Je vous dis ça jeudi.\n"
    )
    assert _owner_and_due(index, "Regarder si la salle est libre le soir", 0) == (
        "Marc Diallo",
        "jeudi",
    )


def test_dates_that_are_not_the_tasks_deadline():
    # the date of the answers asked for, not of the mail
    assert deadline_of("Oui, envoie-le ce matin, avec un retour pour vendredi.") == "ce matin"
    # when the work may start
    assert stated_deadlines("Je veux bien la rédiger. Mais pas avant mars, hein.") == []
    assert deadline_of("Je vous prépare une note pour la prochaine plénière.") == (
        "pour la prochaine plénière"
    )
    # a meeting named by its date is the deadline as a whole
    assert deadline_of("Je vous fais ça pour la réunion de jeudi prochain.") == (
        "pour la réunion de jeudi prochain"
    )


def test_an_offer_let_go_ahead_is_a_task():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Anne Roy: Je peux au moins aller voir le directeur, pour garder le lien ?\n"
        "[00:00:05] Paul Morin: Oui, fais ça.\n"
    )
    found = task_as_said(index, 0)
    assert found is not None and found["task"].startswith("Aller voir le directeur")
    index = _said(
        "[00:00:01] Anne Roy: Je peux demander que les mesures soient publiées, sans "
        "garantie.\n"
        "[00:00:05] Paul Morin: Essayez, en tout cas. Point suivant.\n"
    )
    found = task_as_said(index, 0)
    assert found is not None and found["task"].startswith("Demander que les mesures")
    assert commits_self("Je veux bien l'animer, mais plutôt le 13.")
    assert commits_self("Je veux bien préparer la note.")


def test_a_volunteer_set_off_by_moi_needs_no_yes_and_a_modal_needs_work_after_it():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Anne Roy: Et moi je peux écrire au syndicat, je connais le secrétaire.\n"
        "[00:00:05] Paul Morin: Point suivant, le budget.\n"
    )
    found = task_as_said(index, 0)
    assert found is not None and found["task"] == "Écrire au syndicat"
    # an offer to put an idea forward is not work
    index = _said(
        "[00:00:01] Anne Roy: Moi je peux proposer une chose : un planning partagé.\n"
        "[00:00:05] Paul Morin: Point suivant, le budget.\n"
    )
    assert task_as_said(index, 0) is None
    assert spoken_task("M. Roy, vous voudriez travailler dessus avec le service ?") == (
        "Travailler dessus avec le service",
        "tu",
    )
    assert spoken_task("M. Roy, vous pouvez déjà noter la date ?") == ("Noter la date", "tu")
    assert spoken_task("Vous voudriez un café ?") is None
    # a possibility, not a request
    assert spoken_task("Si c'est infructueux, vous pourrez peut-être négocier.") is None


@pytest.mark.parametrize(
    "said, decided",
    [
        # the point goes to another meeting, dated or not: nothing is decided
        ("Alors on fait comme ça : on inscrit un point budget à la séance de mai.", False),
        ("Le dossier est ajourné au prochain comité, en mars.", False),
        # a vote beside it, a date moved: decided
        (
            "Les deux premiers dossiers sont adoptés à l'unanimité, le troisième est reporté au "
            "prochain conseil.",
            True,
        ),
        ("Le marché nocturne est annulé et reporté en septembre, c'est décidé.", True),
        # a choice recalled with its year
        ("Le schéma a été approuvé en 2019, et l'évaluation recommande de le réviser.", False),
        ("Le budget a été approuvé à l'unanimité.", True),
    ],
)
def test_a_point_sent_to_another_meeting_or_recalled_from_a_past_year_is_no_decision(
    said: str, decided: bool
):
    index = _said(f"[00:00:01] Anne Roy: {said}\n")
    result = check_decision({"decision": said, "segments": [0]}, index)
    assert isinstance(result, Decision) == decided, getattr(result, "reason", result)


def test_a_choice_made_by_another_body_is_not_this_meetings():
    assert not states_decision("Le lieu, il est fixé par l'arrêté préfectoral.")
    assert not states_decision(
        "La charte est adoptée par la commission de la recherche, pas par nous."
    )
    assert states_decision("La charte est adoptée à l'unanimité.")


def test_a_pronoun_after_an_offer_in_the_same_turn_stands_for_the_offered_work():
    assert spoken_task(
        "Je peux relancer les trois fournisseurs pour les devis. Je le fais avant vendredi."
    ) == ("Relancer les trois fournisseurs pour les devis", "je")
    assert spoken_task(
        "Et je peux vous transmettre les relevés de 2025, par secteur. Je vous les envoie demain."
    ) == ("Transmettre les relevés de 2025, par secteur", "je")
    assert spoken_task("Je vais voir avec le syndicat s'il y a moyen de les financer.") == (
        "Voir avec le syndicat s'il y a moyen de les financer",
        "je",
    )


def test_lui_stands_for_the_person_the_turn_before_named():
    assert spoken_task(
        "D'accord. Je lui écris ce soir, alors.",
        "Je ne peux pas. Il vaut mieux voir directement avec M. Lopes.",
    ) == ("Écrire à M. Lopes", "je")


def test_moi_after_the_verb_is_who_not_what_in_unpunctuated_text():
    assert spoken_task(
        "je le fais moi demain matin avant la tournée", "d'accord qui peut faire le relevé"
    ) == ("Faire le relevé", "je")


@pytest.mark.parametrize(
    "said",
    [
        "Je siège à la commission culture, vous savez.",
        "Je salue M. Carpentier, directeur de la centrale.",
        "Bon, je dois y aller, pour mon train.",
        "Vous vouliez dire quelque chose ?",
    ],
)
def test_no_work_is_read_from_being_there_greeting_or_leaving(said: str):
    from summarizer.pipeline import task_as_said

    index = _said(f"[00:00:01] Anne Roy: {said}\n[00:00:05] Paul Morin: Oui.\n")
    found = task_as_said(index, 0)
    assert found is None or isinstance(check_action(found, index), Unverified)


def test_a_vote_called_and_counted_in_one_turn_adopts_the_item_opened_before():
    from summarizer import summarize

    t = parse_clerk_text(
        "[00:00:01] Paul Morin: Premier dossier, la rénovation du lavoir. Madame Roy.\n"
        "[00:00:05] Anne Roy: Coût total quarante mille euros, subvention demandée vingt mille.\n"
        "[00:00:12] Marc Diallo: Et l'entretien, qui le paie ?\n"
        "[00:00:16] Anne Roy: La commune, c'est prévu au budget.\n"
        "[00:00:20] Paul Morin: Qui est contre ? Personne. Qui s'abstient ? M. Diallo. Donc "
        "adopté, huit voix pour, une abstention.\n"
        "[00:00:30] Paul Morin: Je le mets au vote. Qui est contre ? Unanimité : trente mille "
        "euros pour la halle. Deuxième dossier, le festival d'été.\n"
        "[00:00:40] Anne Roy: Le département n'a pas encore délibéré.\n"
        "[00:00:45] Paul Morin: Qui est contre ? Personne. Adopté.\n"
        "[00:00:50] Anne Roy: Attention, sans la délibération du département, ce n'est pas "
        "possible.\n"
        "[00:00:55] Paul Morin: Dans ce cas, on annule ce vote. Le dossier est ajourné.\n"
    )

    class No:
        name, context_tokens = "no", 32000

        def complete_json(self, messages, schema, *, max_tokens):
            return {"summary": "", "kind": "information ou avis"}

    minutes = summarize(t, backend=No(), steps=("decisions",))
    texts = [d.text for d in minutes.decisions]
    assert "La rénovation du lavoir : adopté." in texts
    assert "Trente mille euros pour la halle : adopté à l'unanimité." in texts
    # the vote annulled later is among the points to check, not in the decisions
    assert not any("festival" in x for x in texts)
    assert any("festival" in u.text for u in minutes.to_check)


def test_a_deadline_said_of_someone_elses_work_or_of_what_the_work_is_for_is_not_the_tasks():
    from summarizer.verify import _task_deadline

    # a third party's task in the next sentence, about the same documents
    assert (
        _task_deadline(
            "Je rappelle le bureau d'études pour les relevés. Et le greffe enverra ces relevés "
            "au tribunal d'ici la fin du mois.",
            "Rappeler le bureau d'études pour les relevés",
        )
        is None
    )
    # what the work is for has its own date
    assert deadline_of("Je vous les transmets en mars, pour une inspection en mai.") == "en mars"
    assert deadline_of("Je passerai un matin de la semaine prochaine.") == (
        "un matin de la semaine prochaine"
    )


def test_a_date_in_a_refusal_does_not_date_the_work_that_follows():
    from summarizer.verify import _task_deadline

    assert (
        _task_deadline(
            "Je ne peux pas m'engager ce matin, il faut que j'en parle avec la trésorière.",
            "Parler avec la trésorière",
        )
        is None
    )
    # an acceptance is no refusal
    assert _task_deadline("Pas de souci pour jeudi, je vous l'envoie.", "Envoyer le devis") == (
        "pour jeudi"
    )


def test_a_weekday_said_of_every_week_or_as_a_subject_is_not_a_deadline():
    assert stated_deadlines("Le mardi, je suis au siège, c'est compliqué.") == []
    assert stated_deadlines("Je vais demander que le 8 mai soit inscrit au bureau.") == []
    # a named evening before an event is one
    assert stated_deadlines("Je mets deux agents le jeudi soir pour le gymnase.") == [
        "le jeudi soir"
    ]


def test_what_was_settled_before_a_request_does_not_date_it():
    from summarizer.verify import _asking_part

    assert _asking_part(
        "Bon, on retient le jeudi 4 juin, place du marché. Mme Lenoir, pour les affiches ?"
    ).strip() == ("Mme Lenoir, pour les affiches ?")


def test_the_owners_counter_offer_to_a_deadline_set_after_the_fact_wins():
    from summarizer.verify import resolve_due

    index = _said(
        "[00:00:01] Lucie Marin: Il y a peut-être une erreur. Je vous prépare une note, avec "
        "les plans.\n"
        "[00:00:10] Paul Roche: Il me faudrait ça demain, si possible.\n"
        "[00:00:20] Lucie Marin: Demain, ça va être juste. Je peux vous la donner pour "
        "mercredi.\n"
        "[00:00:30] Paul Roche: Mercredi, ça ira.\n"
    )
    assert resolve_due(None, [0], index, [], "Préparer une note, avec les plans") == (
        "pour mercredi"
    )
    # the requester's own deadline, given after the acceptance, with nothing against it
    index = _said(
        "[00:00:01] Paul Roche: Vous pouvez me chiffrer les barrières ?\n"
        "[00:00:10] Lucie Marin: Oui, je le fais.\n"
        "[00:00:20] Paul Roche: Merci. Il me faudrait tout ça pour lundi.\n"
    )
    assert resolve_due(None, [0], index, [], "Chiffrer les barrières") == "pour lundi"


def test_the_speakers_own_work_after_agreeing_a_date_for_anothers_is_not_dated_by_it():
    from summarizer.verify import resolve_due

    index = _said(
        "[00:00:01] Paul Roche: Jeanne, tu rédiges la convention ?\n"
        "[00:00:10] Jeanne Vidal: D'ici mardi, ça te va ?\n"
        "[00:00:20] Paul Roche: Mardi, c'est parfait. Et moi, je préviendrai le président.\n"
    )
    assert resolve_due(None, [2], index, [], "Prévenir le président") is None


def test_a_pronoun_after_a_past_modal_is_not_a_noun_phrase():
    from summarizer.text import _antecedent

    assert _antecedent("Il reste le dossier Martin. Si quelqu'un pouvait la reprendre", "la") != (
        "la reprendre"
    )


def test_a_month_or_a_day_inside_a_longer_word_is_no_date():
    assert stated_deadlines("il faut le déposer en mairie avant tout") == []
    assert stated_deadlines("les mardis, c'est réunion de service") == []
    assert stated_deadlines("Je le dépose en mai.") == ["en mai"]


def test_fears_and_things_described_by_an_old_vote_are_no_decisions():
    from summarizer.verify import states_decision

    assert not states_decision("Alors on risque de perdre la salle. Je préfère ne pas y penser.")
    assert not states_decision(
        "Ce n'est pas moi qui tranche : le tarif est fixé par le règlement, voté en conseil "
        "syndical."
    )
    # sticking to a choice settles it
    assert states_decision("Je vous entends. Donc on reste sur neuf heures, place de l'église.")


def _decisions_read_in_code(lines: str) -> list[str]:
    """The decisions of ``lines`` when the model answers no to every candidate turn."""
    from benchmarks.bench_minutes import RulesOnlyBackend
    from summarizer import summarize

    minutes = summarize(parse_clerk_text(lines), backend=RulesOnlyBackend(), steps=("decisions",))
    return [d.text for d in minutes.decisions]


def test_a_point_summed_up_and_put_to_everyone_then_assented_to_is_a_decision():
    texts = _decisions_read_in_code(
        "[00:00:01] Claire Dumas: Pendant les travaux, qui prend les permanences du jeudi ?\n"
        "[00:00:08] Yanis Bert: Moi, le matin. L'après-midi, je ne peux pas.\n"
        "[00:00:15] Claire Dumas: Le directeur voulait quelqu'un toute la journée, mais je lui "
        "dirai. Donc Yanis le jeudi matin, et Léa le jeudi après-midi. Ça convient à tout le "
        "monde ?\n"
        "[00:00:25] Léa Morin: Oui.\n"
        "[00:00:28] Claire Dumas: Point suivant, le budget.\n"
    )
    assert any("Yanis le jeudi matin" in x for x in texts), texts
    assert not any("directeur" in x for x in texts), texts


def test_a_day_agreed_then_moved_to_another_is_superseded():
    texts = _decisions_read_in_code(
        "[00:00:01] Marc Roy: La fête du club. Je propose le samedi six juin, au gymnase. Ça "
        "convient à tout le monde ?\n"
        "[00:00:10] Inès Fabre: Ça me va.\n"
        "[00:00:14] Paul Henry: Attention, le gymnase est pris le six, il est libre le treize.\n"
        "[00:00:20] Marc Roy: Eh bien va pour le samedi treize juin.\n"
    )
    assert not any("six juin" in x for x in texts), texts
    assert any("treize juin" in x for x in texts), texts


def test_a_choice_put_to_the_vote_again_in_place_of_another_is_superseded():
    texts = _decisions_read_in_code(
        "[00:00:01] Anne Roux: Alors on vote : journée portes ouvertes le samedi sept mars. Qui "
        "est pour ? Adopté à l'unanimité.\n"
        "[00:00:12] Luc Blanc: Je reviens sur les portes ouvertes : le sept mars, la salle est "
        "prise par le club.\n"
        "[00:00:20] Anne Roux: Alors je remets au vote : le samedi quatre avril à la place du sept "
        "mars. Qui est contre ? Personne. C'est adopté.\n"
    )
    assert not any("sept mars" in x and "place" not in x for x in texts), texts
    assert any("quatre avril" in x for x in texts), texts


def test_a_choice_said_again_negated_is_superseded():
    texts = _decisions_read_in_code(
        "[00:00:01] Hélène Part: Bon, on ferme les commentaires, alors.\n"
        "[00:00:06] Inès Vial: Je ne suis pas sûre : les gens le prendront comme un aveu.\n"
        "[00:00:12] Hélène Part: Ok. Alors on ne ferme pas. On laisse ouvert et on répond sur le "
        "fond.\n"
    )
    assert not any("ferme les commentaires" in x for x in texts), texts


def test_going_back_on_a_choice_with_a_new_one_supersedes_it_further_on():
    texts = _decisions_read_in_code(
        "[00:00:01] Gérard Noël: Alors on part sur un traiteur pour le samedi soir.\n"
        "[00:00:05] Thierry Mas: Je peux appeler la cave coopérative pour la visite.\n"
        "[00:00:09] Anke Voss: Et je traduis le programme.\n"
        "[00:00:13] Gérard Noël: Très bien. Odile, le budget ?\n"
        "[00:00:17] Odile Faure: Le devis du traiteur : trente-deux euros par personne.\n"
        "[00:00:22] Bernard Petit: C'est plus de la moitié du budget !\n"
        "[00:00:26] Odile Faure: Et on n'a que trois mille euros de réserve.\n"
        "[00:00:30] Gérard Noël: Bon. Alors on revient sur le traiteur : on fait le repas "
        "nous-mêmes, avec les bénévoles. Qui est pour ? Adopté à l'unanimité.\n"
    )
    assert not any("un traiteur pour le samedi" in x for x in texts), texts
    assert any("repas nous-mêmes" in x for x in texts), texts


def test_a_vote_result_followed_by_last_years_accounts_still_carries():
    from summarizer.verify import settled

    assert "adopte" in settled(
        "Qui est pour ? Adopté. Et Yanis, les comptes de l'an dernier, vous nous les présentez."
    )
    assert "adopte" not in settled("Ça a été adopté par la CME l'an dernier.")


def test_a_request_presented_to_the_meeting_is_not_a_point_settled():
    from summarizer.reading import settled_by_chair

    assert settled_by_chair("Euh, alors on demande une subvention de quatre cents euros.") is None


def test_once_something_is_over_is_a_deadline_not_the_afternoon_nor_after_the_meeting():
    assert stated_deadlines("Je les relancerai après les vacances.") == ["après les vacances"]
    assert stated_deadlines("Je rappellerai le secrétaire de mairie après leur conseil.") == [
        "après leur conseil"
    ]
    assert stated_deadlines("les convocations partent juste après les fêtes") == [
        "juste après les fêtes"
    ]
    assert stated_deadlines("on met le mercredi après midi sur rendez vous") == []
    assert stated_deadlines("Je fais un ticket aujourd'hui, après la réunion.") == ["aujourd'hui"]


def test_a_deadline_keeps_its_hour_its_event_s_day_and_a_body_s_next_meeting():
    assert stated_deadlines("Je peux l'avoir pour demain dix heures, si j'ai le diagnostic.") == [
        "pour demain dix heures"
    ]
    assert stated_deadlines("le BAT part chez l'imprimeur jeudi midi") == ["jeudi midi"]
    assert stated_deadlines("qu'ils l'aient avant la commission des admissions de vendredi.") == [
        "avant la commission des admissions de vendredi"
    ]
    assert stated_deadlines("vous nous les présentez au prochain CVL, sans faute.") == [
        "au prochain CVL"
    ]


def test_a_commission_s_counted_opinion_is_its_decision_favourable_or_not():
    texts = _decisions_read_in_code(
        "[00:00:01] Anne Roux: D'autres questions ? Non. Alors on passe au vote. Qui est "
        "favorable au projet ?\n"
        "[00:00:09] Anne Roux: Sept. Qui est contre ?\n"
        "[00:00:14] Anne Roux: C'est noté. Qui s'abstient ? M. Tessier. Donc sept pour, un "
        "contre, une abstention : avis favorable pour l'extension de Saint-Aubin.\n"
        "[00:00:30] Anne Roux: Bien. On passe au vote sur les Gravières. Qui est pour ?\n"
        "[00:00:36] Anne Roux: Un, deux… six contre. Abstention ? M. Delmas. Donc deux pour, six "
        "contre, une abstention. L'avis de la commission est défavorable.\n"
    )
    assert any("Saint-Aubin : avis favorable" in x for x in texts), texts
    assert any("Gravières : avis défavorable" in x for x in texts), texts
    assert not any("adopté" in x for x in texts), texts


def test_what_today_holds_is_no_deadline_and_talk_turning_to_another_thing_splits_clauses():
    from summarizer.verify import _clause_deadline

    assert stated_deadlines("alors aujourd'hui on a trois votes qui prend le compte rendu") == []
    assert stated_deadlines("je vous l'envoie aujourd'hui") == ["aujourd'hui"]
    # the first clause's date is its own
    assert (
        _clause_deadline(
            "oui je le fais avant les fêtes et pour les horaires je leur envoie un mail",
            "Faire l'affichage",
        )
        == "avant les fêtes"
    )


def test_a_sentence_that_opens_with_the_date_adds_it_to_the_task_before_it():
    index = _said(
        "[00:00:01] Mme Besson: Et moi je prends rendez-vous avec la cadre sage-femme de la "
        "maternité pour caler le circuit. La semaine prochaine, si elle est disponible.\n"
    )
    assert _owner_and_due(index, "Prendre rendez-vous avec la cadre sage-femme", 0) == (
        "Mme Besson",
        "La semaine prochaine",
    )
    # a date put to another, for another thing, is not the task's
    index = _said(
        "[00:00:01] Damien Roy: Oui, mais il me faudrait le plan des locaux à jour.\n"
        "[00:00:06] Marc Roussel: Je le demande au service bâtiments. Fin janvier pour le POSS, "
        "ça te va ?\n"
    )
    assert _owner_and_due(index, "Demander le plan des locaux au service bâtiments", 1)[1] is None


def test_a_request_by_tu_veux_bien_is_a_candidate_and_oui_je_veux_bien_takes_it_on():
    from summarizer.pipeline import _is_commitment
    from summarizer.text import opens_with_acceptance

    assert _is_commitment("deux techniciens arrivent élodie tu veux bien faire le tutorat")
    assert opens_with_acceptance("oui je veux bien par contre pas les deux sinon je ne fais rien")
    assert not opens_with_acceptance("oui je suis au courant par contre on pourrait attendre")


def test_when_someone_comes_is_no_deadline_but_what_goes_out_by_then_is():
    assert stated_deadlines("les nouveaux ils arrivent le 12 janvier élodie tu veux bien") == []
    assert stated_deadlines("Oui, il part avant midi, après validation par le cabinet.") == [
        "avant midi"
    ]


def test_a_task_that_only_stands_for_another_is_not_read_in_code():
    from summarizer.pipeline import task_as_said
    from summarizer.text import normalize

    index = _said(
        "[00:00:01] Marc Roussel: Le POSS date de 2023. Damien, vous voulez bien vous en "
        "charger ?\n"
    )
    found = task_as_said(index, 0)
    assert found is None or normalize(found["task"]) != "se charger", found


def test_an_unpunctuated_conclusion_ends_where_the_next_request_begins():
    texts = _decisions_read_in_code(
        "[00:00:01] SPEAKER_00: tout le monde est d'accord pour qu'on y fasse les visites à "
        "partir de janvier\n"
        "[00:00:06] SPEAKER_01: oui complètement\n"
        "[00:00:09] SPEAKER_00: bon c'est décidé les visites passent à la maison des familles en "
        "janvier thomas tu la rappelles la directrice pour réserver les créneaux\n"
    )
    assert any(
        x.startswith("Les visites passent à la maison des familles en janvier") for x in texts
    )
    assert not any("rappelles" in x for x in texts), texts


def test_an_unpunctuated_summing_up_put_to_everyone_and_assented_to_is_a_decision():
    texts = _decisions_read_in_code(
        "[00:00:01] SPEAKER_00: je dirais les mardis matin on n'a quasiment personne\n"
        "[00:00:06] SPEAKER_01: moi ça me va les mardis matin en janvier fermeture de la salle "
        "documentaire tout le monde est d'accord\n"
        "[00:00:12] SPEAKER_02: oui oui\n"
    )
    assert any(x.startswith("Les mardis matin en janvier fermeture") for x in texts), texts


def test_the_chair_ruling_settles_the_point_said_after_it():
    from summarizer.reading import settled_by_chair

    assert settled_by_chair(
        "écoutez je tranche on garde une ouverture le premier samedi de chaque mois"
    ).startswith("On garde une ouverture le premier samedi")


def test_an_unpunctuated_summing_up_ends_where_the_request_begins():
    from summarizer.reading import recap_then_request

    index = _said(
        "[00:00:01] SPEAKER_01: ouvrir un deuxième cours le jeudi à 19 h dans le petit bassin je "
        "peux l'animer\n"
        "[00:00:09] SPEAKER_00: bon alors deuxième cours d'aqua gym le jeudi à 19 h dans le petit "
        "bassin avec anaïs mme vasseur vous pouvez appeler les gens de la liste d'attente\n"
    )
    found = recap_then_request(index, 1)
    assert (
        found
        and found[0] == "Deuxième cours d'aqua gym le jeudi à 19 h dans le petit bassin avec anaïs."
    )


def test_a_day_agreed_then_objected_to_and_replaced_by_another_agreed_is_superseded():
    texts = _decisions_read_in_code(
        "[00:00:01] Anne Roux: Je proposais le jeudi quatorze janvier. Ça convient ?\n"
        "[00:00:08] Paul Henry: Pour moi, oui.\n"
        "[00:00:11] Anne Roux: Bon, va pour le quatorze, neuf heures trente.\n"
        "[00:00:15] Marie Vidal: Ah, attendez, le quatorze, on a avancé le conseil "
        "communautaire.\n"
        "[00:00:22] Anne Roux: Bon… alors le mardi dix-neuf ?\n"
        "[00:00:26] Paul Henry: Le dix-neuf, ça me va.\n"
    )
    assert not any("quatorze" in x for x in texts), texts


def test_an_unpunctuated_course_set_with_on_and_put_to_everyone_is_a_decision():
    texts = _decisions_read_in_code(
        "[00:00:01] SPEAKER_00: pour les protections là c'est simple la région a un dispositif "
        "c'est gratuit pour l'établissement on fait la demande pour les toilettes des filles du "
        "bâtiment a et de l'internat tout le monde est d'accord\n"
        "[00:00:12] SPEAKER_01: oui évidemment\n"
    )
    assert any(x.startswith("On fait la demande pour les toilettes") for x in texts), texts


def test_an_unpunctuated_recap_after_c_est_bien_donc_before_a_titled_name_is_read():
    from summarizer.reading import recap_then_request

    index = _said(
        "[00:00:01] SPEAKER_03: nous on peut les recevoir au centre de vaccination le mercredi "
        "après midi sans rendez vous\n"
        "[00:00:08] SPEAKER_00: c'est bien donc le rattrapage au centre de vaccination le "
        "mercredi après midi mme ben ali vous pouvez nous faire un petit flyer\n"
    )
    found = recap_then_request(index, 1)
    assert found and found[0] == "Le rattrapage au centre de vaccination le mercredi après midi."


def test_a_date_said_again_more_precisely_or_in_place_of_the_first_is_the_deadline():
    from summarizer.text import stated_deadlines

    assert deadline_of("Disons lundi, alors. Lundi matin au plus tard.") == "Lundi matin"
    assert stated_deadlines("Je l'envoie au préfet demain matin, avant neuf heures.") == [
        "demain matin, avant neuf heures"
    ]
    index = _said(
        "[00:00:01] Paul Garnier: Et moi je présente tout ça au maire… je le vois mardi en "
        "bureau municipal, mais ce sera trop tôt sans les chiffres. Disons avant le 20.\n"
        "[00:00:14] Anne Benhamou: Donc on ne décide rien ce soir.\n"
    )
    action = check_action({"task": "Présenter tout ça au maire", "segments": [0]}, index)
    assert action.due == "avant le 20"


def test_how_long_is_no_deadline_and_a_body_named_by_its_acronym_is_one():
    assert (
        deadline_of(
            "Sandrine, tu peux faire les réservations des minibus de la mairie pour les "
            "déplacements jusqu'en juin ?"
        )
        is None
    )
    assert deadline_of("Je garde l'option jusqu'à mi-février.") is None
    assert deadline_of("Et d'ici l'AG, Jean-Luc, tu peux sonder les mamans ?") == "d'ici l'AG"
    assert deadline_of("et pour l'ag je redemande un deuxième devis") == "pour l'ag"
    assert deadline_of("Je transmets pour la CAF.") is None  # a body, not its meeting


def test_the_one_who_took_the_work_on_settles_when_after_the_asker_insists():
    index = _said(
        "[00:00:01] Paul Garnier: Thierry, vous pourriez rencontrer la directrice du CCAS, et "
        "avoir le détail, ligne par ligne ?\n"
        "[00:00:10] Thierry Vidal: Oui, je la vois. Je l'appelle demain, elle est souvent en "
        "réunion.\n"
        "[00:00:18] Paul Garnier: Il nous faut ça avant la prochaine commission.\n"
        "[00:00:24] Thierry Vidal: D'ici la fin du mois, c'est faisable.\n"
    )
    action = check_action({"task": "Rencontrer la directrice du CCAS", "segments": [0]}, index)
    assert (action.owner, action.due) == ("Thierry Vidal", "D'ici la fin du mois")
    index = _said(
        "[00:00:01] Yann Bihan: Alors je vous renvoie le rapport corrigé, d'ici vendredi.\n"
        "[00:00:08] Anne Delcourt: Vendredi, c'est juste, s'il reçoit le plan jeudi…\n"
        "[00:00:14] Yann Bihan: Disons lundi, alors. Lundi matin au plus tard.\n"
    )
    action = check_action({"task": "Renvoyer le rapport corrigé", "segments": [0]}, index)
    assert action.due == "Lundi matin"


def test_a_thing_named_then_taken_on_is_that_task():
    assert spoken_task(
        "Bon, je ne suis pas d'accord, mais la buvette, je m'en occupe quand même."
    ) == ("S'occuper de la buvette", "je")
    assert spoken_task("Et pour le repas du soir, je m'en occupe.") == (
        "S'occuper du repas du soir",
        "je",
    )
    assert spoken_task("Les convocations, je m'en charge.") == ("Se charger des convocations", "je")
    assert spoken_task("Pour l'instant, je m'en occupe.") is None  # when, not what
    # unpunctuated, a long phrase before it ends another clause
    assert spoken_task(
        "une lettre cosignée par le directeur et le recteur comme l'an dernier je m'en occupe"
    ) != ("S'occuper du recteur comme l'an dernier", "je")


def test_a_pronoun_for_what_the_turn_itself_names_keeps_that_task():
    from summarizer.pipeline import task_as_said

    index = _said(
        "[00:00:01] Anne Delcourt: J'envoie les convocations mi-janvier.\n"
        "[00:00:08] Paul Garnier: Un dernier mot : j'ai bien entendu la demande de lissage, je "
        "la porterai moi-même au bureau du 22 janvier.\n"
    )
    said = task_as_said(index, 1)
    assert said is not None and said["task"].startswith("Porter la demande de lissage")


def test_the_same_owner_dating_their_task_a_few_turns_later_is_one_action():
    from summarizer.merge import merge_actions
    from summarizer.schema import Action

    index = _said(
        "[00:00:01] Patrick Roy: Mohamed, tu montes le dossier ?\n"
        "[00:00:05] Mohamed Ali: Oui, je le fais. Kévin, tu me sors les chiffres ?\n"
        "[00:00:10] Kévin Roux: Ouais, ce week-end.\n"
        "[00:00:14] Mohamed Ali: Et moi je dépose le dossier, euh, mi-janvier.\n"
    )
    first = Action(task="Monter le dossier", owner="Mohamed", sources=index.refs([0, 1]))
    other = Action(
        task="Sortir les chiffres", owner="Kévin", due="ce week-end", sources=index.refs([1, 2])
    )
    again = Action(
        task="Déposer le dossier", owner="Mohamed", due="mi-janvier", sources=index.refs([3])
    )
    merged = merge_actions([first, other, again])
    assert [(a.task, a.owner, a.due) for a in merged] == [
        ("Monter le dossier", "Mohamed", "mi-janvier"),
        ("Sortir les chiffres", "Kévin", "ce week-end"),
    ]


def test_an_idea_kept_unsettled_or_put_on_a_later_agenda_is_no_decision():
    index = _said(
        "[00:00:01] Nathalie Roy: On garde l'idée, je ne tranche pas aujourd'hui.\n"
        "[00:00:06] Patrick Roy: On ne va pas décider ça ce soir. On le met à l'ordre du jour de "
        "l'assemblée générale de juin.\n"
    )
    kept = check_decision({"decision": "On garde l'idée.", "segments": [0]}, index)
    agenda = check_decision(
        {
            "decision": "On le met à l'ordre du jour de l'assemblée générale de juin.",
            "segments": [1],
        },
        index,
    )
    assert isinstance(kept, Unverified) and "tranche" in kept.reason
    assert isinstance(agenda, Unverified) and "autre séance" in agenda.reason


def test_a_vote_counted_a_few_turns_after_the_question_is_a_decision():
    from summarizer.reading import voted_decision

    index = _said(
        "[00:00:01] Patrick Roy: Bon, je propose : jusqu'à la fin de la saison, on fait avec les "
        "minibus de la mairie, et on n'achète rien. Qui est pour ?\n"
        "[00:00:09] Sandrine Lamy: Pour.\n"
        "[00:00:11] Patrick Roy: … Quatre pour. Jean-Luc ?\n"
        "[00:00:14] Jean-Luc Petit: Je m'abstiens.\n"
        "[00:00:18] Patrick Roy: Noté. Quatre pour, une abstention.\n"
    )
    said, ids = voted_decision(index, 0)
    assert said.startswith("Jusqu'à la fin de la saison, on fait avec les minibus")
    assert ids == [0]


def test_the_asker_accepting_the_date_put_instead_sets_the_deadline():
    index = _said(
        "[00:00:01] Sandrine Lamy: Léa, tu pourrais me faire l'affiche et la version papier ? "
        "D'ici vendredi ?\n"
        "[00:00:09] Léa Morel: Vendredi je suis en formation toute la journée… Plutôt lundi ?\n"
        "[00:00:15] Sandrine Lamy: Lundi, ça va, c'est encore dans les temps. Et il faudrait "
        "aussi le mettre sur le portail. Mathis, tu t'en occupes ?\n"
    )
    action = check_action({"task": "Faire l'affiche et la version papier", "segments": [0]}, index)
    assert (action.owner, action.due) == ("Léa Morel", "Lundi")


def test_a_point_put_to_consent_and_agreed_over_a_few_turns_is_decided():
    from summarizer.reading import accepted_proposal, concluded_decision

    index = _said(
        "[00:00:01] Anne Castel: Moi je pense qu'on doit respecter son choix. Par contre : retour "
        "à domicile avec l'HAD, un lit réservé chez nous, et on revoit la fille avant. Ça vous "
        "va ?\n"
        "[00:00:12] Yasmine Roy: Oui. Et le lit de repli, ça la rassurera.\n"
        "[00:00:18] Hélène Dumas: D'accord pour moi.\n"
        "[00:00:22] Anne Castel: Bon, on part là-dessus. Mme Perrin, vous pouvez contacter l'HAD ?\n"
        "[00:00:30] Monique Lenoir: Je propose qu'elle vienne le premier mois en binôme avec "
        "Gérard, avant de venir seule.\n"
        "[00:00:38] Hélène Dumas: Très bien, comme d'habitude.\n"
        "[00:00:41] Anne Castel: Oui, d'accord, binôme pendant un mois.\n"
    )
    said, ids = concluded_decision(index, 3)
    assert said.startswith("Retour à domicile avec l'HAD") and ids == [0, 3]
    said, ids = accepted_proposal(index, 6)
    assert said.startswith("Elle vienne le premier mois en binôme") and ids == [4, 5, 6]


def test_an_offer_taken_up_is_dated_by_the_answer_to_when_and_would_you_agree_asks():
    index = _said(
        "[00:00:01] Nathalie Roy: Pas d'objection ? … On part là-dessus, à partir de mercredi "
        "prochain.\n"
        "[00:00:09] Karim Benali: D'accord. Mais il faudrait savoir qui prend quoi. Je peux sortir "
        "la liste des plus de quatre mois, triée par pays.\n"
        "[00:00:19] Nathalie Roy: Oui, très bien, on fait comme ça. Tu peux l'avoir pour quand ?\n"
        "[00:00:24] Karim Benali: Demain matin. Je lance l'extraction ce soir.\n"
    )
    action = check_action(
        {"task": "Sortir la liste des plus de quatre mois", "segments": [1]}, index
    )
    assert (action.owner, action.due) == ("Karim Benali", "Demain matin")
    assert spoken_task(
        "Aurélie, tu serais d'accord pour les former sur Docverif et sur l'instruction ?"
    ) == ("Former sur Docverif et sur l'instruction", "tu")


def test_a_negation_ends_with_its_sentence_and_a_conditional_proposal_is_one():
    from summarizer.reading import accepted_proposal
    from summarizer.verify import states_decision

    assert states_decision(
        "La mairie nous a dit un car par semaine, pas plus, c'est le service transports qui "
        "décide. Bon, on part sur la patinoire le mardi. Karim, tu réserves ?"
    )
    index = _said(
        "[00:00:01] Sandrine Lamy: Moi je proposerais que chacun ait un groupe de référence fixe "
        "pendant les deux semaines. Ça vous va ?\n"
        "[00:00:09] Karim Benali: Carrément.\n"
    )
    said, ids = accepted_proposal(index, 1)
    assert "groupe de référence fixe" in said and ids == [0, 1]
