"""One database connection per request (opened when first needed, closed at teardown);
and what every page reads, kept until the database changes."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g

from ..curation import Curator
from ..db import connect
from .engine import engine


def get_db():
    """This request's connection to the database (see searchapp.db)."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)


def curator() -> Curator:
    """The curation operations on this request's database and the app's index."""
    return Curator(get_db(), engine())


@dataclass
class _Watched:
    path: str
    inode: int | None
    conn: sqlite3.Connection
    version: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)


_watch = threading.local()


def read_when_changed(name: str, read: Callable[[sqlite3.Connection], Any]):
    """`read(connection)`'s answer, read again only when the database has changed since this
    thread last asked. Each thread keeps one connection open to ask SQLite's data_version,
    which moves with every commit of any other connection (this worker's requests, other
    workers, the command line). Opening a connection for each search cost more than the
    rest of a cached search's web work. A database file replaced under its name is opened
    again. Callers must not change what they are given: it is shared."""
    path = str(current_app.config["DATABASE"])
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
