"""Person tagger: the people a news story names, as canonical full names.

Two passes over a story:

1. Recognise. In mixed-case paragraphs, runs of capitalised words (with
   initials, particles such as "de" or "van", hyphens and apostrophes) are
   candidate names. Leading titles ("Russian Foreign Minister", "Mr") are
   stripped, runs holding organisation or place words are dropped, and a
   candidate is kept only when a cue says it is a person: a title or role word
   before it, a known given name or family name, a middle initial, "said"
   after it, an apposition (", chairman of ...", ", 45,"), or the authority list.
   A plausible name without a cue of its own is kept when it is listed with a
   person ("Hugh Jackman and Ewan McGregor") or when the story marks its surname
   alone as a person's ("Mr Wrenfield", "Mikoliunas, 20,").
2. Count. Every mention in the headline and body is matched, longest first,
   against the names found in pass 1 (full name, surname, family name written
   first) and then against the authority aliases. So a later "Lavrov" counts
   for "Sergey Lavrov", and "Putin" or an upper-case "VOLCKER" resolve through
   the authority list. Headlines and upper-case text are only matched, never
   searched for new names: their capitals say nothing about names.

A name that the story also uses for a company ("Morgan Stanley and Co",
"Taft Broadcasting <TFB>") is not taken for a person anywhere in that story.
Nor is a name the story uses as a firm, a work or a place ("shares of E.F.
Hutton", "an analyst at Smith Barney", "the film Vera Drake", "the Harry Potter
books", "Mike Leigh's Vera Drake", "Franz Ferdinand were", "at the Beverly
Hilton", in a story about music "Franz Ferdinand ... for their home-town gig"),
unless a title vouches for it somewhere ("Mr Hutton"): see _NameUse.
`PersonTagger.read()` returns those firms too, for the organisation tagger.

Data, all under searchapp/data/ and written from general knowledge:
persons.json (the authority list of {"name", "aliases"} entries, which
librarians may edit; the tagger uses whatever list it is given),
person_stopwords.json (titles, role, organisation, place, date and common
words, and the words around a name that say it is a firm, a work or a place),
person_given_names.json (given names, and family names written first) and
person_contexts.json (short names, such as "Bush", that stand for someone of the
authority list only in a story whose words support it).

`PersonTagger.canonical()` gives the authority name a source's value stands for
in a story ("reagan" -> Ronald Reagan), which ingest files source tags under.
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
CONTEXTS_FILE = DATA_DIR / "person_contexts.json"

MAX_ALIAS_TOKENS = 7
MAX_NAME_TOKENS = 5

# Lower-case words that may sit inside a name: "Jacques de Larosiere", "Osama bin Laden".
PARTICLES = frozenset("de da di du del della dos das do van von der den ter ten zu le la "
                      "al el bin ibn ben y".split())
# Prefixes joined to a capitalised name by a hyphen: "al-Assad", "el-Sisi".
PARTICLE_PREFIXES = ("al-", "el-", "ul-", "ad-", "as-", "ash-", "at-", "az-", "bin-", "ibn-", "abu-", "ben-")
SUFFIXES = frozenset("Jr Jnr Sr Snr II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI".split())
# Abbreviations whose full stop does not end a sentence.
NO_STOP = frozenset("Mr Mrs Ms Dr St Jr Sr Gen Sen Rep Gov Lt Col Capt Adm Sgt Cpl Maj Rev Prof Messrs Mme "
                    "Mlle Fr Hon Gens Sens Reps Cmdr Brig Supt Insp Det Pres Amb Msgr".split())
# Initials that spell an organisation or a place, not a person: "U.S.", "U.N.".
ABBREVIATIONS = frozenset("US USA UK UN EC EU EEC USSR DC NY LA SA NV AG PLC BV UAE GB PR TV AM PM "
                          "UAR ROK PRC DPRK NATO OPEC IMF UNESCO UNICEF BBC CNN ABC NBC CBS".split())
SAID_WORDS = frozenset("said says say told tells added adds noted notes stated argued insisted declared "
                       "explained warned replied wrote announced predicted commented asked urged".split())
END_PUNCT = frozenset(".!?;:")
# Role words that say a person may follow, but not that one does: "by Morgan Stanley".
NOT_VOUCHING = SAID_WORDS | frozenset("by according quoted of".split())
# "Smith Barney and Co", "Eli Lilly and Co": the name before these is a firm's.
COMPANY_SUFFIXES = frozenset("Co Cos Company Inc Corp Ltd Sons Partners Associates Brothers Bros "
                             "Plc PLC LLC".split())
# "Icahn-led", "Prize-winning": a name turned into an adjective, not a name.
HYPHEN_SUFFIXES = frozenset("led based owned backed controlled run born made style type sponsored winning "
                            "funded linked related listed registered bound speaking era dominated appointed "
                            "inspired allied held leaning".split())
SURNAME_HONORIFICS = frozenset("Mr Mrs Ms Miss Mme Madame Monsieur Herr Frau "
                               "Senor Señor Senora Señora".split())
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


def load_contexts(path=None) -> list[dict]:
    """Short names that need the story's support: [{"name", "alias", "context": [...]}, ...]."""
    with open(path or CONTEXTS_FILE, encoding="utf-8") as f:
        return [e for e in json.load(f) if "alias" in e]


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, for comparing names."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def name_key(text: str) -> tuple[str, ...]:
    """Comparable parts of a name: "Bashar al-Assad" -> ("bashar", "al", "assad"),
    "O'Neill" -> ("oneill",)."""
    return tuple(re.findall(r"[^\W_]+", fold(text).replace("'", "").replace("’", "")))


