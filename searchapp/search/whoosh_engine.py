"""The Whoosh implementation of the search interface.

Design notes (measured, see the project notes on Whoosh):
- Facet counts come from a doc -> values table built once per segment from the
  postings and cached by segment id, then counted over the matching doc numbers.
  Whoosh's own grouping rebuilds that table on every search (~40x slower).
- Searchers are reused per thread and reopened only when the index changed.
- The total comes from the facet pass, so `len(results)` never forces a second pass.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import threading
import time
import uuid
from collections import OrderedDict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from whoosh import collectors, fields, index, query
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.qparser import (
    AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser, OrGroup)
from whoosh.qparser.dateparse import DateParserPlugin

import numpy as np

from ..model import FACETS, Article, Tag
from . import whoosh_fixes  # noqa: F401  (applies the fixes)
from .arrays import Evaluator, PostingsCache, TooSlow, Unsupported
from .snippets import snippet
from .tables import Tables, build_segment_tables, date_mask, global_tables
from . import (UNDATED, FacetCount, Hit, IndexLocked, N_, QueryError, SearchRequest,
               SearchResult, facet_value)

BUILD_FILE = "BUILD_ID"  # changes when --rebuild swaps a new index in
# Plain queries with more words than this are treated as questions: any word may
# match and articles matching more of them rank higher.
QUESTION_WORDS = 3
MAX_FUZZY_EDITS = 2  # more matches nearly every short word
# Fields a query may name; `exact` is internal (phrases are routed there).
QUERY_FIELDS = ("title", "body", "country", "person", "topic", "published")
# A librarian's edit waits this long for a running indexer to let go of the index.
RETAG_WAIT_SECONDS = 15.0
RESULT_CACHE_SIZE = 256
# A query still ranking after this long is refused with a message, well before the
# server's worker timeout (a runaway query must never become a 500).
MAX_SEARCH_SECONDS = 8.0
TOO_SLOW = N_("This search matches too much of the archive to rank in time: add a word, a "
              "phrase or a filter.")
# Questions: words in more than this share of articles are left out, and at most this
# many of the rarest words are kept.
QUESTION_COMMON_SHARE = 0.2
MAX_QUESTION_WORDS = 10
# What a new worker reads ahead (`warm`): each text field's most frequent words, in the
# background, until this much is cached or this much time has passed.
WARM_WORDS = 300
WARM_BYTES = 64 * 1024 * 1024
WARM_SECONDS = 20.0
WARM_MAX_WORD_BYTES = 4 * 1024 * 1024


STEMMED = StemmingAnalyzer()
# Phrases are matched on the words as written, stop words included, so that
# "bank of england" does not match "banks in England".
EXACT = StandardAnalyzer(stoplist=None)


def schema() -> fields.Schema:
    text = STEMMED
    facet = dict(stored=False, commas=True, lowercase=False, scorable=False)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        file=fields.ID(stored=True, sortable=True),
        file_hash=fields.ID(stored=True, sortable=True),
        source=fields.STORED,
        title=fields.TEXT(analyzer=text, stored=True, field_boost=2.0),
        # No positions in the stemmed body: phrases are answered by `exact`.
        body=fields.TEXT(analyzer=text, stored=True, phrase=False),
        # Title + body as written: "phrases", proximity, and the words for spelling suggestions.
        exact=fields.TEXT(analyzer=EXACT, stored=False),
        published=fields.DATETIME,  # for `published:[2019 to 2020]` in queries
        day=fields.NUMERIC(int, bits=32, sortable=True, default=0),  # yyyymmdd, 0 = undated
        pubkey=fields.NUMERIC(int, bits=64, sortable=True, default=0),  # yyyymmddHHMMSS
        undated=fields.NUMERIC(int, bits=32, sortable=True, default=0),  # 1 = undated
        country=fields.KEYWORD(**facet),
        person=fields.KEYWORD(**facet),
        topic=fields.KEYWORD(**facet),
        url=fields.STORED,
        byline=fields.STORED,
        language=fields.ID(stored=True),
        pubstr=fields.STORED,
        tags=fields.STORED,  # curated tags, shown
        raw_tags=fields.STORED,  # tags as ingested, before curation: curation is re-applied to these
        rawtag=fields.KEYWORD(commas=True, lowercase=False, scorable=False),  # "facet:value" of raw_tags
    )


# -- documents ---------------------------------------------------------------------


def parse_published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


def to_document(article: Article, file: str, file_hash: str, raw_tags: list[Tag] | None = None) -> dict:
    """`article` carries the curated tags; `raw_tags` the tags as ingested (default: the same)."""
    raw_tags = article.tags if raw_tags is None else raw_tags
    published = parse_published(article.published)
    doc = dict(
        id=article.id, file=file, file_hash=file_hash, source=article.source,
        title=article.title, body=article.body, exact=f"{article.title}\n{article.body}",
        url=article.url, byline=article.byline,
        language=article.language or "", pubstr=article.published,
        tags=[t.to_dict() for t in article.tags],
        raw_tags=[t.to_dict() for t in raw_tags],
        rawtag=",".join(f"{t.facet}:{t.value}".replace(",", " ") for t in raw_tags),
        day=int(published.strftime("%Y%m%d")) if published else 0,
        pubkey=int(published.strftime("%Y%m%d%H%M%S")) if published else 0,
        undated=0 if published else 1,
    )
    if published:
        doc["published"] = published
    for facet in FACETS:
        values = [v.replace(",", " ") for v in article.tag_values(facet)]
        if values:
            doc[facet] = ",".join(values)
    return doc


def to_article(stored: dict, raw: bool = False) -> Article:
    """The article as shown (curated tags), or with `raw` its tags as ingested."""
    tags = stored.get("raw_tags", stored.get("tags", [])) if raw else stored.get("tags", [])
    return Article(
        id=stored["id"], source=stored.get("source", ""), title=stored.get("title", ""),
        body=stored.get("body", ""), published=stored.get("pubstr"), url=stored.get("url"),
        byline=stored.get("byline"), language=stored.get("language") or None,
        tags=[Tag(**t) for t in tags],
    )


# -- highlighting --------------------------------------------------------------------


def highlight_terms(q) -> list[str]:
    """The query's words as stems of the body field (phrase words are stemmed too)."""
    terms = set()
    for field, text in q.iter_all_terms():
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if field in ("title", "body"):
            terms.add(text)
        elif field == "exact":
            terms.update(t.text for t in STEMMED(text))
    return sorted(terms)


