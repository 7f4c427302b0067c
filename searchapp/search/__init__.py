"""The search layer: one narrow interface between the product and the engine.

Ingest, curation, backup, the web layer, the command line and the benchmarks only use the
types below and an object with the `SearchEngine` methods, made by `open_engine(config)`,
the one constructor. Whoosh lives behind it (`searchapp.search.whoosh`), so a distributed
engine can take over later without touching the callers. The query language's policy
(what is refused, what is a question) is engine-neutral and lives in `query`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from ..facets import BY_NAME
from ..model import FACETS, Article

SORTS = ("relevance", "newest", "oldest")
UNDATED = "undated"
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_CHARS = 1000
# Wildcards, ranges and fuzzy words stand for every matching word of the archive; past this
# many words in one query (title and body counted apart) the search is refused: on 15,000
# Reuters stories `re*` is about 1,000 words (0.4 s), `[a TO z]` 35,000 words (7 s).
MAX_EXPANSION = 2000
# Words of a query looked up for a "did you mean" (a few milliseconds each, on the word list).
MAX_CORRECTED_WORDS = 10


def facet_value(facet: str, value: str) -> str:
    """A facet value as the index stores it (its facet's `index_form`): country codes are
    upper-case, so `fr` is FR."""
    entry = BY_NAME.get(facet)
    return entry.index_form(value) if entry else value


def N_(template: str) -> str:
    """Marks a message for translation; the web layer translates it where it is shown."""
    return template


class QueryError(ValueError):
    """The query or a parameter is malformed; the message is meant for the user.

    `template` (marked with N_, %-style with named `params`) is kept so that the web layer
    can show the message in the reader's language; str() gives it in English.
    """

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


class IndexLocked(RuntimeError):
    """Another process is writing to the index."""


class IndexOutdated(RuntimeError):
    """The index was written by another version, whose words this one would misread; the
    message says to run `searchapp index --rebuild`."""


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    # facet -> selected values; values of one facet are OR'ed, facets AND'ed.
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # facet -> excluded values (NOT).
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    include_undated: bool = False  # with a date range, also keep undated articles
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facet_limit: int = 10  # values per facet (selected values are always among them); 0 = all
    # Date histogram resolution: "year", "month" or "day".
    date_granularity: str = "year"
    # Plain words: only articles with every word, even when few or none have them all.
    all_words: bool = False
    # One hit per near-duplicate group (wire copies, repeats, edited versions: see
    # searchapp.duplicates): the best-placed article of each group under the requested
    # order, with `Hit.versions` counting the group's other matching articles. `total` then
    # counts groups; facet counts and date buckets always count articles.
    group_versions: bool = True
    # Only the articles of this group (Article.group), every version listed.
    group: str | None = None

    def validate(self) -> SearchRequest:
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(N_("The query is too long (%(length)d characters; at most %(most)d)."),
                             length=len(self.query), most=MAX_QUERY_CHARS)
        if self.sort not in SORTS:
            raise QueryError(N_("Unknown sort %(sort)r: use one of %(sorts)s."), sort=self.sort,
                             sorts=", ".join(SORTS))
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(N_("page must be between 1 and %(most)d."), most=MAX_PAGE)
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(N_("per_page must be between 1 and %(most)d."), most=MAX_PER_PAGE)
        if self.date_granularity not in ("year", "month", "day"):
            raise QueryError(N_("date granularity must be year, month or day."))
        for facet in list(self.filters) + list(self.exclude):
            if facet not in FACETS:
                raise QueryError(N_("Unknown facet %(facet)r: use one of %(facets)s."),
                                 facet=facet, facets=", ".join(FACETS))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(N_("The start date is after the end date."))
        return self


@dataclass(frozen=True)
class Match:
    """How the query's words were matched, for the reader to be told.

    mode: "all" (articles with every word), "relaxed" (a keyword query whose words too
    few articles have together: articles with at least `at_least` of them), "question" (a
    long plain query, relaxed the same way), "operators" (AND / OR / NOT, phrases, fields
    or wildcards decide).
    """
    mode: str
    words: int = 0  # distinct words searched (after a question's stop words)
    at_least: int = 0  # how many of them each article has at least
    with_all: int = 0  # articles of the archive with every word (counted when relaxing)

    @property
    def relaxed(self) -> bool:
        return self.mode in ("relaxed", "question")

    def to_json(self) -> dict:
        return {"mode": self.mode, "words": self.words, "at_least": self.at_least,
                "with_all": self.with_all}


@dataclass
class Hit:
    id: str
    title: str
    source: str
    url: str | None
    published: str | None
    snippet: str  # HTML: escaped article text, only <mark> added
    tags: list[dict]
    score: float | None = None
    publication: str | None = None  # who published it (None: indexed before names were read)
    indexed: str | None = None  # when the article was indexed: UTC, "YYYY-MM-DDTHH:MM:SSZ"
    title_derived: bool = False  # the title is the text's first sentence (see Article)
    group: str | None = None  # its near-duplicate group (Article.group); None: not grouped
    versions: int = 0  # other articles of its group matching the search (collapsed into this hit)


@dataclass
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    # facet -> value counts, most frequent first (with the facet's own filter left out).
    facets: dict[str, list[FacetCount]]
    # Number of distinct values per facet before the limit was applied.
    facet_totals: dict[str, int]
    # (bucket, count) in date order; bucket is 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD',
    # plus UNDATED last when undated articles match.
    dates: list[FacetCount]
    suggestion: str | None = None
    match: Match | None = None  # None when browsing (no query)


@dataclass
class Exported:
    """What `SearchEngine.export` gives: iterate it for the articles (read as they are
    asked for); `total` is how many articles match in all, which may be more than the
    limit (so a caller can refuse an export that would be cut short, without a search)."""
    total: int
    articles: Iterator[Article]

    def __iter__(self) -> Iterator[Article]:
        return self.articles


@dataclass(frozen=True)
class JournalMark:
    """The last curation journal entry an index has applied (`change`, 0 for none), and
    which index that was (`index`, engine-private: a rebuilt or restored index is another)."""
    change: int
    index: str = ""


class IndexWriter(Protocol):
    """Writes whole source files: a file's articles are replaced together."""

    def replace_file(self, file: str, file_hash: str, articles: Iterable[Article],
                     curate=None) -> int: ...
    def remove_file(self, file: str) -> int: ...
    def checkpoint(self) -> None: ...
    def commit(self) -> None: ...
    def cancel(self) -> None: ...


class Highlighter(Protocol):
    """The words of one query in any text, as the engine matches them (by stem)."""

    def __bool__(self) -> bool: ...  # False: the query looks for no words of the text
    def mark(self, text: str) -> str: ...  # escaped text, each matching word in <mark>


class SearchEngine(Protocol):
    """What ingest, curation, backup, the CLI and the web layer need from an engine."""

    # indexing
    def indexed_files(self) -> dict[str, str]: ...  # file -> content hash
    def articles_per_file(self) -> dict[str, int]: ...  # file -> number of its articles
    def writer(self, wait: float = 0.0) -> IndexWriter: ...  # raises IndexLocked
    # A fresh, empty engine beside this one: swapped in for this one when the block ends
    # without an error, dropped otherwise. Leftovers of killed rebuilds are removed first.
    def rebuild(self) -> AbstractContextManager[SearchEngine]: ...
    # Copy the index as it stands to `dest` (a new folder) while no writer may start;
    # waits up to `wait` seconds for a running one (IndexLocked); returns the copy's count.
    def snapshot(self, dest: Path, wait: float = 30.0) -> int: ...
    # Replace this index with the copy in `src` (made by snapshot); readers reopen it.
    def restore_from(self, src: Path) -> int: ...
    # searching
    def search(self, request: SearchRequest) -> SearchResult: ...
    def get(self, article_id: str) -> Article | None: ...
    # Articles on the same subject, the article's own versions left out.
    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]: ...
    # The other articles of the article's near-duplicate group, oldest first ([] for none).
    def versions(self, article_id: str) -> list[Hit]: ...
    def doc_count(self) -> int: ...
    def warm(self) -> int: ...  # read ahead what first searches need; returns bytes read
    def highlighter(self, query: str) -> Highlighter: ...  # for article pages
    # curation: the journal mark. The database's audit entries are the curation journal;
    # the engine keeps the id of the last one it has applied, stored with the index (a
    # snapshot and a restore carry it; a fresh rebuild has none until acknowledged).
    def journal_mark(self) -> JournalMark: ...
    # Record that entries up to `change` are applied (only once they are committed). With
    # `since`, only if the mark is still `since` on the same index (another process may have
    # moved it, or swapped in another index): returns whether it was recorded.
    def acknowledge(self, change: int, since: JournalMark | None = None) -> bool: ...
    # curation: bulk selections and re-applying curated tags
    def ids_for(self, request: SearchRequest) -> list[str]: ...
    # export: the first `limit` matching articles in the request's order (relevance, newest
    # or oldest; its page and per_page are ignored), as stored: no snippets, no counts. The
    # query is checked and matched before this returns (a QueryError is raised here, not
    # while iterating), so a streamed answer never breaks off for a bad query.
    def export(self, request: SearchRequest, limit: int) -> Exported: ...
    def ids_with_value(self, facet: str, value: str) -> list[str]: ...  # now or as ingested
    def retag(self, article_ids: list[str], get_curate) -> int:
        """Re-apply curation to the articles; returns how many changed.

        This relies on the engine keeping each article's raw tags (as ingested, before
        any curation) beside the curated ones: `get_curate()(article_with_raw_tags)` gives
        the curated article, so a librarian's removal of an automatic tag can be undone and
        is re-applied after every re-index. `get_curate` is called only once the engine
        holds its writer, so concurrent edits are never written from a snapshot older than
        either. Waits a while for a running writer, then raises IndexLocked.
        """


