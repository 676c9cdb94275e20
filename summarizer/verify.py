"""Check every proposal of the LLM against the transcript, in code.

A small model lists undecided ideas as decisions, invents deadlines and owners, and rewrites tasks.
Nothing it says is printed as fact unless the transcript supports it:

* cited segments must exist (unknown ids are dropped; an item citing none is rejected);
* a **decision** must cite text that states a decision (vote, adoption, validation, agreement...),
  not negated ("rien n'est décidé"), and the decision's content words must appear there;
* an **action**'s task must be about what the cited text says; its **owner** must be a participant
  or a name said in the transcript, and be present near the cited text (named there, or speaking
  there); its **due date** must be stated near the cited segment (±2 turns), else it is removed;
* an **open question** must cite text that asks or defers something.

Failures are returned as :class:`~summarizer.schema.Unverified` (decisions, questions, actions
without support) or as notes on the action (owner/date removed), never silently kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from asr_service.speakers import speaker_display
from asr_service.transcript import Segment, Transcript
from summarizer.schema import Action, Decision, OpenQuestion, SourceRef, Unverified
from summarizer.text import (
    CIVILITIES,
    STOPWORDS,
    addressee,
    commits_self,
    content_tokens,
    coverage,
    deadline_of,
    has_time_expression,
    is_acceptance,
    is_request,
    name_tokens,
    next_meeting_dates,
    normalize,
    spoken_task,
    stem,
    time_tokens,
    tokens,
    verb_said,
)

# Words that state a decision, on accent-free lower-case text: votes, adoptions, validations,
# agreements, and the hedged ways meetings settle things ("on part là-dessus", "va pour le 2 juin").
_DECIDE = (
    r"decid\w*|adopt\w*|approuv\w*|valid\w*|vot(?:e|ee|es|ees|ons|ez)|retenu\w*|retien\w*|"
    r"acte|actee|actons|arret(?:e|ee|es|ons)|enterin\w*|unanimit\w*|accord\w*|favorable|"
    r"tranch\w*|convenu\w*|accept\w*|fixe|fixee|fixes|fixees|decal(?:e|ons|ee)|"
    r"on part (?:sur|la dessus|la dessus)|on lance|on garde|on maintient|on fait comme ca|"
    r"c est parti|allons y|va pour|ca (?:nous|me) va|on le met|on les met|mets aux voix|"
    r"soumets au vote|qui est pour|c est regle|c est reglee|personne n est contre|"
    r"(?:pas d|aucune|sans) objections?|"
    r"on (?:oublie|abandonne|laisse tomber|annule) [\w ]{3,60}? on (?:fait|prend|part sur|passe a|"
    r"garde|choisit)|on (?:corrige|rectifie)"
)
DECISION_RE = re.compile(
    rf"\b({_DECIDE}|entendu|abstention\w*|qui est (?:pour|contre)|voix (?:pour|contre))\b"
)
STRONG_DECISION_RE = re.compile(rf"\b({_DECIDE})\b")
# Negated or deferred statements that must not count as decisions: "rien n'est décidé",
# "pas encore validé", "on ne tranche pas", "n'a pas été voté", and as speech and ASR drop the
# "ne": "on tranche pas", "rien est décidé".
_VERBS = r"(decid\w*|tranch\w*|valid\w*|vot\w*|adopt\w*|arret\w*|acte\w*|decision\w*|accord)"
NEGATED_RE = re.compile(
    rf"\b(pas|rien|aucune?|jamais|ni)\b(\s+\w+){{0,3}}\s+{_VERBS}"
    rf"|\b(ne|n)\s+(\w+\s+){{0,2}}{_VERBS}\s+(pas|rien|jamais|plus)\b"
    rf"|\b(on|nous|je)\s+(\w+\s+)?{_VERBS}\s+(pas|rien|jamais)\b"
)
# A point put off to a later meeting or study, without a date: not a decision ("le dossier est
# ajourné", "reporté à la prochaine séance", "on en reparlera", "à étudier").
DEFERRAL_RE = re.compile(
    r"\b(ajourn\w*|report\w*|renvoy\w*|on en reparle\w*|a etudier|a l etude|on verra|"
    r"plus tard|mis en attente|met en attente|en suspens|prochaine? (?:seance|reunion|commission|"
    r"conseil|directoire|comite))\b"
)
# A decision-like cue that puts a point off ("on le met en attente", "on les laisse en suspens"):
# removed before looking for decision words, like negations.
DEFERRED_CUE_RE = re.compile(
    r"\b(?:decid|tranch|vot|valid|arret|adopt|act|fix)\w*(?:era|erons|eront|erez|erai)\b|"
    r"\b(?:on|nous)\s+(?:le|la|les|l)\s+(?:met|mets|mettons|laisse|laissons|garde|gardons)\s+"
    r"(?:en attente|en suspens|de cote|en reserve|pour plus tard)\b"
    r"|\b(?:mis|mise|mises|reste|restent)\s+en (?:attente|suspens)\b"
)
# The words that frame a decision ("la réunion décide de valider…") say nothing of its content:
# they are left out when checking that the content is said in the passage.
FRAMING_RE = re.compile(
    rf"\b(?:{_DECIDE}|reunion|seance|participants|membres|assemblee|decision|decident|"
    r"il est|elle est|est|sont)\b"
)


# A decision word inside a question about it ("on la fixe quand ?", "est-ce qu'on valide ?").
QUESTIONED_RE = re.compile(
    rf"\b(?:{_DECIDE})\b(?:\s+\w+){{0,3}}?\s+(?:quand|quoi|comment|combien|ou pas)\b"
    rf"|\best ce qu (?:on|il|elle|nous|vous)\s+(?:\w+\s+){{0,2}}(?:{_DECIDE})\b"
)


# "Accord" as a noun (the agreement discussed: "l'accord télétravail", "le protocole d'accord",
# "un avenant à l'accord") states no decision; "d'accord", "accordé", "accord de tous" do.
ACCORD_NOUN_RE = re.compile(
    r"\b(?:protocoles? d accord|accords? cadres?|(?:l|un|cet|leur|notre|votre|son|cet|sans|de l|a l)\s+"
    r"accord)\b(?!\s+(?:de tous|unanime|general))"
)


# Decision words that take no decision of this meeting: the power of another body ("c'est
# l'assemblée générale qui fixe la cotisation") and a choice recalled from the past ("l'an
# dernier on avait décidé…", "ils avaient voté contre").
NOT_OURS_RE = re.compile(
    rf"\bc est (?:\w+\s+){{1,5}}qui\s+(?:\w+\s+)?(?:{_DECIDE})\b"
    rf"|\b(?:avait|avaient|avions|aviez)\s+(?:(?:\w+\s+)?(?:ete|deja|tous|bien)\s+)?(?:{_DECIDE})\b"
)


def settled(text: str) -> str:
    """Normalised ``text`` without its negated, deferred or questioned decision words ("rien
    n'est décidé", "on le met en attente", "on la fixe quand ?") and those that are not this
    meeting's ("c'est le conseil qui vote", "on avait décidé"): what is left states a decision
    only if one was taken."""
    norm = ACCORD_NOUN_RE.sub(" ", DEFERRED_CUE_RE.sub(" ", normalize(text)))
    norm = NOT_OURS_RE.sub(" ", norm)
    return NEGATED_RE.sub(" ", QUESTIONED_RE.sub(" ", norm))


QUESTION_RE = re.compile(
    r"\?|\b(reste|restent|suspens|pas encore|a voir|on verra|report\w*|a etudier|a revoir|"
    r"on en reparle\w*|question|incertain\w*|sais pas|savons pas|prochaine)\b"
)
# A decision phrased as a task for someone ("Julien, tu formeras…", "je transmettrai…").
TASK_RE = re.compile(r"\btu \w+ras\b|\bje \w+rai\b|\bje m en (?:charge|occupe)\b")
# Decisions are impersonal: a first/second person singular or reported speech is a quote
# ("je pense pouvoir…", "Marc a déclaré que…"), not the meeting's decision.
QUOTE_RE = re.compile(r"\b(je|j|tu)\b|\b(a declare|a dit|a indique|a propose|a suggere)\b")
# Verbs that name no work to do after the meeting ("attendre le nouveau prestataire").
WAITING_VERBS = {"attendre", "patienter", "hesiter", "preferer", "envisager"}
WINDOW_BEFORE = 2
WINDOW_AFTER = 2
MIN_DECISION_COVERAGE = 0.5
MIN_TASK_COVERAGE = 0.4
MIN_TASK_WORDS = 2
SHORT_REPLY_WORDS = 15


@dataclass
class TranscriptIndex:
    """Fast look-ups over one transcript: segments by id, neighbours, names said or speaking."""

    transcript: Transcript
    by_id: dict[int, Segment] = field(init=False)
    position: dict[int, int] = field(init=False)
    speaker_names: dict[str, str] = field(init=False)
    names_said: set[str] = field(init=False)

    def __post_init__(self) -> None:
        segs = self.transcript.segments
        self.by_id = {s.id: s for s in segs}
        self.position = {s.id: i for i, s in enumerate(segs)}
        self.speaker_names = {}
        for seg in segs:
            if seg.speaker:
                self.speaker_names[seg.speaker] = (
                    speaker_display(self.transcript, seg.speaker) or ""
                )
        for sp in self.transcript.speakers:
            self.speaker_names.setdefault(sp.id, speaker_display(self.transcript, sp.id) or sp.id)
        self.names_said = set()
        for seg in segs:
            self.names_said |= name_tokens(seg.text)

    def existing(self, ids: list[Any]) -> list[int]:
        """The ids that name a segment, deduplicated, in transcript order."""
        valid = {int(i) for i in ids if isinstance(i, int) and int(i) in self.by_id}
        return sorted(valid, key=self.position.__getitem__)

    def neighbour(self, sid: int, step: int) -> Segment | None:
        """The turn ``step`` places after turn ``sid`` (before it when negative), or ``None``
        past either end of the transcript."""
        p = self.position[sid] + step
        segs = self.transcript.segments
        return segs[p] if 0 <= p < len(segs) else None

    def accepted_next(self, sid: int) -> bool:
        """Whether the turn after ``sid`` is another speaker's short acceptance ("Ça marche.")."""
        nxt = self.neighbour(sid, 1)
        return (
            nxt is not None and nxt.speaker != self.by_id[sid].speaker and is_acceptance(nxt.text)
        )

    def around(self, ids: list[int], before: int = WINDOW_BEFORE, after: int = WINDOW_AFTER):
        """The segments cited plus ``before``/``after`` neighbours of each, in order."""
        segs = self.transcript.segments
        keep: set[int] = set()
        for sid in ids:
            p = self.position[sid]
            keep.update(range(max(0, p - before), min(len(segs), p + after + 1)))
        return [segs[p] for p in sorted(keep)]

    def refs(self, ids: list[int]) -> list[SourceRef]:
        """Source references (with timestamps, speaker and text) for segment ids."""
        out = []
        for sid in ids:
            seg = self.by_id[sid]
            out.append(
                SourceRef(
                    segment_id=sid,
                    start=seg.start,
                    end=seg.end,
                    speaker=speaker_display(self.transcript, seg.speaker),
                    text=seg.text.strip(),
                )
            )
        return out

    def participant_words(self, text: str) -> set[str]:
        """Words of ``text`` that are part of a participant's name ("Patrick", "Lemoine")."""
        names = {w for n in self.speaker_names.values() for w in _owner_words(n)}
        return set(tokens(text)) & names

    def words_of_speakers(self, segs: list[Segment]) -> set[str]:
        """Name words of the people speaking in ``segs``."""
        return {w for s in segs for w in _owner_words(self.speaker_display(s))}

    def speaker_display(self, seg: Segment) -> str:
        return self.speaker_names.get(seg.speaker or "", "") if seg.speaker else ""


def _text(segs: list[Segment]) -> str:
    return " ".join(s.text for s in segs)


def _owner_words(owner: str) -> list[str]:
    return [
        t
        for t in tokens(owner)
        if t not in STOPWORDS and t not in CIVILITIES and (len(t) >= 2 or t.isdigit())
    ]


def check_decision(item: dict[str, Any], index: TranscriptIndex) -> Decision | Unverified:
    """A :class:`Decision` when the cited text states it, else an :class:`Unverified`."""
    text = str(item.get("decision") or "").strip()
    ids = index.existing(item.get("segments") or [])
    if not text:
        return Unverified(kind="decision", text="(vide)", reason="décision vide")
    if not ids:
        return Unverified(kind="decision", text=text, reason="aucune intervention citée n'existe")

    def rejected(reason: str) -> Unverified:
        return Unverified(kind="decision", text=text, reason=reason, segment_ids=ids)

    norm = normalize(text)
    if TASK_RE.search(norm):
        return rejected("formulée comme une tâche confiée à une personne (voir les actions)")
    if QUOTE_RE.search(norm):
        return rejected("propos rapportés, pas une décision de la réunion")
    cited = [index.by_id[i] for i in ids]
    # The decision may be stated in the cited turn or confirmed just after (vote, "adopté").
    evidence = index.around(ids, before=0, after=1)
    ev_norm = settled(_text(evidence))
    cited_norm = settled(_text(cited))
    if not STRONG_DECISION_RE.search(ev_norm) and not DECISION_RE.search(cited_norm):
        return rejected("le passage cité n'énonce pas de décision (idée, proposition ou report)")
    if NEGATED_RE.search(norm):
        return rejected("formulée comme une absence de décision (rien n'est adopté ni tranché)")
    if DEFERRAL_RE.search(norm) and not time_tokens(text) - {"prochain", "prochaine"}:
        return rejected("point reporté ou renvoyé sans date : pas une décision")
    # the turn that says what happens to the point: the cited one, or the one a bare "d'accord"
    # answers
    said = cited
    if all(is_acceptance(s.text) for s in cited):
        said = [s for s in index.around(ids, before=1, after=0) if s.id not in ids] or cited
    said_norm = settled(_text(said))
    if (
        DEFERRAL_RE.search(normalize(_text(said)))
        and not STRONG_DECISION_RE.search(said_norm)
        and not time_tokens(_text(said)) - {"prochain", "prochaine"}
    ):
        # "on le met en attente", "reporté à la prochaine séance": the cited turn puts the point
        # off and decides nothing itself, whatever the model wrote (or a reply agrees to)
        return rejected("l'intervention citée reporte le point : pas une décision")
    wide = index.around(ids, before=WINDOW_BEFORE, after=WINDOW_AFTER)
    content = FRAMING_RE.sub(" ", norm)
    if not content_tokens(content):
        return rejected("la décision ne dit pas ce qui est décidé")
    # what is decided is said when it is decided or before, or in the next turn when that turn
    # states the outcome ("…est adopté"); not in a next turn that puts the next idea forward
    said_by_then = index.around(ids, before=WINDOW_BEFORE, after=0) + [
        s for s in evidence if s.id not in ids and STRONG_DECISION_RE.search(settled(s.text))
    ]
    if coverage(content, _text(said_by_then)) < MIN_DECISION_COVERAGE:
        return rejected("le contenu de la décision ne figure pas dans le passage cité")
    stray = index.participant_words(text) - set(tokens(_text(wide))) - index.words_of_speakers(wide)
    if stray:
        return rejected(f"nomme {', '.join(sorted(stray))}, absent du passage cité")
    if not DECISION_RE.search(cited_norm):
        # The decision is stated in the turn after the one cited (a vote after a proposal):
        # cite that turn too, so the clerk lands on the words that state it.
        for seg in evidence:
            if seg.id not in ids and STRONG_DECISION_RE.search(
                NEGATED_RE.sub(" ", normalize(seg.text))
            ):
                ids = sorted([*ids, seg.id], key=index.position.__getitem__)
                break
    return Decision(text=text, sources=index.refs(ids))


def check_owner(owner: str, ids: list[int], index: TranscriptIndex) -> tuple[str | None, str]:
    """The owner as verified (``None`` if not) and, when rejected, why.

    Accepted when the owner's words are said within two turns of the cited text (a person
    named there, "les services techniques"); merely speaking nearby is not being named (who
    commits or is addressed is settled first by :func:`resolve_owner`).
    """
    words = _owner_words(owner)
    if not words:
        return None, f"responsable « {owner} » imprécis"
    near = index.around(ids)
    near_words = set(tokens(_text(near)))
    # A person, service or group named near the citation (ASR text has no capitals, so what
    # counts is that the owner's words are said there).
    if set(words) <= near_words:
        return owner, ""
    return None, f"responsable « {owner} » non retrouvé près du passage cité"


def check_due(due: str, ids: list[int], index: TranscriptIndex) -> tuple[str | None, str]:
    """The due date as verified (``None`` if not) and, when rejected, why.

    Every time word of ``due`` (day, month, number, "fin", "semaine"...) must be said within two
    turns of the cited segments; a "due date" without any time word is rejected.
    """
    if not has_time_expression(due):
        return None, f"échéance « {due} » sans date"
    wanted = time_tokens(due)
    near = index.around(ids)
    said = time_tokens(_text(near))
    if not wanted or not wanted <= said:
        return None, f"échéance « {due} » non dite près du passage cité"
    return due, ""


def _paired_turn(seg: Segment, index: TranscriptIndex) -> tuple[Segment | None, str]:
    """The turn that completes a request or an acceptance: the short reply accepting ``seg``
    (``"reply"``), or the request that ``seg`` accepts (``"request"``); else ``(None, "")``."""
    nxt, prev = index.neighbour(seg.id, 1), index.neighbour(seg.id, -1)
    if (
        nxt is not None
        and nxt.speaker != seg.speaker
        and is_request(seg.text)
        and (is_acceptance(nxt.text) or commits_self(nxt.text))
    ):
        return nxt, "reply"
    if (
        prev is not None
        and prev.speaker != seg.speaker
        and (is_acceptance(seg.text) or commits_self(seg.text))
        and is_request(prev.text)
    ):
        return prev, "request"
    return None, ""


def _participant_named(word: str, index: TranscriptIndex) -> str | None:
    """The participant whose name contains ``word`` ("Claire" → "Claire Vidal"), if one."""
    found = {n for n in index.speaker_names.values() if normalize(word) in tokens(n)}
    return found.pop() if len(found) == 1 else None


def resolve_owner(
    proposed: str | None,
    ids: list[int],
    index: TranscriptIndex,
    notes: list[str],
    task: str = "",
) -> str | None:
    """Who does the task, only as the transcript says it (never a guess).

    In the first cited turn, in this order: the person addressed by name ("Claire, tu peux…");
    the speaker when committing in the first person ("je m'en charge", "je transmettrai");
    the speaker of a short acceptance right after ("Oui, je m'en occupe"), or of the acceptance
    cited when the request is just before; the subject of the future that says ``task`` ("le
    directeur des systèmes d'information fera le point" → that director); else the model's
    owner, kept only when :func:`check_owner` finds it near the citation. Replacements and
    rejections go to ``notes``.
    """
    seg = index.by_id[ids[0]]
    pair, role = _paired_turn(seg, index)
    said: str | None = None
    named = addressee(seg.text)
    if role == "request" or (commits_self(seg.text) and not named):
        said = index.speaker_display(seg) or None
    elif named:
        said = _participant_named(named, index) or named
    elif commits_self(seg.text):
        said = index.speaker_display(seg) or None
    elif pair is not None:
        said = index.speaker_display(pair) or None
    elif task:
        found = spoken_task(seg.text)
        if found and found[1] not in ("je", "tu") and _same_verb(found[0], task):
            said = found[1]
    if said:
        if proposed and not set(_owner_words(proposed)) & set(_owner_words(said)):
            notes.append(f"responsable « {proposed} » remplacé par celui que dit la transcription")
        return said
    if not proposed:
        return None
    owner, why = check_owner(proposed, ids, index)
    if why:
        notes.append(why)
    return owner


def _same_verb(a: str, b: str) -> bool:
    """Whether two tasks start with the same verb ("Faire le point" ~ "faire un point")."""
    wa, wb = tokens(a)[:1], tokens(b)[:1]
    return bool(wa and wb) and stem(wa[0]) == stem(wb[0])


def resolve_due(
    proposed: str | None, ids: list[int], index: TranscriptIndex, notes: list[str]
) -> str | None:
    """The deadline as said in the cited turn or the turn that pairs with it, never computed.

    When the owner's acceptance says its own deadline ("d'ici mercredi soir" after "avant
    jeudi ?"), the owner's word wins. A deadline the model gives is kept only when its time
    words are said in those turns, in the fullest form said ("la semaine du 7 avril").
    """
    cited = [index.by_id[i] for i in ids]
    pair, role = _paired_turn(cited[0], index)
    turns = [*cited, pair] if pair is not None else cited
    in_cited = [d for s in cited if (d := deadline_of(s.text))]
    in_pair = [d for d in [deadline_of(pair.text)] if d] if pair is not None else []
    said_here = in_pair if role == "reply" and in_pair else in_cited or in_pair
    said_words = time_tokens(_text(turns))
    meeting_dates = [d for s in turns for d in next_meeting_dates(s.text)]
    if proposed and any(
        time_tokens(proposed) <= time_tokens(d) or time_tokens(d) <= time_tokens(proposed)
        for d in meeting_dates
    ):
        notes.append(f"« {proposed} » est la date de la prochaine réunion, pas une échéance")
        proposed = None
    if proposed:
        wanted = time_tokens(proposed)
        if (
            not has_time_expression(proposed)
            or not wanted
            or not wanted <= said_words
            or f" {normalize(proposed)} " not in f" {normalize(_text(turns))} "
        ):
            # its time words must be said, and in those words ("à deux mois" is not said by
            # "prochain comité dans deux mois")
            notes.append(f"échéance « {proposed} » non dite dans le passage cité")
            proposed = None
    if proposed:
        fuller = [d for d in said_here if time_tokens(proposed) <= time_tokens(d)]
        if len(said_here) == 1 and not fuller:
            # the turn says one deadline and the model another one said nearby: take the turn's
            notes.append(f"échéance « {proposed} » remplacée par celle dite dans l'intervention")
            return said_here[0]
        return fuller[0] if fuller else proposed
    if len(said_here) == 1:
        if notes and "échéance" in notes[-1]:
            notes.append(f"échéance reprise telle que dite : « {said_here[0]} »")
        return said_here[0]
    return None


def check_action(item: dict[str, Any], index: TranscriptIndex) -> Action | Unverified:
    """An :class:`Action` with verified owner/due (unverified ones removed and noted)."""
    task = str(item.get("task") or "").strip()
    ids = index.existing(item.get("segments") or [])
    if not task:
        return Unverified(kind="action", text="(vide)", reason="tâche vide")
    if not ids:
        return Unverified(kind="action", text=task, reason="aucune intervention citée n'existe")
    if len(content_tokens(task)) < MIN_TASK_WORDS:
        # "Commencer" (from "Sandrine, tu commences ?"): taking the floor, not work to do
        return Unverified(
            kind="action", text=task, reason="la tâche ne dit pas quoi faire", segment_ids=ids
        )
    cited = [index.by_id[i] for i in ids]
    # The task is said in the cited turn, or just before it when the cited turn only accepts it
    # ("Odile, il faudra transmettre…" / "Entendu, je m'en charge.").
    before = index.around(ids, before=1, after=0)
    # only a short reply that accepts the request just before it borrows that request's task
    short_reply = all(
        len(s.text.split()) <= SHORT_REPLY_WORDS and _paired_turn(s, index)[1] == "request"
        for s in cited
    )
    # what is to be done must be said there, not only its date ("Le 2 juin, ça nous va" does not
    # say "transmettre le 2 juin après la formation")
    core = " ".join(t for t in tokens(task) if t not in time_tokens(t)) or task
    if coverage(core, _text(cited)) < MIN_TASK_COVERAGE and not (
        short_reply and coverage(core, _text(before)) >= MIN_TASK_COVERAGE
    ):
        return Unverified(
            kind="action",
            text=task,
            reason="la tâche ne correspond pas au passage cité",
            segment_ids=ids,
        )
    # the model's habit is a stock verb ("transmettre…") for whatever the turn says: the verb
    # must be said in the turn (or in the request a short acceptance answers)
    said_in = _text(before) if short_reply else _text(cited)
    verb_ok = verb_said(task, said_in)
    if not verb_ok:
        return Unverified(
            kind="action",
            text=task,
            reason="la tâche n'est pas à l'infinitif"
            if verb_ok is None
            else "le verbe de la tâche n'est pas dit dans le passage cité",
            segment_ids=ids,
        )
    if tokens(task)[:1] and tokens(task)[0] in WAITING_VERBS:
        return Unverified(
            kind="action",
            text=task,
            reason="attendre ou hésiter n'est pas une tâche",
            segment_ids=ids,
        )
    notes: list[str] = []
    if item.get("read_from_text"):
        notes.append("tâche reprise telle que dite (le modèle ne l'avait pas formulée)")
    owner = resolve_owner(str(item.get("owner") or "").strip() or None, ids, index, notes, task)
    due = resolve_due(str(item.get("due") or "").strip() or None, ids, index, notes)
    return Action(task=task, owner=owner, due=due, sources=index.refs(ids), notes=notes)


def check_question(item: dict[str, Any], index: TranscriptIndex) -> OpenQuestion | Unverified:
    """An :class:`OpenQuestion` when the cited text asks or defers something."""
    text = str(item.get("question") or "").strip()
    ids = index.existing(item.get("segments") or [])
    if not text or not ids:
        return Unverified(
            kind="open_question", text=text or "(vide)", reason="aucune intervention citée"
        )
    wide = index.around(ids, before=0, after=1)
    if not QUESTION_RE.search(normalize(_text(wide)) + (" ?" if "?" in _text(wide) else "")):
        return Unverified(
            kind="open_question",
            text=text,
            reason="le passage cité ne laisse pas de question ouverte",
            segment_ids=ids,
        )
    return OpenQuestion(text=text, sources=index.refs(ids))


def unchecked_decision(item: dict[str, Any], index: TranscriptIndex) -> Decision | None:
    """A decision taken at the model's word (baseline only): just the cited ids must exist."""
    ids = index.existing(item.get("segments") or [])
    text = str(item.get("decision") or "").strip()
    return Decision(text=text, sources=index.refs(ids)) if ids and text else None


def unchecked_action(item: dict[str, Any], index: TranscriptIndex) -> Action | None:
    """An action taken at the model's word (baseline only): just the cited ids must exist."""
    ids = index.existing(item.get("segments") or [])
    task = str(item.get("task") or "").strip()
    if not ids or not task:
        return None
    return Action(
        task=task,
        owner=(item.get("owner") or None),
        due=(item.get("due") or None),
        sources=index.refs(ids),
    )


# -- a decision as said, read in code ------------------------------------------------------
# The outcome said in the passive or by the chair ("La date est fixée au 4 décembre", "le
# règlement intérieur est approuvé, hors…", "Nous actons donc trois jours de télétravail…").
_OUTCOME = r"(?:adopt|approuv|valid|d[ée]cid|act|accord|fix|retenu|arr[êe]t|ent[ée]rin)\w*"
_PASSIVE_OUTCOME_RE = re.compile(
    rf"\b(?:est|sont|a\s+[ée]t[ée]|ont\s+[ée]t[ée])\s+(?:donc\s+|bien\s+|ainsi\s+)?{_OUTCOME}",
    re.IGNORECASE,
)
_CHAIR_OUTCOME_RE = re.compile(
    rf"\b(?:nous|on)\s+(?:{_OUTCOME})\s+(?:donc\s+)?(?=\w)", re.IGNORECASE
)
_SUBJECT_START_RE = re.compile(r"\b(?:le|la|les|l['’]|ce|cette|ces)(?:\s+|(?<=['’]))", re.I)
_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]?")
_FILLERS_RE = re.compile(
    r"^(?:(?:tr[èe]s bien|bon|alors|donc|allez|oui|ok|parfait|merci|bien|voil[àa])[\s,]+)+",
    re.IGNORECASE,
)
SUBJECT_WORDS_BEFORE = 12
_ADDRESS_AFTER_RE = re.compile(
    r"\s+(?:[\w\-]+\s+)?(?:tu|vous)\s+(?:peux|pouvez|pourrais|pourriez|vas|allez)\b", re.I
)


