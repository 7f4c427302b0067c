"""Ingest: find source files, read, clean and tag them in parallel, write them to the index.

Only files whose content hash changed are read again; articles of files that are
gone are removed. A file's articles are written and committed together, so an
interrupted run leaves an index that opens, and the next run picks up the rest.
A JSON Lines file indexed when its ids were line numbers is read again once, and its
articles' curation moved to their new ids (see `id_moves`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

from .crosswalk import Crosswalk
from .duplicates import Groups, fingerprint, state_path
from .model import Article
from .readers import (
    ReadError,
    UnreadableFile,
    bad_name,
    file_format,
    legacy_jsonl_id,
    not_an_article,
    not_regular,
    read_file,
    valid_text,
)
from .search import EngineConfig, IndexLocked, SearchEngine, SearchRequest, open_engine
from .sources import is_under, publication_of
from .timebudget import OverBudget, time_budget

COMMIT_EVERY_ARTICLES = 5000
COMMIT_EVERY_SECONDS = 60.0
# How long the writer waits for a librarian's edit (re-tagging a few hundred articles at
# most) that holds the index, at the start and at every commit.
WRITER_WAIT_SECONDS = 60.0
# Below this many files a worker pool costs more than it saves.
POOL_MIN_FILES = 4
# Files handed to each worker ahead of the writer: enough to keep it busy, few enough
# that memory stays bounded whatever the corpus size.
IN_FLIGHT_PER_WORKER = 2
# Reading, cleaning and tagging one file may take this long; a file that takes longer is
# skipped and reported, so that no file can hold the indexer (and its lock) for ever.
# Generous: a 20 MB page takes about 30 s on a busy machine, and 64 MB are accepted.
FILE_SECONDS = 300.0
# A run (the command line's) that would remove more than this share of the archive stops
# and asks: a rebuild from the wrong folder must not empty a live archive.
REMOVAL_LIMIT = 0.1
# How a format makes its article ids, where that changed: the stored digest of a file carries
# it, so a file indexed under an older scheme is read again (once) and its curation moved.
# JSON Lines ids were line numbers; they are now the line's own identity (readers.line_identity).
ID_SCHEMES = {"jsonl": "ids:line-identity"}
# Line-number ids of a file are looked up for each of its lines and on (the file may have
# been longer) until this many numbers in a row hold no article.
LEGACY_GAP = 100


class TooManyRemovals(RuntimeError):
    """The run would remove more of the archive than it may; nothing was changed."""

    def __init__(self, count: int, total: int):
        super().__init__(f"this run would remove {count:,} of the {total:,} articles in the index")
        self.count, self.total = count, total


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as the user gave it, joined with the path inside a folder
    key: str  # stable location key: '<root folder name>/<path inside it>'; article ids derive from it
    given: str | None = None  # the publication name given for the folder it was found in

    @property
    def file(self) -> str:  # the manifest key: where the file is on this machine
        return str(self.path.resolve())


@dataclass
class IngestReport:
    files_indexed: int = 0
    articles_indexed: int = 0
    unchanged: int = 0
    files_removed: int = 0
    articles_removed: int = 0
    skipped: list[ReadError] = field(default_factory=list)
    # Source codes the crosswalk does not map, met in this run: (source, facet, code) -> the
    # id of an article holding it. They are no facet values; they wait for a librarian.
    waiting: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def summary(self) -> str:
        text = (f"indexed {self.articles_indexed} articles from {self.files_indexed} files, "
                f"{self.unchanged} files unchanged, {self.articles_removed} articles removed "
                f"({self.files_removed} files gone), {len(self.skipped)} skipped")
        if self.waiting:
            text += f"; {len(self.waiting)} source codes wait for a crosswalk mapping"
        return text


# -- finding files ------------------------------------------------------------------


def discover(paths: Iterable[str | os.PathLike], report: IngestReport,
             names: dict[str, str] | None = None) -> list[SourceFile]:
    """The files to read under `paths`; `names` maps a (resolved) path to the publication
    name given for it."""
    found, names = [], names or {}
    for root in map(Path, paths):
        if root.is_file():
            if file_format(root) is None:
                report.skipped.append(ReadError(str(root), "unsupported file type"))
            elif reason := bad_name(root) or not_an_article(root):
                report.skipped.append(ReadError(valid_text(str(root)), reason))
            else:
                given = given_name(str(root.resolve()), names)
                found.append(SourceFile(root, f"{root.resolve().parent.name}/{root.name}", given))
        elif root.is_dir():
            found.extend(_walk(root, report, names))
        else:
            reason = not_regular(root) or "no such file or folder"
            report.skipped.append(ReadError(str(root), reason))
    return found


def given_name(path: str, names: dict[str, str]) -> str | None:
    """The name given for the deepest named path that holds `path` (resolved), if any."""
    holders = [p for p in names if is_under(path, p)]
    return names[max(holders, key=len)] if holders else None


def _walk(root: Path, report: IngestReport, names: dict[str, str]) -> Iterator[SourceFile]:
    top = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if name.startswith(".") or file_format(path) is None:
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(top):
                report.skipped.append(ReadError(str(path), "symbolic link pointing outside the folder"))
                continue
            problem = not_regular(path) or bad_name(path) or not_an_article(path)
            if problem:  # never opened: a FIFO would block the indexer
                report.skipped.append(ReadError(valid_text(str(path)), problem))
                continue
            inside = path.relative_to(root).as_posix()
            given = given_name(f"{top}/{inside}", names) if names else None
            yield SourceFile(path, f"{top.name}/{inside}", given)


def file_digest(f: SourceFile) -> str:
    """What the file's articles are made of: its content, the id scheme of formats whose
    ids changed (ID_SCHEMES), and the publication name given for its folder. A new name
    re-reads the folder's files (as did the first run of a searchapp that reads names: the
    manifest's older digests have no name part)."""
    scheme = ID_SCHEMES.get(file_format(f.path) or "")
    digest = content_hash(f.path)
    return f"{digest} {scheme}|{f.given or ''}" if scheme else f"{digest}|{f.given or ''}"


