"""Transcript → :class:`~summarizer.schema.Minutes`: the minutes step of the pipeline.

* Decisions and actions: a French lexicon of decision and commitment cues ("adopté", "c'est
  validé", "on part là-dessus", "je m'en charge", "d'ici vendredi", "Claire, tu peux…") picks
  candidate turns over the whole transcript; the model is asked about each candidate with two
  turns before and one after (does it decide / give a task? phrase it); every answer is then
  checked in code against the transcript (:mod:`summarizer.verify`), owners and deadlines only
  as said.
* Topics, title and open questions: one step each per time window (map), merged without
  duplicates (reduce, :mod:`summarizer.merge`).

Participants come from the transcript's speakers ("Intervenant N" when anonymous); the meeting
date only when it is said. An empty transcript returns an "empty" result at once, without
calling the LLM.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from asr_service.speakers import speaker_display
from asr_service.transcript import Segment, Transcript
from summarizer import prompts
from summarizer.backends import LLMBackend, LLMError, backend_from_settings
from summarizer.merge import merge_actions, merge_decisions, merge_questions, merge_topics
from summarizer.reading import (
    accepted_proposal,
    agreed_and_moved_on,
    assented_decision,
    called_vote,
    concluded_decision,
    consent_asked,
    recap_then_request,
    replaced_decision,
    settled_by_chair,
    stated_decision,
    superseded,
    voted_decision,
)
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
from summarizer.text import (
    SENTENCE_RE,
    addressee,
    commits_self,
    content_tokens,
    coverage,
    deadline_of,
    delegated_task,
    goes_ahead,
    is_acceptance,
    is_request,
    needed_task,
    normalize,
    offered_task,
    opens_with_acceptance,
    passive_task,
    similarity,
    spoken_task,
    stated_deadlines,
    stem,
    third_party_asked,
    third_party_present,
    tokens,
    verb_said,
)
from summarizer.verify import (
    MIN_TASK_COVERAGE,
    TranscriptIndex,
    check_action,
    check_decision,
    check_question,
    same_verb,
    states_decision,
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

# A task given or taken: first-person future ("transmettrai"), "je m'en charge", requests,
# a third person's future ("les services techniques passeront"), "il faudra".
COMMITMENT_RE = re.compile(
    r"\b(\w{2,}(?:rai|ras)|(?:je m|on s|nous nous) en (?:charge|occupe)\w*|"
    r"je (?:vais|prepare|m occupe)|il faudra|d ici|(?:tu veux|vous voulez) bien|"
    r"pouvez vous|pourriez vous|vous pourriez|peux tu|pourrais tu|tu (?:peux|pourras|vas)|"
    r"vous (?:pourrez|allez)|est ce que (?:tu|vous) (?:peux|pouvez|pourrais|pourriez)|"
    r"charge de|se charge|\w{3,}(?:era|ira|dra|ront)|(?:tu|vous) (?:\w+ )?\w+(?:es|ez|ets|nds))\b"
)
# Futures that announce no task ("ce sera", "on verra", "il faudra voir" stays a cue).
_NOT_TASK_FUTURES = {"sera", "seront", "aura", "auront", "pourra", "pourront", "verra", "verront"}
# A reply this short right after a candidate adds nothing to ask about: its context is seen
# with the turn before ("D'accord.", "Oui, je m'en occupe.").
SHORT_FOLLOW_UP_WORDS = 10
CANDIDATE_CONTEXT_BEFORE = 1
# A short vote or assent often comes two turns after what it settles ("Je propose le 2 juin." /
# "Ça nous va." / "Va pour le 2 juin."; "Je mets aux voix…" / "Unanimité, merci."): a decision
# candidate this short is shown with two turns before it.
DECISION_CONTEXT_BEFORE = 2
SHORT_DECISION_WORDS = 8
CANDIDATE_CONTEXT_AFTER = 1
CANDIDATE_MAX_TOKENS = 120
STEPS = ("topics", "questions", "decisions", "actions")

Progress = Callable[[str], None]


@lru_cache(maxsize=2)
def _cached_backend(settings_json: str) -> LLMBackend:
    return backend_from_settings(LLMSettings.model_validate_json(settings_json))


def shared_backend(settings: LLMSettings | None = None) -> LLMBackend:
    """The backend for ``settings``, created once per process (a model load is seconds)."""
    return _cached_backend((settings or LLMSettings()).model_dump_json())


def _call(backend: LLMBackend, block: str, task: str, schema: dict, max_tokens: int) -> dict:
    return backend.complete_json(prompts.build_messages(block, task), schema, max_tokens=max_tokens)


SAME_AS_ACCEPTED = 70.0


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


def _follow_up(seg: Segment, previous: Segment | None, previous_is_candidate: bool) -> bool:
    """A short reply to the candidate just before that adds nothing of its own ("D'accord.",
    "Oui, je m'en occupe."): seen as that candidate's context, not asked about again."""
    return (
        previous is not None
        and previous_is_candidate
        and previous.speaker != seg.speaker
        and is_request(previous.text)
        and len(normalize(seg.text).split()) <= SHORT_FOLLOW_UP_WORDS
        and not stated_deadlines(seg.text)
        and (is_acceptance(seg.text) or not commits_self(seg.text))
    )


