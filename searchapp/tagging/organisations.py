"""Organisation tagger: the companies, banks, agencies, parties and bodies a story names.

Three sources, all read from the story's own text:

1. The shipped list of well-known bodies (data/organisations.json, "bodies": OPEC, the
   Bundesbank, the Federal Reserve, the IMF ... with their aliases), matched longest first.
   An alias written in capitals ("EC", "WHO") matches only those capitals, and only in
   mixed-case text, where capitals mean something: "WHO" in an upper-case headline is a word.
2. Capitalised names holding an organisation word ("heads": Bank, Ministry, Airlines) or
   ending in a legal form ("suffixes": Inc, Corp, Co, Ltd), cut before a title ("Federal
   Reserve Board | Chairman Paul Volcker") and shown without the legal form ("Morgan Stanley
   Group Inc" -> "Morgan Stanley Group"). A name of heads and generic words alone ("Foreign
   Ministry", "Central Bank") does not say which organisation it is and is left out.
3. The names the person tagger found the story using as firms ("shares of E.F. Hutton",
   "an analyst at Smith Barney"): see persons._NameUse.

Upper-case paragraphs and headlines are only matched against organisations already found in
the story's mixed-case text, as for people. Values are canonical names, most mentioned first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .persons import PersonTagger, fold

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "organisations.json"
MAX_ALIAS_WORDS = 10
# Lower-case words that may sit inside an organisation's name.
CONNECTORS = frozenset("of for and & de du des la le del di der für on the".split())

_WORD_RE = re.compile(r"[^\W_]+(?:[.'’&-][^\W_]+)*\.?|&|[^\w\s]")
_PARA_RE = re.compile(r"\n[ \t]*\n|\n(?=[ \t])")


def load_bodies(path=None) -> list[dict]:
    """The shipped list of well-known bodies: [{"name": canonical, "aliases": [...]}, ...]."""
    return _data(str(path or DATA_FILE))["bodies"]


@lru_cache(maxsize=4)
def _data(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _key(words) -> tuple[str, ...]:
    return tuple(fold(w).rstrip(".") for w in words)


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return len(alias.split()) == 1 and all(c.isupper() for c in letters) and len(letters) <= 6


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


@dataclass
class _Found:
    name: str
    first: int
    count: int = 0


class OrganisationTagger:
    def __init__(self, names: list[dict] | None = None, persons: PersonTagger | None = None):
        data = _data(str(DATA_FILE))
        self.heads = frozenset(data["heads"])
        self.suffixes = frozenset(data["suffixes"])
        self.generic = frozenset(data["generic"])
        self.persons = persons or PersonTagger()
        self.titles = self.persons.lex.titles
        self.common = self.persons.lex.common | self.persons.lex.function_words
        self.aliases: dict[tuple, str] = {}  # folded words -> canonical name
        self.exact: dict[tuple, str] = {}  # acronyms, compared as written
        for entry in load_bodies() if names is None else names:
            for alias in [entry["name"], *entry.get("aliases", [])]:
                target = self.exact if _is_acronym(alias) else self.aliases
                target[tuple(alias.split()) if target is self.exact else _key(alias.split())] = entry["name"]

    def tag(self, title: str, body: str) -> list[str]:
        """Canonical names of the organisations the story names, most mentioned first."""
        found: dict[str, _Found] = {}
        position = 0
        paragraphs = [p for p in _PARA_RE.split(body or "") if p.strip()]
        sections = [(title or "", True)] + [(p, _is_upper(p)) for p in paragraphs]
        for firm in self.persons.read(title, body).firms:
            self._add(found, self.canonical(firm.split()), position)
        # Mixed-case text first, so that headlines and capitals only count what it found.
        for text, upper in sorted(sections, key=lambda s: s[1]):
            words = _WORD_RE.findall(text)
            for name, at in self._names(words, known=set(found) if upper else None):
                self._add(found, name, position + at)
            position += len(words) + 1
        ranked = sorted(found.values(), key=lambda f: (-f.count, f.first))
        return [f.name for f in ranked]

    def canonical(self, words: list[str]) -> str:
        """The name shown for an organisation written `words`: the list's name for a known
        body, else the words without a leading "The" and trailing legal forms."""
        words = list(words)
        while words and (words[0] in ("The", "the") or words[0] in CONNECTORS):
            words.pop(0)
        while len(words) > 1 and (words[-1].rstrip(".") in self.suffixes or words[-1] in CONNECTORS
                                  or words[-1] == ","):
            words.pop()
        known = self.aliases.get(_key(words)) or self.exact.get(tuple(words))
        return known or " ".join(words)

    # -- reading ---------------------------------------------------------------------

    def _add(self, found: dict, name: str, position: int) -> None:
        entry = found.setdefault(name, _Found(name, position))
        entry.count += 1

    def _names(self, words: list[str], known: set[str] | None):
        """(canonical name, position) of each organisation named in `words`. `known`: only
        these names count (a headline or an upper-case paragraph)."""
        i = 0
        while i < len(words):
            size, name = self._known_at(words, i, known is not None)
            if not size and known is None:
                size, name = self._headed_at(words, i)
            if name and (known is None or name in known):
                yield name, i
            i += size if name else 1

    def _known_at(self, words: list[str], i: int, upper: bool) -> tuple[int, str]:
        """The longest alias of a listed body starting at words[i]."""
        if not words[i][:1].isupper():
            return 0, ""
        for size in range(min(MAX_ALIAS_WORDS, len(words) - i), 0, -1):
            span = words[i:i + size]
            if not span[-1][:1].isupper() and not span[-1][:1].isdigit():
                continue
            name = self.aliases.get(_key(span))
            if name and (size > 1 or not upper):
                return size, name
            name = self.exact.get(tuple(span))
            if name and not upper:
                return size, name
        return 0, ""

    def _headed_at(self, words: list[str], i: int) -> tuple[int, str]:
        """A capitalised run starting at words[i] that holds an organisation word."""
        run = self._run(words, i)
        if not run:
            return 0, ""
        cut = next((k for k, w in enumerate(run) if k and w in self.titles and w not in self.heads), len(run))
        name = run[:cut]
        while name and name[0] in self.common:
            name = name[1:]
        headed = any(w in self.heads for w in name) or (
            len(name) > 1 and name[-1].rstrip(".") in self.suffixes)
        specific = [w for w in name if w not in self.heads and w not in self.generic and w not in CONNECTORS
                    and w.rstrip(".") not in self.suffixes]
        if not headed or not specific:
            return 0, ""
        return len(run), self.canonical(name)

    def _run(self, words: list[str], i: int) -> list[str]:
        """Capitalised words from words[i], with connectors between them: "Bank of England"."""
        if not _capitalised(words[i]):
            return []
        j = i + 1
        while j < len(words):
            if _capitalised(words[j]) or (words[j] in CONNECTORS and j + 1 < len(words)
                                          and _capitalised(words[j + 1])):
                j += 1
            else:
                break
        return words[i:j]


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and word[-1:].isalpha())
