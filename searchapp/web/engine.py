"""The app's search engine, for the views: one `searchapp.search` implementation per app,
kept in `app.extensions` by create_app()."""

from __future__ import annotations

from flask import current_app

EXTENSION = "searchapp.index"


def engine():
    return current_app.extensions[EXTENSION]
