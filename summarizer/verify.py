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
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from asr_service.speakers import speaker_display
from asr_service.transcript import Segment, Transcript
from summarizer.schema import Action, Decision, OpenQuestion, SourceRef, Unverified
from summarizer.text import (
    CIVILITIES,
    CLEFT_NAME,
    NUMBER_WORDS,
    PERSON_NAME,
    SENTENCE_RE,
    STOPWORDS,
    TITLES,
    addressee,
    after_self_correction,
    commits_self,
    content_tokens,
    coverage,
    deadline_of,
    delegated_task,
    goes_ahead,
    has_time_expression,
    imperative_request,
    is_acceptance,
    is_request,
    name_tokens,
    next_meeting_dates,
    normalize,
    offered_task,
    offers_work,
    opens_with_acceptance,
    self_corrected,
    spoken_task,
    stated_deadlines,
    stem,
    third_party_present,
    time_tokens,
    tokens,
    tu_imperatives,
    verb_only_as_outcome,
    verb_said,
    without_past,
)

# What "alors on…" / "donc on…" says when it settles nothing: modals and futures, tenses of
# "avoir"/"être", chairing ("on passe au point", "on fait le tour"), waiting and deferring.
_NOT_SETTLING = (
    r"ne|n|va|vas|peut|pourr\w*|doit|devr\w*|verra|a|avait|aura|est|etait|sera|en|y|se|s|"
    r"passe|commence|demarre|debute|attaque|ouvre|continue|enchaine|attend|reprend|termine|arrete|leve|clot|fait le point|"
    r"fait le tour|fait une pause|retire|report\w*|renvoie|ajourne|laisse|suspend\w*|sait|voit|"
    r"dit|parle|regarde|ecoute|reflechit|avance|essaie|verrait|pourrait|aimerait|voudrait|"
    r"sera|aurait|serait|reste(?! sur\b)|garde ca en tete|rediscute|revoit|reparle\w*|y va|"
    # "Alors on risque de perdre notre artificier.": a fear, not a choice
    r"risque|craint|perd|perdrait|demande|"
    # "donc on remet ce dossier au prochain comité": a deferral ("on remet en service" settles)
    r"remet(?! en\b)"
)
_CHAIR_SETTLING = (
    # not "ou alors on fait une braderie", an alternative put forward
    r"(?:(?<!\bou )alors|donc|bon|tres bien|parfait|d accord|entendu|allez|ok|oui|ouais|je tranche)"
    r"(?: en attendant| dans ce cas| du coup)?"
    rf" on (?:(?:l|le|la|les|en|y) )?(?!(?:{_NOT_SETTLING})\b)[a-z]{{3,}}"
    r"|va pour (?!(?:ca|cela)\b)\w+"
)
CHAIR_SETTLING_RE = re.compile(rf"\b(?:{_CHAIR_SETTLING})")
# Words that state a decision, on accent-free lower-case text: votes, adoptions, validations,
# agreements, and the hedged ways meetings settle things ("on part là-dessus", "va pour le 2 juin").
_DECIDE = (
    r"decid\w*|adopt\w*|approuv\w*|valid\w*|vot(?:e|ee|es|ees|ons|ez)|retenu\w*|retien\w*|"
    r"acte|actee|actons|arret(?:e|ee|es|ons)|enterin\w*|unanimit\w*|accord\w*|favorable|"
    r"tranch\w*|convenu\w*|accept\w*|fixee|fixees|(?:est|sont|ete|on|c est) (?:(?:l|le|la|les) )?fixes?|"
    r"fixes? (?:a|au|aux|pour|par|le|la|les)|decal(?:e|ons|ee)|"
    r"on part (?:sur|la dessus|la dessus)|on lance|on garde|on maintient|on fait comme ca|"
    r"c est parti|allons y|va pour|ca (?:nous|me) va|on le met|on les met|mets aux voix|"
    r"soumets au vote|qui est pour|c est regle|c est reglee|personne n est contre|"
    r"(?:pas d|aucune|sans) (?:objections?|oppositions?)|"
    # a commission's count and opinion: "Donc deux pour, six contre, une abstention. L'avis de
    # la commission est défavorable."
    r"\w+ (?:voix )?pour \w+ contre|avis (?:de (?:la|le|l) \w+ )?(?:est )?defavorable|"
    r"on (?:oublie|abandonne|laisse tomber|annule) [\w ]{3,60}? on (?:fait|prend|part sur|passe a|"
    r"garde|choisit)|on (?:corrige|rectifie)|"
    # the chair settling a point in so many words: "Alors on évacue le Mas-Neuf.", "Bon, on
    # répare pour finir la saison" (not "alors on passe au point deux", "donc on a reçu…",
    # "bon on en reparlera")
    rf"{_CHAIR_SETTLING}"
)
DECISION_RE = re.compile(
    rf"\b({_DECIDE}|entendu|abstention\w*|qui est (?:pour|contre)|voix (?:pour|contre))\b"
)
STRONG_DECISION_RE = re.compile(rf"\b({_DECIDE})\b")
# What a point proposed just before becomes when someone settles it with "on" and a pronoun
# for it: "On l'annule, et on le reporte en septembre.", "La double authentification, on la
# fait.", "On les paie." Not in a question, a condition or a subordinate clause ("si on le
# fait", "ce qu'on les paie"), nor with a verb that settles nothing (see ``_NOT_SETTLING``), a
# future, a conditional, an imperfect ("on le demandait depuis deux ans"), a state that lasts
# ("on la demande depuis septembre"), a past ("on les leur a demandées"), "on le note", "on le
# remet" (a deferral) or "on les connaît".
_INDIRECT_QUESTION_RE = re.compile(r"\b(?:savoir|quel|quelle|quels|quelles|combien|comment)\b")
_PRONOUN_SETTLES_RE = re.compile(
    r"\b(?<!\bsi )(?<!\bqu )(?<!\bquand )(?<!\bcomme )(?<!\bcomment )(?<!\bou )(?<!\bque )"
    r"(?<!\blorsqu )(?<!\bpourquoi )(?<!\bdont )"
    rf"on (?:l|le|la|les) (?:(?:leur|lui|y|en) )?(?!(?:{_NOT_SETTLING}|leur|lui|note|sait|connait|remet|"
    r"(?!fait\b)\w+(?:ra|rai|rait|raient|ait|aient))\b)[a-z]{3,}\b(?! depuis\b)"
)
# Negated or deferred statements that must not count as decisions: "rien n'est décidé",
# "pas encore validé", "on ne tranche pas", "n'a pas été voté", and as speech and ASR drop the
# "ne": "on tranche pas", "rien est décidé".
_VERBS = r"(decid\w*|tranch\w*|valid\w*|vot\w*|adopt\w*|arret\w*|acte\w*|decision\w*|accord)"
# Time words that date no decision: "la prochaine séance" (when it is put off to)
_NOT_A_DATE = {"prochain", "prochaine"}
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
# A point sent on to another meeting, dated or not ("ajourné au prochain comité en mars",
# "on inscrit un point tritium à la séance de juin", "renvoyé au conseil pédagogique", "on le
# met à l'ordre du jour de l'AG de juin").
TO_MEETING_RE = re.compile(
    # the point put off, as its subject ("le dossier est ajourné…"), to where the clause ends
    r"(?:\b(?:le|la|les|l|ce|cette|ces)\s+\w+(?:\s+\w+)?\s+(?:est|sont|a ete|ont ete)\s+)?"
    r"\b(?:report\w*|renvoy\w*|renvoi\w*|ajourn\w*|inscri\w*\s+(?:un|le|ce)\s+point)\b"
    r"[^.;:()]*?\b(?:a|au|aux|en)\s+(?:la\s+|l\s+|le\s+)?(?:prochaine?\s+)?(?:seance|reunion|"
    r"commission|conseil|comite|bureau|assemblee|ag|codir|crex|directoire|retro|cme|pleniere)\b"
    r"[^.;:()]*"
    # "on le met à l'ordre du jour de l'assemblée générale de juin"
    r"|\b(?:met|mets|mettons|mettra|inscri\w*)\s+a l ordre du jour\s+(?:de|du|des)\s+(?:la\s+|l\s+|le\s+)?"
    r"(?:prochaine?\s+)?(?:seance|reunion|commission|conseil|comite|bureau|assemblee|ag|codir|copil|"
    r"cme|pleniere)\b[^.;:()]*"
)
# A discussion announced for later ("on en discutera à la révision du projet médical, à
# l'automne", "on y reviendra en septembre"): nothing is decided, even with a date said.
DISCUSS_LATER_RE = re.compile(
    r"\b(?:on|nous)\s+(?:en|y|le|la|les|l)?\s*(?:re)?(?:discuter|parler|reparler|revenir|"
    r"reviendr|regarder|verr|examiner|aborder|etudier|voir)(?:a|ons|ez)\b"
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


# "Arrêté" as a noun (a decree: "les arrêtés de dérogation", "vous prenez l'arrêté ?") states no
# decision of the meeting; "le budget est arrêté", "arrêtons" do.
DECREE_NOUN_RE = re.compile(
    r"\b(?:les|l|un|des|cet|ces|de|d|son|leur|mon|notre|votre|prendre|prenez|prends)\s+"
    r"arretes?\b"
)


# A decision word in a clause of time ("je vous l'envoie dès qu'elle est fixée", "quand ce
# sera validé"): what will happen once it is decided, not a decision taken. Not a condition
# ("Si le feu est fixé cette nuit, oui." accepts on a condition), nor "pour une fois".
PENDING_RE = re.compile(
    r"\b(?:des qu|aussitot qu|sitot qu|quand|lorsqu|(?<!pour )une fois|apres qu)\s+(?:\w+\s+){0,3}?"
    rf"(?:{_DECIDE})\b"
)


# A decision word in a hypothesis ("Si vous nous dites que c'est bon, on vote des deux mains."):
# nothing is settled yet. Not the chair's call for assent ("S'il n'y a pas d'objection, c'est
# adopté", "si tout le monde est d'accord, on valide", "si ça vous va, on part là-dessus").
HYPOTHESIS_RE = re.compile(
    r"\bsi\s+(?!personne|tout le monde|pas d|aucun|nul|ca vous|ca convient|vous etes (?:tous )?d|"
    r"vous en etes|c est bon pour|vous le voulez|chacun|l assemblee|le conseil|la commission|"
    r"le comite|le bureau|il n y a|y a pas)(?:[a-z]+\s+){1,10}?"
    rf"(?:on|nous|c est|ce sera)\s+(?:[a-z]+\s+){{0,2}}?(?:{_DECIDE})\b"
)

# Another body's decision put as a condition ("Si jamais le directoire le retient, je lancerai la
# consultation"): what it would decide is not decided here.
CONDITIONAL_BODY_RE = re.compile(
    r"\bsi\s+(?:jamais\s+|un jour\s+)?(?:le|la|les|l|leur|notre|votre)\s+[^,.;:!?]{0,60}?"
    r"\b(?:retien\w*|retenu\w*|valid\w*|approuv\w*|accept\w*|adopt\w*|vot(?:e|ent)|decid\w*)\b"
)


# The chair closing the meeting ("Bon. On arrête là pour ce soir.", "on s'arrête ici"): "arrête"
# there settles nothing.
CLOSING_RE = re.compile(
    r"\bon (?:s )?arrete (?:la|ici|pour (?:ce soir|aujourd hui|ce matin|cet apres midi))\b"
)


# Decision words that take no decision of this meeting: the power of another body ("c'est
# l'assemblée générale qui fixe la cotisation") and a choice recalled from the past ("l'an
# dernier on avait décidé…", "ils avaient voté contre").
NOT_OURS_RE = re.compile(
    rf"\bc est (?:\w+\s+){{1,5}}qui\s+(?:\w+\s+){{0,2}}(?:{_DECIDE})\b"  # "…qui l'a décidé"
    # whose power it is ("c'est à la CME de valider"), and a choice made by another body
    # ("c'est décidé par l'ARS", "validé par la préfecture")
    rf"|\bc est (?:a|au|aux)\s+(?:\w+\s+){{1,5}}?(?:de|d)\s+(?:{_DECIDE})\b"
    # ("voté par le conseil" is left out: in a council's meeting it is its own vote)
    r"|\b(?:decide|valide|arbitre|impose|tranche|fixe|arrete)e?s?\s+par\b"
    # "La charte est adoptée par la commission de la recherche, pas par nous."
    rf"|\b(?:{_DECIDE})\b[^.;]*?\bpas par nous\b"
    # "C'est une décision de la DT pour tout le département, pas la nôtre."
    r"|\bc est une decision (?:de|du|des)\b"
    r"|\b(?:decide|valide|arbitre|tranche|arrete|fixe)e?s?\s+au niveau (?:de|du|des)\b"
    # taking note is no decision ("la commission prend acte, pas de vote"); nor one person's
    # consent, nor a consent still needed ("il faut que l'adjoint soit d'accord")
    r"|\b(?:prend|prends|prenons|prennent|pris) acte\b"
    r"|\b(?:il|elle|ils|elles) (?:est|sont|serait|seraient) d accord\b"
    r"|\bil faut (?:d abord )?que (?:\w+ ){1,6}soi(?:t|ent) d accord\b"
    # a choice recalled from the past ("adopté par la CME l'an dernier", "validé il y a un an");
    # not a thing of that time named next ("Adopté. Et les comptes de l'an dernier…")
    rf"|\b(?:{_DECIDE})\b(?:\s+\w+){{0,5}}?\s+(?<!\bde\s)(?:l an dernier|l annee derniere|"
    r"la semaine derniere|le mois dernier|il y a (?:\w+\s+)?(?:ans?|mois|semaines?))\b"
    rf"|\b(?:avait|avaient|avions|aviez)\s+(?:(?:\w+\s+)?(?:ete|deja|tous|bien)\s+)?(?:{_DECIDE})\b"
    # "la convention, votée en conseil communautaire": a thing described by the vote that
    # made it, the participle right after its noun
    r"|\b(?:la|le|les|l|une|un|des)\s+\w+\s+(?:vote|adopte|approuve|valide|delibere)e?s?\s+"
    r"(?:en|par)\b"
    # "Le SAGE a été approuvé en 2014": a year said of a past choice
    rf"|\b(?:a|ont)\s+ete\s+(?:{_DECIDE})\b(?:\s+\w+){{0,3}}?\s+en\s+(?:19|20)\d\d\b"
)


# Another body's decision, reported ("le conseil d'administration a voté le budget la semaine
# dernière, la participation est fixée à…", "le secrétariat général a arbitré : …", "la
# préfecture a pris un arrêté, vente d'alcool interdite…"): the whole
# sentence is that body's, not this meeting's.
OTHER_BODY_RE = re.compile(
    r"\b(?:le|la|l|les)\s+(?:[a-z]+\s+){0,5}?(?:a|ont|avait|avaient)\s+(?:deja\s+|bien\s+)?"
    r"(?:vote|decide|arbitre|fixe|adopte|valide|tranche|acte|approuve|entendu|signe|arrete|"
    r"pris (?:un|une|des) (?:arrete|decision|deliberation)s?)\b"
    # or will decide ("le conseil d'administration votera le budget le 18")
    r"|\b(?:le|la|l|les)\s+(?:[a-z]+\s+){0,5}?(?:votera|voteront|decidera|decideront|validera|"
    r"valideront|tranchera|trancheront|arbitrera|statuera|statueront)\b"
)


def not_reported(text: str) -> str:
    """``text`` without the sentences that report another body's decision, nor those that go
    on reporting it ("…a voté lundi les projets lauréats. Pour la Gare, ce sont les bancs qui
    ont été retenus."): after a report, only what "on" / "nous" say is this meeting's."""
    kept, reporting = [], False
    for sentence in SENTENCE_RE.findall(text):
        norm = normalize(sentence)
        reporting = bool(OTHER_BODY_RE.search(norm)) or (
            reporting and not re.search(r"\b(?:on|nous)\b", norm)
        )
        if not reporting:
            kept.append(sentence)
    return " ".join(k.strip() for k in kept)


def states_decision(text: str) -> bool:
    """Whether ``text`` says that a point is settled: decision words that are not negated,
    deferred, questioned or another body's (:func:`settled`), or a point settled with "on" and a
    pronoun for it in a sentence that asks nothing (``_PRONOUN_SETTLES_RE``)."""
    if STRONG_DECISION_RE.search(settled(text)):
        return True
    for sentence in SENTENCE_RE.findall(text):
        if sentence.strip().endswith("?"):
            continue
        norm = settled(sentence)
        m = _PRONOUN_SETTLES_RE.search(norm)
        # not in an indirect question ("la question est de savoir sur quelle ligne on les
        # finance")
        if m and not _INDIRECT_QUESTION_RE.search(norm[: m.start()]):
            return True
    return False


# A question asking which or how ("Quel produit, quelle dose, quel taux de mortalité on
# accepte ?"): its decision words settle nothing; not the call of a vote ("Qui est pour ?").
_WH_QUESTION_RE = re.compile(
    r"(?:^|(?<=[.!?…:]))\s*(?:quel|quelle|quels|quelles|combien|comment|pourquoi|où|"
    r"qui(?!\s+(?:est|vote|s['’]abstient|ne prend pas)\b))\b[^.!?]*\?",
    re.IGNORECASE,
)


def settled(text: str) -> str:
    """Normalised ``text`` without its negated, deferred or questioned decision words ("rien
    n'est décidé", "on le met en attente", "on la fixe quand ?") and those that are not this
    meeting's ("c'est le conseil qui vote", "on avait décidé", a sentence reporting what
    another body voted): what is left states a decision only if one was taken."""
    text = not_reported(_WH_QUESTION_RE.sub(" ", text))
    # sentence by sentence: "…c'est le service transports qui décide, pas plus. Bon, on part
    # sur la patinoire." negates nothing of the next sentence
    return " ".join(_settled_sentence(x) for x in SENTENCE_RE.findall(text) if x.strip())


def _settled_sentence(sentence: str) -> str:
    norm = ACCORD_NOUN_RE.sub(" ", DEFERRED_CUE_RE.sub(" ", normalize(sentence)))
    norm = PENDING_RE.sub(" ", CLOSING_RE.sub(" ", DECREE_NOUN_RE.sub(" ", norm)))
    norm = CONDITIONAL_BODY_RE.sub(" ", HYPOTHESIS_RE.sub(" ", norm))
    norm = NOT_OURS_RE.sub(" ", norm)
    return NEGATED_RE.sub(" ", QUESTIONED_RE.sub(" ", norm))


QUESTION_RE = re.compile(
    r"\?|\b(reste|restent|suspens|pas encore|a voir|on verra|report\w*|a etudier|a revoir|"
    r"on en reparle\w*|question|incertain\w*|sais pas|savons pas|prochaine)\b"
)
# A decision phrased as a task for someone ("Julien, tu formeras…", "je transmettrai…").
TASK_RE = re.compile(
    r"\btu \w+ras\b|\bje \w+rai\b|\bje m en (?:charge|occupe)\b"
    # "La réunion décide de confier la tâche de trouver un autre preneur à Thierry"
    r"|\bconfier (?:la tache|le soin|la mission|le travail) (?:de|d)\b"
)
# Decisions are impersonal: a first/second person singular or reported speech is a quote
# ("je pense pouvoir…", "Marc a déclaré que…"), not the meeting's decision.
QUOTE_RE = re.compile(r"\b(je|j|tu)\b|\b(a declare|a dit|a indique|a propose|a suggere)\b")
# Verbs that name no work to do after the meeting ("attendre le nouveau prestataire").
# verbs of waiting, opinion or feeling: "Assumer le report" (from "c'est un report, je
# l'assume") is no task
WAITING_VERBS = {
    "attendre",
    "patienter",
    "hesiter",
    "preferer",
    "envisager",
    "assumer",
    "regretter",
    "aimer",
    "adorer",
    "croire",
    "redire",
    # being somewhere or greeting, having, owing, supposing: no work ("je siège à la commission
    # culture", "je salue M. Carpentier", "je dois y aller, pour mon train")
    "sieger",
    "saluer",
    "avoir",
    "devoir",
    "supposer",
    "entendre",
}
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


def foreign_script(text: str) -> bool:
    """Whether ``text`` holds letters of another script than the Latin one (a small model
    drifting into Chinese mid-sentence: "…sur les trois dernières年的"): such an item is not
    the meeting's words, whatever else it says."""
    return any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "") for ch in text)


