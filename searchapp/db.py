"""The SQLite database: the system of record for accounts, saved searches, curations,
vocabularies and the audit log. The Whoosh index is derived from the sources plus this.

Back up with one command while the server runs: `sqlite3 instance/searchapp.sqlite ".backup backup.sqlite"`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE = "instance"
DB_NAME = "searchapp.sqlite"

# Each entry moves the schema one version up; never edit an entry that has shipped.
MIGRATIONS = [
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('reader', 'librarian', 'admin')),
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        params TEXT NOT NULL,
        shared INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        last_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    -- A librarian's decision about one tag of one article: it was added, or removed.
    CREATE TABLE tag_edits (
        article_id TEXT NOT NULL,
        facet TEXT NOT NULL CHECK (facet IN ('country', 'person', 'topic')),
        value TEXT NOT NULL,
        label TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('added', 'removed')),
        PRIMARY KEY (article_id, facet, value)
    );
    -- Renames and merges: every tag with this value becomes to_value, wherever it came from.
    CREATE TABLE value_merges (
        facet TEXT NOT NULL CHECK (facet IN ('country', 'person', 'topic')),
        from_value TEXT NOT NULL,
        to_value TEXT NOT NULL,
        to_label TEXT NOT NULL,
        PRIMARY KEY (facet, from_value)
    );
    CREATE TABLE vocabularies (
        name TEXT PRIMARY KEY CHECK (name IN ('persons', 'topics')),
        content TEXT NOT NULL,
        updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        action TEXT NOT NULL,
        summary TEXT NOT NULL,
        change TEXT NOT NULL,       -- JSON: what is needed to redo or undo it
        undoes INTEGER REFERENCES audit(id),
        undone_by INTEGER REFERENCES audit(id)
    );
    CREATE INDEX audit_at ON audit(at);
    """,
    """
    -- Failed logins, for throttling: in the database so that every server process counts them.
    CREATE TABLE login_failures (
        account TEXT NOT NULL,   -- the name as typed, case-folded
        address TEXT NOT NULL,   -- the client's IP address
        at REAL NOT NULL         -- Unix time
    );
    CREATE INDEX login_failures_account ON login_failures(account, at);
    CREATE INDEX login_failures_address ON login_failures(address, at);
    """,
    """
    -- A change too big for one request (a bulk tagging), applied to the index in the
    -- background: its progress, and which process is applying it (a lease that lapses
    -- when the heartbeat stops, so a killed process's job is taken over). The job is done
    -- when the index acknowledges its audit entry (see searchapp.journal).
    CREATE TABLE jobs (
        audit_id INTEGER PRIMARY KEY REFERENCES audit(id) ON DELETE CASCADE,
        total INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        owner TEXT,               -- 'host:pid:thread' applying it
        heartbeat REAL            -- Unix time of its last progress
    );
    """,
    """
    -- Part of every session id: raised to end all of a user's sessions (logging out, a new
    -- password or role), which a signed cookie alone cannot do.
    ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
    """,
    """
    -- The folders (or files) the archive is indexed from: `searchapp index` with no path and
    -- `--rebuild` read them all, so that no source is forgotten.
    CREATE TABLE sources (
        path TEXT PRIMARY KEY,   -- absolute and resolved
        name TEXT,               -- the publication given for it (NULL: read from the files)
        added TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    """,
    """
    -- Values deleted everywhere (a firm tagged as a person): every tag with this value goes,
    -- wherever it came from, at every ingest (a librarian may still add it to one article).
    CREATE TABLE value_deletions (
        facet TEXT NOT NULL CHECK (facet IN ('country', 'person', 'topic')),
        value TEXT NOT NULL,
        label TEXT NOT NULL,
        PRIMARY KEY (facet, value)
    );
    """,
    """
    -- Facets are declared in one place, searchapp.facets (organisation and source joined):
    -- the code checks facet names there, so the tables no longer list them and a new facet
    -- needs no migration. SQLite cannot drop a CHECK: each table is copied.
    CREATE TABLE tag_edits_new (
        article_id TEXT NOT NULL,
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        label TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('added', 'removed')),
        PRIMARY KEY (article_id, facet, value)
    );
    INSERT INTO tag_edits_new SELECT article_id, facet, value, label, state FROM tag_edits;
    DROP TABLE tag_edits;
    ALTER TABLE tag_edits_new RENAME TO tag_edits;
    CREATE TABLE value_merges_new (
        facet TEXT NOT NULL,
        from_value TEXT NOT NULL,
        to_value TEXT NOT NULL,
        to_label TEXT NOT NULL,
        PRIMARY KEY (facet, from_value)
    );
    INSERT INTO value_merges_new SELECT facet, from_value, to_value, to_label FROM value_merges;
    DROP TABLE value_merges;
    ALTER TABLE value_merges_new RENAME TO value_merges;
    CREATE TABLE value_deletions_new (
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        label TEXT NOT NULL,
        PRIMARY KEY (facet, value)
    );
    INSERT INTO value_deletions_new SELECT facet, value, label FROM value_deletions;
    DROP TABLE value_deletions;
    ALTER TABLE value_deletions_new RENAME TO value_deletions;
    """,
    """
    -- Librarians' edits of the crosswalk from a source's codes to the product's values
    -- (searchapp.crosswalk): they overlay the shipped mappings. A NULL value takes a shipped
    -- mapping away, and the code waits for a librarian again.
    CREATE TABLE crosswalk_edits (
        source TEXT NOT NULL,
        facet TEXT NOT NULL,
        code TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (source, facet, code)
    );
    -- Source codes the crosswalk does not map, as the indexer last met them: how many
    -- articles hold each, and one of them, for a librarian to look at and map.
    CREATE TABLE crosswalk_waiting (
        source TEXT NOT NULL,
        facet TEXT NOT NULL,
        code TEXT NOT NULL,
        articles INTEGER NOT NULL,
        example TEXT NOT NULL,
        seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (source, facet, code)
    );
    """,
    """
    -- Topics the learned model was unsure of (its confidence near its threshold), written by
    -- `searchapp topics learn` for a librarian to accept or reject (each answer a tag edit).
    CREATE TABLE topic_suggestions (
        article_id TEXT NOT NULL,
        value TEXT NOT NULL,          -- the topic id
        confidence REAL NOT NULL,     -- the model's, 0..1
        assigned INTEGER NOT NULL,    -- 1: ingest tags it (at or above the threshold)
        PRIMARY KEY (article_id, value)
    );
    """,
    """
    -- Collections: articles a reader gathers under a name, private or shared with the team,
    -- each with a note. Items keep the title they had when added, so an article gone from
    -- the index is still named.
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        shared INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX collections_owner ON collections(owner_id);
    CREATE TABLE collection_items (
        id INTEGER PRIMARY KEY,   -- the order items were added in
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        added TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        UNIQUE (collection_id, article_id)
    );
    CREATE INDEX collection_items_article ON collection_items(article_id);
    """,
]


