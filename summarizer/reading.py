"""Decisions read in code from what the turns say, when the model misses or misphrases them.

The model is asked about each candidate turn (:mod:`summarizer.pipeline`); when its answer is no,
or fails the checks of :mod:`summarizer.verify`, the turn may still state a decision in a form
French meetings use, read here as said and then checked like any proposal:

* a vote (:func:`voted_decision`): "Je mets aux voix…" / "Je vous propose de…" and its result,
  in that turn or up to four turns later (the count for, against, abstentions, the result);
* an outcome in the passive or by the chair (:func:`stated_decision`): "La date est fixée au…",
  "Nous actons donc…";
* an informal settling another voice agrees with (:func:`assented_decision`): "On garde
  vendredi quinze heures." / "Ça me va.";
* a conclusion after its point (:func:`concluded_decision`): "Le 18 juillet, on fait comme ça.",
  "c'est acté : …", "Personne n'est contre ? Parfait : …";
* a choice that replaces an earlier one (:func:`replaced_decision`): "On oublie X : on fait Y",
  "On corrige : pas X, Y"; the earlier one is then :func:`superseded`;
* a point the chair settles in so many words (:func:`settled_by_chair`): "Alors on évacue le
  Mas-Neuf.", "Bon, on répare pour finir la saison";
* a vote the chair calls and counts in one turn (:func:`called_vote`): "Qui est contre ?
  Personne. Qui s'abstient ? … Donc adopté." on the point opened before ("Deuxième dossier, la
  légumerie…"), or whose result says what ("Unanimité : quarante-huit mille euros pour le
  tiers-lieu.").
"""

from __future__ import annotations

import re

from summarizer.schema import Decision
from summarizer.text import (
    CIVILITIES,
    MONTHS,
    PERSON_NAME,
    SENTENCE_RE,
    addressee,
    content_tokens,
    coverage,
    is_acceptance,
    is_request,
    normalize,
    stem,
    time_tokens,
)
from summarizer.verify import (
    CHAIR_SETTLING_RE,
    FRAMING_RE,
    QUOTE_RE,
    STRONG_DECISION_RE,
    TranscriptIndex,
    not_reported,
    settled,
    states_decision,
)

# The outcome said in the passive or by the chair ("La date est fixée au 4 décembre", "le
# règlement intérieur est approuvé, hors…", "Nous actons donc trois jours de télétravail…").
_OUTCOME = (
    r"(?:adopt|approuv|valid|d[ée]cid|act|accord|fix|retenu|arr[êe]t|ent[ée]rin|maintenu|"
    r"reconduit|autoris|annul|supprim)\w*"
)
# A vote held in the turn ("je mets aux voix", "unanimité", "adopté").
_VOTED_BEFORE_RE = re.compile(r"\b(?:aux voix|au vote|unanimite|adopte\w*)\b")
_PASSIVE_OUTCOME_RE = re.compile(
    rf"\b(?:est|sont|a\s+[ée]t[ée]|ont\s+[ée]t[ée])\s+(?:donc\s+|bien\s+|ainsi\s+)?{_OUTCOME}",
    re.IGNORECASE,
)
_CHAIR_OUTCOME_RE = re.compile(
    rf"\b(?:nous|on)\s+(?:{_OUTCOME})\s+(?:donc\s+)?(?=\w)", re.IGNORECASE
)
# The chair's ruling put after a colon: "Je tranche : …", "Je décide : …", "Décision : …".
_RULING_RE = re.compile(
    r"\b(?:je\s+tranche|je\s+d[ée]cide|j['’]\s*arbitre|d[ée]cision)\s*:\s*", re.IGNORECASE
)
_SUBJECT_START_RE = re.compile(r"\b(?:le|la|les|l['’]|ce|cette|ces)(?:\s+|(?<=['’]))", re.I)
_FILLERS_RE = re.compile(
    r"^(?:(?:tr[èe]s bien|bon|alors|donc|allez|oui|ok|parfait|merci|bien|voil[àa])[\s,]+)+",
    re.IGNORECASE,
)


def _without_trailing_fillers(phrase: str) -> str:
    """``phrase`` without the settling words it ends on ("Le samedi 14 juin, alors")."""
    return re.sub(r"(?:[\s,]+(?:bon|alors|donc|allez|ok|parfait))+$", "", phrase, flags=re.I)


def _without_fillers(sentence: str) -> str:
    """A sentence without its end punctuation and opening fillers ("Bon.", "Alors, …")."""
    return _FILLERS_RE.sub("", sentence.strip(" .!,;:…") + " ").strip(" .!,;:…")


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


_CONDITION_RE = re.compile(r"(?:^|[\s,])(?:si|s['’]ils?|tant que|au cas o[ùu])\s", re.IGNORECASE)


def stated_decision(text: str) -> str | None:
    """The decision a turn states in so many words, as said: the sentence (from its subject) in
    which an outcome is said in the passive ("…, le règlement intérieur est approuvé, hors la
    question…") or by the chair ("Nous actons donc trois jours…"); ``None`` when no sentence
    does, when it is negated, deferred or asked ("est-ce que c'est validé ?"), or when it is a
    quote ("je"/"tu")."""
    voted = bool(_VOTED_BEFORE_RE.search(normalize(text)))
    ours = not_reported(text)
    for sentence in SENTENCE_RE.findall(text):
        if sentence.strip().endswith("?") or sentence.strip() not in ours:
            continue  # asked, or another body's decision reported
        m = _PASSIVE_OUTCOME_RE.search(sentence)
        if m and _CONDITION_RE.search(sentence[: m.start()]):
            m = None  # "Si le feu est fixé cette nuit, …": a condition, not an outcome
        if not STRONG_DECISION_RE.search(settled(sentence)) and not (m and voted):
            continue  # "Je mets aux voix. Unanimité. Le tarif est maintenu.": the vote says it
        ruling = _RULING_RE.search(sentence)
        if ruling and content_tokens(sentence[ruling.end() :]):
            # "Bon. Je tranche : trois véhicules électriques cette année, dont celui de
            # l'astreinte.": the ruling itself
            said = sentence[ruling.end() :]
        elif m:
            subject = _outcome_subject(sentence[: m.start()])
            if not subject:
                continue
            said = f"{subject} {sentence[m.start() :]}"
        else:
            c = _CHAIR_OUTCOME_RE.search(sentence)
            if not c or re.search(r"\bqu['’]\s*$|\bque\s+$", sentence[: c.start()], re.I):
                continue  # "je ne suis pas d'accord pour qu'on valide ça": not stated
            said = re.sub(r"^(?:de\s+|d['’]\s*)", "", sentence[c.end() :].strip(), flags=re.I)
        said = _FILLERS_RE.sub("", said.strip()).strip(" ,;:")
        # unpunctuated text runs on into the next request ("…une abstention nadia tu peux…")
        said = _ADDRESS_AFTER_RE.split(said, maxsplit=1)[0].strip(" ,;:")
        outcome = (
            STRONG_DECISION_RE.search(settled(said))
            or _CHAIR_OUTCOME_RE.search(sentence)
            or (m and voted)
            or ruling
        )
        if not said or QUOTE_RE.search(normalize(said)) or not outcome:
            continue
        said = said[:1].upper() + said[1:]
        return said if said.endswith((".", "!")) else said + "."
    return None


# The words a chair settles a point with ("Bon, on…", "Très bien, on…").
_SETTLING_WORDS = r"alors|donc|bon|tr[èe]s bien|parfait|d['’ ]accord|entendu"
_CHAIR_SETTLES_RE = re.compile(
    # "Écoutez, je tranche : on garde une ouverture le premier samedi…"
    rf"\b(?:{_SETTLING_WORDS}|allez|ok|je\s+tranche\s*:?)[\s,]+"
    r"(?:(?:en attendant|dans ce cas|du coup)[\s,]+)?(?P<what>on\s+[^.;!?]+)"
    r"|\b(?P<pick>va pour\s+(?!(?:[çc]a|cela)\b)[^.;!?]+)",
    re.IGNORECASE,
)


