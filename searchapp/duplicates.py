"""Near-duplicate grouping at ingest: wire copies, repeats and lightly edited versions of
one story get one group id, the id of the group's first article (`Article.group`).

How two articles are judged the same story (thresholds chosen on a labelled sample of
Reuters-21578 pairs, tests/fixtures/duplicates/README.md):

- their texts (title and body) as sets of 5-word shingles: the share of the smaller
  text's shingles found in the other (containment) is at least SAME_STORY, so a story
  sent again cut short, or with a word corrected, is the same story; and
- they were published at most WINDOW_DAYS apart (or either is undated): the daily and
  weekly reports of agencies are written from one template ("FED ADDS RESERVES VIA
  CUSTOMER REPURCHASES") and are as alike as copies, but a week apart they are news.

Candidates come from MinHash signatures in an LSH index (datasketch); each candidate is
then compared on its exact shingles, read back from the index (or from this run's articles
not yet committed). The LSH index is kept in a file beside the search index, stamped with
the index it describes: a rebuilt or restored index, or one changed by other means
(`searchapp sources remove`), is re-read into a fresh LSH index (`Groups.open`).

A group id is only a label stored with each article: when the group's first article is
deleted, the others keep the label and a new copy joins them by matching any of them.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from .model import Article

SHINGLE_WORDS = 5
# Of the smaller text's shingles, the share the other must have (see the module's doc).
SAME_STORY = 0.75
WINDOW_DAYS = 2
# Signatures: 64 permutations; pairs whose shingle sets overlap by a Jaccard of about
# CANDIDATE_JACCARD or more come out of the LSH index as candidates (a story cut to half
# its length overlaps its full version by 0.5).
NUM_PERM = 64
CANDIDATE_JACCARD = 0.4
STATE_VERSION = 1
_WORD = re.compile(r"\w+")
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1).permutations
_SCHEME = MinHash(num_perm=NUM_PERM, seed=1).scheme


def shingles(article: Article) -> frozenset[str]:
    """The article's title and body as overlapping runs of SHINGLE_WORDS lower-case words
    (a text shorter than that is one shingle)."""
    words = _WORD.findall(f"{article.title}\n{article.body}".lower())
    last = max(1, len(words) - SHINGLE_WORDS + 1)
    return frozenset(" ".join(words[i:i + SHINGLE_WORDS]) for i in range(last))


def signature(parts: frozenset[str]) -> MinHash:
    # crc32, not Python's hash(): signatures are kept between runs and processes.
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32, permutations=_PERMUTATIONS,
                scheme=_SCHEME)
    m.update_batch([p.encode("utf-8") for p in parts])
    return m


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the smaller set found in the other."""
    smaller, larger = (a, b) if len(a) <= len(b) else (b, a)
    return len(smaller & larger) / len(smaller) if smaller else 0.0


def day(article: Article) -> int | None:
    """The publication day as an ordinal, None when undated (or unreadable)."""
    try:
        return date.fromisoformat((article.published or "")[:10]).toordinal()
    except ValueError:
        return None


@dataclass(frozen=True)
class Version:
    """What a candidate is compared on."""
    shingles: frozenset[str]
    day: int | None
    group: str


def version(article: Article) -> Version:
    return Version(shingles(article), day(article), article.group or article.id)


def same_story(a: Version, b: Version) -> bool:
    close = a.day is None or b.day is None or abs(a.day - b.day) <= WINDOW_DAYS
    return close and containment(a.shingles, b.shingles) >= SAME_STORY


def _band_key(band: bytes) -> bytes:
    """LSH bands stored as 8 bytes, not 8 per row: the index of a 200,000-article archive
    stays small (a collision only adds a candidate, which the exact check rejects)."""
    return zlib.crc32(band).to_bytes(4, "little") + zlib.adler32(band).to_bytes(4, "little")


class Groups:
    """The archive's signatures in an LSH index, and the group of each article written.

    `lookup(id)` gives a committed article (the index being written); articles of the
    current batch are kept here until `committed()`."""

    def __init__(self, lookup: Callable[[str], Article | None], lsh: MinHashLSH | None = None):
        self.lookup = lookup
        self.lsh = lsh or MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM,
                                     hashfunc=_band_key)
        self._batch: dict[str, Version] = {}

    def __len__(self) -> int:
        return len(self.lsh.keys)

    def ids(self) -> set[str]:
        """The articles in the LSH index."""
        return set(self.lsh.keys.keys())  # an LSH storage, not a dict

    def assign(self, article: Article) -> Article:
        """The article with its group: that of the most alike earlier version of its
        story, else its own id. It becomes a candidate for the articles after it."""
        self.forget(article.id)  # a file read again: its articles are compared anew
        mine = version(article)
        sig = signature(mine.shingles)
        group = self._best_match(mine, sig) or article.id
        self.lsh.insert(article.id, sig, check_duplication=False)
        self._batch[article.id] = replace(mine, group=group)
        return replace(article, group=group)

    def _best_match(self, mine: Version, sig: MinHash) -> str | None:
        best, best_share = None, 0.0
        for key in sorted(self.lsh.query(sig)):
            other = self._version(key)
            if other is None or not same_story(mine, other):
                continue
            share = containment(mine.shingles, other.shingles)
            if share > best_share:
                best, best_share = other.group, share
        return best

    def _version(self, key: str) -> Version | None:
        if key in self._batch:
            return self._batch[key]
        article = self.lookup(key)
        if article is None:  # removed since (its file is gone): not a candidate any more
            self.lsh.remove(key)
            return None
        return version(article)

    def forget(self, article_id: str) -> None:
        self._batch.pop(article_id, None)
        if article_id in self.lsh:
            self.lsh.remove(article_id)

    def add_stored(self, article: Article) -> None:
        """An article already grouped and indexed, as the index holds it."""
        self.forget(article.id)
        self.lsh.insert(article.id, signature(shingles(article)), check_duplication=False)

    def committed(self) -> None:
        """The batch's articles are now in the index, where `lookup` finds them."""
        self._batch.clear()

    # keeping the LSH index between runs

    def save(self, path: Path, stamp: str) -> None:
        temp = path.with_name(f"{path.name}.{os.getpid()}")
        with open(temp, "wb") as f:
            pickle.dump((STATE_VERSION, stamp, len(self), self.lsh), f, pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)  # never half-written

    @classmethod
    def load(cls, path: Path, stamp: str, count: int,
             lookup: Callable[[str], Article | None]) -> Groups | None:
        """The saved LSH index, if it describes the index `stamp` holding `count` articles."""
        try:
            with open(path, "rb") as f:
                version_, saved_stamp, saved_count, lsh = pickle.load(f)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError):
            return None
        if (version_, saved_stamp, saved_count) != (STATE_VERSION, stamp, count):
            return None
        return cls(lookup, lsh)


def state_path(index_dir: Path) -> Path:
    """Beside the index folder, not in it: a rebuild swaps that folder whole."""
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}.duplicates"