_DECIDED_BY_RE = re.compile(
    rf"\s*({PERSON_NAME})\s+(?:a|ont)\s+(?:valid|d[ée]cid|accept|approuv|retenu|tranch)\w*"
)


def _decided_beside(rest: str) -> bool:
    """Whether a decision's normalised text, its deferral taken out, still says what is
    decided (words beyond the decision and settling words around it)."""
    rest = re.sub(r"\b(?:on fait comme ca|alors|bon|donc|ok)\b", " ", rest)
    return bool(content_tokens(STRONG_DECISION_RE.sub(" ", FRAMING_RE.sub(" ", rest))))


# The chair saying in the same breath that nothing is settled: "On garde l'idée, je ne tranche
# pas aujourd'hui."
_NOT_SETTLED_NOW_RE = re.compile(
    r"\b(?:je|on|nous)\s+(?:ne|n)\s+(?:\w+\s+)?(?:tranch|decid|arbitr|statu)\w*\s+(?:pas|rien)\b"
)
SAID_AS_WORDS = 3


def _left_open_as_said(text: str, cited: list[Segment]) -> bool:
    """Whether the sentence of the cited turns that says ``text`` also says it is not settled
    there and then."""
    opening = " ".join(normalize(text).split()[:SAID_AS_WORDS])
    return bool(opening) and any(
        opening in normalize(sentence) and _NOT_SETTLED_NOW_RE.search(normalize(sentence))
        for seg in cited
        for sentence in SENTENCE_RE.findall(seg.text)
    )


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

    if foreign_script(text):
        return rejected("texte hors de l'alphabet latin : réponse du modèle illisible")
    norm = normalize(text)
    if TASK_RE.search(norm):
        return rejected("formulée comme une tâche confiée à une personne (voir les actions)")
    if QUOTE_RE.search(norm):
        return rejected("propos rapportés, pas une décision de la réunion")
    decided_by = _DECIDED_BY_RE.match(text)
    if decided_by and index.participant_words(decided_by.group(1)):
        # "Mme Robin a validé la cellule de veille…", cited at her "Fin janvier, d'accord.":
        # what one participant agreed to, not what the meeting decided
        return rejected("attribuée à un participant, pas une décision de la réunion")
    cited = [index.by_id[i] for i in ids]
    # The decision may be stated in the cited turn or confirmed just after (vote, "adopté").
    evidence = index.around(ids, before=0, after=1)
    ev_norm = settled(_text(evidence))
    cited_norm = settled(_text(cited))
    if (
        not STRONG_DECISION_RE.search(ev_norm)
        and not DECISION_RE.search(cited_norm)
        and not any(states_decision(s.text) for s in evidence)
        # read in code: a proposal agreed to by whoever opens the next point, a point summed up
        # before the work is handed out (no decision word)
        and not item.get("settled_in_code")
    ):
        return rejected("le passage cité n'énonce pas de décision (idée, proposition ou report)")
    # clause by clause: "Cellule de veille mensuelle, pas le lundi (validé)." negates a detail,
    # not the decision
    if any(NEGATED_RE.search(normalize(part)) for part in re.split(r"[,;:.()]", text)):
        return rejected("formulée comme une absence de décision (rien n'est adopté ni tranché)")
    if _left_open_as_said(text, cited):
        return rejected("dite avec « je ne tranche pas » : une idée gardée, pas une décision")
    if DEFERRAL_RE.search(norm) and not time_tokens(text) - _NOT_A_DATE:
        return rejected("point reporté ou renvoyé sans date : pas une décision")
    if DISCUSS_LATER_RE.search(norm):
        return rejected("discussion annoncée pour plus tard : pas une décision")
    if TO_MEETING_RE.search(norm) and not _decided_beside(TO_MEETING_RE.sub(" ", norm)):
        # "On inscrit un point tritium à la séance de juin", "le dossier est ajourné au
        # prochain comité en mars": the point goes to another meeting, dated or not, and
        # nothing else is decided; a date moved ("marché reporté en septembre") or a vote
        # beside it ("les deux premiers votés, le troisième reporté au prochain conseil")
        # stays a decision
        return rejected("point renvoyé à une autre séance : pas une décision")
    # the turn that says what happens to the point: the cited one, or the one a bare "d'accord"
    # answers
    said = cited
    if all(is_acceptance(s.text) for s in cited):
        said = [s for s in index.around(ids, before=1, after=0) if s.id not in ids] or cited
    said_norm = settled(_text(said))
    if (
        DEFERRAL_RE.search(normalize(_text(said)))
        and not STRONG_DECISION_RE.search(said_norm)
        and not time_tokens(_text(said)) - _NOT_A_DATE
    ):
        # "on le met en attente", "reporté à la prochaine séance": the cited turn puts the point
        # off and decides nothing itself, whatever the model wrote (or a reply agrees to)
        return rejected("l'intervention citée reporte le point : pas une décision")
    if DISCUSS_LATER_RE.search(normalize(_text(said))) and not STRONG_DECISION_RE.search(said_norm):
        return rejected("l'intervention citée renvoie la discussion à plus tard : pas une décision")
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


