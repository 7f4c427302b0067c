""""Did you mean": the query with each likely misspelt word corrected.

Every free word of the query is looked up (not operators, field values or the words of
wildcards and fuzzy words), whether or not the query found something: "goverment" finds
the few articles with that typo, and the reader still wants "government". The words come
from the exact-words field's `Lexicon`, whose `suggest` leaves frequent real words alone;
the lookups share a small part of the search's time (SUGGEST_SECONDS) and never its end.
"""

from __future__ import annotations

import re
import time

from whoosh import query

from .. import MAX_CORRECTED_WORDS
from ..lexicon import Lexicon

FIELD = "exact"  # words as written: a correction is a word the reader can read
# A suggestion is a courtesy: past this much time, the words not looked up stay as written.
SUGGEST_SECONDS = 0.5
# Free words: not operators, not field values (`country:fr`), not wildcards or fuzzy words.
FREE_WORD = re.compile(r"(?<![:\w*?~/])(?!(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b)[^\W\d_]{3,}"
                       r"(?![:\w*?~])")


def suggest(lexicon: Lexicon, text: str, q, deadline: float) -> str | None:
    """The corrected query, or None when no word needs a correction."""
    if not text.strip() or isinstance(q, query.Every):
        return None
    until = min(deadline, time.monotonic() + SUGGEST_SECONDS)
    looked_up: dict[str, str | None] = {}

    def fix(m: re.Match) -> str:
        word = m.group(0)
        key = word.lower()
        if key not in looked_up:
            if len(looked_up) >= MAX_CORRECTED_WORDS:
                return word
            looked_up[key] = lexicon.suggest(key, until)
        best = looked_up[key]
        if not best or best == key:
            return word
        return best.capitalize() if word[:1].isupper() else best

    corrected = FREE_WORD.sub(fix, text)
    return corrected if corrected != text else None