@dataclass(frozen=True)
class _Lexicon:
    titles: frozenset
    modifiers: frozenset
    ambiguous_titles: frozenset
    role_words: frozenset
    org_words: frozenset
    places: frozenset  # places and nationality words: "Chicago", "Australian"
    dates: frozenset
    never_in_name: frozenset  # organisation, place-cue, nationality and date words
    common: frozenset
    function_words: frozenset
    given: frozenset
    family_first: frozenset
    not_names: frozenset  # every stoplist word, folded: never a surname on its own in capitals
    place_heads: frozenset  # last words that make a name a place: "Stanley Park"
    firm_nouns: frozenset  # "shares of X", "X analyst": X is a firm
    firm_roles: frozenset  # "an analyst at X", "chairman of X": X is a firm
    work_nouns: frozenset  # "the X books", "X star": X is a work or a character
    work_kinds: frozenset  # "the film X", "the band X"
    firm_kinds: frozenset  # "investment bank X"
    place_nouns: frozenset  # "the X hotel": X is a place
    person_nouns: frozenset  # "the George Bush administration": "the" says nothing here
    firm_titles: frozenset  # "lead manager X", "financial adviser X"
    firm_verbs: frozenset  # "underwritten by X"
    firm_acts: frozenset  # "X co-managed the deal"
    work_roles: frozenset  # "her role in X"
    person_roles: frozenset  # ", chairman of": an apposition only a person takes
    surname_words: frozenset  # "Jones", "Hill": organisation or place words that are also surnames


