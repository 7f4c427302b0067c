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

Candidates come from MinHash signatures (datasketch) in an LSH band index (`BandIndex`);
each candidate is then compared on its exact shingles, read back from the search index (or
from this run's articles not yet committed). The band index is kept in a file beside the
search index, stamped with the index it describes and its article count: a rebuilt or
restored index, or one changed by other means (`searchapp sources remove`), is read again
into it from the articles (`ingest.open_groups`).

A group id is only a label stored with each article: when the group's first article is
deleted, the others keep the label and a new copy joins them by matching any of them.
"""

from __future__ import annotations

import os
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
from datasketch import MinHash

from .model import Article

SHINGLE_WORDS = 5
# Of the smaller text's shingles, the share the other must have (see the module's doc).
SAME_STORY = 0.75
WINDOW_DAYS = 2
# Signatures: 64 MinHash permutations, cut into 32 bands of 2 rows; articles sharing a band
# are candidates. A pair overlapping by a Jaccard of 0.2 (a story cut to a fifth of its length
# still contains it) is a candidate with a chance of 73%, one of 0.3 with 95%.
NUM_PERM = 64
BANDS, ROWS = 32, 2
# New articles are kept in a dictionary until this many, then merged into the sorted arrays.
MERGE_EVERY = 5000
# Candidates compared lately, kept rather than read again from the index: wire copies
# come close together, and a template report (a fund's payout) is a candidate many times.
RECENT_VERSIONS = 20_000
STATE_VERSION = 2
_WORD = re.compile(r"\w+")
_SHINGLE_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                         0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63], dtype=np.uint64)
_LOW32 = np.uint64(0xFFFFFFFF)
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1).permutations
_SCHEME = MinHash(num_perm=NUM_PERM, seed=1).scheme


def shingles(article: Article) -> np.ndarray:
    """The article's title and body as overlapping runs of SHINGLE_WORDS lower-case words (a
    text shorter than that is one run), each as a 32-bit hash: sorted, distinct. Hashed
    word by word and mixed as arrays: five times faster than joining strings."""
    words = _WORD.findall(f"{article.title}\n{article.body}".lower()) or [""]
    # crc32, not Python's hash(): shingles are compared with those of other processes' runs.
    hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), np.uint64, len(words))
    width = min(SHINGLE_WORDS, len(hashes))
    count = len(hashes) - width + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for j in range(width):  # wraps around 2**64 on purpose
        mixed += hashes[j:j + count] * _SHINGLE_MIX[j]
    return np.unique(((mixed ^ (mixed >> np.uint64(31))) & _LOW32).astype(np.uint32))


def signature(parts: np.ndarray) -> np.ndarray:
    """The MinHash signature of the shingles: NUM_PERM values."""
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, permutations=_PERMUTATIONS,
                scheme=_SCHEME)
    m.update_batch(parts.tolist())  # the shingles are hashes already
    return m.hashvalues


@dataclass(frozen=True)
class Fingerprint:
    """What grouping needs of an article's text. Made where the article is read (the
    worker processes: it is most of the cost), so that the writer only compares."""
    shingles: np.ndarray
    signature: np.ndarray


def fingerprint(article: Article) -> Fingerprint:
    parts = shingles(article)
    return Fingerprint(parts, signature(parts))


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the smaller set (sorted, distinct hashes) found in the other."""
    smaller = min(len(a), len(b))
    return len(np.intersect1d(a, b, assume_unique=True)) / smaller if smaller else 0.0


def day(article: Article) -> int | None:
    """The publication day as an ordinal, None when undated (or unreadable)."""
    try:
        return date.fromisoformat((article.published or "")[:10]).toordinal()
    except ValueError:
        return None


@dataclass(frozen=True)
class Version:
    """What a candidate is compared on."""
    shingles: np.ndarray
    day: int | None
    group: str


def version(article: Article) -> Version:
    return Version(shingles(article), day(article), article.group or article.id)


def same_story(a: Version, b: Version) -> bool:
    close = a.day is None or b.day is None or abs(a.day - b.day) <= WINDOW_DAYS
    return close and containment(a.shingles, b.shingles) >= SAME_STORY


