"""Librarians' curation: tag edits, renames, merges and deletions of values, bulk tagging,
vocabularies, audit and undo.

The database holds the decisions; `Snapshot.apply` turns an article's tags as ingested
into its curated tags. Ingest calls it for every article, so curation survives every
re-index and rebuild. Each change is one audit entry that records the rows it touched
before and after, so any change can be undone while no later change touched the same rows.
The audit entries are also the journal through which changes reach the index
(searchapp.journal): a small change is applied at once and acknowledged by the index; a
big one (a bulk tagging) becomes a background job; whatever could not be applied (an
indexer or a backup held the index, the process was killed) stays pending until the next
catch-up: a librarian's request, a server start or an indexer run.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from . import journal
from .crosswalk import FACETS as CROSSWALK_FACETS
from .crosswalk import Crosswalk, normal_code, source_code
from .db import connect, db_path, transaction
from .model import FACETS, Article, Tag
from .search import N_
from .tagging import merge_tags
from .tagging.labels import taxonomy_labels, topic_label
from .tagging.normalize import normalize_tag
from .tagging.persons import load_authority
from .tagging.topics import load_taxonomy, validate_taxonomy

MAX_MERGE_CHAIN = 20
VOCABULARIES = ("persons", "topics")
# A change touching more articles than this is applied to the index by a background job,
# so that no request (and no worker timeout) can cut it in half.
JOB_ARTICLES = 200

log = logging.getLogger(__name__)


class CurationError(ValueError):
    """A change that cannot be made; the message is meant for the librarian.

    `template` (marked with N_, %-style with named `params`) is kept so that the web layer
    can show the message in the reader's language; str() gives it in English.
    """

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class Snapshot:
    """The curation state at one moment, ready to apply to many articles."""

    merges: dict[tuple[str, str], tuple[str, str]]  # (facet, from) -> (to, label)
    edits: dict[str, list[tuple[str, str, str, str]]]  # article id -> [(facet, value, label, state)]
    deleted: frozenset[tuple[str, str]] = frozenset()  # (facet, value) deleted everywhere
    # Maps a source's own codes (Reuters' `wheat`) onto the product's values first; None
    # leaves source codes as they are.
    crosswalk: Crosswalk | None = None

    def resolve(self, facet: str, value: str) -> tuple[str, str] | None:
        seen = 0
        target = None
        while (facet, value) in self.merges and seen < MAX_MERGE_CHAIN:
            value, label = self.merges[(facet, value)]
            target = (value, label)
            seen += 1
        return target

    def is_deleted(self, facet: str, value: str) -> bool:
        """Whether the value, or a value it is merged into, was deleted everywhere."""
        for _ in range(MAX_MERGE_CHAIN + 1):
            if (facet, value) in self.deleted:
                return True
            if (facet, value) not in self.merges:
                return False
            value = self.merges[(facet, value)][0]
        return False

    def apply(self, article: Article) -> Article:
        if self.crosswalk is not None:
            article = self.crosswalk.apply(article)
        tags = []
        for tag in article.tags:
            if tag.facet not in FACETS:
                tags.append(tag)
                continue
            if self.is_deleted(tag.facet, tag.value):
                continue
            target = self.resolve(tag.facet, tag.value)
            tags.append(replace(tag, value=target[0], label=target[1]) if target else tag)
        # After the deletions: a librarian's own later addition to one article holds.
        for facet, value, label, state in self.edits.get(article.id, ()):
            if state == "removed":
                tags = [t for t in tags if (t.facet, t.value) != (facet, value)]
            else:
                tags.append(Tag(facet, value, label, "librarian"))
        return replace(article, tags=merge_tags(tags))


def _merges(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["facet"], r["from_value"]): (r["to_value"], r["to_label"])
            for r in conn.execute("SELECT * FROM value_merges")}


def _deletions(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    return frozenset((r["facet"], r["value"]) for r in conn.execute("SELECT * FROM value_deletions"))


def snapshot(conn: sqlite3.Connection) -> Snapshot:
    merges = _merges(conn)
    edits: dict[str, list] = {}
    for r in conn.execute("SELECT * FROM tag_edits ORDER BY rowid"):
        edits.setdefault(r["article_id"], []).append((r["facet"], r["value"], r["label"], r["state"]))
    return Snapshot(merges, edits, _deletions(conn), Crosswalk.load(conn))


# -- row-level change records (for audit and undo) -----------------------------------------

def _get(conn, table: str, key: dict) -> dict | None:
    where = " AND ".join(f"{k} = ?" for k in key)
    row = conn.execute(f"SELECT * FROM {table} WHERE {where}", tuple(key.values())).fetchone()
    return dict(row) if row else None


def _put(conn, table: str, key: dict, row: dict | None) -> None:
    where = " AND ".join(f"{k} = ?" for k in key)
    conn.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
    if row is not None:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))


class Change:
    """Collects the rows one operation touches, with their before and after states."""

    def __init__(self, conn):
        self.conn = conn
        self.rows: list[dict] = []
        self.articles: set[str] = set()
        self.values: set[tuple[str, str]] = set()  # (facet, value) whose articles need re-tagging

    def put(self, table: str, key: dict, row: dict | None) -> None:
        before = _get(self.conn, table, key)
        if before == row:
            return
        _put(self.conn, table, key, row)
        self.rows.append({"table": table, "key": key, "before": before, "after": row})

    def to_json(self) -> str:
        return json.dumps({"rows": self.rows, "articles": sorted(self.articles),
                           "values": sorted(self.values)})


# -- the curator ---------------------------------------------------------------------------------


class Curator:
    """Curation operations; `index` (optional) is re-tagged at once after each change."""

    def __init__(self, conn: sqlite3.Connection, index=None, job_articles: int | None = None):
        self.conn = conn
        self.index = index
        self.job_articles = JOB_ARTICLES if job_articles is None else job_articles

    def snapshot(self) -> Snapshot:
        return snapshot(self.conn)

    # single tags

    def add_tag(self, user_id: int, article_id: str, facet: str, value: str) -> dict:
        tag = self._tag(facet, value)
        return self._record(user_id, "add_tag", f"added {facet} {tag.label!r} to {article_id}",
                            lambda ch: self._edit(ch, article_id, tag, "added"))

    def remove_tag(self, user_id: int, article_id: str, facet: str, value: str) -> dict:
        tag = self._tag(facet, value)
        return self._record(user_id, "remove_tag",
                            f"removed {facet} {tag.label!r} from {article_id}",
                            lambda ch: self._edit(ch, article_id, tag, "removed"))

    def _edit(self, ch: Change, article_id: str, tag: Tag, state: str) -> None:
        key = {"article_id": article_id, "facet": tag.facet, "value": tag.value}
        ch.put("tag_edits", key, {**key, "label": tag.label, "state": state})
        ch.articles.add(article_id)

    # values everywhere

    def merge(self, user_id: int, facet: str, from_value: str, to_value: str) -> dict:
        """Rename a value, or merge it into another one, in every article."""
        source, target = self._tag(facet, from_value), self._tag(facet, to_value)
        if source.value == target.value:
            raise CurationError(N_("A value cannot be merged into itself."))

        def do(ch: Change):
            # In the change's transaction: two merges made at once cannot close a loop.
            _refuse_a_merge_loop(_merges(self.conn), facet, source, target)
            _refuse_a_deleted_value(self.snapshot(), facet, source, target)
            key = {"facet": facet, "from_value": source.value}
            ch.put("value_merges", key, {**key, "to_value": target.value, "to_label": target.label})
            # Librarians' own edits follow the value to its new name.
            for row in self.conn.execute("SELECT * FROM tag_edits WHERE facet = ? AND value = ?",
                                         (facet, source.value)).fetchall():
                old = {"article_id": row["article_id"], "facet": facet, "value": source.value}
                new = {**old, "value": target.value}
                ch.put("tag_edits", old, None)
                ch.put("tag_edits", new, {**new, "label": target.label, "state": row["state"]})
                ch.articles.add(row["article_id"])
            ch.values.update({(facet, source.value), (facet, target.value)})

        verb = "merged" if self._value_exists(facet, target.value) else "renamed"
        return self._record(user_id, "merge", f"{verb} {facet} {source.label!r} into "
                            f"{target.label!r}", do)

    def delete_value(self, user_id: int, facet: str, value: str) -> dict:
        """Remove a value from every article, whatever put it there, now and at every ingest."""
        tag = self._tag(facet, value)

        def do(ch: Change):
            if self.snapshot().is_deleted(facet, tag.value):
                raise CurationError(N_("“%(label)s” is already deleted everywhere."), label=tag.label)
            key = {"facet": facet, "value": tag.value}
            ch.put("value_deletions", key, {**key, "label": tag.label})
            # Librarians' additions go too; undo brings them back with the rest.
            for row in self.conn.execute("SELECT * FROM tag_edits WHERE facet = ? AND value = ? "
                                         "AND state = 'added'", (facet, tag.value)).fetchall():
                ch.put("tag_edits", {"article_id": row["article_id"], "facet": facet,
                                     "value": tag.value}, None)
                ch.articles.add(row["article_id"])
            # Re-tag by every value that shows as this one, so that undo, when no article
            # shows the value any more, still finds them (by their tags as ingested).
            ch.values.update((facet, v) for v in _shown_as(self.conn, facet, tag.value))

        return self._record(user_id, "delete_value", f"deleted {facet} {tag.label!r} everywhere", do)

    def bulk_tag(self, user_id: int, article_ids: Iterable[str], facet: str, value: str) -> dict:
        tag = self._tag(facet, value)
        ids = list(dict.fromkeys(article_ids))

        def do(ch: Change):
            for article_id in ids:
                self._edit(ch, article_id, tag, "added")

        return self._record(user_id, "bulk_tag",
                            f"tagged {len(ids)} articles with {facet} {tag.label!r}", do)

    # vocabularies

    def vocabulary(self, name: str) -> list[dict] | None:
        """The librarians' version of a vocabulary, or None while the shipped file is used."""
        stored = stored_vocabulary(self.conn, name)
        return stored["entries"] if stored else None

    def set_vocabulary(self, user_id: int, name: str, content: list[dict]) -> dict:
        validate_vocabulary(name, content)
        text = json.dumps(content, ensure_ascii=False, indent=1)
        return self._record(user_id, "vocabulary", f"edited the {name} vocabulary",
                            lambda ch: ch.put("vocabularies", {"name": name},
                                              {"name": name, "content": text,
                                               "updated": _now(self.conn)}))

    # the crosswalk from sources' codes

    def map_code(self, user_id: int, source: str, facet: str, code: str,
                 value: str | None) -> dict:
        """Map a source's code onto a value of the product (None: onto nothing, and the code
        waits for a librarian); the articles holding the code are re-tagged."""
        code = normal_code(code or "")
        if facet not in CROSSWALK_FACETS:
            raise CurationError(N_("Unknown facet %(facet)r: use one of %(facets)s."),
                                facet=facet, facets=", ".join(CROSSWALK_FACETS))
        if not code or not (source or "").strip():
            raise CurationError(N_("A mapping needs a source and a code."))
        target = self._crosswalk_target(facet, value) if value and value.strip() else None

        def do(ch: Change):
            key = {"source": source, "facet": facet, "code": code}
            ch.put("crosswalk_edits", key, {**key, "value": target.value if target else None})
            ch.put("crosswalk_waiting", key, None if target else self._waiting_row(key))
            ch.values.add((facet, source_code(source, code)))

        summary = (f"mapped {source} {facet} code {code!r} to {target.label!r}" if target
                   else f"unmapped {source} {facet} code {code!r}")
        return self._record(user_id, "crosswalk", summary, do)

    def _crosswalk_target(self, facet: str, value: str) -> Tag:
        """The product's value a code maps onto: a concept of the taxonomy in effect (by id
        or label), or a person's name."""
        if facet != "topic":
            return self._tag(facet, value)
        wanted = " ".join(value.split())
        for topic in vocabulary_in_effect(self.conn, "topics"):
            if wanted in (topic["id"], topic["label"]) or wanted.lower() == topic["label"].lower():
                return Tag("topic", topic["id"], topic["label"], "librarian")
        raise CurationError(N_("%(value)r is not a concept of the taxonomy."), value=value)

    def _waiting_row(self, key: dict) -> dict | None:
        """The waiting list's row for a code left without a mapping (None: no article has it)."""
        before = _get(self.conn, "crosswalk_waiting", key)
        ids = (self.index.ids_with_value(key["facet"], source_code(key["source"], key["code"]))
               if self.index is not None else [])
        if not ids:
            return before
        return {**key, "articles": len(ids), "example": ids[0], "seen": _now(self.conn)}

    # audit and undo

    def log(self, limit: int = 100) -> list[dict]:
        rows = self.conn.execute(
            "SELECT audit.*, users.name AS user, jobs.audit_id IS NOT NULL AS job FROM audit "
            "LEFT JOIN users ON users.id = user_id LEFT JOIN jobs ON jobs.audit_id = audit.id "
            "ORDER BY audit.id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def entry(self, audit_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)).fetchone()
        return dict(row) if row else None

    def undo(self, user_id: int, audit_id: int) -> dict:
        entry = self.conn.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)).fetchone()
        if entry is None:
            raise CurationError(N_("There is no change number %(id)d."), id=audit_id)
        if entry["undone_by"]:
            raise CurationError(N_("That change has already been undone."))
        recorded = json.loads(entry["change"])

        def do(ch: Change):
            for row in reversed(recorded["rows"]):
                if _get(self.conn, row["table"], row["key"]) != row["after"]:
                    raise CurationError(
                        N_("A later change touched the same tags; undo that one first."))
                ch.put(row["table"], row["key"], row["before"])
            ch.articles.update(recorded["articles"])
            ch.values.update(tuple(v) for v in recorded["values"])

        result = self._record(user_id, "undo", f"undid change {audit_id}: {entry['summary']}", do,
                              undoes=audit_id)
        return result

    # plumbing

    def _record(self, user_id, action, summary, do, undoes=None) -> dict:
        """Record the change and its audit entry in one transaction, then apply it to the
        index: at once when it is small, by a background job (`job` in the result) when not."""
        ch = Change(self.conn)
        with transaction(self.conn):
            do(ch)
            cur = self.conn.execute(
                "INSERT INTO audit (user_id, action, summary, change, undoes) VALUES (?, ?, ?, ?, ?)",
                (user_id, action, summary, ch.to_json(), undoes))
            audit_id = cur.lastrowid
            assert audit_id is not None  # an INSERT's row id
            if undoes:
                self.conn.execute("UPDATE audit SET undone_by = ? WHERE id = ?", (audit_id, undoes))
            size = self._size(ch)
            if size > self.job_articles:
                journal.add_job(self.conn, audit_id, size)
        result = {"id": audit_id, "summary": summary, "rows": len(ch.rows), "retagged": 0,
                  "job": audit_id if size > self.job_articles else None}
        if result["job"] is None:
            result["retagged"] = self._apply_now(ch, audit_id)
        return result

    def _size(self, ch: Change) -> int:
        """About how many articles the change re-tags."""
        size = len(ch.articles)
        if self.index is not None:
            size += sum(len(self.index.ids_with_value(f, v)) for f, v in ch.values)
        return size

    def _apply_now(self, ch: Change, audit_id: int) -> int:
        """Apply the pending entries up to this one; when a job ahead of it is still
        running, re-tag this change's articles anyway (it stays pending until the job is
        done, and is then acknowledged with the rest)."""
        if self.index is None:
            return 0
        done = self.catch_up(stop_at_jobs=True)
        if self.index.journal_mark().change >= audit_id:
            return done.changed
        return self.retag(ch)

    def catch_up(self, claim: bool = True, stop_at_jobs: bool = False) -> journal.Progress:
        """Apply the journal's pending entries to the index (see journal.apply_pending)."""
        return journal.apply_pending(self.conn, self.index, lambda: self.snapshot().apply,
                                     claim=claim, stop_at_jobs=stop_at_jobs)

    def retag(self, ch: Change) -> int:
        if self.index is None or not (ch.articles or ch.values):
            return 0
        ids = set(ch.articles)
        for facet, value in ch.values:
            ids.update(self.index.ids_with_value(facet, value))
        return self.index.retag(sorted(ids), lambda: self.snapshot().apply)

    def last_change(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]

    def _value_exists(self, facet: str, value: str) -> bool:
        return bool(self.index and self.index.ids_with_value(facet, value))

    def _tag(self, facet: str, value: str) -> Tag:
        """The librarian's tag, labelled as ingest labels it (the edited taxonomy's topics too)."""
        tag = canonical_tag(facet, value)
        if facet == "topic":
            tag = replace(tag, label=topic_label(tag.value, topics=topic_labels(self.conn)))
        return tag


