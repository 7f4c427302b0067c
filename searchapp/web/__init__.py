"""The web layer: the search UI, accounts, saved searches, curation and the JSON API.

`create_app()` is the WSGI entry point (`gunicorn 'searchapp.web:create_app()'`).
The instance folder (SEARCHAPP_INSTANCE, default ./instance) holds the database shared
with the `searchapp` command line, `config.py` and the generated secret key.
Configuration: the defaults below, then `instance/config.py` if present, then the
environment variables SEARCHAPP_INDEX_DIR, SEARCHAPP_SECRET_KEY, SEARCHAPP_ENV and
SEARCHAPP_PROXY_FIX, then `test_config` (which may also name the INSTANCE_PATH).

In production (SEARCHAPP_ENV=production, which gunicorn.conf.py sets) the app refuses to
start without a secret key of its own or with debug on; see docs/security.md.

Layering (checked by tests/test_layers.py): the web modules import each other as siblings
(`from .engine import engine`, `from .database import get_db`), never this package, and
without a cycle; they reach the database and the index only through the domain modules
(searchapp.accounts, .saved, .curation, .login_throttle, .search), so none imports sqlite3
or whoosh. Only this module imports them all, to build the app.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from ..curation import catch_up_in_background, pending
from ..db import DEFAULT_INSTANCE, db_path
from ..search import EngineConfig, open_engine
from . import (
    api,
    audit,
    auth,
    collections,
    costly_searches,
    crosswalks,
    curation,
    curation_tags,
    database,
    entities,
    errors,
    export,
    person_merges,
    saved_searches,
    topic_suggestions,
    views,
    vocabularies,
)
from .engine import EXTENSION
from .languages import install_template_gettext, remember_language, select_locale

ROOT = Path(__file__).resolve().parents[2]  # a checkout: templates/ and static/ live here
PACKAGE = Path(__file__).resolve().parents[1]  # a built wheel carries them in the package
# The librarians' pages are one blueprint (curation.bp); these modules add their routes to it.
CURATION_PAGES = (curation_tags, vocabularies, crosswalks, audit, person_merges, topic_suggestions)

DEFAULTS = dict(
    INDEX_DIR="index",  # relative to the working directory
    BABEL_DEFAULT_LOCALE="en",
    BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE / "translations"),
    MORE_LIKE_THIS=5,
    # False: searching, articles, the API and saved-search links and feeds need a login.
    ANONYMOUS_SEARCH=True,
    BULK_LIMIT=5000,  # most articles one bulk tagging may touch
    FEED_ENTRIES=50,
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    # Cookies are Secure on every request that came over HTTPS (directly, or through a
    # trusted proxy, see PROXY_FIX); SESSION_COOKIE_SECURE = True, or PREFERRED_URL_SCHEME =
    # "https", makes them Secure always.
    WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session it belongs to
    SEARCHAPP_ENV="development",  # or "production": see check_production()
    # Behind this many reverse proxies, trust their X-Forwarded-For/-Proto/-Host headers
    # (0: trust none, so a client cannot make up its address or scheme).
    PROXY_FIX=0,
    # Failed logins within the window, per account and per client address, before further
    # attempts are refused (429) until the oldest of them ages out.
    LOGIN_FAILURES_PER_ACCOUNT=5,
    LOGIN_FAILURES_PER_ADDRESS=20,  # several people may share one office address
    LOGIN_WINDOW_SECONDS=300,
)
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_CHARS = 32

# script/style only from our own files: no inline code, so injected markup cannot run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def ui_folder(name: str) -> str:
    """templates/ or static/: the package's copy in an installed wheel (setup.py puts it
    there), else the checkout's top-level folder (a checkout or an editable install)."""
    packaged = PACKAGE / name
    return str(packaged if packaged.is_dir() else ROOT / name)


