"""The index's fields, and articles to and from its documents."""

from __future__ import annotations

from pathlib import Path

from whoosh import fields
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from ...dates import parse_published
from ...model import FACETS, Article, Tag

# Whoosh's StemmingAnalyzer (its tokenizer, lower case, stop words, Porter stems) with
# accents folded before the stop words and stems: Pelé is Pele, élection is election.
STEMMED = (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter()
           | StemFilter())
# The index's format: raised whenever the fields or their analysis change, so that an index
# written before is refused (with `searchapp index --rebuild` to run) instead of answering
# wrongly. 2: accents folded in the title and body. 3: the organisation and source facets,
# the byline searchable (`byline:smith`), the near-duplicate `group`.
FORMAT_VERSION = 3
FORMAT_FILE = "FORMAT"
# Phrases are matched on the words as written, stop words included, so that
# "bank of england" does not match "banks in England".
EXACT = StandardAnalyzer(stoplist=None)
# Bylines are names: words as written, without case or accents, and not stemmed (Banks is
# not Bank).
NAMES = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def schema() -> fields.Schema:
    text = STEMMED
    facet = dict(stored=False, commas=True, lowercase=False, scorable=False)
    facets = {name: fields.KEYWORD(**facet) for name in FACETS}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        file=fields.ID(stored=True, sortable=True),
        file_hash=fields.ID(stored=True, sortable=True),
        # Where the article was read (Article.source: file path, #N for story N); `source`
        # is the facet of its publication.
        location=fields.STORED,
        publication=fields.STORED,  # who published it: "Reuters", "BBC News"
        title=fields.TEXT(analyzer=text, stored=True, field_boost=2.0),
        # No positions in the stemmed body: phrases are answered by `exact`.
        body=fields.TEXT(analyzer=text, stored=True, phrase=False),
        # Title + body as written: "phrases", proximity, and the words for spelling suggestions.
        exact=fields.TEXT(analyzer=EXACT, stored=False),
        published=fields.DATETIME,  # for `published:[2019 to 2020]` in queries
        day=fields.NUMERIC(int, bits=32, sortable=True, default=0),  # yyyymmdd, 0 = undated
        pubkey=fields.NUMERIC(int, bits=64, sortable=True, default=0),  # yyyymmddHHMMSS
        undated=fields.NUMERIC(int, bits=32, sortable=True, default=0),  # 1 = undated
        **facets,
        url=fields.STORED,
        byline=fields.TEXT(analyzer=NAMES, stored=True),  # for `byline:smith`
        language=fields.ID(stored=True),
        pubstr=fields.STORED,
        title_derived=fields.STORED,  # True: the title is the text's first sentence
        indexed=fields.STORED,  # when the article was indexed (UTC, ISO): dates undated ones in feeds
        tags=fields.STORED,  # curated tags, shown
        # Tags as ingested, before curation: `retag` re-applies curation to these.
        raw_tags=fields.STORED,
        rawtag=fields.KEYWORD(commas=True, lowercase=False, scorable=False),  # "facet:value" of raw_tags
        # Near-duplicate group (Article.group; its own id when alone): results collapse on it.
        group=fields.ID(stored=True, sortable=True),
    )


def fold(word: str) -> str:
    """A lower-case word with its accents folded, as STEMMED folds them."""
    return word.translate(accent_map)


def write_format(index_dir: Path) -> None:
    (Path(index_dir) / FORMAT_FILE).write_text(f"{FORMAT_VERSION}\n")


def format_problem(index_dir: Path) -> str | None:
    """Why the index in `index_dir` was written in another format than this version's, or
    None when it is this version's."""
    try:
        found = int((Path(index_dir) / FORMAT_FILE).read_text().strip() or 0)
    except (OSError, ValueError):
        found = 1  # before formats were numbered
    if found == FORMAT_VERSION:
        return None
    older = "an older" if found < FORMAT_VERSION else "a newer"
    return (f"the index at {index_dir} was written by {older} version of searchapp (index "
            f"format {found}, this version reads {FORMAT_VERSION}): run "
            "`searchapp index --rebuild`")


def to_document(article: Article, file: str, file_hash: str, raw_tags: list[Tag] | None = None,
                indexed: str | None = None) -> dict:
    """`article` carries the curated tags; `raw_tags` the tags as ingested (default: the same)."""
    raw_tags = article.tags if raw_tags is None else raw_tags
    published = parse_published(article.published, utc=True)  # one time line for sorting
    doc: dict[str, object] = dict(
        id=article.id, file=file, file_hash=file_hash, location=article.source,
        group=article.group or article.id,
        title=article.title, body=article.body, exact=f"{article.title}\n{article.body}",
        url=article.url, byline=article.byline, publication=article.publication,
        language=article.language or "", pubstr=article.published,
        tags=[t.to_dict() for t in article.tags],
        raw_tags=[t.to_dict() for t in raw_tags],
        rawtag=",".join(f"{t.facet}:{t.value}".replace(",", " ") for t in raw_tags),
        day=int(published.strftime("%Y%m%d")) if published else 0,
        pubkey=int(published.strftime("%Y%m%d%H%M%S")) if published else 0,
        undated=0 if published else 1,
    )
    if indexed:
        doc["indexed"] = indexed
    if article.title_derived:
        doc["title_derived"] = True
    if published:
        doc["published"] = published
    for facet in FACETS:
        values = [v.replace(",", " ") for v in article.tag_values(facet)]
        if values:
            doc[facet] = ",".join(values)
    return doc


def to_article(stored: dict, raw: bool = False) -> Article:
    """The article as shown (curated tags), or with `raw` its tags as ingested."""
    tags = stored.get("raw_tags", stored.get("tags", [])) if raw else stored.get("tags", [])
    return Article(
        id=stored["id"], source=stored.get("location", ""), title=stored.get("title", ""),
        body=stored.get("body", ""), published=stored.get("pubstr"), url=stored.get("url"),
        byline=stored.get("byline"), language=stored.get("language") or None,
        tags=[Tag(**t) for t in tags], publication=stored.get("publication"),
        title_derived=bool(stored.get("title_derived")), group=stored.get("group"),
    )