def db_path(instance_dir: str | os.PathLike | None = None) -> Path:
    base = instance_dir or os.environ.get("SEARCHAPP_INSTANCE", DEFAULT_INSTANCE)
    return Path(base) / DB_NAME


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    """Open (and create or migrate) the database."""
    create_private(Path(path))
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)  # explicit transactions
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    migrate(conn)
    return conn


def create_private(path: Path) -> None:
    """A new database is for its owner only: it holds password hashes. Its folder is made
    0700, the file 0600, and SQLite gives the -wal and -shm files the database's own mode.
    (No umask change: that would hold for every thread of the process.) An existing file
    or folder keeps the mode its owner gave it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return
    # An empty file is an empty database. It is made under a name of its own, closed, then
    # linked into place: closing a descriptor of the database while a connection of this
    # process has it open would drop that connection's locks.
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        os.link(temp, path)
    except FileExistsError:
        pass  # made meanwhile by another connection
    finally:
        temp.unlink()


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> None:
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise RuntimeError(f"the database schema (version {version}) is newer than this "
                           f"searchapp (version {len(MIGRATIONS)}); upgrade searchapp")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(conn):
            if schema_version(conn) < number:  # another process may have migrated meanwhile
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")


@contextmanager
def transaction(conn: sqlite3.Connection):
    """One write transaction, taken at once (BEGIN IMMEDIATE); rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def backup(conn: sqlite3.Connection, target: str | os.PathLike) -> None:
    """A consistent copy, safe while others write (SQLite's online backup)."""
    create_private(Path(target))  # the copy holds the password hashes too
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()


@dataclass
class _Watched:
    path: str
    inode: int | None
    conn: sqlite3.Connection
    version: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)


_watch = threading.local()


def read_when_changed(path: str | os.PathLike, name: str,
                      read: Callable[[sqlite3.Connection], Any]):
    """`read(connection)`'s answer, read again only when the database has changed since this
    thread last asked. Each thread keeps one connection open to ask SQLite's data_version,
    which moves with every commit of any other connection (a request's, another worker's,
    the command line's, a restore's). A database file replaced under its name is opened
    again. Callers must not change what they are given: it is shared."""
    path = str(path)
    held = getattr(_watch, "held", None)
    if held is None or held.path != path or held.inode != _inode(path):
        if held is not None:
            held.conn.close()
        conn = connect(path)  # creates the file if it is not there
        held = _watch.held = _Watched(path, _inode(path), conn)
    version = held.conn.execute("PRAGMA data_version").fetchone()[0]
    if version != held.version:
        held.version, held.answers = version, {}
    if name not in held.answers:
        held.answers[name] = read(held.conn)
    return held.answers[name]


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None
