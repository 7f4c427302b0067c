"""The index's word lists as `Lexicon`s, one per field.

Fuzzy words, wildcards, ranges of words and "did you mean" look their words up here instead
of walking Whoosh's word list in Python (seconds per word on a big archive).

Reading a field's words and document frequencies from Whoosh is slow (4 s for the 64,000
words of 17,000 articles on a busy machine, most of it decoding Whoosh's term records),
loading a saved lexicon six times faster: so the writer saves each field's lexicon in the
index folder when a commit changed the articles' text (`save_lexicons`), and every process
loads it once, then again only when a newer one is saved. A librarian's retagging changes
no text and saves none. A commit's new words are missing until the new file is loaded,
in the background while the previous lexicon answers; an index with no saved lexicon (made
before they were saved) is read from Whoosh, once per version.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..lexicon import Lexicon

FIELDS = ("exact", "body", "title")  # the fields whose words are expanded or suggested
FILE = "lexicon-{field}.tsv"


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


def save_lexicons(searcher, index_dir: Path) -> None:
    """Each text field's lexicon, saved beside the index's segments (atomically: a unique
    temporary file renamed into place)."""
    for field in FIELDS:
        path = index_dir / FILE.format(field=field)
        temp = index_dir / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
        read_lexicon(searcher, field).save(temp)
        os.replace(temp, path)


def _saved(index_dir: Path, field: str) -> tuple[Path, int] | None:
    path = index_dir / FILE.format(field=field)
    try:
        return path, path.stat().st_mtime_ns
    except OSError:
        return None


class Lexicons:
    """Each field's lexicon, shared by the threads of a process."""

    def __init__(self, index_dir: Path):
        self.dir = index_dir
        self._lock = threading.Lock()
        # field -> (what it was made from: a saved file's time or an index version, lexicon)
        self._held: dict[str, tuple[object, Lexicon]] = {}
        self._loading: set[str] = set()
        self._loaded = threading.Condition(self._lock)

    def get(self, field: str, version, searcher, open_searcher,
            wait: float | None = None) -> Lexicon | None:
        """The field's lexicon: the newest saved one, else read from `searcher` (of index
        `version`). A newer one than held is loaded in the background meanwhile. With no
        lexicon held yet: made now, or with `wait` loaded in the background for at most
        `wait` seconds (None when it takes longer)."""
        saved = _saved(self.dir, field) if field in FIELDS else None
        source = ("file", saved[1]) if saved else ("index", version)
        with self._lock:
            held = self._held.get(field)
            if held is not None and held[0] == source:
                return held[1]
            if held is not None or wait is not None:
                if field not in self._loading:
                    self._loading.add(field)
                    threading.Thread(target=self._load, daemon=True, name=f"lexicon-{field}",
                                     args=(field, source, saved, open_searcher)).start()
                if held is None:
                    self._loaded.wait_for(lambda: field in self._held, wait)
                    held = self._held.get(field)
                return held[1] if held is not None else None
        lexicon = self._make(saved, searcher, field)
        with self._lock:
            self._held[field] = (source, lexicon)
        return lexicon

    @staticmethod
    def _make(saved, searcher, field: str) -> Lexicon:
        if saved:
            try:
                return Lexicon.load(saved[0])
            except (OSError, ValueError):  # replaced or removed meanwhile: read the index
                pass
        return read_lexicon(searcher, field)

    def _load(self, field: str, source, saved, open_searcher) -> None:
        try:
            with open_searcher() as s:
                lexicon = self._make(saved, s, field)
            with self._lock:
                self._held[field] = (source, lexicon)
        finally:
            with self._lock:
                self._loading.discard(field)
                self._loaded.notify_all()

    def stamp(self) -> tuple:
        """What the lexicons held were made from: results computed with other lexicons
        (an older list, or none yet) are not reused once these changed."""
        with self._lock:
            return tuple(sorted((field, held[0]) for field, held in self._held.items()))

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
