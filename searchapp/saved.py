"""Saved searches: a named search state (the query string) behind a short, stable link.

The stored query string is the whole search: query, facet filters and exclusions, dates and
sort; the web layer (web/params.py) decides which parameters make up a search, and this
module stores and reads the string as given. Opening it runs it against today's archive.
`last_seen` holds the newest publication date (YYYY-MM-DD) among its results when the owner
last opened it, so matches published after that day are "new".
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

MAX_NAME = 200
MAX_NOTE = 2000
MAX_PARAMS = 8000
SLUG_BYTES = 6  # -> 8 url-safe characters


class SavedSearchError(ValueError):
    """A saved search that cannot be stored as given. `code` names the problem (for a
    translated message): name_missing, name_long, note_long or search_long."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SavedSearch:
    id: int
    slug: str
    owner_id: int
    owner: str
    name: str
    note: str
    params: str
    shared: bool
    created: str
    last_seen: str  # YYYY-MM-DD, or "" when none of its results had a date

    def to_json(self) -> dict:
        return {"slug": self.slug, "name": self.name, "note": self.note, "owner": self.owner,
                "shared": self.shared, "params": self.params, "created": self.created,
                "last_seen": self.last_seen or None}


def _row(row) -> SavedSearch:
    return SavedSearch(row["id"], row["slug"], row["owner_id"], row["owner"] or "", row["name"],
                       row["note"], row["params"], bool(row["shared"]), row["created"],
                       _seen_day(row["last_seen"]))


def _seen_day(value: str) -> str:
    # The column's default is a creation timestamp, not a publication date: treat as unset.
    return value if len(value) == 10 else ""


_SELECT = ("SELECT saved_searches.*, users.name AS owner FROM saved_searches "
           "LEFT JOIN users ON users.id = owner_id ")


def get(conn: sqlite3.Connection, slug: str) -> SavedSearch | None:
    row = conn.execute(_SELECT + "WHERE slug = ?", (slug,)).fetchone()
    return None if row is None else _row(row)


def list_own(conn: sqlite3.Connection, user_id: int) -> list[SavedSearch]:
    rows = conn.execute(_SELECT + "WHERE owner_id = ? ORDER BY saved_searches.name COLLATE NOCASE, "
                        "saved_searches.id", (user_id,))
    return [_row(r) for r in rows]


def list_shared(conn: sqlite3.Connection, except_user: int | None = None) -> list[SavedSearch]:
    rows = conn.execute(_SELECT + "WHERE shared = 1 AND owner_id IS NOT ? "
                        "ORDER BY saved_searches.name COLLATE NOCASE, saved_searches.id",
                        (except_user,))
    return [_row(r) for r in rows]


def count_by_owner(conn: sqlite3.Connection) -> dict[int, int]:
    """user id -> how many saved searches the user owns (users with none are left out)."""
    return dict(conn.execute("SELECT owner_id, COUNT(*) FROM saved_searches GROUP BY owner_id"))


def _check(name: str, note: str) -> tuple[str, str]:
    name, note = " ".join(name.split()), note.strip()
    if not name:
        raise SavedSearchError("name_missing", "A saved search needs a name.")
    if len(name) > MAX_NAME:
        raise SavedSearchError("name_long", f"A name has at most {MAX_NAME} characters.")
    if len(note) > MAX_NOTE:
        raise SavedSearchError("note_long", f"A note has at most {MAX_NOTE} characters.")
    return name, note


def create(conn: sqlite3.Connection, owner_id: int, name: str, params: str, note: str = "",
           shared: bool = False, last_seen: str = "") -> SavedSearch:
    name, note = _check(name, note)
    if len(params) > MAX_PARAMS:
        raise SavedSearchError("search_long", "This search is too long to save.")
    for _ in range(5):  # 48 random bits: a collision is rare, and retried
        slug = secrets.token_urlsafe(SLUG_BYTES)
        try:
            conn.execute("INSERT INTO saved_searches (slug, owner_id, name, note, params, shared, "
                         "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (slug, owner_id, name, note, params, int(shared), last_seen))
        except sqlite3.IntegrityError:
            continue
        return _saved(conn, slug)
    raise RuntimeError("could not find a free link for the saved search")


def update(conn: sqlite3.Connection, slug: str, name: str, note: str, shared: bool) -> SavedSearch:
    name, note = _check(name, note)
    conn.execute("UPDATE saved_searches SET name = ?, note = ?, shared = ? WHERE slug = ?",
                 (name, note, int(shared), slug))
    return _saved(conn, slug)


def _saved(conn: sqlite3.Connection, slug: str) -> SavedSearch:
    """A saved search this connection has just written (so it exists)."""
    return _row(conn.execute(_SELECT + "WHERE slug = ?", (slug,)).fetchone())


def delete(conn: sqlite3.Connection, slug: str) -> None:
    conn.execute("DELETE FROM saved_searches WHERE slug = ?", (slug,))


def mark_seen(conn: sqlite3.Connection, slug: str, newest: str) -> None:
    """Remember the newest publication date seen; it only moves forward."""
    if newest:
        conn.execute("UPDATE saved_searches SET last_seen = ? WHERE slug = ? "
                     "AND (length(last_seen) != 10 OR last_seen < ?)", (newest, slug, newest))