CLAUSE_SUBJECT_WORDS = 14
_LINK_WORDS = {"de", "du", "des", "d", "a", "au", "aux"}


def _outcome_subject(head: str) -> str | None:
    """The subject of a passive outcome, as said, from the words before its verb: the clause
    when punctuation marks it and it is short ("La subvention de 3 500 euros à l'association
    Les Amis de la Loire"), else the last determiner's phrase, stretched back over "de", "à"…
    ("…deux la décision modificative" → "la décision modificative")."""
    clause = re.split(r"[,;:]", head)[-1].strip()
    words = clause.split()
    marked = clause != head.strip() or head.strip()[:1].isupper()  # punctuated text
    if marked and 2 <= len(words) <= CLAUSE_SUBJECT_WORDS and _SUBJECT_START_RE.match(clause):
        return clause
    words = head.split()[-SUBJECT_WORDS_BEFORE:]
    window = " ".join(words)
    starts = list(_SUBJECT_START_RE.finditer(window))
    if not starts:
        return None
    k = len(starts) - 1
    while k > 0:
        before = normalize(window[: starts[k].start()]).split()[-1:]
        if not before or before[0] not in _LINK_WORDS:
            break
        k -= 1
    return window[starts[k].start() :].strip()


def stated_decision(text: str) -> str | None:
    """The decision a turn states in so many words, as said: the sentence (from its subject) in
    which an outcome is said in the passive ("…, le règlement intérieur est approuvé, hors la
    question…") or by the chair ("Nous actons donc trois jours…"); ``None`` when no sentence
    does, when it is negated, deferred or asked ("est-ce que c'est validé ?"), or when it is a
    quote ("je"/"tu")."""
    for sentence in _SENTENCE_RE.findall(text):
        if sentence.strip().endswith("?"):
            continue
        if not STRONG_DECISION_RE.search(settled(sentence)):
            continue
        m = _PASSIVE_OUTCOME_RE.search(sentence)
        if m:
            subject = _outcome_subject(sentence[: m.start()])
            if not subject:
                continue
            said = f"{subject} {sentence[m.start() :]}"
        else:
            c = _CHAIR_OUTCOME_RE.search(sentence)
            if not c:
                continue
            said = re.sub(r"^(?:de\s+|d['’]\s*)", "", sentence[c.end() :].strip(), flags=re.I)
        said = _FILLERS_RE.sub("", said.strip()).strip(" ,;:")
        # unpunctuated text runs on into the next request ("…une abstention nadia tu peux…")
        said = _ADDRESS_AFTER_RE.split(said, maxsplit=1)[0].strip(" ,;:")
        if (
            not said
            or QUOTE_RE.search(normalize(said))
            or not STRONG_DECISION_RE.search(settled(said))
            and not _CHAIR_OUTCOME_RE.search(sentence)
        ):
            continue
        said = said[:1].upper() + said[1:]
        return said if said.endswith((".", "!")) else said + "."
    return None


