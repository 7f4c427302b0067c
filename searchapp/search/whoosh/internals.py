"""Every read of Whoosh's private attributes, and the one fix applied to it, in one place.

Whoosh-Reloaded 2.7.5 is pinned and treated as frozen code. The array evaluator reads
posting lists and field lengths straight from its files (parsing its pickled posting
blocks) and its scorer's parameters, which are not public API. On any other version
`supported()` is False: the fix is not applied, `bm25_parameters` refuses (so the array
evaluator is never built) and the engine answers every query with Whoosh's own matching
(slower, same results). The facet tables' reads (`deleted_docs`, `field_postings_ids`,
`numeric_column`) fall back to public names of Whoosh's segment reader, matchers and
columns, and serve on any version.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from bisect import bisect_right
from collections.abc import Iterator
from itertools import chain

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

PINNED = (2, 7, 5)
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_INT_SIZE = 4  # positions values start with their count as an int
_BLOCK_LENGTH = struct.Struct("!i")


def supported() -> bool:
    """Whether the installed Whoosh is the one these reads were written against."""
    return tuple(whoosh.__version__) == PINNED


class Unsupported(Exception):
    """The query, or the installed Whoosh, is not one the array evaluator covers."""


# -- the scorer ------------------------------------------------------------------------------


def bm25_parameters(weighting) -> tuple[float, float, dict]:
    """(B, K1, per-field B) of Whoosh's BM25F weighting."""
    if not supported():
        raise Unsupported(f"Whoosh {whoosh.versionstring()}")
    if not isinstance(weighting, BM25F):  # its idf may differ: the evaluator asks for it
        raise Unsupported("weighting")
    return weighting.B, weighting.K1, weighting._field_B


# -- segments --------------------------------------------------------------------------------


def deleted_docs(reader) -> np.ndarray:
    """The deleted doc numbers of one segment (its reader's cached set)."""
    return np.fromiter(reader.deleted_docs_set, dtype=np.int64)


def field_postings_ids(reader, field: str) -> Iterator[tuple[bytes, np.ndarray]]:
    """(term, every doc number of its postings) for each term of `field` in one segment,
    deleted ones included (deletions are masked later, for all terms at once)."""
    terms = getattr(reader, "_terms", None)
    if supported() and terms is not None and hasattr(terms, "items_from"):
        # The term index in order, each list read in whole blocks, not looked up and walked
        # id by id (34,701 facet terms of a 105,000-article segment: 1.7-2.0 s, not 2.0-2.3).
        for (name, btext), info in terms.items_from(field, b""):
            if name != field:
                break
            yield btext, _postings_of(terms, info, positions=False)[0].astype(np.int32)
        return
    for btext in reader.lexicon(field):
        m = reader.postings(field, btext)
        if isinstance(m, FilterMatcher):  # Whoosh wraps a segment with deletions in a filter
            m = m.child
        yield btext, np.fromiter(m.all_ids(), dtype=np.int32)


def numeric_column(reader, name: str, dtype) -> np.ndarray:
    """Each document's value of a numeric column, as `dtype`. The stored (sortable) values
    are read at once and each distinct one translated by Whoosh's own field code: a tenth of
    the time of asking for every document's value (105,000 values: 0.012 s, not 0.1-0.15)."""
    size = reader.doc_count_all()
    col = reader.column_reader(name)
    raw_col = col.raw_column() if hasattr(col, "raw_column") else None
    raw = _fixed_ints(raw_col, size) if supported() and raw_col is not None else None
    if raw is None:
        return np.fromiter((col[d] for d in range(size)), dtype=dtype, count=size)
    distinct, where = np.unique(raw, return_inverse=True)
    values = np.array([col._translate(int(v)) for v in distinct], dtype=dtype)
    return values[where.reshape(-1)] if size else np.zeros(0, dtype)


def _fixed_ints(raw_col, size: int) -> np.ndarray | None:
    """The raw values of a fixed-width numeric column (its default past its end), or None
    for any other kind of column."""
    code = getattr(raw_col, "_typecode", None)
    if code not in ("i", "I", "q", "Q") or getattr(raw_col, "_reverse", False):
        return None
    dtype = np.dtype(">" + {"i": "i4", "I": "u4", "q": "i8", "Q": "u8"}[code])
    count = min(raw_col._count, size)
    data = raw_col._dbfile.get(raw_col._basepos, count * dtype.itemsize) if count else b""
    out = np.full(size, raw_col._default, dtype=dtype.newbyteorder("="))
    out[:count] = np.frombuffer(data, dtype=dtype)
    return out