def _is_commitment(text: str) -> bool:
    norm = normalize(text)
    cues = {m.group(0) for m in COMMITMENT_RE.finditer(norm)} - _NOT_TASK_FUTURES
    # "aujourd'hui" alone is a deadline only in a commitment ("je réserve aujourd'hui"), not in
    # "on ne tranche pas aujourd'hui"
    deadlines = [d for d in stated_deadlines(text) if normalize(d) != "aujourd hui"]
    return bool(
        cues
        or deadlines
        or addressee(text)
        or commits_self(text)
        # "Et le service juridique rédige la convention", "je demande au service comptable de…"
        or third_party_present(text, "")
        or third_party_asked(text)  # "La vie scolaire peut envoyer un message aux familles ?"
        or delegated_task(text)
        or passive_task(text)  # "Le compte rendu vous sera envoyé par le secrétariat"
    )


def _candidates(segments: list[Segment], cue: Callable[[str], bool]) -> list[Segment]:
    out: list[Segment] = []
    previous: Segment | None = None
    previous_is_candidate = False
    for seg in segments:
        hit = cue(seg.text)
        if hit and not _follow_up(seg, previous, previous_is_candidate):
            out.append(seg)
        previous, previous_is_candidate = seg, hit
    return out


def commitment_segments(segments: list[Segment]) -> list[Segment]:
    """Turns that sound like a task being given or taken ("je transmettrai", "pouvez-vous",
    "Claire, tu…", a deadline said), short replies to such a turn excepted."""
    return _candidates(segments, _is_commitment)


def decision_segments(segments: list[Segment]) -> list[Segment]:
    """Turns that use decision words ("adopté", "c'est validé", "va pour"), negations removed,
    short replies to such a turn excepted."""
    return _candidates(segments, states_decision)


Ask = Callable[[list[dict[str, str]], dict, int], dict]


