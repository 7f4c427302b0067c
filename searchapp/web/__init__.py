"""The web layer: the search UI and the JSON API.

`create_app()` is the WSGI entry point (`gunicorn 'searchapp.web:create_app()'`).
Configuration: the defaults below, then `instance/config.py` if present, then the
environment variable SEARCHAPP_INDEX_DIR, then `test_config`.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel

ROOT = Path(__file__).resolve().parents[2]  # the repository: templates/ and static/ live there
PACKAGE = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "fr")
LANG_COOKIE = "lang"

DEFAULTS = dict(
    INDEX_DIR="index",  # relative to the working directory
    BABEL_DEFAULT_LOCALE="en",
    BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE / "translations"),
    LANGUAGES=LANGUAGES,
    MORE_LIKE_THIS=5,
)

# script/style only from our own files: no inline code, so injected markup cannot run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"),
                instance_relative_config=True)
    app.json.sort_keys = False  # keep the documented field order
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("SEARCHAPP_INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["SEARCHAPP_INDEX_DIR"]
    if test_config:
        app.config.from_mapping(test_config)

    from ..search.whoosh_engine import WhooshIndex

    app.extensions["searchapp.index"] = WhooshIndex(app.config["INDEX_DIR"], create=True)
    Babel(app, locale_selector=select_locale)
    app.after_request(security_headers)
    app.after_request(remember_language)

    from . import api, errors, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    errors.register(app)
    views.register_template_helpers(app)
    return app


def engine():
    from flask import current_app

    return current_app.extensions["searchapp.index"]


def select_locale() -> str:
    """`lang` in the query string, then the cookie it leaves, then Accept-Language."""
    chosen = request.args.get("lang", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or "en"


def remember_language(response):
    chosen = request.args.get("lang", "").strip().lower()
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Searches stay private: a followed link to a news site does not carry the query.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response