def has_old_ids(path: Path, stored: str | None) -> bool:
    """True when the stored digest says the file was indexed before its format's ids changed."""
    scheme = ID_SCHEMES.get(file_format(path) or "")
    return (scheme is not None and stored is not None
            and not stored.split("|", 1)[0].endswith(f" {scheme}"))


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- reading (runs in worker processes) ------------------------------------------------

_tagger = None
_file_seconds: float | None = FILE_SECONDS


def _init_worker(vocabularies: dict | None = None, file_seconds: float | None = FILE_SECONDS,
                 topic_model: str | None = None):
    """Build this process's tagger, from the librarians' vocabularies where there are some,
    with the learned topic model in the file `topic_model` (checked by the caller) if given."""
    global _tagger, _file_seconds
    from .tagging import Tagger
    from .tagging.learned import load_model

    learned = load_model(Path(topic_model)) if topic_model else None
    _tagger = Tagger.from_vocabularies(vocabularies or {}, learned=learned)
    _file_seconds = file_seconds


def parse_file(item: tuple) -> tuple:
    """Read and tag one file -> (path, articles, bad parts, reason the whole file failed),
    and each article's near-duplicate fingerprint (`duplicates.fingerprint`) when asked.
    `item` is (path, location key, source, publication name given for its folder or None,
    whether to make fingerprints)."""
    path, articles, errors, failure = _parse_file(item)
    if len(item) > 4 and item[4]:
        return path, articles, errors, failure, [fingerprint(a) for a in articles]
    return path, articles, errors, failure


