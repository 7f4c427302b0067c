"""The reader's language: English or French, from ?lang=, then its cookie, then the browser."""

from __future__ import annotations

from flask import g, request
from flask_babel import get_locale, get_translations

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
LANG_COOKIE = "lang"


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
                            httponly=True, secure=request.is_secure)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def current_locale() -> str:
    """The reader's locale ("en", "fr"), worked out once per request."""
    if "reader_locale" not in g:
        locale = get_locale()
        g.reader_locale = str(locale) if locale else "en"
    return g.reader_locale


def install_template_gettext(app) -> None:
    """The templates' _(), ngettext() and their context forms, as flask_babel installs them,
    but with the request's catalogue looked up once: a page of results asks for some 900
    messages, and flask_babel finds the locale and its catalogue again for each."""
    def translations():
        if "reader_translations" not in g:
            g.reader_translations = get_translations()
        return g.reader_translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
