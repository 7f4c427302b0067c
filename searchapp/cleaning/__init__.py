"""Turn a raw news web page into its article text and metadata.

One module per concern, in the order a page goes through them:

- ``decoding``: bytes to text, and script/style/comments cut out before
  parsing (the JSON-LD scripts' text kept aside);
- ``jsonld``: the publisher's structured data;
- ``metadata``: title, byline, date, canonical URL, language, site name;
- ``body``: the article text, found readability-style.

Nothing here raises on bad markup: a page that cannot be read gives an empty
body.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from ..dates import parse_date
from .body import extract_body
from .decoding import decode_html, split_raw
from .jsonld import json_ld_objects, ld_article_body
from .markup import all_tags
from .metadata import (
    canonical_url,
    meta_values,
    page_byline,
    page_language,
    page_published,
    page_site_name,
    page_title,
)

__all__ = ["CleanedPage", "clean_html", "decode_html", "extract_body", "parse_date"]


@dataclass
class CleanedPage:
    title: str  # article headline ("" if none)
    body: str  # main article text only, paragraphs separated by "\n\n"
    byline: str | None
    published: str | None  # ISO 8601 date or datetime; None if unknown
    url: str | None  # canonical URL, else the url argument
    language: str | None  # lowercase primary language subtag, e.g. "en"
    site_name: str | None = None  # the publication's own name, e.g. "BBC News"


def clean_html(html: str | bytes, url: str | None = None) -> CleanedPage:
    """Extract the article title, body and metadata from one HTML page."""
    empty = CleanedPage("", "", None, None, url, None)
    try:
        text = decode_html(html) if isinstance(html, (bytes, bytearray)) else html
        if not text or not text.strip():
            return empty
        markup, ld_texts = split_raw(text)
        with warnings.catch_warnings():
            # Pages served as XHTML are parsed as HTML on purpose: one parser, one set of rules.
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(markup, "lxml")
    except Exception:
        return empty
    page = CleanedPage("", "", None, None, url, None)
    ld = json_ld_objects(ld_texts)
    tags = all_tags(soup)
    metas = meta_values(tags)
    for field, read in (
        ("title", lambda: page_title(soup, ld, metas)),
        ("byline", lambda: page_byline(tags, ld, metas)),
        ("published", lambda: page_published(tags, ld, metas, url)),
        ("url", lambda: canonical_url(tags, metas, url)),
        ("language", lambda: page_language(soup, ld, metas)),
        ("site_name", lambda: page_site_name(ld, metas)),
    ):
        try:
            value = read()
        except Exception:
            continue
        if value is not None:
            setattr(page, field, value)
    try:
        page.body = extract_body(soup, ld_article_body(ld), page.title)
    except Exception:
        page.body = ""
    return page