def _refuse_a_merge_loop(merges, facet: str, source: Tag, target: Tag) -> None:
    """Merging `source` into `target` must not lead back to `source` through the merges
    already made (A into B, B into C, then C into A): its articles would have no value."""
    value, seen = target.value, set()
    while (facet, value) in merges and value not in seen:
        seen.add(value)
        value = merges[(facet, value)][0]
        if value == source.value:
            raise CurationError(N_("%(target)r is already merged into %(source)r."),
                                target=target.label, source=source.label)


def _refuse_a_deleted_value(snap: Snapshot, facet: str, *tags: Tag) -> None:
    """A merge into (or of) a deleted value would silently empty or fill a deleted value."""
    for tag in tags:
        if snap.is_deleted(facet, tag.value):
            raise CurationError(N_("“%(label)s” is deleted everywhere: undo its deletion first."),
                                label=tag.label)


def _shown_as(conn: sqlite3.Connection, facet: str, value: str) -> set[str]:
    """The values, as ingested, that show as `value`: itself, the values merged into it, and
    the source codes the crosswalk maps onto any of them."""
    values = _merged_into(_merges(conn), facet, value)
    codes = {source_code(m.source, m.code) for m in Crosswalk.load(conn).mappings()
             if m.facet == facet and m.value in values}
    return values | codes


