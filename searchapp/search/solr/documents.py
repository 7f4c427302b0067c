"""Articles to and from Solr documents: the fields of the configset's schema.

The same fields as the Whoosh schema. Facet values go to `<facet>_facet` (a dynamic field
of the configset), one per facet of `model.FACETS`, so a new facet needs no schema change.
Tags are stored as JSON lists: the curated ones as shown, and the ones as ingested, which
`retag` curates again.
"""

from __future__ import annotations

import json

from ...dates import parse_published
from ...model import FACETS, Article, Tag

# Fields read back to make an Article or a Hit (the rest are indexed only).
STORED = ("id", "file", "file_hash", "source", "publication", "title", "body", "url",
          "byline", "language", "pubstr", "title_derived", "indexed", "tags", "raw_tags",
          "group")


def facet_field(facet: str) -> str:
    return f"{facet}_facet"


def to_document(article: Article, file: str, file_hash: str, raw_tags: list[Tag] | None = None,
                indexed: str | None = None) -> dict:
    """`article` carries the curated tags; `raw_tags` the tags as ingested (default: the same)."""
    raw_tags = article.tags if raw_tags is None else raw_tags
    published = parse_published(article.published, utc=True)  # one time line for sorting
    doc: dict[str, object] = dict(
        id=article.id, file=file, file_hash=file_hash, file_state=f"{file}\n{file_hash}",
        source=article.source, group=article.group or article.id, title=article.title,
        body=article.body,
        exact=[article.title, article.body], language=article.language or "",
        tags=json.dumps([t.to_dict() for t in article.tags]),
        raw_tags=json.dumps([t.to_dict() for t in raw_tags]),
        rawtag=[f"{t.facet}:{t.value}" for t in raw_tags], undated=published is None,
        title_derived=bool(article.title_derived))
    optional = dict(url=article.url, byline=article.byline, publication=article.publication,
                    pubstr=article.published, indexed=indexed)
    doc.update({k: v for k, v in optional.items() if v})
    if published:
        doc["published"] = doc["published_dt"] = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        doc["day"] = int(published.strftime("%Y%m%d"))
        doc["pubkey"] = int(published.strftime("%Y%m%d%H%M%S"))
    for facet in FACETS:
        values = article.tag_values(facet)
        if values:
            doc[facet_field(facet)] = values
    return doc


def tags_of(stored: dict, raw: bool = False) -> list[dict]:
    text = stored.get("raw_tags" if raw else "tags") or "[]"
    return json.loads(text)


def to_article(stored: dict, raw: bool = False) -> Article:
    """The article as shown (curated tags), or with `raw` its tags as ingested."""
    return Article(
        id=stored["id"], source=stored.get("source", ""), title=stored.get("title", ""),
        body=stored.get("body", ""), published=stored.get("pubstr"), url=stored.get("url"),
        byline=stored.get("byline"), language=stored.get("language") or None,
        tags=[Tag(**t) for t in tags_of(stored, raw)], publication=stored.get("publication"),
        title_derived=bool(stored.get("title_derived")), group=stored.get("group"),
    )


def again(stored: dict) -> dict:
    """A stored document as it is written (a restore): its fields indexed again."""
    return to_document(to_article(stored), stored["file"], stored["file_hash"],
                       [Tag(**t) for t in tags_of(stored, raw=True)], stored.get("indexed"))
