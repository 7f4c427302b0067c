"""Plain queries (words only, see `..query`) on Whoosh: the query's words as the index
analyses them, one weighted query per distinct word, and what the archive holds of them.
The policy decides how many words an article needs (`policy.plan_match`); `matching`
counts them."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query

from .. import query as policy
from .schema import STEMMED

TEXT_FIELDS = ("title", "body")


@dataclass(frozen=True)
class Words:
    """A plain query's distinct words, each as a query on the text fields."""
    queries: tuple[query.Query, ...]  # one per distinct word, weighted by repetition
    present: int  # how many of them the archive holds
    question: bool

    @property
    def query(self) -> query.Query:
        """Every word required (for snippets, suggestions and the strict search)."""
        return query.And(list(self.queries)) if self.queries else query.NullQuery


def terms(text: str) -> tuple[list[str], bool]:
    """(the index terms of the query's words in order, whether it is a question). Words
    are split and normalised by the index's own analyzer, so "filaria," is "filaria";
    words the index leaves out (its stop words) are left out."""
    pairs = [(t.original.lower(), t.text) for t in STEMMED(text, keeporiginal=True)]
    question = policy.is_question([w for w, _ in pairs])
    if question:
        kept = set(policy.question_words([w for w, _ in pairs]))
        pairs = [(w, term) for w, term in pairs if w in kept]
    return [term for _, term in pairs], question


def words(s, text: str) -> Words:
    found, question = terms(text)
    weights = policy.query_weights(found)
    queries = tuple(query.Or([query.Term(f, term) for f in TEXT_FIELDS], boost=weight)
                    for term, weight in weights.items())
    present = sum(1 for term in weights if any(s.doc_frequency(f, term) for f in TEXT_FIELDS))
    return Words(queries, present, question)