_SETTLING_WORD_ALONE_RE = re.compile(rf"\b({_SETTLING_WORDS})\s*[.!]\s+(?=on\b)", re.I)
_PERSON_AFTER_RE = re.compile(r"\s+(?:[\w\-]+\s+)?(?:(?:tu|vous|je)(?=\s)|j['’])", re.IGNORECASE)


def settled_by_chair(text: str) -> str | None:
    """A point settled in so many words ("Alors on évacue le Mas-Neuf.", "Bon, on répare pour
    finir la saison…", "Allez, va pour le mardi 17."), as said from "on" or "va pour"; ``None`` when no sentence settles one (a question,
    "alors on passe au point deux", "donc on a reçu…", a negation or a deferral: see
    :data:`summarizer.verify.STRONG_DECISION_RE`)."""
    # "Bon. On la décale à mardi prochain.": the settling word said as a sentence of its own
    text = _SETTLING_WORD_ALONE_RE.sub(r"\1, ", text)
    for sentence in SENTENCE_RE.findall(text):
        if sentence.strip().endswith("?"):
            continue
        m = _CHAIR_SETTLES_RE.search(sentence)
        if not m or not CHAIR_SETTLING_RE.search(settled(sentence[m.start() :])):
            continue
        said = m["what"] or m["pick"]
        # unpunctuated text runs on into the next request ("…le mardi 17 aurélie tu réserves")
        said = _PERSON_AFTER_RE.split(said, maxsplit=1)[0].strip(" ,;:")
        frame, colon, point = said.partition(":")
        if colon and len(content_tokens(point)) >= 2:
            said = point.strip()  # "on revient sur ce qu'on a dit ce matin : le marché est annulé"
        if QUOTE_RE.search(normalize(said)) or len(content_tokens(said)) < (1 if m["pick"] else 2):
            continue
        return said[:1].upper() + said[1:] + "."
    return None


# The chair's informal settling ("on le met en haut de page", "on garde vendredi quinze heures",
# "va pour le 2 juin"): a decision only when another voice agrees next to it.
_SETTLING_RE = re.compile(
    r"\b(?:(?:on|nous)\s+(?:(?:le|la|les|l['’])\s*)?(?:garde|gardons|maintient|maintenons|met|"
    r"mettons|part|partons|retient|retenons|valide|validons|fixe|fixons|lance|lan[çc]ons)\b"
    r"|va pour\b)",
    re.IGNORECASE,
)


# "Monsieur Leclerc, ça vous va ?": whom the question is put to, not a point
_BARE_NAME_RE = re.compile(rf"^{PERSON_NAME}[\s.,]*$")
BARE_ASSENT_WORDS = 6
SPELLED_ASSENT_WORDS = 10
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
    r"entendu|dit|d[ée]cid[ée]|r[ée]gl[ée]|arbitr[ée]|tranch[ée])|va pour [çc]a|adjug[ée]|"
    # "Alors validé : cellule de veille mensuelle, pas le lundi."
    r"(?:valid[ée]|act[ée]|adopt[ée]|retenu)(?=\s*:))\b",
    re.IGNORECASE,
)
_PROPOSED_RE = re.compile(
    r"\b(?:je\s+(?:vous\s+)?propos(?:e|erais)|on\s+pourrait|pourquoi pas|et si on|on n['’]a qu['’][àa]|"
    r"on\s+peut\s+(?=retenir|garder|valider|prendre))"
    r"\s*(?P<what>[^.;!?]+)",
    re.IGNORECASE,
)
CONCLUDED_WORDS = 10
# A whole sentence said before the conclusion ("Donc passage maintenu pour les secours, sauf
# pendant le coulage, avec un engin prépositionné rive gauche. Ça me va.") is the point itself.
CONCLUDED_SENTENCE_WORDS = 25
# Asking whether anyone objects ("Personne n'est contre ?", "Des objections ?").
_NO_OBJECTION = r"personne n['’ ]est contre|(?:des|pas d['’ ]|aucune )(?:objections?|oppositions?)"
# Consent asked and given in the same turn, the point said after it.
_CONSENTED_RE = re.compile(
    rf"\b(?:{_NO_OBJECTION})\s*\??[\s,.…]*"
    r"(?=(?:parfait|tr[èe]s bien|bon|ok|alors|adopt[ée]|c['’ ]est (?:bon|retenu|valid[ée]|"
    r"act[ée]|adopt[ée])\b))",
    re.IGNORECASE,
)
# Consent asked at the end of a point ("…, tout le monde est d'accord ?").
_CONSENT_ASKED_RE = re.compile(
    rf"\b(?:{_NO_OBJECTION}|tout le monde est d['’ ]accord|[çc]a (?:vous|te) va|"
    r"on est d['’ ]accord|vous [êe]tes d['’ ]accord|"
    # "Ça convient à tout le monde ?", "Ça vous convient ?"
    r"[çc]a (?:vous |te )?convient(?: [àa] (?:tout le monde|tous|tout le monde ici))?|"
    r"tout le monde est ok|[çc]a va pour tout le monde)\W*$"
    r"|[.!…]\s*d['’ ]accord\s*\?\W*$",  # "…au cas par cas au-delà. D'accord ?"
    re.IGNORECASE,
)


# Consent asked and heard at the end of the chair's turn, nothing said after it ("Le samedi 14
# juin, alors. Tout le monde est d'accord ? Oui. Très bien."): the point is the one said before.
_CONSENT_HEARD_RE = re.compile(
    r"(?:tout le monde est d['’ ]accord|on est d['’ ]accord|[çc]a vous va)\s*\??\s*"
    r"(?:oui|ok|d['’ ]accord)[\s.,!…]*(?:(?:tr[èe]s bien|parfait|bien|bon|merci)[\s.,!…]*)*$",
    re.IGNORECASE,
)


# A consent followed only by its settling words ("parfait, on retient ça").
_SETTLED_ONLY_RE = re.compile(
    r"(?:(?:on|nous) (?:retient|retenons|garde|valide|fait|part sur|adopte) (?:ca|cela|ceci)|"
    r"adopte\w*|c est (?:bon|acte|valide|adopte|vote|retenu)\w*|valide\w*|on y va)?\s*"
)


def _proposal_text(what: str) -> str:
    """A proposal's wording without its link words ("de", "que", "comme mesure")."""
    what = re.sub(
        r"^(?:de\s+|d['’]\s*|que\s+|qu['’]\s*|comme mesure\s+)", "", what.strip(), flags=re.I
    )
    return what.strip(" ,:")


def _concluded_point(head: str, limit: int = CONCLUDED_WORDS) -> str:
    """The point a conclusion settles, from the words said before it: fillers and a consent
    question ("tout le monde est d'accord ? bon") left out; in unpunctuated text, the phrase
    from its last determiner (:func:`_outcome_subject`) when more than a few words precede."""
    head = head.strip()
    for _ in range(3):
        head = _FILLERS_RE.sub("", head + " ").strip(" ,;:?")
        head = _without_trailing_fillers(head)
        head = _CONSENT_ASKED_RE.sub("", head).strip(" ,;:?.!")
    if len(head.split()) > limit:
        head = _outcome_subject(head) or " ".join(head.split()[-limit:])
        # unpunctuated: "… on perd encore plus bon première semaine des vacances de février":
        # the point starts after the last settling word
        tail = re.split(r"\b(?:bon|alors|donc|allez|ok|voilà|voila)\b", head, flags=re.I)[-1]
        if len(content_tokens(tail)) >= 2:
            head = tail.strip(" ,")
    return head


CONSENT_LOOKBACK_TURNS = 3
_OBJECTS_RE = re.compile(r"^(?:non|mais)\b|\bpas d accord\b|\bje ne suis pas\b|\bcontre\b")