def _parse_file(item: tuple) -> tuple[str, list[Article], list[ReadError], str | None]:
    path, key, source, *rest = item
    given = rest[0] if rest else None
    folder = key.split("/", 1)[0]
    if _tagger is None:
        _init_worker()
    assert _tagger is not None  # made by _init_worker
    articles, errors = [], []
    try:
        # The budget is kept here, in the process doing the work: it stops just this file,
        # and the worker goes on with the next one.
        with time_budget(_file_seconds):
            for item_ in read_file(Path(path), key, source):
                if isinstance(item_, ReadError):
                    errors.append(item_)
                else:
                    named = replace(item_, publication=publication_of(item_, given, folder))
                    articles.append(_tagger.tag(named))
    except OverBudget:
        return path, [], errors, f"took longer than {_file_seconds:g} s to read; skipped"
    except UnreadableFile as exc:
        return path, [], errors, str(exc)
    except Exception as exc:  # a reader bug must not stop the batch; report it
        return path, [], errors, f"unexpected error: {type(exc).__name__}: {exc}"
    return path, articles, errors, None


def parse_all(files: list[SourceFile], workers: int, vocabularies: dict | None = None,
              file_seconds: float | None = FILE_SECONDS,
              topic_model: str | None = None, fingerprints: bool = False) -> Iterator[tuple]:
    """parse_file's results for the files, read by `workers` processes."""
    items = [(str(f.path), f.key, str(f.path), f.given, fingerprints) for f in files]
    if workers <= 1 or len(items) < POOL_MIN_FILES:
        _init_worker(vocabularies, file_seconds, topic_model)
        yield from map(parse_file, items)
        return
    # "spawn", not "fork": forked workers would inherit the open lock files, and a
    # killed indexer's orphaned workers would then keep its locks held.
    with get_context("spawn").Pool(workers, initializer=_init_worker,
                                   initargs=(vocabularies, file_seconds, topic_model)) as pool:
        # Only a few files in flight: when parsing outruns the index writer, parsed
        # articles must wait in the workers, not pile up in this process's memory.
        todo = iter(items)
        pending = deque(pool.apply_async(parse_file, (item,))
                        for item in islice(todo, IN_FLIGHT_PER_WORKER * workers))
        while pending:
            result = pending.popleft().get()
            for item in islice(todo, 1):
                pending.append(pool.apply_async(parse_file, (item,)))
            yield result


# -- writing ------------------------------------------------------------------------------


@contextmanager
def ingest_lock(index_dir: Path):
    """One indexer at a time. flock is released by the kernel when a process dies,
    so a crashed indexer never leaves a stale lock behind."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    with open(lock_path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise IndexLocked(
                f"another indexer (pid {holder}) is writing to {index_dir}; "
                "wait for it to finish") from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class Curation(Protocol):
    """The librarians' curation as a run applies it (searchapp.curation.IngestCuration)."""

    start: int  # the last curation journal entry when the run began

    # The curation as it is now: asked each time the writer is (re)opened, so that an
    # article is never written from a state older than an edit the index already shows.
    def curate(self) -> Callable[[Article], Article]: ...
    # After the run: apply the journal entries the index has not acknowledged.
    def catch_up(self, engine: SearchEngine) -> int: ...
    # After the run: list the source codes met without a crosswalk mapping (see IngestReport).
    def record_waiting(self, engine: SearchEngine, seen: dict[tuple[str, str, str], str]) -> None: ...