# The context-cue lists of person_stopwords.json, each read as the _Lexicon field of its name.
CONTEXT_CUES = ("place_heads", "firm_nouns", "firm_roles", "work_nouns", "work_kinds",
                "firm_kinds", "place_nouns", "person_nouns", "firm_titles", "firm_verbs",
                "firm_acts", "work_roles", "person_roles", "surname_words")


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    stop = json.loads(STOPWORDS_FILE.read_text(encoding="utf-8"))
    names = json.loads(GIVEN_NAMES_FILE.read_text(encoding="utf-8"))
    lists = {k: frozenset(v) for k, v in stop.items() if isinstance(v, list)}
    stoplists = ("titles", "title_modifiers", "org_words", "place_words", "places", "demonyms",
                 "months", "weekdays", "common_words")
    not_names = frozenset(fold(w) for k in stoplists for w in lists[k])
    return _Lexicon(
        titles=lists["titles"] | lists["title_modifiers"],
        modifiers=lists["title_modifiers"],
        ambiguous_titles=lists["ambiguous_titles"],
        role_words=lists["role_words"],
        org_words=lists["org_words"],
        places=lists["places"] | lists["demonyms"],
        dates=lists["months"] | lists["weekdays"],
        never_in_name=(lists["org_words"] | lists["place_words"] | lists["demonyms"]
                       | lists["months"] | lists["weekdays"]),
        common=lists["common_words"],
        function_words=lists["function_words"],
        given=frozenset(names["given_names"]),
        family_first=frozenset(names["family_name_first"]) - frozenset(names["given_names"]),
        not_names=not_names,
        **{cue: lists[cue] for cue in CONTEXT_CUES},
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
        kind = m.lastgroup or ""
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
    if "-" in word:
        if word.rsplit("-", 1)[1] in HYPHEN_SUFFIXES:
            return False
        if fold(word).startswith(PARTICLE_PREFIXES):
            return word.split("-", 1)[1][:1].isupper()
    return word[:1].isupper() and (len(word) == 1 or not word.isupper() or word in SUFFIXES)


# --- pass 1: recognise ------------------------------------------------------

@dataclass
class _Candidate:
    tokens: list[str]
    position: int
    span_key: tuple = ()  # the whole capitalised run, to drop it if it turns out to be a company
    titled: bool = False  # a title or role word vouches for it: "Mr", "President", "analyst"
    sure: bool = True  # False: a plausible name that no cue of its own vouches for (see _promote)
    local: tuple = ()  # (start, end) in its paragraph's tokens


@dataclass
class Reading:
    """What one story's capitalised names are: its people (canonical names, most mentioned
    first), and the names it uses for firms (in the order first seen), which are not people."""
    people: list[str]
    firms: list[str]


class PersonTagger:
    def __init__(self, authority: list[dict] | None = None, contexts: list[dict] | None = None):
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
        # alias key -> [(canonical name, context phrases)]: resolved per story (see _supported)
        self.contextual: dict[tuple, list[tuple[str, list[str]]]] = {}
        known = {entry["name"] for entry in self.authority}
        for entry in load_contexts() if contexts is None else contexts:
            if entry["name"] in known:
                key = name_key(entry["alias"])
                self.aliases.pop(key, None)
                phrases = [" ".join(name_key(c)) for c in entry["context"]]
                self.contextual.setdefault(key, []).append((entry["name"], phrases))
        self.alias_heads = frozenset(key[0] for key in self.aliases)
        self._last: tuple[str, str, Reading] | None = None

    # public API

    def tag(self, title: str, body: str) -> list[str]:
        """Canonical full names of the people named, most mentioned first."""
        return self.read(title, body).people

    def read(self, title: str, body: str) -> Reading:
        """The story's people and the firms it names (the same story read twice in a row,
        by the person and the organisation taggers, is read once)."""
        if self._last is not None and self._last[0] == title and self._last[1] == body:
            return self._last[2]
        reading = self._read(title, body)
        self._last = (title, body, reading)
        return reading

    def _read(self, title: str, body: str) -> Reading:
        title, body = _straight_possessives(title or ""), _straight_possessives(body or "")
        # (tokens, known_only, position of the first token); headline words are never evidence
        sections = [(_tokenize(title), True, 0)]
        position = len(sections[0][0]) + 1
        for para in _paragraphs(body):
            toks = _tokenize(para)
            sections.append((toks, _is_upper(para), position))
            position += len(toks) + 1

        mixed = [toks for toks, known_only, _ in sections if not known_only]
        cued = self._cued_surnames(mixed)
        candidates: list[_Candidate] = []
        companies: dict[tuple, str] = {}
        for toks, known_only, offset in sections:
            if not known_only:
                candidates += self._recognise(toks, offset, companies, cued)
        # a name no cue vouched for is a person's when the story says so of its surname alone
        candidates = [c for c in candidates if c.sure or c.tokens[-1] in cued]
        use = _NameUse(self.lex, mixed, candidates)
        for cand in candidates:
            if cand.span_key not in companies and use.is_firm(cand):
                companies[cand.span_key] = " ".join(cand.tokens)
        people = _People(self, supported=self._supported(title, body))
        people.add_candidates([c for c in candidates if c.span_key not in companies
                               and not use.is_thing(c)])
        # Mixed-case text first: a lone surname in a headline only counts for someone already found.
        for toks, known_only, offset in sorted(sections, key=lambda s: s[1]):
            people.count_mentions(toks, known_only, offset)
        return Reading(people.ranked(), list(dict.fromkeys(v for v in companies.values() if v)))

    def _supported(self, title: str, body: str) -> dict[tuple, str]:
        """The short names this story's words resolve: "Bush" is George Bush in a story
        that names Vice President Bush or Reagan, and no one in a story that names neither."""
        if not self.contextual:
            return {}
        text = f" {' '.join(name_key(title + ' ' + body))} "
        found = {}
        for key, entries in self.contextual.items():
            fitting = [name for name, phrases in entries if any(f" {p} " in text for p in phrases)]
            if len(fitting) == 1:
                found[key] = fitting[0]
        return found

    def canonical(self, value: str, title: str = "", body: str = "") -> str:
        """The authority name a source's value stands for in this story: "Reagan" ->
        "Ronald Reagan", "Lyng" -> the story's "Richard Lyng", "George Schultz" -> "George
        Shultz"; the value itself when nothing supports one name."""
        key = name_key(value)
        if not key:
            return value
        in_story = [n for n in self.read(title, body).people
                    if key == name_key(n) or key in _surname_keys(n.split(), self.lex)]
        if len(set(in_story)) == 1:
            return in_story[0]
        if len(key) == 1 and len(in_story) > 1:
            return value  # two people of the story share the surname: the source does not say which
        return self.aliases.get(key) or self._supported(title, body).get(key) or value

    # recognition

    def _recognise(self, toks: list[_Tok], offset: int, companies: dict, cued: frozenset) -> list[_Candidate]:
        found = []
        for start, end in self._spans(toks):
            cand = self._classify(toks, start, end, companies, cued)
            if cand:
                cand.local = (cand.position, cand.position + len(cand.tokens))
                cand.titled = cand.titled or self._vouched(toks, cand.position) or (
                    cand.sure and self._person_apposition(toks, cand.local[1]))
                cand.position += offset
                cand.span_key = name_key(" ".join(t.text for t in toks[start:end]))
                found.append(cand)
        _coordinate(toks, found)
        return found

    def _cued_surnames(self, sections: list[list[_Tok]]) -> frozenset:
        """Lone capitalised words the story marks as a person's surname: "Mr Lanzone",
        "Mikoliunas, 20,", "Cabrera, director of public credit": a full name ending in one is
        a person's even when nothing next to the full name says so."""
        cued = set()
        for toks in sections:
            for i, tok in enumerate(toks):
                if tok.kind != "word" or not _is_cap(tok.text) or (
                        fold(tok.text) in self.lex.not_names and tok.text not in self.lex.surname_words):
                    continue
                prev = toks[i - 1] if i else None
                lone = prev is None or prev.kind == "punct" or not _is_cap(prev.text)
                if (prev is not None and prev.text in SURNAME_HONORIFICS) or (
                        lone and self._person_apposition(toks, i + 1)):
                    cued.add(tok.text)
        return frozenset(cued)

    def _person_apposition(self, toks: list[_Tok], end: int) -> bool:
        """", 45," or ", chairman of ..." or ", a spokesman for": after the name, what only
        a person is. Not ", lead manager" or ", financial adviser", which firms are too."""
        if end >= len(toks) or toks[end].text != ",":
            return False
        after = toks[end + 1:end + 7]
        if after and _is_age(after[0]) and len(after) > 1 and after[1].text in (",", ")"):
            return True
        for tok in after:
            if tok.kind in ("punct", "num") or tok.text in self.lex.firm_titles:
                return False
            if tok.text in COMPANY_SUFFIXES and not tok.possessive:
                return False  # "Smith Barney, Harris Upham and Co analyst": the firm's partners
            if tok.text in self.lex.person_roles:
                return True
        return False

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
                        t.text in self.lex.function_words
                        or (t.sentence_start and t.text in self.lex.common))):
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

    def _company_name(self, toks: list[_Tok], end: int, words: list[str]) -> tuple[str, str] | None:
        """(name part, firm) of a company, body or place: "Morgan Stanley" in "Morgan Stanley
        Group Inc", "Morgan Stanley and Co", "Taft Broadcasting <TFB>", "Stanley Park". The
        story's other mentions of that name are then not taken for a person. `firm` is the
        name to report as a firm when only the context says so ("Smith Barney and Co"); names
        with an organisation word in them are left to the organisation tagger ("")."""
        for k, word in enumerate(words):
            if word in self.lex.org_words:
                return " ".join(words[:k]), ""
        if len(words) > 1 and words[-1] in self.lex.place_heads:
            return " ".join(words[:-1]), ""  # "Stanley Park": a place
        nxt = toks[end].text if end < len(toks) else ""
        if nxt == "<" or (nxt in ("and", "&") and end + 1 < len(toks)
                          and toks[end + 1].text in COMPANY_SUFFIXES):
            return " ".join(words), " ".join(words)
        return None

    def _classify(self, toks: list[_Tok], start: int, end: int, companies: dict,
                  cued_surnames: frozenset = frozenset()) -> _Candidate | None:
        """The person named by the capitalised run toks[start:end], if any cue says it is one."""
        lex = self.lex
        words = [t.text for t in toks[start:end]]
        span_start = start
        sentence_start = toks[start].sentence_start
        # Leading function words and dates cannot be names: "However", "Monday".
        while words and (words[0] in lex.common or words[0] in lex.dates):
            words.pop(0)
            start += 1
            sentence_start = False
        # The authority may hold the name with its title ("King Hussein", "Sheikh Yamani").
        for k in range(len(words)):
            if (k == 0 or words[k - 1] in lex.titles) and len(words) - k <= MAX_ALIAS_TOKENS \
                    and name_key(" ".join(words[k:])) in self.aliases:
                return _Candidate(words[k:], start + k, titled=k > 0)
        # Everything up to the last title is description: "Russian Foreign Minister | Sergey Lavrov".
        cued = strong = False
        for k in range(len(words) - 2, -1, -1):
            # a title word right after a given name or initial is a surname: "Mervyn King"
            after_given = k > 0 and (words[k - 1] in lex.given or words[k - 1].endswith("."))
            if words[k] in lex.titles and not after_given:
                # "Former WorldCom", "General Dynamics": such titles vouch for a full name only
                cued = True
                strong = words[k] not in lex.modifiers and (
                    words[k] not in lex.ambiguous_titles or len(words) - k > 2)
                words = words[k + 1:]
                start += k + 1
                sentence_start = False
                break
        # "Australian Lynton Crosby": a nationality or place before a name describes it.
        while len(words) > 1 and words[0] in lex.places and words[0] not in lex.given:
            words = words[1:]
            start += 1
            sentence_start = False
        # "Secretary of State George Shultz", "Secretary of Trade and Industry Jose Concepcion":
        # skip descriptive words up to a given name.
        if len(words) > 2 and words[0] not in lex.given and words[0] not in lex.family_first:
            for k in range(1, len(words) - 1):
                if words[k] in lex.given:
                    words = words[k:]
                    start += k
                    sentence_start = False
                    break
        if not words:
            return None
        surname_word = self._surname_word(toks, start, end, words, strong, cued_surnames)
        company = None if surname_word else self._company_name(toks, end, words)
        if company is not None:
            companies.setdefault(name_key(company[0]), company[1])
            return None
        if len(words) > 1 and toks[end - 1].possessive and words[-1] in lex.places:
            words = words[:-1]  # "Secretary of State George Shultz China's recent troubles"
        if not words or not self._plausible(words, surname_word):
            return None
        if name_key(" ".join(words)) in self.aliases:
            return _Candidate(words, start, titled=strong)
        if len(words) == 1:
            # A lone given name ("his wife, Nancy", "Sheikh Ali") is not a name we can file.
            honorific = start > 0 and toks[start - 1].text in SURNAME_HONORIFICS
            if strong and (words[0] not in lex.given or honorific):
                return _Candidate(words, start, titled=True)
            return None
        # A sentence-initial capital that is neither a known name nor cued is an ordinary word,
        # unless an apposition only a person takes follows: "Saumil Nanavati, president of Sydus".
        if sentence_start and words[0] not in lex.given and words[0] not in lex.family_first \
                and not (len(words) == 2 and self._person_apposition(toks, end)):
            words = words[1:]
            start += 1
            if len(words) == 1:
                return None
            sentence_start = False
        if cued or self._evidence(toks, span_start, start, end, words):
            return _Candidate(words, start, titled=strong)
        if sentence_start:
            return None
        # Plausible but unvouched: kept aside for _coordinate and the story's cued surnames.
        return _Candidate(words, start, sure=False)

    def _surname_word(self, toks: list[_Tok], start: int, end: int, words: list[str], strong: bool,
                      cued: frozenset) -> bool:
        """A surname that is also an organisation or place word ("Jack Law", "Stephen Jones",
        "Mr Law"), vouched for by a title or role word before it (not "said": "said William
        Hill spokesman"), an apposition only a person takes, or a "Mr Law" elsewhere in the story."""
        lex = self.lex
        if words[-1] not in lex.surname_words:
            return False
        if len(words) == 1:
            return start > 0 and toks[start - 1].text in SURNAME_HONORIFICS
        if not (len(words) <= 3 and words[0] in lex.given
                and not any(w in lex.never_in_name for w in words[:-1])):
            return False
        return (strong or self._vouched(toks, start) or self._person_apposition(toks, end)
                or words[-1] in cued)

    def _plausible(self, words: list[str], surname_word: bool = False) -> bool:
        lex = self.lex
        real = [w for w in words if w not in PARTICLES and not w.endswith(".")]
        if not real or len(real) > MAX_NAME_TOKENS:
            return False
        blocked = [w for w in words if w in lex.never_in_name and not (surname_word and w is words[-1])]
        # ... except a month as a surname after a given name: "Theresa May"
        month_surname = (len(words) > 1 and blocked == [words[-1]] and words[-1] in lex.dates
                         and words[-2] in lex.given)
        if blocked and not month_surname:
            return False
        # "Michael Jordan" and "Lloyd Austin" are people, "Hong Kong" and "Santa Barbara" are not
        if words[0] not in lex.given and any(w in lex.places for w in words):
            return False
        if all(w in lex.common or w in lex.titles or w.lower() in lex.role_words for w in real):
            return False
        if len(words) > 1 and all(w in SUFFIXES for w in words[1:]):
            return False  # "Mark IV" is a company; "Elizabeth II" comes from the authority
        if words[0].endswith(".") and len(words[-1]) <= 2:
            return False  # "W. Va" is West Virginia
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
        if prev.endswith("s") and (prev[:-1] in self.lex.role_words or (
                prev.endswith("es") and prev[:-2] in self.lex.role_words)):
            return True  # "actresses Cate Blanchett and Helena Bonham-Carter"
        if prev == "of" and k >= 2:
            return any(t.text in self.lex.titles for t in toks[max(0, k - 3):k])
        return False

    def _vouched(self, toks: list[_Tok], start: int) -> bool:
        """A title or a role noun just before the name ("spokeswoman Maria Zakharova"); not
        "by" or "said", which name firms as often."""
        k = start - 1 if start > 0 and toks[start - 1].text != "," else start - 2
        if k < 0 or toks[k].text in NOT_VOUCHING or (k > 0 and toks[k - 1].text in self.lex.firm_titles):
            return False  # "by Morgan Stanley", "lead manager Morgan Stanley"
        return self._title_before(toks, start)

    def _evidence(self, toks: list[_Tok], span_start: int, start: int, end: int, words: list[str]) -> bool:
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
        prev = toks[span_start - 1] if span_start > 0 else None
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


