"""The curation journal: how librarians' changes reach the index, durably.

Every change is written to the database first, as one audit entry (searchapp.curation):
the database is the system of record and its audit entries are the journal. The index
acknowledges what it has applied: the engine keeps the id of the last entry applied
(`SearchEngine.journal_mark`, stored with the index). An entry above the mark is pending,
and whoever finds pending entries may apply them: the request that made the change, the
web app's background thread, the next indexer run or server start. Applying is idempotent
(`retag` recomputes each article's tags from the database as it is now), so applying an
entry twice, or in two processes at once, is harmless, and a process killed at any moment
leaves entries that the next one applies again. The mark only moves after the articles
are committed, and only from the value it was read at (`acknowledge(change, since)`), so
it is never ahead of the index.

A change too big for one request (a bulk tagging of thousands of articles) is a job: a
row in `jobs` with its progress, applied in chunks by a background thread that holds a
lease on it; when the lease lapses (the process died) another process takes it over.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .db import transaction
from .processes import alive
from .search import SearchEngine

# Articles re-tagged per index commit: a job's progress steps, and what a kill can cost.
CHUNK = 500
# Consecutive small entries applied together (one commit), up to about this many articles.
GROUP_ARTICLES = 500
# A job whose applier has shown no progress for this long is taken over.
LEASE_SECONDS = 60.0
# Entries read ahead to form a group.
LOOKAHEAD = 100
# Rounds of one catch-up: each applies a group (or retries after another process moved
# the mark); bounds the loop whatever other processes do.
MAX_ROUNDS = 10_000


@dataclass
class Entry:
    """One audit entry as the index needs it: what to re-tag."""
    id: int
    articles: list[str]
    values: list[tuple[str, str]]
    job: bool = False

    @classmethod
    def from_row(cls, row) -> Entry:
        change = json.loads(row["change"])
        return cls(row["id"], change.get("articles", []),
                   [tuple(v) for v in change.get("values", [])], bool(row["job"]))


@dataclass
class Progress:
    """What one catch-up did."""
    changed: int = 0  # articles whose tags changed in the index
    applied: int = 0  # the last entry acknowledged (0: none)
    blocked: bool = False  # stopped at a job another live process is applying
    entries: list[int] = field(default_factory=list)


def last_entry(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]


def pending_count(conn: sqlite3.Connection, engine: SearchEngine) -> int:
    """Entries the index has not acknowledged yet."""
    mark = engine.journal_mark().change
    return conn.execute("SELECT COUNT(*) FROM audit WHERE id > ?", (mark,)).fetchone()[0]


def article_pending(conn: sqlite3.Connection, engine: SearchEngine, article_id: str,
                    tags: Sequence[tuple[str, str]] = ()) -> bool:
    """Whether a pending entry touches the article (directly, or one of its values)."""
    mark = engine.journal_mark().change
    rows = conn.execute("SELECT audit.*, jobs.audit_id IS NOT NULL AS job FROM audit "
                        "LEFT JOIN jobs ON jobs.audit_id = audit.id WHERE audit.id > ?", (mark,))
    for entry in map(Entry.from_row, rows):
        if article_id in entry.articles or set(entry.values) & set(tags):
            return True
    return False


def apply_pending(conn: sqlite3.Connection, engine: SearchEngine,
                  get_curate: Callable[[], Callable], claim: bool = True,
                  stop_at_jobs: bool = False, chunk: int | None = None) -> Progress:
    """Apply every pending entry, oldest first, and acknowledge each group once committed.

    `get_curate()` gives the database's curation now (see `SearchEngine.retag`). With
    `claim`, a job that another live process is applying is left to it (the result says
    `blocked`); without, it is applied here too (the indexer, which must end consistent).
    With `stop_at_jobs`, every job is left to a background applier (a request's own catch-up).
    Raises IndexLocked when an indexer keeps the index: the entries stay pending.
    """
    done = Progress()
    for _ in range(MAX_ROUNDS):
        mark = engine.journal_mark()
        group = next_group(conn, mark.change)
        if not group:
            break
        job = group[0].id if group[0].job else None
        if job is not None and (stop_at_jobs or (claim and not claim_job(conn, job))):
            done.blocked = True
            break
        try:
            done.changed += _apply(conn, engine, group, get_curate, job, chunk or CHUNK)
        finally:
            if job is not None:
                release_job(conn, job)
        if engine.acknowledge(group[-1].id, since=mark):
            done.applied = group[-1].id
            done.entries += [e.id for e in group]
        # else another process moved the mark or swapped in another index: read it again
    return done


def next_group(conn: sqlite3.Connection, after: int) -> list[Entry]:
    """The next pending entries to apply together: one job alone, or small entries up to
    GROUP_ARTICLES articles."""
    rows = conn.execute(
        "SELECT audit.id, audit.change, jobs.audit_id IS NOT NULL AS job FROM audit "
        "LEFT JOIN jobs ON jobs.audit_id = audit.id WHERE audit.id > ? ORDER BY audit.id "
        "LIMIT ?", (after, LOOKAHEAD))
    group: list[Entry] = []
    size = 0
    for entry in map(Entry.from_row, rows):
        if group and (entry.job or size + len(entry.articles) > GROUP_ARTICLES):
            break
        group.append(entry)
        size += len(entry.articles) + len(entry.values)
        if entry.job:
            break
    return group


def _apply(conn, engine: SearchEngine, group: list[Entry], get_curate, job, chunk) -> int:
    wanted: set[str] = set()
    for entry in group:
        wanted.update(entry.articles)
        for facet, value in entry.values:
            wanted.update(engine.ids_with_value(facet, value))
    ids = sorted(wanted)
    if job is not None:
        _progress(conn, job, 0, len(ids))
    changed = 0
    for start in range(0, len(ids), chunk):
        changed += engine.retag(ids[start:start + chunk], get_curate)
        if job is not None:
            _progress(conn, job, min(start + chunk, len(ids)), len(ids))
    return changed


# -- jobs -------------------------------------------------------------------------------


def owner() -> str:
    """This thread of this process: a web worker's request thread must not take over the
    job its own background thread is applying."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def add_job(conn: sqlite3.Connection, audit_id: int, total: int) -> None:
    """Make the entry a job (inside the transaction that records it)."""
    conn.execute("INSERT INTO jobs (audit_id, total) VALUES (?, ?)", (audit_id, total))


def claim_job(conn: sqlite3.Connection, audit_id: int) -> bool:
    """Take the job's lease unless another live applier holds it."""
    with transaction(conn):
        row = conn.execute("SELECT owner, heartbeat FROM jobs WHERE audit_id = ?",
                           (audit_id,)).fetchone()
        if row is None or not _lapsed(row["owner"], row["heartbeat"]):
            return False
        conn.execute("UPDATE jobs SET owner = ?, heartbeat = ? WHERE audit_id = ?",
                     (owner(), time.time(), audit_id))
    return True


def release_job(conn: sqlite3.Connection, audit_id: int) -> None:
    with transaction(conn):
        conn.execute("UPDATE jobs SET owner = NULL WHERE audit_id = ? AND owner = ?",
                     (audit_id, owner()))


def _lapsed(holder: str | None, heartbeat: float | None) -> bool:
    """Whether a lease is free: nobody's, ours, silent too long, or held by a process of
    this machine that is gone (killed: no need to wait for its heartbeat to age)."""
    if not holder or heartbeat is None or holder == owner():
        return True
    if heartbeat < time.time() - LEASE_SECONDS:
        return True
    host, pid, _thread = holder.rsplit(":", 2)
    return host == socket.gethostname() and not alive(int(pid))


def _progress(conn, audit_id: int, done: int, total: int) -> None:
    with transaction(conn):
        conn.execute("UPDATE jobs SET done = ?, total = ?, owner = ?, heartbeat = ? "
                     "WHERE audit_id = ?", (done, total, owner(), time.time(), audit_id))


def job_status(conn: sqlite3.Connection, engine: SearchEngine, audit_id: int) -> dict | None:
    """{"id", "summary", "total", "done", "pending", "running"} of a job, or None.

    `pending`: the index has not acknowledged it yet; `running`: a process is applying it
    (its lease is live), else it waits for the next catch-up (a request, a start, an index run).
    """
    row = conn.execute("SELECT jobs.*, audit.summary FROM jobs JOIN audit ON "
                       "audit.id = jobs.audit_id WHERE audit_id = ?", (audit_id,)).fetchone()
    if row is None:
        return None
    pending = audit_id > engine.journal_mark().change
    running = bool(pending and row["owner"] and row["heartbeat"]
                   and row["heartbeat"] >= time.time() - LEASE_SECONDS)
    return {"id": audit_id, "summary": row["summary"], "total": row["total"],
            "done": row["total"] if not pending else row["done"], "pending": pending,
            "running": running}
