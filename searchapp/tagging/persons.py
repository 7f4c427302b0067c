"""Person tagger: the people a news story names, as canonical full names.

Two passes over a story:

1. Recognise. In mixed-case paragraphs, runs of capitalised words (with
   initials, particles such as "de" or "van", hyphens and apostrophes) are
   candidate names. Leading titles ("Russian Foreign Minister", "Mr") are
   stripped, runs holding organisation or place words are dropped, and a
   candidate is kept only when a cue says it is a person: a title or role word
   before it, a known given name or family name, a middle initial, "said"
   after it, an apposition (", chairman of ..."), or the authority list.
2. Count. Every mention in the headline and body is matched, longest first,
   against the names found in pass 1 (full name, surname, family name written
   first) and then against the authority aliases. So a later "Lavrov" counts
   for "Sergey Lavrov", and "Putin" or an upper-case "VOLCKER" resolve through
   the authority list. Headlines and upper-case text are only matched, never
   searched for new names: their capitals say nothing about names.

The authority list is data ({"name", "aliases"} entries) that librarians may
edit; the tagger uses whatever list it is given.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
AUTHORITY_FILE = DATA_DIR / "persons.json"
STOPWORDS_FILE = DATA_DIR / "person_stopwords.json"
GIVEN_NAMES_FILE = DATA_DIR / "person_given_names.json"

MAX_ALIAS_TOKENS = 7
MAX_NAME_TOKENS = 5

# Lower-case words that may sit inside a name: "Jacques de Larosiere", "Osama bin Laden".
PARTICLES = frozenset("de da di du del della dos das do van von der den ter ten zu le la "
                      "al el bin ibn ben y".split())
# Prefixes joined to a capitalised name by a hyphen: "al-Assad", "el-Sisi".
PARTICLE_PREFIXES = ("al-", "el-", "ul-", "ad-", "as-", "ash-", "at-", "az-", "bin-", "ibn-", "abu-", "ben-")
SUFFIXES = frozenset("Jr Sr II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI".split())
# Abbreviations whose full stop does not end a sentence.
NO_STOP = frozenset("Mr Mrs Ms Dr St Jr Sr Gen Sen Rep Gov Lt Col Capt Adm Sgt Cpl Maj Rev Prof Messrs Mme "
                    "Mlle Fr Hon Gens Sens Reps Cmdr Brig Supt Insp Det Pres Amb Msgr".split())
# Initials that spell an organisation or a place, not a person: "U.S.", "U.N.".
ABBREVIATIONS = frozenset("US USA UK UN EC EU EEC USSR DC NY LA SA NV AG PLC BV UAE GB PR TV AM PM "
                          "UAR ROK PRC DPRK NATO OPEC IMF UNESCO UNICEF BBC CNN ABC NBC CBS".split())
SAID_WORDS = frozenset("said says say told tells added adds noted notes stated argued insisted declared "
                       "explained warned replied wrote announced predicted commented asked urged".split())
END_PUNCT = frozenset(".!?;:")
# "Icahn-led", "Prize-winning": a name turned into an adjective, not a name.
HYPHEN_SUFFIXES = frozenset("led based owned backed controlled run born made style type sponsored winning "
                            "funded linked related listed registered bound speaking era dominated appointed "
                            "inspired allied held leaning".split())
SURNAME_HONORIFICS = frozenset("Mr Mrs Ms Miss Mme Madame Monsieur Herr Frau Senor Señor Senora Señora".split())
QUOTES = frozenset("\"“”‘’'«»()[]")

_TOKEN_RE = re.compile(r"""
    (?P<init>(?:[A-Z]\.){1,4})(?![A-Za-z])          # initials: A. / J.P. / U.S.
  | (?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*)
  | (?P<num>\d[\d,.:/]*)
  | (?P<punct>[^\w\s])
""", re.VERBOSE)
_PARA_RE = re.compile(r"\n[ \t]*\n|\n(?=[ \t])")


def load_authority(path=None) -> list[dict]:
    """The authority list: [{"name": canonical, "aliases": [...]}, ...]."""
    with open(path or AUTHORITY_FILE, encoding="utf-8") as f:
        return json.load(f)


def fold(text: str) -> str:
    """Lower case without accents, for comparing names."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def name_key(text: str) -> tuple[str, ...]:
    """Comparable parts of a name: "Bashar al-Assad" -> ("bashar", "al", "assad"), "O'Neill" -> ("oneill",)."""
    return tuple(re.findall(r"[^\W_]+", fold(text).replace("'", "").replace("’", "")))