# A reply that takes something on ("Ça marche.", "Entendu.", "Pas de souci."), not one that only
# agrees it is needed ("Oui, tout à fait.").
_TAKES_ON_RE = re.compile(
    r"^(?:(?:oui|ok|bon)\s+)?(?:ca marche|entendu|pas de (?:probleme|souci)|sans probleme|"
    r"aucun probleme|volontiers|c est note|je m en|je (?:le|la|les|l) |je (?:vais|peux))"
)


def _impersonal_need(text: str) -> bool:
    """A need said to nobody ("Il faudra prévenir les campings."): no "tu"/"vous", no name, no
    question."""
    norm = normalize(text)
    return (
        # "il me faudrait…" is the speaker's own need, put to whoever answers
        bool(re.search(r"\bil (?:nous )?(?:faudra|faudrait|faut)\b", norm))
        and not re.search(r"\b(?:tu|vous|votre|vos|ton|ta|tes)\b", norm)
        and "?" not in text
        and addressee(text) is None
    )


# A request that asks when ("Tu peux l'activer quand ?", "C'est faisable pour quand ?", "Il y a
# une date limite ?").
_ASKS_WHEN_RE = re.compile(
    r"\bquand\b|\bquel(?:le)? (?:jour|date|delai)\b|\bdate (?:limite|butoir)\b|\becheance\b"
)
ANSWER_OPENING_WORDS = 4


def answers_when(question: str, reply: str) -> bool:
    """Whether ``reply`` opens with a time in answer to ``question`` asking when ("Tu peux
    l'activer quand ?" / "Lundi, si Kevin me fait le tuto."): the one who answers takes it on,
    by then. Not a reply that opens by refusing ("Pas avant mars.")."""
    opening = " ".join(reply.split()[:ANSWER_OPENING_WORDS])
    return (
        bool(_ASKS_WHEN_RE.search(normalize(question)))
        and bool(time_tokens(opening))
        and deadline_of(reply) is not None
        and not re.search(r"\b(?:pas|non|jamais|impossible)\b", normalize(opening))
    )


def _dates_what_was_asked(seg: Segment, reply: Segment, index: TranscriptIndex) -> bool:
    """Whether ``reply``, said by the person ``seg`` asks by name, takes it on by saying when
    it will be done: "M. Hamon, vous pouvez la mettre en route rapidement ?" / "Le numéro peut
    être actif d'ici lundi." (not "Pas avant mars, on n'a personne.")."""
    named = addressee(seg.text)
    when = deadline_of(reply.text) or ""
    return (
        bool(named)
        and normalize(named) in tokens(index.speaker_display(reply) or "")
        # "d'ici lundi", "avant vendredi": a date the work is due by ("en juin je suis en
        # congé" is no such date)
        and bool(_BY_START_RE.match(when))
        and not re.search(r"\b(?:pas|non|impossible|jamais|plus)\b", normalize(reply.text))
    )


_FIRST_PERSON_OPENING_RE = re.compile(
    r"^(?:(?:oui|ok|d accord|bon|alors|bien sur|entendu|tres bien)\s+)*je\s+"
    r"(?:(?:le|la|les|l|lui|leur|vous|te|en|y)\s+)*\w+"
)


def _echoes_request(request: str, reply: str) -> bool:
    """Whether ``reply`` takes on what ``request`` asks by saying its verb in the first person
    first thing ("M. Tessier, vous pouvez demander au secrétariat général s'il y en a un ?" /
    "Je demande, oui. Cette semaine."): "je demande" alone reads as a question put, not work."""
    asked = spoken_task(request)
    if asked is None or asked[1] != "tu":
        return False
    opening = _FIRST_PERSON_OPENING_RE.match(normalize(reply))
    return (
        opening is not None
        and verb_said(asked[0], opening.group(0))
        and not re.search(r"\b(?:ne|n|pas|jamais|plus)\b", normalize(reply))
    )