def _merged_into(merges, facet: str, value: str) -> set[str]:
    """The value and every value merged into it, directly or through other merges."""
    values, grew = {value}, True
    while grew:
        more = {f for (fa, f), (to, _) in merges.items() if fa == facet and to in values}
        grew = not more <= values
        values |= more
    return values


def canonical_tag(facet: str, value: str) -> Tag:
    """The canonical tag of a value a person typed; CurationError says why there is none."""
    if facet not in FACETS:
        raise CurationError(N_("Unknown facet %(facet)r: use one of %(facets)s."), facet=facet,
                            facets=", ".join(FACETS))
    tag = normalize_tag(facet, value or "", "librarian")
    if tag is None and value:
        raise CurationError(N_("%(value)r is not a known %(facet)s."), value=value, facet=facet)
    if tag is None:
        raise CurationError(N_("The value is empty."))
    return tag


def _now(conn) -> str:
    return conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]


# -- vocabularies ----------------------------------------------------------------------------


def stored_vocabulary(conn: sqlite3.Connection, name: str) -> dict | None:
    """{"entries", "updated"} of the librarians' version of a vocabulary, or None."""
    row = conn.execute("SELECT content, updated FROM vocabularies WHERE name = ?",
                       (name,)).fetchone()
    return {"entries": json.loads(row["content"]), "updated": row["updated"]} if row else None