@dataclass(frozen=True)
class _Lexicon:
    titles: frozenset
    modifiers: frozenset
    role_words: frozenset
    org_words: frozenset
    place_words: frozenset
    places: frozenset
    demonyms: frozenset
    dates: frozenset
    common: frozenset
    function_words: frozenset
    given: frozenset
    family_first: frozenset
    not_names: frozenset  # every stoplist word, folded: never a surname on its own in capitals


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    stop = json.loads(STOPWORDS_FILE.read_text(encoding="utf-8"))
    names = json.loads(GIVEN_NAMES_FILE.read_text(encoding="utf-8"))
    lists = {k: frozenset(v) for k, v in stop.items() if isinstance(v, list)}
    not_names = frozenset(fold(w) for k in ("titles", "title_modifiers", "org_words", "place_words", "places", "demonyms",
                                            "months", "weekdays", "common_words") for w in lists[k])
    return _Lexicon(
        titles=lists["titles"] | lists["title_modifiers"],
        modifiers=lists["title_modifiers"],
        role_words=lists["role_words"],
        org_words=lists["org_words"],
        place_words=lists["place_words"],
        places=lists["places"],
        demonyms=lists["demonyms"],
        dates=lists["months"] | lists["weekdays"],
        common=lists["common_words"],
        function_words=lists["function_words"],
        given=frozenset(names["given_names"]),
        family_first=frozenset(names["family_name_first"]) - frozenset(names["given_names"]),
        not_names=not_names,
    )


# --- tokens -----------------------------------------------------------------

@dataclass
class _Tok:
    text: str
    kind: str  # word | init | num | punct
    possessive: bool = False
    sentence_start: bool = False
    parts: tuple = ()


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    start = True
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        s = m.group()
        tok = _Tok(s, kind)
        if kind == "word":
            if len(s) > 2 and s[-2] in "'’" and s[-1] in "sS":
                tok.text, tok.possessive = s[:-2], True
            tok.parts = name_key(tok.text)
        elif kind == "init":
            tok.parts = name_key(s)
        if kind == "punct":
            if s == "." and toks and toks[-1].text in NO_STOP:
                continue  # "Mr." stays joined to the name after it
            if s in END_PUNCT or s in "-–—":
                start = True
            elif s not in QUOTES:
                start = False
            toks.append(tok)
            continue
        tok.sentence_start = start
        start = False
        toks.append(tok)
    return toks


def _straight_possessives(text: str) -> str:
    # Old wire copy writes the apostrophe as a double quote: India"s, Gandhi"s.
    return re.sub(r'(?<=[a-z])"s\b', "'s", text)


def _paragraphs(text: str) -> list[str]:
    return [p for p in _PARA_RE.split(text or "") if p.strip()]


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _is_cap(word: str) -> bool:
    """A capitalised name-like word: "Baker", "McDonald", "O'Neill", "al-Assad"; not "OPEC"."""
    if "-" in word and word.rsplit("-", 1)[1] in HYPHEN_SUFFIXES:
        return False
    if fold(word).startswith(PARTICLE_PREFIXES):
        rest = word.split("-", 1)[1]
        return rest[:1].isupper()
    return word[:1].isupper() and (len(word) == 1 or not word.isupper() or word in SUFFIXES)


# --- pass 1: recognise ------------------------------------------------------

@dataclass
class _Candidate:
    tokens: list[str]
    strong: bool  # cued by a title or honorific, so a lone surname counts
    position: int


