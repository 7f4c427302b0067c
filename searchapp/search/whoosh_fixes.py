"""Fixes for Whoosh-Reloaded 2.7.5, which is frozen code: applied once, on import.

- W3PerDocReader._cached_reader caches a column reader only when the column exists, so
  for fields without a length column (keywords, the spelling field) every posting
  written at commit costs a `stat()` of a missing file: 120,000 calls and a third of
  the commit time for 1,000 Reuters stories. Segments are immutable once written, so
  remembering "no such column" is safe.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3PerDocReader

_MISSING = object()


def _cached_reader(self, fieldname, column):
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


W3PerDocReader._cached_reader = _cached_reader