# -- posting lists ---------------------------------------------------------------------------


def read_postings(reader, field: str, btext: bytes, positions: bool):
    """(docs, weights, positions values or None) of a term's whole posting list in one
    segment, deletions included (masked later); None when the segment lacks the term."""
    if (field, btext) not in reader:
        return None
    terms = reader._terms
    return _postings_of(terms, terms.term_info(field, btext), positions)


def _postings_of(terms, info, positions: bool):
    if info.is_inlined():  # a short list stored with the term itself
        ids, weights, values = info.inlined_postings()
        return (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64),
                list(values) if positions else None)
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh 2.7 reads it back as a 1-tuple
        length = length[0]
    return _read_blocks(terms._postfile, offset, length, positions)


def _read_blocks(postfile, offset: int, length: int, positions: bool):
    """Whoosh 3 posting blocks, parsed from one read of the term's whole posting range.

    Each block is: its byte length (negative for the last), a pickled info tuple (count,
    last id, max weight, compression, min/max length), then the pickled (and usually
    zlib-compressed) tuple (id deltas, weights, values).
    """
    buf = postfile.get(offset, length)
    stream = io.BytesIO(buf)
    pos = _INT_SIZE  # the posting list's header tag
    ids: list[int] = []
    counts: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    while pos < len(buf):
        size = _BLOCK_LENGTH.unpack_from(buf, pos)[0]
        pos += _INT_SIZE
        end = pos + abs(size)
        stream.seek(pos)
        count, _last, _maxw, compression, _mn, _mx = pickle.load(stream)
        data = buf[stream.tell():end]
        block_ids, block_weights, block_values = pickle.loads(
            zlib.decompress(data) if compression else data)
        ids.extend(block_ids)
        counts.append(count)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if positions:
            values.extend(block_values)
        pos = end
        if size < 0:
            break
    # Ids are deltas that restart at each block: one running sum, less each block's base.
    running = np.cumsum(np.array(ids, dtype=np.int64))
    block_starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    base = np.where(block_starts > 0, running[block_starts - 1], 0)
    docs = running - np.repeat(base, counts)
    return docs, np.array(weights, dtype=np.float64), values if positions else None


def decode_positions(values) -> tuple[np.ndarray, np.ndarray]:
    """(starts, positions) from Whoosh's Positions values (a count, then a pickled list of
    position deltas), read from the bytes directly when they are as protocol 2 writes them,
    else by one unpickling of all the lists joined into one pickled tuple. Document i's
    positions are positions[starts[i]:starts[i+1]]."""
    if not values:
        return np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.uint16)
    decoded = _deltas_read_directly(values)
    if decoded is None:
        decoded = _deltas_unpickled(values)
    starts, flat = decoded
    counts = np.diff(starts)
    if not len(flat):
        return starts.astype(np.int32), flat.astype(np.uint16)
    # Deltas restart at each document: a running sum minus each document's base.
    running = np.cumsum(flat)
    base = np.where(starts[:-1] > 0, running[starts[:-1] - 1], 0)
    positions = running - np.repeat(base, counts)
    # Most articles are shorter than 65,536 words: two bytes a position, four otherwise.
    small = positions.max() < 2**16
    return (starts.astype(np.int32) if starts[-1] < 2**31 else starts,
            positions.astype(np.uint16 if small else np.int32))


def _deltas_unpickled(values) -> tuple[np.ndarray, np.ndarray]:
    """(starts, deltas) of every document, by one unpickling of all the lists."""
    body = b"".join(v[_INT_SIZE + 2:-1] if v.endswith(b".") else v[_INT_SIZE + 2:]
                    for v in values)  # each without its protocol header and stop
    deltas = pickle.loads(b"\x80\x02(" + body + b"t.")
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    starts = np.zeros(len(deltas) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(starts[-1]))
    return starts, flat


# Each value: its count (4 bytes, big-endian), then a pickled list of position deltas as
# protocol 2 writes it: this header, then one int and APPEND, or MARK, the ints and APPENDS.
_LIST_HEAD = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
_INT_SIZES = {ord("K"): 1, ord("M"): 2, ord("J"): 4}  # BININT1, BININT2, BININT (little-endian)
_FEW = 64  # documents left with more deltas than the rest: unpickled one by one


