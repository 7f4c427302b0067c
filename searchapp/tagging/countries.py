"""Country tagger: which countries a news story is about, as ISO 3166-1 alpha-2 codes.

Mentions are found with a gazetteer (searchapp/data/countries.json, built by
tools/build_gazetteer.py): country names and abbreviations, demonyms, capitals
and large cities, US/Canadian/Australian states, landmarks such as the White
House, and the dateline at the start of the body ("NEW YORK, March 3 -").
Each mention adds a weight that depends on its kind and on where it stands
(dateline and title count more); a country is kept when its score is high
enough both absolutely and relative to the story's main country.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GAZETTEER_PATH = Path(__file__).resolve().parents[1] / "data" / "countries.json"

# How much one mention is worth, by kind of form. Names and demonyms name the
# country; a city, region or landmark is a weaker sign that the story is about
# the whole country. These are round values chosen up front, not fitted to any
# answer key (the measuring script shows how little the score depends on them).
KIND_WEIGHTS = {"name": 1.0, "demonym": 1.0, "city": 0.5, "region": 0.5, "landmark": 0.5}

DEFAULT_RULES = {
    "kind_weights": KIND_WEIGHTS,
    "title_factor": 2.0,  # a mention in the title counts twice
    "lead_factor": 1.0,  # ... in the lead (the first lead_chars of the body)
    "lead_chars": 300,
    "dateline_weight": 2.0,  # the place the story is filed from
    "min_score": 1.0,  # a country needs at least one full mention...
    "min_share": 0.5,  # ...and half the top country's score
    "strong_score": 2.0,  # ...or two full mentions, whatever the top country's
    "datelines": True,
    "currency_factor": 0.5,  # "U.S. dlrs", "Canadian dollars": money, not much the country
}

# Tokens: dotted abbreviations (U.S., U.K., also "U.S" missing its last dot) or
# runs of letters.
_TOKEN = re.compile(r"(?:[A-Z]\.)+[A-Z]\.?|[^\W\d_]+")
# What may stand between the words of one multi-word name.
_JOINER = re.compile(r"[ \t\-'.]{1,3}")
# Dateline: an upper-case place, optional qualifiers and date, then a dash.
_DATELINE = re.compile(r"\s*([A-Z][^\n]{0,80}?)\s*[-\u2013\u2014]{1,2}\s")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_PART = re.compile(rf"(?i)^(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH}|[a-z]+day)$")
_GLUED_DATE = re.compile(rf"(?i)\s+{_MONTH}\s+\d{{1,2}}$")


@dataclass(frozen=True)
class Form:
    code: str  # ISO code; "" for a blocked name that yields nothing
    kind: str  # name | demonym | city | region | landmark | block
    rule: str | None  # ambiguity rule, see the gazetteer's "about"


@dataclass
class Mention:
    code: str
    kind: str
    weight: float
    start: int
    rule: str | None


def fold(text: str) -> str:
    """Strip accents and unify apostrophes, as the gazetteer's forms are."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokens(text: str) -> list[re.Match]:
    return list(_TOKEN.finditer(text))


def word(token: re.Match) -> str:
    """The token as the gazetteer spells it: "U.S" -> "U.S."."""
    w = token.group()
    return w + "." if "." in w and not w.endswith(".") else w


@lru_cache(maxsize=1)
def shipped_gazetteer() -> dict:
    return json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))


