"""French text helpers shared by verification, merging and the benchmark: normalise, tokenise,
recognise names and time expressions."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

MONTHS = {
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
}
WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
NUMBER_WORDS = {
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "dix",
    "quinze",
    "vingt",
    "trente",
    "premier",
}
# Words that make an expression a point in time ("fin juin", "la semaine prochaine", "J+15").
TIME_WORDS = (
    MONTHS
    | WEEKDAYS
    | {
        "fin",
        "debut",
        "mi",
        "semaine",
        "semaines",
        "mois",
        "annee",
        "an",
        "trimestre",
        "semestre",
        "prochain",
        "prochaine",
        "demain",
        "rentree",
        "ete",
        "hiver",
        "printemps",
        "automne",
        "jours",
        "jour",
        "vacances",
        "noel",
        "paques",
        "toussaint",
        "pentecote",
        "ascension",
        "quinzaine",
        "heures",
        "h",
        "matin",
        "matinee",
        "soir",
        "journee",
        "midi",
        "minutes",
        "heure",
        "demi",
        "quart",
        "aube",
        "aujourd",
        "suite",
        "immediatement",
        "soiree",
        "nuit",
        "week",
        "end",
        "weekend",
    }
)
CIVILITIES = {
    "m",
    "mme",
    "mlle",
    "monsieur",
    "madame",
    "mademoiselle",
    "dr",
    "docteur",
    "docteure",
    "pr",
    "professeur",
    "professeure",
    "me",
    "maitre",
}
# Titles a person is addressed by instead of a name ("Capitaine, vous…", "Docteur, tu…").
TITLES = {
    "capitaine",
    "commandant",
    "lieutenant",
    "colonel",
    "adjudant",
    "general",
    "docteur",
    "docteure",
    "professeur",
    "professeure",
    "maitre",
    "maire",
    "prefet",
    "prefete",
    "directeur",
    "directrice",
    "president",
    "presidente",
    "chef",
    "commissaire",
    "inspecteur",
    "inspectrice",
}
STOPWORDS = {
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "et",
    "ou",
    "a",
    "au",
    "aux",
    "en",
    "pour",
    "par",
    "sur",
    "dans",
    "avec",
    "que",
    "qui",
    "ce",
    "cette",
    "ces",
    "se",
    "sa",
    "son",
    "ses",
    "leur",
    "leurs",
    "est",
    "sont",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "nous",
    "vous",
    "je",
    "tu",
    "j",
    "y",
    "ne",
    "pas",
    "plus",
    "tout",
    "tous",
    "avant",
    "apres",
    "d'ici",
    "ici",
    "lui",
    "moi",
    "toi",
    "eux",
    "equipe",
    "chacun",
    "personne",
    "quelqu",
    "quelqu'un",
    "s",
    "n",
    "c",
    "qu",
    "the",
}


def strip_accents(text: str) -> str:
    """``"Échéance"`` → ``"Echeance"``."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation as spaces: the form every comparison uses."""
    text = strip_accents(text.lower()).replace("’", "'")
    text = re.sub(r"[^a-z0-9']+", " ", text)
    text = text.replace("'", " ")
    return re.sub(r"\s+", " ", text).strip()


def tokens(text: str) -> list[str]:
    """Normalised words of ``text``."""
    return normalize(text).split()


def content_tokens(text: str) -> list[str]:
    """Words that carry meaning (no stop words, no civilities, at least 3 letters or a digit)."""
    return [
        t
        for t in tokens(text)
        if t not in STOPWORDS and t not in CIVILITIES and (len(t) >= 3 or t.isdigit())
    ]


def stem(token: str) -> str:
    """A crude French stem (first 5 letters): ``transmettre`` ~ ``transmis`` is not needed,
    but ``budget``/``budgetaire`` and ``prepare``/``preparer`` match."""
    return token[:5]


def coverage(claim: str, evidence: str) -> float:
    """Share of the claim's content words (stemmed) found in the evidence (1.0 when none)."""
    words = {stem(t) for t in content_tokens(claim)}
    if not words:
        return 1.0
    found = {stem(t) for t in content_tokens(evidence)}
    return len(words & found) / len(words)


def similarity(a: str, b: str) -> float:
    """Order-insensitive similarity in 0..100 of two short texts."""
    return fuzz.token_set_ratio(normalize(a), normalize(b))


def time_tokens(text: str) -> set[str]:
    """The words of ``text`` that name a point in time (months, days, numbers, "fin", ...).

    Ordinals are reduced to their number ("1er" → "1") so "1er juin" matches "1 juin".
    """
    found = set()
    for t in tokens(text):
        t = re.sub(r"^(\d+)(er|e|eme)$", r"\1", t)
        if t in TIME_WORDS or t.isdigit() or t in NUMBER_WORDS:
            found.add(t)
    return found - {"un", "premier"}


def has_time_expression(text: str) -> bool:
    """Whether ``text`` contains at least one word anchoring a date or deadline."""
    core = TIME_WORDS - {"h", "heures", "jour", "jours"}
    toks = set(tokens(text))
    return bool(toks & core) or bool(re.search(r"\b\d{1,2}\s*(?:/|h\b)", text))


NAME_RE = re.compile(
    r"\b(?:M\.|Mme|Mlle|Dr|Pr|Me|Monsieur|Madame|Docteur|Professeur)?\s*"
    r"((?:[A-ZÉÈÀÂÎÔÛÇ][a-zéèêëàâäîïôöûüç\-]+)(?:\s+[A-ZÉÈÀÂÎÔÛÇ][a-zéèêëàâäîïôöûüç\-]+)*)"
)


def name_tokens(text: str) -> set[str]:
    """Normalised capitalised words of ``text`` (candidate proper names)."""
    found: set[str] = set()
    for m in NAME_RE.finditer(text):
        for t in tokens(m.group(1)):
            if t not in STOPWORDS and t not in CIVILITIES and len(t) >= 2:
                found.add(t)
    return found


_MONTH = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
    r"d[ée]cembre)(?!\w)"  # not "mai" in "en mairie"
)
_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?!\w)"
_APOS = r"['’ ]"
_COUNT = r"(?:\d+|deux|trois|quatre|cinq|six|sept|huit|dix|quinze|quelques)"
# A day of the month as digits or as said in words ("le quinze juillet", "le premier octobre",
# "le vingt et un mars"): ASR writes numbers in words.
_UNITS = r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf)"
_DAY_OF_MONTH = (
    r"(?:\d{1,2}(?:er)?|premier|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
    r"treize|quatorze|quinze|seize|dix[\s-]+(?:sept|huit|neuf)|"
    rf"(?:vingt|trente)(?:[\s-]+et[\s-]+un|[\s-]+{_UNITS})?)"
)
_HOUR = (
    r"(?:(?:\d{1,2}|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize|dix-sept|dix-huit|dix-neuf|vingt(?:-\s?(?:et-une|deux|trois))?)\s*(?:h|heures?)"
    r"(?:\s*\d{1,2}|\s+(?:trente|et demie|et quart))?|midi|minuit)"
)
# What a deadline points at, article included. Said alone, these are deadlines ("jeudi",
# "le 12 mai", "cette semaine"); the others need "avant", "d'ici", "pour"... ("avant l'été").
# So long before what the work is for ("une semaine avant", "au moins cinq jours francs avant"),
# and the next meeting a point goes to ("au prochain conseil", "à la prochaine séance"): read as
# deadlines, but weaker than any other date said with them (:data:`_WEAK_DEADLINE_RE`).
_LEAD_TIME = (
    rf"(?:au\s+moins\s+)?(?:une?|{_COUNT})\s+(?:jours?(?:\s+francs)?|semaines?|mois)\s+avant"
)
_AT_NEXT = r"(?:au|[àa]\s+la)\s+prochaine?"
_BARE_TARGET = (
    rf"(?:le\s+|au\s+)?{_DAY_OF_MONTH}\s+{_MONTH}(?:\s+\d{{4}})?"
    rf"|(?:la\s+)?(?:fin|d[ée]but|mi-?)\s*{_MONTH}|courant\s+{_MONTH}"
    rf"|au\s+mois\s+(?:de\s+|d{_APOS})\s*{_MONTH}"
    rf"|(?:(?:le\s+)?{_DAY}(?!\s+derni[eè]r)(?:\s+{_DAY_OF_MONTH}(?!\s*(?:h|heures?)\b)(?:\s+{_MONTH})?)?"
    rf"(?:\s+(?:prochain|matin|soir))?"
    # "demain dix heures", "demain matin, avant neuf heures": the day and its hour
    rf"|demain(?:\s+(?:matin|soir|apr[èe]s-?\s?midi))?|ce\s+soir)(?:\s+(?:[àa]\s+)?{_HOUR}|,?\s+avant\s+{_HOUR})?"
    rf"|cette\s+semaine|le\s+{_DAY_OF_MONTH}\s+au\s+(?:matin|soir)\b|dans\s+la\s+foul[ée]e"
    rf"|cet\s+apr[èe]s-?\s?midi|ce\s+matin|en\s+fin\s+de\s+(?:journ[ée]e|matin[ée]e)"
    rf"|la\s+semaine\s+(?:prochaine|du\s+\d{{1,2}}(?:er)?\s+{_MONTH}|de\s+la\s+rentr[ée]e)"
    rf"|(?:sous|dans\s+les)\s+{_COUNT}\s+(?:jours|semaines|mois)|sous\s+(?:huitaine|quinzaine)"
    rf"|la\s+veille\s+(?:du|de\s+la|de\s+l{_APOS}?)\s*\w+|le\s+lendemain\s+(?:du|de\s+la)\s+\w+"
    rf"|en\s+(?:fin|d[ée]but)\s+de\s+(?:semaine|mois)(?:\s+prochaine?)?"
    rf"|le\s+mois\s+prochain|l{_APOS}?(?:an|ann[ée]e)\s+prochaine?"
    rf"|ce\s+week-?\s?end|le\s+week-?\s?end\s+prochain"
    rf"|(?:au\s+moins\s+|au\s+plus\s+tard\s+)?{_COUNT}\s+(?:jours|semaines)\s+avant\s+"
    rf"(?:la|le|l{_APOS})\s*\w+"
    # within the hour, as crisis cells and stand-ups say it
    rf"|dans\s+(?:{_COUNT}\s+minutes|l{_APOS}?heure|la\s+demi-?\s?heure|"
    rf"le\s+quart\s+d{_APOS}?heure|la\s+soir[ée]e|la\s+nuit)"
    rf"|tout\s+de\s+suite|imm[ée]diatement|aujourd{_APOS}?hui(?:\s+m[êe]me)?|[àa]\s+l{_APOS}?aube"
    # later today ("Je les donne à Julie tout à l'heure"); not "de tout à l'heure" (earlier)
    rf"|(?<!\bde\s)tout\s+[àa]\s+l{_APOS}?heure"
    # so long before the meeting it is for, said at the end of the clause ("Envoyez-les à
    # Justine une semaine avant, qu'ils partent avec l'ordre du jour")
    rf"|{_LEAD_TIME}(?=\s*(?:[,.;:!?]|$))"
)
_TARGET = (
    # a meeting named by its date: "pour la réunion de lundi prochain", "avant le comité du 12"
    rf"(?:la|le)\s+(?:r[ée]union|s[ée]ance|comit[ée]|conseil|commission|bureau)\s+"
    rf"(?:de|du)\s+(?:{_BARE_TARGET})"
    rf"|{_BARE_TARGET}"
    rf"|(?:la|le)\s+prochaine?\s+(?:s[ée]ance|r[ée]union(?:\s+de\s+\w+)?|commission|conseil|"
    rf"directoire|comit[ée](?:\s+de\s+pilotage)?|bureau|assembl[ée]e|pl[ée]ni[èe]re|"
    rf"(?-i:[A-Z]{{2,6}})\b)"
    # a body's meeting of a month, by its name or acronym: "pour la CME de septembre"
    rf"|(?:la|le|l{_APOS})\s*[\w\-]+\s+(?:de|d{_APOS})\s*(?:{_MONTH}|printemps|[ée]t[ée]|automne|hiver)\b"
    rf"|la\s+fin\s+(?:du\s+(?:mois|trimestre|semestre)(?:\s+prochain)?|de\s+(?:la\s+)?semaine"
    rf"(?:\s+prochaine)?|de\s+l{_APOS}?ann[ée]e|d{_APOS}?ann[ée]e)"
    # holidays: "avant Noël", "pour Pâques", "d'ici la Toussaint"
    rf"|no[ëe]l|p[âa]ques|la\s+toussaint|la\s+pentec[ôo]te|l{_APOS}?ascension"
    rf"|{_COUNT}\s+(?:jours|semaines|mois)|{_HOUR}"
    rf"|les\s+vacances(?:\s+(?:de\s+\w+|d{_APOS}?[ée]t[ée]))?|l{_APOS}?[ée]t[ée]|la\s+rentr[ée]e"
    rf"|(?:le\s+)?(?:conseil|comit[ée]|bureau)\s+(?:de|du)\s+{_MONTH}"
    # a month alone after "avant", "d'ici", "pour", "dès": "avant mars", "d'ici juin"
    rf"|{_MONTH}"
    # a day of this month alone, where the clause ends or goes on: "Avant le 15, sinon…",
    # "pour le 12 au plus tard" (not "pour le 12 heures", "avant le premier tour")
    rf"|le\s+{_DAY_OF_MONTH}(?=\s*(?:[,.;:!?]|$)|\s+(?:au\s+plus\s+tard|sinon|si|et|ou|"
    rf"c{_APOS}\s*est|[çc]a|comme|dernier|matin|soir|midi|[àa]\s+\d)\b)"
)
# The meeting bodies people name by their acronym: general assembly, board, steering and
# technical committees, management board, medical and staff committees...
_BODY_ACRONYMS = r"(?:ag|ca|copil|cotech|codir|cvl|cme|cse|cst|csa|cdac)"
# A deadline as people say it: "d'ici le 1er juin", "avant le 15 avril", "cette semaine",
# "la semaine prochaine", "la semaine du 7 avril", "dès demain", "pour le conseil de juin",
# "avant les vacances", "d'ici la fin du mois", "dans la semaine", "en septembre", "jeudi".
DEADLINE_RE = re.compile(
    rf"\b(?:d{_APOS}ici|avant|au\s+plus\s+tard|d[èe]s|pour)\s+(?:{_TARGET})\b"
    # once something is over: "je les relancerai après les vacances", "juste après les fêtes",
    # "je rappellerai le secrétaire de mairie après leur conseil"
    rf"|\b(?:(?:juste|tout\s+de\s+suite)\s+)?apr[èe]s\s+(?!midi\b)(?:{_TARGET}"
    rf"|(?:la|le|les|leur|leurs)\s+(?:briefing|conseil|comit[ée]|bureau|f[êe]tes|"
    rf"commission|classement|vote)(?:\s+(?:de|du)\s+[\w\-]+)?)\b"
    # not "on en reparle après la réunion", "je fais un ticket aujourd'hui, après la réunion"
    rf"|\b(?:juste|tout\s+de\s+suite)\s+apr[èe]s\s+(?:la|le)\s+(?:r[ée]union|s[ée]ance)\b"
    rf"|dans\s+la\s+(?:semaine|journ[ée]e|matin[ée]e)"
    # "un jour de la semaine prochaine", said whole
    rf"|\bun\s+(?:jour|matin|soir|apr[èe]s[\s-]midi)\s+de\s+(?:la\s+semaine\s+prochaine|cette\s+semaine)"
    # before an event of the work itself: "avant la publication", "avant qu'on ouvre aux
    # partenaires"
    rf"|\bavant\s+(?:la|le|les|l{_APOS})\s*(?!(?:fin|r[ée]union|s[ée]ance|autres|gens|personnes)\b)"
    rf"[a-zà-ÿ]{{5,}}"
    # "avant la publication du rapport", "avant les premières neiges."
    # "avant le comité de pilotage"
    rf"(?:\s+(?:du|de\s+la|des|de)\s+[a-zà-ÿ]{{4,}}|\s+[a-zà-ÿ]{{4,}}(?=\s*(?:[,.;:!?]|$)))?"
    # "avant la commission des admissions de vendredi": the event's day
    rf"(?:\s+(?:de|du)\s+{_DAY}(?:\s+prochain)?)?"
    # before a body's meeting named by its acronym: "d'ici l'AG", "avant le COPIL", "pour l'AG"
    # (ASR text: "pour l'ag"), not "pour la CAF"
    rf"|\b(?:d{_APOS}ici|avant)\s+(?:le|la|l{_APOS})\s*(?-i:[A-Z]{{2,6}})\b"
    rf"|\b(?:d{_APOS}ici|avant|pour)\s+(?:le|la|l{_APOS})\s*(?:prochaine?\s+)?{_BODY_ACRONYMS}\b"
    rf"|\bavant\s+qu{_APOS}\s*(?:on|il|elle|ils|elles|nous)\s+[a-zà-ÿ]{{3,}}(?:\s+(?:aux?|les?|la|l{_APOS})\s*[a-zà-ÿ]{{4,}})?"
    rf"|\ben\s+{_MONTH}|\b(?:{_BARE_TARGET})\b"
    # at a body's meeting of a month: "présenter au bureau de juin", "au CA de mars"
    rf"|\b{_AT_NEXT}\s+(?:s[ée]ance|r[ée]union|commission|conseil|comit[ée]|bureau|"
    rf"directoire|assembl[ée]e|pl[ée]ni[èe]re)(?:\s+(?:de|du|des)\s+(?:la\s+)?[a-zà-ÿ]{{4,}})?"
    # "vous nous les présentez au prochain CVL"
    rf"|\b{_AT_NEXT}\s+(?-i:[A-Z]{{2,6}})\b"
    rf"|\b(?:au|[àa]\s+la|[àa]\s+l{_APOS})\s*(?:conseil|comit[ée]|bureau|directoire|commission|"
    rf"assembl[ée]e(?:\s+g[ée]n[ée]rale)?|s[ée]ance|session|(?-i:[A-Z]{{2,6}}))\s+"
    rf"(?:de|du|d{_APOS})\s*{_MONTH}",
    re.IGNORECASE,
)


