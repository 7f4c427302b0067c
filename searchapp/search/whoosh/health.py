"""Whether a Whoosh index on disk can be served: checked before a server starts."""

from __future__ import annotations

from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader

from .schema import format_problem


def index_problem(index_dir: Path) -> str | None:
    """Why the index in index_dir cannot be served (one line for the log), or None.

    No index at all is no problem: the app starts with an empty one. Opening a reader on
    every segment reads the table of contents and each segment's own table, which is where a
    truncated or half-copied file shows.
    """
    if not any(index_dir.glob("_MAIN_*.toc")):
        leftovers = sorted(p.name for p in index_dir.glob("*.seg"))
        if leftovers:
            return unreadable(index_dir, f"it has segments ({', '.join(leftovers[:3])}) but "
                                         "no table of contents (_MAIN_*.toc)")
        return None
    storage = FileStorage(str(index_dir), supports_mmap=False)
    try:
        toc = TOC.read(storage, "MAIN")
    except Exception as e:
        return unreadable(index_dir, f"its table of contents is damaged ({describe(e)})")
    for segment in toc.segments:
        try:
            SegmentReader(storage, toc.schema, segment).close()
        except Exception as e:
            why = f"segment {segment.segment_id()} is damaged ({describe(e)})"
            return unreadable(index_dir, why)
    return format_problem(index_dir)


def unreadable(index_dir: Path, why: str) -> str:
    return (f"the index at {index_dir} cannot be read: {why}; restore a backup or run "
            "`searchapp index --rebuild`")


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
