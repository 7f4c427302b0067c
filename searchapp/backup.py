"""Backup and restore of the database and the index, safe while the server runs.

A backup folder holds `searchapp.sqlite` (SQLite's online backup: a consistent
snapshot even while librarians write) and `index/` (copied while no indexer and no
librarian edit may write to it). Restoring puts both back and then re-applies the
database's curation to every article, so the two agree even if an edit landed
between the two copies.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from . import db
from .db import DB_NAME, connect
from .ingest import ingest_lock, swap_in
from .search.whoosh_engine import WhooshIndex


@contextmanager
def index_frozen(index_dir: Path):
    """No indexer and no curation writes to the index while this is held."""
    with ingest_lock(index_dir):
        writer = WhooshIndex(index_dir, create=False).writer(wait=30.0)
        try:
            yield
        finally:
            writer.cancel()


def backup(db_file: Path, index_dir: Path, dest: Path) -> dict:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; choose a new folder for the backup")
    dest.mkdir(parents=True, exist_ok=True)
    with index_frozen(Path(index_dir)):
        if Path(db_file).exists():
            conn = connect(db_file)
            try:
                db.backup(conn, dest / DB_NAME)
            finally:
                conn.close()
        shutil.copytree(index_dir, dest / "index", ignore=shutil.ignore_patterns("*.lock", "WRITELOCK"))
        articles = WhooshIndex(dest / "index", create=False).doc_count()
    return {"articles": articles, "database": (dest / DB_NAME).exists()}


def restore(src: Path, db_file: Path, index_dir: Path) -> dict:
    src, index_dir = Path(src), Path(index_dir)
    if not (src / "index").is_dir():
        raise FileNotFoundError(f"{src} holds no backup (no index/ folder)")
    WhooshIndex(src / "index", create=False)  # refuse a broken backup before touching anything
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
        staging = index_dir.parent / f".{index_dir.name}.restore-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(src / "index", staging)
        # A new build id makes running servers reopen the index.
        (staging / "BUILD_ID").write_text(os.urandom(16).hex())
        swap_in(staging, index_dir)
    return {"articles": reapply_curation(db_file, index_dir)}


def reapply_curation(db_file: Path, index_dir: Path) -> int:
    """Make the index agree with the database's curation; returns the article count."""
    from .curation import snapshot

    ix = WhooshIndex(index_dir, create=False)
    if Path(db_file).exists():
        conn = connect(db_file)
        try:
            ids = [fields["id"] for fields in ix.searcher().all_stored_fields()]
            ix.retag(ids, lambda: snapshot(conn).apply)
        finally:
            conn.close()
    return ix.doc_count()
