"""The Whoosh engine: one on-disk index to search, write, rebuild, copy and restore.

- Searchers are reused per thread and reopened only when the index changed; BUILD_ID
  changes when a rebuilt or restored index is swapped in, so every process reopens it.
- The write lock is a file beside the index folder, not in it: swapping a new folder in
  keeps the lock, so a writer that holds it (a librarian's edit) finishes before the swap
  and none starts on the old folder after it.
- Results and facet counts are cached per index version.
- A search has one deadline (MAX_SEARCH_SECONDS), for everything it does: expanding
  wildcards and fuzzy words (through each field's `Lexicon`, see `lexicons`), ranking and
  "did you mean". Past it the reader gets the policy's refusal, never a late answer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from whoosh import index, query
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.util.filelock import FileLock

from ...model import Article
from ...processes import alive
from .. import (
    Exported,
    Hit,
    IndexLocked,
    IndexOutdated,
    JournalMark,
    SearchRequest,
    SearchResult,
)
from .. import query as policy
from ..lru import LRU
from . import internals  # noqa: F401  (applies the fix to the pinned Whoosh)
from .arrays import Evaluator, PostingsCache
from .expansion import expand, expands
from .highlight import QueryTerms, highlighter
from .internals import Unsupported, stored_fields_reader
from .lexicons import Lexicons, save_lexicons
from .matching import collapse, counts, evaluate, matching, page_order, search_deadline, top
from .parsing import parse
from .schema import format_problem, schema, to_article, to_document, write_format
from .scoring import WEIGHTING
from .snippets import snippet
from .suggestions import FIELD as SUGGESTION_FIELD
from .suggestions import SUGGEST_SECONDS, suggest
from .tables import SegmentTables, Tables, build_segment_tables, global_tables

BUILD_FILE = "BUILD_ID"  # changes when a rebuilt or restored index is swapped in
# The last curation journal entry this index has applied (see SearchEngine.journal_mark):
# a file in the index folder, so snapshots, restores and rebuild swaps carry it.
JOURNAL_FILE = "JOURNAL"
# A librarian's edit waits this long for a running indexer to let go of the index.
RETAG_WAIT_SECONDS = 15.0
# Swapping a finished rebuild in waits this long for a librarian's edit to end.
SWAP_WAIT_SECONDS = 300.0
RESULT_CACHE_SIZE = 256
# What a new worker reads ahead (`warm`): each text field's most frequent words, in the
# background, until this much is cached or this much time has passed.
WARM_WORDS = 300
WARM_BYTES = 64 * 1024 * 1024
WARM_SECONDS = 20.0
WARM_MAX_WORD_BYTES = 4 * 1024 * 1024
# "More like this" takes an article's key words from this much of its body: the body keeps
# no term vectors, so its text is analysed again on every view, 7 s for a 20 MB article.
# An article's opening says what it is about.
MORE_LIKE_THIS_CHARS = 20_000
NO_TERMS = QueryTerms(frozenset())  # a hit listed without highlighting
# Folders beside the index that a process makes and removes: a killed one leaves them.
_SCRATCH = re.compile(r"\.(?P<name>.+)\.(?:rebuild|old|restore)-(?P<pid>\d+)")


class WhooshEngine:
    """One on-disk index: search it, read its file manifest, write to it."""

    def __init__(self, index_dir: str | os.PathLike, create: bool = True,
                 lock_beside: bool = True):
        self.dir = Path(index_dir)
        # A scratch build has no other writer: its lock may stay inside it.
        self._lock_file = (self.dir.parent / f".{self.dir.name}.writelock") if lock_beside else None
        self._local = threading.local()
        self._segment_tables: dict[str, SegmentTables] = {}
        self._postings = PostingsCache()
        self._results = LRU(RESULT_CACHE_SIZE)
        self._summaries = LRU(RESULT_CACHE_SIZE)
        self._lexicons = Lexicons(self.dir)
        self._lock = threading.Lock()
        if lock_beside:
            self._remove_leftovers()
        self._ix, self._build = self._open(create)
        self._outdated = format_problem(self.dir)

    # opening

    def _storage(self) -> FileStorage:
        # Without memory-mapping: Whoosh then reads what a query needs instead of mapping
        # whole segments (measured on 215,000 articles: 0.14 GB resident per process
        # instead of 2.7 GB).
        return _Storage(str(self.dir), self._lock_file)

    def _open(self, create: bool):
        if not index.exists_in(self.dir):
            if not create:
                raise FileNotFoundError(f"no index in {self.dir}; run `searchapp index` first")
            self.dir.mkdir(parents=True, exist_ok=True)
            ix = self._storage().create_index(schema())
            write_format(self.dir)
            (self.dir / BUILD_FILE).write_text(uuid.uuid4().hex)
        else:
            ix = self._storage().open_index()
        return ix, self._read_build()

    def _current(self) -> None:
        """Refuse to write to an index of another format (its words were analysed otherwise:
        mixing the two would make searches silently miss)."""
        if self._outdated:
            raise IndexOutdated(self._outdated)

    def _read_build(self) -> str | None:
        try:
            return (self.dir / BUILD_FILE).read_text()
        except OSError:  # mid-swap: keep the index we have
            return None

    def searcher(self):
        """This thread's searcher, refreshed when the index changed or was swapped. An
        index of another format is refused (IndexOutdated), never searched."""
        build = self._read_build()
        if build is not None and build != self._build:
            with self._lock:
                if build != self._build:
                    self._ix = self._storage().open_index()
                    self._build = build
                    self._outdated = format_problem(self.dir)
                    self._segment_tables.clear()
                    self._postings.clear()
                    self._results.clear()
                    self._summaries.clear()
                    self._lexicons.clear()
        if self._outdated:
            raise IndexOutdated(self._outdated)
        ix, s = getattr(self._local, "searcher", (None, None))
        if s is None or ix is not self._ix or not s.up_to_date():
            # Not `s.refresh()`: Whoosh 2.7 reuses segment readers by segment id there, so
            # deletions made since (updated articles) would still show as live documents.
            if s is not None:
                s.close()
            s = self._ix.searcher(weighting=WEIGHTING)
        self._local.searcher = (self._ix, s)
        return s

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    # manifest

    def indexed_files(self) -> dict[str, str]:
        """file key -> content hash of every indexed file."""
        out = {}
        with self._ix.reader() as reader:
            for segreader, _ in _leaves(reader):
                files = segreader.column_reader("file")
                hashes = segreader.column_reader("file_hash")
                for docnum in segreader.all_doc_ids():
                    out[_decode(files[docnum])] = _decode(hashes[docnum])
        return out

    def articles_per_file(self) -> dict[str, int]:
        """file key -> how many articles of that file are indexed."""
        out: Counter = Counter()
        with self._ix.reader() as reader:
            for segreader, _ in _leaves(reader):
                files = segreader.column_reader("file")
                out.update(_decode(files[docnum]) for docnum in segreader.all_doc_ids())
        return dict(out)

    # the curation journal's mark

    def journal_mark(self) -> JournalMark:
        """The last journal entry applied to the index on disk, and that index's build."""
        for _ in range(100):
            build = self._read_build()
            change = self._read_journal()
            if build is not None and build == self._read_build():
                return JournalMark(change, build)
            time.sleep(0.05)  # mid-swap: the folder is being replaced
        raise IndexLocked(f"the index in {self.dir} is being replaced")

    def acknowledge(self, change: int, since: JournalMark | None = None) -> bool:
        """Record `change` as applied, under the write lock (a swap holds it too); with
        `since`, only if the index and its mark are still the ones `since` was read from."""
        with self._write_lock(RETAG_WAIT_SECONDS):
            if since is not None and (self._read_build() != since.index
                                      or self._read_journal() != since.change):
                return False
            temp = self.dir / f".{JOURNAL_FILE}.{os.getpid()}.{threading.get_ident()}"
            temp.write_text(str(int(change)))
            os.replace(temp, self.dir / JOURNAL_FILE)  # never half-written
        return True

    def _read_journal(self) -> int:
        try:
            return int((self.dir / JOURNAL_FILE).read_text().strip() or 0)
        except (OSError, ValueError):  # none yet (a fresh or older index): nothing applied
            return 0

    # writing

    def writer(self, wait: float = 0.0) -> WhooshWriter:
        """The index's one writer; waits up to `wait` seconds for another to finish."""
        self._current()
        return WhooshWriter(self._ix, self.dir, timeout=wait)

    @contextmanager
    def rebuild(self) -> Iterator[WhooshEngine]:
        """A fresh index built beside this one, swapped in when the block ends well."""
        build_dir = self._scratch("rebuild")
        shutil.rmtree(build_dir, ignore_errors=True)
        try:
            yield WhooshEngine(build_dir, create=True, lock_beside=False)
            self._swap_in(build_dir)
        finally:
            shutil.rmtree(build_dir, ignore_errors=True)

    def snapshot(self, dest: Path, wait: float = 30.0) -> int:
        """Copy the index to the new folder `dest` while no writer may start (waits up to
        `wait` seconds for a running one); returns the copy's article count."""
        with self._write_lock(wait):
            shutil.copytree(self.dir, dest, ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK"))
        # Counted on Whoosh's index: a copy of an index of an older format is still a backup.
        return WhooshEngine(dest, create=False, lock_beside=False)._ix.doc_count()

    def restore_from(self, src: Path) -> int:
        """Replace this index with the copy in `src`; every process reopens it."""
        WhooshEngine(src, create=False, lock_beside=False)._current()  # refuse a broken copy first
        staging = self._scratch("restore")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            shutil.copytree(src, staging, ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK"))
            (staging / BUILD_FILE).write_text(uuid.uuid4().hex)
            self._swap_in(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self.doc_count()

    def _scratch(self, kind: str) -> Path:
        return self.dir.parent / f".{self.dir.name}.{kind}-{os.getpid()}"

    def _swap_in(self, new_dir: Path) -> None:
        """Replace the index folder with a complete `new_dir`, holding the write lock; the
        old folder stays until the new one is in place."""
        old = self._scratch("old")
        with self._write_lock(SWAP_WAIT_SECONDS):
            if self.dir.exists():
                os.replace(self.dir, old)
            os.replace(new_dir, self.dir)
        shutil.rmtree(old, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Remove rebuild, restore and old folders that killed processes left beside the
        index (each run opens the index first, so a killed run's are gone at the next)."""
        for path in self.dir.parent.glob(f".{self.dir.name}.*-*"):
            m = _SCRATCH.fullmatch(path.name)
            if m and m["name"] == self.dir.name and path.is_dir() and not alive(int(m["pid"])):
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def _write_lock(self, wait: float):
        """Hold the lock every writer takes, waiting up to `wait` seconds for it."""
        lock = self._ix.lock("WRITELOCK")
        deadline = time.monotonic() + wait
        while not lock.acquire():
            if time.monotonic() > deadline:
                raise IndexLocked(f"another process is writing to the index in {self.dir}")
            time.sleep(0.1)
        try:
            yield
        finally:
            lock.release()

    # reading

    def get(self, article_id: str) -> Article | None:
        stored = self.searcher().document(id=article_id)
        return to_article(stored) if stored else None

    def highlighter(self, q: str) -> QueryTerms:
        return highlighter(q)

    def ids_for(self, request: SearchRequest) -> list[str]:
        """Every article id matching the request (for bulk operations)."""
        request.validate()
        s = self.searcher()
        tables, deadline = self._tables_and_deadline(s)
        user_q, _, words = self._parse(s, request.query, tables, deadline)
        matched = matching(s, user_q, request, tables, self._postings, words, deadline)()
        return [s.stored_fields(int(d))["id"] for d in np.flatnonzero(matched)]

    def export(self, request: SearchRequest, limit: int) -> Exported:
        """The first `limit` matches in the request's order, as stored. Ranked on the
        arrays like a search (one matching, one sort of doc numbers), then each article's
        stored fields read by doc number: no lookup by id, no snippets, no counts."""
        request.validate()
        s = self.searcher()
        tables, deadline = self._tables_and_deadline(s)
        user_q, _, words = self._parse(s, request.query, tables, deadline)
        matched = matching(s, user_q, request, tables, self._postings, words, deadline)
        docs = np.flatnonzero(matched())
        whole = dataclasses.replace(request, page=1, per_page=max(0, limit))
        order, _scored = page_order(whole, docs, tables, matched.scores)
        return Exported(len(docs), _stored_in_order(s, order))

    def ids_with_value(self, facet: str, value: str) -> list[str]:
        """Ids of articles that have the value now, or had it as ingested."""
        s = self.searcher()
        q = query.Or([query.Term(facet, value), query.Term("rawtag", f"{facet}:{value}")])
        return [s.stored_fields(d)["id"] for d in s.docs_for_query(q)]

    def retag(self, article_ids: list[str], get_curate) -> int:
        """Re-apply curation to the articles' ingested tags (stored as `raw_tags`);
        returns how many changed. `get_curate()` is called once the writer is held."""
        if not article_ids:
            return 0
        self.searcher()  # a swapped-in index is reopened before writing to it
        writer = WhooshWriter(self._ix, self.dir, timeout=RETAG_WAIT_SECONDS)
        changed = 0
        try:
            curate = get_curate()
            s = self.searcher()
            for article_id in article_ids:
                stored = s.document(id=article_id)
                if not stored:
                    continue
                raw = to_article(stored, raw=True)
                curated = curate(to_article(stored, raw=True))
                if [t.to_dict() for t in curated.tags] == stored.get("tags"):
                    continue
                writer.update(to_document(curated, stored["file"], stored["file_hash"], raw.tags,
                                          stored.get("indexed")))
                changed += 1
            if changed:
                writer.commit()
            else:  # re-applied and already so: no new index generation for nothing
                writer.cancel()
        except BaseException:
            writer.cancel()
            raise
        return changed

    def warm(self, seconds: float = WARM_SECONDS, max_bytes: int = WARM_BYTES) -> int:
        """Read the archive's most frequent words' postings into the cache ahead of searches;
        returns the bytes read. Frequent words have the longest posting lists, the ones that
        cost a first search most (tens of milliseconds each). Bounded in time and bytes."""
        deadline = time.monotonic() + seconds
        s = self.searcher()
        # Every search needs the doc tables (dates, facets, groups per segment): built here,
        # a first search on a large archive does not spend its time limit on them.
        self._tables(s)
        readers = [sub.reader() for sub, _offset in s.leaf_searchers() if sub.reader().doc_count_all()]
        if not readers:
            return 0
        # The largest segment's most frequent words stand for the archive's.
        biggest = max(readers, key=lambda r: r.doc_count_all())
        try:
            evaluator = Evaluator(s, self._postings)
        except Unsupported:  # another Whoosh: searches use its own matching, nothing to read
            return 0
        read = 0
        fields = [f for f in ("body", "title", "exact") if f in biggest.indexed_field_names()]
        for n, field in enumerate(fields, 1):
            share = max_bytes * n / len(fields)  # each field its part of the budget
            words = [w for _n, w in biggest.most_frequent_terms(field, WARM_WORDS)]
            for word in words:
                # Postings take 8 bytes each, positions 4 more per occurrence: a few stop
                # words' positions would fill the budget alone, and are cheap to read later.
                size = 8 * s.doc_frequency(field, word)
                if field == "exact":
                    size += 4 * int(s.frequency(field, word))
                if size > WARM_MAX_WORD_BYTES:
                    continue
                q = query.Phrase(field, [word.decode("utf-8")]) if field == "exact" else \
                    query.Term(field, word.decode("utf-8"))
                before = self._postings.size
                evaluator.run(q)  # reads the word in every segment
                read += self._postings.size - before
                if time.monotonic() > deadline:
                    return read
                if read >= share:
                    break
        return read

    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]:
        s = self.searcher()
        docnum = s.document_number(id=article_id)
        if docnum is None:
            return []
        # Whoosh's more_like: the article's key words, OR'ed with their weights as boosts;
        # ranked on the posting arrays instead of by Whoosh's matchers (10x faster).
        opening = s.stored_fields(docnum).get("body", "")[:MORE_LIKE_THIS_CHARS]
        words = s.key_terms_from_text("body", opening, numterms=12, normalize=False)
        if not words:
            return []
        q = query.Or([query.Term("body", word, boost=weight) for word, weight in words])
        found, scores = evaluate(s, q, self._postings, None)
        tables = self._tables(s)
        found[tables.group == tables.group[docnum]] = False  # itself and its own versions
        docs = np.flatnonzero(found)
        read = stored_fields_reader(s)
        return [self._hit(read(int(d)), score=float(scores[d])) for d in top(docs, scores[docs], limit)]

    def versions(self, article_id: str) -> list[Hit]:
        """The other articles of the article's near-duplicate group, oldest first (undated
        last, then in index order)."""
        s = self.searcher()
        stored = s.document(id=article_id)
        if not stored or not stored.get("group"):
            return []
        docs = np.array(sorted(d for d in s.docs_for_query(query.Term("group", stored["group"]))
                               if s.stored_fields(d)["id"] != article_id), dtype=np.int64)
        keys = self._tables(s).pubkey[docs] if len(docs) else docs
        order = np.lexsort((docs, np.where(keys > 0, keys, np.iinfo(np.int64).max)))
        read = stored_fields_reader(s)
        return [self._hit(read(int(d))) for d in docs[order]]

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        s = self.searcher()
        # Results are cached per index version: a repeated search (the front page, a
        # shared link, the next page's facets) costs a dictionary lookup.
        # The word lists too: an answer expanded or corrected with an older one is not kept.
        version = (self._build, s.reader().generation(), self._lexicons.stamp())
        keys = _request_keys(request)
        cached = self._results.get((*version, keys[0]))
        if cached is not None:
            return _thawed(cached)
        result = self._search(s, request, (*version, keys[1]))
        self._results.put((*version, keys[0]), _frozen(result))
        return result

    def _search(self, s, request: SearchRequest, counts_key: tuple) -> SearchResult:
        """`counts_key`: the index version and the part of the request the facet counts
        depend on."""
        tables, deadline = self._tables_and_deadline(s)
        user_q, terms, words = self._parse(s, request.query, tables, deadline)
        docs_matching = matching(s, user_q, request, tables, self._postings, words, deadline)
        docs = np.flatnonzero(docs_matching())
        # Counting is the costly part on big results and does not depend on the page or
        # the sort, so paging through a result or re-sorting it reuses the counts.
        summary = self._summaries.get(counts_key)
        if summary is None:
            facets, totals, dates = counts(request, docs_matching, docs, tables)
            # A worker's first searches wait a moment for the word list, then go on without
            # a suggestion while it is read.
            lexicon = self._lexicon(s, SUGGESTION_FIELD, wait=SUGGEST_SECONDS)
            suggestion = suggest(lexicon, request.query, user_q, deadline) if lexicon else None
            self._summaries.put(counts_key, _frozen((facets, totals, dates, suggestion)))
        else:
            facets, totals, dates, suggestion = _thawed(summary)
        # Facets and dates count articles; the ranked list and the total count groups.
        docs, versions = collapse(request, docs, tables, docs_matching.scores)
        hits = []
        if len(docs):
            page, scored = page_order(request, docs, tables, docs_matching.scores)
            scores = docs_matching.scores if scored else None
            read = stored_fields_reader(s)
            hits = [self._hit(read(int(d)), terms,
                              float(scores[d]) if scores is not None else None,
                              versions.get(int(d), 0))
                    for d in page]
        if time.monotonic() > deadline:
            raise policy.too_slow()
        return SearchResult(total=len(docs), hits=hits, facets=facets, facet_totals=totals,
                            dates=dates, suggestion=suggestion, match=docs_matching.match)

    def _parse(self, s, text: str, tables: Tables, deadline: float):
        """(query, words to mark, a plain query's Words) with wildcards, fuzzy words and
        ranges of words replaced by the words of the archive they stand for."""
        user_q, terms, words = parse(s, text, _held(tables))
        if expands(user_q):
            user_q = expand(user_q, lambda field: self._lexicon(s, field), deadline)
        return user_q, terms, words

    def _lexicon(self, s, field: str, wait: float | None = None):
        """The field's word list for the searcher's index version (see `lexicons`)."""
        version = (self._build, s.reader().generation())
        return self._lexicons.get(field, version, s, self._ix.searcher, wait)

    @staticmethod
    def _hit(stored: dict, terms: QueryTerms = NO_TERMS, score=None, versions: int = 0) -> Hit:
        return Hit(
            id=stored["id"], title=stored.get("title", ""), source=stored.get("location", ""),
            url=stored.get("url"), published=stored.get("pubstr"), indexed=stored.get("indexed"),
            publication=stored.get("publication"),
            snippet=snippet(stored.get("body", ""), terms),
            tags=stored.get("tags", []), score=score,
            title_derived=bool(stored.get("title_derived")),
            group=stored.get("group"), versions=versions,
        )

    # tables

    def _tables_and_deadline(self, s) -> tuple[Tables, float]:
        """The doc tables, then the time limit of a search starting now: the tables are
        built once per index version (seconds for a large merged segment), not by the
        query, so its limit starts after them."""
        tables = self._tables(s)
        return tables, search_deadline()

    def _tables(self, s) -> Tables:
        """Global doc tables for this searcher, from per-segment caches."""
        segments = [(offset, sub.reader()) for sub, offset in s.leaf_searchers()
                    if sub.reader().doc_count_all()]
        # Live counts change with deletions, which keep a segment's id.
        key = tuple((r.segment().segment_id(), r.doc_count()) for _o, r in segments)
        cached = getattr(self._local, "tables", None)
        if cached and cached[0] == key:
            return cached[1]
        parts = []
        for offset, reader in segments:
            seg_id = reader.segment().segment_id()
            seg_tables = self._segment_tables.get(seg_id)
            if seg_tables is None:
                seg_tables = build_segment_tables(reader)
                self._segment_tables[seg_id] = seg_tables
            parts.append((offset, reader, seg_tables))
        tables = global_tables(parts, s.doc_count_all())
        self._local.tables = (key, tables)
        # Segments merged away since are not coming back: drop their tables.
        current = {seg_id for seg_id, _live in key}
        with self._lock:
            for seg_id in [k for k in self._segment_tables if k not in current]:
                self._segment_tables.pop(seg_id, None)
        return tables


class WhooshWriter:
    """Writes whole files: a file's articles are replaced together, in one commit. A commit
    that changed the articles' text saves the index's word lists (`lexicons`)."""

    def __init__(self, ix, where, timeout: float = 0.0):
        self._ix, self._where, self._timeout = ix, Path(where), timeout
        self._w = self._open()
        self._texts_changed = False

    def _open(self):
        try:
            writer = self._ix.writer(timeout=self._timeout, limitmb=256)
        except LockError:
            raise IndexLocked(f"another process is writing to the index in {self._where}") from None
        # An index made by an older searchapp lacks the fields added since (such as
        # `publication`): they are added, so that its articles can be written again.
        for name, field in schema().items():
            if name not in writer.schema:
                writer.add_field(name, field)
        return writer

    def replace_file(self, file: str, file_hash: str, articles: Iterable[Article],
                     curate=None) -> int:
        """Replace the file's articles; `curate` gives each article's curated version."""
        self._w.delete_by_term("file", file)
        self._texts_changed = True
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        n = 0
        for article in articles:
            self._w.delete_by_term("id", article.id)
            shown = curate(article) if curate else article
            self._w.add_document(**self._fit(to_document(shown, file, file_hash, article.tags, now)))
            n += 1
        return n

    def update(self, doc: dict) -> None:
        self._w.update_document(**self._fit(doc))

    def _fit(self, doc: dict) -> dict:
        """The document without the fields an index made before them lacks (an index keeps
        the schema it was created with)."""
        return {k: v for k, v in doc.items() if k in self._w.schema}

    def remove_file(self, file: str) -> int:
        self._texts_changed = True
        return self._w.delete_by_term("file", file)

    def commit(self) -> None:
        self._w.commit()
        if self._texts_changed:
            # Not at checkpoints: each save reads every word again (seconds on a big index).
            with self._ix.searcher() as s:
                save_lexicons(s, self._where)

    def checkpoint(self) -> None:
        """Commit what is written so far and go on writing."""
        self._w.commit()
        self._w = self._open()

    def cancel(self) -> None:
        self._w.cancel()


class _Storage(FileStorage):
    """Whoosh's file storage, without memory-mapping, with its locks in `lock_file` (beside
    the index folder) when given."""

    def __init__(self, path: str, lock_file: Path | None):
        super().__init__(path, supports_mmap=False)
        self._lock_file = lock_file

    def lock(self, name):
        if self._lock_file is None:
            return super().lock(name)
        return FileLock(str(self._lock_file))


# -- helpers ----------------------------------------------------------------------------


def _held(tables: Tables):
    """facet -> the values the index holds (from the cached tables)."""
    return lambda facet: tables.facets[facet].values


def _leaves(reader):
    """The segment readers (an empty index has none)."""
    leaves = [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())
    return [(r, offset) for r, offset in leaves if r.doc_count_all()]


# Stored fields are read this many at a time in doc-number order (the order they lie in on
# disk), then given back in the export's order: nearby reads, a bounded batch in memory.
EXPORT_BATCH = 256


def _stored_in_order(s, order: np.ndarray) -> Iterator[Article]:
    read = stored_fields_reader(s)
    for start in range(0, len(order), EXPORT_BATCH):
        batch = [int(d) for d in order[start:start + EXPORT_BATCH]]
        stored = {d: read(d) for d in sorted(batch)}
        for d in batch:
            yield to_article(stored[d])


def _decode(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _frozen(value) -> bytes:
    """What a cache keeps of a result: its pickle, so that nothing a caller does to the
    result it was given changes the cache, and each later caller gets its own copy
    (`_thawed`). Pickling is several times faster than copy.deepcopy on results."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _thawed(frozen: bytes):
    return pickle.loads(frozen)


def _request_keys(request: SearchRequest) -> tuple[str, str]:
    """(the whole request's cache key, that of what its facet counts and date buckets
    depend on)."""
    fields = dataclasses.asdict(request)
    whole = json.dumps(fields, sort_keys=True, default=str)
    for name in ("page", "per_page", "sort", "group_versions"):
        fields.pop(name)
    return whole, json.dumps(fields, sort_keys=True, default=str)