# --- how the story uses a name ----------------------------------------------

FIRM_PREPOSITIONS = frozenset("at with from of for".split())
ARTICLES = frozenset("the The a A an An".split())  # a person takes none: "the Beverly Hilton"
ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth next latest last"
                     .split())
OF_PREPOSITIONS = frozenset("of in for".split())  # "shares of X", "a stake in X", "a bid for X"
LIST_WORDS = frozenset("and or nor & ,".split())
PLURAL_VERBS = frozenset("were are have".split())  # "Franz Ferdinand were": a band
GROUP_WORDS = frozenset("band bands".split())
# A story about music ("album", "gig", "tour"): a name in it may be a band's, named like a person.
MUSIC_WORDS = frozenset("band bands album albums single singles gig gigs tour tours concert concerts".split())
MUSIC_GROUPS = frozenset("band bands group groups".split())
MUSIC_CORE = frozenset("band bands album albums singles gig gigs".split())  # not "a single day"
MUSIC_WORKS = frozenset("album albums single singles tour gig gigs debut songs record records".split())
SINGULAR_PRONOUNS = frozenset("he his him himself she her herself".split())
PLURAL_PRONOUNS = frozenset("they their them themselves".split())


class _NameUse:
    """How a story uses each recognised name, read from the words around all its mentions.

    A person takes no article and does not sell shares: a name after "the" ("the Beverly
    Hilton", "the Harry Potter books"), after "shares of", "an analyst at" or a person's
    possessive ("Mike Leigh's Vera Drake"), before "shares", "analyst", "film" or a plural verb,
    is a firm, a work or a place. A title or role word anywhere in the story ("Mr", "President",
    ", chairman of") vouches for a person and outweighs all of these."""

    def __init__(self, lex: _Lexicon, sections: list[list[_Tok]], candidates: list[_Candidate]):
        self.lex = lex
        self.sections = sections
        self.titled = {name_key(" ".join(c.tokens)) for c in candidates if c.titled}
        self.surnames = {c.tokens[-1] for c in candidates}
        self.starts: dict[str, list[tuple[list[_Tok], int]]] | None = None
        self.firm_score: dict[tuple, float] = {}
        self.thing_score: dict[tuple, float] = {}
        self.music = _about_music(sections)
        for key in {name_key(" ".join(c.tokens)) for c in candidates} - self.titled:
            self._score(key)

    def is_firm(self, cand: _Candidate) -> bool:
        key = name_key(" ".join(cand.tokens))
        return self.firm_score.get(key, 0) >= 1 and self.firm_score[key] >= self.thing_score[key]

    def is_thing(self, cand: _Candidate) -> bool:
        """A firm, a work, a character or a place."""
        key = name_key(" ".join(cand.tokens))
        return self.firm_score.get(key, 0) + self.thing_score.get(key, 0) >= 1

    def _score(self, key: tuple) -> None:
        firm = thing = band = 0.0
        singular = False
        for toks, start, end in self._occurrences(key):
            f, t = self._firm_cue(toks, start, end), self._thing_cue(toks, start, end)
            firm, thing = firm + f, thing + t
            if self.music:
                b, s = self._band_cue(toks, start, end)
                band, singular = band + b, singular or s
        # "he" or "his" after the name anywhere in the story outweighs every band sign
        self.firm_score[key], self.thing_score[key] = firm, thing + (0 if singular else band)

    def _band_cue(self, toks: list[_Tok], start: int, end: int) -> tuple[float, bool]:
        """(how much this mention in a story about music says the name is a band's, whether
        it says it is one person's): "Franz Ferdinand won best British group. Their album
        ..." is a band, "Pete Doherty ... his band's guitarist" a person."""
        pronoun = self._next_pronoun(toks, start, end)
        if pronoun == "singular":
            return 0, True
        listed = len(_list_members(toks, start, end)) > 1
        # in a story about music, "their" after a name alone says band: "for their home-town gig"
        score = 1.0 if pronoun == "plural" and not listed else 0.0
        if self._best_group(toks, end):
            score += 1  # "X picked up best international band", "X won best British group"
        elif listed and self._listed_things(toks, start, end) and _in_sentence(toks, start, end, GROUP_WORDS):
            score += 0.5  # with _thing_cue's half: "X and The White Stripes, the two best bands"
        if toks[end - 1].possessive and any(t.text in MUSIC_WORKS for t in toks[end:end + 3]):
            score += 0.5  # "Franz Ferdinand's self-titled album"
        return score, False

    def _best_group(self, toks: list[_Tok], end: int) -> bool:
        """The name's clause gives it a prize for the best band: "won best rock act and best
        British group". A singer wins best male, best female or best act, never best group."""
        for i, tok in enumerate(toks[end:end + 12], start=end):
            if tok.text in END_PUNCT or tok.text == "," or tok.text in self.lex.given:
                return False  # the clause ends, or names someone else
            if tok.text == "best" and any(t.text in MUSIC_GROUPS for t in toks[i + 1:i + 4]):
                return True
        return False

    def _next_pronoun(self, toks: list[_Tok], start: int, end: int) -> str | None:
        """"singular" or "plural": what the name's own clause says of it ("X was", "X, who
        was", "X earned a place for their home-town gig", "X won. Their album ..."): the
        first personal pronoun up to a comma, or first in the next sentence."""
        after = [t.text for t in toks[end:end + 3]]
        if after[:1] in (["was"], ["is"], ["has"]) or (after[:2] == [",", "who"] and after[2:] in (
                ["was"], ["is"], ["has"])):
            return "singular"
        # "Glasgow's Franz Ferdinand won ... . Their album": a "they" next refers to the subject
        subject = start == 0 or toks[start].sentence_start or (toks[start - 1].possessive and (
            start == 1 or toks[start - 1].sentence_start))
        sentence_ended = False
        for tok in toks[end:end + 25]:
            word = tok.text.lower() if tok.sentence_start else tok.text
            if word in SINGULAR_PRONOUNS:
                return "singular"
            if word in PLURAL_PRONOUNS:
                return "plural" if subject else None
            if sentence_ended and (tok.kind == "word" or not subject):
                return None  # the next sentence did not start with one, or the name was no subject
            if tok.text in END_PUNCT:
                sentence_ended = True
            elif not sentence_ended and (tok.text in (",", "that") or tok.text in SAID_WORDS or (
                    tok.kind == "word" and (tok.text in self.lex.given or tok.text in self.surnames))):
                return None  # the clause ends, or names someone else: the pronoun may be theirs
        return None

    def _occurrences(self, key: tuple):
        """(tokens, start, end) of each run of tokens whose name parts spell `key`; the
        story's words are indexed by their first part once, so a long story stays fast."""
        if self.starts is None:
            self.starts = {}
            for toks in self.sections:
                for i, tok in enumerate(toks):
                    if tok.parts and tok.kind in ("word", "init"):
                        self.starts.setdefault(tok.parts[0], []).append((toks, i))
        for toks, i in self.starts.get(key[0], ()):
            parts: tuple = ()
            j = i
            while j < len(toks) and len(parts) < len(key) and toks[j].kind in ("word", "init"):
                parts += toks[j].parts
                j += 1
            if parts == key:
                yield toks, i, j

    def _firm_cue(self, toks: list[_Tok], start: int, end: int) -> float:
        lex = self.lex
        before = [t.text.lower() for t in toks[max(0, start - 3):start]]
        after = toks[end].text if end < len(toks) else ""
        if (after in lex.firm_nouns or after in lex.firm_acts) and not toks[end - 1].possessive:
            return 1  # "E.F. Hutton analyst", "Morgan Stanley shares", "X co-managed the deal"
        if before and before[-1] in lex.firm_kinds and toks[start - 1].text.islower():
            return 1  # "investment bank Morgan Stanley"
        if len(before) >= 2 and before[-1] in FIRM_PREPOSITIONS and before[-2] in lex.firm_roles:
            return 1  # "an analyst at Smith Barney", "chairman of Morgan Stanley"
        if len(before) >= 2 and before[-1] in OF_PREPOSITIONS and before[-2] in lex.firm_nouns:
            return 1  # "shares of L.F. Rothschild", "a stake in E.F. Hutton"
        if len(before) >= 2 and before[-1] == "by" and (before[-2] in lex.firm_verbs or (
                len(before) == 3 and before[-2].endswith("ly") and before[-3] in lex.firm_verbs)):
            return 1  # "underwritten (solely) by Morgan Stanley"
        if start > 1 and before[-1] in ("at", "of") and toks[start - 2].text in self.surnames:
            return 1  # "said Scott Merlis at Morgan Stanley": a person works at a firm
        if any(self._firm_like(toks, m) for m in _list_members(toks, start, end) if m[0] != start):
            return 1  # "Merrill Lynch and Morgan Stanley", "Morgan Stanley, Goldman Sachs and ..."
        if len(before) >= 2 and before[-1] in ("manager", "managers", "adviser", "advisor") \
                and before[-2] in lex.firm_titles | {"financial"}:
            return 1  # "lead manager Morgan Stanley", "financial adviser Smith Barney"
        if self._company_follows(toks, end):
            return 1  # "Smith Barney, Harris Upham and Co Inc", "E.F. Hutton LBO Inc"
        if after == "said" and end + 3 < len(toks) and [t.text for t in toks[end + 1:end + 4]] == [
                "in", "a", "statement"]:
            return 0.5  # people say things in statements too, firms mostly so
        return 0

    def _company_follows(self, toks: list[_Tok], end: int) -> bool:
        """Capitalised words, commas and "and" after the name, up to a legal form ("Inc", "Co"):
        the name is the first of a firm's partners. A possessive ("John Smith, Exxon Corp's
        president") makes it an apposition instead."""
        for tok in toks[end:end + 8]:
            if tok.text in COMPANY_SUFFIXES:
                return not tok.possessive and tok is not toks[end]
            if tok.possessive or not (tok.text in (",", "and", "&", "(", ")") or tok.kind == "init"
                                      or (tok.kind == "word" and tok.text[:1].isupper())):
                return False
        return False

    def _thing_cue(self, toks: list[_Tok], start: int, end: int) -> float:
        lex = self.lex
        prev = toks[start - 1] if start > 0 else None
        after = toks[end].text if end < len(toks) else ""
        if after in lex.work_nouns or after in lex.place_nouns:
            return 1  # "the Harry Potter books", "Vera Drake star", "the Beverly Hilton hotel"
        prev_text = toks[start - 1].text if start > 0 else ""
        listed = prev_text in LIST_WORDS or (start > 1 and toks[start - 2].text in LIST_WORDS)
        if after in PLURAL_VERBS:
            return 0 if listed else 1  # "Franz Ferdinand were": a band
        if after == "," and [t.text for t in toks[end + 1:end + 2]] == ["who"] \
                and end + 2 < len(toks) and toks[end + 2].text in PLURAL_VERBS:
            return 0.5 if listed else 1  # "Franz Ferdinand, who were shortlisted"
        if self._title_follows(toks, end):
            return 1  # "Harry Potter and the Prisoner of Azkaban"
        if _in_sentence(toks, start, end, GROUP_WORDS):
            return 0.5  # "Franz Ferdinand picked up best international band": half a sign
        things = self._listed_things(toks, start, end)
        if things:
            return 1 if things > 1 else 0.5  # "Scissor Sisters, Franz Ferdinand and The Libertines"
        if prev is None:
            return 0
        if prev.text in lex.work_kinds:
            return 1  # "the film Vera Drake", "the musical Mary Poppins"
        before_prev = toks[start - 2] if start > 1 else None
        if before_prev and prev.text == "in" and before_prev.text in lex.work_roles:
            return 1  # "her role in Vera Drake"
        if before_prev and prev.text in ORDINALS and before_prev.text in ("the", "The"):
            return 1  # "the sixth Harry Potter", "the next James Bond"
        if prev.text in ARTICLES and after not in lex.person_nouns and not toks[end - 1].possessive:
            return 1  # "at the Beverly Hilton", "Girl with a Pearl Earring", "in A Very Long Engagement"
        if prev.possessive and prev.text in self.surnames:
            return 1  # "Mike Leigh's Vera Drake"
        return 0


    def _listed_things(self, toks: list[_Tok], start: int, end: int) -> int:
        """How many names that are no person's stand in a list ("A, B and C") with the name:
        names led by "The" ("The Libertines"), and lone words that are neither given names nor
        the surnames of people the story names ("Keane", "Razorlight")."""
        members = _list_members(toks, start, end)
        return sum(self._thing_like(toks, m) for m in members if m[0] != start)

    def _firm_like(self, toks: list[_Tok], member: tuple[int, int]) -> bool:
        """A name in the list that holds an organisation word or a legal form ("Merrill Lynch
        and Co", "Shearson Lehman")."""
        words = [t.text for t in toks[member[0]:member[1]]]
        return any(w in self.lex.org_words or w in COMPANY_SUFFIXES for w in words)

    def _thing_like(self, toks: list[_Tok], member: tuple[int, int]) -> bool:
        start, end = member
        words = [t.text for t in toks[start:end]]
        lex = self.lex
        if words[0] == "The" and len(words) > 1:
            return words[1] not in lex.titles
        if len(words) != 1 or toks[start].kind != "word":
            return False
        word = words[0]
        return not (word in lex.given or word in self.surnames or word in lex.places
                    or word in lex.titles or word in lex.common or word in lex.not_names)

    def _title_follows(self, toks: list[_Tok], end: int) -> bool:
        """"and the" and a capitalised word that is no title, body or place: the name begins
        the title of a work ("Harry Potter and the Half-Blood Prince")."""
        if [t.text for t in toks[end:end + 2]] != ["and", "the"] or end + 2 >= len(toks):
            return False
        word = toks[end + 2].text
        lex = self.lex
        return word[:1].isupper() and not (word in lex.titles or word in lex.never_in_name
                                           or word in lex.places or word in lex.common)