def _deltas_read_directly(values) -> tuple[np.ndarray, np.ndarray] | None:
    """(starts, deltas) read from the pickled bytes with whole-array steps, one step per
    delta index across all documents: ten times faster than unpickling a frequent word's
    tens of thousands of lists. None when a value is not in the expected form (then the
    caller unpickles)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    if lengths.min() < _INT_SIZE + len(_LIST_HEAD) + 3:
        return None
    head = buf[offsets[:, None] + np.arange(_INT_SIZE + len(_LIST_HEAD))].astype(np.int64)
    if not (head[:, _INT_SIZE:] == _LIST_HEAD).all():
        return None
    counts = (head[:, 0] << 24) | (head[:, 1] << 16) | (head[:, 2] << 8) | head[:, 3]
    starts = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    many = counts > 1
    cursor = offsets + _INT_SIZE + len(_LIST_HEAD)
    if not (buf[cursor[many]] == ord("(")).all():
        return None
    cursor = cursor + many  # past the MARK
    deltas = np.zeros(int(starts[-1]), dtype=np.int64)
    live = np.flatnonzero(counts)
    j = 0
    while len(live) > _FEW:
        at = cursor[live]
        op = buf[at]
        width = np.zeros(len(live), dtype=np.int64)
        for code, size in _INT_SIZES.items():
            width[op == code] = size
        if not width.all():
            return None
        deltas[starts[live] + j] = _little_endian(buf, at + 1, width)
        cursor[live] = at + 1 + width
        j += 1
        live = live[counts[live] > j]
    for d in live.tolist():  # the few documents with the most occurrences
        listed = pickle.loads(values[d][_INT_SIZE:])
        if len(listed) != counts[d]:
            return None
        deltas[starts[d]:starts[d + 1]] = listed
        cursor[d] = offsets[d] + lengths[d] - 2  # at its APPEND(S) and STOP
    end = cursor
    closed = np.where(many, buf[end] == ord("e"), buf[end] == ord("a"))
    if not (closed & (buf[end + 1] == ord(".")) & (end + 2 == offsets + lengths)).all():
        return None
    return starts, deltas


def _little_endian(buf: np.ndarray, at: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Unsigned little-endian integers of 1, 2 or 4 bytes at `at` (BININT's 4 bytes are
    signed, but positions are never negative)."""
    out = buf[at].astype(np.int64)
    for k in (1, 2, 3):
        wide = width > k
        out[wide] |= buf[at[wide] + k].astype(np.int64) << (8 * k)
    return out


def stored_fields_reader(searcher):
    """docnum -> the document's stored fields, read from each segment's stored column
    without the per-field schema check of Whoosh's `stored_fields` (a seventh of an
    export's time). That check drops fields removed from the schema since the document was
    written; callers read only the fields they know, so nothing else changes. On another
    Whoosh: its own `stored_fields`."""
    if not supported():
        return searcher.stored_fields
    leaves = [(offset, sub.reader()) for sub, offset in searcher.leaf_searchers()]
    if not all(isinstance(r._perdoc, W3PerDocReader) for _o, r in leaves):
        return searcher.stored_fields
    starts = [offset for offset, _r in leaves]
    perdocs = [r._perdoc for _o, r in leaves]

    def stored(docnum: int) -> dict:
        n = bisect_right(starts, docnum) - 1
        return perdocs[n].stored_fields(docnum - starts[n])

    return stored


def read_lengths(reader, field: str) -> np.ndarray:
    """Each document's length of `field` as Whoosh's scorer sees it (one-byte encoded)."""
    size = reader.doc_count_all()
    codes = np.zeros(size, dtype=np.uint8)
    column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is not None:
        raw = getattr(column, "_dbfile", None)
        if raw is not None and column._fixedlen == 1:  # one byte per doc: read them at once
            data = np.frombuffer(raw.get(column._basepos, column._count), dtype=np.uint8)
            codes[:len(data)] = data[:size]
            codes[len(data):] = column._default  # docs past the column's end
        else:
            codes[:] = np.fromiter(iter(column), dtype=np.uint8, count=size)
    return _LENGTHS[codes]


# -- the fix ---------------------------------------------------------------------------------
# W3PerDocReader._cached_reader caches a column reader only when the column exists, so for
# fields without a length column (keywords, the spelling field) every posting written at
# commit costs a `stat()` of a missing file: 120,000 calls and a third of the commit time for
# 1,000 Reuters stories. Segments are immutable once written, so remembering "no such
# column" is safe.

_MISSING = object()


def _cached_reader(self, fieldname, column):
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


if supported():
    W3PerDocReader._cached_reader = _cached_reader