@dataclass(frozen=True)
class Settings:
    workers: int = 2
    # Applies the librarians' changes to each article before it is written: a fixed
    # function, or `curation`, read from the database as the run goes, with a catch-up.
    curate: Callable[[Article], Article] | None = None
    curation: Curation | None = None
    # Wraps the stream of n parsed files, e.g. in a progress bar: progress(stream, n).
    progress: Callable[[Iterator, int], Iterator] | None = None
    # Moves the curation of articles whose ids changed, {old id: new id}, and returns the
    # curation as it now stands (None: keep `curate`). Called before the new ids are written.
    rekey: Callable[[dict[str, str]], Callable[[Article], Article] | None] | None = None
    # {"persons": [...], "topics": [...]}: edited vocabularies replacing the shipped ones.
    vocabularies: dict | None = None
    # Commit after this many articles: what a crash can cost, against commit overhead.
    commit_every: int = COMMIT_EVERY_ARTICLES
    # Time allowed to read one file (None: no limit).
    file_seconds: float | None = FILE_SECONDS
    # The learned topic model's file (tagging.learned), checked by the caller; None: rules only.
    topic_model: str | None = None
    # Share of the archive the run may remove before it stops with TooManyRemovals
    # (None: no limit). The command line sets REMOVAL_LIMIT unless told --yes.
    removal_limit: float | None = None
    # Maps the sources' own codes (Reuters' topics and people) onto the product's values;
    # None: the shipped crosswalk. With `curation`, its snapshots map them (the librarians'
    # crosswalk); this one then only finds the codes that wait for a mapping.
    crosswalk: Crosswalk | None = None
    # Group near-duplicates (see `duplicates`); off only to measure what grouping costs.
    group_duplicates: bool = True


def index_paths(
    paths: Iterable[str | os.PathLike],
    index_dir: str | os.PathLike,
    rebuild: bool = False,
    workers: int | None = None,
    names: dict[str, str] | None = None,
    **settings,
) -> IngestReport:
    """Bring the index in line with the files under `paths` (see `Settings` for the rest).

    `names` maps a resolved path to the publication name given for its articles. Raises
    TooManyRemovals, having changed nothing, when the run would remove more of the archive
    than `removal_limit` allows."""
    index_dir = Path(index_dir)
    run = Settings(workers=workers or min(2, os.cpu_count() or 1), **settings)
    report = IngestReport()
    with ingest_lock(index_dir):
        files = discover(paths, report, names)
        engine = open_engine(EngineConfig.from_env(index_dir=index_dir))
        before = engine.articles_per_file()
        if rebuild:
            groups = _rebuild(engine, files, before, report, run)
        else:
            found, roots = {f.file for f in files}, _roots(paths)
            gone = [f for f in before
                    if f not in found and any(is_under(f, root) for root in roots)]
            _check_removals(sum(before[f] for f in gone), before, run)
            groups = open_groups(engine, index_dir) if run.group_duplicates else None
            _update(engine, files, gone, before, report, run, groups=groups)
        if groups is not None:
            save_groups(groups, engine, index_dir)
        if run.curation is not None:
            run.curation.catch_up(engine)
            run.curation.record_waiting(engine, report.waiting)
    return report


# -- near-duplicate groups between runs (see `duplicates`) -------------------------------


def open_groups(engine: SearchEngine, index_dir: Path) -> Groups:
    """The LSH index of the articles in `engine`, as saved by the last run, or read again
    from the articles when it describes another index (rebuilt, restored, changed since)."""
    saved = Groups.load(state_path(index_dir), engine.journal_mark().index, engine.doc_count(),
                        engine.get)
    if saved is not None:
        return saved
    groups = Groups(engine.get)
    reconcile(groups, engine)
    return groups


def reconcile(groups: Groups, engine: SearchEngine) -> None:
    """Make the LSH index hold exactly the engine's articles (each with its stored group)."""
    ids = set(engine.ids_for(SearchRequest()))
    for key in groups.ids() - ids:
        groups.forget(key)
    for article_id in sorted(ids - groups.ids()):
        article = engine.get(article_id)
        if article is not None:
            groups.add_stored(article)


def save_groups(groups: Groups, engine: SearchEngine, index_dir: Path) -> None:
    """Keep the LSH index for the next run, stamped with the index it describes. Articles
    removed this run (files gone) leave it here."""
    groups.committed()
    if len(groups) != engine.doc_count():
        reconcile(groups, engine)
    groups.save(state_path(index_dir), engine.journal_mark().index)