# A verb in the passé composé ("je leur ai envoyé un mail lundi", "on a reçu le devis jeudi"):
# a day said after it in the same clause is when that happened, not a deadline. Not the
# participles that announce what is to come ("on a prévu de le livrer lundi", "il a dit…").
_PAST_RE = re.compile(
    r"\b(?:ai|as|a|avons|avez|ont)\s+(?:d[ée]j[àa]\s+|bien\s+)?"
    r"(?!pr[ée]vu|d[ée]cid|fix|dit\b|promis|demand|convenu|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|midi|jusqu)"
    # feminine participles too ("on l'a sue trois jours avant", "je l'ai prise"), not "quelques"
    r"\w+(?:é|ée|és|ées|i|is|it|u|us|(?<!q)ues?|ises?|ert|ort|int)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"[,;:.!?]")


PAST_DAY_WORDS = 4  # "ai envoyé un mail lundi"; unpunctuated ASR text runs clauses together


def without_past(text: str) -> str:
    """``text`` without its verbs in the passé composé ("j'ai fait la mienne en octobre")."""
    return _PAST_RE.sub(" ", text)


def _said_in_past(text: str, start: int) -> bool:
    """Whether a verb in the passé composé comes just before ``start``, in its clause."""
    clause = _CLAUSE_BREAK_RE.split(text[:start])[-1]
    found = list(_PAST_RE.finditer(clause))
    return bool(found) and len(clause[found[-1].end() :].split()) <= PAST_DAY_WORDS


# Times that only lie ahead: "je l'ai reçue hier je fais l'extraction demain" (unpunctuated ASR
# text) does not say "demain" of what was received.
_ONLY_AHEAD_RE = re.compile(r"^(?:d['’ ]ici|au\s+plus\s+tard)\b|\bdemain\b|\bprochaine?\b", re.I)

# "comme je disais tout à l'heure": earlier today, not later
_EARLIER_TODAY_RE = re.compile(
    r"\b(?:comme|disais|disait|disions|parlais|parlait|parlions|[ée]voqu\w*|mentionn\w*)\b[^,.;:!?]*$",
    re.IGNORECASE,
)


_ARRIVAL_RE = re.compile(
    r"\b(?:ils|elles|il|elle)\s+(?:arrivent|arrive|commencent|commence|d[ée]marrent|d[ée]marre|"
    r"rentrent|rentre|reviennent|revient)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def stated_deadlines(text: str) -> list[str]:
    """Deadline expressions said in ``text``, as said (see :data:`DEADLINE_RE`); not a day
    said of what has happened ("Je leur ai envoyé un mail lundi", "comme je disais tout à
    l'heure"), nor a date the work may not start before ("pas avant septembre")."""
    return [
        m.group(0).strip()
        for m in DEADLINE_RE.finditer(text)
        if (_ONLY_AHEAD_RE.search(m.group(0)) or not _said_in_past(text, m.start()))
        # "Mais pas avant septembre": when the work cannot start, not when it is due
        and not re.search(r"\bpas\s*$", text[: m.start()], re.IGNORECASE)
        # "les réservations pour les déplacements jusqu'en juin": how long, not by when
        and not re.search(
            r"\bjusqu['’ ]?\s*(?:[àa]\s+|aux?\s+)?$", text[: m.start()], re.IGNORECASE
        )
        # "ils arrivent le 12 janvier": when someone comes or something starts, not a deadline
        and not _ARRIVAL_RE.search(_CLAUSE_BREAK_RE.split(text[: m.start()])[-1])
        # "alors aujourd'hui on a trois votes": what the day holds, not when work is due
        and not (
            re.fullmatch(rf"aujourd{_APOS}?hui", m.group(0).strip(), re.IGNORECASE)
            and re.match(
                r"\s*,?\s*(?:on\s+a|il\s+y\s+a|nous\s+avons|c['’ ]\s*est)\b", text[m.end() :], re.I
            )
        )
        # "le samedi, c'est compliqué", "fermer le mercredi": every Saturday, not a day ("le
        # vendredi soir" before an election is that one)
        and not re.fullmatch(rf"le\s+{_DAY}", m.group(0).strip(), re.IGNORECASE)
        # "demander que le 14 juillet soit à l'ordre du jour": a day as the subject
        and not (
            re.search(r"\bque\s*$", text[: m.start()], re.IGNORECASE)
            and re.match(r"\s+(?:soit|soient|sera|est)\b", text[m.end() :], re.IGNORECASE)
        )
        and not (
            m.group(0).lower().startswith("tout")
            and _EARLIER_TODAY_RE.search(_CLAUSE_BREAK_RE.split(text[: m.start()])[-1])
        )
    ]


# Words that start a turn or a sentence but are not names ("Alors, vous…", "Bon, tu…").
_NOT_NAMES = {
    "oui",
    "non",
    "alors",
    "donc",
    "bon",
    "bien",
    "mais",
    "merci",
    "allez",
    "ok",
    "puis",
    "ensuite",
    "enfin",
    "sinon",
    "voila",
    "ca",
    "parfait",
    "entendu",
    "tres",
    "maintenant",
    "bref",
    "ah",
    "oh",
    "euh",
    "ben",
    "eh",
    "si",
    "comme",
    "moi",
    "toi",
    "nous",
    "vous",
    "tu",
    "je",
    "on",
    "il",
    "elle",
    "que",
    "qui",
    "quand",
    "ou",
    "au",
    "et",
    "est",
    "ce",
    "cela",
    "question",
    "remarque",
    "attention",
    "justement",
    "aussi",
    "pourquoi",
    "comment",
    "dites",
    "dis",
    "pardon",
    "excusez",
    "madame",
    "monsieur",
    "messieurs",
    "mesdames",
    "tous",
    "toutes",
}
ADDRESS_RE = re.compile(
    r"(?:^|[.?!:;]\s+|\bet\s+|\balors\s+|\bdonc\s+|\bmerci\s+|"
    # "D'accord, Hugo, tu fais l'affiche"
    r"(?:d['’]accord|oui|ok|bon|tr[èe]s bien|parfait|entendu)\s*,\s+)(?:(?:m\.?|mme|monsieur|madame)\s+)?"
    # not "Kevin et Laure, vous êtes au-dessus": a state, no request
    r"([A-Za-zÀ-ÿ][\w\-]{2,})\s*,?\s+(?=(?:(?:tu|vous)(?!\s+(?:[êe]tes|es|avez|as|[ée]tiez|aviez)\b)|"
    r"il\s+(?:nous\s+)?faudra|est[\s-]ce\s+que|"
    r"pouvez|pourriez|peux|pourrais|pourras|pourrez)\b|(?-i:[a-zà-ÿ]{3,}ez)(?![\w]))",
    re.IGNORECASE,
)


# A name said after a request, set off by a comma ("Faites le chiffrage, Mme Faure, on
# regardera."): a capitalised word, or any word after a civility.
VOCATIVE_RE = re.compile(
    r",\s*(?:(?:m\.?|mme|monsieur|madame|docteur|dr)\s+(?P<titled>[\w\-]{2,})|"
    r"(?P<name>[A-ZÀ-Ý][\w\-]{2,}))\s*(?=[,.?!]|$)",
    re.IGNORECASE,
)


def _is_vocative(m: re.Match[str]) -> bool:
    """A :data:`VOCATIVE_RE` match that names someone: after a civility, or capitalised (not
    an acronym such as "SDIS")."""
    word = m["titled"] or m["name"]
    return (
        normalize(word) not in _NOT_NAMES
        and normalize(word) not in STOPWORDS
        and bool(m["titled"] or (word[:1].isupper() and not word.isupper()))
    )


def _drop_name(m: re.Match[str]) -> str:
    return "" if _is_vocative(m) else m.group(0)


def addressee(text: str) -> str | None:
    """The person a turn speaks to by name ("Claire, tu peux réserver…" → ``"Claire"``), as
    said; ``None`` when the turn addresses nobody by name. Works on ASR text (no commas, lower
    case) too: a word right before "tu"/"vous" at the start of a sentence. A name after the
    request ("Faites le chiffrage, Mme Faure.") counts when set off by a comma."""
    for m in ADDRESS_RE.finditer(text.lstrip()):
        word = m.group(1)
        if normalize(word) in CIVILITIES:
            continue  # "Mme Lopez est avec nous": a title before a name in "-ez", no imperative
        if normalize(word) not in _NOT_NAMES and normalize(word) not in STOPWORDS:
            return word[:1].upper() + word[1:]
    for sentence in SENTENCE_RE.findall(text):
        # asked of someone: an imperative that asks for work, or "tu"/"vous" with a verb that
        # asks ("vous relancez", "tu peux"), not "ça vous va"
        asked = min(
            [
                m.start()
                for m in _IMPERATIVE_RE.finditer(sentence)
                if normalize(m["verb"]) not in _NOT_TASK_IMPERATIVES
            ]
            + [m.start() for m in _SECOND_PERSON_RE.finditer(sentence)],
            default=None,
        )
        for m in VOCATIVE_RE.finditer(sentence):
            if asked is not None and asked < m.start() and _is_vocative(m):
                word = m["titled"] or m["name"]
                return word[:1].upper() + word[1:]
    return None


# The speaker commits in the first person: "je m'en charge", "je transmettrai", "je vais
# appeler", or a present tense with a deadline ("je lance la revue dès lundi"). Opinions,
# proposals and chairing ("je pense", "je propose", "je mets aux voix") are not commitments.
_AGREEING_VERBS = {"confirme", "approuve", "rejoins", "partage", "maintiens"}
_NOT_COMMITMENTS = {
    "aime",
    "adore",
    "assume",
    "dise",
    "sois",
    "sache",
    "puisse",
    "avoue",
    "pense",
    "propose",
    "crois",
    "trouve",
    "prefere",
    "prefererais",
    "souhaiterais",
    "comprends",
    "suis",
    "sais",
    "veux",
    "voudrais",
    "regrette",
    "souhaite",
    "note",
    "penche",
    "rappelle",
    "declare",
    "laisse",
    "soumets",
    "mets",
    "quitte",
    "leve",
    "ouvre",
    "vois",
    "dis",
    "peux",
    "dois",
    "reviens",
    "serai",
    "aurai",
    "voterai",
    "pourrai",
    "ai",
    "avais",
    "etais",
    "recommande",
    "conseille",
    "suggere",
    "entends",
    "constate",
    "signale",
    "precise",
    "insiste",
    "remarque",
    "crains",
    "doute",
    "espere",
    "imagine",
    "demande",
    "connais",
    "remercie",
    "excuse",
    "abstiens",
    "aimerais",
    "explique",  # "Je vous explique rapidement la procédure": done in the meeting
    "recapitule",  # "Je récapitule pour le bilan.": said there and then
    # how, not what: "je m'appuie sur celui de l'OMéDIT, je vous l'envoie…"
    "appuie",
    "base",
    "inspire",
}
_CLITICS = r"(?:(?:te|vous|lui|leur|l|la|le|les|en|y|m|me|t|s)\s+)*"
_FIRST_PERSON_RE = re.compile(rf"\b(?:je|j)\s+{_CLITICS}(\w+)")


# Offering to do it ("Je peux m'occuper de la sono.", "je peux appeler la présidente", "je veux
# bien le faire") and asking on the meeting's behalf ("je demande un devis à la métropole", "je
# demande à la Croix-Rouge…"); not "je peux vous dire", "je me demande", "je vous demande de…"
# (a request to the others) or "je demande à voir".
_WORK_INFINITIVES = (
    r"faire|prendre|envoyer|preparer|appeler|contacter|rediger|organiser|regarder|demander|"
    r"transmettre|relancer|reserver|verifier|chiffrer|ecrire|prevenir|informer|porter|"
    r"recontacter|rappeler|lancer|remonter|sortir|extraire|recenser|lister|compiler"
)
# "je peux vous transmettre nos données", "je peux porter la demande": the object pronoun
# may come after "peux" as well as before it
_OFFERS_RE = re.compile(
    r"\bje (?:te |vous )?peux (?:(?:aussi|au moins|deja|toujours) )?(?:m en occuper|m occuper|"
    rf"me charger|aller voir|(?:(?:vous|te|nous) )?(?:(?:le|la|les|l|lui|leur) )?"
    rf"(?:{_WORK_INFINITIVES}))\b"
    # "je veux bien l'animer": a task already named, taken on
    r"|\bje veux bien (?:m en occuper|m occuper|m en charger|(?:le|la|les|l) \w+(?:er|ir|re))\b"
    rf"|\bje veux bien (?:(?:vous|te|nous|lui|leur) )?(?:{_WORK_INFINITIVES})\b"
    r"|\bje (?:leur |lui )?demande (?:un|une|des|le|la|les|au|aux|a(?! voir))\s"
    r"|\bje (?:leur|lui) demande (?:de|d)\s"  # "je leur demande de la fournir", not "je vous…"
)


_OWN_PURPOSE_RE = re.compile(
    r"(?:\b(?:pour|afin)\s+|,\s*)qu(?:e\s+|['’]\s*)(?:je|j['’])[^,.;:!?]*", re.IGNORECASE
)


def offers_work(text: str) -> bool:
    """Whether the speaker offers to do a piece of work ("Je peux sortir la liste…", "je
    veux bien l'animer")."""
    return bool(_OFFERS_RE.search(normalize(text)))


def commits_self(text: str) -> bool:
    """Whether the speaker takes on a task in the first person (see the comment above)."""
    # "vous me faites une note, que je la joigne ?": a purpose, no commitment
    norm = normalize(_OWN_PURPOSE_RE.sub(" ", text))
    if re.search(r"\bje m en (?:charge|occupe)\b|\bje vais \w+", norm):
        return True
    if re.search(r"\bje (?:m occupe|me charge) (?:de|d|des|du)\b", norm) and "depuis" not in norm:
        return True  # "Je m'occupe de la faire inscrire…", not "je m'occupe du budget depuis 2020"
    obliged = re.search(
        r"\bil (?:faut|faudra) (?:que|qu) je (?:(?:le|la|les|l|lui|leur) )?(\w+)", norm
    )
    if obliged and obliged.group(1) not in _NOT_COMMITMENTS | {"ne", "n"}:
        return True  # "il faut que je regarde le coût avec la DRH": the speaker's to do
    if _OFFERS_RE.search(norm):
        return True
    if re.search(r"\bje (?:le|la|les|l|lui|leur) rappelle\b", norm):
        return True  # "Je les rappelle demain matin": calling back, not "je rappelle que…"
    if re.search(r"\bje (?:vous |te |leur |lui )?reviens vers\b", norm) and stated_deadlines(text):
        return True  # "je reviens vers vous d'ici la fin de la semaine"
    # a present tense commits when a deadline is said or when it answers a request ("Ok, je
    # l'ajoute au backlog")
    # ... or when the speaker puts themself forward ("Et moi, je fais passer l'info", "je vois
    # les élèves de mon côté")
    # (not the next meeting alone: "…on examine les deux ensemble… à la prochaine séance")
    present_commits = (
        any(not _WEAK_DEADLINE_RE.match(d) for d in stated_deadlines(text))
        or is_acceptance(text)
        or bool(_SELF_FORWARD_RE.search(norm))
    )
    for m in _FIRST_PERSON_RE.finditer(norm):
        verb = m.group(1)
        if _takes_on_work(verb, norm[m.end() :]):
            return True  # "je mets le compte rendu sur le wiki", "je fais remonter la demande"
        if verb in _NOT_COMMITMENTS or verb in ("ne", "n"):
            continue  # an opinion, or a negation ("je ne peux rien promettre")
        # a present with an object pronoun takes on what was just said ("je le relance")
        takes_object = bool(re.search(r"\s(?:l|le|la|les)\s", m.group(0)))
        present = present_commits or takes_object
        if verb.endswith("rai") or (present and verb.endswith(("e", "s", "x"))):
            return True
    return False


_CHAIRING_AFTER_RE = re.compile(
    r"\s*(?:aux voix|au vote|fin|(?:la|cette) (?:seance|reunion|parole|discussion|debat))\b"
)
# Verbs of work to do whose present in the first person takes the work on, deadline or not:
# "je transmets…", "je relance…", "je fais remonter…" ("je pense", "je propose" are opinions).
_WORK_VERBS_PRESENT = {
    "refais",
    "envoie",
    "transmets",
    "fais",
    "mets",
    "prepare",
    "relance",
    "contacte",
    "redige",
    "reserve",
    "organise",
    "previens",
    "informe",
    "saisis",
    "ecris",
    "corrige",
    "publie",
    "diffuse",
    "commande",
    "convoque",
    "planifie",
    "programme",
    "verifie",
    "inscris",
    "prends",
    "appelle",
    "cree",
    "ouvre",
    "installe",
    "rencontre",
    "recois",
    "traite",
    "monte",
}


def _takes_on_work(verb: str, rest: str) -> bool:
    """Whether the first-person present ``verb`` (normalised), followed by ``rest``
    (normalised), takes work on: a verb of work, not chairing the meeting ("je mets aux voix",
    "j'ouvre la séance")."""
    return (
        (verb in _WORK_VERBS_PRESENT and not _CHAIRING_AFTER_RE.match(rest))
        or bool(verb in ("vois", "regarde") and _SEE_WITH_RE.match(rest))
        # "Je pose la question à la DRH": asking someone on the meeting's behalf
        or bool(verb == "pose" and _ASK_SOMEONE_RE.match(rest))
        # "Je demande au principal, je le vois jeudi.": asking a named party, the request
        # itself to be made (not "je demande à voir", "je vous demande de…")
        or bool(verb == "demande" and _ASK_PARTY_RE.match(rest))
    )


_ASK_PARTY_RE = re.compile(r"\s*(?:au|aux|a la|a l)\s+(?!voir)[a-z]{3,}")


_ASK_SOMEONE_RE = re.compile(r"\s*(?:la|cette|ma|notre) question (?:a|au|aux)\b")


# "Je vois ça avec la DRH", "vous voyez avec les services techniques": seeing to something
# with someone is work ("je vois ce que vous voulez dire" is not).
_SEE_WITH_RE = re.compile(r"\s*(?:(?:ca|cela|le|la|les|l) )?avec\b")


_SELF_FORWARD_RE = re.compile(r"\bmoi je\b|\bde mon cote\b|\bmoi meme\b")


# "quelqu'un" asks whoever takes it ("…quelqu'un contrôle les autorisations." / "Je peux le
# faire.")
_REQUEST_RE = re.compile(
    r"\b(tu|vous|il (?:nous |me )?faudra|il (?:nous |me )?faudrait|il (?:nous |me )?faut|pourr\w+|"
    r"peux|pouvez|peut on|est ce que|"
    r"quelqu un)\b"
)


def is_request(text: str) -> bool:
    """A turn that asks someone to do something (a question, "tu"/"vous", "il faudra", an
    imperative: "Envoyez-les à Justine une semaine avant.")."""
    return "?" in text or bool(_REQUEST_RE.search(normalize(text))) or _asks_imperatively(text)


def _asks_imperatively(text: str) -> bool:
    """An imperative that asks for work, not one that agrees to what was offered ("Oui,
    faites ça.")."""
    return any(
        not re.match(r"\s*(?:[çc]a|cela|comme|donc|vite)?\s*(?:[,.;:!?]|$)", text[m.end() :])
        for m in _imperatives(text)
    )


_PREFIXED = re.compile(r"^(?:d['’ ]ici|avant|au\s+plus\s+tard|d[èe]s|jusqu|pour)\b", re.I)


# The date of the next meeting, said in passing ("Prochain CREX le 12 mars."): no task's deadline.
_NEXT_MEETING_RE = re.compile(
    r"\bprochaine?\s+(?:r[ée]union|s[ée]ance|crex|bureau|comit[ée]|conseil|cst|cse|point|"
    r"rendez-vous|copil|commission|assembl[ée]e)\b[^.;!?]{0,30}$"
    r"|\bprochaine?\s+[\w\-]+\s*$",  # "prochain crex le 12 mars" misheard, unpunctuated
    re.IGNORECASE,
)


def next_meeting_dates(text: str) -> list[str]:
    """Dates ``text`` gives for the next meeting in passing ("Prochain CREX le 12 mars."): said
    after "prochain CREX", "prochaine réunion"… in the same sentence, not as "avant…"/"d'ici…"."""
    return [
        m.group(0).strip()
        for m in DEADLINE_RE.finditer(text)
        if not _PREFIXED.match(m.group(0))
        and _NEXT_MEETING_RE.search(_CLAUSE_END.split(text[: m.start()])[-1])
    ]


_SELF_CORRECTED_RE = re.compile(
    r"…\s*non\b|\bnon,?\s+pardon\b|\benfin non\b|\bnon,?\s+je\s+plaisante\b", re.IGNORECASE
)


def self_corrected(text: str) -> bool:
    """Whether the speaker corrects what they were saying ("avant les vacances de… non, …")."""
    return bool(_SELF_CORRECTED_RE.search(text))


def after_self_correction(text: str) -> str:
    """What the speaker says after their last correction ("Je les prépare pendant les
    vacances... non, je plaisante, je les prépare la semaine de la rentrée." → "je les prépare
    la semaine de la rentrée."); the whole text when there is none."""
    found = list(_SELF_CORRECTED_RE.finditer(text))
    return text[found[-1].end() :] if found else text


# a condition ("si le rapport arrive en mars"), not a softener ("si possible", "si vous pouvez")
_CONDITION_RE = re.compile(
    r"\b(?:si|s['’]ils?)\s(?!possible|besoin|n[ée]cessaire|(?:vous|tu|on) (?:pouvez|peux|peut|voulez|veux))"
    r"[^,.;:!?]*",
    re.IGNORECASE,
)
# what the work is for, why, or what follows from it: "…, qu'on ait une proposition pour le
# conseil", "…, parce que le gymnase est pris le mercredi", "…, comme ça ils partent avant les
# fêtes" (ASR text has no comma before "parce que" or "comme ça on…")
_PURPOSE_RE = re.compile(
    r",\s*(?:qu['’]\s*on|pour\s+qu|afin\s+(?:de|d['’]|qu)|car\b|puisqu)"
    r"|,?\s*\bparce\s+qu|,?\s*\bcomme\s+[çc]a\s+(?=(?:on|il|elle|ils|elles|nous|vous|je|j|tu|[çc]a|c)\b)",
    re.IGNORECASE,
)


# "…avec une réponse pour lundi", "Je vous les envoie en janvier, pour une visite en février":
# the date of what goes with the work or what it is for
_ATTACHED_DATE_RE = re.compile(
    r"\b(?:avec|pour)\s+(?:une?|des|la|le|les|l['’])\s*[\w\-]+(?:\s+attendue?s?)?\s*$",
    re.IGNORECASE,
)
_WEAK_DEADLINE_RE = re.compile(rf"{_LEAD_TIME}$|{_AT_NEXT}\b", re.IGNORECASE)


def deadline_of(text: str) -> str | None:
    """The one deadline ``text`` says, as said; when it says several, the one introduced by
    "avant", "d'ici", "pour", "dès"... if only one is; else ``None`` (ambiguous). The date of
    the next meeting said in passing does not count."""
    meeting = set(next_meeting_dates(text))
    said = list(dict.fromkeys(d for d in stated_deadlines(text) if d not in meeting))
    purpose = _PURPOSE_RE.split(text, maxsplit=1)[0]
    if len(said) > 1 and purpose != text:
        # "Réunissez-la en juin, qu'on ait une proposition pour le conseil de septembre": the
        # date in the purpose clause is what the work is for, not when it is due
        own = [d for d in said if d in purpose]
        said = own or said
    if len(said) > 1:
        # "début janvier, pour la com… le service com veut les infos trois semaines avant": a
        # lead time before something unnamed, or the next meeting ("on renvoie à la prochaine
        # séance… vous enverra un sondage cette semaine"), counts only when nothing else does
        said = [d for d in said if not _WEAK_DEADLINE_RE.match(d)] or said
    if len(said) > 1:
        # "fais-le aujourd'hui, avec une réponse pour lundi": the date of what goes with the
        # work (the answers asked for), not of the work
        own = [d for d in said if not _ATTACHED_DATE_RE.search(text[: text.find(d)])]
        said = own or said
    if len(said) > 1:
        # "Je peux faire ça courant avril, si le rapport arrive en mars": the date inside the
        # condition is when something else happens
        conditions = " ".join(_CONDITION_RE.findall(text))
        own = [d for d in said if d not in conditions]
        said = own or said
    if len(said) == 2 and re.fullmatch(
        r"\W*(?:donc|soit|c['’]est[\s-]+[àa][\s-]+dire|enfin)\W*",
        text[text.find(said[0]) + len(said[0]) : text.rfind(said[1])],
        re.IGNORECASE,
    ):
        return said[1]  # "Avant les réinscriptions, donc avant fin avril.": said more precisely
    if len(said) > 1:
        # "Disons lundi, alors. Lundi matin au plus tard.": one date said twice, the second time
        # more precisely
        fullest = max(said, key=lambda d: len(time_tokens(d)))
        if all(time_tokens(d) <= time_tokens(fullest) for d in said):
            return fullest
    if len(said) == 1:
        return said[0]
    if len(said) > 1 and self_corrected(text):
        # "avant les vacances de… non, on est en mai. Avant la fin du mois.": the last one said
        return said[-1]
    prefixed = [d for d in said if _PREFIXED.match(d)]
    return prefixed[0] if len(prefixed) == 1 else None


_ACCEPT_RE = re.compile(
    r"^(?:oui|d accord|entendu|ok|okay|ca marche|bien sur|c est note|sans probleme|"
    r"pas de probleme|tres bien|parfait|volontiers|pas de souci|aucun probleme|je m en|carrement|"
    r"ca (?:me|nous) (?:va|convient)|vous (?:l|les) aurez|tu (?:l|les) auras|c est faisable|"
    # "Je le note.", "Je le prends, j'ai déjà les adresses."
    r"je (?:le |la |les |l )?note|je (?:le|la|les|l) prends|je veux bien"
    # "Lundi, ça va, c'est encore dans les temps.", not "ça va être juste"
    r"|ca va\b(?! (?:etre|pas|faire|falloir|aller|poser|coincer|bloquer|prendre)\b))\b"
)
SHORT_REPLY_WORDS = 15
DEADLINE_FIRST_WORDS = 8  # "d ici la fin de la semaine", normalised


def is_acceptance(text: str) -> bool:
    """A short reply that accepts a request ("Entendu, je m'en charge.", "Oui, sans problème."),
    the deadline possibly said first ("Avant le 15 janvier, c'est faisable.", "Lundi, ça
    marche.")."""
    norm = normalize(text)
    words = norm.split()
    if len(words) > SHORT_REPLY_WORDS:
        return False
    if _ACCEPT_RE.search(norm):
        return True
    return any(
        _ACCEPT_RE.match(" ".join(words[k:]))
        and time_tokens(" ".join(words[:k]))
        and deadline_of(" ".join(words[:k]))
        for k in range(1, min(DEADLINE_FIRST_WORDS, len(words) - 1) + 1)
    )


OPENING_ACCEPT_WORDS = 6
_BUT_RE = re.compile(
    r"\b(?:mais|par contre|sauf que|pas possible|impossible|ne (?:peux|pourrai|pourrais)|"
    r"voye[zr] avec|plutot)\b"
)


_TAKES_IT_ON_RE = re.compile(
    r"^(?:oui|d accord|ok|entendu)\s+(?:je veux bien|je m en (?:occupe|charge)|"
    r"je (?:le|la|les|l) fais|je (?:le|la|les|l) prends)\b"
)


def opens_with_acceptance(text: str) -> bool:
    """A longer reply whose first sentence accepts and says nothing else but when ("Oui,
    demain matin. J'ai déjà vérifié ses références, tout est bon."), the rest raising no
    objection ("mais", "pas possible"…). Not "Oui, je suis au CVC. Et on pourrait…"."""
    sentences = [x for x in SENTENCE_RE.findall(text) if x.strip()]
    if len(sentences) == 1 and _TAKES_IT_ON_RE.match(normalize(text)):
        # unpunctuated ASR text: "oui je veux bien par contre pas les deux sinon…" takes the
        # work on before it says what it will not do
        return True
    if len(sentences) < 2 or len(sentences[0].split()) > OPENING_ACCEPT_WORDS:
        return False
    first = normalize(sentences[0])
    said = _ACCEPT_RE.sub(" ", first)
    only_when = not [t for t in content_tokens(said) if t not in time_tokens(said)]
    rest = " ".join(sentences[1:])
    return is_acceptance(sentences[0]) and only_when and not _BUT_RE.search(normalize(rest))


_GO_AHEAD_RE = re.compile(
    r"^(?:(?:alors|bon|donc|tres bien|d accord|oui|ok)\s+)*"
    r"(?:on fait comme ca|essayez|essaie|allez y|vas y|faites le|fais le|faites ca|fais ca|"
    r"bonne idee)\b"
)


def goes_ahead(text: str) -> bool:
    """A reply that lets an offer go ahead without a word of acceptance: "Alors on fait comme
    ça : …", "Essayez, en tout cas.", "Oui, fais ça." """
    return bool(_GO_AHEAD_RE.match(normalize(text)))


# -- a task as said, read in code ----------------------------------------------------------
# Used when the model does not phrase the task of a turn that plainly gives or takes one ("Je
# planifierai les sessions de formation en avril", "Aurélie, vous préparez l'ordre du jour",
# "Le secrétariat du CSE enverra le protocole…"): the verb is put in the infinitive and the rest
# of the clause kept as said, up to the deadline.
_IRREGULAR = {
    "ferai": "faire",
    "fera": "faire",
    "feront": "faire",
    # the other persons of the irregular futures ("vous ferez une liste", "tu enverras…")
    "feras": "faire",
    "ferez": "faire",
    "ferons": "faire",
    "enverras": "envoyer",
    "enverrez": "envoyer",
    "enverrons": "envoyer",
    "verras": "voir",
    "verrez": "voir",
    "verrons": "voir",
    "iras": "aller",
    "irez": "aller",
    "irons": "aller",
    "refais": "refaire",
    "refaites": "refaire",
    # verbs in "-tir"/"-vir" ("vous me sortez les chiffres", "tu sors la liste")
    "sortez": "sortir",
    "sors": "sortir",
    "ressortez": "ressortir",
    "ressors": "ressortir",
    "repartez": "repartir",
    "servez": "servir",
    "refait": "refaire",
    "referai": "refaire",
    "refera": "refaire",
    "fais": "faire",
    "faites": "faire",
    "enverrai": "envoyer",
    "enverra": "envoyer",
    "enverront": "envoyer",
    "envoie": "envoyer",
    # subjunctives after "il faut que je…"
    "voie": "voir",
    "fasse": "faire",
    "refasse": "refaire",
    "aille": "aller",
    "prenne": "prendre",
    "reprenne": "reprendre",
    "ecrive": "écrire",
    "écrive": "écrire",
    "dise": "dire",
    "relise": "relire",
    "joigne": "joindre",
    "rejoigne": "rejoindre",
    "envoies": "envoyer",
    "envoyez": "envoyer",
    "irai": "aller",
    "ira": "aller",
    "iront": "aller",
    "verrai": "voir",
    "viendrai": "venir",
    "reviendrai": "revenir",
    "tiendrai": "tenir",
    "tiendra": "tenir",
    "recevrai": "recevoir",
    "appellerai": "appeler",
    "appellera": "appeler",
    "rappellerai": "rappeler",
    "rappellera": "rappeler",
    "appelle": "appeler",
    "rappelle": "rappeler",
    "transmets": "transmettre",
    "mets": "mettre",
    "remets": "remettre",
    "prends": "prendre",
    "reprends": "reprendre",
    "ecris": "écrire",
    "relis": "relire",
    "reviens": "revenir",
    "dis": "dire",
    "redis": "redire",
    "interdis": "interdire",
    "decris": "décrire",
    "lis": "lire",
    "ecrivez": "écrire",
    "inscris": "inscrire",
    "inscrivez": "inscrire",
    "lisez": "lire",
    "relisez": "relire",
    "voulez": "vouloir",
    "veux": "vouloir",
    "savez": "savoir",
    "sais": "savoir",
    "vois": "voir",
    "voyez": "voir",
    "recevez": "recevoir",
    "fait": "faire",
    "crois": "croire",
    "ouvre": "ouvrir",
    "rouvre": "rouvrir",
    "offre": "offrir",
    "couvre": "couvrir",
    "met": "mettre",
    "transmet": "transmettre",
    "prend": "prendre",
    "paierai": "payer",
    "essaierai": "essayer",
    "nettoierai": "nettoyer",
}
# Future tenses that carry no task ("ce sera", "il faudra voir", "on pourra").
_NO_TASK_VERBS = {
    "serai",
    "sera",
    "seront",
    "aurai",
    "aura",
    "auront",
    "pourrai",
    "pourra",
    "pourront",
    "devrai",
    "devra",
    "devront",
    "faudra",
    "saurai",
    "saura",
    "voudrai",
    "voudra",
    "verra",
    "verront",
    "voterai",
    "votera",
    "voteront",
    "partirai",
    "partira",
    "partiront",
    # "je viens de regarder": a recent past, no task
    "viens",
    "vient",
    "venons",
    "viennent",
}


_IRE_STEMS = {"li", "reli", "di", "redi", "interdi", "ri", "souri", "suffi", "conclu", "exclu"}


# Forms of "avoir" and "être" (and past tenses that look like a present: "vous aviez"): they name
# no work, whatever follows ("vous aurez quarante-huit heures").
_AUXILIARY_FORMS = {
    "ai",
    "as",
    "a",
    "avons",
    "avez",
    "ont",
    "aurai",
    "auras",
    "aura",
    "aurons",
    "aurez",
    "auront",
    "avais",
    "avait",
    "avions",
    "aviez",
    "avaient",
    "suis",
    "es",
    "est",
    "sommes",
    "etes",
    "sont",
    "serai",
    "seras",
    "sera",
    "serons",
    "serez",
    "seront",
    "etais",
    "etait",
    "etions",
    "etiez",
    "etaient",
}
_STEM_CHANGES = (
    # recevoir, apercevoir, devoir: "recevrez", "reçois"
    (("evrai", "evras", "evra", "evrons", "evrez", "evront"), "evoir"),
    (("çois", "çoit", "çoivent"), "cevoir"),
    # prévenir, obtenir, tenir, revenir: "je préviens", "il obtient"
    (("iens", "ient", "iennent"), "enir"),
    # appeler, rappeler, jeter: "j'appellerai", "je rappelle", "on jettera"
    (("ellerai", "elleras", "ellera", "ellerons", "ellerez", "elleront", "elle", "elles"), "eler"),
    (("etterai", "ettera", "etteront", "ette", "ettes"), "eter"),
)


# Verbs whose present takes "è" on a plain "e" ("je lève" → "lever"); the others take it on
# "é" ("je transfère" → "transférer", "je complète" → "compléter").
_E_GRAVE_ON_E = {
    "lever",
    "relever",
    "enlever",
    "soulever",
    "elever",
    "prelever",
    "mener",
    "amener",
    "emmener",
    "ramener",
    "promener",
    "acheter",
    "racheter",
    "peser",
    "semer",
    "achever",
    "parachever",
    "geler",
    "degeler",
    "congeler",
    "modeler",
    "peler",
    "crever",
    "harceler",
}
_GRAVE_STEM_RE = re.compile(r"è(?=[^aeiouyéèêëàâîïôû]+er$)")


def _infinitive(verb: str) -> str | None:
    """French future, present (1st person) or 2nd person form → infinitive, or ``None``;
    "transfère" gives "transférer", "lève" "lever"."""
    found = _infinitive_of(verb)
    if found and _GRAVE_STEM_RE.search(found):
        accent = "e" if strip_accents(found) in _E_GRAVE_ON_E else "é"
        return _GRAVE_STEM_RE.sub(accent, found)
    return found


def _infinitive_of(verb: str) -> str | None:
    v = verb.lower()
    bare = strip_accents(v)
    if bare in _AUXILIARY_FORMS:
        return None
    if v in _IRREGULAR or bare in _IRREGULAR:
        return _IRREGULAR.get(v) or _IRREGULAR[bare]
    for endings, infinitive_ending in _STEM_CHANGES:
        for ending in endings:
            if v.endswith(ending) and len(v) > len(ending):
                stem = v[: -len(ending)]
                if infinitive_ending == "eter" and stem.endswith("m"):
                    return stem + "ettre"  # "mette", "transmette" are mettre's
                return stem + infinitive_ending
    if v.endswith(("ettez", "ettes")):
        return v[:-3] + "tre"  # mettez → mettre, transmettez → transmettre
    if v.endswith("prenez"):
        return v[:-3] + "ndre"  # prenez → prendre, reprenez → reprendre
    if v.endswith("ienne") and len(v) >= 6:
        return v[:-5] + "enir"  # prévienne → prévenir, revienne → revenir (subjunctive)
    if v.endswith("enez") and len(v) > 4:
        return v[:-2] + "ir"  # prévenez → prévenir, tenez → tenir
    if v.endswith("issez") and len(v) > 6:
        return v[:-4] + "r"  # finissez → finir, remplissez → remplir
    if v.endswith(("endez", "ondez", "erdez")) and len(v) > 6:
        return v[:-2] + "re"  # répondez → répondre, attendez → attendre
    if v.endswith("nds") and len(v) > 5:
        return v[:-1] + "re"  # réponds → répondre, attends → attendre
    if v.endswith("is") and len(v) > 4 and not v.endswith(("ais", "uis")):
        return v[:-1] + "r"  # saisis → saisir, finis → finir (dis, lis, écris are irregular)
    for ending in ("iendrai", "iendras", "iendra", "iendront", "iendrez"):
        if v.endswith(ending):
            return v[: -len(ending)] + "enir"  # préviendrai → prévenir, obtiendra → obtenir
    for ending in ("aierai", "aiera", "aieront", "oierai", "oiera", "oieront"):
        if v.endswith(ending):
            return v[: -len(ending)] + ending[0] + "yer"  # paiera → payer
    for ending in ("erai", "eras", "era", "eront"):
        if v.endswith(ending) and len(v) > len(ending) + 2:
            return v[: -len(ending)] + "er"
    for ending in ("rai", "ra", "ront"):
        if v.endswith(ending) and len(v) > len(ending) + 2:
            stem = v[: -len(ending)]
            if stem.endswith("i") and not (stem.endswith("cri") or stem in _IRE_STEMS):
                return stem + "r"  # finirai → finir, établirai → établir
            return stem + "re"  # transmettrai → transmettre, écrirai → écrire
    if v.endswith("yiez") and len(v) > 6:
        return v[:-4] + "yer"  # "que vous envoyiez" → envoyer
    if re.fullmatch(r"(?:r?ouv|couv|d[ée]couv|recouv|off|souff)r(?:es|ez|ons|ent)", v):
        return re.sub(r"r\w+$", "rir", v)  # tu ouvres → ouvrir, vous offrez → offrir
    if re.search(r"\w(?:uie|oie|aie)s?$", v):
        return re.sub(r"ies?$", "yer", v)  # j'appuie → appuyer, tu nettoies → nettoyer
    if v.endswith("ez") and len(v) > 4:
        return v[:-2] + "er"  # préparez → préparer
    if v.endswith("es") and len(v) > 4:
        return v[:-2] + "er"  # envoies is irregular; corriges → corriger
    if v.endswith("e") and len(v) > 3:
        return v + "r"  # corrige → corriger, partage → partager
    return None


# The end of a clause; not the dot of a title before a name ("M. Lacombe") or of a number.
_TITLES = ("M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr", "Me", "Mgr")
_CLAUSE_END = re.compile("".join(rf"(?<!\b{t})" for t in _TITLES) + r"\.(?!\d)|[;!?]")
# A sentence as written: up to its full stop, question or exclamation mark (ASR text, without
# punctuation, is one sentence). The dot of a title before a name ("J'en parle à M. Lacombe
# mardi", "Mme. Roux") or inside a number ("1.5") does not end it.
_TITLE_DOT = rf"\b(?:{'|'.join(_TITLES)})\.(?=\s+\w)"
SENTENCE_RE = re.compile(rf"(?:{_TITLE_DOT}|\d\.(?=\d)|[^.!?])+[.!?]?")
_RAW_CLITICS = r"(?:(?:me|te|le|la|les|lui|leur|en|y|nous|vous)\s+|[mtl]['’]\s*)*"
_FIRST_PERSON_VERB_RE = re.compile(
    rf"\b(?:je|j['’])\s*(?:vais\s+{_RAW_CLITICS}(?P<inf>\w+)|{_RAW_CLITICS}(?P<verb>\w+))",
    re.IGNORECASE,
)
_MODALS = (
    r"(?:peux|pouvez|pourrais|pourriez|pourras|pourrez|vas|allez|dois|devez|devras|devrez|"
    # "Élodie, tu veux bien faire le tutorat du premier ?", "vous voudriez travailler
    # dessus ?"
    r"(?:veux|voulez|voudrais|voudriez) bien|voudrais|voudriez"
    # "Aurélie, tu serais d'accord pour les former sur Docverif ?"
    r"|(?:serais|seriez|es|êtes|etes)\s+d['’ ]\s*accord\s+pour)"
)
# "vous pouvez déjà noter…" (not "vous pourrez peut-être négocier…": a possibility)
_MODAL_ADVERBS = r"(?:(?:d[ée]j[àa]|aussi|toujours|juste|quand\s+m[êe]me|rapidement)\s+)*"
_MODAL_FORMS = {
    "peux",
    "pouvez",
    "pourrais",
    "pourriez",
    "pourras",
    "pourrez",
    "voudriez",
    "vouliez",  # "vous vouliez dire quelque chose ?"
}
_CALLED_BACK_RE = re.compile(rf"(?:tu|vous) (?:{_MODALS} )?(?:(?:le|la|les|l|lui|leur) )?rappel\w*")
_SECOND_PERSON_RE = re.compile(
    rf"\b(?:tu|vous)\s+(?:{_MODALS}\s+{_MODAL_ADVERBS}{_RAW_CLITICS}(?P<inf>\w+(?:er|ir|re))|"
    rf"{_RAW_CLITICS}"
    # "tu préviens les chefs de service", "tu tiens le registre"
    rf"(?P<verb>\w{{3,}}(?:es|ez|eras|erez|ras|rez)|\w+(?:is|ets|nds|iens|ors)))\b",
    re.IGNORECASE,
)


# "je m'en charge", "je m'en occupe": the task is the one asked for, not said in the turn.
_TAKEN_ON = {"charge", "occupe", "chargerai", "occuperai", "prends"}
# "Tu peux nous dire…", "vous pouvez préciser…": asked in the meeting, not a task after it.
_NOT_TASKS_ASKED = {
    "etes",
    "avez",
    "dites",
    "dire",
    "expliquer",
    "preciser",
    "repeter",
    "voir",
    "vouloir",
    "savoir",
    "commencer",
    "continuer",
    "enchainer",
    "conclure",
    "penser",
    "trouver",
    "croire",
    "rappeler",
    "avoir",
    "etre",
    # "tu te souviens de la date ?", "tu viens à la réunion ?", "vous convenez que…"
    "souvenir",
    "venir",
    "convenir",
    "retenir",
}


# A new clause with its own subject ("…, ce sera transmis", "…, on l'aura pour le conseil").
# ASR text has no commas: a subject pronoun after the verb starts the next clause as well.
_NEXT_CLAUSE_RE = re.compile(
    r",\s*(?:on|ce|c['’]|il|elle|ils|elles|nous|[çc]a|tu|vous|que\s+vous|que\s+nous|"
    r"qu['’]\s*(?:on|ils?|elles?)|pour\s+qu)\b"
    # ", le Budget m'a déjà fait la sienne": a clause with its own subject and verb
    r"|,\s*(?:le|la|les|l['’])\s*[\w\-]+(?:\s+[\w\-]+)?\s+(?:[mtl]['’]\s*)?"
    r"(?:a|ont|est|sont|va|vont|sera|seront|serait|doit|doivent|peut|peuvent|reste|restent)\b"
    # unpunctuated (ASR): "… pour signer la convention et le bailleur social habitat sud serait
    # intéressé", "… soumettre m caron vous pouvez me faire une note"
    r"|\s+et\s+(?:le|la|les|l['’])\s*[\w\-]+(?:\s+[\w\-]+){0,3}\s+"
    r"(?:a|ont|est|sont|va|vont|sera|seront|serait|seraient|doit|doivent|peut|peuvent)\b"
    r"|\s+(?:m|mme|monsieur|madame)\s+[\w\-]+\s+(?:vous|tu)\b"
    r"|,?\s*\b(?:et\s+)?(?:si|s['’]ils?|quand|lorsqu['’]|mais)\b|\s(?:on|je|tu|ce sera|c['’]est)(?=\s)|\sj['’]"
    # why, or what follows: "tu la signales au parc auto, parce que demain vous en avez besoin"
    r"|,?\s*\bparce\s+qu|,\s*(?:car|puisqu)\b|,?\s*\bcomme\s+[çc]a\s+(?=(?:on|il|elle|ils|elles|nous|vous)\b)"
    # "vous arrêtez tout et vous sortez les registres": a second clause
    r"|\s+et\s+vous\s+(?!en\b|y\b)",
    re.IGNORECASE,
)
# Words closing a turn, not part of a task (ASR text has no full stop before them).
_SIGN_OFF_RE = re.compile(
    r"\b(?:merci(?: [àa] tous| \w+)?|bonne (?:soir[ée]e|journ[ée]e|fin de journ[ée]e)|[àa] bient[ôo]t|"
    r"au revoir|quand (?:tu|vous) (?:peux|pouvez)|hein|d['’ ]accord)\s*$",
    re.IGNORECASE,
)


def _tail(text: str) -> str:
    """The rest of the clause, its deadline left out."""
    rest = _CLAUSE_END.split(text, maxsplit=1)[0]
    rest = _NEXT_CLAUSE_RE.split(rest, maxsplit=1)[0]
    for d in stated_deadlines(rest):
        # "je vous l'envoie chaque lundi matin": "chaque" goes with the day it repeats
        # "le lundi 12 au plus tard": the rest of the deadline goes with it
        rest = re.sub(
            rf"(?:\b(?:chaque|tous\s+les|toutes\s+les)\s+)?{re.escape(d)}(?:\s+au\s+plus\s+tard\b)?",
            " ",
            rest,
        )
    rest = _SIGN_OFF_RE.sub(" ", rest)
    # "je le fais, moi, cet après-midi, avant mes visites": one comma where the date was
    rest = re.sub(r",(?:\s*,)+", ",", re.sub(r"\s+([,;:])", r"\1", re.sub(r"\s+", " ", rest)))
    return rest.strip(" ,:-")


_ADVERB_ONLY_RE = re.compile(
    r"(?:directement|aussi|rapidement|vite|ensuite|d['’]abord|encore|moi-m[êe]me|dessus)",
    re.IGNORECASE,
)
_DANGLING_RE = re.compile(r"(?:(?:^|\s+)(?:et|puis|mais|ou|donc|alors))+$", re.IGNORECASE)
_OBJECT_CLITIC_RE = re.compile(r"(?:^|\s)(le|la|les|l['’])\s*$", re.IGNORECASE)
# a determiner as a word of its own (not the "des" of "là-dessus"), then a noun of three
# letters or more or an acronym ("les JA")
_NOUN_PHRASE_RE = re.compile(
    r"(?<![\w\-])(le|la|les|des|un|une|ses|mes|vos|nos|l['’])(?:(?<=['’])\s*|\s+)"
    r"((?:[\w\-]{3,}|(?-i:[A-Z]{2}))(?:\s+(?:de|du|des|d['’])\s*(?:la\s+|l['’]\s*)?[\w\-]{3,})?)",
    re.IGNORECASE,
)


# Words after which "le", "la", "les" are pronouns, not determiners.
_BEFORE_CLITIC = {
    "qui",  # "c'est l'État qui la fixe"
    "je",
    "tu",
    "il",
    "elle",
    "on",
    "nous",
    "vous",
    "ils",
    "elles",
    "ne",
    "n",
    "peut",
    "peux",
    "pouvez",
    "peuvent",
    "va",
    "vais",
    "vas",
    "allez",
    "vont",
    "doit",
    "dois",
    "devez",
    "doivent",
    "faut",
    "pourra",
    "pourrait",
    "pourrez",
    "pourras",
    "devra",
    "devrez",
    "devrait",
    "me",
    "te",
    "se",
    # "Si quelqu'un pouvait la reprendre…": past and conditional forms of the modals
    "pouvait",
    "pouvais",
    "pourriez",
    "pourrions",
    "pourrais",
    "voudrait",
    "voudrais",
    "voulez",
    "veux",
    "veut",
}


# The determiners of what each object pronoun may stand for ("je crée un planning… je l'ouvre").
_ANTECEDENT_DETERMINERS = {
    "l": {"l", "le", "la", "un", "une"},
    "le": {"le", "l", "un"},
    "la": {"la", "l", "une"},
    # "…si Mme Fabre me renvoie ses notes." / "Je vous les envoie demain."
    "les": {"les", "des", "ses", "mes", "vos", "nos"},
}


_PURPOSE_VERB_RE = re.compile(r"\b(?:pour|afin de|afin d)\s+\w+(?:er|ir|re)\s*$")


def _antecedent(head: str, clitic: str) -> str | None:
    """What an object pronoun stands for, from the words said before it in the turn: the last
    noun phrase of the same determiner ("…la préfecture demande le dossier de manifestation…
    je le prépare" → "le dossier de manifestation")."""
    want = normalize(clitic).strip()
    same = _ANTECEDENT_DETERMINERS.get(want, {want})
    phrases = list(_NOUN_PHRASE_RE.finditer(head))[::-1]
    # the same determiner first: "les plans … des chantiers, il faut les mettre à jour" → the
    # plans ("des chantiers" is a complement)
    # and not the object of a purpose: "Il me faut les résultats par élève pour refaire les
    # emplois du temps. Vous pouvez me les envoyer ?" → the results
    phrases.sort(
        key=lambda m: (
            normalize(m.group(1)).strip() != want,
            bool(_PURPOSE_VERB_RE.search(normalize(head[: m.start()]))),
        )
    )
    for m in phrases:
        det = normalize(m.group(1)).strip()
        before = normalize(head[: m.start()]).split()[-1:]
        if (
            det in ("le", "la", "les", "l")
            and before
            and before[0] in _BEFORE_CLITIC
            and (
                before[0] not in ("faut", "faudrait", "faudra")
                or re.fullmatch(r"\w+(?:er|ir|re|oir)", normalize(m.group(2)).split()[0])
            )
        ):
            # "l'agence peut les poser": a pronoun before a verb, not a noun phrase (but "il
            # me faut les bilans": a noun)
            continue
        if before and before[0] in ("pas", "plus", "jamais"):
            continue  # "on n'a pas la main": said of what nobody has, no antecedent
        if det in same and normalize(m.group(2)).split()[0] not in STOPWORDS:
            rest = m.group(0)[len(m.group(1)) :]
            if det in ("un", "une"):
                noun = rest.lstrip()
                elided = noun[:1].lower() in "aeiouyhéèê"
                return ("l'" if elided else "le " if det == "un" else "la ") + noun
            return "les " + rest.lstrip() if det == "des" else m.group(1).lower() + rest
    return None


# Who does it, said after the verb, not part of the task ("je leur réponds moi-même").
_SELF = (
    r"(?:moi-?\s?m[êe]me|nous-?\s?m[êe]mes|personnellement|de mon c[ôo]t[ée]|de notre c[ôo]t[ée])"
)
# "je relance les directeurs, moi, au prochain conseil": who, set off inside the clause
_SELF_MID_RE = re.compile(r"\s*,\s*(?:moi|nous)(?:-?\s?m[êe]mes?)?\s*(?:,\s*|$)", re.IGNORECASE)
# who, first after the verb: "je le fais, moi, cet après-midi", unpunctuated "je le fais moi
# cet après midi"
_SELF_HEAD_RE = re.compile(r"^\s*moi(?:-?\s?m[êe]me)?\b\s*,?\s*", re.IGNORECASE)
_SELF_RE = re.compile(rf"^\s*{_SELF}\b\s*,?\s*|\s*,?\s*\b{_SELF}\s*$", re.IGNORECASE)
_PREPOSITION_START_RE = re.compile(
    r"(?:avec|pour|en|dans|par|sur|chez|aupr[èe]s|apr[èe]s|avant|pendant|d[èe]s|[àa]|aux?)(?:\s|$)",
    re.I,
)
_DATIVE_CLITIC_RE = re.compile(r"(?:^|\s)leur\s+$", re.IGNORECASE)
_DATIVE_SINGLE_RE = re.compile(r"(?:^|\s)lui\s+$", re.IGNORECASE)
# a person set at the head of the sentence, then taken up by "lui"
_DISLOCATED_PERSON_RE = re.compile(
    r"\b(?:le|la)\s+(?:Dr|Pr|Docteur|Professeur|directeur|directrice|maire)\s+[A-ZÉÈ][\w\-]+(?=\s*,)"
)


def _plural_antecedent(head: str, tail: str) -> str | None:
    """Who "leur" stands for: the last plural noun phrase said before that is not the object
    already said after the verb ("les élus", not "les dossiers" in "je leur envoie les
    dossiers")."""
    said = {stem(t) for t in content_tokens(tail)}
    for m in reversed(list(_NOUN_PHRASE_RE.finditer(head))):
        if normalize(m.group(1)) not in ("les", "des"):
            continue
        if normalize(head[: m.start()]).split()[-1:] in [[w] for w in _BEFORE_CLITIC]:
            continue  # "vous les relancez ?": a pronoun and a verb, not "les" + a noun
        acronym = re.fullmatch(r"[A-Z]{2,6}", m.group(2))  # "les JA"
        words = content_tokens(m.group(2)) or ([normalize(m.group(2))] if acronym else [])
        if words and words[0] not in STOPWORDS and stem(words[0]) not in said:
            return "les " + m.group(0)[len(m.group(1)) :].lstrip()
    return None


def _to_dative(phrase: str) -> str:
    """A noun phrase as the indirect object of a verb: "les élus" → "aux élus", "le service"
    → "au service", "la mairie" → "à la mairie", "l'hôpital" → "à l'hôpital"."""
    det, _, rest = phrase.partition(" ")
    if normalize(det) == "les":
        return "aux " + rest
    if normalize(det) == "le":
        return "au " + rest
    return "à " + phrase


def _object_of_same_verb(verb: str, context: str, *, indefinite: bool = False) -> str | None:
    """What the same verb took as its object just before: "Je peux vous envoyer le cahier des
    charges de l'appel à projets, pour que…" / "Je vous l'envoie" → "le cahier des charges de
    l'appel à projets"; with ``indefinite``, "une fiche" too (what "ça" stands for: "on vous
    fera une fiche argumentée… Je vous ferai ça"). ``None`` when the context does not use that
    verb with an object."""
    low = verb.lower()
    stem = low[:-2] if low.endswith(("er", "ir", "re")) else ""
    if len(stem) < 3 or not context:
        return None
    forms = r"(?:fai|fe|fas|fon)" if normalize(low) == "faire" else re.escape(stem)
    determiners = r"le|la|les|un|une|des" if indefinite else r"le|la|les"
    found = re.findall(
        rf"\b{forms}\w*\s+(?:(?:vous|nous|lui|leur|me|te)\s+)?"
        rf"((?:{determiners})\s+[^,.;:!?]+|l['’]\s*[^,.;:!?]+)",
        context,
        flags=re.IGNORECASE,
    )
    # "remontez-la quand même" (ASR: "remontez la quand même"): a pronoun, no object named
    found = [
        f
        for f in found
        if not re.match(
            r"(?:le|la|les)\s+(?:quand|vite|bien|aussi|donc|alors|tout|directement|"
            r"encore|maintenant|rapidement|s['’]il)\b",
            f,
            re.IGNORECASE,
        )
    ]
    if not found:
        return None
    # "…de l'appel à projets de [l'an prochain]": no link word left hanging by the deadline cut
    said = re.sub(r"(?:\s+(?:de|du|des|d['’]|[àa]|au|aux|pour|et))+$", "", _tail(found[-1]))
    return said or None


def _indefinite_taken_up(verb: str, context: str, clitic: str) -> str | None:
    """What a pronoun takes up when the same verb brought it in just before with "un", "une" or
    "des" ("vous pourriez me faire une note sur l'évolution de Lina ?" / "Je vous la fais pour
    le quinze janvier" → "une note sur l'évolution de Lina"); its gender and number must agree
    with the pronoun's (not "l'": it says neither)."""
    want = normalize(clitic).strip()
    found = _object_of_same_verb(verb, context, indefinite=True)
    if not found or want == "l":
        return None
    agrees = _ANTECEDENT_DETERMINERS.get(want, set()) & {"un", "une", "des"}
    return found if found.split()[0].lower() in agrees else None


# Verbs whose object is a person: their pronoun stands for someone, not for a thing said.
_PERSON_VERBS = {
    "appeler",
    "rappeler",
    "prevenir",
    "contacter",
    "recontacter",
    "informer",
    "convoquer",
    "joindre",
    "recevoir",
}
_OBJECT_START_RE = re.compile(r"(?:l['’]|les?\s|la\s|des\s|un\s|une\s)", re.IGNORECASE)
# not the one addressed ("Mme Lopez, vous pouvez l'appeler ?")
_TITLED_NAME_RE = re.compile(r"\b(?:M\.|Mme|Mlle|Monsieur|Madame)\s+[A-ZÉÈ][\w\-]+(?!\w|\s*,)")


_CA_RE = re.compile(r"(?:ça|ca|cela)\b", re.IGNORECASE)
# a noun phrase set at the head of the sentence, then taken up by the verb ("Le remplacement
# des postes, vous pouvez nous chiffrer ça ?")
_DISLOCATED_HEAD_RE = re.compile(
    r"(?:^|[,:.]\s*)((?:le|la|les|l['’]|ce|cette|ces|votre|vos|notre|nos)\s*[^,.;:!?]{3,}?)\s*,\s*"
    r"(?:vous|tu|je|j['’]|on|nous)\s+[^,.;:!?]*$",
    re.IGNORECASE,
)


_PLURAL_TOPIC_RE = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:et|alors|bon|mais)\s+)?(les\s+[^,.;:!?]{3,40}?)\s*,", re.IGNORECASE
)