# -- the index -----------------------------------------------------------------------


class WhooshIndex:
    """One on-disk index: search it, read its file manifest, write to it."""

    def __init__(self, index_dir: str | os.PathLike, create: bool = True):
        self.dir = Path(index_dir)
        self._local = threading.local()
        self._segment_tables: dict[str, object] = {}
        self._postings = PostingsCache()
        self._results: OrderedDict = OrderedDict()
        self._summaries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._ix, self._build = self._open(create)

    # opening

    def _open(self, create: bool):
        if not index.exists_in(self.dir):
            if not create:
                raise FileNotFoundError(f"no index in {self.dir}; run `searchapp index` first")
            self.dir.mkdir(parents=True, exist_ok=True)
            ix = FileStorage(str(self.dir), supports_mmap=False).create_index(schema())
            (self.dir / BUILD_FILE).write_text(uuid.uuid4().hex)
        else:
            ix = _open_dir(self.dir)
        return ix, self._read_build()

    def _read_build(self) -> str | None:
        try:
            return (self.dir / BUILD_FILE).read_text()
        except OSError:  # mid-swap: keep the index we have
            return None

    def searcher(self):
        """This thread's searcher, refreshed when the index changed or was swapped."""
        build = self._read_build()
        if build is not None and build != self._build:
            with self._lock:
                if build != self._build:
                    self._ix = _open_dir(self.dir)
                    self._build = build
                    self._segment_tables.clear()
                    self._postings.clear()
                    self._results.clear()
                    self._summaries.clear()
        s = getattr(self._local, "searcher", None)
        if s is None or s._ix is not self._ix or not s.up_to_date():
            # Not `s.refresh()`: Whoosh 2.7 reuses segment readers by segment id there, so
            # deletions made since (updated articles) would still show as live documents.
            if s is not None:
                s.close()
            s = self._ix.searcher()
        self._local.searcher = s
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

    # writing

    def writer(self, wait: float = 0.0) -> "WhooshWriter":
        """The index's one writer; waits up to `wait` seconds for another to finish."""
        return WhooshWriter(self._ix, self.dir, timeout=wait)

    # reading

    def get(self, article_id: str) -> Article | None:
        stored = self.searcher().document(id=article_id)
        return to_article(stored) if stored else None

    def ids_for(self, request: SearchRequest) -> list[str]:
        """Every article id matching the request (for bulk operations)."""
        request.validate()
        s = self.searcher()
        user_q, _, loose = self._parse(s, focus_question(s, request.query))
        matched = self._matching(s, user_q, request, self._tables(s), loose)()
        return [s.stored_fields(int(d))["id"] for d in np.flatnonzero(matched)]

    def ids_with_value(self, facet: str, value: str) -> list[str]:
        """Ids of articles that have the value now, or had it as ingested."""
        s = self.searcher()
        q = query.Or([query.Term(facet, value), query.Term("rawtag", f"{facet}:{value}")])
        return [s.stored_fields(d)["id"] for d in s.docs_for_query(q)]

    def retag(self, article_ids: list[str], get_curate) -> int:
        """Re-apply curation to the articles' ingested tags; returns how many changed.

        `get_curate()` is called only once this process holds the index's writer, so two
        librarians' concurrent edits are never written from a snapshot older than either.
        """
        if not article_ids:
            return 0
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
                writer.update(to_document(curated, stored["file"], stored["file_hash"], raw.tags))
                changed += 1
            writer.commit()
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
        readers = [sub.reader() for sub, _offset in s.leaf_searchers() if sub.reader().doc_count_all()]
        if not readers:
            return 0
        # The largest segment's most frequent words stand for the archive's.
        biggest = max(readers, key=lambda r: r.doc_count_all())
        evaluator = Evaluator(s, self._postings)
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
        words = s.key_terms([docnum], "body", numterms=12, normalize=False)
        if not words:
            return []
        q = query.Or([query.Term("body", word, boost=weight) for word, weight in words])
        found, scores = self._evaluate(s, q, None)
        found[docnum] = False
        docs = np.flatnonzero(found)
        return [self._hit(s, int(d), score=float(scores[d])) for d in _top(docs, scores[docs], limit)]

    def _matching(self, s, user_q, request: SearchRequest, tables: Tables, loose=None):
        """A function giving the matching documents (a mask over doc numbers) with every
        filter, or with every filter but one facet's (`skip`: facets are OR within).

        Filters are masks from the cached tables, computed before the query so that phrases
        check word positions only in documents that could still be shown. `loose` is the
        query to rank instead when the words of `user_q` never occur together.
        """
        base = tables.live.copy()
        for facet, values in request.exclude.items():
            docs = tables.facets[facet].docs_with(_facet_values(facet, values))
            base[docs] = False
        if request.date_from or request.date_to:
            lo = int(request.date_from.strftime("%Y%m%d")) if request.date_from else 1
            hi = int(request.date_to.strftime("%Y%m%d")) if request.date_to else 99991231
            base &= date_mask(tables.day, lo, hi, request.include_undated)
        selected = {}
        for facet in FACETS:
            values = _facet_values(facet, request.filters.get(facet, ()))
            if values:
                mask = np.zeros(tables.size, dtype=bool)
                mask[tables.facets[facet].docs_with(values)] = True
                selected[facet] = mask
        # A document counts if it passes every selection but at most one (OR within a facet).
        restrict = base
        if selected:
            passed = np.sum(list(selected.values()), axis=0)
            restrict = base & (passed >= len(selected) - 1)
        scores = None
        if not isinstance(user_q, query.Every):
            # Plain words (which may fall back to `loose`) are looked up in the whole archive:
            # "never together" means nowhere, not just under these filters.
            found, scores = self._evaluate(s, user_q, restrict if loose is None else None)
            if loose is not None and not found.any():
                found, scores = self._evaluate(s, loose, None)
            base = base & found

        def matching(skip: str | None = None) -> np.ndarray:
            docs = base
            for facet, mask in selected.items():
                if facet != skip:
                    docs = docs & mask
            return docs

        matching.filtered = set(selected)
        matching.scores = scores
        return matching

    def _evaluate(self, s, q, restrict):
        """(mask, scores) of the query over the index: on cached posting arrays, or by
        Whoosh itself for the parts those don't cover (wildcards, ranges, fuzzy words)."""
        try:
            deadline = time.monotonic() + MAX_SEARCH_SECONDS
            return Evaluator(s, self._postings, deadline).run(q, restrict)
        except Unsupported:
            pass
        except TooSlow:
            raise QueryError(TOO_SLOW) from None
        found = np.zeros(s.doc_count_all(), dtype=bool)
        scores = np.zeros(s.doc_count_all(), dtype=np.float64)
        by_doc = score_all(s, q)
        if by_doc:
            docs = np.fromiter(by_doc, dtype=np.int64, count=len(by_doc))
            found[docs] = True
            scores[docs] = np.fromiter(by_doc.values(), dtype=np.float64, count=len(by_doc))
        return found, scores

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        s = self.searcher()
        # Results are cached per index version: a repeated search (the front page, a
        # shared link, the next page's facets) costs a dictionary lookup.
        key = (self._build, s.reader().generation(), _request_key(request))
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return _copy(cached)
        result = self._search(s, request)
        with self._lock:
            self._results[key] = _copy(result)
            while len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        return result

    def _search(self, s, request: SearchRequest) -> SearchResult:
        user_q, terms, loose = self._parse(s, focus_question(s, request.query))
        tables = self._tables(s)
        matching = self._matching(s, user_q, request, tables, loose)
        matched = matching()
        docs = np.flatnonzero(matched)
        # Counting is the costly part on big results and does not depend on the page or
        # the sort, so paging through a result or re-sorting it reuses the counts.
        key = (self._build, s.reader().generation(), _request_key(request, counts_only=True))
        with self._lock:
            summary = self._summaries.get(key)
        if summary is None:
            summary = self._summarise(s, request, user_q, matching, docs, tables)
            with self._lock:
                self._summaries[key] = summary
                while len(self._summaries) > RESULT_CACHE_SIZE:
                    self._summaries.popitem(last=False)
        facets, totals, dates, suggestion = _copy(summary)
        hits = self._page(s, terms, request, docs, tables, matching.scores) if len(docs) else []
        return SearchResult(total=len(docs), hits=hits, facets=facets, facet_totals=totals,
                            dates=dates, suggestion=suggestion, terms=terms)

    def _summarise(self, s, request, user_q, matching, docs, tables) -> tuple:
        """(facet counts, distinct values per facet, date buckets, suggestion)."""
        facets, totals = {}, {}
        for facet in FACETS:
            facet_docs = np.flatnonzero(matching(facet)) if facet in matching.filtered else docs
            # Selected values are listed even when rare, so that they can be unticked.
            keep = set(_facet_values(facet, request.filters.get(facet, ())))
            totals[facet], ordered = tables.facets[facet].top(facet_docs, request.facet_limit, keep)
            facets[facet] = [FacetCount(v, n) for v, n in ordered]
        dates = _date_buckets(tables.day[docs], request.date_granularity)
        suggestion = self._suggest(s, request.query, user_q, len(docs))
        return facets, totals, dates, suggestion

    # query parsing

    def _parser(self, s, group=AndGroup):
        # The searcher's schema, not the index's: that one is re-read from disk, which
        # races with an indexer's commit.
        parser = MultifieldParser(["title", "body"], s.schema, group=group)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
        parser.add_plugin(DateParserPlugin(basedate=datetime.now(timezone.utc).replace(tzinfo=None)))
        return parser

    def _parse(self, s, text: str):
        """(query, words to highlight, the query with any word allowed or None)."""
        text = text.strip()
        if text in ("", "*", "*:*"):  # browse everything
            return query.Every(), [], None
        check_syntax(text)
        group = AndGroup
        if is_plain(text) and len(text.split()) > QUESTION_WORDS:
            group = OrGroup.factory(0.9)
        text = route_phrases(text)
        # `-word` excludes, as the help page says; Whoosh's parser would ignore the minus.
        text = re.sub(r"(^|[\s(])-(?=[^\s()\-])", r"\1NOT ", text)
        try:
            q = self._parser(s, group).parse(text)
        except OSError:  # the index, not the query: not the reader's mistake
            raise
        except Exception:  # whoosh raises many types on odd input; its words are not for readers
            if "published" in text:
                raise QueryError(N_("Could not understand the query: check its operators, "
                                    "brackets and ranges. Dates are written published:2019, "
                                    "published:2019-03-04 or published:[2019 to 2020].")) from None
            raise QueryError(N_("Could not understand the query: check its operators, brackets "
                                "and ranges.")) from None
        q = q.accept(_normalize_facet_terms)
        _refuse_broad_wildcards(q, s.reader())
        loose = None
        if group is AndGroup and is_plain(text) and len(text.split()) > 1:
            # A plain query whose words never occur together still gets ranked results.
            loose = self._parser(s, OrGroup.factory(0.9)).parse(text)
        return q, highlight_terms(q), loose

    def _suggest(self, s, text: str, q, total: int) -> str | None:
        """A corrected query when words are unknown to the archive and likely misspelt."""
        if not text.strip() or isinstance(q, query.Every):
            return None
        if total and len(text.split()) > QUESTION_WORDS:
            return None  # a question with results: unknown words are just not in the archive
        from . import MAX_CORRECTED_WORDS

        corrector = s.corrector("exact")
        # The searcher's own schema: the index's is re-read from disk, which an indexer may be
        # replacing at this very moment.
        analyzer = s.schema["body"].analyzer
        changed = False
        looked_up: dict[str, str | None] = {}  # each lookup walks the word list: few, once each

        def fix(m: re.Match) -> str:
            nonlocal changed
            word = m.group(0)
            stems = [t.text for t in analyzer(word.lower())]
            if not stems or any(s.doc_frequency("body", t) or s.doc_frequency("title", t)
                                for t in stems):
                return word
            key = word.lower()
            if key not in looked_up:
                if len(looked_up) >= MAX_CORRECTED_WORDS:
                    return word
                best = corrector.suggest(key, limit=1)
                looked_up[key] = best[0] if best else None
            best = looked_up[key]
            if not best:
                return word
            changed = True
            return best.capitalize() if word[:1].isupper() else best

        # Only free words: not operators, not field values, not inside phrases' syntax.
        corrected = re.sub(r"(?<![:\w*?~])(?!(?:AND|OR|NOT)\b)[A-Za-z]{3,}(?![:\w*?~])", fix, text)
        return corrected if changed else None

    # results

    def _page(self, s, terms: list[str], request: SearchRequest, docs: np.ndarray,
              tables: Tables, scores: np.ndarray | None) -> list[Hit]:
        """The requested page of `docs` (ascending doc numbers) in the requested order, with
        `terms` marked in the snippets."""
        start, end = (request.page - 1) * request.per_page, request.page * request.per_page
        if request.sort == "relevance" and scores is None:
            page = docs[start:end]  # browsing: nothing to rank, index order
            return [self._hit(s, int(d), terms) for d in page]
        if request.sort == "relevance":
            # Best first; equal scores in index order, so pages are stable.
            page = _top(docs, scores[docs], end)
            return [self._hit(s, int(d), terms, float(scores[d])) for d in page[start:end]]
        # By date, from the cached publication keys; undated articles (key 0) come last.
        keys = tables.pubkey[docs]
        if request.sort == "newest":
            page = _top(docs, keys, end)
        else:
            dated = keys > 0
            page = _top(docs[dated], -keys[dated], end)
            page = np.concatenate([page, docs[~dated][: end - len(page)]])
        return [self._hit(s, int(d), terms) for d in page[start:end]]

    def _hit(self, s, docnum: int, terms=(), score=None) -> Hit:
        stored = s.stored_fields(docnum)
        return Hit(
            id=stored["id"], title=stored.get("title", ""), source=stored.get("source", ""),
            url=stored.get("url"), published=stored.get("pubstr"),
            snippet=snippet(stored.get("body", ""), terms),
            tags=stored.get("tags", []), score=score,
        )

    # tables

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
    """Writes whole files: a file's articles are replaced together, in one commit."""

    def __init__(self, ix, where, timeout: float = 0.0):
        self._ix, self._where, self._timeout = ix, where, timeout
        self._w = self._open()

    def _open(self):
        try:
            return self._ix.writer(timeout=self._timeout, limitmb=256)
        except LockError:
            raise IndexLocked(f"another process is writing to the index in {self._where}") from None

    def replace_file(self, file: str, file_hash: str, articles: Iterable[Article],
                     curate=None) -> int:
        """Replace the file's articles; `curate` gives each article's curated version."""
        self._w.delete_by_term("file", file)
        n = 0
        for article in articles:
            self._w.delete_by_term("id", article.id)
            shown = curate(article) if curate else article
            self._w.add_document(**to_document(shown, file, file_hash, article.tags))
            n += 1
        return n

    def update(self, doc: dict) -> None:
        self._w.update_document(**doc)

    def remove_file(self, file: str) -> int:
        return self._w.delete_by_term("file", file)

    def commit(self) -> None:
        self._w.commit()

    def checkpoint(self) -> None:
        """Commit what is written so far and go on writing."""
        self._w.commit()
        self._w = self._open()

    def cancel(self) -> None:
        self._w.cancel()