# The chair's informal settling ("on le met en haut de page", "on garde vendredi quinze heures",
# "va pour le 2 juin"): a decision only when another voice agrees next to it.
_SETTLING_RE = re.compile(
    r"\b(?:(?:on|nous)\s+(?:(?:le|la|les|l['’])\s*)?(?:garde|gardons|maintient|maintenons|met|"
    r"mettons|part|partons|retient|retenons|valide|validons|fixe|fixons|lance|lan[çc]ons)\b"
    r"|va pour\b)",
    re.IGNORECASE,
)


BARE_ASSENT_WORDS = 6
# A reply that opens by agreeing, then goes on to the next point ("Très bien. Pour la buvette…").
_OPENS_WITH_ASSENT_RE = re.compile(
    r"(?:tres bien|d accord|parfait|entendu|ca marche|ca (?:me|nous) va|tout a fait|ok|bien sur)\b"
)
# A short turn agreeing anywhere in it ("Le 2 juin, ça nous va.").
_ASSENT_RE = re.compile(r"\b(?:ca (?:me|nous) (?:va|convient)|d accord|tout a fait)\b")


def assented_decision(index: TranscriptIndex, sid: int) -> str | None:
    """The clause of turn ``sid`` that settles a point informally, as said ("On garde vendredi
    quinze heures."), when another speaker agrees in the turn before or after it, or when the
    turn itself opens by agreeing to the turn before ("Oui, on garde…"); else ``None``."""
    seg = index.by_id[sid]
    m = _SETTLING_RE.search(seg.text)
    if not m or not STRONG_DECISION_RE.search(settled(seg.text[m.start() :])):
        return None
    prev, nxt = index.neighbour(sid, -1), index.neighbour(sid, 1)
    agreed = (
        index.accepted_next(sid)
        or (
            nxt is not None
            and nxt.speaker != seg.speaker
            and bool(_OPENS_WITH_ASSENT_RE.match(normalize(nxt.text)))
        )
        or (
            prev is not None
            and prev.speaker != seg.speaker
            and (is_acceptance(prev.text) or _ASSENT_RE.search(normalize(prev.text)))
            and len(prev.text.split()) <= BARE_ASSENT_WORDS
        )
        or (prev is not None and prev.speaker != seg.speaker and is_acceptance(seg.text))
    )
    if not agreed:
        return None
    # the clause, its condition included ("…, sous réserve de la subvention")
    clause = re.split(
        r"[;.!?]|,(?!\s*(?:sous r[ée]serve|[àa] condition|sauf|hors|avec)\b)",
        seg.text[m.start() :],
        maxsplit=1,
    )[0]
    clause = re.split(r"\s(?:bon|alors|merci|tout le monde|c['’]est tout)\b", clause, maxsplit=1)[0]
    clause = clause.strip()
    if len(clause.split()) < 3:
        return None
    return clause[:1].upper() + clause[1:] + "."