class BandIndex:
    """Which articles share a band of their signatures: LSH as sorted numpy arrays.

    datasketch's MinHashLSH keeps a Python set per band bucket: about 9 KB an article at
    this threshold, 1.8 GB for a 200,000-article archive. Here a band is a 32-bit hash and
    a row number, 8 bytes (256 an article); a hash collision only adds a candidate, which
    the exact comparison rejects."""

    def __init__(self, ids=(), keys=None, rows=None):
        self.ids: list[str | None] = list(ids)  # by row; None: removed
        self.row_of = {i: r for r, i in enumerate(self.ids) if i is not None}
        self.keys = np.zeros(0, np.uint32) if keys is None else keys  # sorted band hashes
        self.rows = np.zeros(0, np.int32) if rows is None else rows  # their rows
        self.recent: dict[int, list[int]] = {}  # band hash -> rows, not yet merged
        self.recent_rows = 0

    def __len__(self) -> int:
        return len(self.row_of)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.row_of

    def insert(self, article_id: str, sig: np.ndarray) -> None:
        row = len(self.ids)
        self.ids.append(article_id)
        self.row_of[article_id] = row
        for key in band_keys(sig).tolist():
            self.recent.setdefault(key, []).append(row)
        self.recent_rows += 1
        if self.recent_rows >= MERGE_EVERY:
            self.merge()

    def query(self, sig: np.ndarray) -> set[str]:
        keys = band_keys(sig)
        lo = np.searchsorted(self.keys, keys, "left")
        hi = np.searchsorted(self.keys, keys, "right")
        spans = [self.rows[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        rows = np.concatenate(spans).tolist() if spans else []
        rows += [r for key in keys.tolist() for r in self.recent.get(key, ())]
        return {i for i in map(self.ids.__getitem__, rows) if i is not None}

    def remove(self, article_id: str) -> None:
        row = self.row_of.pop(article_id)
        self.ids[row] = None  # its bands stay, pointing at nothing, until `compact`

    def merge(self) -> None:
        if not self.recent:
            return
        keys = np.fromiter((k for k, rows in self.recent.items() for _ in rows), np.uint32)
        rows = np.fromiter((r for rows in self.recent.values() for r in rows), np.int32)
        all_keys, all_rows = np.concatenate([self.keys, keys]), np.concatenate([self.rows, rows])
        order = np.argsort(all_keys, kind="stable")
        self.keys, self.rows = all_keys[order], all_rows[order]
        self.recent, self.recent_rows = {}, 0

    def compact(self) -> None:
        """Drop the bands of removed articles and number the rest anew."""
        self.merge()
        live = np.array([i is not None for i in self.ids], dtype=bool)
        renumber = np.cumsum(live, dtype=np.int64) - 1
        keep = live[self.rows] if len(self.rows) else np.zeros(0, bool)
        self.keys, self.rows = self.keys[keep], renumber[self.rows[keep]].astype(np.int32)
        self.ids = [i for i in self.ids if i is not None]
        self.row_of = {i: r for r, i in enumerate(self.ids) if i is not None}


_MIX = np.array([0x9E3779B1, 0x85EBCA77], dtype=np.uint64)


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One 32-bit hash per band of ROWS signature values, salted with the band's number."""
    values = np.asarray(sig[:BANDS * ROWS], dtype=np.uint64).reshape(BANDS, ROWS)
    mixed = (values * _MIX[:ROWS]).sum(axis=1) + np.arange(BANDS, dtype=np.uint64) * np.uint64(
        0xC2B2AE3D)
    return ((mixed ^ (mixed >> np.uint64(29))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


class Groups:
    """The archive's signatures in an LSH index, and the group of each article written.

    `lookup(id)` gives a committed article (the index being written); articles of the
    current batch are kept here until `committed()`, then among the recent ones."""

    def __init__(self, lookup: Callable[[str], Article | None], lsh: BandIndex | None = None):
        self.lookup = lookup
        self.lsh = lsh or BandIndex()
        self._batch: dict[str, Version] = {}
        self._recent: OrderedDict[str, Version] = OrderedDict()

    def __len__(self) -> int:
        return len(self.lsh)

    def ids(self) -> set[str]:
        """The articles in the LSH index."""
        return set(self.lsh.row_of)

    def assign(self, article: Article, made: Fingerprint | None = None) -> Article:
        """The article with its group: that of the most alike earlier version of its
        story, else its own id. It becomes a candidate for the articles after it.
        `made`: its fingerprint, if made already."""
        self.forget(article.id)  # a file read again: its articles are compared anew
        made = made or fingerprint(article)
        mine = Version(made.shingles, day(article), article.id)
        group = self._best_match(mine, made.signature) or article.id
        self.lsh.insert(article.id, made.signature)
        self._batch[article.id] = replace(mine, group=group)
        return replace(article, group=group)

    def _best_match(self, mine: Version, sig: np.ndarray) -> str | None:
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
        if key in self._recent:
            self._recent.move_to_end(key)
            return self._recent[key]
        article = self.lookup(key)
        if article is None:  # removed since (its file is gone): not a candidate any more
            self.lsh.remove(key)
            return None
        self._remember({key: version(article)})
        return self._recent[key]

    def _remember(self, versions: dict[str, Version]) -> None:
        self._recent.update(versions)
        while len(self._recent) > RECENT_VERSIONS:
            self._recent.popitem(last=False)

    def forget(self, article_id: str) -> None:
        self._batch.pop(article_id, None)
        self._recent.pop(article_id, None)
        if article_id in self.lsh:
            self.lsh.remove(article_id)

    def add_stored(self, article: Article) -> None:
        """An article already grouped and indexed, as the index holds it."""
        self.forget(article.id)
        self.lsh.insert(article.id, signature(shingles(article)))

    def committed(self) -> None:
        """The batch's articles are now in the index, where `lookup` finds them."""
        self._remember(self._batch)
        self._batch = {}

    # keeping the LSH index between runs

    def save(self, path: Path, stamp: str) -> None:
        self.lsh.compact()
        temp = path.with_name(f"{path.name}.{os.getpid()}.npz")
        np.savez(temp, meta=np.array([str(STATE_VERSION), stamp, str(len(self))]),
                 ids=np.array(self.lsh.ids, dtype=str), keys=self.lsh.keys, rows=self.lsh.rows)
        os.replace(temp, path)  # never half-written

    @classmethod
    def load(cls, path: Path, stamp: str, count: int,
             lookup: Callable[[str], Article | None]) -> Groups | None:
        """The saved LSH index, if it describes the index `stamp` holding `count` articles."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                meta = saved["meta"].tolist()
                if meta != [str(STATE_VERSION), stamp, str(count)]:
                    return None
                lsh = BandIndex(saved["ids"].tolist(), saved["keys"], saved["rows"])
        except (OSError, ValueError, KeyError):
            return None
        return cls(lookup, lsh)


def state_path(index_dir: Path) -> Path:
    """Beside the index folder, not in it: a rebuild swaps that folder whole."""
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}.duplicates"