def ask_about_turn(
    ask: Ask, transcript: Transcript, index: TranscriptIndex, sid: int, decision: bool
) -> list[dict[str, Any]]:
    """Ask whether turn ``sid`` (shown with its context) takes a decision (``decision``) or
    gives a task; the proposals returned cite that turn (none when the answer is no). When the
    model's answer is no or fails verification, what the turn plainly states is added
    (:func:`decision_as_said`, :func:`task_as_said`)."""
    short = len(normalize(index.by_id[sid].text).split()) <= SHORT_DECISION_WORDS
    before = DECISION_CONTEXT_BEFORE if decision and short else CANDIDATE_CONTEXT_BEFORE
    context = index.around([sid], before=before, after=CANDIDATE_CONTEXT_AFTER)
    excerpt = prompts.format_excerpt(context, transcript, sid)
    if decision:
        task, schema = prompts.DECISION_CANDIDATE_TASK, prompts.DECISION_CANDIDATE_SCHEMA
        kind, text_key, key = prompts.DECISION_KINDS[0], "summary", "decision"
    else:
        task, schema = prompts.ACTION_CANDIDATE_TASK, prompts.ACTION_CANDIDATE_SCHEMA
        kind, text_key, key = prompts.ACTION_KINDS[0], "task", "task"
    answer = ask(prompts.build_candidate_messages(task, excerpt), schema, CANDIDATE_MAX_TOKENS)
    text = str(answer.get(text_key) or "").strip()
    if not answer:
        return []  # the step failed (recorded by ``ask``): nothing is read for this turn
    proposal = {**answer, key: text, "segments": [sid]}
    found = [proposal] if answer.get("kind") == kind and text else []
    check = check_decision if decision else check_action
    if found and not isinstance(check(proposal, index), Unverified):
        if not decision:
            said = task_as_said(index, sid)
            if (
                said
                and (not same_verb(said["task"], text) or _names_more(said["task"], text))
                and not isinstance(check_action(said, index), Unverified)
            ):
                # the turn plainly says another task than the model's ("Le secrétariat vous
                # enverra un sondage" read as "renvoyer à la prochaine séance"), or the same
                # one with what a pronoun stands for ("L'arrêté est signé, je te le transfère
                # après le briefing": "Transférer après le briefing"): as said wins
                found = [said]
            return (
                found
                + _accepted_second_request(index, sid, found)
                + _second_own_task(index, sid, found)
            )
        return found
    # the model saw nothing in the turn, or phrased something the turn does not say: what the
    # turn plainly states is read in code (the model's own proposal still goes to verification)
    said = decision_as_said(index, sid) if decision else task_as_said(index, sid)
    found = found + [p for p in [said] if p]
    if decision:
        return found
    return found + _accepted_second_request(index, sid, found) + _second_own_task(index, sid, found)


def _second_own_task(
    index: TranscriptIndex, sid: int, found: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A second task the speaker takes on in the same turn, in a sentence of its own that
    opens with "Et" or says its deadline: "Je fais le paramétrage avec l'éditeur. Et le Dr
    Caron, le référent, je lui envoie un mail ce soir." gives both (the model, asked about the
    turn, names one)."""
    sentences = [x for x in SENTENCE_RE.findall(index.by_id[sid].text) if x.strip()]
    if len(sentences) < 2 or not found:
        return []
    for k in range(1, len(sentences)):
        sentence = sentences[k]
        if not (
            re.match(r"\s*(?:et|puis)\b", sentence, re.IGNORECASE) or stated_deadlines(sentence)
        ):
            continue
        own = spoken_task(sentence, " ".join(sentences[:k]))
        if (
            own is None
            or own[1] != "je"
            or len(own[0].split()) < 3
            or any(same_verb(own[0], str(p.get("task") or "")) for p in found)
            or not any(verb_said(str(p.get("task") or ""), " ".join(sentences[:k])) for p in found)
        ):
            continue
        return [{"task": own[0], "owner": "", "due": "", "segments": [sid], "read_from_text": True}]
    return []


def _accepted_second_request(
    index: TranscriptIndex, sid: int, found: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The request a turn makes after giving a task of its own, when the next turn takes it
    on: "…il faut que je voie avec l'hôpital. Laure, tu contactes les DRH ?" / "D'accord, je
    les appelle d'ici vendredi." gives both tasks (one turn, one question to the model, one
    answer)."""
    second = _second_request(index.by_id[sid].text)
    nxt = index.neighbour(sid, 1)
    if (
        second is None
        or nxt is None
        or not (index.accepted_next(sid) or opens_with_acceptance(nxt.text))
        or any(same_verb(second, str(p.get("task") or "")) for p in found)
    ):
        return []
    return [{"task": second, "owner": "", "due": "", "segments": [sid], "read_from_text": True}]