def _roots(paths) -> list[str]:
    """The resolved paths whose vanished files are removed. A path that is not there at
    all (an unmounted disk, a typing mistake) removes nothing."""
    return [str(Path(p).resolve()) for p in paths if Path(p).exists()]


def _rebuild(engine: SearchEngine, files, before: dict[str, int], report: IngestReport,
             run: Settings) -> Groups | None:
    """-> the near-duplicate groups of the new index (grouped afresh, in file order)."""
    wanted = {f.file for f in files}
    _check_removals(sum(n for f, n in before.items() if f not in wanted), before, run)
    groups = None
    with engine.rebuild() as fresh:  # swapped in only when complete
        groups = Groups(fresh.get) if run.group_duplicates else None
        written = _update(fresh, files, [], {}, report, run, previous=engine, groups=groups)
        dropped = {f: n - written.get(f, 0) for f, n in before.items() if n > written.get(f, 0)}
        # Files that could not be read drop their articles too: checked again before the swap.
        _check_removals(sum(dropped.values()), before, run)
        if run.curation is not None:  # built from states at least that new
            fresh.acknowledge(run.curation.start)
    report.articles_removed = sum(dropped.values())
    report.files_removed = sum(1 for f in dropped if f not in written)
    if groups is not None:  # the swapped-in index: its articles are read through `engine`
        groups.lookup = engine.get
    return groups


def _check_removals(count: int, before: dict[str, int], run: Settings) -> None:
    total = sum(before.values())
    if run.removal_limit is not None and count > run.removal_limit * total:
        raise TooManyRemovals(count, total)


def _update(ix: SearchEngine, files, gone, before: dict[str, int], report: IngestReport,
            run: Settings, previous: SearchEngine | None = None,
            groups: Groups | None = None) -> dict[str, int]:
    """Remove the `gone` files, (re)write the changed ones; -> articles written per file.
    `before`: articles per file before the run; `previous`: the index being rebuilt, where
    articles under older ids are looked up; `groups`: gives each article its near-duplicate
    group (None: not grouped)."""
    indexed = ix.indexed_files()
    stored = indexed if previous is None else previous.indexed_files()
    old_ids = {f.file for f in files if has_old_ids(f.path, stored.get(f.file))}
    todo = []
    for f in files:
        digest = file_digest(f)
        if indexed.get(f.file) == digest:
            report.unchanged += 1
        else:
            todo.append((f, digest))
    # Only librarians' edits compete for the writer (one indexer at a time): wait for one.
    writer = ix.writer(wait=WRITER_WAIT_SECONDS)
    try:
        for name in gone:
            report.articles_removed += writer.remove_file(name)
            report.files_removed += 1
        written = _write_parsed(writer, todo, report, run, _Migration(previous or ix, old_ids, run),
                                groups)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    # A file read again with fewer articles than before lost some: they count as removed.
    report.articles_removed += sum(max(0, before.get(f, 0) - n) for f, n in written.items())
    return written


def _curate(run: Settings) -> Callable[[Article], Article]:
    """The curation to write with, read while the writer is held (see Curation.curate).
    Every article goes through the crosswalk: the index keeps its source codes as ingested
    (so a mapping made later reaches it), and shows them mapped, or not at all."""
    if run.curation is not None:
        return run.curation.curate()  # its snapshot maps codes through the librarians' crosswalk
    crosswalk, curate = _crosswalk(run), run.curate
    if curate is None:
        return crosswalk.apply
    return lambda article: curate(crosswalk.apply(article))


def _crosswalk(run: Settings) -> Crosswalk:
    return run.crosswalk if run.crosswalk is not None else Crosswalk.load()


def _note_waiting(report: IngestReport, crosswalk: Crosswalk, articles: list[Article]) -> None:
    for article in articles:
        for code in crosswalk.unmapped(article):
            report.waiting.setdefault(code, article.id)