def shipped_vocabulary(name: str) -> list[dict]:
    """A fresh copy of the vocabulary file that ships with searchapp."""
    return json.loads(_shipped_json(name))


@cache
def _shipped_json(name: str) -> str:
    entries = load_authority() if name == "persons" else load_taxonomy()
    return json.dumps(entries, ensure_ascii=False)


def vocabulary_in_effect(conn: sqlite3.Connection, name: str) -> list[dict]:
    """The vocabulary the next ingest uses: the librarians' version, else the shipped one."""
    stored = stored_vocabulary(conn, name)
    return stored["entries"] if stored else shipped_vocabulary(name)


def topic_labels(conn: sqlite3.Connection) -> dict[str, str] | None:
    """id -> label of the librarians' taxonomy, or None while the shipped one is used."""
    row = conn.execute("SELECT content FROM vocabularies WHERE name = 'topics'").fetchone()
    return _parsed_labels(row["content"]) if row else None


# Every page that shows a topic asks: the stored text is read each time (it may have changed
# in another process), parsed only when it is new.
@lru_cache(maxsize=4)
def _parsed_labels(content: str) -> dict[str, str]:
    return taxonomy_labels(json.loads(content))


def validate_vocabulary(name: str, content) -> None:
    if not isinstance(content, list) or not all(isinstance(e, dict) for e in content):
        raise CurationError(N_("A vocabulary is a list of entries."))
    if name == "persons":
        for entry in content:
            if not isinstance(entry.get("name"), str) or not entry["name"].strip():
                raise CurationError(N_("Every person needs a name."))
            if not all(isinstance(a, str) for a in entry.get("aliases", [])):
                raise CurationError(N_("The aliases of %(name)r must be names."),
                                    name=entry["name"])
    elif name == "topics":
        for entry in content:
            if not isinstance(entry.get("id"), str) or not isinstance(entry.get("label"), str):
                raise CurationError(N_("Every topic needs an id and a label."))
        try:
            validate_taxonomy(content)
        except ValueError as exc:
            raise CurationError(N_("The taxonomy is not valid: %(reason)s"),
                                reason=str(exc)) from None
    else:
        raise CurationError(N_("Unknown vocabulary %(name)r."), name=name)