# The chair's conclusion after the point it settles ("Bon, alors le 18 juillet, on fait comme
# ça.", "Trois jours, c'est acté."), or after a proposal made just before ("Je propose qu'on
# commande en mars." "Bon, on part là-dessus.").
_CONCLUDE_RE = re.compile(
    r"\b(?:on fait comme [çc]a|on part (?:l[àa][\s-]dessus|sur [çc]a)|c['’]\s*est (?:act[ée]|"
    r"entendu|dit|d[ée]cid[ée]|r[ée]gl[ée])|va pour [çc]a|adjug[ée])\b",
    re.IGNORECASE,
)
_PROPOSED_RE = re.compile(
    r"\b(?:je\s+(?:vous\s+)?propose|on\s+pourrait|pourquoi pas|et si on|on n['’]a qu['’][àa])"
    r"\s*(?P<what>[^.;!?]+)",
    re.IGNORECASE,
)
CONCLUDED_WORDS = 10
# Consent asked and given in the same turn, the point said after it.
_CONSENTED_RE = re.compile(
    r"\b(?:personne n['’ ]est contre|pas d['’ ]objections?|aucune objection|des objections)\s*\??[\s,]*"
    r"(?=(?:parfait|tr[èe]s bien|bon|ok|alors|adopt[ée]|c['’ ]est bon)\b)",
    re.IGNORECASE,
)


