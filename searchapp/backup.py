"""Backup and restore of the database and the index, safe while the server runs.

A backup folder holds `searchapp.sqlite` (SQLite's online backup: a consistent
snapshot even while librarians write) and `index/` (the engine's snapshot, copied while
no indexer and no librarian edit may write to it). Restoring puts both back and then
re-applies the database's curation to every article, so the two agree even if an edit
landed between the two copies, and the index acknowledges the database's last change.
The index copy carries the journal mark it had (see searchapp.journal): an edit that a
backup kept from the index is pending in both, and reaches the index at the next catch-up.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import db
from .db import DB_NAME, connect
from .ingest import ingest_lock
from .search import EngineConfig, SearchRequest, open_engine

# How long a backup waits for a librarian's edit to end before giving up.
FREEZE_WAIT_SECONDS = 30.0


def _engine(index_dir: Path, create: bool = False):
    return open_engine(EngineConfig.from_env(index_dir=index_dir, create=create))


def backup(db_file: Path, index_dir: Path, dest: Path) -> dict:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; choose a new folder for the backup")
    engine = _engine(Path(index_dir))
    dest.mkdir(parents=True, exist_ok=True)
    with ingest_lock(Path(index_dir)):  # no indexer while the two are copied
        if Path(db_file).exists():
            conn = connect(db_file)
            try:
                db.backup(conn, dest / DB_NAME)
            finally:
                conn.close()
        articles = engine.snapshot(dest / "index", wait=FREEZE_WAIT_SECONDS)
    return {"articles": articles, "database": (dest / DB_NAME).exists()}


def restore(src: Path, db_file: Path, index_dir: Path) -> dict:
    src, index_dir = Path(src), Path(index_dir)
    if not (src / "index").is_dir():
        raise FileNotFoundError(f"{src} holds no backup (no index/ folder)")
    _engine(src / "index")  # refuse a broken backup before touching anything
    if (src / DB_NAME).exists():
        Path(db_file).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(src / DB_NAME)
        target = connect(db_file)
        try:
            source.backup(target)  # in place: open connections see the restored data
        finally:
            source.close()
            target.close()
    with ingest_lock(index_dir):
        _engine(index_dir, create=True).restore_from(src / "index")
    return {"articles": reapply_curation(db_file, index_dir)}


def reapply_curation(db_file: Path, index_dir: Path) -> int:
    """Make the index agree with the database's curation; returns the article count."""
    from .curation import snapshot
    from .journal import last_entry

    engine = _engine(index_dir)
    if Path(db_file).exists():
        conn = connect(db_file)
        try:
            # Read first: every change up to it is in the snapshot the re-tagging reads.
            last = last_entry(conn)
            engine.retag(engine.ids_for(SearchRequest()), lambda: snapshot(conn).apply)
            # Unconditionally: the restored index may carry a mark from a newer database.
            engine.acknowledge(last)
        finally:
            conn.close()
    return engine.doc_count()
