"""The index's word lists as `Lexicon`s, one per field, built once per index version.

Fuzzy words, wildcards, ranges of words and "did you mean" look their words up here instead
of walking Whoosh's word list in Python (seconds per word on a big archive). A lexicon is
built from the engine's own words and document frequencies, on first use in each process
(a fraction of a second on 17,000 articles, about 4 s on 200,000; bench/search_latency.py).
After a commit the previous version's lexicon keeps answering while the new one is built in
the background: a word added a moment ago is missing from suggestions and expansions for
that long, and no search waits for a rebuild.
"""

from __future__ import annotations

import threading

from ..lexicon import Lexicon


def read_lexicon(searcher, field: str) -> Lexicon:
    """The field's words over every segment (a word in several segments has its document
    frequencies added)."""
    pairs = []
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        if field not in reader.indexed_field_names():
            continue
        for text, info in reader.iter_field(field):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            pairs.append((word, info.doc_frequency()))
    return Lexicon.from_counts(pairs)


class Lexicons:
    """Each field's lexicon for the current index version, shared by the threads of a
    process. `version` names an index version; `open_searcher()` gives a searcher on it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._built: dict[str, tuple[object, Lexicon]] = {}  # field -> (version, lexicon)
        self._building: set[str] = set()

    def get(self, field: str, version, searcher, open_searcher) -> Lexicon:
        """The field's lexicon: this version's, else (while it is built in the background)
        the previous version's, else built now from `searcher`."""
        with self._lock:
            found = self._built.get(field)
            if found is not None and found[0] == version:
                return found[1]
            stale = found is not None
            if stale and field not in self._building:
                self._building.add(field)
                threading.Thread(target=self._rebuild, args=(field, version, open_searcher),
                                 daemon=True, name=f"lexicon-{field}").start()
        if stale:
            return found[1]
        lexicon = read_lexicon(searcher, field)
        with self._lock:
            self._built[field] = (version, lexicon)
        return lexicon

    def _rebuild(self, field: str, version, open_searcher) -> None:
        try:
            with open_searcher() as s:
                lexicon = read_lexicon(s, field)
            with self._lock:
                self._built[field] = (version, lexicon)
        finally:
            with self._lock:
                self._building.discard(field)

    def clear(self) -> None:
        with self._lock:
            self._built.clear()
