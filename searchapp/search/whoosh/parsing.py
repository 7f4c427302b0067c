"""Whoosh's side of the query language: the checked text (see `..query`) parsed into a
Whoosh query, the parsed parts the policy refuses."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh import query
from whoosh.qparser import AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin

from ...model import FACETS
from .. import facet_value
from .. import query as policy
from .expansion import written
from .highlight import QueryTerms, terms_of_query
from .plain import Words, words


def _parser(s, group=AndGroup):
    # The searcher's schema, not the index's: that one is re-read from disk, which
    # races with an indexer's commit.
    parser = MultifieldParser(["title", "body"], s.schema, group=group)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(DateParserPlugin(basedate=datetime.now(UTC).replace(tzinfo=None)))
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
    # The fields as the reader named them, before phrases are routed to `exact`: any
    # character before a name (`/rawtag:x`) makes the parser read it as a field.
    policy.check_fields(fields_of(_parse(s, AndGroup, policy.negations(text))))
    q = _parse(s, AndGroup, policy.for_parser(text, held))
    q = q.accept(_normalize_facet_terms)
    refuse(q, s.reader())
    return q, terms_of_query(q), None


def _parse(s, group, parsed: str):
    try:
        return _parser(s, group).parse(parsed)
    except OSError:  # the index, not the query: not the reader's mistake
        raise
    except Exception:  # whoosh raises many types on odd input; its words are not for readers
        raise policy.not_understood(parsed) from None


def fields_of(q) -> set[str]:
    """The fields every part of the parsed query searches."""
    nodes = [q] if q.is_leaf() else list(q.leaves())
    return {n.fieldname for n in nodes if getattr(n, "fieldname", None)}


def _normalize_facet_terms(q):
    """Facet values as the index holds them (country codes upper-case: `country:ru` works)."""
    if isinstance(q, query.Term) and q.fieldname in FACETS and isinstance(q.text, str):
        return query.Term(q.fieldname, facet_value(q.fieldname, q.text), boost=q.boost)
    return q


def refuse(q, reader) -> None:
    """Refuse what would fail or cost too much to run, with the policy's message.

    Too many fuzzy edits, one-letter wildcards, `body:*`, phrases on fields that keep no word
    positions, anything but dates on `published` (what wildcards, ranges and fuzzy words
    stand for is counted as they are expanded: `expansion`).
    """
    for node in q.leaves() if not q.is_leaf() else [q]:
        field = getattr(node, "fieldname", None)
        if isinstance(node, query.FuzzyTerm):
            policy.check_fuzzy(node.text, node.maxdist, node.prefixlength)
        if isinstance(node, (query.Prefix, query.Wildcard)):
            policy.wildcard_stem(node.text, written(node))
        if field == "published" and not isinstance(node, query.NumericRange):
            raise policy.published_needs_a_date()
        if isinstance(node, query.Every) and field in ("title", "body", "exact"):
            raise policy.matches_everything(field)
        if isinstance(node, query.Phrase) and not reader.schema[field].format.supports("positions"):
            raise policy.phrase_not_searchable(node.fieldname)
