"""One database connection per request (opened when first needed, closed at teardown);
and what every page reads, kept until the database changes."""

from __future__ import annotations

from flask import current_app, g

from ..curation import Curator
from ..db import connect
from ..db import read_when_changed as read_when_changed_in
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


def read_when_changed(name: str, read):
    """`read(connection)`'s answer for this app's database, read again only when the
    database has changed (see searchapp.db.read_when_changed). Opening a connection for
    each search cost more than the rest of a cached search's web work."""
    return read_when_changed_in(current_app.config["DATABASE"], name, read)
