"""Result snippets: the best passages of an article with the query's words marked.

Whoosh's highlighter runs every word of the text through the analyzer's token objects;
on a page of twenty long articles that was most of a search's time. This one reads only
the stretches around the first places a query word may occur and finds the matching
words there (`highlight`: one regular expression, each word stemmed once). It keeps
Whoosh's choices: words match by stem, passages of at most SNIPPET_CHARS around the
matches, the two passages with the most different words (then the most matches), shown
in text order; two passages whose context overlaps are shown as one, never the same
text twice. All article text is escaped; only our own <mark> is added.
"""

from __future__ import annotations

import html
import re

from .highlight import QueryTerms

SNIPPET_CHARS = 240
SURROUND = 60  # context kept before the first and after the last marked word
PASSAGES = 2
BETWEEN = " … "
# Where to look: this much text on each side of the first few places a word may occur.
WINDOW = 400
PLACES = 6
# How far into a body to look for those places: scanning 20 MB took over a second, and a
# snippet is a glimpse; a word found only further on leaves the opening text as the snippet.
SCAN_CHARS = 512 * 1024


def snippet(body: str, terms: QueryTerms) -> str:
    """Best passages of the body with the query's words marked; the opening text otherwise."""
    if terms:
        marked = _passages(_near_terms(body, terms), terms)
        if marked:
            return re.sub(r"\s+", " ", marked)  # passages may span paragraphs
    return plain_snippet(body)


def plain_snippet(body: str) -> str:
    text = body[:SNIPPET_CHARS * 2].replace("\n\n", " ")
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


def _passages(text: str, terms: QueryTerms) -> str:
    matches = terms.matches(text)
    if not matches:
        return ""
    # Group matches into passages no longer than SNIPPET_CHARS with their context.
    groups, current = [], [matches[0]]
    for match in matches[1:]:
        if match[1] + SURROUND - max(0, current[0][0] - SURROUND) <= SNIPPET_CHARS:
            current.append(match)
        else:
            groups.append(current)
            current = [match]
    groups.append(current)
    best = sorted(groups, key=lambda g: (-len({s for _a, _b, s in g}), -len(g), g[0][0]))
    chosen = sorted(best[:PASSAGES], key=lambda g: g[0][0])
    return BETWEEN.join(_mark(text, group, lo, hi) for group, lo, hi in _joined(text, chosen))


def _joined(text: str, groups) -> list:
    """(group, lo, hi) of each passage; passages whose context overlaps become one, so a
    snippet never shows the same stretch of the article twice."""
    out: list = []
    for group in groups:
        lo, hi = _bounds(text, group)
        if out and lo < out[-1][2]:
            prev, prev_lo, _hi = out.pop()
            group, lo = prev + group, prev_lo
        out.append((group, lo, hi))
    return out


def _bounds(text: str, group) -> tuple[int, int]:
    lo = max(0, group[0][0] - SURROUND)
    hi = min(len(text), group[-1][1] + SURROUND)
    # Whole words at the edges.
    if lo > 0:
        space = text.find(" ", lo, group[0][0])
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", group[-1][1], hi)
        hi = space if space >= 0 else hi
    return lo, hi


def _mark(text: str, group, lo: int, hi: int) -> str:
    out, last = [], lo
    for start, end, _s in group:
        out.append(html.escape(text[last:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        last = end
    out.append(html.escape(text[last:hi], quote=False))
    return "".join(out).strip()


def _near_terms(body: str, terms: QueryTerms) -> str:
    """The stretches of `body` around the first places (in its first SCAN_CHARS) where a
    query word may occur; "" when there are none: a long body is never read word by word
    (that took 4 s for 20 MB)."""
    if len(body) <= 4 * WINDOW:
        return body
    # A stem less its last letter starts every word it comes from ("happi" < "happy").
    starts = {t[:max(3, len(t) - 1)] for t in terms.stems} | set(terms.prefixes)
    longest_first = sorted(map(re.escape, starts), key=len, reverse=True)
    found = re.compile(rf"\b(?:{'|'.join(longest_first)})", re.IGNORECASE).finditer(body, 0, SCAN_CHARS)
    places = [m.start() for m, _ in zip(found, range(PLACES))]
    spans: list[list[int]] = []
    for p in places:
        lo, hi = max(0, p - WINDOW), p + WINDOW
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return BETWEEN.join(_whole_words(body, lo, hi) for lo, hi in spans)


def _whole_words(text: str, lo: int, hi: int) -> str:
    """text[lo:hi] without the words cut at either end."""
    part = text[lo:hi]
    if lo > 0 and " " in part:
        part = part.split(" ", 1)[1]
    if hi < len(text) and " " in part:
        part = part.rsplit(" ", 1)[0]
    return part