_CONSENT_ASKED_RE = re.compile(
    r"\b(?:tout le monde est d['’ ]accord|(?:des|pas d['’ ])objections?|[çc]a (?:vous|te) va|"
    r"on est d['’ ]accord|vous [êe]tes d['’ ]accord|personne n['’ ]est contre)\W*$",
    re.IGNORECASE,
)


# A consent followed only by its settling words ("parfait, on retient ça").
_SETTLED_ONLY_RE = re.compile(
    r"(?:(?:on|nous) (?:retient|retenons|garde|valide|fait|part sur|adopte) (?:ca|cela|ceci)|"
    r"adopte\w*|c est bon|c est acte|valide\w*|on y va)?\s*"
)


def _proposal_text(what: str) -> str:
    """A proposal's wording without its link words ("de", "que", "comme mesure")."""
    what = re.sub(
        r"^(?:de\s+|d['’]\s*|que\s+|qu['’]\s*|comme mesure\s+)", "", what.strip(), flags=re.I
    )
    return what.strip(" ,:")


def _concluded_point(head: str) -> str:
    """The point a conclusion settles, from the words said before it: fillers and a consent
    question ("tout le monde est d'accord ? bon") left out; in unpunctuated text, the phrase
    from its last determiner (:func:`_outcome_subject`) when more than a few words precede."""
    head = head.strip()
    for _ in range(3):
        head = _FILLERS_RE.sub("", head + " ").strip(" ,;:?")
        head = re.sub(r"(?:[\s,]+(?:bon|alors|donc|allez|ok|parfait))+$", "", head, flags=re.I)
        head = _CONSENT_ASKED_RE.sub("", head).strip(" ,;:?.!")
    if len(head.split()) > CONCLUDED_WORDS:
        head = _outcome_subject(head) or " ".join(head.split()[-CONCLUDED_WORDS:])
    return head