class PersonTagger:
    def __init__(self, authority: list[dict] | None = None):
        self.lex = _lexicon()
        self.authority = load_authority() if authority is None else authority
        # alias key -> canonical name; an alias shared by two people resolves to neither
        self.aliases: dict[tuple, str] = {}
        shared: set[tuple] = set()
        for entry in self.authority:
            name = entry["name"]
            for alias in [name, *entry.get("aliases", [])]:
                key = name_key(alias)
                if not key:
                    continue
                if key in self.aliases and self.aliases[key] != name:
                    shared.add(key)
                self.aliases[key] = name
        for key in shared:
            del self.aliases[key]
        self.first_names = {name_key(e["name"])[0]: e["name"] for e in self.authority if name_key(e["name"])}

    # public API

    def tag(self, title: str, body: str) -> list[str]:
        """Canonical full names of the people named, most mentioned first."""
        title, body = _straight_possessives(title or ""), _straight_possessives(body or "")
        sections = [(title, True)]
        for para in _paragraphs(body):
            sections.append((para, _is_upper(para)))
        token_lists = [(_tokenize(text), known_only) for text, known_only in sections]
        token_lists[0] = (token_lists[0][0], True)  # headline words are not evidence

        candidates: list[_Candidate] = []
        position = 0
        for toks, known_only in token_lists:
            if not known_only:
                candidates += self._recognise(toks, position)
            position += len(toks) + 1
        people = _People(self)
        people.add_candidates(candidates)
        position = 0
        for toks, known_only in token_lists:
            people.count_mentions(toks, known_only, position)
            position += len(toks) + 1
        return people.ranked()

    # recognition

    def _recognise(self, toks: list[_Tok], offset: int) -> list[_Candidate]:
        found = []
        for start, end in self._spans(toks):
            cand = self._classify(toks, start, end)
            if cand:
                cand.position = offset + start
                found.append(cand)
        return found

    def _spans(self, toks: list[_Tok]):
        """(start, end) index ranges of runs of capitalised words, initials and inner particles."""
        i, n = 0, len(toks)
        while i < n:
            if not self._name_like(toks[i]):
                i += 1
                continue
            j = i + 1
            while j < n and not toks[j - 1].possessive:
                t = toks[j]
                # a sentence start or a capitalised "The", "For", "He" ends a name
                if self._name_like(t) and not (t.kind == "word" and (
                        t.text in self.lex.function_words or t.sentence_start and t.text in self.lex.common)):
                    j += 1
                elif (t.kind == "word" and t.text in PARTICLES and j + 1 < n
                      and toks[j + 1].kind == "word" and _is_cap(toks[j + 1].text)):
                    j += 1
                else:
                    break
            yield i, j
            i = j

    def _name_like(self, tok: _Tok) -> bool:
        if tok.kind == "init":
            return tok.text.replace(".", "") not in ABBREVIATIONS
        return tok.kind == "word" and _is_cap(tok.text)

    def _classify(self, toks: list[_Tok], start: int, end: int) -> _Candidate | None:
        lex = self.lex
        words = [t.text for t in toks[start:end]]
        first_tok = toks[start]
        # Leading function words, dates and sentence-initial capitals that cannot be names.
        while words and (words[0] in lex.common or words[0] in lex.dates):
            words.pop(0)
            start += 1
        # The authority may hold the name with its title ("King Hussein", "Sheikh Yamani").
        for k in range(len(words)):
            if len(words) - k <= MAX_ALIAS_TOKENS and name_key(" ".join(words[k:])) in self.aliases:
                return _Candidate(words[k:], True, start + k)
        strong = False
        # Everything up to the last title is description: "Russian Foreign Minister | Sergey Lavrov".
        for k in range(len(words) - 2, -1, -1):
            if words[k] in lex.titles and not (k > 0 and (words[k - 1] in lex.given or words[k - 1].endswith("."))):
                strong = words[k] not in lex.modifiers  # "Former WorldCom" says nothing
                words = words[k + 1:]
                start += k + 1
                break
        if not words:
            return None
        if len(words) > 1 and toks[end - 1].possessive and (words[-1] in lex.places or words[-1] in lex.demonyms):
            words = words[:-1]  # "Secretary of State George Shultz China's recent troubles"
        # "Secretary of State George Shultz": skip descriptive words up to a given name.
        if len(words) > 2 and words[0] not in lex.given and words[0] not in lex.family_first \
                and name_key(" ".join(words)) not in self.aliases:
            for k in range(1, len(words) - 1):
                if words[k] in lex.given:
                    start += k
                    words = words[k:]
                    break
        if not self._plausible(words):
            return None
        key = name_key(" ".join(words))
        if key in self.aliases:
            return _Candidate(words, True, start)
        if len(words) == 1:
            # A lone given name ("his wife, Nancy", "Sheikh Ali") is not a name we can file.
            honorific = start > 0 and toks[start - 1].text in SURNAME_HONORIFICS
            if not strong or (words[0] in lex.given and not honorific):
                return None
            return _Candidate(words, True, start)
        # A sentence-initial capital that is neither a known name nor cued is an ordinary word.
        if (toks[start].sentence_start and toks[start] is first_tok and not strong
                and words[0] not in lex.given and words[0] not in lex.family_first):
            words = words[1:]
            if len(words) == 1:
                return None
        if strong or self._evidence(toks, start, end, words):
            return _Candidate(words, strong, start)
        return None

    def _plausible(self, words: list[str]) -> bool:
        lex = self.lex
        real = [w for w in words if w not in PARTICLES and not w.endswith(".")]
        if not real or len(real) > MAX_NAME_TOKENS:
            return False
        if any(w in lex.org_words or w in lex.place_words or w in lex.demonyms or w in lex.dates for w in words):
            return False
        first = words[0]
        if first in lex.places and first not in lex.given:
            return False
        if first not in lex.given and any(w in lex.places for w in words[1:]):
            return False
        if all(w in lex.common or w in lex.titles or w.lower() in lex.role_words for w in real):
            return False
        return True

    def _title_before(self, toks: list[_Tok], start: int) -> bool:
        """A role word just before the name ("spokeswoman Maria Zakharova", "counterpart, Wang Yi"),
        or a title joined by "of" ("Secretary of State George Shultz")."""
        k = start - 1
        if k >= 0 and toks[k].text == ",":
            k -= 1
        if k < 0:
            return False
        prev = toks[k].text
        if prev in self.lex.role_words or prev in self.lex.titles:
            return True
        if prev == "of" and k >= 2:
            return any(t.text in self.lex.titles for t in toks[max(0, k - 3):k])
        return False

    def _evidence(self, toks: list[_Tok], start: int, end: int, words: list[str]) -> bool:
        lex = self.lex
        first = words[0]
        if first in lex.given:
            return True
        if first in lex.family_first and len(words) <= 3:
            return True
        if any(w.endswith(".") and len(w) <= 4 for w in words[:-1]) and not words[-1].endswith("."):
            return True  # "James A. Baker", "T. Boone Pickens"
        if self._title_before(toks, start):
            return True
        nxt = toks[end] if end < len(toks) else None
        if nxt and nxt.kind == "word" and nxt.text in SAID_WORDS:
            return True
        prev = toks[start - 1] if start > 0 else None
        if prev and prev.kind == "word" and prev.text in SAID_WORDS:
            return True
        return self._apposition(toks, end)

    def _apposition(self, toks: list[_Tok], end: int) -> bool:
        """", 45," or ", chairman of ..." or ", the Fed's vice chairman," right after the name."""
        if end >= len(toks) or toks[end].text != ",":
            return False
        for tok in toks[end + 1:end + 7]:
            if tok.kind == "num":
                return tok is toks[end + 1]
            if tok.kind == "punct":
                return False
            if tok.text in self.lex.role_words or tok.text in self.lex.titles:
                return True
        return False