def _plural_topic(text: str) -> str | None:
    """A plural noun phrase set at the head of a sentence ("Et les six jeunes, on leur dit
    quoi ?" → "les six jeunes")."""
    found = _PLURAL_TOPIC_RE.findall(text)
    return found[-1] if found else None


def _dislocated(head: str) -> str | None:
    """The noun phrase set at the head of the sentence the verb ends, if any."""
    m = _DISLOCATED_HEAD_RE.search(head)
    return m.group(1).strip() if m else None


_TOLD_WHOM_RE = re.compile(
    r"\b(?:pr[ée]ven\w*|inform\w*|contact\w*|relanc\w*|[ée]cri(?:vez|re|s)|appel\w*)\s+"
    r"((?:le|la|les|l['’])\s*[^,.;:!?]+)",
    re.IGNORECASE,
)


def _told_whom(context: str) -> str | None:
    """Whom the turn before asks to warn, write to or call ("vous prévenez le service des
    archives de l'hôpital ?"): who "leur" stands for in the reply."""
    found = _TOLD_WHOM_RE.findall(context)
    return re.split(r"\s+(?:qui|que|qu['’]|dont)\b", found[-1])[0].strip() if found else None


# A body one calls or chases ("C'est la DRH qui fixe la date, on n'a rien reçu. Je les relance.")
_BODY_RE = re.compile(
    r"\b(?:la|le|l['’])\s*(?:DRH|DSI|DDT|DGS|mairie|pr[ée]fecture|prestataire|[ée]diteur|bailleur|"
    r"(?:direction|service)(?:\s+(?!de\b|du\b|des\b|qui\b|que\b)[a-zà-ÿ]{4,})?"
    r"(?:\s+(?:des|du|de la|de l['’]|d['’])\s*[\w\-]+)?)\b"
)


