"""Whoosh's side of the query language: the checked text (see `..query`) parsed into a
Whoosh query, the parsed parts the policy refuses, and "did you mean" suggestions."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from itertools import islice

from whoosh import query
from whoosh.qparser import AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin

from .. import MAX_CORRECTED_WORDS, MAX_EXPANSION
from .. import query as policy
from .highlight import QueryTerms, terms_of_query
from .plain import Words, words


def _parser(s, group=AndGroup):
    # The searcher's schema, not the index's: that one is re-read from disk, which
    # races with an indexer's commit.
    parser = MultifieldParser(["title", "body"], s.schema, group=group)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(DateParserPlugin(basedate=datetime.now(timezone.utc).replace(tzinfo=None)))
    return parser


def parse(s, text: str, held=None) -> tuple[query.Query, QueryTerms, Words | None]:
    """(query, words to mark in snippets, the words of a plain query or None). `held`:
    facet -> the values the index holds (to resolve `person:reagan` and the like).

    A plain query (words only) is not parsed: its words are matched one by one (see
    `plain`), so that the search can tell how many of them each article has. Any other
    query is parsed, its words joined by AND unless its operators say otherwise.
    """
    text = text.strip()
    if policy.browses_all(text):
        return query.Every(), QueryTerms(frozenset()), None
    policy.check_syntax(text)
    if policy.is_plain(text):
        found = words(s, text)
        return found.query, terms_of_query(found.query), found
    parsed = policy.for_parser(text, held)
    try:
        q = _parser(s).parse(parsed)
    except OSError:  # the index, not the query: not the reader's mistake
        raise
    except Exception:  # whoosh raises many types on odd input; its words are not for readers
        raise policy.not_understood(parsed) from None
    q = q.accept(_normalize_facet_terms)
    refuse(q, s.reader())
    return q, terms_of_query(q), None


def _normalize_facet_terms(q):
    """Country codes are stored upper-case; let `country:ru` work too."""
    if isinstance(q, query.Term) and q.fieldname == "country" and isinstance(q.text, str):
        return query.Term("country", q.text.upper(), boost=q.boost)
    return q


def refuse(q, reader) -> None:
    """Refuse what would fail or cost too much to run, with the policy's message.

    Too many fuzzy edits, one-letter wildcards, `body:*`, phrases on fields that keep no word
    positions, anything but dates on `published`, and wildcards, ranges and fuzzy words that
    stand for more than MAX_EXPANSION words of the archive together (counted on `reader`,
    stopping at the limit, before anything is searched).
    """
    budget = MAX_EXPANSION
    for node in q.leaves() if not q.is_leaf() else [q]:
        field = getattr(node, "fieldname", None)
        if isinstance(node, query.FuzzyTerm):
            policy.check_fuzzy(node.text, node.maxdist, node.prefixlength)
        stem = ""
        if isinstance(node, (query.Prefix, query.Wildcard)):
            stem = policy.wildcard_stem(node.text, _written(node))
        if field == "published" and not isinstance(node, query.NumericRange):
            raise policy.published_needs_a_date()
        if isinstance(node, query.Every) and field in ("title", "body", "exact"):
            raise policy.matches_everything(field)
        if isinstance(node, query.Phrase) and not reader.schema[field].format.supports("positions"):
            raise policy.phrase_not_searchable(field)
        if isinstance(node, query.MultiTerm):
            # A wildcard reads every word that starts like it; the others, the words they match.
            words = (reader.expand_prefix(field, stem) if isinstance(node, query.Wildcard)
                     else node.expanded_terms(reader))
            budget -= sum(1 for _ in islice(words, budget + 1))
            if budget < 0:
                raise policy.too_many_words(_written(node))


def _written(node) -> str:
    """A wildcard, range or fuzzy word as the reader wrote it."""
    if isinstance(node, query.TermRange):
        return f"[{node.start or ''} TO {node.end or ''}]"
    if isinstance(node, query.FuzzyTerm):
        return f"{node.text}~{node.maxdist}"
    return node.text + ("*" if isinstance(node, query.Prefix) else "")


def suggest(s, text: str, q, total: int) -> str | None:
    """A corrected query when words are unknown to the archive and likely misspelt."""
    if not text.strip() or isinstance(q, query.Every):
        return None
    if total and len(text.split()) > policy.QUESTION_WORDS:
        return None  # a question with results: unknown words are just not in the archive
    corrector = s.corrector("exact")
    # The searcher's own schema: the index's is re-read from disk, which an indexer may be
    # replacing at this very moment.
    analyzer = s.schema["body"].analyzer
    changed = False
    looked_up: dict[str, str | None] = {}  # each lookup walks the word list: few, once each

    def fix(m: re.Match) -> str:
        nonlocal changed
        word = m.group(0)
        stems = [t.text for t in analyzer(word.lower())]
        if not stems or any(s.doc_frequency("body", t) or s.doc_frequency("title", t)
                            for t in stems):
            return word
        key = word.lower()
        if key not in looked_up:
            if len(looked_up) >= MAX_CORRECTED_WORDS:
                return word
            best = corrector.suggest(key, limit=1)
            looked_up[key] = best[0] if best else None
        best = looked_up[key]
        if not best:
            return word
        changed = True
        return best.capitalize() if word[:1].isupper() else best

    # Only free words: not operators, not field values, not inside phrases' syntax.
    corrected = re.sub(r"(?<![:\w*?~])(?!(?:AND|OR|NOT)\b)[A-Za-z]{3,}(?![:\w*?~])", fix, text)
    return corrected if changed else None