def _put_to_consent_before(index: TranscriptIndex, sid: int) -> tuple[str, int] | None:
    """The point the same speaker put to the others a few turns before, closing with "Ça vous
    va ?", when the turns since raise no objection ("…retour à domicile avec l'HAD, un lit
    réservé chez nous, et on revoit la fille avant. Ça vous va ?" / "Oui." / "D'accord pour
    moi." / "Bon, on part là-dessus."): its last statement, after a colon if it has one."""
    seg = index.by_id[sid]
    for back in range(1, CONSENT_LOOKBACK_TURNS + 1):
        turn = index.neighbour(sid, -back)
        if turn is None:
            return None
        if turn.speaker != seg.speaker:
            if _OBJECTS_RE.search(normalize(turn.text)):
                return None
            continue
        question = _CONSENT_ASKED_RE.search(turn.text.strip())
        if back == 1 or question is None:
            return None
        said = [
            x
            for x in SENTENCE_RE.findall(turn.text.strip()[: question.start()])
            if x.strip() and not x.strip().endswith("?")
        ]
        point = said[-1].split(":")[-1].strip(" .,;") if said else ""
        if len(content_tokens(point)) < 3 or QUOTE_RE.search(normalize(point)):
            return None
        return point, turn.id
    return None


def concluded_decision(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A point the speaker concludes ("…, on fait comme ça", "c'est acté"), as said: the words
    before the conclusion in its sentence, else the proposal of the turn just before; ``None``
    when the conclusion is asked, negated, or concludes nothing named."""
    seg = index.by_id[sid]
    consent = _CONSENTED_RE.search(seg.text)
    if consent:
        # "Personne n'est contre ? Parfait : cinq euros par adulte…": the point follows
        said = [_without_fillers(x) for x in SENTENCE_RE.findall(seg.text[consent.end() :])]
        # the first sentence that says more than "Bon." ("… Bon. C'est validé.")
        point = next((x for x in said if x), "")
        point = _ADDRESS_AFTER_RE.split(point, maxsplit=1)[0].strip(" ,;:")
        if not re.search(r"[.!?]", seg.text[consent.end() :]) and _SETTLED_LEAD_RE.match(point):
            # unpunctuated: "pas d'opposition adopté mme ferreira vous refaites…": the words
            # after the settling one are the next request, not the point
            point = _SETTLED_LEAD_RE.match(point).group(0)
        proposed = _PROPOSED_RE.search(seg.text[: consent.start()])
        if _SETTLED_ONLY_RE.fullmatch(normalize(point)) and proposed:
            # "Je propose une vérification systématique… Personne n'est contre ? Parfait, on
            # retient ça.": the point is the proposal
            point = _proposal_text(proposed["what"])
        elif _SETTLED_ONLY_RE.fullmatch(normalize(point)):
            # "Passage au biosimilaire, avec substitution. Personne n'est contre ? … Bon. C'est
            # validé.": the point is the one said before the question; "alors on valide le
            # voyage … pas d'opposition c'est adopté": the point as the chair settles it
            before = seg.text[: consent.start()]
            point = (settled_by_chair(before) or "").rstrip(" .") or point_opened(before)
        settled_only = _SETTLED_ONLY_RE.fullmatch(normalize(point))
        if content_tokens(point) and not settled_only and not QUOTE_RE.search(normalize(point)):
            return f"{point[:1].upper()}{point[1:]}.", [sid]
        if not content_tokens(point) and not content_tokens(seg.text[: consent.start()]):
            # "Je propose quatre équipes de trois…" / "Une semaine sur quatre, c'est mieux." /
            # "Pas d'opposition ? … C'est adopté.": the proposal the question puts to the vote
            earlier = _proposal_before(index, sid)
            if earlier is not None:
                what, pid = earlier
                return f"{what[:1].upper()}{what[1:]} (sans opposition).", [pid, sid]
    heard = _CONSENT_HEARD_RE.search(seg.text.strip())
    if heard:
        point = point_opened(seg.text.strip()[: heard.start()])
        point = _without_trailing_fillers(point)
        if content_tokens(point) and not QUOTE_RE.search(normalize(point)):
            return f"{point[:1].upper()}{point[1:]} (accord de tous).", [sid]
    for sentence in SENTENCE_RE.findall(seg.text):
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
        if _RULING_ONLY_RE.fullmatch(normalize(head)):
            head = ""  # "Je tranche, on fait comme ça.": the point is said before
        if not content_tokens(head):
            # "…la buvette va au club de foot. Tout le monde est d'accord ? Bon, c'est réglé."
            earlier = seg.text[: seg.text.find(sentence)]
            said = [x for x in SENTENCE_RE.findall(earlier) if not x.strip().endswith("?")]
            last = said[-1] if said else ""
            if len(said) > 1 and re.match(r"\s*(?:ensuite|puis|et)\b", last, re.IGNORECASE):
                # "Les minima sociaux d'abord : RSA, prime d'activité. Ensuite le reste…"
                last = f"{said[-2].strip()} {last.strip()}"
                head = _concluded_point(last, CONCLUDED_SENTENCE_WORDS)
            else:
                head = (
                    _concluded_point(last.split(":")[-1], CONCLUDED_SENTENCE_WORDS) if said else ""
                )
        if content_tokens(head) and not QUOTE_RE.search(normalize(head)):
            return f"{head[:1].upper()}{head[1:]}, {cue}.", [sid]
        prev = index.neighbour(sid, -1)
        proposed = _PROPOSED_RE.search(prev.text) if prev is not None else None
        if proposed and content_tokens(proposed["what"]):
            what = _proposal_text(proposed["what"])
            return f"{what[:1].upper()}{what[1:]} : {cue}.", [prev.id, sid]
        asked = _put_to_consent_before(index, sid) if not content_tokens(after) else None
        if asked is not None:
            what, qid = asked
            return f"{what[:1].upper()}{what[1:]} ({cue}).", [qid, sid]
        # unpunctuated text: "très bien c'est acté gravité 3 pas de déclaration", up to the
        # next request ("…en janvier thomas tu la rappelles")
        point = _ADDRESS_AFTER_RE.split(after, maxsplit=1)[0]
        point = _PERSON_AFTER_RE.split(point, maxsplit=1)[0].strip(" ,;:.!")
        if content_tokens(point) and not QUOTE_RE.search(normalize(point)):
            return f"{point[:1].upper()}{point[1:]} ({cue}).", [sid]
        return None
    return _summed_up_and_agreed(seg.text, sid)


_SETTLED_LEAD_RE = re.compile(
    r"^(?:c['’ ]est\s+)?(?:adopt|valid|act|retenu|vot)[ée]?e?s?\b", re.IGNORECASE
)
_RULING_ONLY_RE = re.compile(r"(?:bon |alors |donc )?(?:je tranche|je decide|je conclus|j arbitre)")
PROPOSAL_LOOKBACK_TURNS = 2


def _proposal_before(index: TranscriptIndex, sid: int) -> tuple[str, int] | None:
    """The proposal a bare "Pas d'opposition ? Adopté." puts to the vote: said in the turn
    before, or two turns before by the same speaker (a remark in between), as said."""
    seg = index.by_id[sid]
    for back in range(1, PROPOSAL_LOOKBACK_TURNS + 1):
        turn = index.neighbour(sid, -back)
        if turn is None:
            return None
        proposed = _PROPOSED_RE.search(turn.text)
        if (
            proposed
            and content_tokens(proposed["what"])
            and (back == 1 or turn.speaker == seg.speaker)
        ):
            return _proposal_text(proposed["what"]), turn.id
    return None


# The chair's own agreement said as a sentence of its own ("Ça me va.", "Ça nous convient.").
_AGREED_SENTENCE_RE = re.compile(
    r"^(?:bon |alors |donc |tres bien )?ca (?:me|nous) (?:va|convient)$"
)


_AGREED_AFTER_COMMA_RE = re.compile(
    r"^(?P<point>(?:le|la|les|l['’]|un|une|des)\s*[^?]{3,80}?),\s*[çc]a\s+(?:me|nous)\s+"
    r"(?:va|convient)\s*\.?$",
    re.IGNORECASE,
)
_NOT_A_POINT_RE = re.compile(r"(?:le|la|l['’])\s*(?:date|reste|principe)\b", re.I)


def _summed_up_and_agreed(text: str, sid: int) -> tuple[str, list[int]] | None:
    """The point a speaker sums up, then agrees to in a sentence of its own: "Très bien. Donc
    passage maintenu pour les secours, sauf pendant le coulage. Ça me va." → that summary;
    ``None`` when the sentence before is a question or says nothing."""
    sentences = [x.strip() for x in SENTENCE_RE.findall(text) if x.strip()]
    for sentence in sentences:
        # "Le blocage des redirections externes, ça me va.": the point and the assent in one
        said = _AGREED_AFTER_COMMA_RE.match(sentence)
        words = content_tokens(said["point"]) if said else []
        if said and len([t for t in words if t not in time_tokens(said["point"])]) >= 2:
            point = _FILLERS_RE.sub("", said["point"].strip()).strip(" ,;:")
            if not QUOTE_RE.search(normalize(point)) and not _NOT_A_POINT_RE.match(point):
                return f"{point[:1].upper()}{point[1:]} (accord).", [sid]
    for i, sentence in enumerate(sentences[1:], start=1):
        if not _AGREED_SENTENCE_RE.match(normalize(sentence)):
            continue
        before = sentences[i - 1]
        point = _concluded_point(before, CONCLUDED_SENTENCE_WORDS)
        if before.endswith("?") or not content_tokens(point) or QUOTE_RE.search(normalize(point)):
            return None
        return f"{point[:1].upper()}{point[1:].rstrip(' .')} (accord).", [sid]
    return None


# Putting a point to the others for the record: "je propose qu'on acte ce point : …", "on
# peut l'acter : …".
_TO_RECORD_RE = re.compile(
    r"\b(?:on\s+(?:peut|pourrait|va)\s+(?:l['’]\s*)?acter|(?:qu['’]\s*)?on\s+acte\s+"
    r"(?:ce|le|ces)\s+points?)\s*:?\s*(?P<what>[^?!]+)",
    re.IGNORECASE,
)


def _stated_before_question(text: str) -> str:
    """The point a turn puts to the others before its consent question (:func:`point_opened`;
    unpunctuated, the words after a summing-up opener or the last course set with "on"); ""
    when the turn asks none or no such point is found."""
    question = _CONSENT_ASKED_RE.search(text.strip())
    if not question:
        return ""
    if not re.search(r"[.!?]", text):
        # unpunctuated, a short turn that sums up: "moi ça me va les mardis matin en janvier
        # fermeture de la salle documentaire tout le monde est d'accord"
        lead = _SUMS_UP_LEAD_RE.match(normalize(text))
        words = text.split()
        if len(words) > SUMMED_UP_WORDS:
            return ""
        if lead:
            point = " ".join(words[len(lead.group(0).split()) :])
        else:
            # "…c'est gratuit pour l'établissement on fait la demande pour les toilettes des
            # filles tout le monde est d'accord": the last course set with "on"
            settled_here = list(_ON_SETS_RE.finditer(text[: question.start()]))
            if not settled_here:
                return ""
            point = text[settled_here[-1].start() : question.start()]
        point = _CONSENT_ASKED_RE.sub("", point).strip(" ,;:")
        return (
            point
            if len(content_tokens(point)) >= 3 and not QUOTE_RE.search(normalize(point))
            else ""
        )
    if not re.search(r"[.!]", text):
        return ""
    return point_opened(text.strip()[: question.start()])


# how an unpunctuated summing-up turn opens, and how long it may be
_SUMS_UP_LEAD_RE = re.compile(
    r"(?:moi )?(?:ca me va|d accord|bon|alors|donc|ok|tres bien|parfait)(?: (?:alors|donc|bon))?\b"
)
SUMMED_UP_WORDS = 40
_ON_SETS_RE = re.compile(
    r"\bon\s+(?:(?:le|la|les|l['’]|en|y)\s*)?(?:fait|garde|prend|met|lance|retient|valide|"
    r"maintient|ferme|ouvre|accepte|choisit|commande|r[ée]serve)\b",
    re.IGNORECASE,
)


def consent_asked(text: str) -> bool:
    """Whether a turn ends by asking the others to agree; in unpunctuated text a final
    "d'accord" after a point put on record counts ("…on peut l'acter remisage… d accord")."""
    if _CONSENT_ASKED_RE.search(text.strip()):
        return True
    return (
        not re.search(r"[.?!]", text)
        and bool(re.search(r"\bd['’ ]accord\s*$", text.strip(), re.IGNORECASE))
        and bool(_TO_RECORD_RE.search(text) or _PROPOSED_RE.search(text))
    )


_BUT_OR_NOT_RE = re.compile(r"\b(?:non|pas|mais|sauf)\b")
_I_PROPOSE_RE = re.compile(
    r"\bje\s+(?:vous\s+)?propose\s+(?:que\s+|qu['’]\s*|de\s+|d['’]\s*)(?P<what>[^.;!?]+)", re.I
)


def _proposal_agreed_twice(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A proposal ("Je propose qu'elle vienne le premier mois en binôme avec Gérard…") agreed
    to by the next two turns, two other speakers each accepting it ("Très bien, comme
    d'habitude." / "Oui, d'accord, binôme pendant un mois."); ``sid`` is any of the three."""
    for back in range(0, 3):
        start = index.neighbour(sid, -back) if back else index.by_id[sid]
        if start is None:
            return None
        proposed = _I_PROPOSE_RE.search(start.text)
        if not proposed or not content_tokens(proposed["what"]):
            continue
        replies = [index.neighbour(start.id, 1), index.neighbour(start.id, 2)]
        if any(r is None for r in replies):
            return None
        speakers = {r.speaker for r in replies}
        if (
            start.speaker in speakers
            or len(speakers) < 2
            or not all(
                is_acceptance(r.text) and not _BUT_OR_NOT_RE.search(normalize(r.text))
                for r in replies
            )
        ):
            return None
        what = _proposal_text(proposed["what"])
        return f"{what[:1].upper()}{what[1:]}.", [start.id, *(r.id for r in replies)]
    return None


def accepted_proposal(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A proposal put to the others with a consent question and accepted in the next turn by
    another speaker's short assent: "Je propose qu'on gèle les mises en prod jusqu'à lundi.
    […] Ça vous va ?" / "Ça me va." → ("On gèle les mises en prod jusqu'à lundi.", both
    turns). ``sid`` is either turn. ``None`` when the proposal turn does not ask for consent,
    proposes nothing, or is not agreed to."""
    seg = index.by_id[sid]
    nxt, prev = index.neighbour(sid, 1), index.neighbour(sid, -1)
    if consent_asked(seg.text) and nxt is not None:
        proposal, assent = seg, nxt
    elif prev is not None and consent_asked(prev.text):
        proposal, assent = prev, seg
    else:
        return _proposal_agreed_twice(index, sid) or agreed_and_moved_on(index, sid)
    agreed = normalize(assent.text)
    # "Bon, sur une allée, d'accord, on essaie.": a longer reply agreeing in so many words
    spelled_out = (
        len(assent.text.split()) <= SPELLED_ASSENT_WORDS
        and bool(_ASSENT_RE.search(agreed))
        and not _BUT_OR_NOT_RE.search(agreed)
    )
    if (
        proposal.speaker == assent.speaker
        or (len(assent.text.split()) > BARE_ASSENT_WORDS and not spelled_out)
        or not (
            spelled_out
            or is_acceptance(assent.text)
            or _OPENS_WITH_ASSENT_RE.match(agreed)
            # "Ça reste tenable, oui.", not "Oui mais non"
            or (re.search(r"\boui\b", agreed) and not re.search(r"\b(?:non|pas|mais)\b", agreed))
        )
    ):
        return None
    recorded = _TO_RECORD_RE.search(proposal.text)
    proposed = _PROPOSED_RE.search(proposal.text)
    if recorded and content_tokens(recorded["what"]):
        # "…on peut l'acter : remisage à domicile du véhicule, dans un rayon de trente km."
        what = SENTENCE_RE.findall(recorded["what"])[0].strip(" .,;:")
    elif proposed and content_tokens(proposed["what"]):
        what = ("on " if re.match(r"qu['’]\s*on\b", proposed["what"].strip(), re.I) else "") + (
            _proposal_text(proposed["what"])
        )
        what = re.sub(r"^on\s+on\b", "on", what.strip(), flags=re.I)
    elif (stated := _stated_before_question(proposal.text)) and not _BARE_NAME_RE.match(stated):
        # "…pas de saisine vendredi. Passage au CNEN le 6, et saisine du Conseil d'État le
        # lundi 10. Pas d'objection ?": the statement put to the others
        what = stated
    else:
        return None
    # unpunctuated: "… ça vous va", "… au-delà d'accord"
    what = _CONSENT_ASKED_RE.sub("", what).strip(" ,;:")
    what = re.sub(r"\s+d['’ ]accord\s*$", "", what, flags=re.IGNORECASE)
    return f"{what[:1].upper()}{what[1:]}.", [proposal.id, assent.id]


# "Et pour le suivi analytique, Nadia ?": the next point opened, put to someone by name
_NEXT_POINT_RE = re.compile(r"\bet (?:pour|sur|côté|cote) [^.?!]{3,60}\?\s*$", re.IGNORECASE)
ECHOED_WORDS = 2


def agreed_and_moved_on(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A proposal agreed to by whoever then opens the next point: "Je propose qu'on le
    nettoie deux fois par jour au lieu d'une." / "Oui, deux fois par jour jusqu'à nouvel ordre,
    c'est plus prudent. Et pour le suivi analytique, Nadia ?" → the proposal. The reply must
    open by agreeing, say again what was proposed, object to nothing, and move on."""
    seg, prev = index.by_id[sid], index.neighbour(sid, -1)
    if prev is None or prev.speaker == seg.speaker:
        return None
    proposed = _PROPOSED_RE.search(prev.text)
    agreed = normalize(seg.text)
    if (
        not proposed
        or not re.match(r"(?:oui|d accord|ok|tres bien|entendu|bien sur)\b", agreed)
        or re.search(r"\b(?:mais|pas|non|plutot|sauf)\b", agreed)
        or not _NEXT_POINT_RE.search(seg.text.strip())
    ):
        return None
    said = set(content_tokens(proposed["what"]))
    if len([t for t in content_tokens(seg.text) if t in said]) < ECHOED_WORDS:
        return None
    what = _proposal_text(proposed["what"])
    what = ("on " if re.match(r"qu['’]\s*on\b", proposed["what"].strip(), re.I) else "") + what
    what = re.sub(r"^on\s+on\b", "on", what.strip(), flags=re.I)
    return f"{what[:1].upper()}{what[1:]}.", [prev.id, sid]


# The chair sums up what was settled, in a sentence without a verb, then hands out the work:
# "Donc le rattrapage au centre de vaccination, le mercredi après-midi. Mme Benali, vous pouvez
# nous faire un petit flyer ?"
_RECAP_RE = re.compile(
    r"^(?:(?:bon|c['’]est bien|tr[èe]s bien|parfait)\s*[,.]?\s*)?(?:donc|alors|bon,?\s+alors|bon,?\s+donc)"
    r"\s*,?\s+(?P<point>[^.;!?]+)[.]\s+(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# "Sur ceux de plus de trois mois, on fait une relance par courrier. Sophie, tu peux…": the
# point named, the course set on it with "on" and a verb of action, then a request
_COURSE_SET_RE = re.compile(
    r"^(?:(?:bon|alors|donc)\s*,?\s+)?(?P<point>(?:sur|pour)\s+(?P<topic>[^,.;!?]{3,60}),\s*"
    r"on\s+(?:fait|lance|met en place|organise|envoie|garde|retient|passe)\s+[^.;!?]+)[.]\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# a finite verb or a subject in the recap: a sentence that says something else than the point
_HAS_VERB_RE = re.compile(
    r"\b(?:est|sont|ont|va|vont|fait|on|je|j|il|elle|ils|elles|nous|vous|c|ce|ca|y|peut|doit|"
    r"faut|sera|serait|reste|passe)\b"
)
RECAP_WORDS = 4
RECAP_LOOKBACK_TURNS = 3


_CIVILITY = "|".join(sorted(CIVILITIES, key=len, reverse=True))


def recap_then_request(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """The point a chair sums up without a verb, then hands out work on: "Donc le rattrapage au
    centre de vaccination, le mercredi après-midi. Mme Benali, vous pouvez nous faire un petit
    flyer ?" → "Le rattrapage au centre de vaccination, le mercredi après-midi."; the words of
    the point must have been said in the turns just before (it sums up their discussion)."""
    seg = index.by_id[sid]
    course = _COURSE_SET_RE.match(seg.text.strip())
    if course and addressee(course["rest"]) and is_request(course["rest"]):
        # "Sur ceux de plus de trois mois, on fait une relance par courrier. Sophie, tu peux
        # faire le publipostage ?": the course the chair sets on the point, then the work
        point = course["point"].strip(" ,")
        before = [index.neighbour(sid, -k) for k in range(1, RECAP_LOOKBACK_TURNS + 1)]
        said = {stem(t) for b in before if b is not None for t in content_tokens(b.text)}
        topic = content_tokens(course["topic"])
        if any(stem(t) in said for t in topic):
            return f"{point[:1].upper()}{point[1:]}.", [sid]
    text = seg.text.strip()
    request = _ADDRESS_AFTER_RE.search(text)
    if request and not re.search(r"[.!?]", text):
        # unpunctuated: "bon alors deuxième cours d'aqua gym le jeudi à 19 h… mme vasseur vous
        # pouvez appeler…": the summing-up ends where the request begins
        head = re.sub(
            rf"\s+(?:{_CIVILITY})(?:\s+\w+)?$",
            "",
            text[: request.start()],
            flags=re.I,
        )
        text = f"{head}. {text[request.start() :].strip()}"
    m = _RECAP_RE.match(text)
    if not m:
        return None
    point = m["point"].strip(" ,")
    words = content_tokens(point)
    if len(words) < RECAP_WORDS or _HAS_VERB_RE.search(normalize(point)):
        return None
    if not (addressee(m["rest"]) and is_request(m["rest"])):
        return None
    before = [index.neighbour(sid, -k) for k in range(1, RECAP_LOOKBACK_TURNS + 1)]
    said = {stem(t) for b in before if b is not None for t in content_tokens(b.text)}
    if len([t for t in words if stem(t) in said]) < 2:
        return None
    return f"{point[:1].upper()}{point[1:]}.", [sid]


# A choice replaced by another ("Bon, alors on oublie la note de service : on fait un flash
# sécurité, lu aux transmissions."), and the phrase that drops an earlier choice.
_DROP_VERB = r"(?:oublie|abandonne|laisse\s+tomber|annule)"
# "Alors on revient sur le traiteur : on fait le repas nous-mêmes": going back on a choice is a
# drop only where a new choice follows it ("on revient sur le budget" alone returns to a topic)
_BACK_ON = r"revient\s+sur"
_CORRECTION = r"\bon\s+(?:corrige|rectifie)\s*[:,]?\s*"
# "le jeudi deux avril à la place du treize mars": what the new choice replaces, named
_INSTEAD_RE = re.compile(
    r"\b(?:[àa]\s+la\s+place|au\s+lieu)\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)"
    r"(?P<old>[^,:;.!?]{3,60})",
    re.IGNORECASE,
)
# "Ok. Alors on ne ferme pas.": the choice taken, said again negated
_NOT_DONE_RE = re.compile(r"\bon\s+(?:ne\s+|n['’]\s*)(?P<verb>\w+)\s+(?:pas|plus)\b", re.I)
_REPLACED_RE = re.compile(
    rf"\bon\s+(?:{_DROP_VERB}|(?P<back>{_BACK_ON}))\s+(?P<old>[^:;.!?]{{3,80}}?)\s*[:;,]?\s*"
    r"(?:et\s+)?(?:finalement\s+)?on\s+(?:fait|prend|part\s+sur|passe\s+[àa]|garde|choisit)\s+"
    r"(?P<new>[^.;!?]+)"
    # "On oublie le gymnase : le centre d'accueil, ce sera la salle polyvalente."
    rf"|\bon\s+{_DROP_VERB}\s+(?P<old2>[^:;.!?]{{3,80}}?)\s*:\s*(?P<stated>[^.;!?]+)",
    re.IGNORECASE,
)
_DROPPED_RE = re.compile(
    # "on revient sur ce que j'ai dit : pas de saisine vendredi": what is dropped follows
    r"\bon\s+revient\s+sur\s+ce\s+qu(?:e\s+j['’]\s*ai|['’]\s*on\s+a|e\s+nous\s+avons)\s+"
    r"(?:dit|d[ée]cid[ée]|propos[ée]|annonc[ée])\s*:?\s*(?:pas\s+(?:de\s+|d['’]\s*)?|plus\s+"
    r"(?:de\s+|d['’]\s*)?)?(?P<said>[^:;.!?]{3,80})"
    rf"|\bon\s+(?:{_DROP_VERB}|revient\s+sur)\s+(?P<old>[^:;.!?]{{3,80}})"
    # "Alors on arrête tout. Pas d'alternat.": a sentence that only says no to the choice
    r"|(?:^|[.!?]\s+)pas\s+(?:de\s+|d['’]\s*)(?P<no>[^,:;.!?]{3,40})[.!]"
    rf"|{_CORRECTION}pas\s+(?P<was>[^:;,.!?]{{3,80}})",
    re.IGNORECASE,
)
# "Alors on corrige : pas le gymnase, le centre d'accueil sera la salle des fêtes."
_CORRECTED_RE = re.compile(
    rf"{_CORRECTION}(?:pas\s+(?P<old>[^:;,.!?]{{3,80}}?)\s*[,;:]\s*)?"
    r"(?P<new>[^.;!?]+)",
    re.IGNORECASE,
)
SUPERSEDED_WITHIN_TURNS = 6
SUPERSEDED_FAR_TURNS = 20


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
    new = _ADDRESS_AFTER_RE.split(m["new"] or m["stated"], maxsplit=1)[0].strip(" ,;:")
    if not content_tokens(new):
        return None
    if m["stated"]:
        return f"{new[:1].upper()}{new[1:]} (au lieu {_of(m['old2'])})."
    return f"On fait {new} (au lieu {_of(m['old'])})."


def _of(phrase: str) -> str:
    """``phrase`` after "de", contracted as French does ("le gymnase" → "du gymnase")."""
    phrase = phrase.strip(" ,;:")
    if re.match(r"le\s", phrase, re.I):
        return "du " + phrase[3:]
    if re.match(r"les\s", phrase, re.I):
        return "des " + phrase[4:]
    return f"d'{phrase}" if phrase[:1].lower() in "aeiouyhéè" else f"de {phrase}"


UNPUNCTUATED_DROP_WORDS = 6


def superseded(decision: Decision, index: TranscriptIndex) -> str | None:
    """Why ``decision`` no longer holds: a later turn drops it ("on oublie la note de
    service…"), a few turns on, or up to twenty when it names the choice in full; ``None`` when
    none does."""
    last = max(index.position[r.segment_id] for r in decision.sources)
    segs = index.transcript.segments
    for k, seg in enumerate(segs[last + 1 : last + 1 + SUPERSEDED_FAR_TURNS]):
        m = _DROPPED_RE.search(seg.text)
        old = m and (m["said"] or m["no"] or m["old"] or m["was"])
        if old and len(old.split()) > UNPUNCTUATED_DROP_WORDS:
            # ASR text runs on ("on oublie le gymnase le centre d'accueil ce sera…"): what is
            # dropped is named first
            old = " ".join(old.split()[:3])
        # further on, the drop and the choice must name the same thing ("on oublie le gymnase"
        # a dozen turns after "va pour le gymnase", once the wind turned; not "le budget du
        # gymnase est adopté")
        near = k < SUPERSEDED_WITHIN_TURNS
        # "on revient sur ce que j'ai dit : pas de saisine vendredi" refers back in so many
        # words, as does a drop followed by the new choice ("on revient sur le traiteur : on
        # fait le repas nous-mêmes"): what it drops need not repeat the whole choice
        replacement = _REPLACED_RE.search(seg.text)
        explicit = bool(m and (m["said"] or m["no"] or (replacement and replacement["back"])))
        if (
            old
            and content_tokens(old)
            and coverage(old, decision.text) >= (0.5 if near else 0.6 if explicit else 1.0)
            and (near or explicit or coverage(decision.text, old) >= 0.5)
        ):
            return f"remplacée plus loin : « {m.group(0).strip()} »"
        if (
            near
            and _VOTE_CANCELLED_RE.search(normalize(seg.text))
            and _VOTED_RE.search(decision.text)
            and not any(
                _VOTE_RESULT_RE.search(settled(x.text)) for x in segs[last + 1 : last + 1 + k]
            )
        ):
            # "Le festival… : adopté." … "Dans ce cas, on annule ce vote. Le dossier est
            # ajourné.": the last vote taken no longer holds (not the votes before it)
            return f"vote annulé plus loin : « {seg.text.strip()[:80]} »"
        instead = _INSTEAD_RE.search(seg.text)
        replaced = instead and " ".join(instead["old"].split()[: UNPUNCTUATED_DROP_WORDS - 2])
        if (
            replaced
            and states_decision(seg.text)
            and content_tokens(replaced)
            and coverage(replaced, decision.text) >= 0.6
        ):
            # "Je remets au vote : le jeudi deux avril à la place du treize mars. … Adopté."
            return f"remplacée plus loin : « {instead.group(0).strip()} »"
        undone = _NOT_DONE_RE.search(seg.text)
        if (
            near
            and undone
            and re.search(rf"\bon\s+{re.escape(undone['verb'])}\b", decision.text, re.I)
        ):
            # "Bon, on ferme les commentaires, alors." … "Ok. Alors on ne ferme pas. On laisse
            # ouvert…": the same words, negated
            return f"remplacée plus loin : « {undone.group(0).strip()} »"
        following = segs[last + 2 + k] if last + 2 + k < len(segs) else None
        if (
            near
            and _redated(decision.text, seg.text, same_month_only=False)
            and following is not None
            and following.speaker != seg.speaker
            and (is_acceptance(following.text) or _ASSENT_RE.search(normalize(following.text)))
            and not re.search(r"\b(?:non|pas|mais)\b", normalize(following.text))
            and _redated(decision.text, following.text, same_month_only=False)
        ):
            # "Bon, va pour le quatorze." … "Ah, attendez, le quatorze, on a le conseil." /
            # "Alors le mardi dix-neuf ?" / "Le dix-neuf, ça me va.": another day agreed
            return f"remplacée plus loin : « {seg.text.strip()[:80]} »"
        if near and states_decision(seg.text) and _redated(decision.text, seg.text):
            # "…le samedi trois avril… Ça convient à tout le monde ?" … "la salle est réservée
            # le trois, elle est libre le dix" / "Va pour le samedi dix avril.": another day
            return f"remplacée plus loin : « {seg.text.strip()[:80]} »"
        corrected = _SETTLED_AGAIN_RE.search(seg.text)
        if (
            corrected
            and near
            and states_decision(seg.text)
            and _shared_stems(decision.text, seg.text[corrected.end() :]) >= 1
            # not the new choice itself, cited before the chair settles it again
            and coverage(decision.text, seg.text[corrected.end() :]) < 0.5
        ):
            # "La pharmacie est d'accord, on bloquera la dispensation dans le logiciel." … "D'accord,
            # on corrige : dispensation immédiate possible, réévaluation à 72 heures. Adopté.": the
            # point is settled again, the earlier choice no longer holds
            return f"remplacée plus loin : « {seg.text[corrected.start() :].strip()[:80]} »"
    return None


# a day of the month after its article, weekday or not: "le quatorze", "le mardi dix-neuf",
# "au 3"; not the hour of "neuf heures trente". Compound numbers first, so that "dix-neuf" is
# read whole (text.py's deadline pattern lists "dix" first: its context forces the longer form)
_UNIT_WORDS = r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf)"
_DAY_OF_MONTH_RE = re.compile(
    r"\b(?:le|au|du)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    rf"(?P<day>\d{{1,2}}|premier|(?:vingt|trente)(?:[\s-]et[\s-]un|[\s-]{_UNIT_WORDS})?"
    rf"|dix(?:[\s-](?:sept|huit|neuf))?|onze|douze|treize|quatorze|quinze|seize|{_UNIT_WORDS})\b"
    r"(?!\s*(?:h|heures?)\b)"
)


def _day_and_month(text: str) -> tuple[set[str], set[str]]:
    """The days of the month (as said, compound numbers whole) and the months ``text`` says."""
    norm = normalize(text)
    days = {re.sub(r"[\s-]+", " ", m["day"]) for m in _DAY_OF_MONTH_RE.finditer(norm)}
    return days, {w for w in norm.split() if w in MONTHS}


def _redated(decided: str, later: str, same_month_only: bool = True) -> bool:
    """Whether ``later`` settles the same month as ``decided`` on another day, never saying
    the decided one (``same_month_only=False``: or neither says a month)."""
    days, months = _day_and_month(decided)
    new_days, new_months = _day_and_month(later)
    month_ok = bool(months & new_months) or (not same_month_only and not months and not new_months)
    return bool(days and month_ok and new_days and not days & new_days)


_VOTE_CANCELLED_RE = re.compile(r"\bannul\w*\s+(?:ce|le|notre)\s+vote\b")
_VOTED_RE = re.compile(r"\b(?:adopt[ée]e?s?|vot[ée]e?s?|unanimit[ée])\b", re.IGNORECASE)
# the chair settling a point again: "on corrige :", "on rectifie", "on change :"
_SETTLED_AGAIN_RE = re.compile(r"\bon\s+(?:(?:corrige|rectifie)\b|change\s*[:,])", re.IGNORECASE)


def _shared_stems(a: str, b: str) -> int:
    """How many content words (stemmed) two texts share, the decision's frame aside."""

    def words(text: str) -> set[str]:
        return {stem(t) for t in content_tokens(FRAMING_RE.sub(" ", normalize(text)))}

    return len(words(a) & words(b))


# A vote: "Je mets aux voix la ligne vers la gare." or "Je vous propose d'arrêter les comptes.
# Qui est pour ?", then, in that turn or the next ones, its result.
_PUT_TO_VOTE_RE = re.compile(
    r"\b(?:(?:re)?(?:mets|met|mettons|soumets|soumet|soumettons)\s+(?:aux\s+voix|au\s+vote)"
    # "On passe au vote sur les Gravières."
    r"|passe\s+au\s+vote\s+sur"
    # "Bon, je propose : jusqu'à la fin de la saison, on fait avec les minibus de la mairie"
    r"|(?:je\s+(?:vous\s+)?|nous\s+(?:vous\s+)?)propos(?:e|ons)\s*:\s+(?!(?:de|d['’]|que|qu['’])\b)"
    r"|(?:je\s+(?:vous\s+)?|nous\s+(?:vous\s+)?)propos(?:e|ons)\s*:?\s+(?:de\s+|d['’]\s*|que\s+|"
    r"(?P<on>qu['’]on\s+)|(?=(?:le|la|les|l['’]|un|une)\b)))"
    r"\s*(?P<what>[^.;!?]*)",
    re.IGNORECASE,
)
_VOTE_CALL_RE = re.compile(r"\b(?:aux voix|au vote)\b")
# where the proposal's wording ends: its sentence, or the call to vote in unpunctuated text
_PROPOSAL_END_RE = re.compile(
    r"[.;!?]|(?:^|\s)(?:qui est pour|qui est contre|des objections|pour\s*:|contre\s+abstentions?|"
    r"adopt[ée]e?s?\b|(?:[àa]\s+l['’ ]\s*)?unanimit[ée])"
)
BARE_RESULT_WORDS = 8
# how many turns a vote's result may come after the proposal ("Qui est pour ?" "Cinq." "Voté.")
VOTE_RESULT_TURNS = 4
_VOTE_RESULT_RE = re.compile(
    r"\b(?:(?:a l )?unanimite|adopte\w*|approuve\w*|(?:c est|est|sont)\s+votee?s?|"
    # "six pour deux contre", "quatre pour une abstention"
    r"avis (?:favorable|defavorable)|\w+ pour \w+ contre|\w+ pour (?:une|\w+) abstentions?)\b"
)
_VOTE_REJECTED_RE = re.compile(r"\b(?:rejet\w*|refus\w*|pas adopte\w*|n est pas adopte\w*)\b")


_ORDINAL = r"(?:premier|deuxi[èe]me|troisi[èe]me|quatri[èe]me|cinqui[èe]me|dernier)"
_AGENDA_OPENER_RE = re.compile(
    rf"^\s*(?:(?:et\s+)?{_ORDINAL}\s+point|point\s+(?:\w+|\d+))\s*[,:.]?\s*", re.IGNORECASE
)
_TAKEN_BACK_RE = re.compile(
    r"^.*\b(?:on\s+revient\s+sur|on\s+corrige|on\s+change)\b[^:]*:\s*", re.IGNORECASE
)
OPENED_POINT_WORDS = 6
OPENED_POINT_UNPUNCTUATED_WORDS = 12


_SUMMING_UP_RE = re.compile(
    r"^(?:je\s+(?:r[ée]sume|r[ée]capitule|tranche|conclus)(?:\s+et\s+je\s+(?:r[ée]sume|tranche|"
    r"conclus|propose))?|en\s+r[ée]sum[ée]|pour\s+r[ée]sumer)\s*:\s*",
    re.IGNORECASE,
)


_SUMS_UP_RE = re.compile(r"\s*(?:(?:bon|parfait|tr[èe]s bien)\s*[,.]?\s*)?donc\b", re.IGNORECASE)


def point_opened(before: str) -> str:
    """The point a turn opens before calling a vote or asking for objections, as said: its
    first statement without the agenda words ("Dernier point, le règlement intérieur de la
    CME." → "le règlement intérieur de la CME"), with the next statement when that first one is
    a bare name ("…: la modification porte sur le vote électronique"); questions and fillers
    left out. In unpunctuated text, the phrase from its last determiner (as for a conclusion)."""
    sentences = [x for x in SENTENCE_RE.findall(before) if x.strip()]
    # "Le principal préférait le jeudi, mais je lui expliquerai. Donc Hugo à Pasteur le lundi
    # et le vendredi matin.": from the sentence that sums up, when one does
    summing = [i for i, x in enumerate(sentences) if _SUMS_UP_RE.match(x)]
    said = [
        _without_fillers(x)
        for x in sentences[summing[0] if summing else 0 :]
        if not x.strip().endswith(("?", "…"))
    ]
    said = [_AGENDA_OPENER_RE.sub("", x).strip(" ,;:") for x in said]
    # "On revient sur le 2 juin : ouverture le lundi 16 juin": what replaces it
    said = [_TAKEN_BACK_RE.sub("", x).strip(" ,;:") for x in said]
    # "Je résume et je tranche : rang un, Mme B. ; Mme L. n'est pas retenue.": the summary; a
    # negation further on in it is one of its items
    summed = [_SUMMING_UP_RE.sub("", x).strip(" ,;:") for x in said]
    said = [
        x
        for x, whole in zip(summed, said, strict=True)
        if content_tokens(x)
        and not re.search(
            r"\b(?:pas|plus)\b", normalize(re.split(r"[,;]", x)[0] if x != whole else x)
        )
    ]
    if not said:
        return ""
    if len(said) == 1 and not re.search(r"[.!]", before):
        return " ".join(said[0].split()[:OPENED_POINT_UNPUNCTUATED_WORDS])
    point = said[0]
    if len(point.split()) <= OPENED_POINT_WORDS and len(said) > 1:
        point = f"{point} : {said[1][:1].lower()}{said[1][1:]}"
    return point


def _adopted(what: str, result: str) -> str:
    """The decision a carried vote states: what was put to it, then how it was carried
    ("La ligne vers la gare : adopté à l'unanimité.")."""
    how = "adopté à l'unanimité" if "unanimit" in result else "adopté"
    if re.search(r"\bdefavorable\b", result):
        # a commission giving its opinion: "L'avis de la commission est défavorable."
        how = "avis défavorable"
    elif re.search(r"\bavis favorable\b", result):
        how = "avis favorable" + (" à l'unanimité" if "unanimit" in result else "")
    return f"{what[:1].upper()}{what[1:]} : {how}."


def voted_decision(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A proposal put to the vote and carried, as said: "Je mets aux voix la ligne vers la gare."
    (or "Je vous propose d'arrêter les comptes.") followed, in that turn or up to four turns
    later, by "Unanimité" → ("La ligne vers la gare : adopté à l'unanimité.", the turns);
    ``sid`` may be the proposal or a short result turn. ``None`` otherwise, and when a turn in
    between makes another proposal or the vote fails."""
    segs = index.transcript.segments
    p = index.position[sid]
    own = segs[p].text
    # earlier turns count only for a bare result ("Unanimité, merci.") that puts nothing to
    # the vote itself
    bare = (
        # a short result, or one that says the count ("Six pour, deux contre. Avis favorable.")
        (len(own.split()) <= BARE_RESULT_WORDS or _VOTE_RESULT_RE.search(settled(own)))
        and not _VOTE_CALL_RE.search(normalize(own))
        and not _PUT_TO_VOTE_RE.search(own)
    )
    lookback = range(p, max(-1, p - VOTE_RESULT_TURNS - 1), -1) if bare else (p,)
    for q in lookback:
        m = _PUT_TO_VOTE_RE.search(segs[q].text)
        if not m:
            continue
        proposal = segs[q].text[m.start("what") :]
        end = _PROPOSAL_END_RE.search(proposal)
        cut = end.start() if end else len(proposal)
        last = p if p > q else min(q + 1, len(segs) - 1)
        if p == q and _VOTE_QUESTION_RE.search(normalize(proposal[cut:])):
            # "…Qui est pour ?" / "Pour." / "… Quatre pour. Jean-Luc ?" / "Je m'abstiens." /
            # "Noté. Quatre pour, une abstention.": the count comes a few turns on
            # (a count only: a turn with decision words is read on its own)
            for k in range(q + 1, min(q + VOTE_RESULT_TURNS, len(segs) - 1) + 1):
                if _PUT_TO_VOTE_RE.search(segs[k].text) or states_decision(segs[k].text):
                    last = min(q + 1, len(segs) - 1)
                    break
                if _VOTE_RESULT_RE.search(settled(segs[k].text)):
                    last = k
                    break
        between = [segs[k].text for k in range(q + 1, last + 1)]
        if q < p and any(_PUT_TO_VOTE_RE.search(t) for t in between[:-1]):
            break  # another proposal came in between: the result is not this one's
        after = " ".join([proposal[cut:], *between])
        result = settled(after)
        if _VOTE_REJECTED_RE.search(normalize(after)) or not _VOTE_RESULT_RE.search(result):
            break
        what = ("on " if m["on"] else "") + proposal[:cut].strip(" ,:")
        if not content_tokens(what):
            # "Dernier point, le règlement intérieur… Des remarques ? Je mets aux voix.": the
            # point put to the vote is the one the turn opened with
            what = point_opened(segs[q].text[: m.start()])
        if not content_tokens(what):
            break
        return _adopted(what, result), sorted({segs[q].id, sid})
    return None


# "Qui est contre ? Qui s'abstient ?": the chair calls the vote
_VOTE_QUESTION_RE = re.compile(r"\bqui (?:est|vote) (?:pour|contre)\b|\bqui s abstient\b")
# "Unanimité : quarante-huit mille euros de LEADER pour le tiers-lieu."
_RESULT_SAYS_WHAT_RE = re.compile(
    r"\b(?:[àa] l['’ ]\s*)?(?:unanimit[ée]|adopt[ée]e?s?)\s*:\s*(?P<what>[^.;!?]+)", re.IGNORECASE
)
# "Donc sept pour, un contre, une abstention : avis favorable pour l'extension de Saint-Aubin."
_OPINION_ON_RE = re.compile(
    r"\bavis\s+(?:d[ée])?favorable\s+(?:pour|sur|[àa]|au|aux)\s+(?P<what>[^.;!?]+)", re.IGNORECASE
)
# "Deuxième dossier, la légumerie de la CUMA du Causse."
_ITEM_OPENED_RE = re.compile(
    rf"\b(?:{_ORDINAL}|autre)\s+(?:dossier|point|projet)\s*[,:]?\s*(?P<what>[^.;!?]+)",
    re.IGNORECASE,
)
# how far back the point voted on may have been opened (its presentation and questions between)
ITEM_OPENED_TURNS = 6


def called_vote(index: TranscriptIndex, sid: int) -> tuple[str, list[int]] | None:
    """A vote the chair calls and counts in turn ``sid`` ("Qui est contre ? Personne. Qui
    s'abstient ? M. Delmas. Donc adopté, douze voix pour, une abstention.") with nothing put to
    the vote in so many words: what is adopted is what the result says ("Unanimité :
    quarante-huit mille euros de LEADER pour le tiers-lieu."), else the item the chair opened
    last, in that turn or up to :data:`ITEM_OPENED_TURNS` turns before ("Deuxième dossier, la
    légumerie de la CUMA du Causse."). ``None`` when no vote is called or it is not carried."""
    text = index.by_id[sid].text
    call = _VOTE_QUESTION_RE.search(normalize(text))
    if not call:
        return None
    # where the call starts in the text as said (normalisation keeps the words in order)
    start = len(" ".join(text.split()[: len(normalize(text)[: call.start()].split())]))
    after = text[start:]
    result = settled(after)
    if _VOTE_REJECTED_RE.search(normalize(after)) or not _VOTE_RESULT_RE.search(result):
        return None
    said = _RESULT_SAYS_WHAT_RE.search(after) or _OPINION_ON_RE.search(after)
    if said and content_tokens(said["what"]):
        what = said["what"].strip(" ,:")
        return _adopted(what, result), [sid]
    for step in range(ITEM_OPENED_TURNS + 1):
        turn = index.neighbour(sid, -step)
        if turn is None:
            break
        opened = list(_ITEM_OPENED_RE.finditer(text[:start] if step == 0 else turn.text))
        if opened:
            what = " ".join(opened[-1]["what"].split()[:OPENED_POINT_UNPUNCTUATED_WORDS])
            what = what.strip(" ,:")
            return _adopted(what, result), sorted({turn.id, sid})
    return None