# --- pass 2: people and their mentions ---------------------------------------

@dataclass
class _Person:
    name: str
    first: int
    count: int = 0
    recognised: bool = False


@dataclass
class _People:
    tagger: PersonTagger
    people: dict = field(default_factory=dict)  # canonical name -> _Person
    keys: dict = field(default_factory=dict)  # key found in this story -> canonical name

    def _person(self, name: str, position: int) -> _Person:
        p = self.people.get(name)
        if p is None:
            p = self.people[name] = _Person(name, position)
        p.first = min(p.first, position)
        return p

    def add_candidates(self, candidates: list[_Candidate]) -> None:
        # Full names first, so that a surname anywhere in the story resolves to one.
        for cand in sorted(candidates, key=lambda c: (len(c.tokens) == 1, c.position)):
            name = self._resolve(cand.tokens)
            if name is None:
                continue
            self._person(name, cand.position).recognised = True
            self._register(cand.tokens, name)

    def _resolve(self, tokens: list[str]) -> str | None:
        aliases = self.tagger.aliases
        text = " ".join(tokens)
        key = name_key(text)
        if key in self.keys:
            return self.keys[key]
        if key in aliases:
            return aliases[key]
        if len(tokens) == 1:
            return text
        plain = tuple(p for t in tokens if not (t.endswith(".") and len(t) <= 4) for p in name_key(t))
        if plain in self.keys:
            return self.keys[plain]
        if plain in aliases:
            return aliases[plain]
        surname = _surname_keys(tokens, self.tagger.lex)
        for sk in surname:
            known = self.keys.get(sk) or aliases.get(sk)
            if known and _same_first_name(tokens[0], known):
                return known
        return text

    def _register(self, tokens: list[str], name: str) -> None:
        keys = [name_key(" ".join(tokens)), name_key(name)]
        if len(tokens) > 1:
            keys += _surname_keys(tokens, self.tagger.lex)
        for key in keys:
            if key and key not in self.keys:
                self.keys[key] = name

    def count_mentions(self, toks: list[_Tok], known_only: bool, offset: int) -> None:
        aliases, lex = self.tagger.aliases, self.tagger.lex
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            if tok.kind not in ("word", "init") or not (
                    known_only or tok.kind == "init" or _is_cap(tok.text) or tok.text in PARTICLES):
                i += 1
                continue
            matched = 0
            for size in range(min(MAX_ALIAS_TOKENS, n - i), 0, -1):
                span = toks[i:i + size]
                if any(t.kind not in ("word", "init") for t in span):
                    continue
                if any(t.possessive for t in span[:-1]):
                    continue
                if not known_only and not _is_cap(span[-1].text):
                    continue
                key = tuple(p for t in span for p in t.parts)
                name = self.keys.get(key) or aliases.get(key)
                if not name:
                    continue
                if size == 1 and known_only and fold(tok.text) in lex.not_names:
                    continue  # "MAJOR", "BOND" in a headline are words, not people
                if not known_only and not self._standalone(toks, i, i + size):
                    continue
                self._person(name, offset + i).count += 1
                matched = size
                break
            i += matched or 1

    def _standalone(self, toks: list[_Tok], start: int, end: int) -> bool:
        """A surname match must not be part of a longer capitalised name ("Howard Baker" is not "Baker")."""
        if end - start > 1:
            return True
        before = toks[start - 1] if start > 0 else None
        after = toks[end] if end < len(toks) else None
        lex = self.tagger.lex
        if (before and before.kind == "word" and _is_cap(before.text) and not before.possessive
                and before.text in lex.given):
            return False
        if after and after.kind == "word" and _is_cap(after.text) and not toks[end - 1].possessive \
                and (after.text in lex.given or after.text in lex.family_first):
            return False
        return True

    def ranked(self) -> list[str]:
        people = [p for p in self.people.values() if p.count or p.recognised]
        people.sort(key=lambda p: (-max(p.count, 1), p.first))
        return [p.name for p in people]


def _surname_keys(tokens: list[str], lex: _Lexicon) -> list[tuple]:
    """Keys a later short mention may use: the surname (with its particles), its last
    hyphen-joined part for "al-Assad", and the family name written first ("Wang" of "Wang Yi")."""
    words = [t for t in tokens if t not in SUFFIXES and not (t.endswith(".") and len(t) <= 4)]
    if not words:
        return []
    keys = []
    last = words[-1]
    keys.append(name_key(last))
    if fold(last).startswith(PARTICLE_PREFIXES):
        keys.append(name_key(last.split("-", 1)[1]))
    k = len(words) - 2
    while k > 0 and words[k] in PARTICLES:
        keys.append(name_key(" ".join(words[k:])))
        k -= 1
    if len(words) > 1 and words[0] in lex.family_first:
        keys.append(name_key(words[0]))
    return [k for k in keys if k]


def _same_first_name(first: str, canonical: str) -> bool:
    """"James" or "J." fits "James Baker"; "Howard" does not."""
    canon_first = name_key(canonical)[0]
    f = name_key(first)
    if not f:
        return False
    return f[0] == canon_first or (first.endswith(".") and canon_first.startswith(f[0]))
