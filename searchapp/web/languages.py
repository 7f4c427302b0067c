"""The reader's language: English or French, from ?lang=, then its cookie, then the browser."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

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
    locale = get_locale()
    return str(locale) if locale else "en"