def create_app(test_config: dict | None = None) -> Flask:
    instance = instance_folder(test_config)
    app = Flask(__name__, template_folder=ui_folder("templates"),
                static_folder=ui_folder("static"), instance_path=str(instance),
                instance_relative_config=True)
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own, typed as the base class
        app.json.sort_keys = False  # keep the documented field order
    app.config.from_mapping(DEFAULTS, DATABASE=str(db_path(instance)))
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("SEARCHAPP_INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["SEARCHAPP_INDEX_DIR"]
    if os.environ.get("SEARCHAPP_SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SEARCHAPP_SECRET_KEY"]
    if os.environ.get("SEARCHAPP_ENV"):
        app.config["SEARCHAPP_ENV"] = os.environ["SEARCHAPP_ENV"]
    if os.environ.get("SEARCHAPP_PROXY_FIX"):
        app.config["PROXY_FIX"] = os.environ["SEARCHAPP_PROXY_FIX"]
    if test_config:
        app.config.from_mapping(test_config)
    if str(app.config["SEARCHAPP_ENV"]).strip().lower() == "production":
        check_production(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = stored_secret_key(instance)
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
    app.session_interface = SessionInterface()
    proxies = int(app.config["PROXY_FIX"] or 0)
    if proxies:
        # Flask's documented way to wrap its WSGI app, typed as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.extensions[EXTENSION] = open_engine(EngineConfig.from_flask(app.config))
    catch_up_at_start(app)
    Babel(app, locale_selector=select_locale)
    install_template_gettext(app)
    app.after_request(security_headers)
    app.after_request(remember_language)

    database.init_app(app)
    auth.init_app(app)  # before CSRF: a closed archive sends strangers to the login page
    costly_searches.init_app(app)  # after auth: strangers to a closed archive hold no slot
    CSRFProtect(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(saved_searches.bp)
    app.register_blueprint(curation.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(entities.bp)
    app.register_blueprint(collections.bp)
    errors.register(app)
    views.register_template_helpers(app)
    return app


def catch_up_at_start(app: Flask) -> None:
    """Apply the librarians' changes the index has not acknowledged (a bulk job whose
    worker was killed, an edit made during a backup) in a thread, so that starting never
    waits for them. Each gunicorn worker does it; a job's lease keeps them from doing the
    same job twice."""
    try:
        if pending(app.config["DATABASE"], app.extensions[EXTENSION]):
            catch_up_in_background(app.config["DATABASE"], app.extensions[EXTENSION])
    except Exception:  # a start must not fail for it: the next request or index run retries
        app.logger.warning("pending curation changes could not be applied", exc_info=True)


def instance_folder(test_config: dict | None = None) -> Path:
    """The same folder as `searchapp.db.db_path()` uses, so the app and the CLI share a database."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "SEARCHAPP_INSTANCE", DEFAULT_INSTANCE)
    return Path(chosen).resolve()


class ConfigError(RuntimeError):
    """The configuration is not safe to serve with; the message says what to change."""


def check_production(app: Flask) -> None:
    """Refuse to serve production traffic with a made-up secret key or with debug on.

    The generated key in the instance folder is for development: in production the key is
    set on purpose, the same for every worker and every restart, and kept with the backups.
    """
    key = app.config.get("SECRET_KEY") or ""
    how = ("Set one, for example: export SEARCHAPP_SECRET_KEY=\"$(python3 -c 'import secrets; "
           "print(secrets.token_hex(32))')\", or SECRET_KEY = \"...\" in "
           f"{Path(app.instance_path) / 'config.py'}.")
    if not key:
        raise ConfigError(f"SEARCHAPP_ENV is production but no secret key is set. {how}")
    if len(str(key)) < MIN_SECRET_KEY_CHARS:
        raise ConfigError(f"The secret key is too short for production (at least "
                          f"{MIN_SECRET_KEY_CHARS} characters). {how}")
    if app.debug or app.config.get("DEBUG"):
        raise ConfigError("Debug mode is on (FLASK_DEBUG or DEBUG) but SEARCHAPP_ENV is "
                          "production: the debugger would run code for anyone. Turn it off.")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


def stored_secret_key(instance: Path) -> str:
    """The instance's own random key, made on first start (readable by the owner only).

    Several processes may start at once (gunicorn workers): the key is written to a
    private file and linked into place, so each one reads the same, complete key.
    """
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold password hashes
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


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Searches stay private: a followed link to a news site does not carry the query.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:  # browsers keep to HTTPS for this site from now on
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
