"""One SQLite connection per request (opened when first needed, closed at teardown)."""

from __future__ import annotations

import sqlite3

from flask import current_app, g

from ..db import connect


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)


def curator():
    """The curation operations on this request's database and the app's index."""
    from ..curation import Curator
    from . import engine

    return Curator(get_db(), engine())
