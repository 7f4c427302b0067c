"""The Whoosh engine behind the search interface.

- `schema`: the index's fields; articles to and from documents.
- `parsing`: the query language's text parsed by Whoosh; refusals; suggestions.
- `matching`, `arrays`, `tables`: matches, scores, facet counts, dates, paging, on numpy
  arrays read from Whoosh's postings and columns.
- `highlight`, `snippets`: which words of a text match a query; result snippets.
- `engine`: the index and its writer, rebuild-and-swap, snapshot and restore.
- `internals`: every read of Whoosh's private attributes, checked against the pinned version.
"""

from .engine import WhooshEngine, WhooshWriter

__all__ = ["WhooshEngine", "WhooshWriter"]
