"""The web layer: the search UI, accounts, saved searches, curation and the JSON API.

`create_app()` is the WSGI entry point (`gunicorn 'searchapp.web:create_app()'`).
The instance folder (SEARCHAPP_INSTANCE, default ./instance) holds the database shared
with the `searchapp` command line, `config.py` and the generated secret key.
Configuration: the defaults below, then `instance/config.py` if present, then the
environment variables SEARCHAPP_INDEX_DIR and SEARCHAPP_SECRET_KEY, then `test_config`
(which may also name the INSTANCE_PATH).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from ..db import DEFAULT_INSTANCE, db_path

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
    # False: searching, articles, the API and saved-search links and feeds need a login.
    ANONYMOUS_SEARCH=True,
    BULK_LIMIT=5000,  # most articles one bulk tagging may touch
    FEED_ENTRIES=50,
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    # Set SESSION_COOKIE_SECURE = True in instance/config.py when served over HTTPS.
    WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session it belongs to
)
SECRET_KEY_FILE = "secret_key"

# script/style only from our own files: no inline code, so injected markup cannot run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def create_app(test_config: dict | None = None) -> Flask:
    instance = instance_folder(test_config)
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(instance),
                instance_relative_config=True)
    app.json.sort_keys = False  # keep the documented field order
    app.config.from_mapping(DEFAULTS, DATABASE=str(db_path(instance)))
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("SEARCHAPP_INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["SEARCHAPP_INDEX_DIR"]
    if os.environ.get("SEARCHAPP_SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SEARCHAPP_SECRET_KEY"]
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = stored_secret_key(instance)

    from ..search.whoosh_engine import WhooshIndex

    app.extensions["searchapp.index"] = WhooshIndex(app.config["INDEX_DIR"], create=True)
    Babel(app, locale_selector=select_locale)
    app.after_request(security_headers)
    app.after_request(remember_language)

    from . import api, auth, curation, database, errors, saved_searches, views

    database.init_app(app)
    auth.init_app(app)  # before CSRF: a closed archive sends strangers to the login page
    CSRFProtect(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(saved_searches.bp)
    app.register_blueprint(curation.bp)
    errors.register(app)
    views.register_template_helpers(app)
    return app


def instance_folder(test_config: dict | None = None) -> Path:
    """The same folder as `searchapp.db.db_path()` uses, so the app and the CLI share a database."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "SEARCHAPP_INSTANCE", DEFAULT_INSTANCE)
    return Path(chosen).resolve()


def stored_secret_key(instance: Path) -> str:
    """The instance's own random key, made on first start (readable by the owner only).

    Several processes may start at once (gunicorn workers): the key is written to a
    private file and linked into place, so each one reads the same, complete key.
    """
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        temp = instance / f".{SECRET_KEY_FILE}.{os.getpid()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            temp.unlink()
    return path.read_text().strip()


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