def _consented_point(index: TranscriptIndex, seg: Segment) -> tuple[str, list[int]] | None:
    """A point put to everyone and assented to ("…Montbrun à Camille. Ça convient à tout le
    monde ?" / "Oui."), read in code; not a task offered with its date ("La direction peut
    vous sortir ça. D'ici la fin du mois, ça vous va ?")."""
    if not consent_asked(seg.text):
        return None
    found = accepted_proposal(index, seg.id)
    return found if found and not (is_request(found[0]) or spoken_task(found[0])) else None


def decision_as_said(index: TranscriptIndex, sid: int) -> dict[str, Any] | None:
    """The decision turn ``sid`` states in so many words, when the model did not phrase one
    that the checks accept: a vote and its result, an outcome ("La date est fixée au 4
    décembre."), an agreed settling, a replacement, a conclusion, a point the chair settles
    (:mod:`summarizer.reading`), tried in that order; the first reading the checks accept, else
    the first found (it then goes to the points to check)."""
    text = index.by_id[sid].text
    readings = [
        lambda: voted_decision(index, sid),
        lambda: called_vote(index, sid),
        lambda: stated_decision(text),
        lambda: assented_decision(index, sid),
        lambda: replaced_decision(index, sid),
        lambda: concluded_decision(index, sid),
        lambda: settled_by_chair(text),
        lambda: accepted_proposal(index, sid),
    ]
    first = None
    for read in readings:
        found = read()
        if not found:
            continue
        said, ids = (found, [sid]) if isinstance(found, str) else found
        proposal = {"decision": said, "segments": ids}
        if not isinstance(check_decision(proposal, index), Unverified):
            return proposal
        first = first or proposal  # fails the checks: kept only if no reading passes them
    return first


# A commitment whose object is a pronoun for what was just asked ("je l'envoie", "je les
# transmets").
_REFERS_BACK_RE = re.compile(
    r"\b(?:je|j['’])\s*(?:vais\s+)?(?:l['’]\s*|le\s+|la\s+|les\s+)\w", re.I
)


def _second_request(text: str) -> str | None:
    """The task a turn asks of someone after giving another one ("Je porterai le résultat en
    commission. Mme Royer, vous m'envoyez les résultats détaillés ?" → "Envoyer les résultats
    détaillés"); ``None`` when the turn gives one task or none."""
    sentences = [x for x in SENTENCE_RE.findall(text) if x.strip()]
    tasks = [t for x in sentences if (t := spoken_task(x)) and len(t[0].split()) > 1]
    if len(tasks) < 2 or tasks[-1][1] != "tu" or same_verb(tasks[0][0], tasks[-1][0]):
        return None
    return tasks[-1][0]


def _said_after(first: str, then: str, text: str) -> bool:
    """Whether ``text`` says the verb of ``first`` in a later clause than that of ``then``."""
    clauses = re.split(r"[.;!?,]|\bet\b|\bpuis\b", text)
    at_first = [i for i, c in enumerate(clauses) if verb_said(first, c)]
    at_then = [i for i, c in enumerate(clauses) if verb_said(then, c)]
    return bool(at_first and at_then) and at_first[0] > at_then[0]


def _names_more(said: str, proposed: str) -> bool:
    """Whether ``said`` names all that ``proposed`` names, and more."""
    have = {stem(t) for t in content_tokens(said)}
    want = {stem(t) for t in content_tokens(proposed)}
    return want <= have and len(have) > len(want)


# Verbs that stand for a task named elsewhere ("je m'en charge", "vous pouvez le faire ?")
_STANDS_FOR_A_TASK = {
    "se charger",
    "s en charger",
    "s occuper",
    "s en occuper",
    "faire",
    "le faire",
    "faire ca",
    "faire cela",
}


def _names_nothing(task: str) -> bool:
    """A task read from a reply that names nothing of its own ("Envoyer", "Envoyer ça")."""
    words = normalize(task).split()
    return len(words) < 2 or words[1:] in (["ca"], ["cela"], ["le", "necessaire"])


