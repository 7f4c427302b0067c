"""Registered sources: the folders (or files) the archive is indexed from, and who published
their articles.

`searchapp index PATH` records PATH here, with the publication name given for it, so that a
later `searchapp index` or `--rebuild` reads every registered path again instead of the
default folder alone. The index is derived from these paths plus the curation in the
database: forgetting one would drop its articles at the next rebuild.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .db import transaction
from .model import Article


@dataclass(frozen=True)
class Source:
    path: str  # absolute and resolved
    name: str | None  # the publication given for it; None: read from the files


def resolved(path: str | os.PathLike) -> str:
    """The form a path is registered under: absolute, symbolic links resolved."""
    return str(Path(path).resolve())


def register(conn: sqlite3.Connection, path: str | os.PathLike,
             name: str | None = None) -> Source:
    """Record `path` (and the publication `name`, if given; else the one it has)."""
    key = resolved(path)
    with transaction(conn):
        conn.execute("INSERT INTO sources (path, name) VALUES (?, ?) ON CONFLICT (path) "
                     "DO UPDATE SET name = coalesce(excluded.name, name)", (key, name))
    found = find(conn, key)
    assert found is not None
    return found


def registered(conn: sqlite3.Connection) -> list[Source]:
    rows = conn.execute("SELECT path, name FROM sources ORDER BY path").fetchall()
    return [Source(row["path"], row["name"]) for row in rows]


def find(conn: sqlite3.Connection, path: str | os.PathLike) -> Source | None:
    row = conn.execute("SELECT path, name FROM sources WHERE path = ?",
                       (resolved(path),)).fetchone()
    return Source(row["path"], row["name"]) if row else None


def unregister(conn: sqlite3.Connection, path: str | os.PathLike) -> bool:
    with transaction(conn):
        return conn.execute("DELETE FROM sources WHERE path = ?",
                            (resolved(path),)).rowcount > 0


def given_names(sources: list[Source]) -> dict[str, str]:
    """registered path -> the publication name given for it, for the paths that have one."""
    return {s.path: s.name for s in sources if s.name}


def outermost(paths: list[str]) -> list[str]:
    """The paths not inside another of them: a folder registered inside a registered folder
    is read with it (once, and with the same article ids)."""
    return [p for p in paths if not any(q != p and is_under(p, q) for q in paths)]


# -- counting ------------------------------------------------------------------------------


def is_under(file: str, path: str) -> bool:
    """Whether the indexed file (a resolved path) is `path` or inside it."""
    return file == path or file.startswith(path.rstrip("/") + "/")


def articles_under(per_file: dict[str, int], path: str) -> int:
    """How many of the indexed articles (`per_file`: file -> articles) come from `path`."""
    return sum(n for file, n in per_file.items() if is_under(file, path))


def unregistered_articles(per_file: dict[str, int], sources: list[Source]) -> int:
    """Articles whose file lies under no registered path (indexed by an older searchapp)."""
    return sum(n for file, n in per_file.items()
               if not any(is_under(file, s.path) for s in sources))


# -- the publication of an article ------------------------------------------------------------


def publication_of(article: Article, given: str | None, folder: str) -> str:
    """Who published the article: what the file says (Reuters, a page's site name, a JSON
    Lines `source`), else the name given for its folder, else the host of its URL, else
    the name of the folder it was indexed from. Never a file path."""
    return article.publication or given or host_name(article.url) or folder


def host_name(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