def _body_antecedent(text: str) -> str | None:
    """The last body named in ``text`` that one may call or chase ("la DRH", "le service
    juridique"), if any: what "les" or "la" stands for after a verb like "relancer"."""
    found = [m.group(0) for m in _BODY_RE.finditer(text)]
    return found[-1] if found else None


def _person_antecedent(text: str) -> str | None:
    """The last person named with a title in ``text`` ("Mme Berthier"), if any."""
    found = _TITLED_NAME_RE.findall(text)
    return found[-1] if found else None


_CHECKING_VERBS = {"regarder", "verifier", "voir", "demander", "etudier", "examiner", "chercher"}
# the question checked ("voir avec l'ASA s'il y a moyen…"), up to where the clause ends or the
# speaker goes on ("… je vous dis ça")
_WHETHER_RE = re.compile(
    r"\s*(?:(?:avec|aupr[èe]s\s+d[eu']|aux?)\s*[^,.;:!?]{1,40}?\s+)?"
    r"(?:si|s['’]ils?)\s+(?:(?!\s(?:je|j['’]|tu|mais|parce)\b)[^,.;:!?])+",
    re.IGNORECASE,
)


def _phrase(verb: str, rest: str, head: str = "", context: str = "") -> str | None:
    """``verb`` and the rest of its clause; when that is empty and the verb took an object
    pronoun ("je le prépare"), what the pronoun stands for in ``head``, else in ``context``
    (the turn before: "Inès, où en sont les maquettes ?" / "je les partage jeudi")."""
    whether = _WHETHER_RE.match(rest) if normalize(verb) in _CHECKING_VERBS else None
    if whether:
        # "je regarde si on peut repousser le gel à dix-huit heures": what is checked is the
        # question itself (a deadline said "d'ici…", "avant…" left out)
        asked = whether.group(0)
        for d in stated_deadlines(asked):
            if _PREFIXED.match(d):  # "… d'ici vendredi", not "décaler la livraison à mardi"
                asked = asked.replace(d, " ")
        asked = re.sub(r"\s+", " ", asked).strip(" ,")
        task = f"{verb} {asked}"
        return task[:1].upper() + task[1:]
    # "Tu peux le faire, Karim ?": the name said after the request is not the task's object
    tail = _tail(VOCATIVE_RE.sub(_drop_name, rest))
    tail = _SELF_MID_RE.sub(" ", _SELF_HEAD_RE.sub("", tail))
    tail = _DANGLING_RE.sub("", _SELF_RE.sub("", tail)).strip(" ,")
    # "je le reconvoque sous quinze jours, et cette fois…": what follows "et" is another clause
    tail = re.sub(r"^(?:et|puis|mais)\b.*$", "", tail, flags=re.IGNORECASE | re.DOTALL).strip()
    clitic = _OBJECT_CLITIC_RE.search(head)
    adverb = _ADVERB_ONLY_RE.fullmatch(tail)
    if clitic and adverb:
        # "je peux les appeler directement": the pronoun names what, the adverb says how
        found = _antecedent(head[: clitic.start()], clitic.group(1)) or _antecedent(
            context, clitic.group(1)
        )
        tail = f"{found} {tail}" if found else tail
    causative = re.match(r"([a-zà-ÿ]+(?:er|ir|re))\b\s*(.*)$", tail, re.IGNORECASE | re.DOTALL)
    if clitic and normalize(verb) == "faire" and causative:
        # "Le courrier aux familles, je le fais partir…": "faire partir" the thing named
        found = _antecedent(head[: clitic.start()], clitic.group(1)) or _antecedent(
            context, clitic.group(1)
        )
        if found:
            tail = " ".join(x for x in (causative[1], found, causative[2]) if x)
    elif not clitic and (ca := _CA_RE.match(tail)):
        # "le remplacement des postes…, vous pouvez nous chiffrer ça ?", "on vous fera une
        # fiche argumentée… Je vous ferai ça pour le printemps": what "ça" stands for
        found = (
            _dislocated(head)
            or _object_of_same_verb(verb, head, indefinite=True)
            or _object_of_same_verb(verb, context, indefinite=True)
        )
        tail = f"{found}{tail[ca.end() :]}" if found else tail
    elif clitic and normalize(verb) in _PERSON_VERBS and not _OBJECT_START_RE.match(tail):
        # "vous pouvez l'appeler pour lui annoncer la nouvelle ?": whom, never "le dossier"
        # said before; a person named with a title, else nobody
        found = _person_antecedent(head[: clitic.start()]) or _person_antecedent(context)
        tail = f"{found} {tail}".strip() if found else tail
    elif clitic and _PREPOSITION_START_RE.match(tail):
        # "je le fais avec Enzo demain": the object first, then the rest as said; "Qui peut
        # faire l'inventaire ?" / "Je le fais, moi, avant mes visites": else the same verb's
        # object in the turn before
        found = (
            _antecedent(head[: clitic.start()], clitic.group(1))
            or _object_of_same_verb(verb, context)
            or _antecedent(context, clitic.group(1))
        )
        tail = f"{found} {tail}" if found else tail
    if not tail and clitic and normalize(verb) in _PERSON_VERBS:
        tail = (
            _person_antecedent(head[: clitic.start()])
            or _person_antecedent(context)
            or _body_antecedent(head[: clitic.start()])
            or _body_antecedent(context)
            # "Et les six jeunes, on leur dit quoi ?" / "…Samira, tu les appelles ?": the
            # people the turn before put at its head
            or (_plural_topic(context) if normalize(clitic.group(1)) == "les" else None)
            or ""
        )
    elif not tail and clitic:
        tail = (
            _object_of_same_verb(verb, context)
            or _indefinite_taken_up(verb, context, clitic.group(1))
            or _antecedent(head[: clitic.start()], clitic.group(1))
            or _antecedent(context, clitic.group(1))
            # "C'est la DRH qui fixe la date, on n'a rien reçu. Je les relance."
            or (_body_antecedent(head[: clitic.start()]) if normalize(verb) == "relancer" else None)
            or ""
        )
    stressed = re.search(r"\b(?:avec|aupr[èe]s d)['’\s]*(eux|elles)\b", tail, re.IGNORECASE)
    if stressed:
        # "stand commun avec les JA. Élodie, tu prends contact avec eux ?": whom "eux" names
        found = _plural_antecedent(head, tail) or _plural_antecedent(context, tail)
        if found:
            tail = f"{tail[: stressed.start(1)]}{found}{tail[stressed.end(1) :]}"
    dative = _DATIVE_CLITIC_RE.search(head)
    if dative and not re.match(r"(?:[àa]|aux?)\b", tail, re.IGNORECASE):
        # "Je leur réponds" after "…prévenir les élus qui ont écrit" → "Répondre aux élus";
        # "Je leur écris demain" after "vous prévenez le service des archives ?" → that service
        found = (
            _plural_antecedent(head[: dative.start()], tail)
            or _told_whom(context)
            or _plural_antecedent(context, tail)
            # "c'est le service communication de la préfecture qui le gère, je leur écris"
            or _body_antecedent(head[: dative.start()])
        )
        if found:
            tail = f"{tail} {_to_dative(found)}".strip()
    single = _DATIVE_SINGLE_RE.search(head)
    if single and not re.match(r"(?:[àa]|aux?)\b", tail, re.IGNORECASE):
        # "Et le Dr Caron, le référent, je lui envoie un mail ce soir." → "au Dr Caron"
        person = _DISLOCATED_PERSON_RE.search(re.split(r"[.!?]", head[: single.start()])[-1])
        if person:
            said = person.group(0)
            tail = (
                f"{tail} {_to_dative(said) if said[:3].lower() in ('le ', 'la ') else 'à ' + said}"
            )
            tail = tail.strip()
        elif not tail and (named := _person_antecedent(context)):
            # "Il vaut mieux voir directement avec M. Lopes." / "Je lui écris ce soir.": the
            # person the turn before named, when the verb has nothing else after it
            tail = f"à {named}"
    if not verb or not tail and len(verb) < 5:
        return None
    task = f"{verb} {tail}".strip()
    return task[:1].upper() + task[1:]


