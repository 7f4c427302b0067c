"""The archive's word list with document frequencies: spelling suggestions, fuzzy words and
prefixes, each bounded in work and time.

The engine builds a `Lexicon` from its own words (`from_counts`) once per index version, so
"did you mean", `word~2` and `co*` never walk the whole word list in Python.

- `suggest` corrects a word the archive does not know, or knows only as a rare variant of a
  far more frequent word ("goverment" beside "government"); a frequent real word is never
  corrected. Candidates are ranked by a small noisy-channel score: log(document frequency)
  minus EDIT_PENALTY per edit, where the commonest kinds of misspelling (a doubled letter
  written once or twice, a vowel for a vowel, c for k and other sound-alikes) cost half an edit.
- `fuzzy` gives the words within Damerau-Levenshtein distance (optimal string alignment,
  the distance Whoosh uses), nearest and most frequent first; `prefix` slices a sorted array.
- Every call has a word-length cap (longer words get nothing, with no work done) and a
  `time.monotonic()` deadline checked between chunks of candidates.

Why rapidfuzz: its C distances over the words of the right lengths, pre-filtered by a
letter-set bitmask (a necessary condition, checked with numpy), answer in milliseconds with
nothing to build but sorted arrays. For a 200,000-article archive's 217,000 words: build 2-3 s,
20 MB held per process; suggestions p95 5-6 ms, fuzzy ~2 p95 6 ms, prefixes 0.07 ms (walking
the word list as Whoosh does: 2.5 to 20 s each). symspellpy (symmetric delete) answers in
under 1 ms but took 34 s and 420 MB per process to build for 240,000 words (5.7 s and 100 MB
for the 60,000 of Reuters + BBC), on every index version and in every server worker.
Figures: bench/spelling_speed.py.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

# Longer words are not looked up at all: no real word is this long, and the cost of a distance
# grows with the length.
MAX_WORD_LENGTH = 32
# Shorter words are too close to too many others for a correction to be a good guess.
MIN_SUGGEST_LENGTH = 3
# A known word is replaced only by a word at one edit that is this many times more frequent
# (the square root of it for a doubled letter), and only from this length on: short real
# words ("wore", "were") sit one edit from each other.
KNOWN_RATIO = 100
MIN_KNOWN_LENGTH = 6
# A word in more documents than this share of the most common word's (about 1 in 1,000
# documents) is a real word, never corrected, however close to a more frequent one ("latter").
MAX_TYPO_SHARE = 0.001
# One edit costs as much as a factor of 100 in frequency (a typo per hundred writings).
EDIT_PENALTY = math.log(100)
# Up to this length an unknown word is corrected at one edit only (two edits from a short word
# reach half the vocabulary).
ONE_EDIT_UP_TO = 4
MAX_FUZZY_EDITS = 2
# Candidates whose distance is computed between two looks at the clock.
CHUNK = 20_000
FORMAT = "searchapp-lexicon 1"

VOWELS = set("aeiouy")
SOUND_ALIKE = {frozenset(p) for p in ("ck", "cs", "sz", "kq", "gj", "fv", "mn", "td", "bp")}


class DeadlineExceeded(TimeoutError):
    """The deadline passed before the lexicon finished looking."""


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded("the word list lookup ran out of time")


def letter_mask(word: str) -> int:
    """The set of the word's characters as bits. One edit changes at most two bits, so words
    within k edits differ in at most 2k bits: a cheap test that rules most words out."""
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) & 63)
    return mask


class _Bucket:
    """The words of one length, most frequent first, with their frequencies and letter masks."""

    def __init__(self, pairs: list[tuple[str, int]]):
        pairs.sort(key=lambda p: (-p[1], p[0]))
        self.words = [w for w, _ in pairs]
        self.freqs = np.fromiter((f for _, f in pairs), dtype=np.int64, count=len(pairs))
        self.masks = np.fromiter((letter_mask(w) for w in self.words), dtype=np.uint64,
                                 count=len(pairs))

    def within(self, word: str, mask: int, edits: int, min_freq: int,
               deadline: float | None) -> list[tuple[str, int, int]]:
        """(word, frequency, distance) of the words at most `edits` away, `min_freq` or more."""
        # Frequencies are descending: the words frequent enough are a leading slice.
        end = int(np.searchsorted(-self.freqs, -min_freq, side="right"))
        found = []
        for start in range(0, end, CHUNK):
            _check(deadline)
            stop = min(start + CHUNK, end)
            close = np.bitwise_count(self.masks[start:stop] ^ np.uint64(mask)) <= 2 * edits
            found += _distances(word, self, start + np.flatnonzero(close), edits)
        return found


def _distances(word: str, bucket: _Bucket, idx: np.ndarray, edits: int):
    if not len(idx):
        return []
    choices = [bucket.words[i] for i in idx]
    dist = process.cdist([word], choices, scorer=OSA.distance, score_cutoff=edits,
                         dtype=np.int32)[0]
    keep = np.flatnonzero(dist <= edits)
    return [(choices[k], int(bucket.freqs[idx[k]]), int(dist[k])) for k in keep]


class Lexicon:
    """The words of one index version and the number of documents each occurs in."""

    def __init__(self, words: list[str], freqs: np.ndarray):
        self.words = words  # sorted
        self.freqs = freqs
        self.top = int(freqs.max(initial=0))
        by_length: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for w, f in zip(words, freqs.tolist()):
            if len(w) <= MAX_WORD_LENGTH + MAX_FUZZY_EDITS:
                by_length[len(w)].append((w, f))
        self.buckets = {n: _Bucket(pairs) for n, pairs in by_length.items()}

    @classmethod
    def from_counts(cls, pairs: Iterable[tuple[str, int]]) -> Lexicon:
        """From (word, document frequency) pairs, the words as the index holds them; a word
        given twice has its counts added. Words with a tab or a line break are left out (no
        query can hold one, and the saved file is a line per word)."""
        counts: dict[str, int] = defaultdict(int)
        for word, freq in pairs:
            if word and freq > 0 and "\t" not in word and "\n" not in word:
                counts[word] += int(freq)
        words = sorted(counts)
        return cls(words, np.fromiter((counts[w] for w in words), dtype=np.int64,
                                      count=len(words)))

    def __len__(self) -> int:
        return len(self.words)

    def frequency(self, word: str) -> int:
        i = bisect_left(self.words, word)
        return int(self.freqs[i]) if i < len(self.words) and self.words[i] == word else 0

    # -- prefixes ---------------------------------------------------------------------

    def _prefix_range(self, prefix: str) -> tuple[int, int]:
        lo = bisect_left(self.words, prefix)
        return lo, bisect_right(self.words, prefix + "\U0010ffff", lo)

    def prefix(self, prefix: str, limit: int = 1000) -> list[str]:
        """The words that start with `prefix`, in order, at most `limit` of them."""
        lo, hi = self._prefix_range(prefix)
        return self.words[lo:min(hi, lo + limit)]

    def count_prefix(self, prefix: str) -> int:
        """How many words start with `prefix` (two binary searches, whatever the count)."""
        lo, hi = self._prefix_range(prefix)
        return hi - lo

    # -- fuzzy words ------------------------------------------------------------------

    def fuzzy(self, word: str, max_edits: int = 1, prefix_length: int = 0, limit: int = 1000,
              deadline: float | None = None) -> list[str]:
        """The words within `max_edits` (1 or 2) that keep the first `prefix_length` characters,
        nearest first, then most frequent; at most `limit`. Raises DeadlineExceeded."""
        if len(word) > MAX_WORD_LENGTH or not 0 <= max_edits <= MAX_FUZZY_EDITS:
            return []
        found = self._within(word, max_edits, 1, deadline)
        kept = word[:prefix_length]
        found = [c for c in found if c[0].startswith(kept)]
        found.sort(key=lambda c: (c[2], -c[1], c[0]))
        return [c[0] for c in found[:limit]]

    def _within(self, word: str, edits: int, min_freq: int, deadline: float | None):
        mask = letter_mask(word)
        found = []
        for n in range(max(1, len(word) - edits), len(word) + edits + 1):
            if n in self.buckets:
                found += self.buckets[n].within(word, mask, edits, min_freq, deadline)
        return found

    # -- spelling suggestions -----------------------------------------------------------

    def suggest(self, word: str, deadline: float | None = None) -> str | None:
        """The word the writer most likely meant, or None when `word` is best left as it is
        (a frequent word, nothing close, too short or too long, or out of time)."""
        word = word.lower()
        if not MIN_SUGGEST_LENGTH <= len(word) <= MAX_WORD_LENGTH:
            return None
        try:
            own = self.frequency(word)
            return self._replace_rare(word, own, deadline) if own else \
                self._correct_unknown(word, deadline)
        except DeadlineExceeded:
            return None  # a suggestion is a courtesy: better none than a late answer

    def _replace_rare(self, word: str, own: int, deadline: float | None) -> str | None:
        """A known word is a typo when a word one edit away is KNOWN_RATIO times as frequent,
        keeps the first letter (real words one edit apart mostly differ there: "blast",
        "last") and is not just the word with one letter more or less at the end ("peoples",
        "people": an inflection, not a typo)."""
        if len(word) < MIN_KNOWN_LENGTH or own > MAX_TYPO_SHARE * self.top:
            return None
        # The cheapest edit is half an edit: nothing less frequent than this can win.
        floor = math.ceil(own * math.sqrt(KNOWN_RATIO))
        found = [c for c in self._within(word, 1, floor, deadline)
                 if c[2] == 1 and c[0][0] == word[0] and not _end_only(word, c[0])]
        # Only a doubled letter is a cheap edit here: real words differ by a vowel ("planes").
        scored = [(math.log(f / own) / math.log(KNOWN_RATIO) - edit_cost(word, w, sounds=False),
                   f, w)
                  for w, f, _ in found]
        best = max(scored, key=lambda c: (c[0], c[1]), default=None)
        return best[2] if best and best[0] >= 0 else None

    def _correct_unknown(self, word: str, deadline: float | None) -> str | None:
        best = _best(word, self._within(word, 1, 1, deadline))
        if len(word) > ONE_EDIT_UP_TO:
            # Two edits cost at least a whole edit: only words that frequent can still win.
            floor = math.exp(best[0] + EDIT_PENALTY) if best else 1
            floor = min(floor, self.top + 1)
            best = _best(word, self._within(word, 2, math.ceil(floor), deadline), best)
        return best[2] if best else None

    # -- persistence --------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Writes `word<TAB>frequency` lines (UTF-8) under a format line, atomically."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(FORMAT + "\n")
            out.writelines(f"{w}\t{f}\n" for w, f in zip(self.words, self.freqs.tolist()))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        with open(path, encoding="utf-8", newline="\n") as lines:
            if lines.readline().rstrip("\n") != FORMAT:
                raise ValueError(f"{path} is not a saved lexicon")
            pairs = (line.rstrip("\n").rsplit("\t", 1) for line in lines)
            return cls.from_counts((w, int(f)) for w, f in pairs)


def _best(word: str, found, best: tuple | None = None) -> tuple | None:
    """The best candidate as (score, frequency, word): highest score, then the more frequent,
    then the first in alphabetical order."""
    for cand, freq, _ in found:
        scored = (math.log(freq) - EDIT_PENALTY * edit_cost(word, cand), freq, cand)
        if best is None or (-scored[0], -freq, cand) < (-best[0], -best[1], best[2]):
            best = scored
    return best


def _end_only(a: str, b: str) -> bool:
    """One word is the other with a letter added at the end, not doubling the one before it
    ("peoples", not "untill")."""
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[:-1] == shorter and longer[-1] != shorter[-1:]


def _sub_cost(a: str, b: str, sounds: bool) -> float:
    if a == b:
        return 0.0
    if sounds and ((a in VOWELS and b in VOWELS) or frozenset((a, b)) in SOUND_ALIKE):
        return 0.5
    return 1.0


def _gap_cost(word: str, i: int, sounds: bool) -> float:
    """A vowel, or a letter written once too few or too many times ("coffe", "recesion"), left
    out or added is half an edit."""
    ch = word[i]
    doubled = (i and word[i - 1] == ch) or (i + 1 < len(word) and word[i + 1] == ch)
    return 0.5 if doubled or (sounds and ch in VOWELS) else 1.0


def edit_cost(typed: str, meant: str, sounds: bool = True) -> float:
    """Weighted optimal-string-alignment distance: the commonest misspellings cost half an edit
    (with `sounds`, also a vowel or a sound-alike consonant for another, a vowel left out)."""
    n, m = len(typed), len(meant)
    prev2: list[float] = []
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + _gap_cost(meant, j - 1, sounds)
    for i in range(1, n + 1):
        row = [prev[0] + _gap_cost(typed, i - 1, sounds)] + [0.0] * m
        for j in range(1, m + 1):
            row[j] = min(prev[j] + _gap_cost(typed, i - 1, sounds),
                         row[j - 1] + _gap_cost(meant, j - 1, sounds),
                         prev[j - 1] + _sub_cost(typed[i - 1], meant[j - 1], sounds))
            if i > 1 and j > 1 and typed[i - 1] == meant[j - 2] and typed[i - 2] == meant[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1.0)
        prev2, prev = prev, row
    return prev[m]
