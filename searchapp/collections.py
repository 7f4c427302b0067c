"""Collections: articles a reader gathers under a name, each with a note.

A collection is private (its owner only) or shared with the team: any signed-in user may
open a shared one by its link, and librarians see every shared collection in their list.
Only the owner changes it. Items are kept in the order they were added, with the title the
article had then (an article later gone from the index is still named). The web layer
(web/collections.py) decides who may do what; this module stores and reads.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from .db import transaction
from .export import MAX_EXPORT

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_NOTE = 2000
# A collection can always be exported whole.
MAX_ITEMS = MAX_EXPORT
SLUG_BYTES = 6  # -> 8 url-safe characters


class CollectionError(ValueError):
    """A change that cannot be made as given. `code` names the problem (for a translated
    message): name_missing, name_long, description_long, note_long or full."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Collection:
    id: int
    slug: str
    owner_id: int
    owner: str
    name: str
    description: str
    shared: bool
    created: str
    updated: str
    count: int  # articles in it

    def to_json(self) -> dict:
        return {"slug": self.slug, "name": self.name, "description": self.description,
                "owner": self.owner, "shared": self.shared, "created": self.created,
                "updated": self.updated, "count": self.count}


@dataclass(frozen=True)
class Item:
    article_id: str
    title: str
    note: str
    added: str

    def to_json(self) -> dict:
        return {"id": self.article_id, "title": self.title, "note": self.note,
                "added": self.added}


_SELECT = ("SELECT c.*, users.name AS owner, "
           "(SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.id) AS count "
           "FROM collections c LEFT JOIN users ON users.id = c.owner_id ")
_ORDER = " ORDER BY c.name COLLATE NOCASE, c.id"


def _row(row) -> Collection:
    return Collection(row["id"], row["slug"], row["owner_id"], row["owner"] or "", row["name"],
                      row["description"], bool(row["shared"]), row["created"], row["updated"],
                      row["count"])


def get(conn: sqlite3.Connection, slug: str) -> Collection | None:
    row = conn.execute(_SELECT + "WHERE c.slug = ?", (slug,)).fetchone()
    return None if row is None else _row(row)


def list_own(conn: sqlite3.Connection, user_id: int) -> list[Collection]:
    return [_row(r) for r in conn.execute(_SELECT + "WHERE c.owner_id = ?" + _ORDER, (user_id,))]


def list_shared(conn: sqlite3.Connection, except_user: int | None = None) -> list[Collection]:
    rows = conn.execute(_SELECT + "WHERE c.shared = 1 AND c.owner_id IS NOT ?" + _ORDER,
                        (except_user,))
    return [_row(r) for r in rows]


def holding(conn: sqlite3.Connection, user_id: int, article_id: str) -> set[str]:
    """Slugs of the user's collections that hold the article."""
    rows = conn.execute("SELECT c.slug FROM collections c JOIN collection_items i "
                        "ON i.collection_id = c.id WHERE c.owner_id = ? AND i.article_id = ?",
                        (user_id, article_id))
    return {r["slug"] for r in rows}


def _check(name: str, description: str) -> tuple[str, str]:
    name, description = " ".join(name.split()), description.strip()
    if not name:
        raise CollectionError("name_missing", "A collection needs a name.")
    if len(name) > MAX_NAME:
        raise CollectionError("name_long", f"A name has at most {MAX_NAME} characters.")
    if len(description) > MAX_DESCRIPTION:
        raise CollectionError("description_long",
                              f"A description has at most {MAX_DESCRIPTION} characters.")
    return name, description


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise CollectionError("note_long", f"A note has at most {MAX_NOTE} characters.")
    return note


def create(conn: sqlite3.Connection, owner_id: int, name: str, description: str = "",
           shared: bool = False) -> Collection:
    name, description = _check(name, description)
    for _ in range(5):  # 48 random bits: a collision is rare, and retried
        slug = secrets.token_urlsafe(SLUG_BYTES)
        try:
            conn.execute("INSERT INTO collections (slug, owner_id, name, description, shared) "
                         "VALUES (?, ?, ?, ?, ?)", (slug, owner_id, name, description, int(shared)))
        except sqlite3.IntegrityError:
            continue
        return _written(conn, slug)
    raise RuntimeError("could not find a free link for the collection")


def update(conn: sqlite3.Connection, slug: str, name: str, description: str,
           shared: bool) -> Collection:
    name, description = _check(name, description)
    conn.execute(f"UPDATE collections SET name = ?, description = ?, shared = ?, {_TOUCH} "
                 "WHERE slug = ?", (name, description, int(shared), slug))
    return _written(conn, slug)


_TOUCH = "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


def _written(conn: sqlite3.Connection, slug: str) -> Collection:
    """A collection this connection has just written (so it exists)."""
    return _row(conn.execute(_SELECT + "WHERE c.slug = ?", (slug,)).fetchone())


def delete(conn: sqlite3.Connection, slug: str) -> None:
    conn.execute("DELETE FROM collections WHERE slug = ?", (slug,))


def items(conn: sqlite3.Connection, collection: Collection) -> list[Item]:
    rows = conn.execute("SELECT article_id, title, note, added FROM collection_items "
                        "WHERE collection_id = ? ORDER BY id", (collection.id,))
    return [Item(r["article_id"], r["title"], r["note"], r["added"]) for r in rows]


def add(conn: sqlite3.Connection, collection: Collection, article_id: str, title: str,
        note: str = "") -> bool:
    """Add the article (False: it was in already; a note given replaces its note)."""
    note = _check_note(note)
    with transaction(conn):
        if _has(conn, collection, article_id):
            if note:
                _set_note(conn, collection, article_id, note)
            return False
        if _count(conn, collection) >= MAX_ITEMS:
            raise CollectionError("full", f"A collection holds at most {MAX_ITEMS} articles.")
        conn.execute("INSERT INTO collection_items (collection_id, article_id, title, note) "
                     "VALUES (?, ?, ?, ?)", (collection.id, article_id, title, note))
        _touch(conn, collection)
    return True


def set_note(conn: sqlite3.Connection, collection: Collection, article_id: str,
             note: str) -> bool:
    """Replace the item's note; False when the article is not in the collection."""
    note = _check_note(note)
    with transaction(conn):
        if not _has(conn, collection, article_id):
            return False
        _set_note(conn, collection, article_id, note)
    return True


def remove(conn: sqlite3.Connection, collection: Collection, article_id: str) -> bool:
    with transaction(conn):
        gone = conn.execute("DELETE FROM collection_items WHERE collection_id = ? AND "
                            "article_id = ?", (collection.id, article_id)).rowcount
        if gone:
            _touch(conn, collection)
    return bool(gone)


def _has(conn: sqlite3.Connection, collection: Collection, article_id: str) -> bool:
    return conn.execute("SELECT 1 FROM collection_items WHERE collection_id = ? AND "
                        "article_id = ?", (collection.id, article_id)).fetchone() is not None


def _count(conn: sqlite3.Connection, collection: Collection) -> int:
    return conn.execute("SELECT COUNT(*) FROM collection_items WHERE collection_id = ?",
                        (collection.id,)).fetchone()[0]


def _set_note(conn: sqlite3.Connection, collection: Collection, article_id: str,
              note: str) -> None:
    conn.execute("UPDATE collection_items SET note = ? WHERE collection_id = ? AND "
                 "article_id = ?", (note, collection.id, article_id))
    _touch(conn, collection)


def _touch(conn: sqlite3.Connection, collection: Collection) -> None:
    conn.execute(f"UPDATE collections SET {_TOUCH} WHERE id = ?", (collection.id,))