_REFLEXIVE = {"je": r"\b(?:me|m)\b", "tu": r"\b(?:te|t)\b", "vous": r"\bvous\b"}


def _pronominal(m: re.Match[str], verb: str | None) -> str | None:
    """``verb`` with its reflexive pronoun when the match says it ("tu t'occupes de…" →
    "s'occuper"; "vous vous chargez" → "se charger")."""
    if not verb:
        return verb
    person = normalize(m.group(0).split()[0].split("'")[0].split("’")[0])
    person = "je" if person == "j" else person
    end = m.start("inf") if m["inf"] else m.start("verb")
    clitics = normalize(m.string[m.start() : end]).split()[1:]
    if person == "vous" and clitics[:1] != ["vous"] and "vous" not in clitics[1:]:
        return verb
    if person in _REFLEXIVE and re.search(_REFLEXIVE[person], " ".join(clitics)):
        return ("s'" if verb[:1] in "aeiouyhéè" else "se ") + verb
    return verb


# "Je demande au service comptable de mettre à jour la grille": who is asked does the work.
_DELEGATED_RE = re.compile(
    r"\bje\s+(?:vais\s+)?demander?\s+(?P<to>à|au|aux)\s+(?P<who>(?:M\.\s+)?[^,.;:!?]+?)\s+"
    r"(?:de\s+|d['’]\s*)(?P<clitics>(?:(?:nous|vous|me|le|la|les|lui|leur)\s+|[lm]['’]\s*)*)"
    r"(?P<inf>[a-zà-ÿ]+(?:er|ir|re))\b",
    re.IGNORECASE,
)
# Whom a speaker hands work to: a person by name ("Julie", "Mme Roy") or one of the speaker's
# own services ("au service comptable", "à la direction des finances"); not an outside body
# asked to act ("à la police municipale de passer plus souvent": asking is the speaker's task).
# A person as named in a turn: a title or none, then one or two capitalised words ("Julie",
# "Mme Roy", "Monsieur Leclerc").
PERSON_NAME = (
    r"(?:(?:M\.|Mme|Mlle|Monsieur|Madame|Dr|Pr|Me)\s+)?[A-ZÀ-Ý][\w\-]+(?:\s+[A-ZÀ-Ý][\w\-]+)?"
)
_DELEGATE_RE = re.compile(
    rf"{PERSON_NAME}"
    r"|(?:le\s+|la\s+|les\s+|l['’]\s*)?(?:services?|secr[ée]tariat|direction|DRH|[ée]quipes?|"
    r"p[ôo]le|cellule)\b.*",
)