# "Et moi je peux écrire à l'association régionale, je connais la référente.": a volunteer,
# set off by "moi", needs nobody's yes
_MOI_JE_PEUX_RE = re.compile(r"\bmoi,? je (?:te |vous )?(?:peux|pourrais)\b")


def _names_its_object(task: str, text: str) -> bool:
    """Whether ``text`` names what ``task`` works on, beyond its verb ("j'ai bien entendu la
    demande de lissage, je la porterai…" for "Porter la demande de lissage")."""
    said = set(content_tokens(text))
    words = content_tokens(task)[1:]
    return len(words) >= 2 and sum(w in said for w in words) * 2 >= len(words)


def task_as_said(index: TranscriptIndex, sid: int) -> dict[str, Any] | None:
    """The task turn ``sid`` plainly gives or takes, read in code (:func:`spoken_task`), when
    the model did not phrase one that matches the turn: "Je planifierai les sessions de
    formation en avril" is a task whatever the model answered. Owner and deadline are left to
    verification, which takes them from the turn and its reply only; a third party named as
    the subject ("les services techniques passeront…") is proposed as the owner."""
    seg = index.by_id[sid]
    prev = index.neighbour(sid, -1)
    # what a pronoun may stand for: said in the two turns before ("…le prestataire n'est pas
    # passé." / "Encore ?" / "Je le relance."); three turns back named the wrong thing as often
    # as the right one ("…pour le foot…" / "Patrick est au courant…" / … / "Je le relance")
    # one turn ends where the next begins, punctuated or not (ASR text runs on: "…faire le
    # public postage" / "alors moi honnêtement…" must not read as one object)
    before = [
        t.text.rstrip() + ("" if t.text.rstrip()[-1:] in ".!?" else ".")
        for t in (index.neighbour(sid, -2), prev)
        if t is not None and t.text.strip()
    ]
    found = spoken_task(seg.text, " ".join(before))
    if found is None:
        # "Il faudra transmettre…" is a task when someone is addressed or accepts it in reply
        needed = needed_task(seg.text)
        if needed and (addressee(seg.text) or index.accepted_next(sid)):
            found = (needed, "tu")
        elif needed and deadline_of(seg.text):
            # "…il faut les mettre à jour avant l'été": a task with a deadline, no owner said
            found = (needed, "tu")
    nxt = index.neighbour(sid, 1)
    taken_up = index.accepted_next(sid) or (
        nxt is not None
        and nxt.speaker != seg.speaker
        and (opens_with_acceptance(nxt.text) or goes_ahead(nxt.text))
    )
    if found is None and (taken_up or _MOI_JE_PEUX_RE.search(normalize(seg.text))):
        # "Je peux vous transmettre nos données de nidification." / "Oui, mais passez par
        # Mme Garnier.", "Je peux demander aux infirmières…" / "Très bien. Donc…": an offer
        # taken up
        offered = offered_task(seg.text, " ".join(before))
        found = (offered, "je") if offered else None
    if found is None or normalize(found[0]) in _STANDS_FOR_A_TASK:
        # "Vous voulez bien vous en charger ?" names no work: "Se charger" would be the same
        # empty item in every meeting's minutes; the model's reading, or none
        return None
    task, who = found
    other = prev if prev is not None and prev.speaker != seg.speaker else None  # who asked
    asked = spoken_task(other.text) if other is not None else None
    second = _second_request(other.text) if other is not None else None
    if (
        who == "je"
        and asked is not None
        and asked[1] == "tu"
        and not same_verb(asked[0], task)
        and _said_after(asked[0], task, seg.text)
    ):
        # "Mme Roussel, vous pouvez corriger ce passage ?" / "Oui, je reprends l'enregistrement
        # et je corrige demain matin.": the task asked, taken on (that turn's action), and how
        # (not "Je réserve aujourd'hui, et j'envoie une invitation": that one is more)
        return None
    if who == "je" and second and same_verb(second, task) and _names_nothing(task):
        # "Je porterai le résultat en commission. Mme Royer, vous m'envoyez les résultats ?" /
        # "Oui, je vous envoie ça cette semaine.": the second task of the turn before, taken
        # on here (the model, asked about that turn, names one task)
        task = second
    elif (
        who == "je"
        and _REFERS_BACK_RE.search(seg.text)
        # not a pronoun for what the turn itself names ("j'ai bien entendu la demande de
        # lissage, je la porterai moi-même au bureau")
        and not _names_its_object(task, seg.text)
        and prev is not None
        and prev.speaker != seg.speaker
        and (spoken_task(prev.text) or needed_task(prev.text))
        and _is_commitment(prev.text)
    ):
        # "Oui, je l'envoie la semaine prochaine." takes on the task asked just before: that
        # turn's action, not a second one named by what is left ("Envoyer aux adhérents")
        return None
    owner = "" if who in ("je", "tu") else who
    ids = [sid]
    if who == "je" and coverage(task, seg.text) < MIN_TASK_COVERAGE:
        # "Mme Benali, vous pourriez me faire une note sur l'évolution de Lina ?" / "Je vous la
        # fais pour le quinze janvier.": what the pronoun stands for was asked just before (or
        # two turns before, someone else having declined), so that turn is cited with the reply
        for step in (-1, -2):
            asker = index.neighbour(sid, step)
            if (
                asker is not None
                and asker.speaker != seg.speaker
                and coverage(task, f"{asker.text} {seg.text}") >= MIN_TASK_COVERAGE
            ):
                ids = [asker.id, sid]
                break
    return {"task": task, "owner": owner, "due": "", "segments": ids, "read_from_text": True}


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
        name = speaker_display(transcript, sid) or sid
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
    steps: tuple[str, ...] = STEPS,
) -> Minutes:
    """Write the minutes of ``transcript``.

    ``backend``: an :class:`~summarizer.backends.LLMBackend`; by default built from ``settings``
    (``ASR_LLM_*``: the embedded model, loaded once per process and reused). ``title`` replaces
    the title the model proposes. ``verify=False`` keeps the model's proposals unchecked (only for
    benchmarks). ``steps`` selects among ``topics``, ``questions``, ``decisions``, ``actions``
    (all by default; the benchmark of the relevé runs only the last two). Raises
    :class:`~summarizer.backends.LLMError` when the LLM fails.
    """
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown minutes steps: {sorted(unknown)}; known: {list(STEPS)}")
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
    uncited_dropped = 0

    def settle(items: list[dict], check: Any, unchecked: Any, sink: list) -> None:
        """Verify proposals (``check``, or ``unchecked`` when verification is off): verified
        items go to ``sink``, failures to ``rejected``."""
        for item in _dedupe(items):
            result = check(item, index) if verify else unchecked(item, index)
            if isinstance(result, Unverified):
                rejected.append(result)
            elif result is not None:
                sink.append(result)

    def ask(messages: list[dict[str, str]], schema: dict, max_tokens: int) -> dict:
        """One LLM step; a failed step is recorded and skipped (its items are missing, never
        made up); when every step fails the LLM is unusable and the error is raised."""
        nonlocal calls
        calls += 1
        try:
            return backend.complete_json(messages, schema, max_tokens=max_tokens)
        except LLMError as exc:
            errors.append(str(exc)[:300])
            return {}

    windows = 0
    if "topics" in steps or "questions" in steps:
        for window in split_windows(segments, budget):
            windows += 1
            say(f"fenêtre {windows} : segments {window[0].id}–{window[-1].id}")
            block = prompts.format_segments(window, transcript)
            in_window = {s.id for s in window}
            if "topics" in steps:
                answer = ask(
                    prompts.build_messages(block, prompts.TOPICS_TASK), prompts.TOPICS_SCHEMA, 900
                )
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
            if "questions" in steps:
                answer = ask(
                    prompts.build_messages(block, prompts.QUESTIONS_TASK),
                    prompts.QUESTIONS_SCHEMA,
                    500,
                )
                for item in _items(answer, "questions"):
                    q = check_question(item, index)
                    if isinstance(q, Unverified):
                        if not q.segment_ids:
                            uncited_dropped += 1  # cites nothing that exists: nothing to check
                        elif verify:
                            rejected.append(q)
                    else:
                        questions.append(q)

    # Decisions and actions: each candidate turn of the whole transcript, asked about with its
    # context; the answers are verified like any proposal.
    if "decisions" in steps:
        candidates = decision_segments(segments)
        say(f"décisions : {len(candidates)} interventions candidates")
        proposals = [
            p for seg in candidates for p in ask_about_turn(ask, transcript, index, seg.id, True)
        ]
        # a proposal agreed to by whoever opens the next point, a point summed up before the
        # work is handed out, a point put to the others and assented to ("…Montbrun à Camille.
        # Ça convient à tout le monde ?" / "Oui."): no decision word is said; read in code, no
        # question to the model
        asked = {seg.id for seg in candidates}
        for seg in segments:
            if seg.id in asked:
                continue
            found = (
                agreed_and_moved_on(index, seg.id)
                or recap_then_request(index, seg.id)
                or _consented_point(index, seg)
            )
            if found:
                proposals.append(
                    {"decision": found[0], "segments": found[1], "settled_in_code": True}
                )
        settle(proposals, check_decision, unchecked_decision, decisions)
    if "actions" in steps:
        candidates = commitment_segments(segments)
        say(f"actions : {len(candidates)} interventions candidates")
        proposals = [
            p for seg in candidates for p in ask_about_turn(ask, transcript, index, seg.id, False)
        ]
        settle(proposals, check_action, unchecked_action, actions)

    if errors and len(errors) == calls:
        raise LLMError(f"every LLM step failed; first error: {errors[0]}")
    kept_decisions = []
    for d in decisions:
        why = superseded(d, index) if verify else None
        if why:  # a choice dropped later in the meeting goes to the points to check, not lost
            ids = [r.segment_id for r in d.sources]
            rejected.append(Unverified(kind="decision", text=d.text, reason=why, segment_ids=ids))
        else:
            kept_decisions.append(d)
    decisions, actions = merge_decisions(kept_decisions), merge_actions(actions)
    to_check = _points_to_check(rejected, decisions, actions)
    extra: dict[str, Any] = {}
    if errors:
        extra["failed_steps"] = errors
    if uncited_dropped:
        extra["proposals_citing_nothing"] = uncited_dropped
    return Minutes(
        meeting_id=transcript.meeting_id,
        title=title or proposed_title or "Compte rendu de réunion",
        date=stated_date(transcript),
        duration=transcript.duration or segments[-1].end,
        language=transcript.language,
        participants=_participants(transcript, roles),
        topics=merge_topics(topics),
        decisions=decisions,
        actions=actions,
        open_questions=merge_questions(questions),
        to_check=to_check,
        generation=GenerationInfo(
            backend=backend.name,
            model=getattr(backend, "model_path", None) and str(backend.model_path.name) or "",
            windows=windows,
            llm_calls=calls,
            seconds=round(time.monotonic() - started, 1),
            verified=verify,
            extra=extra,
        ),
    )


def _points_to_check(
    rejected: list[Unverified], decisions: list[Decision], actions: list[Action]
) -> list[Unverified]:
    """The "points à vérifier": failed proposals that cite a turn of this meeting, once each,
    and not a restatement of an item already in the relevé (a neighbour turn of an accepted
    decision often yields the same decision in other words)."""
    kept: dict[tuple[str, str, tuple[int, ...]], Unverified] = {}
    for u in rejected:
        if not u.segment_ids:
            continue
        accepted = decisions if u.kind == "decision" else actions if u.kind == "action" else []
        same = any(
            similarity(u.text, a.text if isinstance(a, Decision) else a.task) >= SAME_AS_ACCEPTED
            and any(abs(r.segment_id - i) <= 1 for r in a.sources for i in u.segment_ids)
            for a in accepted
        )
        if not same:
            kept.setdefault((u.kind, u.text, tuple(u.segment_ids)), u)
    return list(kept.values())


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
