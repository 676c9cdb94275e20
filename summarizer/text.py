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
        "quinzaine",
        "heures",
        "h",
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
    r"d[ée]cembre)"
)
_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_DATE = rf"(?:\d{{1,2}}(?:er)?\s+{_MONTH}(?:\s+\d{{4}})?|(?:fin|d[ée]but|mi-?)\s*{_MONTH}|{_DAY})"
# A deadline as people say it: "d'ici le 1er juin", "avant le 15 avril", "cette semaine",
# "la semaine prochaine", "la semaine du 7 avril", "dès demain", "pour le conseil de juin".
DEADLINE_RE = re.compile(
    rf"(?:d['’]ici|avant|au plus tard|dès|jusqu['’]au|jusqu['’]à)\s+(?:le\s+|la\s+|l['’])?{_DATE}"
    rf"|(?:dès\s+)?demain|cette\s+semaine|la\s+semaine\s+(?:prochaine|du\s+\d{{1,2}}(?:er)?\s+{_MONTH})"
    rf"|pour\s+le\s+(?:conseil|comité|bureau|séance|réunion)\s+(?:de|du)\s+{_MONTH}"
    rf"|\bfin\s+{_MONTH}",
    re.IGNORECASE,
)


def stated_deadlines(text: str) -> list[str]:
    """Deadline expressions said in ``text``, as said (see :data:`DEADLINE_RE`)."""
    return [m.group(0) for m in DEADLINE_RE.finditer(text)]