def _is_age(tok: _Tok) -> bool:
    return tok.kind == "num" and tok.text.isdigit() and 15 <= int(tok.text) <= 110


def _coordinate(toks: list[_Tok], found: list[_Candidate]) -> None:
    """A plausible name joined by "and" or a comma to a person's name is a person's too:
    "Hugh Jackman and Ewan McGregor", "starring Sidney Poitier and Ruby Dee"."""
    sure = [c.local[0] for c in found if c.sure]
    for cand in found:
        if not cand.sure:
            members = _list_members(toks, *cand.local)[1:]
            cand.sure = any(s <= p < e for s, e in members for p in sure)


def _list_members(toks: list[_Tok], start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each capitalised name in the list around toks[start:end], the names
    joined by commas and "and" ("Keane, Franz Ferdinand, Razorlight and Joss Stone")."""
    def name_at(i: int, step: int) -> tuple[int, int] | None:
        j = i
        while 0 <= j < len(toks) and toks[j].kind in ("word", "init") and toks[j].text[:1].isupper():
            j += step
        return (min(i, j - step), max(i, j - step) + 1) if j != i else None

    members = [(start, end)]
    joined = False  # by an "and": "A, B and C" is a list, "A, B's president" an apposition
    for step, edge in ((-1, start - 1), (1, end)):
        i = edge
        while 0 <= i < len(toks) and len(members) < 12 and toks[i].text in (",", "and"):
            found = name_at(i + step, step)
            if found is None or toks[found[1] - 1].possessive:
                break
            joined = joined or toks[i].text == "and"
            members.append(found)
            i = (found[0] - 1) if step < 0 else found[1]
    return members if joined else members[:1]


def _about_music(sections: list[list[_Tok]]) -> bool:
    """Whether the story is about music: two of "band", "album", "gig", "tour" ...,
    one of them no word of other news ("tour" and "single" are)."""
    words = [t.text for toks in sections for t in toks if t.text in MUSIC_WORDS]
    return len(words) >= 2 and any(w in MUSIC_CORE for w in words)


def _in_sentence(toks: list[_Tok], start: int, end: int, words: frozenset) -> bool:
    """Whether the sentence around toks[start:end] holds one of `words`."""
    i = start
    while i > 0 and toks[i - 1].text not in END_PUNCT:
        i -= 1
        if toks[i].text in words:
            return True
    for tok in toks[end:]:
        if tok.text in END_PUNCT:
            return False
        if tok.text in words:
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
    supported: dict = field(default_factory=dict)  # short names the story's words resolve
    heads: frozenset = frozenset()  # first parts of all keys, to skip most words quickly

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
            self._person(name, cand.position).recognised = True
            self._register(cand.tokens, name)
        self.heads = self.tagger.alias_heads | {key[0] for key in [*self.keys, *self.supported]}

    def _resolve(self, tokens: list[str]) -> str:
        """The canonical name for a recognised name: a person already named in the story,
        an authority entry, or the name as written."""
        aliases = self.tagger.aliases
        text = " ".join(tokens)
        key = name_key(text)
        if key in self.keys:
            return self.keys[key]
        if key in aliases:
            return aliases[key]
        if len(tokens) == 1:
            return self.supported.get(key, text)
        plain = tuple(p for t in tokens if not (t.endswith(".") and len(t) <= 4) for p in name_key(t))
        if plain in self.keys:
            return self.keys[plain]
        if plain in aliases:
            return aliases[plain]
        for sk in _surname_keys(tokens, self.tagger.lex):
            known = self.keys.get(sk) or aliases.get(sk)
            if known and _same_first_name(tokens[0], known):
                return known
        return text

    def _register(self, tokens: list[str], name: str) -> None:
        """Remember the short forms by which the story may mention this person again."""
        keys = [name_key(" ".join(tokens)), name_key(name)]
        if len(tokens) > 1:
            # every tail of the name: "Bra Kanon" and "Kanon" both mean "Denis Bra Kanon"
            core = name_key(" ".join(t for t in tokens if t not in SUFFIXES))
            keys += [core[k:] for k in range(1, len(core))]
            keys += _surname_keys(tokens, self.tagger.lex)
        for key in keys:
            if key and key not in self.keys:
                self.keys[key] = name

    def count_mentions(self, toks: list[_Tok], known_only: bool, offset: int) -> None:
        """Count each mention of a known name in toks, longest match first."""
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            if tok.kind not in ("word", "init") or not tok.parts or tok.parts[0] not in self.heads or not (
                    known_only or tok.kind == "init" or _is_cap(tok.text) or tok.text in PARTICLES):
                i += 1
                continue
            # the longest run of name tokens from here that a possessive does not cut
            run = 1
            while (run < MAX_ALIAS_TOKENS and i + run < n and not toks[i + run - 1].possessive
                   and toks[i + run].kind in ("word", "init")):
                run += 1
            matched = 0
            for size in range(run, 0, -1):
                key = tuple(p for t in toks[i:i + size] for p in t.parts)
                name = self.keys.get(key) or self.tagger.aliases.get(key) or self.supported.get(key)
                if name and self._is_mention(toks, i, i + size, name, known_only):
                    self._person(name, offset + i).count += 1
                    matched = size
                    break
            i += matched or 1

    def _is_mention(self, toks: list[_Tok], start: int, end: int, name: str, known_only: bool) -> bool:
        if known_only:
            if end - start > 1:
                return True
            # a lone "HOLDER" or "MAJOR" in a headline is a word unless the story names that person
            return name in self.people and fold(toks[start].text) not in self.tagger.lex.not_names
        if not _is_cap(toks[end - 1].text):
            return False
        if end < len(toks) and toks[end].text in self.tagger.lex.org_words and not toks[end - 1].possessive:
            return False  # "the Bill Gates Foundation" names a foundation
        if end - start == 1 and fold(toks[start].text) in self.tagger.lex.not_names:
            # "May" is Theresa May after "Mrs", a month otherwise
            return start > 0 and toks[start - 1].text in self.tagger.lex.titles
        return self._standalone(toks, start, end)

    def _standalone(self, toks: list[_Tok], start: int, end: int) -> bool:
        """A lone surname must not be part of a longer capitalised name: "Baker" in "Howard Baker",
        "Swift" in "Swift Energy Co". Titles, honorifics and sentence words may stand before it."""
        if end - start > 1:
            return True
        lex = self.tagger.lex
        before = toks[start - 1] if start > 0 else None
        after = toks[end] if end < len(toks) else None
        if (after and after.kind == "word" and _is_cap(after.text) and not toks[start].possessive
                and after.text not in lex.function_words and after.text not in lex.common):
            return False
        if (before and before.kind in ("word", "init") and not before.possessive
                and (before.kind == "init" or _is_cap(before.text))
                and before.text not in lex.titles and before.text not in lex.common
                and before.text not in lex.function_words and before.text not in lex.dates):
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