# -- choosing and opening an engine ----------------------------------------------------------

DEFAULT_ENGINE = "whoosh"


@dataclass(frozen=True)
class EngineConfig:
    """Which engine, and where its index is."""
    index_dir: Path = Path("index")  # the on-disk index (engines that keep one)
    engine: str = DEFAULT_ENGINE
    create: bool = True  # make an empty index when there is none (else FileNotFoundError)
    # For an engine served elsewhere (e.g. Solr): its address and collection.
    url: str | None = None
    collection: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "index_dir", Path(self.index_dir))  # a str is welcome too

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given) -> EngineConfig:
        """SEARCHAPP_ENGINE, SEARCHAPP_INDEX_DIR, SEARCHAPP_ENGINE_URL and
        SEARCHAPP_ENGINE_COLLECTION, overridden by `given` (values of None are ignored)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = dict(engine=env.get("SEARCHAPP_ENGINE") or DEFAULT_ENGINE,
                      index_dir=env.get("SEARCHAPP_INDEX_DIR") or "index",
                      url=env.get("SEARCHAPP_ENGINE_URL") or None,
                      collection=env.get("SEARCHAPP_ENGINE_COLLECTION") or None)
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)

    @classmethod
    def from_flask(cls, config: Mapping, **given) -> EngineConfig:
        """From a Flask app's config: INDEX_DIR, and SEARCH_ENGINE, SEARCH_ENGINE_URL and
        SEARCH_ENGINE_COLLECTION where set (the environment otherwise)."""
        return cls.from_env(index_dir=config.get("INDEX_DIR"), engine=config.get("SEARCH_ENGINE"),
                            url=config.get("SEARCH_ENGINE_URL"),
                            collection=config.get("SEARCH_ENGINE_COLLECTION"), **given)


def _open_whoosh(config: EngineConfig) -> SearchEngine:
    from .whoosh import WhooshEngine

    return WhooshEngine(config.index_dir, create=config.create)


def _whoosh_highlighter(query: str) -> Highlighter:
    from .whoosh.highlight import highlighter

    return highlighter(query)


def _whoosh_problem(config: EngineConfig) -> str | None:
    from .whoosh.health import index_problem

    return index_problem(Path(config.index_dir).resolve())


def _open_solr(config: EngineConfig) -> SearchEngine:
    from .solr import open_solr

    return open_solr(config)


def _solr_highlighter(query: str) -> Highlighter:
    from .solr.analysis import highlighter

    return highlighter(query)


def _solr_problem(config: EngineConfig) -> str | None:
    from .solr import solr_problem

    return solr_problem(config)


# engine name -> (open(config), highlighter(query), problem(config)).
ENGINES = {"whoosh": (_open_whoosh, _whoosh_highlighter, _whoosh_problem),
           "solr": (_open_solr, _solr_highlighter, _solr_problem)}


def _registered(name: str):
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown search engine {name!r}: use one of "
                         f"{', '.join(sorted(ENGINES))}") from None


def open_engine(config: EngineConfig | None = None) -> SearchEngine:
    """The one way to get an engine (the environment's when no config is given)."""
    config = config or EngineConfig.from_env()
    return _registered(config.engine)[0](config)


def highlighter(query: str, engine: str | None = None) -> Highlighter:
    """The query's words as `engine` (default: the environment's) matches them: no index
    is needed, only the engine's text analysis."""
    return _registered(engine or EngineConfig.from_env().engine)[1](query)


def index_problem(config: EngineConfig | None = None) -> str | None:
    """Why the configured engine's index cannot be served (one line for a log), or None.
    No index yet is no problem: the app starts with an empty one."""
    config = config or EngineConfig.from_env()
    return _registered(config.engine)[2](config)