def delegated_task(text: str, context: str = "") -> tuple[str, str] | None:
    """``(task, who)`` when the speaker hands the work to a person by name or to one of their
    services ("Je demande au service comptable de mettre à jour la grille tarifaire" →
    ("Mettre à jour la grille tarifaire", "le service comptable")); ``None`` otherwise."""
    for m in _DELEGATED_RE.finditer(text):
        who = m["who"].strip()
        if not _DELEGATE_RE.fullmatch(who):
            continue
        head = f"{text[: m.start()]} {m['clitics'] or ''}"
        task = _phrase(m["inf"].lower(), text[m.end() :], head, context)
        if task and len(task.split()) > 1:
            article = {"au": "le ", "aux": "les "}.get(m["to"].lower(), "")
            return task, f"{article}{who}"
    return None


# An offer in so many words: "Je peux vous transmettre nos données", "je peux porter la demande".
_OFFERED_RE = re.compile(
    r"\bje\s+(?:te\s+|vous\s+)?(?:peux|pourrais|veux\s+bien)\s+"
    r"(?:(?:aussi|au\s+moins|d[ée]j[àa]|toujours)\s+)?"
    r"(?P<clitics>(?:(?:vous|te|nous|le|la|les|lui|leur|en|y)\s+|l['’]\s*)*)"
    r"(?P<inf>[a-zà-ÿ]+(?:er|ir|re))\b",
    re.IGNORECASE,
)


def offered_task(text: str, context: str = "") -> str | None:
    """The work a speaker offers to do ("Je peux vous transmettre nos données de nidification"
    → "Transmettre nos données de nidification"), as said; ``None`` when the turn offers none
    or offers to say something ("je peux vous dire…")."""
    for m in _OFFERED_RE.finditer(text):
        if normalize(m["inf"]) in _NOT_TASKS_ASKED:
            continue
        head = f"{text[: m.start()]} {m['clitics'] or ''}"
        task = _phrase(m["inf"].lower(), text[m.end() :], head, context)
        if task and _SUGGESTION_RE.match(normalize(task)):
            continue  # "Moi je peux proposer une chose ?": what follows is an idea
        if task and len(task.split()) > 1:
            return task
    return None


_SUGGESTION_RE = re.compile(
    r"(?:proposer|suggerer|dire) (?:une chose|quelque chose|une idee|autre)"
)


# "Le compte rendu vous sera envoyé par le secrétariat du Département": a future passive
# whose agent does the work.
_PASSIVE_BY_RE = re.compile(
    r"(?P<obj>(?<![\w\-])(?:le|la|les|l['’]|un|une|des)\s*[^,.;:!?]{2,60}?)\s+"
    r"(?:(?:vous|nous|leur|lui|vous|te|me)\s+)?(?:sera|seront)\s+(?P<part>[a-zà-ÿ]{3,})\s+"
    r"par\s+(?P<agent>(?:le|la|les|l['’])\s*[^,.;:!?]{2,60})",
    re.IGNORECASE,
)


def _participle_infinitive(participle: str) -> str | None:
    """A past participle's infinitive ("envoyé" → "envoyer", "transmis" → "transmettre",
    "établie" → "établir")."""
    p = participle.lower()
    if strip_accents(p) in _PARTICIPLES:
        return _PARTICIPLES[strip_accents(p)]
    base = (
        re.sub(r"(?:e|s|es)$", "", p) if p.endswith(("ée", "és", "ées", "ie", "is", "ies")) else p
    )
    if base.endswith("é"):
        return base[:-1] + "er"
    if base.endswith("i") and len(base) > 3:
        return base + "r"
    return None