def ingest_settings(instance_dir=None) -> tuple:
    """(curate, vocabularies, last change id) for ingest from the database, or
    (None, None, 0) where there is none. (`ingest_curation` is what `searchapp index` uses.)"""
    path = db_path(instance_dir)
    if not path.exists():
        return None, None, 0
    conn = connect(path)
    try:
        curator = Curator(conn)
        last = curator.last_change()  # first: the snapshot is at least as new
        vocabularies = {name: curator.vocabulary(name) for name in VOCABULARIES}
        return snapshot(conn).apply, {k: v for k, v in vocabularies.items() if v}, last
    finally:
        conn.close()


@dataclass(frozen=True)
class IngestCuration:
    """The librarians' curation as an indexer run applies it (searchapp.ingest.Curation)."""

    db_file: Path
    start: int  # the last journal entry when the run began: a rebuilt index has applied it
    vocabularies: dict

    def curate(self):
        """The curation as it is now. Ingest asks each time it (re)opens the index writer,
        so that no article is written from a state older than an edit the index shows."""
        conn = connect(self.db_file)
        try:
            return snapshot(conn).apply
        finally:
            conn.close()

    def catch_up(self, index) -> int:
        """After the run: apply what is pending (edits made while it ran, a killed job)."""
        return catch_up(index, self.db_file.parent)

    def record_waiting(self, index, seen: dict[tuple[str, str, str], str]) -> None:
        """After the run: the source codes it met without a mapping wait for a librarian."""
        conn = connect(self.db_file)
        try:
            record_waiting(conn, index, seen)
        finally:
            conn.close()


