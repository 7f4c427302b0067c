"""The SolrCloud engine: an archive in a Solr collection, behind the SearchEngine interface.

- The engine's collection name is an alias (see `admin`): opened, it uploads the configset
  and creates the collection and the alias when the cluster has none, so it works against
  an existing SolrCloud as well as the development cluster.
- Writing: a file's articles are all visible or none. Nothing becomes visible but by the
  writer's own commits (the configset has no soft commits and its hard autocommits open no
  searcher), and the writer holds the archive's write lock (`lease`) from start to end, so
  no other process commits in between. The writer keeps what it is given until the next
  checkpoint or commit, then sends each file as one update (delete the file's articles by
  query, add the new ones) and commits: `cancel` drops what was not sent, as Whoosh's does.
- Rebuild and restore fill a new collection and move the alias to it under the write lock;
  the old collection is deleted after. Snapshots are the stored documents (JSON Lines) and
  the journal mark in a folder: a restore writes them into a new collection.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ...model import Article
from ...processes import alive
from .. import Exported, Hit, JournalMark, SearchRequest, SearchResult
from .. import query as policy
from ..values import Held
from . import admin, lease
from .analysis import QueryTerms, highlighter
from .client import Nodes, SolrError
from .documents import STORED, again, facet_field, tags_of, to_article, to_document
from .translation import (
    FIELDS,
    Query,
    hit,
    plan_facets,
    quoted,
    result,
    search_params,
    span,
    user_query,
)

DEFAULT_SHARDS = 2
DEFAULT_REPLICAS = 1
RETAG_WAIT_SECONDS = 15.0
SWAP_WAIT_SECONDS = 300.0
PAGE = 5000  # documents per read when walking a whole result (cursorMark)
SEND_BATCH = 500  # documents per update request
SNAPSHOT_FILE = "documents.jsonl.gz"
SNAPSHOT_MARK = "journal.json"


# Articles read per request by an export (stored fields only: about 1 MB a request).
EXPORT_ROWS = 500
# An article page lists at most this many other versions of its story.
MAX_VERSIONS = 100


class SolrEngine:
    """One archive: the collection behind the alias `collection`."""

    def __init__(self, urls: list[str], collection: str = "searchapp", create: bool = True,
                 shards: int = DEFAULT_SHARDS, replicas: int = DEFAULT_REPLICAS,
                 nodes: Nodes | None = None, locked: bool = True):
        self.nodes = nodes or Nodes(urls)
        self.name, self.shards, self.replicas = collection, shards, replicas
        self._locked = locked
        self._made = 0
        if locked:
            lease.ensure_meta(self.nodes, replicas)
        self._open(create)

    # the collection

    def _open(self, create: bool) -> None:
        known = admin.aliases(self.nodes)
        if self.name in known or self.name in admin.collections(self.nodes):
            return
        if not create:
            raise FileNotFoundError(f"no collection {self.name!r} in the Solr cluster; "
                                    "run `searchapp index` first")
        target = self._new_collection()
        admin.point_alias(self.nodes, self.name, target)

    def _new_collection(self) -> str:
        self._made += 1
        name = admin.new_collection_name(self.name, os.getpid(), self._made)
        # Routed on the group: a group's versions share a shard, where Solr collapses them.
        admin.create_collection(self.nodes, name, self.shards, self.replicas, router_field="group")
        return name

    def collection(self) -> str:
        """The collection the alias names now (the name itself for a plain collection)."""
        return admin.aliases(self.nodes).get(self.name, self.name)

    def _lock(self) -> lease.WriteLock | lease.NoLock:
        return lease.WriteLock(self.nodes, self.name) if self._locked else lease.NoLock()

    def drop(self) -> None:
        """Delete the alias and its collection (tests, and people removing an archive)."""
        target = self.collection()
        if target != self.name:
            admin.delete_alias(self.nodes, self.name)
        admin.delete_collection(self.nodes, target)

    # reading

    def select(self, params: dict) -> dict:
        return self.nodes.post(f"/{self.name}/select", data=params)

    def _count(self, q: str = "*:*", fq: list[str] | None = None) -> int:
        answer = self.select({"q": q, "defType": "lucene", "fq": fq or [], "rows": 0})
        return int(answer["response"]["numFound"])

    def doc_count(self) -> int:
        return self._count()

    def _walk(self, params: dict, fields: str = "id") -> Iterator[dict]:
        """Every document of a query, in id order (a cursor: no deep paging)."""
        cursor = "*"
        while True:
            answer = self.select({**params, "fl": fields, "rows": PAGE, "sort": "id asc",
                                  "cursorMark": cursor})
            yield from answer["response"]["docs"]
            if answer["nextCursorMark"] == cursor:
                return
            cursor = answer["nextCursorMark"]

    def _terms(self, field: str) -> dict[str, int]:
        """Every value of a field with its number of articles."""
        facet = {"v": {"type": "terms", "field": field, "limit": -1, "refine": True}}
        answer = self.select({"q": "*:*", "rows": 0, "json.facet": json.dumps(facet)})
        return {b["val"]: b["count"] for b in answer.get("facets", {}).get("v", {}).get("buckets", [])}

    def indexed_files(self) -> dict[str, str]:
        """file key -> content hash of every indexed file."""
        return dict(state.split("\n", 1) for state in self._terms("file_state"))

    def articles_per_file(self) -> dict[str, int]:
        return self._terms("file")

    def _held(self) -> Held:
        cache: dict[str, list[str]] = {}

        def held(facet: str) -> list[str]:
            if facet not in cache:
                cache[facet] = list(self._terms(facet_field(facet)))
            return cache[facet]
        return held

    def _plan(self, words: list[str]) -> tuple[int, int]:
        """(how many of the words the archive holds, articles with every one)."""
        answer = self.select({"q": "*:*", "defType": "lucene", "rows": 0,
                              "json.facet": json.dumps(plan_facets(words))})
        counted = answer.get("facets", {})
        present = sum(1 for n in range(len(words)) if counted.get(f"w{n}", {}).get("count"))
        return present, int(counted.get("all", {}).get("count", 0))

    def _query(self, request: SearchRequest) -> Query:
        return user_query(request.query, request.all_words, self._plan, self._held())

    def _dated_span(self, request: SearchRequest):
        if request.date_from and request.date_to:
            return span(request, None, None)
        stats = {"lo": "min(day)", "hi": "max(day)"}
        answer = self.select({"q": "*:*", "rows": 0, "json.facet": json.dumps(stats)})
        counted = answer.get("facets", {})
        return span(request, counted.get("lo"), counted.get("hi"))

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        query = self._query(request)
        params = search_params(request, query, self._dated_span(request))
        try:
            answer = self.select(params)
        except SolrError as e:
            if e.status == 400:  # the query's syntax, as edismax read it
                raise policy.not_understood(request.query) from None
            raise
        return result(request, query, answer)

    def get(self, article_id: str) -> Article | None:
        # Local parameters ({!term}, {!mlt}) are read by the lucene parser only, not edismax.
        answer = self.select({"q": f"{{!term f=id}}{article_id}", "defType": "lucene",
                              "fl": FIELDS})
        docs = answer["response"]["docs"]
        return to_article(docs[0]) if docs else None

    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Similar articles, leaving out the article's own versions (see `versions`). Solr's
        MoreLikeThis component, not the {!mlt} parser: that one fetches the article by its
        id's shard, and articles are routed by their group."""
        article = self.get(article_id)
        if article is None:
            return []
        answer = self.select({"q": f"id:{quoted(article_id)}", "defType": "lucene",
                              "mlt": "true", "mlt.fl": "body", "mlt.mintf": 1, "mlt.mindf": 1,
                              "mlt.maxqt": 12, "mlt.count": limit + MAX_VERSIONS,
                              "fl": FIELDS + ",score", "rows": 1, "json.nl": "map"})
        similar = answer.get("moreLikeThis", {}).get(article_id, {}).get("docs", [])
        own = {article_id, *(h.id for h in self.versions(article_id))}
        return [hit(doc, None, scored=True) for doc in similar if doc["id"] not in own][:limit]

    def versions(self, article_id: str) -> list[Hit]:
        """The other articles of the article's near-duplicate group, oldest first (undated
        last)."""
        article = self.get(article_id)
        if article is None or not article.group:
            return []
        answer = self.select({"q": f"group:{quoted(article.group)}", "defType": "lucene",
                              "fq": f"-id:{quoted(article_id)}", "rows": MAX_VERSIONS,
                              "sort": "undated asc,pubkey asc,id asc", "fl": FIELDS})
        return [hit(doc, None) for doc in answer["response"]["docs"]]

    def highlighter(self, q: str) -> QueryTerms:
        return highlighter(q)

    def warm(self) -> int:
        """Solr warms its own caches; a first browse with facets reads what searches share."""
        self.search(SearchRequest())
        return 0

    def ids_for(self, request: SearchRequest) -> list[str]:
        request.validate()
        return [doc["id"] for doc in self._walk(self._matching(request))]

    def _matching(self, request: SearchRequest) -> dict:
        """The request's query and filters alone: no counts, snippets or spelling, and every
        version of a story (selections and exports hold articles, not groups)."""
        params = search_params(dataclasses.replace(request, group_versions=False),
                               self._query(request), None)
        return {k: v for k, v in params.items()
                if k in ("q", "fq", "defType", "mm", "q.op", "uf", "sort", "timeAllowed")
                or (k.startswith("f.") and k.endswith(".qf"))}

    def export(self, request: SearchRequest, limit: int) -> Exported:
        """The first `limit` matches in the request's order, as stored, read EXPORT_ROWS at a
        time; a bad query is refused here, before any is read."""
        request.validate()
        matching = self._matching(request)
        try:
            total = self.select({**matching, "rows": 0})["response"]["numFound"]
        except SolrError as e:
            if e.status == 400:
                raise policy.not_understood(request.query) from None
            raise
        return Exported(total, self._exported(matching, min(total, max(0, limit))))

    def _exported(self, matching: dict, wanted: int) -> Iterator[Article]:
        start = 0
        while start < wanted:
            rows = min(EXPORT_ROWS, wanted - start)
            docs = self.select({**matching, "fl": FIELDS, "start": start,
                                "rows": rows})["response"]["docs"]
            if not docs:
                return
            yield from (to_article(doc) for doc in docs)
            start += len(docs)

    def ids_with_value(self, facet: str, value: str) -> list[str]:
        """Ids of articles that have the value now, or had it as ingested."""
        q = f"{facet_field(facet)}:{quoted(value)} OR rawtag:{quoted(f'{facet}:{value}')}"
        return [doc["id"] for doc in self._walk({"q": q, "defType": "lucene"})]

    # the curation journal's mark

    def journal_mark(self) -> JournalMark:
        target = self.collection()
        return JournalMark(lease.journal_of(self.nodes, target), target)

    def acknowledge(self, change: int, since: JournalMark | None = None) -> bool:
        lock = self._lock().acquire(RETAG_WAIT_SECONDS)
        try:
            mark = self.journal_mark()
            if since is not None and (mark.index != since.index or mark.change != since.change):
                return False
            lease.set_journal(self.nodes, mark.index, change)
        finally:
            lock.release()
        return True

    # writing

    def writer(self, wait: float = 0.0) -> SolrWriter:
        return SolrWriter(self, self._lock().acquire(wait))

    def commit(self) -> None:
        self.nodes.post(f"/{self.name}/update", {"commit": "true", "waitSearcher": "true"},
                        json_body={})

    def send(self, files: list[tuple[int, str]]) -> None:
        """Update commands, each (documents, JSON members such as `"add": {...}`), in
        requests of about SEND_BATCH documents; one item's commands are never split, so a
        file's delete and adds arrive together."""
        batch: list[str] = []
        size = 0
        for n, commands in files:
            if batch and size + n > SEND_BATCH:
                self._post(batch)
                batch, size = [], 0
            batch.append(commands)
            size += n
        if batch:
            self._post(batch)

    def _post(self, commands: list[str]) -> None:
        body = "{" + ",".join(commands) + "}"
        self.nodes.post(f"/{self.name}/update", content=body.encode(),
                        content_type="application/json")

    def retag(self, article_ids: list[str], get_curate) -> int:
        """Re-apply curation to the articles' ingested tags; returns how many changed.
        Changed articles are sent a batch at a time and shown by one commit at the end; a
        retagging cut short leaves its entries pending, and applying them again is safe."""
        if not article_ids:
            return 0
        lock = self._lock().acquire(RETAG_WAIT_SECONDS)
        try:
            curate = get_curate()
            changed = 0
            for start in range(0, len(article_ids), SEND_BATCH):
                batch = self._curated(article_ids[start:start + SEND_BATCH], curate)
                self.send([(1, _add(doc)) for doc in batch])
                changed += len(batch)
            if changed:
                self.commit()
        finally:
            lock.release()
        return changed

    def _curated(self, article_ids: list[str], curate) -> list[dict]:
        """The documents of the articles whose curated tags differ from those shown."""
        out = []
        q = f"id:({' OR '.join(map(quoted, article_ids))})"
        for stored in self._walk({"q": q, "defType": "lucene"}, ",".join(STORED)):
            raw = to_article(stored, raw=True)
            curated = curate(to_article(stored, raw=True))
            if [t.to_dict() for t in curated.tags] != tags_of(stored):
                out.append(to_document(curated, stored["file"], stored["file_hash"], raw.tags,
                                       stored.get("indexed")))
        return out

    # rebuild, snapshot, restore

    @contextmanager
    def rebuild(self) -> Iterator[SolrEngine]:
        """A fresh collection, swapped in under the alias when the block ends well."""
        self._remove_leftovers()
        target = self._new_collection()
        try:
            yield SolrEngine([], target, nodes=self.nodes, locked=False)
        except BaseException:
            admin.delete_collection(self.nodes, target)
            raise
        self._swap_in(target)

    def _swap_in(self, target: str) -> None:
        lock = self._lock().acquire(SWAP_WAIT_SECONDS)
        try:
            old = self.collection()
            if old == self.name:  # a plain collection: an alias cannot share its name
                admin.delete_collection(self.nodes, old)
            admin.point_alias(self.nodes, self.name, target)
        finally:
            lock.release()
        if old != self.name:
            admin.delete_collection(self.nodes, old)

    def _remove_leftovers(self) -> None:
        """Collections of rebuilds and restores whose process died on this host."""
        current = self.collection()
        for name in admin.collections(self.nodes):
            pid = admin.leftover_owner(self.name, name)
            if pid is not None and name != current and not alive(pid):
                admin.delete_collection(self.nodes, name)

    def snapshot(self, dest: Path, wait: float = 30.0) -> int:
        """The stored documents and the journal mark, into the new folder `dest`, while no
        writer may start; returns the number of articles."""
        dest = Path(dest)
        dest.mkdir(parents=True)
        lock = self._lock().acquire(wait)
        try:
            n = 0
            with gzip.open(dest / SNAPSHOT_FILE, "wt", encoding="utf-8") as out:
                for doc in self._walk({"q": "*:*"}, ",".join(STORED)):
                    out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                    n += 1
            mark = self.journal_mark().change
        finally:
            lock.release()
        (dest / SNAPSHOT_MARK).write_text(json.dumps({"journal": mark, "articles": n}))
        return n

    def restore_from(self, src: Path) -> int:
        """Replace the archive with the snapshot in `src` (a new collection, swapped in)."""
        src = Path(src)
        mark = json.loads((src / SNAPSHOT_MARK).read_text())  # a broken copy fails here first
        with self.rebuild() as fresh:
            with gzip.open(src / SNAPSHOT_FILE, "rt", encoding="utf-8") as lines:
                batch = []
                for line in lines:
                    batch.append((1, _add(again(json.loads(line)))))
                    if len(batch) == SEND_BATCH:
                        fresh.send(batch)
                        batch = []
                fresh.send(batch)
            fresh.commit()
            lease.set_journal(self.nodes, fresh.name, int(mark["journal"]))
        return self.doc_count()