class CountryTagger:
    def __init__(self, gazetteer: dict | None = None):
        g = gazetteer if gazetteer is not None else shipped_gazetteer()
        self.rules = {**DEFAULT_RULES, **g.get("rules", {})}
        ambiguous = g.get("ambiguous", {})
        no_caps = set(g.get("no_caps", []))
        self.mixed: dict[tuple[str, ...], Form] = {}
        self.caps: dict[tuple[str, ...], Form] = {}
        # Earlier kinds win when two kinds share a form.
        for kind in ("block", "name", "demonym", "landmark", "region", "city"):
            for text, code in g.get("forms", {}).get(kind, {}).items():
                key = tuple(word(m) for m in tokens(fold(text)))
                if not key:
                    continue
                form = Form(code, kind, ambiguous.get(text))
                self.mixed.setdefault(key, form)
                if text not in no_caps:
                    self.caps.setdefault(tuple(t.upper() for t in key), form)
        self.max_len = max((len(k) for k in self.mixed), default=1)
        self.first_words = {k[0] for k in self.mixed} | {k[0] for k in self.caps}
        self.food_words = set(g.get("food_words", []))
        self.currency_words = {w.lower() for w in g.get("currency_words", [])}
        self.function_words = set(g.get("function_words", []))
        self.dateline_places = g.get("dateline_places", {}) if self.rules["datelines"] else {}
        self.dateline_qualifiers = g.get("dateline_qualifiers", {})
        self.successors = {code: set(h.get("successors", []))
                           for code, h in g.get("historic", {}).items()}

    # -- public ---------------------------------------------------------------

    def tag(self, title: str, body: str) -> list[str]:
        """ISO 3166-1 alpha-2 codes of the countries the story is about, most relevant first."""
        scores = self.scores(title, body)
        if not scores:
            return []
        top = max(scores.values())
        # Kept: a country scoring min_score that is either a fair share of the main
        # country or strong on its own (named twice), so a long story about two
        # countries still keeps the others it discusses.
        relative = min(self.rules["min_share"] * top, self.rules["strong_score"])
        floor = max(self.rules["min_score"], relative)
        return [code for code, score in sorted(scores.items(), key=lambda kv: -kv[1])
                if score >= floor - 1e-9]

    def scores(self, title: str, body: str) -> dict[str, float]:
        """Every country mentioned, with its relevance score (before the cut-off)."""
        title, body = fold(title or ""), fold(body or "")
        mentions = self.find(title, self.rules["title_factor"], offset=-len(title) - 1)
        dateline_code, body_start = self.dateline(body)
        if dateline_code:
            mentions.append(Mention(dateline_code, "dateline", self.rules["dateline_weight"], -1, None))
        mentions += self.find_body(body, body_start)
        mentions = self.resolve(mentions)
        scores: dict[str, float] = {}
        for m in mentions:
            scores[m.code] = scores.get(m.code, 0.0) + m.weight
        return scores

    # -- finding mentions -------------------------------------------------------

    def find_body(self, body: str, start: int) -> list[Mention]:
        lead_end = start + self.rules["lead_chars"]
        found = []
        for m in self.find(body[start:], 1.0, offset=start):
            if m.start < lead_end:
                m.weight *= self.rules["lead_factor"]
            found.append(m)
        return found

    def find(self, text: str, factor: float, offset: int) -> list[Mention]:
        """Mentions in text, segment by segment (a segment is a line or paragraph)."""
        found = []
        pos = 0
        for segment in text.split("\n"):
            if segment.strip():
                for m in self.find_in_segment(segment, factor):
                    m.start += offset + pos
                    found.append(m)
            pos += len(segment) + 1
        return found

    def find_in_segment(self, segment: str, factor: float) -> list[Mention]:
        toks = tokens(segment)
        caps = is_all_caps(segment)
        index = self.caps if caps else self.mixed
        found = []
        i = 0
        while i < len(toks):
            hit = self.longest_match(segment, toks, i, index, caps)
            if hit is None:
                i += 1
                continue
            n, form = hit
            if form.code and self.counts(segment, toks, i, n, form, caps):
                weight = self.rules["kind_weights"][form.kind] * factor
                if i + n < len(toks) and toks[i + n].group().lower() in self.currency_words:
                    weight *= self.rules["currency_factor"]
                found.append(Mention(form.code, form.kind, weight, toks[i].start(), form.rule))
            i += n
        return found

    def longest_match(self, text, toks, i, index, caps) -> tuple[int, Form] | None:
        first = word(toks[i])
        if (first.upper() if caps else first) not in self.first_words:
            return None
        words = []
        for j in range(i, min(i + self.max_len, len(toks))):
            if j > i and not _JOINER.fullmatch(text[toks[j - 1].end():toks[j].start()]):
                break
            w = word(toks[j])
            words.append(w.upper() if caps else w)
        for n in range(len(words), 0, -1):
            form = index.get(tuple(words[:n]))
            if form is not None:
                return n, form
        return None

    def counts(self, text: str, toks: list[re.Match], i: int, n: int, form: Form,
               caps: bool) -> bool:
        """Whether a match is a mention, given the words around it."""
        before = toks[i - 1] if i > 0 else None
        after = toks[i + n] if i + n < len(toks) else None
        glued_before = before is not None and text[before.end():toks[i].start()] in (" ", "-")
        glued_after = after is not None and text[toks[i + n - 1].end():after.start()] == " "
        word_before = before.group() if glued_before and before else ""  # the glued words only
        word_after = after.group() if glued_after and after else ""
        if caps:  # in a headline every word is capitalised: only the food rule can tell
            return not (form.rule == "food" and word_after.lower() in self.food_words)
        if form.kind in ("city", "region", "landmark") or form.rule in ("person", "surname"):
            # "Michael Jordan", "Jesse Jackson", "Sam Houston": part of a longer name.
            if word_before and self.is_name_word(word_before):
                return False
        if form.rule == "person" and word_after and self.is_name_word(word_after):
            return False  # "Chad Smith", "Jordan Henderson"
        if form.rule == "food" and word_after and word_after in self.food_words:
            return False  # "Turkey dinner"
        return True

    def is_name_word(self, word: str) -> bool:
        return (word[:1].isupper() and word not in self.function_words
                and (word,) not in self.mixed)

    # -- datelines ----------------------------------------------------------------

    def dateline(self, body: str) -> tuple[str | None, int]:
        """(country of the dateline, where the text after it starts)."""
        if not self.dateline_places:
            return None, 0
        m = _DATELINE.match(body[:120])
        if not m:
            return None, 0
        parts = [p.strip() for p in re.sub(r"\([^)]*\)", " ", m.group(1)).split(",")]
        glued = _GLUED_DATE.search(parts[0])  # "JOHANNESBURG March 13 -"
        if glued:
            parts[0:1] = [parts[0][:glued.start()].strip(), glued.group().strip()]
        place = parts[0]
        upper = place == place.upper()
        dated = any(_DATE_PART.match(p) for p in parts[1:])
        # An upper-case place makes a dateline; "Toronto, Feb 26 -" needs its date.
        if not place or len(place.split()) > 4 or not (upper or dated):
            return None, 0
        code = None
        for part in parts[1:]:
            if part and not _DATE_PART.match(part):  # "Ill.", "Ontario", "Texas"
                code = self.dateline_qualifiers.get(part.upper().rstrip("."))
                break
        code = code or self.dateline_place(place.upper().rstrip("."))
        if code is None and not upper:
            return None, 0
        return code, m.end()

    def dateline_place(self, place: str) -> str | None:
        code = self.dateline_places.get(place)
        if code is None:  # "ST. PAUL", "FT. WORTH"
            long = re.sub(r"^(ST|FT|MT)\.?\s+",
                          lambda m: {"ST": "SAINT ", "FT": "FORT ", "MT": "MOUNT "}[m.group(1)],
                          place)
            code = self.dateline_places.get(long)
        return code

    # -- deciding -------------------------------------------------------------------

    def resolve(self, mentions: list[Mention]) -> list[Mention]:
        """Apply the story-wide rules: corroboration and former states."""
        firm = {m.code for m in mentions if m.rule != "corroborate"}
        mentions = [m for m in mentions if m.rule != "corroborate" or m.code in firm]
        named = {m.code for m in mentions if m.kind == "name"}
        present = named | {m.code for m in mentions if m.kind == "demonym"}
        for former, successors in self.successors.items():
            if former not in present:
                continue
            # A story about the Soviet Union that names no modern successor state:
            # its Moscow (dateline or text) and its Russians are the Soviet Union's.
            absorbed = successors - named
            for m in mentions:
                if m.code in absorbed and m.kind != "name":
                    m.code = former
        return mentions


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4:
        return False
    lower = sum(1 for c in letters if c.islower())
    return lower < 0.1 * len(letters)


# -- labels -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _territories(locale: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(locale).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def country_label(code: str, locale: str = "en") -> str:
    """The country's name in the reader's language (Babel/CLDR), 'Soviet Union' for SU."""
    code = code.upper()
    historic = shipped_gazetteer().get("historic", {}).get(code)
    if historic:
        labels = historic["labels"]
        language = re.split(r"[-_]", locale)[0].lower()
        return labels.get(locale) or labels.get(language) or labels["en"]
    name = _territories(locale).get(code) or _territories("en").get(code)
    return name or code