def ingest_curation(instance_dir=None) -> IngestCuration | None:
    """The curation for an indexer run, or None where there is no database."""
    path = db_path(instance_dir)
    if not path.exists():
        return None
    conn = connect(path)
    try:
        start = journal.last_entry(conn)
        vocabularies = {name: stored_vocabulary(conn, name) for name in VOCABULARIES}
        return IngestCuration(path, start, {k: v["entries"] for k, v in vocabularies.items() if v})
    finally:
        conn.close()


def rekey_articles(moves: dict[str, str],
                   instance_dir=None) -> Callable[[Article], Article] | None:
    """Move the librarians' tag edits from old to new article ids ({old: new}: a source's
    ids changed, as JSON Lines ids did when they stopped being line numbers), in one
    transaction with its entry in the change log. Earlier log entries are re-keyed too, so
    that they can still be undone. Returns the curation as it now stands, for ingest to
    write the new ids with, or None when there was nothing to move (or no database)."""
    path = db_path(instance_dir)
    if not path.exists():
        return None
    conn = connect(path)
    try:
        ch = Change(conn)
        with transaction(conn):
            for old, new in moves.items():
                _move_edits(ch, old, new)
            if not ch.rows:
                return None
            moved = {old: new for old, new in moves.items() if new in ch.articles}
            _rekey_log(conn, moved)
            conn.execute("INSERT INTO audit (user_id, action, summary, change) VALUES (?, ?, ?, ?)",
                         (None, "move_ids", f"moved the curation of {len(moved)} "
                          f"article{'s' if len(moved) > 1 else ''} to new ids", ch.to_json()))
        return snapshot(conn).apply
    finally:
        conn.close()