def passive_task(text: str) -> tuple[str, str] | None:
    """``(task, agent)`` for work announced in the future passive with its agent ("Le compte
    rendu vous sera envoyé par le secrétariat du Département" → ("Envoyer le compte rendu", "le
    secrétariat du Département")); ``None`` otherwise."""
    for m in _PASSIVE_BY_RE.finditer(text):
        verb = _participle_infinitive(m["part"])
        if not verb or normalize(verb) in _NO_TASK_VERBS:
            continue
        obj = m["obj"].strip()
        agent = m["agent"]
        for d in stated_deadlines(agent):
            agent = agent.replace(d, " ")  # "par le maire la semaine prochaine"
        task = f"{verb} {obj[:1].lower()}{obj[1:]}"
        return task[:1].upper() + task[1:], re.sub(r"\s+", " ", agent).strip()
    return None


# The thing named first, then taken on: "…mais la buvette, je m'en occupe quand même", "Les
# convocations, je m'en charge.", "Et pour le repas du soir, je m'en occupe." (ASR text: "mais
# la buvette je m'en occupe")
_DISLOCATED_TAKEN_ON_RE = re.compile(
    r"(?:^|[,.;:!?…]\s*|\b(?:mais|et|bon|alors|oui|ok)\s+)(?:(?:pour|quant\s+[àa])\s+)?"
    r"(?P<np>(?:le|la|les|l['’])\s*[^\W\d]+(?:(?:\s+|['’])[^\W\d]+){0,4}?)"
    r"\s*(?P<comma>,?)\s*(?:moi\s*,?\s*)?je\s+m['’ ]\s*en\s+(?P<verb>occupe|charge)\b",
    re.IGNORECASE,
)
UNMARKED_DISLOCATION_WORDS = 3
_NOT_A_THING_TAKEN_ON = {
    "instant",
    "moment",
    "heure",
    "suite",
    "reste",
    "coup",
    "fois",
    "jour",
    "semaine",
    "mois",
    "annee",
    "soir",
    "matin",
    "principe",
}
_OF_ARTICLE = {"le": "du ", "les": "des ", "la": "de la ", "l'": "de l'", "l’": "de l’"}


def _dislocated_taken_on(text: str) -> str | None:
    """The task of a turn that names a thing and then takes it on ("la buvette, je m'en
    occupe" → "S'occuper de la buvette"), as said."""
    m = _DISLOCATED_TAKEN_ON_RE.search(text)
    if m is None or (not m["comma"] and len(m["np"].split()) > UNMARKED_DISLOCATION_WORDS):
        # unpunctuated, a long phrase is the end of another clause ("…cosignée par le
        # directeur et le recteur comme l'an dernier je m'en occupe")
        return None
    np = m["np"]
    article = re.match(r"(?:les|le|la|l['’])\s*", np, re.IGNORECASE)
    if article is None or normalize(np[article.end() :]).split()[0] in _NOT_A_THING_TAKEN_ON:
        return None  # "Pour l'instant, je m'en occupe": when, not what
    key = article.group(0).strip().lower()
    of = _OF_ARTICLE.get(key, "de ")
    head = "Se charger " if m["verb"].lower() == "charge" else "S'occuper "
    return head + of + np[article.end() :]


def spoken_task(text: str, context: str = "") -> tuple[str, str] | None:
    """The task a turn plainly gives or takes, as said, with whom it names: ``(task, who)``
    where ``who`` is ``"je"`` (the speaker commits: "Je planifierai les sessions de formation en
    avril" → "Planifier les sessions de formation"), ``"tu"`` (someone addressed: "Aurélie, vous
    préparez l'ordre du jour" → "Préparer l'ordre du jour") or a third party as said ("Le
    secrétariat du CSE enverra le protocole…" → "le secrétariat du CSE"). ``None`` when the turn
    says no such task (opinions, proposals, futures like "ce sera", "on verra")."""
    bare: str | None = None  # a verb said with nothing after it, kept if nothing better
    if delegated := delegated_task(text, context):
        return delegated
    if dislocated := _dislocated_taken_on(text):
        return dislocated, "je"
    if commits_self(text):
        for m in _FIRST_PERSON_VERB_RE.finditer(text):
            if re.search(r"\bsi\s*$", text[: m.start()], re.IGNORECASE) or re.match(
                r"\s+d[ée]j[àa]\b", text[m.end() :], re.IGNORECASE
            ):
                continue  # "si je m'y mets dès la reprise", "que je fais déjà": no commitment
            if m["inf"]:
                verb: str | None = m["inf"].lower()
            else:
                said = normalize(m["verb"])
                back = said == "reviens" and normalize(text[m.end() :]).startswith("vers")
                if said in _AGREEING_VERBS and re.match(r"\s*(?:[,.;:!?]|qu|$)", text[m.end() :]):
                    continue  # "Je confirme, avec beaucoup de personnes âgées.": agreeing
                # "je l'ouvre lundi", "je mets le compte rendu sur le wiki"; not "j'ouvre la
                # séance", "je mets aux voix"
                works = _takes_on_work(said, normalize(text[m.end() :]))
                # "je m'en occupe": the task is the one asked; "je m'occupe des panneaux" says it
                taken_on = said in _TAKEN_ON and (
                    re.search(r"\ben\b", normalize(m.group(0))) or not _tail(text[m.end() :])
                )
                if (said in _NOT_COMMITMENTS and not back and not works) or (
                    said in _NO_TASK_VERBS or taken_on
                ):
                    continue
                verb = _infinitive(m["verb"])
            clitics = text[m.start() : m.start("inf") if m["inf"] else m.start("verb")]
            if (
                normalize(verb or "") == "faire"
                or re.search(r"(?:\b(?:le|la|les)\s+|\bl['’]\s*)$", clitics, re.IGNORECASE)
            ) and not _tail(text[m.end() :]):
                # "Je peux appeler les directrices. Il y en a cinq. Je le fais avant Noël.", "je
                # peux vous transmettre les volumes prélevés… Je vous les envoie d'ici la fin du
                # mois.": the pronoun stands for the work just offered
                offer = offered_task(text[: m.start()], context)
                if offer:
                    return offer, "je"
            task = _phrase(
                _pronominal(m, verb) or "", text[m.end() :], text[: m.start()] + clitics, context
            )
            if task and len(task.split()) == 1:
                bare = bare or task  # "Je réserve aujourd'hui, et j'envoie une invitation…"
                continue
            if task:
                return task, "je"
        if bare:
            return bare, "je"
    if addressee(text) or is_request(text):
        for m in _SECOND_PERSON_RE.finditer(text):
            if re.search(r"\bqui\s*$", text[: m.start()], re.IGNORECASE):
                continue  # "Mme Lambert, vous qui vous occupez du bulletin, vous rédigez…"
            if re.search(r"\b(?:je|j['’]|il|elle|on|ils|elles)\s*$", text[: m.start()], re.I):
                continue  # "Je vous tiens au courant": "vous" is whom the speaker tells
            if not m["inf"] and normalize(m["verb"]) in _MODAL_FORMS:
                continue  # "Vous voudriez un café ?": a modal with no work after it
            verb = m["inf"].lower() if m["inf"] else _infinitive(m["verb"])
            before_you = normalize(text[: m.start()])
            if re.search(r"\bque\s*$", before_you) and not re.search(
                r"\b(?:fau(?:t|drait|dra)|voudrais|aimerais|souhaite|souhaiterais|demande|est ce) "
                r"que\s*$",
                before_you,
            ):
                continue  # "pour éviter que vous receviez des pièces": no request
            if _WHEN_ASKED_RE.match(text[m.end() :]):
                continue  # "Vous le mettez en place quand ?": asks the date of a known task
            if re.search(r"\bque\s+$", text[: m.start()]) and normalize(m.group(0)).endswith("rez"):
                continue  # "…un chiffrage, que vous recevrez sous huit jours": a relative clause
            sees_with = normalize(verb or "") == "voir" and _SEE_WITH_RE.match(
                normalize(text[m.end() :])
            )
            # "tu la rappelles, la directrice ?", "vous rappelez le prestataire ?": calling
            # someone back; not "vous vous rappelez", "vous rappelez que…"
            calls_back = (
                normalize(verb or "") == "rappeler"
                and _CALLED_BACK_RE.fullmatch(normalize(text[m.start() : m.end()]))
                and not re.match(r"\s*(?:que|qu)\b", normalize(text[m.end() :]))
            )
            if verb and (normalize(verb) not in _NOT_TASKS_ASKED or sees_with or calls_back):
                # "Tu peux le renouveler avant jeudi ?": the pronoun stands for what was said
                head = text[: m.start("inf") if m["inf"] else m.start("verb")]
                task = _phrase(_pronominal(m, verb) or verb, text[m.end() :], head, context)
                if task:
                    return task, "tu"
    for m in _imperatives(text):
        # "Réunissez-la en juin", "Denis, demandez le devis": a request in the imperative
        verb = _infinitive(m["verb"]) or ""
        if normalize(verb) in _NOT_TASKS_ASKED:
            continue
        pronoun = m["pronoun"] or ""
        head = f" {pronoun.lower()} " if pronoun.lower() in ("le", "la", "les") else ""
        task = _phrase(verb, text[m.end() :], head, context)
        if task and len(task.split()) > 1 and not _PRONOUN_ONLY_RE.fullmatch(normalize(task)):
            return task, "tu"  # not "Oui, faites ça.": it says what, the turn before
    for m in _FUTURE_RE.finditer(text):
        said = normalize(m["verb"])
        head = text[: m.start()]
        # "Mes équipes feront une reconnaissance": the speaker's own people, the speaker's task
        mine = _POSSESSIVE_SUBJECT_RE.search(head) and "je"
        who = mine or _subject_before(head) or _cleft_subject(head)
        if said in _NO_TASK_VERBS or not who or _NEGATION_BEFORE_RE.search(text[: m.start()]):
            continue  # no task, no subject, or negated ("la boîte ne passera pas l'hiver")
        task = _phrase(_infinitive(m["verb"]) or "", text[m.end() :])
        if task:
            return task, who
    for m in _NEAR_FUTURE_RE.finditer(text):
        # "Les services techniques vont le faire chiffrer", "la DRH va envoyer la note": a
        # party named as the subject, a verb of work
        head = text[: m.start()]
        who = _subject_before(head)
        if not who or _NEGATION_BEFORE_RE.search(head):
            continue
        task = _phrase(m["inf"].lower(), text[m.end() :], m["clitics"] or "", context)
        if task and len(task.split()) > 1:
            return task, who
    third = third_party_asked(text, context) or third_party_present(text, context)
    third = third or passive_task(text)
    if third:
        return third
    for m in _CLEFT_NAME_RE.finditer(text):
        # "…c'est Julien qui la fait, et toi en binôme": the person put forward does it
        said = normalize(m["verb"])
        if said not in _WORK_VERBS_THIRD and not _FUTURE_RE.fullmatch(m["verb"]):
            continue
        verb = _third_person_infinitive(m["verb"])
        task = _phrase(verb or "", text[m.end() :], f" {m['clitic'] or ''}", context)
        if task and len(task.split()) > 1 and said not in _NO_TASK_VERBS:
            return task, m["who"]
    if context.rstrip().endswith("?"):
        # asked, the speaker answers for their team with a deadline: "Capitaine Ferhat ?" /
        # "On fait le porte-à-porte dans le quart d'heure."
        for m in _ON_PRESENT_RE.finditer(text):
            clause = _CLAUSE_END.split(text[m.start() :], maxsplit=1)[0]
            verb = _infinitive(m["verb"])
            if verb and normalize(m["verb"]) not in _NOT_ON_TASKS and stated_deadlines(clause):
                task = _phrase(verb, text[m.end() :])
                if task and len(task.split()) > 1:
                    return task, "je"
    return None


_WORK_VERBS_THIRD = (
    {
        (v[:-1] if v.endswith("ds") else v[:-1] + "t") if v.endswith("s") else v
        for v in _WORK_VERBS_PRESENT
    }
    | {v + "nt" for v in _WORK_VERBS_PRESENT if v.endswith("e")}
    | {"font", "mettent", "prennent"}
)
_THIRD_VERB_RE = re.compile(r"(?<![\w\-'’])(?P<verb>[a-zà-ÿ]{3,})\b", re.IGNORECASE)
_NAMED_SUBJECT_RE = re.compile(
    r"^([A-ZÀ-Ý][\w\-]+(?:\s+[A-ZÀ-Ý][\w\-]+)?)(?:\s+(?:vous|nous|lui|leur|le|la|les)|\s+l['’])*\s*$"
)
_NOT_IN_THIRD_SUBJECT = {
    "a",
    "ont",
    "avait",
    "avaient",
    "est",
    "sont",
    "deja",
    "ne",
    "n",
    "pas",
    "se",
    "s",
    # a subject pronoun is nobody named: "On traite en priorité ceux qui expirent dans les
    # quinze jours" says how the meeting works, it hands nothing to a third party
    "on",
    "je",
    "j",
    "tu",
    "nous",
    "vous",
    "il",
    "ils",
    "elle",
    "elles",
    "ca",
    "cela",
}
_PRONOUN_ONLY_RE = re.compile(r"\w+ (?:ca|cela|le|la|les)")
_HANDED_TO_SERVICE_RE = re.compile(
    r"\s*et\s+(?:puis\s+)?(?:le|la|les|l['’])\s*(?:services?|secr[ée]tariat|direction|DRH|"
    r"cabinet|[ée]quipes?|p[ôo]le|cellule|bureau d['’][ée]tudes)\b",
    re.IGNORECASE,
)
_ONGOING_RE = re.compile(r"\b(?:d[ée]j[àa]|actuellement|en ce moment|toujours|depuis)\b", re.I)
_CLAUSE_OPENERS_RE = re.compile(
    r"^(?:\s*(?:et|alors|donc|puis|mais|bon|ok|sinon|ensuite|de plus)\b)*\s*", re.IGNORECASE
)


# Someone put forward by name: "c'est Julien qui…" (also read by the hand-over of a task).
CLEFT_NAME = r"\bc['’]\s*est\s+(?P<who>[A-ZÀ-Ý][\w\-]+(?:\s+[A-ZÀ-Ý][\w\-]+)?)\s+qui\s+"
_CLEFT_NAME_RE = re.compile(
    rf"{CLEFT_NAME}(?P<clitic>(?:le|la|les)\s+|l['’]\s*)?(?P<verb>[a-zà-ÿ]{{3,}})\b"
)


def _third_person_infinitive(verb: str) -> str | None:
    """A third-person present → infinitive, through the first-person form :func:`_infinitive`
    reads ("fait" → "fais" → "faire", "envoient" → "envoie" → "envoyer")."""
    said = normalize(verb)
    if said.endswith("ent"):
        return _infinitive(verb[:-2])
    return _infinitive(verb[:-1] + "s" if said.endswith("t") else verb)