class SolrWriter:
    """Writes whole files; what it is given is sent and committed at each checkpoint and
    at the commit, a file in one request, so a file's articles are all visible or none."""

    def __init__(self, engine: SolrEngine, lock):
        self._engine, self._lock = engine, lock
        self._files: list[tuple[int, str]] = []  # (documents, update commands) per file

    def replace_file(self, file: str, file_hash: str, articles: Iterable[Article],
                     curate=None) -> int:
        """Replace the file's articles; `curate` gives each article's curated version."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        commands = [_delete_file(file)]
        for article in articles:
            shown = curate(article) if curate else article
            commands.append(_add(to_document(shown, file, file_hash, article.tags, now)))
        self._files.append((len(commands), ",".join(commands)))
        return len(commands) - 1

    def remove_file(self, file: str) -> int:
        n = self._engine._count(f"file:{quoted(file)}")
        self._files.append((1, _delete_file(file)))
        return n

    def _flush(self) -> None:
        self._engine.send(self._files)
        self._files = []
        self._engine.commit()

    def checkpoint(self) -> None:
        """Send and commit what is written so far, and go on writing."""
        self._flush()

    def commit(self) -> None:
        try:
            self._flush()
        finally:
            self._lock.release()

    def cancel(self) -> None:
        self._files = []
        self._lock.release()


def _add(doc: dict) -> str:
    return '"add":' + json.dumps({"doc": doc})


def _delete_file(file: str) -> str:
    return '"delete":' + json.dumps({"query": f"file:{quoted(file)}"})
