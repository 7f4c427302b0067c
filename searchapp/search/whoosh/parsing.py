"""Whoosh's side of the query language: the checked text (see `..query`) parsed into a
Whoosh query, the parsed parts the policy refuses."""

from __future__ import annotations

from datetime import datetime, timezone

from whoosh import query
from whoosh.qparser import AndGroup, FuzzyTermPlugin, GtLtPlugin, MultifieldParser, OrGroup
from whoosh.qparser.dateparse import DateParserPlugin

from .. import query as policy
from .expansion import written
from .highlight import QueryTerms, terms_of_query
from .schema import STEMMED


def focus_question(s, text: str) -> str:
    """The question's informative words (see `policy.focus_question`), by body frequency."""
    total = s.doc_count()

    def share(word: str) -> float:
        stems = [t.text for t in STEMMED(word)]
        return max((s.doc_frequency("body", t) for t in stems), default=0) / total if stems else 1.0

    return policy.focus_question(text, total, share)


def _parser(s, group=AndGroup):
    # The searcher's schema, not the index's: that one is re-read from disk, which
    # races with an indexer's commit.
    parser = MultifieldParser(["title", "body"], s.schema, group=group)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(DateParserPlugin(basedate=datetime.now(timezone.utc).replace(tzinfo=None)))
    return parser


def parse(s, text: str) -> tuple[query.Query, QueryTerms, query.Query | None]:
    """(query, words to mark in snippets, the query with any word allowed or None)."""
    text = text.strip()
    if policy.browses_all(text):
        return query.Every(), QueryTerms(frozenset()), None
    policy.check_syntax(text)
    group = OrGroup.factory(0.9) if policy.is_question(text) else AndGroup
    parsed = policy.for_parser(text)
    # The fields as the reader named them, before phrases are routed to `exact`: any
    # character before a name (`/rawtag:x`) makes the parser read it as a field.
    policy.check_fields(fields_of(_parse(s, group, policy.negations(text))))
    q = _parse(s, group, parsed)
    q = q.accept(_normalize_facet_terms)
    refuse(q, s.reader())
    loose = None
    if policy.falls_back(parsed):
        # A plain query whose words never occur together still gets ranked results.
        loose = _parser(s, OrGroup.factory(0.9)).parse(parsed)
    return q, terms_of_query(q), loose


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
    """Country codes are stored upper-case; let `country:ru` work too."""
    if isinstance(q, query.Term) and q.fieldname == "country" and isinstance(q.text, str):
        return query.Term("country", q.text.upper(), boost=q.boost)
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
            raise policy.phrase_not_searchable(field)