def third_party_present(text: str, context: str) -> tuple[str, str] | None:
    """``(task, subject)`` for a third party named at the head of a clause who does a piece of
    work (a verb of work in the present) by a deadline said in the same clause: "La direction
    des finances fait un chiffrage précis pour la prochaine CME", "La direction qualité vous
    les envoie cette semaine". ``None`` otherwise: "La commission propose une subvention" or
    "le conseil a voté en décembre" report, they give no task."""
    for clause in _CLAUSE_END.split(text):
        # without a deadline, only a service handed the work by "Et …" ("Merci. Et le service
        # juridique rédige la convention de don."): "le service rédige les conventions" alone
        # may describe what it does
        handed = bool(_HANDED_TO_SERVICE_RE.match(clause)) and not _ONGOING_RE.search(clause)
        if not stated_deadlines(clause) and not handed:
            continue
        for m in _THIRD_VERB_RE.finditer(clause):
            if normalize(m["verb"]) not in _WORK_VERBS_THIRD:
                continue
            head = clause[: m.start()]
            opening = _CLAUSE_OPENERS_RE.sub("", re.split(r"[,:]", head)[-1])
            # a person named at the head of the clause: "Amandine vous envoie le relevé…"
            person = _NAMED_SUBJECT_RE.match(opening)
            who = _subject_before(head) or (person.group(1) if person else None)
            if (
                not who
                or not normalize(opening).startswith(normalize(who))
                or set(normalize(who).split()) & _NOT_IN_THIRD_SUBJECT
                or re.search(r"\b(?:se|s['’])\s*$", head, re.IGNORECASE)
            ):
                continue  # no subject, one inside a longer clause, or a past ("m'a déjà fait")
            verb = _third_person_infinitive(m["verb"])
            clitics = re.search(r"(?:\s+(?:vous|nous|lui|leur|le|la|les)|\s+l['’])+\s*$", head)
            task = _phrase(
                verb or "", clause[m.end() :], clitics.group(0) if clitics else "", context
            )
            if task and len(task.split()) > 1:
                return task, who
    return None


def third_party_asked(text: str, context: str = "") -> tuple[str, str] | None:
    """``(task, subject)`` for a party named as the subject and asked, in a question, whether
    it can do a piece of work: "La vie scolaire peut envoyer un message aux familles
    concernées, sur Pronote ?" → ("Envoyer un message aux familles concernées, sur Pronote",
    "La vie scolaire"); the one addressed when someone is ("Rachid, la DGCL peut inscrire le texte à
    la séance du 6 ?"). Not a statement ("le service peut envoyer…" says what is possible),
    nor a rule checked ("le président peut prendre un électeur présent, non ?")."""
    for clause in _CLAUSE_END.split(text):
        if not text[text.find(clause) + len(clause) :].lstrip().startswith("?") or re.search(
            r",\s*(?:non|hein|pas vrai|c['’]est [çc]a)\s*$", clause, re.IGNORECASE
        ):
            continue  # "le président peut prendre un électeur présent, non ?": a rule checked
        for m in _ASKED_THIRD_RE.finditer(clause):
            head = clause[: m.start()]
            who = _subject_before(head)
            verb = normalize(m["inf"])
            if (
                not who
                or set(normalize(who).split()) & _NOT_IN_THIRD_SUBJECT
                or verb in _NO_TASK_VERBS
                or verb in _NOT_TASKS_ASKED
            ):
                continue
            task = _phrase(m["inf"].lower(), clause[m.end() :], m["clitics"] or "", context)
            if task and len(task.split()) > 1:
                # "Rachid, la DGCL peut inscrire le texte ?": the one addressed answers for it
                called = _HEAD_VOCATIVE_RE.match(_CLAUSE_OPENERS_RE.sub("", clause))
                if called and normalize(called[1]) not in _NOT_NAMES | STOPWORDS:
                    return task, called[1]
                return task, who
    return None


_HEAD_VOCATIVE_RE = re.compile(r"\s*((?:(?:M\.|Mme|Dr|Pr)\s+)?[A-ZÀ-Ý][\w\-]+)\s*,")


# A request in the imperative at the head of a clause ("Réunissez-la en juin", "Denis,
# envoyez-moi une note d'une page d'ici vendredi"), its object pronoun kept.
_IMPERATIVE_RE = re.compile(
    r"(?:^|[.!?:;]\s*|,\s*)(?P<verb>[a-zà-ÿ]{3,}ez|faites)"
    r"(?:-(?P<pronoun>le|la|les|moi|nous|lui|leur|en|y))*(?![\w\-])",
    re.IGNORECASE,
)
# Imperatives that ask for no work ("Excusez-moi", "Attendez", "Allez-y").
_NOT_TASK_IMPERATIVES = {
    "excusez",
    "ecoutez",
    "attendez",
    "allez",
    "voyez",
    "notez",
    "tenez",
    "sachez",
    "pardonnez",
    "permettez",
    "imaginez",
    "continuez",
    "commencez",
    "rassurez",
    "avez",
    "etes",
    "pensez",
    "croyez",
    "dites",
    "arretez",
    "oubliez",
    "entrez",
    "asseyez",
    "patientez",
    "sortez",
    "assez",
}


# The imperative of "tu" at the head of a clause, then its object ("Oui, fais-le. Et envoie un
# petit tutoriel aux directeurs"): a verb in "-e" (or "fais", "prends", "mets"…) with no subject,
# then a pronoun after a hyphen or a determiner.
_TU_IMPERATIVE_RE = re.compile(
    r"(?:^|[.!?:;]\s*|,\s*|\bet\s+|\bpuis\s+)"
    r"(?P<verb>envoie|renvoie|pr[ée]pare|appelle|pr[ée]viens|contacte|relance|v[ée]rifie|r[ée]serve|"
    r"transmets|fais|prends|mets|[ée]cris|r[ée]dige|demande|organise|commande|lance|corrige|"
    r"ajoute|imprime|affiche|publie|signe|programme|planifie|inscris|convoque|transf[èe]re|"
    r"partage|compl[èe]te|regarde|chiffre|contr[ôo]le|d[ée]pose|installe|r[ée]ponds)"
    r"(?:-(?P<pronoun>le|la|les)|-(?:moi|nous|lui|leur|en|y))*"
    r"(?=\s+(?:le|la|les|l['’]|un|une|des|du|au|aux|ton|ta|tes|ce|cet|cette|ces)\b|[\s,.!?]*$|"
    r"\s+(?:avant|d['’]ici|demain|aujourd['’]hui)\b)",
    re.IGNORECASE,
)


def tu_imperatives(text: str) -> list[str]:
    """The infinitives of the "tu" imperatives of ``text`` that ask for work ("Et envoie un
    petit tutoriel aux directeurs" → ["envoyer"])."""
    return [v for m in _TU_IMPERATIVE_RE.finditer(text) if (v := _infinitive(m["verb"]))]


def _imperatives(text: str) -> list[re.Match[str]]:
    """The imperatives of ``text`` that ask for work, at the head of a clause or right after
    the name of whom they address (unpunctuated ASR text: "denis demandez le devis"); not
    "Excusez-moi", "Attendez"."""
    found = list(_IMPERATIVE_RE.finditer(text))
    named = addressee(text)
    if named:
        found += re.finditer(
            rf"\b{re.escape(named)}\s*,?\s+(?P<verb>[a-zà-ÿ]{{3,}}ez)"
            # "le"/"la" after a space is an article ("demandez le devis"), only "-le" a pronoun
            r"(?:-(?P<pronoun>le|la|les)|[\s-](?:moi|nous|lui|leur))?(?![\w\-'])",
            text,
            flags=re.IGNORECASE,
        )
    found += _TU_IMPERATIVE_RE.finditer(text)
    return [
        m
        for m in found
        if normalize(m["verb"]) not in _NOT_TASK_IMPERATIVES and _infinitive(m["verb"])
    ]


def imperative_request(text: str) -> bool:
    """Whether ``text`` asks for work in the imperative ("Réunissez-la en juin")."""
    return bool(_imperatives(text))


_ON_PRESENT_RE = re.compile(rf"\bon\s+{_RAW_CLITICS}(?P<verb>[a-zà-ÿ]{{3,}})\b", re.IGNORECASE)
# "on" with these says no task ("on a", "on peut", "on verra", "on attend").
_NOT_ON_TASKS = {
    "peut",
    "pourra",
    "pourrait",
    "doit",
    "devra",
    "verra",
    "attend",
    "est",
    "sera",
    "avait",
    "aura",
    "sait",
    "voit",
    "pense",
    "croit",
    "reste",
    "passe",
    "commence",
    "continue",
}


_POSSESSIVE_SUBJECT_RE = re.compile(
    r"(?:^|[.;:!?,]\s*|\b(?:et|alors|donc|puis)\s+)(?:mes|mon|ma|nos|notre)\s+[\w\-]+"
    r"(?:\s+(?:de|du|des|d['’])\s*[\w\-]+)?\s+(?:(?:vous|nous|lui|leur|en|y|le|la|les)\s+|"
    r"[lmt]['’]\s*)*$",
    re.IGNORECASE,
)
# The rest of a question that asks when or how, not what ("…en place quand ?").
_WHEN_ASKED_RE = re.compile(r"[^.;!?]{0,30}?\b(?:quand|comment|pourquoi)\s*\?", re.IGNORECASE)
_NEGATION_BEFORE_RE = re.compile(
    r"\b(?:ne|n['’])\s*(?:\w+\s+|[lmts]['’]\s*)?$", re.IGNORECASE
)  # "ne leur", "ne l'" (acceptera jamais)
_FUTURE_RE = re.compile(
    r"(?<![\w\-])(?P<verb>\w[\w\-]+(?:eront|iront|ront|era|ira|ra))\b", re.IGNORECASE
)
_NEAR_FUTURE_RE = re.compile(
    r"(?<![\w\-])(?:va|vont)\s+(?P<clitics>(?:(?:vous|nous|lui|leur|le|la|les)\s+|l['’]\s*)*)"
    rf"(?P<inf>{_WORK_INFINITIVES})\b",
    re.IGNORECASE,
)
# "La vie scolaire peut envoyer un message aux familles, sur Pronote ?": a party named as the
# subject asked whether it can do a piece of work
_ASKED_THIRD_RE = re.compile(
    r"(?<![\w\-])(?:peut|peuvent|pourrait|pourraient|pourra|pourront)\s+"
    r"(?P<clitics>(?:(?:vous|nous|lui|leur|le|la|les|en|s['’]en)\s+|[ls]['’]\s*)*)"
    r"(?P<inf>[a-zà-ÿ]{3,}(?:er|ir|re))\b",
    re.IGNORECASE,
)
_DETERMINERS = {"le", "la", "les", "l"}
_LINKS = {"de", "du", "des", "d"}
_NOT_IN_SUBJECT = {
    "qui",
    "que",
    "je",
    "tu",
    "on",
    "nous",
    "vous",
    "il",
    "elle",
    "ils",
    "elles",
    "ne",
    "n",
}
SUBJECT_MAX_WORDS = 6


_CLEFT_RE = re.compile(
    r"\bc['’]\s*est\s+((?:le|la|les|l['’])\s*[^,.;:!?]{2,60}?)\s+qui\s+(?:nous\s+|vous\s+|le\s+|la\s+|les\s+|l['’]\s*)?$",
    re.IGNORECASE,
)


def _cleft_subject(head: str) -> str | None:
    """The subject put forward before a future ("c'est la direction des ressources humaines
    qui publiera…" → "la direction des ressources humaines"), else ``None``."""
    m = _CLEFT_RE.search(head)
    return m.group(1).strip() if m else None


def _subject_before(head: str) -> str | None:
    """The noun phrase right before a verb, as said, from its determiner ("…l'an prochain les
    services techniques" → "les services techniques"; "le directeur des systèmes
    d'information"); ``None`` when none ends there (a pronoun, a clause break)."""
    clause = re.split(r"[.;:!?,]", head)[-1]
    # object pronouns between the subject and its verb ("le secrétariat vous enverra…")
    clause = re.sub(
        r"(?:\s+(?:vous|nous|lui|leur|en|y|me|te|le|la|les)|\s+[lmt]['’])+\s*$", " ", clause
    )
    words = re.findall(r"[\w\-]+['’]?", clause)[-SUBJECT_MAX_WORDS - 1 :]
    start = None
    for i in range(len(words) - 1, -1, -1):
        w = normalize(words[i]).strip()
        if w in _NOT_IN_SUBJECT:
            break
        if w in _DETERMINERS:
            start = i
            if i == 0 or normalize(words[i - 1]) not in _LINKS:
                break
    if start is None or len(words) - start < 2:
        return None
    return re.sub(r"(['’])\s+", r"\1", " ".join(words[start:])).strip()


# Past participles whose stem is not the infinitive's ("l'analyse doit être mise à jour").
_PARTICIPLES = {
    "mis": "mettre",
    "mise": "mettre",
    "mises": "mettre",
    "fait": "faire",
    "faite": "faire",
    "faits": "faire",
    "transmis": "transmettre",
    "transmise": "transmettre",
    "pris": "prendre",
    "prise": "prendre",
    "remis": "remettre",
    "remise": "remettre",
}
_INFINITIVE_RE = re.compile(r"(?:er|ir|re|oir)$")


def _task_verb(task: str) -> str | None:
    """The stem of a task's verb (its first word, an infinitive; the last part of a hyphenated
    one, not the "se" of a pronominal one); ``None`` when the task does not start with one."""
    first = task.split()[0] if task.split() else ""
    if "-" in first:  # "pré-positionner": the verb is the last part
        task = first.rsplit("-", 1)[1] + task[len(first) :]
    words = tokens(task)
    if words[:1] in (["s"], ["se"]):
        words = words[1:]  # a pronominal verb: "s'occuper de…"
    if not words or not _INFINITIVE_RE.search(words[0]) or len(words[0]) < 4:
        return None
    return stem(words[0])


def _verb_forms(token: str) -> set[str]:
    """The stems a said word may stand for as a verb: itself, its infinitive, a participle's."""
    return {stem(token)} | {
        stem(normalize(inf)) for inf in (_infinitive(token), _PARTICIPLES.get(token)) if inf
    }


def verb_said(task: str, text: str) -> bool | None:
    """Whether the task's verb (its first word, an infinitive) is said in ``text``, in any
    form ("envoyer" ~ "j'enverrai", "tu m'envoies"; "mettre à jour" ~ "mise à jour").
    ``None`` when the task does not start with an infinitive (not phrased as a task)."""
    verb = _task_verb(task)
    if verb is None:
        return None
    return any(verb in _verb_forms(t) for t in tokens(text))


_OUTCOME_SUBJECT = {"ca", "cela"}


def verb_only_as_outcome(task: str, text: str) -> bool:
    """Whether the task's verb is said in ``text`` only as what follows from something, with
    "ça" as its subject ("ça videra le coffre en même temps"): nobody is to do it. ``False``
    when some form of it is said otherwise, or none is."""
    verb = _task_verb(task)
    if verb is None:
        return False
    said = tokens(text)
    at = [i for i, t in enumerate(said) if verb in _verb_forms(t)]
    return bool(at) and all(i > 0 and said[i - 1] in _OUTCOME_SUBJECT for i in at)


_NEEDED_RE = re.compile(
    rf"\bil\s+(?:nous\s+)?(?:faudra|faudrait|faut)\s+{_RAW_CLITICS}(?P<inf>\w+(?:er|ir|re|oir))\b",
    re.IGNORECASE,
)


def needed_task(text: str) -> str | None:
    """The task a turn says is needed ("Odile, il faudra transmettre le budget à la préfecture
    avant le 15 avril" → "Transmettre le budget à la préfecture"); whether someone takes it is
    for the caller to see (a name addressed, an acceptance in reply)."""
    m = _NEEDED_RE.search(text)
    if not m or normalize(m["inf"]) in _NOT_TASKS_ASKED:
        return None
    # "les plans de signalisation, il faut les mettre à jour" → "Mettre à jour les plans…"
    return _phrase(m["inf"].lower(), text[m.end() :], text[: m.start("inf")])