def _paired_turn(seg: Segment, index: TranscriptIndex) -> tuple[Segment | None, str]:
    """The turn that completes a request or an acceptance: the short reply accepting ``seg``
    (``"reply"``), or the request that ``seg`` accepts (``"request"``); else ``(None, "")``."""
    nxt, prev = index.neighbour(seg.id, 1), index.neighbour(seg.id, -1)
    if (
        nxt is not None
        and nxt.speaker != seg.speaker
        and is_request(seg.text)
        and (
            commits_self(nxt.text)
            or _echoes_request(seg.text, nxt.text)
            or answers_when(seg.text, nxt.text)
            or _dates_what_was_asked(seg, nxt, index)
            or (
                (is_acceptance(nxt.text) or opens_with_acceptance(nxt.text))
                and (not _impersonal_need(seg.text) or _TAKES_ON_RE.match(normalize(nxt.text)))
            )
        )
    ):
        # "Il faudra prévenir les campings." / "Oui, tout à fait.": agreeing that it is needed
        # is not taking it on; "Oui, je m'en occupe." is
        return nxt, "reply"
    if (
        nxt is not None
        and nxt.speaker != seg.speaker
        and offers_work(seg.text)
        and (is_acceptance(nxt.text) or opens_with_acceptance(nxt.text))
    ):
        # "…Je peux sortir la liste, triée par pays." / "Oui, très bien, on fait comme ça. Tu
        # peux l'avoir pour quand ?": an offer taken up, not an answer to the turn before
        return nxt, "reply"
    if (
        prev is not None
        and prev.speaker != seg.speaker
        and (is_acceptance(seg.text) or opens_with_acceptance(seg.text) or commits_self(seg.text))
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
    the subject of the future that says ``task`` ("le directeur des systèmes d'information
    fera le point" → that director); the speaker of a short acceptance right after ("Oui, je
    m'en occupe"), or of the acceptance cited when the request is just before; else the model's
    owner, kept only when :func:`check_owner` finds it near the citation. Replacements and
    rejections go to ``notes``.
    """
    seg = index.by_id[ids[0]]
    pair, role = _paired_turn(seg, index)
    asked = index.neighbour(seg.id, -1)  # the turn before, which may ask who does it
    said: str | None = None
    named = addressee(seg.text)
    own = _task_sentences(seg.text, task)
    # "Je porterai le résultat en commission, en janvier. Mme Royer, vous m'envoyez les
    # résultats ?": the speaker's own task, said apart from the request to someone else
    speaker_owns = bool(named) and own != seg.text and commits_self(own) and not addressee(own)
    clause = " ".join(c for c in re.split(r",|\bet\b", own) if task and verb_said(task, c))
    if (
        named
        and clause
        and commits_self(clause)
        and not re.search(r"\b(?:tu|vous)\b", normalize(clause))
    ):
        # "Mme Roux, vous préparez le bon de commande, je le signe la semaine prochaine.": the
        # signing is the speaker's, said in a clause of its own
        speaker_owns = True
    handed = third_party_present(seg.text, asked.text if asked else "")
    delegated = delegated_task(seg.text)
    if delegated and task and same_verb(delegated[0], task):
        # "Je demande au service comptable de mettre à jour la grille": who is asked
        said = _participant_named(delegated[1], index) or delegated[1]
    elif (
        handed
        and task
        and same_verb(handed[0], task)
        and not commits_self(_task_sentences(seg.text, task))
    ):
        # "Oui, faites-le. Et le service communication prépare l'affiche pour le 10 février."
        said = _participant_named(handed[1], index) or handed[1]
    elif (
        not named
        and task
        and asked is not None
        and asked.speaker != seg.speaker
        and any(same_verb(v, task) for v in tu_imperatives(seg.text))
    ):
        # "Je peux faire une permanence téléphonique." / "Oui, très bien, fais-le. Et envoie un
        # petit tutoriel aux directeurs.": the one the speaker answers
        said = index.speaker_display(asked) or None
    elif (
        role == "reply"
        and pair is not None
        and task
        and verb_said(task, pair.text)
        and not verb_said(task, seg.text)
    ):
        # "Il me faudra votre prévision, pour que je l'intègre…" / "Je vous l'envoie avant le
        # 30.": the task is said by who takes it on
        said = index.speaker_display(pair) or None
    elif (
        speaker_owns
        # "Je peux faire l'affiche !" / "D'accord, Hugo, tu fais l'affiche…": the one named
        or (role == "request" and not (named and not commits_self(_task_sentences(seg.text, task))))
        or (commits_self(seg.text) and not named)
        # "Je peux relayer sur les réseaux de l'association.": the speaker offers this very task
        or (not named and task and (offer := offered_task(seg.text)) and same_verb(offer, task))
    ):
        said = index.speaker_display(seg) or None
    elif named and pair is not None and normalize(named) in TITLES and role == "reply":
        # "Capitaine, vous orientez les gens là-bas ?" / "Oui, je passe la consigne.": the
        # captain is who answers
        said = index.speaker_display(pair) or named
    elif named:
        said = _participant_named(named, index) or named
    elif commits_self(seg.text):
        said = index.speaker_display(seg) or None
    elif third := _third_party(seg.text, task, asked.text if asked else ""):
        # "Le secrétariat vous enverra un sondage." / "D'accord.": the secretariat, not who
        # agreed; "Mes équipes feront une reconnaissance": the speaker
        said = (
            index.speaker_display(seg) or None
            if third == "je"
            else _participant_named(third, index) or third
        )
    elif pair is not None:
        said = index.speaker_display(pair) or None
    elif (
        asked is not None
        and asked.speaker != seg.speaker
        and imperative_request(seg.text)
        and re.search(r"\bje\b[^?]*\?", asked.text, re.IGNORECASE)
    ):
        # "Et la commission, je la réunis quand ?" / "Réunissez-la en juin.": who asked
        said = index.speaker_display(asked) or None
    if said and named and not speaker_owns:
        said = _handed_over(seg, index) or said
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


# A task handed to someone else in a few words ("Jean, tu peux le prendre ?", "Sophie, vous
# pouvez vous en charger ?"): the pronoun stands for the task asked just before.
_HAND_OVER_RE = re.compile(
    r"\b(?:tu|vous)\s+(?:peux|pouvez|pourrais|pourriez)\s+(?:le|la|les|l|t en|vous en|en)\s+"
    r"(?:prendre|reprendre|faire|charger|occuper|porter|assurer)\b"
)
HAND_OVER_TURNS = 3
HAND_OVER_WORDS = 15
_VOLUNTEERS_RE = re.compile(
    r"\bje\s+(?:(?:le|la|les|l|m en|m)\s+)?\w+\s*,?\s*moi\b|\blaissez\b|\bje m en (?:occupe|charge)\b"
    r"|\bje (?:le|la|les|l) prends\b"
)
_TAKEN_OVER_RE = re.compile(
    rf"{CLEFT_NAME}(?:s['’]\s*en|le|la|les|l['’])\s*"
    r"(?:occupe|chargera|charge|occupera|fait|fera|prend)\b"
)


def _handed_over(seg: Segment, index: TranscriptIndex) -> str | None:
    """Who takes on the task asked in ``seg`` when the person asked does not, and the task is
    handed to another in the next turns ("Thomas, tu peux le présenter au bureau de juin ?" /
    "En juin je suis en congé." / "Jean, tu peux le prendre ?" / "Oui, je m'en occupe." →
    Jean); ``None`` when it stays with the person asked."""
    for step in range(1, HAND_OVER_TURNS + 2):
        # "Finalement, c'est Marc qui s'en occupe.": handed over in so many words
        turn = index.neighbour(seg.id, step)
        m = _TAKEN_OVER_RE.search(turn.text) if turn is not None else None
        if m and len(turn.text.split()) <= HAND_OVER_WORDS:
            return _participant_named(m["who"], index) or m["who"]
    reply = index.neighbour(seg.id, 1)
    if reply is None or is_acceptance(reply.text) or commits_self(reply.text):
        return None
    for step in range(2, HAND_OVER_TURNS + 2):
        turn = index.neighbour(seg.id, step)
        if turn is None:
            return None
        if (
            turn.speaker not in (seg.speaker, reply.speaker)
            and commits_self(turn.text)
            and _VOLUNTEERS_RE.search(normalize(turn.text))
        ):
            # "Je peux, mais j'ai déjà le communiqué…" / "Laissez, je les appelle, moi." :
            # a third person takes it on
            return index.speaker_display(turn) or None
        other = addressee(turn.text)
        if other and _HAND_OVER_RE.search(normalize(turn.text)):
            answer = index.neighbour(turn.id, 1)
            if answer is not None and (is_acceptance(answer.text) or commits_self(answer.text)):
                return index.speaker_display(answer) or _participant_named(other, index) or other
            return None
    return None


def _third_party(text: str, task: str, context: str = "") -> str | None:
    """The third party ``text`` names as doing ``task`` ("les services techniques passeront
    voir la cour"), as said, or ``"je"`` for the speaker's own people ("mes équipes
    feront…"); ``None`` when it names none or another task."""
    if not task:
        return None
    found = spoken_task(text, context)
    if found and found[1] != "tu" and same_verb(found[0], task):
        return found[1]
    return None


def same_verb(a: str, b: str) -> bool:
    """Whether two tasks start with the same verb ("Faire le point" ~ "faire un point")."""
    wa, wb = tokens(a)[:1], tokens(b)[:1]
    return bool(wa and wb) and stem(wa[0]) == stem(wb[0])


# A reply that takes on what was asked through a pronoun ("je peux le prendre lundi matin",
# "je leur envoie un courrier", "je fais ça la semaine prochaine"), unless the pronoun stands
# for a thing named at the head of the sentence ("Le courrier aux familles, je le fais
# partir…").
_BACK_REFERENCE_RE = re.compile(
    r"\b(?:je|j|on)\s+(?:(?:vais|peux|veux|dois|va|peut)\s+)?(?:le|la|les|l|lui|leur|en)\s+\w"
    r"|\b(?:fais|ferai|faire|fait|fera)\s+(?:ca|cela)\b"
    # "Je m'en occupe, je vois ça avec eux cette semaine": how the asked task gets done
    r"|\bm en (?:occupe|charge)\b|\b(?:vois|voir|verrai|regarde)\s+(?:ca|cela)\s+avec\b"
)
_DISLOCATED_RE = re.compile(
    r"\b(?:le|la|les|l['’])\s*[^,.;:?!]{3,60},\s*(?:je|j['’]|on|nous)\s", re.IGNORECASE
)
# When work starts ("dès lundi", "à partir de mardi"), not when it is due.
_STARTS_RE = re.compile(r"(?:d[èe]s|[àa] partir d)\b", re.IGNORECASE)
# A deadline said with "d'ici", "avant", "pour", "dès"… (just before it or opening it): a
# deadline, not a date in passing ("ce n'est pas l'objet du vote aujourd'hui").
_BY = r"(?:d['’ ]ici|avant|au\s+plus\s+tard|d[èe]s|pour|sous)\b"
_BY_BEFORE_RE = re.compile(
    rf"\b{_BY}(?:\s+[^\s,]+){{0,3}}\s*$", re.IGNORECASE
)  # "pour le conseil du"
_BY_START_RE = re.compile(rf"^{_BY}", re.IGNORECASE)  # "Pour la prochaine réunion de pôle"


def _other_task(text: str, task: str) -> bool:
    """Whether ``text`` gives or takes a task of its own, said with its object, other than
    ``task`` ("Oui, c'est faisable. J'appelle la région cette semaine." after "vous complétez
    l'annexe ?"): a deadline said there is that task's, not ``task``'s. Taking on what was
    asked through a pronoun ("Je vous l'envoie la semaine prochaine.") is the same task."""
    deadline = deadline_of(text)
    clause = text[: text.index(deadline) + len(deadline)] if deadline and deadline in text else text
    found = spoken_task(clause)
    if (
        found is None
        or len(found[0].split()) < 2
        or same_verb(found[0], task)
        or verb_said(task, clause)
        # the same thing taken on by whoever speaks or is asked ("vous prenez l'arrêté ?" /
        # "je signe l'arrêté ce soir"), not by a third party ("Je reprends contact avec
        # l'architecte pour les plans. Et le secrétariat transmettra ces plans d'ici la fin
        # du mois.": the month is the secretariat's)
        or (
            found[1] in ("je", "tu")
            and set(content_tokens(found[0])[1:]) & set(content_tokens(task)[1:])
        )
    ):
        return False  # the same task, or the same thing
    return not (_BACK_REFERENCE_RE.search(normalize(clause)) and not _DISLOCATED_RE.search(clause))


_REPORT_BACK_RE = re.compile(
    r"\b(?:je|j['’])\s*(?:vous|te)\s+(?:dis|dirai|redis|redirai|confirme|confirmerai|"
    r"tiens au courant|tiendrai au courant|fais (?:un )?retour|ferai (?:un )?retour)\b"
    r"|\bje reviens vers (?:vous|toi)\b",
    re.IGNORECASE,
)


_CLAUSE_RE = re.compile(r"[^,;:]+(?:[,;:]|$)")
# a refusal, not "pas de souci" (an acceptance) nor "je ne peux que lundi" (only then)
_NEGATED_RE = re.compile(
    r"\b(?:ne|n)\b(?!.*\bque?\b)|\bpas\b(?! de (?:souci|soucis|probleme|problemes)\b)|\bjamais\b"
)


def _without_refusals(text: str, task: str) -> str:
    """``text`` without its negated clauses that do not say ``task``'s verb: "je ne peux pas
    vous répondre ce soir, il faut que j'en parle avec l'adjoint" does not date the talk."""
    if not task:
        return text
    kept = [
        c
        for c in _CLAUSE_RE.findall(text)
        if not (_NEGATED_RE.search(normalize(c)) and not verb_said(task, c))
    ]
    return " ".join(kept) if kept else text


# A date put again in place of the one just said: "Disons lundi, alors.", "Plutôt jeudi."
_RESTATED_WHEN_RE = re.compile(
    r"\s*(?:(?:bon|alors|et|euh|non)[\s,]+)*(?:disons|plut[ôo]t)\b", re.IGNORECASE
)
_DATE_FIRST_RE = re.compile(
    r"\s*(?:(?:et|alors|disons|plut[ôo]t|normalement|sans\s+doute|euh)[\s,]+)*", re.IGNORECASE
)


def _task_deadline(text: str, task: str) -> str | None:
    """The deadline ``text`` gives ``task``: said in the sentences that say its verb, else
    said as a deadline ("pour…", "avant…") in the sentence right after them, if it gives no
    other task ("Léa, tu prépares les supports ? Il nous faudrait une maquette pour la
    prochaine réunion."); the whole text's when no sentence says the verb."""
    sentences, saying = _verb_sentences(text, task)
    if not saying:
        return deadline_of(_without_refusals(text, task)) or _clause_deadline(text, task)
    found = deadline_of(_without_refusals(" ".join(sentences[i] for i in saying), task))
    if found:
        # "…je le vois mardi en bureau municipal, mais ce sera trop tôt. Disons avant le 20.":
        # the date said again right after, in place of the first
        for sentence in sentences[saying[-1] + 1 : saying[-1] + 2]:
            again = deadline_of(sentence)
            if again and _RESTATED_WHEN_RE.match(sentence) and not _other_task(sentence, task):
                return again
        return found
    for sentence in sentences[saying[-1] + 1 : saying[-1] + 2]:  # the sentence right after
        later = deadline_of(sentence)
        before = sentence[: sentence.find(later)] if later and later in sentence else ""
        if (
            later
            and (
                _BY_BEFORE_RE.search(before)
                or _BY_START_RE.match(later)
                # "je regarde si on peut repousser le gel. Je vous dis ça la semaine
                # prochaine.": when the answer comes back is when the checking is done
                or _REPORT_BACK_RE.search(before)
                # "…je prends rendez-vous avec la cadre sage-femme. La semaine prochaine, si
                # elle est disponible.": a sentence that opens with the date adds it
                # (not "Fin janvier pour le POSS, ça te va ?", a date put to another)
                or (_DATE_FIRST_RE.fullmatch(before) and not sentence.rstrip().endswith("?"))
            )
            and not _other_task(sentence, task)
        ):
            return later
    return None


# A second clause with its own subject inside one sentence: "Je vous envoie la liste la semaine
# prochaine, et je la remettrai à jour après la vague de mi-mai."
_SECOND_CLAUSE_RE = re.compile(
    r",?\s+(?:et|mais|puis)\s+(?=(?:je|j['’]|on|nous|tu|vous|il|elle|ils|elles)\b)|;"
    # "ce sera fait avant les fêtes et pour les horaires c'est la communication qui gère": the
    # talk turns to another thing
    r"|,?\s+et\s+(?=pour\s+(?:le|la|les|l['’]|ce|cette|ces)\s)",
    re.IGNORECASE,
)


def _clause_deadline(text: str, task: str) -> str | None:
    """The one deadline said in the clauses of ``text`` that say ``task``'s verb, when the
    whole text says several (each clause its own: "Je vous envoie la liste la semaine prochaine,
    et je la remettrai à jour après la vague de mi-mai")."""
    if not task:
        return None
    clauses = [c for c in _SECOND_CLAUSE_RE.split(text) if c and c.strip()]
    saying = [c for c in clauses if verb_said(task, c)]
    if (
        len(clauses) < 2
        or not saying
        or len(saying) == len(clauses)
        # "je ne demande pas de vote aujourd'hui je ferai une proposition…" (ASR text): what is
        # not done today, run into the task's clause
        or any(re.search(r"\b(?:ne|n|pas)\b", normalize(c)) for c in saying)
    ):
        return None
    return deadline_of(" ".join(saying))


def _later_task_dated(reply: str, task: str) -> bool:
    """Whether the one deadline of ``reply`` is said in a later sentence that gives a task of
    its own: "Oui, je les appelle. Et je lance la modification courant janvier." (January is
    the modification's, not the call's)."""
    found = deadline_of(reply)
    sentences = [x for x in SENTENCE_RE.findall(reply) if x.strip()]
    return bool(found) and any(
        i > 0 and found in x and _other_task(x, task) for i, x in enumerate(sentences)
    )


def _reply_deadline(text: str, task: str) -> str | None:
    """The deadline a reply gives ``task``: in a sentence of it that gives no other task."""
    sentences = [x for x in SENTENCE_RE.findall(text) if x.strip()] or [text]
    # the sentence that takes the task on first ("Alors là, pour février, il faut que les
    # courriers partent début janvier. Je les prépare… non, je plaisante, je les prépare la
    # semaine de la rentrée."), what follows a correction of it
    saying = [x for x in sentences if task and verb_said(task, x)]
    # "Vendredi je suis en formation toute la journée… Plutôt lundi ?": the date put instead
    instead = [x for x in sentences if _RESTATED_WHEN_RE.match(x)]
    for sentence in instead + saying + sentences:
        found = deadline_of(after_self_correction(sentence))
        if found and not _other_task(sentence, task):
            return found
    return None


ASKED_WHEN_WORDS = 8  # "Vous le mettez en place quand ?", not a new request that asks when


def _asked_when_answer(seg: Segment, index: TranscriptIndex, task: str) -> Segment | None:
    """The turn that answers "pour quand ?" asked right after ``seg`` ("Julie, tu peux
    relire…" / "Oui. Euh, pour quand ?" / "D'ici vendredi, si c'est possible ?"), when it says
    a deadline and no other task."""
    question = index.neighbour(seg.id, 1)
    if question is None:
        return None
    # the question may close an acceptance: "Oui, très bien, on fait comme ça. Tu peux l'avoir
    # pour quand ?"
    sentences = [x for x in SENTENCE_RE.findall(question.text) if x.strip()]
    asked = sentences[-1] if sentences and sentences[-1].strip().endswith("?") else question.text
    if (
        not ("?" in asked or not re.search(r"[.!?,]", asked))  # ASR: no marks
        or not _ASKS_WHEN_RE.search(normalize(asked))
        or len(normalize(asked).split()) > ASKED_WHEN_WORDS
    ):
        return None
    answer = index.neighbour(question.id, 1)
    if (
        answer is not None
        and answer.speaker != question.speaker
        and _when_answered(answer.text, task)
    ):
        return answer
    return None


# An answer to "pour quand ?" that names the occasion the work is for: "Pour la réunion des
# surveillants, comme ça on les distribue à ce moment-là."
_OCCASION_RE = re.compile(
    r"^(?:(?:oui|alors|euh|bon|ben|eh bien)\W+)*((?:pour|avant|d['’ ]ici)\s+(?:la|le|les|l['’])\s*"
    r"[\w\-]{3,}(?:\s+(?:des|du|de\s+la|de\s+l['’]|d['’])\s*[\w\-]{3,})?)",
    re.IGNORECASE,
)


def _when_answered(answer: str, task: str) -> str | None:
    """The deadline an answer to "pour quand ?" gives: a date, or the occasion it opens with."""
    found = _reply_deadline(answer, task)
    if found:
        return found
    occasion = _OCCASION_RE.match(answer.strip())
    return occasion.group(1) if occasion else None


def _asking_part(request: str) -> str:
    """The request without the sentences where its speaker takes work on: "Oui, je les pose
    la veille, le 17 au matin. Il me faut les arrêtés, par contre." asks for the arrêtés, by
    no date."""
    sentences = [x for x in SENTENCE_RE.findall(request) if x.strip()]
    first = next((i for i, x in enumerate(sentences) if is_request(x)), 0)
    # "On part là-dessus : samedi 13 mars, sur le marché. Mme Roussel, pour les kits ?": what
    # was settled before the request is not the request's deadline
    asking = [x for x in sentences[first:] if is_request(x) or not commits_self(x)]
    return " ".join(asking) if asking and len(asking) < len(sentences) else request


def _requests_other_verb(text: str, task: str) -> bool:
    """Whether ``text`` asks someone for work with another verb than ``task``'s."""
    asked = spoken_task(text)
    return asked is not None and asked[1] == "tu" and not same_verb(asked[0], task)


def _asks_another_task(request: str, task: str) -> bool:
    """Whether ``request`` asks for another task than ``task``, which the reply took on
    instead ("Vous refaites les fiches ? Avant fin avril." / "Oui. Par contre le paramétrage,
    ce n'est pas moi. Je leur transmets la délibération."): the request's deadline is not
    that task's."""
    return bool(task) and _requests_other_verb(request, task) and not verb_said(task, request)


def _restates_commitment(text: str, task: str) -> bool:
    """A short turn taking the task on again, by its verb or a pronoun: "Je les appelle cette
    semaine." after "Oui, faites-le. Avant les vacances, si possible." """
    own = spoken_task(text)
    return (
        len(text.split()) <= SHORT_REPLY_WORDS
        and commits_self(text)
        and (verb_said(task, text) or bool(_BACK_REFERENCE_RE.search(normalize(text))))
        # not another task of theirs ("Je demanderai à la police municipale de passer…")
        and (own is None or same_verb(own[0], task))
    )


def _confirmed_deadline(
    cited: list[Segment], after: Segment, index: TranscriptIndex, task: str
) -> tuple[Segment, str] | None:
    """A speaker of the cited turns accepting, in one of the two turns after ``after``, a
    deadline of their own or the one just put to them: "Je ferai les convocations…" / "Donc
    les convocations, avant les vacances de printemps ?" / "Avant les vacances de printemps,
    oui, c'est faisable."; "…d'ici la fin de la semaine si possible." / "D'ici vendredi, c'est
    faisable." Whoever takes it on has the last word on when."""
    speakers = {s.speaker for s in cited}
    # the other side may put a date first ("Le comité de pilotage, c'est le 12 mars. Si je l'ai
    # pour le 5 mars, c'est parfait." / "Le 5 mars, d'accord.")
    for step in (1, 2):
        turn = index.neighbour(after.id, step)
        if turn is None:
            return None
        if (
            turn.speaker in speakers
            and (
                is_acceptance(turn.text)
                or _restates_commitment(turn.text, task)
                # "…d'ici vendredi." / "Vendredi, c'est juste…" / "Disons lundi, alors."
                or _RESTATED_WHEN_RE.match(turn.text)
            )
            and deadline_of(turn.text)
            and not _other_task(turn.text, task)
        ):
            return turn, deadline_of(turn.text) or ""
        first = next((x for x in SENTENCE_RE.findall(turn.text) if x.strip()), turn.text)
        if (
            turn.speaker in speakers
            and first != turn.text
            and is_acceptance(first)
            and (said := deadline_of(first))
            and not _other_task(first, task)
        ):
            # "Plutôt lundi ?" / "Lundi, ça va, c'est encore dans les temps. Et il faudrait
            # aussi…": the first sentence settles it, the rest moves on
            return turn, said
        if not (has_time_expression(turn.text) or "?" in turn.text):
            return None  # the next turn moves on: what follows is not about this deadline
        if _requests_other_verb(turn.text, task):
            return None  # "…Et envoie un petit tutoriel avant la passation.": a new request
    return None


# A sentence that takes on or hands over the task just said without its verb: "M. Diallo,
# vous vous en chargez ?", "Je fais ça avant la fin de l'année.", "Je m'en occupe."
_PRO_TASK_RE = re.compile(
    r"\b(?:je|tu|vous|on|nous)\s+(?:(?:m|t|vous|nous|s)\s+)?en\s+(?:charg|occup)\w*"
    r"|\b(?:je|tu|vous|on|nous)\s+(?:fais|fait|faites|faisons|ferai|feras|fera|ferez|ferons)\s+"
    r"(?:ca|cela)\b|\b(?:je|tu|vous|on|nous)\s+(?:le|l)\s+(?:fais|fait|faites|faisons|ferai|feras|"
    r"fera|ferez|ferons)\b"
)


# A deadline added right after a request was accepted, about that same work: "Oui, pas de
# souci." / "Il faudrait que ce soit en ligne avant le 1er janvier."; "Attention, la date limite
# d'engagement, c'est le 20 novembre."
_FOLLOW_UP_RE = re.compile(
    r"\bqu(?:e|e ca|il|elle|ils|elles) (?:\w+ )?soi(?:t|ent)\b|\bdate (?:limite|butoir)\b|"
    r"\bau plus tard\b|\bdernier delai\b|\bil (?:me|nous) (?:le|la|les|l) (?:faut|faudrait)\b"
    # "Il me faudrait tout ça pour mardi aussi, l'un et l'autre."
    r"|\bil (?:me|nous) (?:faut|faudrait|faudra) (?:tout )?(?:ca|cela|le tout|les deux)\b"
)
FOLLOW_UP_WORDS = 30
ONLY_DEADLINE_WORDS = 10


def _only_a_deadline(text: str) -> bool:
    """A turn that says a deadline and nothing else ("Pour la prochaine réunion, si possible.")."""
    found = deadline_of(text)
    if not found or len(text.split()) > ONLY_DEADLINE_WORDS:
        return False
    rest = normalize(text.replace(found, " "))
    rest = re.sub(r"\b(?:si possible|idealement|au plus tard|merci|hein|alors|et|bon)\b", " ", rest)
    return not [t for t in content_tokens(rest) if t not in time_tokens(rest)]


def _follow_up_deadline(after: int, index: TranscriptIndex, task: str) -> Segment | None:
    """The turn right after turn ``after`` when it adds the deadline of the work just agreed
    (``_FOLLOW_UP_RE``), short, with one deadline and no other task."""
    follow = index.neighbour(after, 1)
    if (
        follow is None
        or len(follow.text.split()) > FOLLOW_UP_WORDS
        or not (_FOLLOW_UP_RE.search(normalize(follow.text)) or _only_a_deadline(follow.text))
    ):
        return None
    found = _follow_up_date(follow.text)
    return follow if found and not _other_task(follow.text, task) else None


def _counter_deadline(
    follow: Segment, own: Segment, index: TranscriptIndex
) -> tuple[Segment, str] | None:
    """The date the one who took the work on answers to a deadline set after the fact ("Il me
    faudrait ça la semaine prochaine." / "…ça va être juste. Je peux vous le donner pour le
    15."): the turn and the deadline of its last sentence that says one."""
    nxt = index.neighbour(follow.id, 1)
    if nxt is None or nxt.speaker != own.speaker or nxt.speaker == follow.speaker:
        return None
    for sentence in reversed([x for x in SENTENCE_RE.findall(nxt.text) if x.strip()]):
        found = deadline_of(sentence)
        if found:
            return nxt, found
    said = stated_deadlines(nxt.text)  # unpunctuated: the last date said is the offer
    return (nxt, said[-1]) if said else None


def _follow_up_date(text: str) -> str | None:
    """The deadline a follow-up turn adds: the one date it says, or the one of its sentence
    that says it is a deadline ("Attention, la date limite d'engagement, c'est le 20
    novembre. Après, la commande glisse sur l'année prochaine.")."""
    found = deadline_of(text)
    if found:
        return found
    cued = [x for x in SENTENCE_RE.findall(text) if _FOLLOW_UP_RE.search(normalize(x))]
    return deadline_of(cued[0]) if len(cued) == 1 else None


def _verb_sentences(text: str, task: str) -> tuple[list[str], list[int]]:
    """The sentences of ``text`` and the positions of those that say ``task``'s verb, or take
    it on through a pronoun after it (``_PRO_TASK_RE``); no positions when the text is one
    sentence or the speaker corrects themself ("…avant les vacances de… non, on est en mai.
    Avant la fin du mois.")."""
    sentences = [x for x in SENTENCE_RE.findall(text) if x.strip()]
    if not task or len(sentences) < 2 or self_corrected(text):
        return sentences, []
    saying = [i for i, x in enumerate(sentences) if verb_said(task, x)]
    if len(saying) > 1:
        # "Je demanderai aux services financiers de l'inscrire… Justine, vous pourriez demander
        # deux ou trois devis ?": the verb twice, the task's object in one sentence only
        said = set(map(stem, content_tokens(task)[1:]))
        saying = [i for i in saying if not _other_object(sentences[i], task, said)] or saying
    if saying:
        saying += [
            i
            for i, x in enumerate(sentences)
            if i > saying[0] and i not in saying and _PRO_TASK_RE.search(normalize(x))
        ]
        # "Moi je lui envoie une troisième relance, en recommandé cette fois. Demain.": a
        # deadline said on its own right after the task is the task's
        saying += [
            i + 1
            for i in list(saying)
            if i + 1 < len(sentences) and i + 1 not in saying and _only_a_deadline(sentences[i + 1])
        ]
        # "Dès demain matin. Je lance les appels à huit heures trente.", answering "ça commence
        # quand ?": the deadline said alone just before
        if saying[0] > 0 and _only_a_deadline(sentences[saying[0] - 1]):
            saying.append(saying[0] - 1)
    return sentences, sorted(set(saying))


# What a direct object opens with: "demander deux ou trois devis", "envoyer la liste".
_OBJECT_START = (
    {"le", "la", "les", "l", "un", "une", "des", "du", "ce", "cette", "ces"}
    | {f"{p}{e}" for p in ("m", "t", "s") for e in ("on", "a", "es")}
    | {"notre", "nos", "votre", "vos", "leur", "leurs"}
)


def _other_object(sentence: str, task: str, said: set[str]) -> bool:
    """Whether ``sentence`` gives ``task``'s verb another object than ``task``'s, none of its
    words (stems ``said``) among them: "Justine, vous pourriez demander deux ou trois devis ?"
    is not "Demander aux services financiers de l'inscrire". Not a pronoun taking it up ("tu
    peux le présenter au bureau de juin ?")."""
    found = spoken_task(sentence)
    if found is None or not same_verb(found[0], task):
        return False
    words = tokens(found[0])[1:]
    return (
        bool(words)
        and (words[0] in _OBJECT_START or words[0].isdigit() or words[0] in NUMBER_WORDS)
        and not said & set(map(stem, content_tokens(found[0])[1:]))
    )


def _task_sentences(text: str, task: str) -> str:
    """The sentences of ``text`` that say ``task``'s verb, when some do and others do not
    ("On revient sur ce qu'on a dit ce matin : … Vous prévenez l'organisateur ?": the date of
    the first sentence is not the task's); else the whole text."""
    sentences, saying = _verb_sentences(text, task)
    return " ".join(sentences[i] for i in saying) if saying else text


# a sentence that turns to the speaker's own part ("Et moi, j'appellerai le maire")
_OWN_PART_RE = re.compile(r"^\s*(?:et\s+)?(?:moi|de mon cote|pour ma part)\b")


def resolve_due(
    proposed: str | None,
    ids: list[int],
    index: TranscriptIndex,
    notes: list[str],
    task: str = "",
) -> str | None:
    """The deadline as said in the cited turn or the turn that pairs with it, never computed.

    When the owner's acceptance says its own deadline ("d'ici mercredi soir" after "avant
    jeudi ?"), the owner's word wins. A deadline the model gives is kept only when its time
    words are said in those turns, in the fullest form said ("la semaine du 7 avril").
    """
    cited = [index.by_id[i] for i in ids]
    pair, role = _paired_turn(cited[0], index)
    turns = [*cited, pair] if pair is not None else cited
    in_cited = [d for s in cited if (d := _task_deadline(s.text, task))]
    # "Je fais une note au maire pour lundi. Émilie, il me faut la liste." / "Je te l'envoie
    # demain matin.": the reply's deadline is the list's, not the speaker's own note's
    own_sentences = _task_sentences(cited[0].text, task)
    speakers_own = (
        role == "reply"
        and pair is not None
        and bool(task)
        and own_sentences != cited[0].text  # the task's own sentences apart from the request
        and not verb_said(task, pair.text)
        and commits_self(own_sentences)
        and not addressee(own_sentences)
    )
    # "Pour la séance de mars, il faudrait fixer la date." / "Oui, je vais envoyer un sondage.
    # Et j'écrirai au directeur…": a second task of the reply, not the one asked, has not the
    # request's deadline
    sentences, saying = _verb_sentences(cited[0].text, task)
    second_of_reply = (
        role == "request"
        and pair is not None
        and bool(task)
        and bool(saying)
        and saying[0] > 0
        and not verb_said(task, pair.text)
        and not _PRO_TASK_RE.search(normalize(sentences[saying[0]]))
        and (
            commits_self(sentences[0])  # the first sentence takes on what was asked
            # "Vendredi, c'est bien. Et moi, j'appellerai le maire…": the speaker's own work,
            # set apart from what was agreed
            or _OWN_PART_RE.match(normalize(sentences[saying[0]]))
        )
    )
    in_pair = (
        [d for d in [deadline_of(_asking_part(pair.text) if role == "request" else pair.text)] if d]
        if pair is not None
        and not speakers_own
        and not second_of_reply
        and not (role == "reply" and _later_task_dated(pair.text, task))
        and not (role == "request" and _asks_another_task(pair.text, task))
        else []
    )
    own = (
        _reply_deadline(pair.text, task)
        if role == "reply" and pair is not None and not speakers_own
        else None
    )
    if own and in_cited and _STARTS_RE.match(own) and not _STARTS_RE.match(in_cited[0]):
        # "…pour que les branchements soient prêts avant le 11 décembre ?" / "Oui, je vois ça
        # avec eux dès lundi.": when the work starts, not when it is due
        said_here = in_cited
    elif own:
        said_here = [own]  # who takes it on says when: their word wins
    else:
        # a reply whose deadline goes with another task it takes on ("Oui, c'est faisable.
        # J'appelle la région cette semaine.") leaves the request's own deadline standing
        said_here = in_cited or in_pair
    last = max(turns, key=lambda t: index.position[t.id])
    # "Thierry, vous pourriez rencontrer la directrice ?" / "Oui, je l'appelle demain." / "Il
    # nous faut ça avant la commission." / "D'ici la fin du mois, c'est faisable.": the one who
    # took it on in reply settles when, as the cited speakers do
    takers = [*cited, pair] if role == "reply" and pair is not None else cited
    confirmed = _confirmed_deadline(takers, last, index, task)
    if confirmed is not None:
        turns = [*turns, confirmed[0]]
        said_here = [d for d in [confirmed[1]] if d]
    # "…tu peux relire la partie état de l'art ?" / "Oui. Euh, pour quand ?" / "D'ici
    # vendredi.": the deadline is the answer's; the question may be the reply itself or follow it
    for after in [] if said_here else sorted({cited[-1].id, max(t.id for t in turns)}):
        answer = _asked_when_answer(index.by_id[after], index, task)
        if answer is not None:
            turns = [*turns, answer]
            said_here = [d for d in [_when_answered(answer.text, task)] if d]
            break
    if not said_here and (pair is not None or commits_self(cited[0].text)):
        follow = _follow_up_deadline(max(t.id for t in turns), index, task)
        if follow is not None:
            turns = [*turns, follow]
            said_here = [d for d in [_follow_up_date(follow.text)] if d]
            counter = _counter_deadline(follow, cited[0], index)
            if counter is not None:
                turns = [*turns, counter[0]]
                said_here = [counter[1]]
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


# An offer to do something ("Je peux m'en occuper, si vous voulez ?", "Vous voulez que je
# relance le prestataire ?") and its refusal ("Non merci, c'est déjà fait.", "Pas la peine.").
_OFFER_RE = re.compile(
    r"\b(?:je\s+peux|je\s+pourrais|(?:vous\s+voulez|tu\s+veux|voulez\s+vous|veux\s+tu)\s+"
    r"(?:que|qu)\s+je)\b[^?]*\?|\bsi\s+(?:vous\s+voulez|tu\s+veux)\s*\??\s*$"
)
_DECLINED_RE = re.compile(
    r"^(?:non|(?:ce n est )?pas la peine|pas besoin|inutile|ce n est pas (?:la peine|necessaire))"
    r"\b(?!\s*,?\s*(?:non|mais)\b)"
)


def declined_offer(seg: Segment, index: TranscriptIndex) -> bool:
    """Whether ``seg`` offers to do something and the next speaker declines it ("Je peux
    appeler le traiteur ?" / "Non merci, c'est fait."): no task was given."""
    nxt = index.neighbour(seg.id, 1)
    return (
        nxt is not None
        and nxt.speaker != seg.speaker
        and bool(_OFFER_RE.search(normalize(seg.text) + (" ?" if "?" in seg.text else "")))
        and bool(_DECLINED_RE.match(normalize(nxt.text)))
    )


# a sentence's part under "si jamais", "en cas de" (up to the end of the sentence), and what
# "je propose de", "je proposais de", "on pourrait" put forward
# what to do if it happens, and what a deal allows and on which terms ("le marché permet de
# commander plus, à condition de commander avant le 15 novembre")
_CONTINGENT_RE = re.compile(
    r"\b(?:si jamais|en cas d['’ ]|[àa] condition (?:de|d['’ ]|que|qu['’ ])|[àa] moins (?:que|qu['’ ])|"
    # "Selon les résultats, soit on pourra les clapper en mer, soit il faudra les mettre à terre"
    r"selon (?:les r[ée]sultats|le r[ée]sultat|la r[ée]ponse|les cas|le cas|ce qu)|"
    r"soit (?=[^.!?]{0,120}\bsoit\b)|"
    r"(?:nous |vous |leur )?permet(?:tent|trait)? (?:de|d['’ ]))[^.!?]{0,100}",
    re.IGNORECASE,
)
_PROPOSING_RE = re.compile(
    r"\b(?:je|j)\s+(?:propose|proposais|proposerais|avais propose|pensais)\s+(?:de|d|qu on)\s+\w+"
    # "Est-ce qu'on ne pourrait pas fermer le SAUJ le mercredi ?"
    r"|\b(?:on|nous)\s+(?:ne\s+)?(?:pourrait|pourrions)\s+(?:pas\s+)?\w+"
    # "On vous propose une hausse de trois pour cent", "Je voudrais qu'on adopte une motion
    # pour demander une dérogation": what is put to the meeting, to its clause's end
    r"|\b(?:je|j|on|nous)\s+(?:vous\s+)?(?:propose|proposons)\s+(?:un|une|des|le|la|les|l)\s[^,;]*"
    r"|\b(?:je|j)\s+(?:voudrais|aimerais|souhaite|souhaiterais)\s+qu on\s[^,;]*"
)
_SETTLING_VERBS = {"garder", "maintenir", "conserver", "retenir"}
_NEED_OF_RE = re.compile(
    r"\bil (?:me|nous) (?:faudra|faudrait|faut) (?:un|une|des|le|la|les|l|votre|vos|ton|ta|tes)\b"
)
_PRODUCING_VERBS = {
    "faire",
    "preparer",
    "etablir",
    "rediger",
    "envoyer",
    "transmettre",
    "fournir",
    "donner",
}
_QUOTED_RE = re.compile(r"«[^»]*»|“[^”]*”")
_KEEP_IN_MIND = ("garder l idee", "garder ca en tete", "garder en tete", "garder cette idee")
_TELLS_THE_MEETING_RE = re.compile(r"\bje vous (?:previens|informe|rappelle)\b")
_TAKES_IT_RE = re.compile(
    r"^(?:(?:oui|bon|alors|d accord|entendu|ok)\s+)*(?:je|j)\s+(?:vais\s+)?"
    r"(?:(?:vous|te|lui|leur)\s+)?(?:l|le|la|les)\s+\w"
)


def _opens_taking_it_on(text: str) -> bool:
    """Whether ``text`` opens with a short sentence taking on what was asked through a
    pronoun ("Je les envoie la semaine prochaine.")."""
    first = next((x for x in SENTENCE_RE.findall(text) if x.strip()), "")
    return len(first.split()) <= SHORT_REPLY_WORDS and bool(_TAKES_IT_RE.match(normalize(first)))


# Reporting in the meeting, with nothing to report on named ("tu fais le point").
_FLOOR_RE = re.compile(r"faire (?:le|un) (?:petit )?point(?: rapide)?")


def _why_no_task(task: str, said_in: str, last: int, index: TranscriptIndex) -> str | None:
    """Why what the cited turns say with ``task``'s verb is no task, or ``None``: the verb
    said only in quoted words, in what to do "si jamais" it happens, in an idea not taken up,
    in the decision itself, in keeping an idea or warning the meeting, in the passé composé;
    a demonstrative object ("Reprendre celui du VPN"); a verb of waiting or opinion."""
    first = tokens(task)[0] if tokens(task) else ""
    if re.fullmatch(
        r"(?:se |s )?\w+ (?:dessus|dessous|directement|aussi|vite|ensuite)", normalize(task)
    ):
        # "je te mets dessus": what is done is not said
        return "la tâche ne dit pas quoi faire"
    if _FLOOR_RE.fullmatch(normalize(task)):
        # "Sylvie, tu fais le point.": speaking now, in the meeting
        return "prendre la parole en réunion n'est pas une tâche"
    if re.match(r"\w+\s+(?:celui|celle|ceux|celles)\b", normalize(task)):
        # "Je reprends celui du VPN": how the task asked is done, naming nothing of its own
        return "la tâche ne dit pas quoi faire"
    if first in WAITING_VERBS:
        return f"« {first} » n'est pas une tâche (attente ou opinion)"
    if not verb_said(task, said_in):
        return None  # a need that names the thing ("il me faudrait un planning"): no verb said
    if not verb_said(task, _QUOTED_RE.sub(" ", said_in)):
        # "un mail « votre boîte est pleine, revalidez votre compte »": words quoted
        return "le verbe n'est dit que dans une citation entre guillemets"
    go_ahead = index.neighbour(last, 1)
    taken_up = go_ahead is not None and (
        # "on pourrait faire un sondage" / "Faites-le.": the idea taken up is a task
        index.accepted_next(last) or goes_ahead(go_ahead.text)
    )
    # on the text as said: "si jamais…" runs to the end of its sentence, not beyond
    kept = normalize(_CONTINGENT_RE.sub(" ", said_in))
    if not verb_said(task, kept if taken_up else _PROPOSING_RE.sub(" ", kept)):
        # "Et si jamais l'hygrométrie dépasse soixante-cinq, vous arrêtez tout…", "Moi je
        # proposais de fermer le samedi" (an idea no one took up)
        return "consigne pour une éventualité ou proposition : pas une tâche"
    if first in ("decider", "trancher") and re.match(r"\w+ (?:qu|que|de|d)\b", normalize(task)):
        # "Décider qu'on lance la procédure sur l'ancien carré": a decision, not a task
        return "la décision elle-même, pas une tâche"
    if first in _SETTLING_VERBS and states_decision(said_in):
        # "Je tranche : on garde une ouverture le premier samedi…": the decision itself
        return "la décision elle-même, pas une tâche"
    if normalize(task).startswith(_KEEP_IN_MIND) or not verb_said(
        task, _TELLS_THE_MEETING_RE.sub(" ", normalize(said_in))
    ):
        # "Gardez l'idée, on en reparlera.", "Je vous préviens d'entrée : le ministère…"
        return "garder une idée ou prévenir la réunion n'est pas une tâche"
    if not verb_said(task, without_past(said_in)):
        # "Moi, j'ai fait la mienne en octobre, je suis à jour": done already
        return "le verbe de la tâche n'est dit qu'au passé composé : c'est déjà fait"
    return None


def check_action(item: dict[str, Any], index: TranscriptIndex) -> Action | Unverified:
    """An :class:`Action` with verified owner/due (unverified ones removed and noted)."""
    task = str(item.get("task") or "").strip()
    ids = index.existing(item.get("segments") or [])
    if not task:
        return Unverified(kind="action", text="(vide)", reason="tâche vide")
    if not ids:
        return Unverified(kind="action", text=task, reason="aucune intervention citée n'existe")
    if foreign_script(task):
        return Unverified(
            kind="action",
            text=task,
            reason="texte hors de l'alphabet latin : réponse du modèle illisible",
            segment_ids=ids,
        )
    taken = re.match(r"(?:re)?prendre\b", normalize(task)) and index.participant_words(task)
    if len([t for t in content_tokens(task) if t not in (taken or ())]) < MIN_TASK_WORDS:
        # "Commencer" (from "Sandrine, tu commences ?"): taking the floor, not work to do;
        # "prendre Jean" (from "Jean, tu peux le prendre ?"): taking over, the task is elsewhere
        return Unverified(
            kind="action", text=task, reason="la tâche ne dit pas quoi faire", segment_ids=ids
        )
    cited = [index.by_id[i] for i in ids]
    # The task is said in the cited turn, or just before it when the cited turn only accepts it
    # ("Odile, il faudra transmettre…" / "Entendu, je m'en charge.").
    before = index.around(ids, before=1, after=0)
    # only a short reply that accepts the request just before it borrows that request's task,
    # or a reply that opens by taking it on through a pronoun ("Je les envoie la semaine
    # prochaine. Pour Mme Leroy, je l'appellerai d'abord…")
    short_reply = all(
        (len(s.text.split()) <= SHORT_REPLY_WORDS or _opens_taking_it_on(s.text))
        and _paired_turn(s, index)[1] == "request"
        for s in cited
    )
    # what is to be done must be said there, not only its date ("Le 2 juin, ça nous va" does not
    # say "transmettre le 2 juin après la formation")
    core = " ".join(t for t in tokens(task) if t not in time_tokens(t)) or task
    # a task read in code may name what a pronoun of the turn stands for ("Je le relance" →
    # "Relancer le prestataire", named two turns before)
    told = index.around(ids, before=2, after=0) if item.get("read_from_text") else cited
    if coverage(core, _text(told)) < MIN_TASK_COVERAGE and not (
        short_reply and coverage(core, _text(before)) >= MIN_TASK_COVERAGE
    ):
        return Unverified(
            kind="action",
            text=task,
            reason="la tâche ne correspond pas au passage cité",
            segment_ids=ids,
        )
    # words taken from a later turn ("ajouter la démo au backlog" citing "je l'ajoute au
    # backlog" when the démo comes up next): the task mixes two turns
    pair, role = _paired_turn(cited[0], index)
    said_by_then = set(map(stem, tokens(_text(index.around(ids, before=WINDOW_BEFORE, after=0)))))
    if role == "reply" and pair is not None:
        said_by_then |= set(map(stem, tokens(pair.text)))
    later = [s for s in index.around(ids, before=0, after=WINDOW_AFTER) if s.id not in ids]
    said_later = set(map(stem, tokens(_text(later))))
    # the task's verb said in the cited turn in another form ("Je fais l'extraction demain" →
    # "Faire l'extraction", with "faire" said in the next turn) is not borrowed
    said_in = _text(before) if short_reply else _text(cited)
    if role == "reply" and pair is not None and len(pair.text.split()) <= SHORT_REPLY_WORDS:
        # "Il me faudra votre prévision actualisée." / "Je vous l'envoie avant le 30.": the
        # need says what, the short reply taking it on says the verb
        said_in = f"{said_in} {pair.text}"
    verb_ok = verb_said(task, said_in) or (
        # "Thomas, il me faudrait un planning de déploiement." / "D'accord.": the need names
        # the thing, the task is to produce or send it
        bool(_NEED_OF_RE.search(normalize(_text(cited))))
        and bool(tokens(task))
        and tokens(task)[0] in _PRODUCING_VERBS
    )
    if verb_ok and verb_only_as_outcome(task, said_in):
        # "Ça videra le coffre en même temps": what follows from a choice is nobody's work
        return Unverified(
            kind="action",
            text=task,
            reason="le verbe n'est dit que comme conséquence : pas une tâche",
            segment_ids=ids,
        )
    own_verb = tokens(task)[0] if verb_ok and tokens(task) else None
    borrowed = [
        t
        for t in content_tokens(core)
        if t != own_verb and stem(t) not in said_by_then and stem(t) in said_later
    ]
    if borrowed:
        return Unverified(
            kind="action",
            text=task,
            reason=f"la tâche reprend « {' '.join(borrowed)} » d'une intervention suivante",
            segment_ids=ids,
        )
    # the model's habit is a stock verb ("transmettre…") for whatever the turn says: the verb
    # must be said in the turn (or in the request a short acceptance answers)
    if not verb_ok:
        return Unverified(
            kind="action",
            text=task,
            reason="la tâche n'est pas à l'infinitif"
            if verb_ok is None
            else "le verbe de la tâche n'est pas dit dans le passage cité",
            segment_ids=ids,
        )
    reason = _why_no_task(task, said_in, cited[-1].id, index)
    if reason:
        return Unverified(kind="action", text=task, reason=reason, segment_ids=ids)
    if declined_offer(cited[0], index):
        return Unverified(
            kind="action",
            text=task,
            reason="offre déclinée dans l'intervention suivante : pas une tâche",
            segment_ids=ids,
        )
    notes: list[str] = []
    if item.get("read_from_text"):
        notes.append("tâche reprise telle que dite (le modèle ne l'avait pas formulée)")
    owner = resolve_owner(str(item.get("owner") or "").strip() or None, ids, index, notes, task)
    due = resolve_due(str(item.get("due") or "").strip() or None, ids, index, notes, task)
    return Action(
        task=_without_trailing_name(task, index),
        owner=owner,
        due=due,
        sources=index.refs(ids),
        notes=notes,
    )


_BEFORE_A_NAME = {"a", "au", "aux", "avec", "pour", "de", "d", "du", "chez", "par", "et", "ou"}


def _without_trailing_name(task: str, index: TranscriptIndex) -> str:
    """``task`` without the name of whom the request addressed, run on at its end in
    unpunctuated text ("lancer l'audit en février gériatrie et médecine interne dr martin"
    → "…médecine interne"); a name after "à", "avec", "pour"… is part of the task, and so is
    a name right after the verb ("Appeler Martin")."""
    words = task.rstrip(" .!?").split()
    k = len(words)
    while k > 0 and (
        normalize(words[k - 1]).strip(".") in CIVILITIES
        or (
            re.search(r"[^\W\d_]", words[k - 1])
            and normalize(words[k - 1]) != "intervenant"
            and set(tokens(words[k - 1])) <= index.participant_words(words[k - 1])
        )
    ):
        k -= 1
    if k == len(words) or k < 3 or normalize(words[k - 1]) in _BEFORE_A_NAME:
        return task
    return " ".join(words[:k]).rstrip(" ,")


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