def concluded_decision(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A point the speaker concludes ("…, on fait comme ça", "c'est acté"), as said: the words
    before the conclusion in its sentence, else the proposal of the turn just before; ``None``
    when the conclusion is asked, negated, or concludes nothing named."""
    seg = index.by_id[sid]
    consent = _CONSENTED_RE.search(seg.text)
    if consent:
        # "Personne n'est contre ? Parfait : cinq euros par adulte…": the point follows
        point = _FILLERS_RE.sub("", seg.text[consent.end() :].lstrip(" ?!.,:")).strip(" ,;:")
        point = _SENTENCE_RE.findall(point)[0].strip(" .!") if point else ""
        point = _ADDRESS_AFTER_RE.split(point, maxsplit=1)[0].strip(" ,;:")
        proposed = _PROPOSED_RE.search(seg.text[: consent.start()])
        if _SETTLED_ONLY_RE.fullmatch(normalize(point)) and proposed:
            # "Je propose une vérification systématique… Personne n'est contre ? Parfait, on
            # retient ça.": the point is the proposal
            point = _proposal_text(proposed["what"])
        settled_only = _SETTLED_ONLY_RE.fullmatch(normalize(point))
        if content_tokens(point) and not settled_only and not QUOTE_RE.search(normalize(point)):
            return f"{point[:1].upper()}{point[1:]}.", [sid]
    for sentence in _SENTENCE_RE.findall(seg.text):
        m = _CONCLUDE_RE.search(sentence)
        if not m or sentence.strip().endswith("?"):
            continue
        if re.search(r"\b(?:ne|n|pas|rien)\b", normalize(sentence[m.start() : m.end() + 6])):
            continue  # "c'est dit, pas…"
        cue = m.group(0)
        after = sentence[m.end() :].strip()
        if after.startswith(":") and content_tokens(after[1:]):
            # "Très bien, c'est acté : gravité 3, pas de déclaration."
            point = after[1:].strip(" .!")
            return f"{point[:1].upper()}{point[1:]} ({cue}).", [sid]
        head = _concluded_point(sentence[: m.start()])
        if not content_tokens(head):
            # "…la buvette va au club de foot. Tout le monde est d'accord ? Bon, c'est réglé."
            earlier = seg.text[: seg.text.find(sentence)]
            said = [x for x in _SENTENCE_RE.findall(earlier) if not x.strip().endswith("?")]
            head = _concluded_point(said[-1].split(":")[-1]) if said else ""
        if content_tokens(head) and not QUOTE_RE.search(normalize(head)):
            return f"{head[:1].upper()}{head[1:]}, {cue}.", [sid]
        prev = index.neighbour(sid, -1)
        proposed = _PROPOSED_RE.search(prev.text) if prev is not None else None
        if proposed and content_tokens(proposed["what"]):
            what = _proposal_text(proposed["what"])
            return f"{what[:1].upper()}{what[1:]} : {cue}.", [prev.id, sid]
        # unpunctuated text: "très bien c'est acté gravité 3 pas de déclaration"
        point = _ADDRESS_AFTER_RE.split(after, maxsplit=1)[0].strip(" ,;:.!")
        if content_tokens(point) and not QUOTE_RE.search(normalize(point)):
            return f"{point[:1].upper()}{point[1:]} ({cue}).", [sid]
        return None
    return None


# A choice replaced by another ("Bon, alors on oublie la note de service : on fait un flash
# sécurité, lu aux transmissions."), and the phrase that drops an earlier choice.
_REPLACED_RE = re.compile(
    r"\bon\s+(?:oublie|abandonne|laisse\s+tomber|annule)\s+(?P<old>[^:;.!?]{3,80}?)\s*[:;,]?\s*"
    r"(?:et\s+)?(?:finalement\s+)?on\s+(?:fait|prend|part\s+sur|passe\s+[àa]|garde|choisit)\s+"
    r"(?P<new>[^.;!?]+)",
    re.IGNORECASE,
)
_DROPPED_RE = re.compile(
    r"\bon\s+(?:oublie|abandonne|laisse\s+tomber|annule|revient\s+sur)\s+(?P<old>[^:;.!?]{3,80})"
    r"|\bon\s+(?:corrige|rectifie)\s*[:,]?\s*pas\s+(?P<was>[^:;,.!?]{3,80})",
    re.IGNORECASE,
)
# "Alors on corrige : pas le gymnase, le centre d'accueil sera la salle des fêtes."
_CORRECTED_RE = re.compile(
    r"\bon\s+(?:corrige|rectifie)\s*[:,]?\s*(?:pas\s+(?P<old>[^:;,.!?]{3,80}?)\s*[,;:]\s*)?"
    r"(?P<new>[^.;!?]+)",
    re.IGNORECASE,
)
SUPERSEDED_WITHIN_TURNS = 6


def replaced_decision(index: TranscriptIndex, sid: int) -> str | None:
    """The new choice a turn puts in place of an earlier one, as said ("on oublie la note de
    service : on fait un flash sécurité…" → "On fait un flash sécurité… (au lieu de la note de
    service)."), else ``None``."""
    text = index.by_id[sid].text
    m = _REPLACED_RE.search(text)
    if not m:
        c = _CORRECTED_RE.search(text)
        new = _ADDRESS_AFTER_RE.split(c["new"], maxsplit=1)[0].strip(" ,;:") if c else ""
        old = c["old"] if c else None
        bare = re.match(r"pas\s+((?:le|la|les|l['’])\s*[\w\-]+)\s+(.+)", new, re.I)
        if bare and not old:  # unpunctuated: "on corrige pas le gymnase le centre sera…"
            old, new = bare.group(1), bare.group(2)
        if not content_tokens(new):
            return None
        said = f"{new[:1].upper()}{new[1:]}"
        return f"{said} (au lieu {_of(old)})." if old else f"{said}."
    new = _ADDRESS_AFTER_RE.split(m["new"], maxsplit=1)[0].strip(" ,;:")
    if not content_tokens(new):
        return None
    return f"On fait {new} (au lieu {_of(m['old'])})."


def _of(phrase: str) -> str:
    """``phrase`` after "de", contracted as French does ("le gymnase" → "du gymnase")."""
    phrase = phrase.strip(" ,;:")
    if re.match(r"le\s", phrase, re.I):
        return "du " + phrase[3:]
    if re.match(r"les\s", phrase, re.I):
        return "des " + phrase[4:]
    return f"d'{phrase}" if phrase[:1].lower() in "aeiouyhéè" else f"de {phrase}"


def superseded(decision: Decision, index: TranscriptIndex) -> str | None:
    """Why ``decision`` no longer holds: a later turn, a few turns on, drops it ("on oublie la
    note de service…"); ``None`` when none does."""
    last = max(index.position[r.segment_id] for r in decision.sources)
    segs = index.transcript.segments
    for seg in segs[last + 1 : last + 1 + SUPERSEDED_WITHIN_TURNS]:
        m = _DROPPED_RE.search(seg.text)
        old = m and (m["old"] or m["was"])
        if old and content_tokens(old) and coverage(old, decision.text) >= 0.5:
            return f"remplacée plus loin : « {m.group(0).strip()} »"
    return None


# A vote: "Je mets aux voix la ligne vers la gare." or "Je vous propose d'arrêter les comptes.
# Qui est pour ?", then, in that turn or the next ones, its result.
_PUT_TO_VOTE_RE = re.compile(
    r"\b(?:(?:mets|met|mettons|soumets|soumet|soumettons)\s+(?:aux\s+voix|au\s+vote)"
    r"|(?:je\s+(?:vous\s+)?|nous\s+(?:vous\s+)?)propos(?:e|ons)\s+(?:de\s+|d['’]\s*|que\s+|"
    r"(?P<on>qu['’]on\s+)|(?=(?:le|la|les|l['’]|un|une)\b)))"
    r"\s*(?P<what>[^.;!?]+)",
    re.IGNORECASE,
)
_VOTE_CALL_RE = re.compile(r"\b(?:aux voix|au vote)\b")
# where the proposal's wording ends: its sentence, or the call to vote in unpunctuated text
_PROPOSAL_END_RE = re.compile(r"[.;!?]|\s(?:qui est pour|qui est contre|des objections|pour\s*:)")
BARE_RESULT_WORDS = 8
# how many turns a vote's result may come after the proposal ("Qui est pour ?" "Cinq." "Voté.")
VOTE_RESULT_TURNS = 3
_VOTE_RESULT_RE = re.compile(
    r"\b(?:(?:a l )?unanimite|adopte\w*|approuve\w*|(?:c est|est|sont)\s+votee?s?)\b"
)
_VOTE_REJECTED_RE = re.compile(r"\b(?:rejet\w*|refus\w*|pas adopte\w*|n est pas adopte\w*)\b")


def voted_decision(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A proposal put to the vote and carried, as said: "Je mets aux voix la ligne vers la gare."
    (or "Je vous propose d'arrêter les comptes.") followed, in that turn or up to three turns
    later, by "Unanimité" → ("La ligne vers la gare : adopté à l'unanimité.", the turns);
    ``sid`` may be the proposal or a short result turn. ``None`` otherwise, and when a turn in
    between makes another proposal or the vote fails."""
    segs = index.transcript.segments
    p = index.position[sid]
    own = segs[p].text
    # earlier turns count only for a bare result ("Unanimité, merci.") that puts nothing to
    # the vote itself
    bare = (
        len(own.split()) <= BARE_RESULT_WORDS
        and not _VOTE_CALL_RE.search(normalize(own))
        and not _PUT_TO_VOTE_RE.search(own)
    )
    lookback = range(p, max(-1, p - VOTE_RESULT_TURNS - 1), -1) if bare else (p,)
    for q in lookback:
        m = _PUT_TO_VOTE_RE.search(segs[q].text)
        if not m:
            continue
        last = p if p > q else min(q + 1, len(segs) - 1)
        between = [segs[k].text for k in range(q + 1, last + 1)]
        if q < p and any(_PUT_TO_VOTE_RE.search(t) for t in between[:-1]):
            break  # another proposal came in between: the result is not this one's
        proposal = segs[q].text[m.start("what") :]
        end = _PROPOSAL_END_RE.search(proposal)
        cut = end.start() if end else len(proposal)
        after = " ".join([proposal[cut:], *between])
        result = settled(after)
        if _VOTE_REJECTED_RE.search(normalize(after)) or not _VOTE_RESULT_RE.search(result):
            break
        what = ("on " if m["on"] else "") + proposal[:cut].strip(" ,:")
        if not content_tokens(what):
            break
        how = "adopté à l'unanimité" if "unanimit" in result else "adopté"
        return f"{what[:1].upper()}{what[1:]} : {how}.", sorted({segs[q].id, sid})
    return None
