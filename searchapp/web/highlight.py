"""Highlight the words of a query in article text, safely.

Which words match is the search engine's business (`searchapp.search.highlighter`: by
stem, as the index matches them, so `sanction` finds "sanctions" and "Sanctioned";
`sanc*` marks every word starting with "sanc"). The text is escaped first; only the
engine's <mark> elements are added.
"""

from __future__ import annotations

import re

from flask import has_app_context
from markupsafe import Markup

from ..search import Highlighter, highlighter
from .engine import engine


def query_terms(q: str) -> Highlighter:
    """What the query looks for in the text, for `highlight`: as the app's engine matches
    it (outside a request, as the configured engine does)."""
    if has_app_context():
        return engine().highlighter(q or "")
    return highlighter(q or "")


def highlight(text: str, terms: Highlighter) -> Markup:
    """Escaped `text` with each matching word wrapped in <mark>."""
    return Markup(terms.mark(text or ""))


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]