def _write_parsed(writer, todo, report: IngestReport, run: Settings,
                  migration: _Migration, groups: Groups | None = None) -> dict[str, int]:
    digests = {str(f.path): (f, d) for f, d in todo}
    curate, crosswalk = _curate(run), _crosswalk(run)
    stream = parse_all([f for f, _ in todo], run.workers, run.vocabularies, run.file_seconds,
                       run.topic_model, fingerprints=groups is not None)
    if run.progress is not None:
        stream = run.progress(stream, len(todo))
    pending, last_commit = 0, time.monotonic()
    written: dict[str, int] = {}
    for path, articles, errors, failure, *made in stream:
        report.skipped.extend(errors)
        if failure:
            report.skipped.append(ReadError(path, failure))
            continue
        f, digest = digests[path]
        _note_waiting(report, crosswalk, articles)
        curate = migration.move_curation(f, articles) or curate
        if groups is not None:
            articles = [groups.assign(a, p) for a, p in zip(articles, made[0])]
        written[f.file] = writer.replace_file(f.file, digest, articles, curate)
        pending += written[f.file]
        report.files_indexed += 1
        report.articles_indexed += len(articles)
        if pending >= run.commit_every or time.monotonic() - last_commit > COMMIT_EVERY_SECONDS:
            writer.checkpoint()
            if groups is not None:
                groups.committed()
            curate = _curate(run)  # a librarian's edit may have landed between the two
            pending, last_commit = 0, time.monotonic()
    return written


def remove_source(path: str, index_dir: str | os.PathLike) -> tuple[int, int]:
    """Remove from the index the articles of every file under the (resolved) `path`;
    -> (files, articles) removed."""
    index_dir = Path(index_dir)
    with ingest_lock(index_dir):
        engine = open_engine(EngineConfig.from_env(index_dir=index_dir))
        files = [f for f in engine.articles_per_file() if is_under(f, path)]
        writer = engine.writer(wait=WRITER_WAIT_SECONDS)
        try:
            articles = sum(writer.remove_file(f) for f in files)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
    return len(files), articles


# -- moving curation to new ids ------------------------------------------------------------


@dataclass
class _Migration:
    """Files indexed under line-number ids: their articles' curation follows each article,
    found by its content, to its new id before the file's articles are replaced."""

    index: SearchEngine  # where the articles under the old ids are
    files: set[str]  # SourceFile.file of the files indexed under the old ids
    run: Settings

    def move_curation(self, f: SourceFile, articles: list[Article]):
        """The curation to write with from now on, or None to keep the one in use."""
        if f.file not in self.files or self.run.rekey is None:
            return None
        lines = f.path.read_bytes().count(b"\n") + 1
        moves = id_moves(self.index, f.key, articles, lines)
        return self.run.rekey(moves) if moves else None


def id_moves(index: SearchEngine, key: str, articles: list[Article], lines: int) -> dict[str, str]:
    """{old id: new id} for the file `key`'s articles stored under line-number ids, each
    matched to the new article with the same title, body and date (identical articles in
    file order), never by line: a line inserted since must not move a tag to a neighbour."""
    old = defaultdict(list)
    for article in _line_numbered(index, key, lines):
        old[_content(article)].append(article.id)
    moves = {}
    for article in articles:
        ids = old.get(_content(article))
        if ids:
            moves[ids.pop(0)] = article.id
    return moves


def _line_numbered(index: SearchEngine, key: str, lines: int) -> Iterator[Article]:
    """The articles stored under `key`'s line-number ids, in line order (`lines`: how many
    the file has now)."""
    number = last = 0
    while number < lines or number - last < LEGACY_GAP:
        number += 1
        article = index.get(legacy_jsonl_id(key, number))
        if article is not None:
            last = number
            yield article


def _content(article: Article) -> tuple:
    return article.title, article.body, article.published