# -- helpers ----------------------------------------------------------------------------


def _open_dir(path: Path):
    """Open without memory-mapping: Whoosh then reads what a query needs instead of
    mapping whole segments (measured on 215,000 articles: 0.14 GB resident per
    process instead of 2.7 GB)."""
    return FileStorage(str(path), supports_mmap=False).open_index()



def _leaves(reader):
    """The segment readers (an empty index has none)."""
    leaves = [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())
    return [(r, offset) for r, offset in leaves if r.doc_count_all()]


def _segment_ids(s):
    for sub, _offset in s.leaf_searchers():
        reader = sub.reader()
        if reader.doc_count_all():
            yield reader.segment().segment_id(), reader


def _decode(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _copy(value):
    """A deep copy (cached results must not change with what callers do to theirs): a
    pickle round trip is several times faster than copy.deepcopy on results."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _top(docs: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
    """The n docs with the largest keys, largest first; equal keys in doc order."""
    if len(docs) > n:
        kth = np.partition(keys, len(keys) - n)[len(keys) - n]
        keep = keys >= kth  # ties at the cut all stay, so the order below decides
        docs, keys = docs[keep], keys[keep]
    return docs[np.lexsort((docs, -keys))][:n]


def _facet_values(facet: str, values) -> list[str]:
    return [facet_value(facet, v) for v in values if v]


def _request_key(request: SearchRequest, counts_only: bool = False) -> str:
    fields = dataclasses.asdict(request)
    if counts_only:  # what the facet counts and date buckets depend on
        for name in ("page", "per_page", "sort"):
            fields.pop(name)
    return json.dumps(fields, sort_keys=True, default=str)


def _date_buckets(days: np.ndarray, granularity: str) -> list[FacetCount]:
    width = {"year": 10000, "month": 100, "day": 1}[granularity]
    keys, counts = np.unique(days // width, return_counts=True)
    out = [FacetCount(_bucket_label(int(k), granularity), int(n))
           for k, n in zip(keys, counts) if k]
    undated = int(counts[0]) if len(keys) and keys[0] == 0 else 0
    if undated:
        out.append(FacetCount(UNDATED, undated))
    return out


def _bucket_label(key: int, granularity: str) -> str:
    s = str(key)
    if granularity == "year":
        return s
    if granularity == "month":
        return f"{s[:4]}-{s[4:6]}"
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}"


def focus_question(s, text: str) -> str:
    """A long plain question keeps its informative words: words in more than
    QUESTION_COMMON_SHARE of the archive ("said", "year", "new") would match most
    articles, add little to the ranking and cost the most time."""
    words = text.split()
    if not is_plain(text) or len(words) <= QUESTION_WORDS:
        return text
    total = s.doc_count()
    if total < 1000:  # a small archive is cheap to search, and its shares mean little
        return text

    def share(word: str) -> float:
        stems = [t.text for t in STEMMED(word)]
        return max((s.doc_frequency("body", t) for t in stems), default=0) / total if stems else 1.0

    ranked = sorted(words, key=share)
    keep = {w for w in ranked[:MAX_QUESTION_WORDS] if share(w) <= QUESTION_COMMON_SHARE}
    if len(keep) < 2:  # a question of common words only: its rarest words still count
        keep = set(ranked[:3])
    return " ".join(w for w in words if w in keep)


class SearchTooSlow(Exception):
    pass


class _ScoreAll(collectors.ScoredCollector):
    """Every match with its score, in one pass; gives up past a deadline."""

    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline
        self.scores: dict[int, float] = {}

    def _collect(self, global_docnum, score):
        self.scores[global_docnum] = score
        if len(self.scores) % 2048 == 1 and time.monotonic() > self.deadline:  # from the first
            raise SearchTooSlow
        return 0 - score

    def results(self):  # not used: the caller reads `scores`
        return None


def score_all(s, q) -> dict[int, float]:
    collector = _ScoreAll(time.monotonic() + MAX_SEARCH_SECONDS)
    try:
        s.search_with_collector(q, collector)
    except SearchTooSlow:
        raise QueryError(TOO_SLOW) from None
    return collector.scores


def _normalize_facet_terms(q):
    """Country codes are stored upper-case; let `country:ru` work too."""
    if isinstance(q, query.Term) and q.fieldname == "country" and isinstance(q.text, str):
        return query.Term("country", q.text.upper(), boost=q.boost)
    return q


def _refuse_broad_wildcards(q, reader) -> None:
    """Refuse what would fail or cost too much to run, with a message for the reader.

    Too many fuzzy edits, one-letter wildcards, `body:*`, phrases on fields that keep no word
    positions, anything but dates on `published`, and wildcards, ranges and fuzzy words that
    stand for more than MAX_EXPANSION words of the archive together (counted on `reader`,
    stopping at the limit, before anything is searched).
    """
    from itertools import islice

    from . import MAX_EXPANSION

    budget = MAX_EXPANSION
    for node in q.leaves() if not q.is_leaf() else [q]:
        field = getattr(node, "fieldname", None)
        if isinstance(node, query.FuzzyTerm) and node.maxdist > MAX_FUZZY_EDITS:
            raise QueryError(N_("A fuzzy search allows at most %(most)d edits: write %(word)s~ "
                                "or %(word)s~2."), most=MAX_FUZZY_EDITS, word=node.text)
        if isinstance(node, query.FuzzyTerm) and node.prefixlength > len(node.text):
            raise QueryError(N_("In %(word)s~%(edits)d/%(kept)d the part kept as written (after /) "
                                "is longer than the word '%(word)s'."), word=node.text,
                             edits=node.maxdist, kept=node.prefixlength)
        stem = ""
        if isinstance(node, (query.Prefix, query.Wildcard)):
            stem = re.split(r"[*?]", node.text, maxsplit=1)[0]
            if len(stem) < 2:
                written = node.text + ("*" if isinstance(node, query.Prefix) else "")
                raise QueryError(N_("The wildcard %(word)r is too broad: give at least two "
                                    "letters before * or ?."), word=written)
        if field == "published" and not isinstance(node, query.NumericRange):
            raise QueryError(N_("published: takes a date: published:2019, published:2019-03, "
                                "published:2019-03-04 or published:[2019 to 2020]."))
        if isinstance(node, query.Every) and field in ("title", "body", "exact"):
            raise QueryError(N_("%(field)s:* matches every article: leave the search box empty "
                                "to browse the whole archive."), field=field)
        if isinstance(node, query.Phrase) and not reader.schema[field].format.supports("positions"):
            raise QueryError(N_('A phrase cannot be searched in %(field)s: write it on its own, '
                                'e.g. "bank of england", or in the title, '
                                'title:"bank of england".'), field=field)
        if isinstance(node, query.MultiTerm):
            # A wildcard reads every word that starts like it; the others, the words they match.
            words = (reader.expand_prefix(field, stem) if isinstance(node, query.Wildcard)
                     else node.expanded_terms(reader))
            budget -= sum(1 for _ in islice(words, budget + 1))
            if budget < 0:
                if isinstance(node, query.TermRange):
                    shown = f"[{node.start or ''} TO {node.end or ''}]"
                elif isinstance(node, query.FuzzyTerm):
                    shown = f"{node.text}~{node.maxdist}"
                else:
                    shown = node.text + ("*" if isinstance(node, query.Prefix) else "")
                raise QueryError(
                    N_("%(shown)r stands for too many words of the archive (more than %(most)d "
                       "with the query's other wildcards, ranges and fuzzy words): give more "
                       "letters or a narrower range."), shown=shown, most=MAX_EXPANSION)


_PHRASE = re.compile(r'(^|[\s(\-+])(?:body:)?"([^"]*)"')


def route_phrases(text: str) -> str:
    """Send "phrases" with no field, or on the body, to the exact-words field."""
    return _PHRASE.sub(lambda m: f'{m.group(1)}exact:"{m.group(2)}"', text)


_OPERATORS = re.compile(r'["():*?~\[\]{}^+]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|(^|\s)-\w')


def is_plain(text: str) -> bool:
    """No operators, quotes, fields or wildcards: just words."""
    return not _OPERATORS.search(text)


_FIELD_EXAMPLES = {"title": "sanctions", "body": "sanctions", "country": "RU",
                   "person": '"Sergey Lavrov"', "topic": "diplomacy", "published": "[2019 to 2020]"}


def check_syntax(text: str) -> None:
    """Catch the mistakes Whoosh would silently turn into a different query."""
    if text.count('"') % 2:
        raise QueryError(N_('A quotation mark is not closed: phrases go between two " marks.'))
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError(N_("A closing parenthesis ')' has no opening '('."))
    if depth:
        raise QueryError(N_("A parenthesis '(' is not closed."))
    if text.count("[") != text.count("]"):
        raise QueryError(N_("A range must be closed: write it as [from TO to]."))
    if re.search(r"\b(AND|OR|NOT)\s*$", text) or re.match(r"^\s*(AND|OR)\b", text):
        raise QueryError(N_("An AND / OR / NOT operator is missing a word on one side."))
    if re.search(r"\*:", text):  # Whoosh reads `*:` as "every field" and mangles the rest
        raise QueryError(N_("Unknown field '*': use %(fields)s."), fields=", ".join(QUERY_FIELDS))
    # A field name starts with a letter; `10:30` is a time, `https://` an address.
    for m in re.finditer(r"(?<![\w:/])([^\W\d]\w*):(?!//)(\S?)", text):
        field, value = m.group(1), m.group(2)
        if field not in QUERY_FIELDS:
            raise QueryError(N_("Unknown field %(field)r: use %(fields)s."), field=field,
                             fields=", ".join(QUERY_FIELDS))
        if not value:
            raise QueryError(N_("The field '%(field)s' needs a value right after the colon, e.g. "
                                "%(field)s:%(example)s."), field=field,
                             example=_FIELD_EXAMPLES[field])