def _move_edits(ch: Change, old: str, new: str) -> None:
    for row in ch.conn.execute("SELECT * FROM tag_edits WHERE article_id = ?", (old,)).fetchall():
        key = {"article_id": old, "facet": row["facet"], "value": row["value"]}
        moved = {**key, "article_id": new}
        ch.put("tag_edits", key, None)
        if _get(ch.conn, "tag_edits", moved) is None:  # else a newer decision is there: it stays
            ch.put("tag_edits", moved, {**dict(row), "article_id": new})
        ch.articles.add(new)


def _rekey_log(conn: sqlite3.Connection, moves: dict[str, str]) -> None:
    """Earlier change log entries name the new ids, so that they can still be undone."""
    for entry in conn.execute("SELECT id, change FROM audit").fetchall():
        change = _rekeyed(entry["change"], moves)
        if change != entry["change"]:
            conn.execute("UPDATE audit SET change = ? WHERE id = ?", (change, entry["id"]))


def _rekeyed(change_json: str, moves: dict[str, str]) -> str:
    """A change log entry's JSON with its article ids moved (unchanged text when none is)."""
    if not any(old in change_json for old in moves):
        return change_json
    change = json.loads(change_json)
    for row in change.get("rows", []):
        for part in (row["key"], row["before"], row["after"]):
            if part and "article_id" in part:
                part["article_id"] = moves.get(part["article_id"], part["article_id"])
    change["articles"] = sorted({moves.get(a, a) for a in change.get("articles", [])})
    return json.dumps(change)


# -- the crosswalk's waiting list ----------------------------------------------------------


def record_waiting(conn: sqlite3.Connection, index, seen: dict[tuple[str, str, str], str]) -> None:
    """Put the codes an indexer met without a mapping ({(source, facet, code): an article id})
    on the waiting list, each with how many articles of the index hold it. Codes already
    listed are counted again; those mapped since, or no longer held, leave the list."""
    crosswalk = Crosswalk.load(conn)
    listed = {(r["source"], r["facet"], r["code"]): r["example"]
              for r in conn.execute("SELECT * FROM crosswalk_waiting")}
    with transaction(conn):
        for (source, facet, code), example in {**listed, **seen}.items():
            key = {"source": source, "facet": facet, "code": code}
            ids = ([] if crosswalk.map(source, facet, code) is not None
                   else index.ids_with_value(facet, source_code(source, code)))
            row = ({**key, "articles": len(ids), "example": example if example in ids else ids[0],
                    "seen": _now(conn)} if ids else None)
            _put(conn, "crosswalk_waiting", key, row)


