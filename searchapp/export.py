"""A result set taken away: articles written as CSV, JSON Lines or RIS, a chunk at a time.

The web layer (/export, /api/export, a collection's export) and `searchapp search --format`
stream what `write(format, articles)` yields, so a 10,000-article export never sits whole in
memory. Each article comes from the engine's `export` (stored fields, in result order).

- CSV (the csv module, RFC 4180): one row per article, tags as "; "-joined labels, the
  article's first paragraph as its summary. A cell that starts with = + - @ (or a tab or
  carriage return) is prefixed with ' : a spreadsheet would run it as a formula, and an
  article's title or byline is written by whoever published it (CSV injection).
- JSON Lines: one article per line, in the fields `searchapp index` reads from a `.jsonl`
  file (title, body, source, published, url, byline, language, tags), so an export can be
  indexed again elsewhere.
- RIS, for Zotero and EndNote: TY NEWS, TI, AU (from the byline), PY and DA, JO and T2 (the
  publication), UR, AB (the first paragraph), KW (each tag), LA, ER.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .model import FACETS, Article

# The most articles one export holds; a bigger result set is refused with a message (or its
# first MAX_EXPORT asked for explicitly). Each article costs its stored fields' read (about
# 0.15 ms of CPU): 10,000 is what one request may cost (bench/export_speed.py measures it).
MAX_EXPORT = 10_000
# Rows or records written to the buffer before it is handed on: fewer, larger chunks.
CHUNK_ARTICLES = 100
SUMMARY_CHARS = 1000


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8", "csv"),
    "jsonl": Format("jsonl", "application/x-ndjson; charset=utf-8", "jsonl"),
    "ris": Format("ris", "application/x-research-info-systems; charset=utf-8", "ris"),
}

# A link to the article's page on this site, or None (the command line has no site).
LinkFor = Callable[[str], str] | None


def write(fmt: str, articles: Iterable[Article], link: LinkFor = None) -> Iterator[str]:
    """The articles in format `fmt` ("csv", "jsonl" or "ris"), as chunks of text."""
    writer = {"csv": _csv, "jsonl": _jsonl, "ris": _ris}[fmt]
    return writer(articles, link)


def summary(article: Article) -> str:
    """The article's first paragraph (at most SUMMARY_CHARS), on one line."""
    body = article.body.lstrip()[:SUMMARY_CHARS * 4]  # a 20 MB body is not split whole
    first = body.split("\n\n", 1)[0]
    return " ".join(first.split())[:SUMMARY_CHARS]


def tag_labels(article: Article, facet: str) -> list[str]:
    return [t.label or t.value for t in article.tags if t.facet == facet]


# -- CSV ----------------------------------------------------------------------------------

# A column per facet; the source facet is the publication, already the "source" column.
TAG_COLUMNS = tuple(f for f in FACETS if f != "source")
CSV_COLUMNS = ("id", "title", "source", "byline", "published", "url", "language",
               *TAG_COLUMNS, "summary", "link")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    """The cell as text, never read as a formula by a spreadsheet (see the module's note)."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(article: Article, link: LinkFor) -> list[str]:
    values = [article.id, article.title, article.publication, article.byline,
              article.published, article.url, article.language,
              *("; ".join(tag_labels(article, f)) for f in TAG_COLUMNS), summary(article),
              link(article.id) if link else ""]
    return [safe_cell(v) for v in values]


def _csv(articles: Iterable[Article], link: LinkFor) -> Iterator[str]:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(CSV_COLUMNS)
    yield from _chunks(articles, buffer, lambda a: out.writerow(csv_row(a, link)))


def _chunks(articles: Iterable[Article], buffer: io.StringIO, put) -> Iterator[str]:
    """`put` each article into the buffer; hand the buffer on every CHUNK_ARTICLES."""
    for n, article in enumerate(articles, 1):
        put(article)
        if n % CHUNK_ARTICLES == 0:
            yield _take(buffer)
    rest = _take(buffer)
    if rest:
        yield rest


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# -- JSON Lines -------------------------------------------------------------------------


def json_record(article: Article, link: LinkFor = None) -> dict:
    record = {"id": article.id, "title": article.title, "title_derived": article.title_derived,
              "source": article.publication, "byline": article.byline,
              "published": article.published, "url": article.url, "language": article.language,
              "tags": {f: article.tag_values(f) for f in FACETS}, "body": article.body}
    if link:
        record["link"] = link(article.id)
    return record


def _jsonl(articles: Iterable[Article], link: LinkFor) -> Iterator[str]:
    buffer = io.StringIO()
    yield from _chunks(articles, buffer, lambda a: buffer.write(
        json.dumps(json_record(a, link), ensure_ascii=False) + "\n"))


# -- RIS ----------------------------------------------------------------------------------

_BY = re.compile(r"^\s*by\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s+and\s+|\s*[;&]\s*|\s+et\s+", re.I)


def authors(byline: str | None) -> list[str]:
    """"By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"]. Commas are kept: "Jane Doe,
    Reuters" may be a name and an employer as well as two names."""
    if not byline:
        return []
    names = _AUTHOR_SPLIT.split(_BY.sub("", byline.strip()))
    return [" ".join(n.split()) for n in names if n.strip()]


def ris_record(article: Article, link: LinkFor = None) -> list[tuple[str, str]]:
    """(tag, value) pairs of one RIS record, TY first and ER last."""
    fields = [("TY", "NEWS"), ("TI", article.title)]
    fields += [("AU", name) for name in authors(article.byline)]
    if article.published:
        day = article.published[:10]
        fields += [("PY", day[:4]), ("DA", day.replace("-", "/") + "/")]
    if article.publication:
        fields += [("JO", article.publication), ("T2", article.publication)]
    url = article.url or (link(article.id) if link else None)
    if url:
        fields.append(("UR", url))
    fields.append(("AB", summary(article)))
    fields += [("KW", label) for f in FACETS for label in tag_labels(article, f)]
    if article.language:
        fields.append(("LA", article.language))
    fields += [("ID", article.id), ("ER", "")]
    return fields


def ris_text(fields: list[tuple[str, str]]) -> str:
    # RIS is line-based: a value is one line; records end with a blank line. CRLF, as the
    # format's specification writes it (Zotero and EndNote read both).
    lines = [f"{tag}  - {' '.join((value or '').split())}" for tag, value in fields]
    return "\r\n".join(lines) + "\r\n\r\n"


def _ris(articles: Iterable[Article], link: LinkFor) -> Iterator[str]:
    buffer = io.StringIO()
    yield from _chunks(articles, buffer, lambda a: buffer.write(ris_text(ris_record(a, link))))