def waiting_codes(conn: sqlite3.Connection) -> list[dict]:
    """The codes waiting for a mapping, the most frequent first."""
    rows = conn.execute("SELECT * FROM crosswalk_waiting ORDER BY articles DESC, source, facet, code")
    return [dict(r) for r in rows]


def crosswalk_in_effect(conn: sqlite3.Connection) -> list[dict]:
    """Every mapping the next ingest uses, each with `edited`: whether a librarian set it."""
    edited = {(r["source"], r["facet"], r["code"])
              for r in conn.execute("SELECT source, facet, code FROM crosswalk_edits")}
    return [{**m.to_dict(), "edited": (m.source, m.facet, m.code) in edited}
            for m in Crosswalk.load(conn).mappings()]


def load_crosswalk(instance_dir=None) -> Crosswalk:
    """The crosswalk in effect for the instance: the shipped one with the librarians' edits."""
    path = db_path(instance_dir)
    if not path.exists():
        return Crosswalk.load()
    conn = connect(path)
    try:
        return Crosswalk.load(conn)
    finally:
        conn.close()


def stored_topic_labels(instance_dir=None) -> dict[str, str] | None:
    """`topic_labels` of the instance's database, for the command line (None: no database)."""
    path = db_path(instance_dir)
    if not path.exists():
        return None
    conn = connect(path)
    try:
        return topic_labels(conn)
    finally:
        conn.close()


def catch_up(index, instance_dir=None) -> int:
    """Apply every pending journal entry, jobs included, whoever started them (an indexer
    run, a restore); returns how many articles changed."""
    path = db_path(instance_dir)
    if not path.exists():
        return 0
    conn = connect(path)
    try:
        return Curator(conn, index).catch_up(claim=False).changed
    finally:
        conn.close()


def pending(db_file, index) -> int:
    """How many journal entries the index has not applied yet (0 without a database)."""
    if not Path(db_file).exists():
        return 0
    conn = connect(db_file)
    try:
        return journal.pending_count(conn, index)
    finally:
        conn.close()


BLOCKED_RETRY_SECONDS = 5.0
_appliers: set[int] = set()  # the indexes a thread of this process is catching up
_appliers_lock = threading.Lock()


def catch_up_in_background(db_file, index) -> bool:
    """Apply the pending entries in a thread of this process (a server start, a librarian's
    request, a new bulk job); False when one is already at work on this index."""
    with _appliers_lock:
        if id(index) in _appliers:
            return False
        _appliers.add(id(index))
    threading.Thread(target=_apply_in_thread, args=(Path(db_file), index), daemon=True,
                     name="curation-journal").start()
    return True


def _apply_in_thread(db_file: Path, index) -> None:
    try:
        conn = connect(db_file)
        try:
            curator = Curator(conn, index)
            deadline = time.monotonic() + 2 * journal.LEASE_SECONDS
            done = curator.catch_up()
            # A job another applier holds: wait for it to finish, or for its lease to lapse
            # (that applier died) and take it over.
            while done.blocked and time.monotonic() < deadline:
                time.sleep(BLOCKED_RETRY_SECONDS)
                done = curator.catch_up()
            log.info("applied curation up to change %d (%d articles re-tagged)",
                     done.applied, done.changed)
        finally:
            conn.close()
    except Exception:  # an indexer holds the index, or worse: the entries stay pending
        log.warning("curation changes stay pending", exc_info=True)
    finally:
        with _appliers_lock:
            _appliers.discard(id(index))
