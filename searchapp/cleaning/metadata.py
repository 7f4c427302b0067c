"""Page metadata: title, byline, publication date, canonical URL, language and the site's
name,
from JSON-LD, meta tags, ``<time>`` elements and the URL, in that order of trust."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ..dates import date_from_url, parse_date
from .jsonld import ld_first, ld_names
from .markup import name_words, norm


def meta_values(tags: list[Tag]) -> dict[str, str]:
    """First non-empty content of each <meta> name/property/itemprop, keyed
    lowercase."""
    values: dict[str, str] = {}
    for meta in (tag for tag in tags if tag.name == "meta"):
        content = meta.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), content.strip())
    return values


_TITLE_SEPARATORS = re.compile(r"(\s+(?:[|\-–—:·•»]|::)\s+)")


def page_title(soup: BeautifulSoup, ld: list[dict], metas: dict[str, str]) -> str:
    site_names = {norm(n).lower() for n in _site_names(ld, metas) if n}
    h1 = soup.find("h1")
    h1_text = norm(h1.get_text(" ")) if h1 else ""
    headline = ld_first(ld, "headline", max_rank=0)
    candidates = [metas.get("og:title"), headline if isinstance(headline, str) else None,
                  metas.get("twitter:title"), h1_text]
    for candidate in candidates:
        if isinstance(candidate, str) and norm(candidate):
            return _strip_site_name(norm(candidate), site_names)
    tag = soup.find("title")
    if tag is not None and norm(tag.get_text()):
        return _strip_site_name(norm(tag.get_text()), site_names, guess=True)
    return ""


def _site_names(ld: list[dict], metas: dict[str, str]) -> list[str]:
    names = [metas.get("og:site_name"), metas.get("application-name"),
             metas.get("twitter:site", "").lstrip("@") or None]
    for obj in ld:
        if "publisher" in obj:
            names.extend(ld_names(obj["publisher"]))
    return [n for n in names if isinstance(n, str)]


def _strip_site_name(title: str, site_names: set[str], guess: bool = False) -> str:
    """Drop a "| Site Name" part from either end of a title. With guess (for
    a <title>), an unknown short last part is taken for the site name too:
    "Headline - The Daily Planet"."""
    pieces = _TITLE_SEPARATORS.split(title)  # part, separator, part, ...
    while len(pieces) > 1 and pieces[-1].lower() in site_names:
        del pieces[-2:]
    while len(pieces) > 1 and pieces[0].lower() in site_names:
        del pieces[:2]
    if guess and len(pieces) > 1:
        last, head = pieces[-1], "".join(pieces[:-2])
        if len(last.split()) <= 4 and len(head.split()) > len(last.split()):
            pieces = pieces[:-2]
    return "".join(pieces)


def page_site_name(ld: list[dict], metas: dict[str, str]) -> str | None:
    """The publication's own name: og:site_name, else the article's JSON-LD publisher,
    else the web application's name. A Twitter handle is no name and is not used."""
    publishers = ld_names(ld_first(ld, "publisher", max_rank=1))
    for candidate in (metas.get("og:site_name"), *publishers, metas.get("application-name")):
        if isinstance(candidate, str) and norm(candidate) and len(norm(candidate)) <= 120:
            return norm(candidate)
    return None


_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s*[:\s]\s*", re.I)


# "Jane Doe November 15, 2019" / "Jane Doe | 15 Nov 2019" / "Jane Doe 2019-11-15"
_BYLINE_DATE = re.compile(
    r"(?:(?:updated|published|posted)\s*:?\s*)?(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?"
    r"\s+\d{4}|\d{1,2}\.?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})\b.*$", re.I)
# Between a name and its date. They are stripped in Python, not matched by a leading
# [...]* in the pattern: that would retry at every character of a long run (quadratic).
_BYLINE_SEPARATORS = " ,|-–—·•"


def _clean_byline(text: str | None) -> str | None:
    if not text:
        return None
    text = _BY_PREFIX.sub("", norm(text))
    date_at_end = _BYLINE_DATE.search(text)
    if date_at_end:
        start = len(text[:date_at_end.start()].rstrip(_BYLINE_SEPARATORS))
        if parse_date(text[start:]):
            text = text[:start]
    text = text.strip(_BYLINE_SEPARATORS)
    if not text or len(text) > 120 or re.search(r"https?:|www\.|@|^\S+\.\w{2,4}$", text):
        return None  # a link, handle or file name, not a name
    return text


def page_byline(tags: list[Tag], ld: list[dict], metas: dict[str, str]) -> str | None:
    names = ld_names(ld_first(ld, "author", max_rank=1))
    if names:
        return _clean_byline(", ".join(dict.fromkeys(names)))
    for key in ("author", "article:author", "byl", "parsely-author", "sailthru.author",
                "dc.creator", "dcterms.creator", "twitter:creator"):
        value = _clean_byline(metas.get(key))
        if value and not (key == "twitter:creator" and value.startswith("@")):
            return value
    for element in tags:
        rel = element.get("rel")
        if "author" in (rel if isinstance(rel, list) else []) or \
                "author" in str(element.get("itemprop") or "").split():
            inner = element.find(itemprop="name") or element
            content = inner.get("content")
            value = _clean_byline(content if isinstance(content, str) and content
                                  else inner.get_text(" "))
            if value and not _in_other_content(element):
                return value
    for element in tags:
        if {"byline", "author", "byl"} & set(name_words(element.get("class"))):
            value = _clean_byline(element.get_text(" "))
            if value and len(value.split()) <= 10 and not _in_other_content(element):
                return value
    return None


_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article.published", "published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "article_date_original", "original-publish-date",
    "originalpublicationdate", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.date", "dc.date.created", "dcterms.created", "date", "sailthru.date",
    "parsely-pub-date", "citation_publication_date", "citation_date", "displaydate",
)


def page_published(tags: list[Tag], ld: list[dict], metas: dict[str, str],
               url: str | None) -> str | None:
    candidates = [ld_first(ld, "datePublished", max_rank=1),
                  ld_first(ld, "dateCreated", max_rank=0)]
    candidates += [metas.get(key) for key in _PUBLISHED_META]
    for element in tags:
        if element.get("itemprop") == "datePublished":
            candidates.append(element.get("content") or element.get("datetime")
                              or element.get_text(" "))
    times = [t for t in tags if t.name == "time" and t.get("datetime")][:200]
    times.sort(key=lambda t: 0 if t.has_attr("pubdate") else 1 if _in_article(t) else 2)
    candidates += [t.get("datetime") for t in times if not _in_other_content(t)]
    for candidate in candidates:
        if isinstance(candidate, str):
            value = parse_date(candidate)
            if value:
                return value
    return date_from_url(url)


def _ancestors(element: Tag, limit: int = 40):
    """The nearest ancestors (bounded: pages can nest thousands deep)."""
    for parent, _ in zip(element.parents, range(limit), strict=False):
        if parent.name == "[document]":
            return
        yield parent


def _in_article(element: Tag) -> bool:
    return any(p.name in ("article", "main") for p in _ancestors(element))


_OTHER_CONTENT_TAGS = {"nav", "footer", "aside", "form", "label"}
_OTHER_CONTENT_WORDS = {"comment", "comments", "related", "recommended", "sidebar", "footer",
                        "promo", "teaser", "teasers", "trending", "popular", "newsletter"}


def _in_other_content(element: Tag) -> bool:
    """Inside comments, related links, sidebars and the like, where names
    and dates belong to other texts than the article."""
    for node in (element, *_ancestors(element)):
        if node.name in ("html", "body"):  # page-wide classes say nothing here
            break
        if node.name in _OTHER_CONTENT_TAGS:
            return True
        words = name_words(node.get("class")) + name_words(node.get("id"))
        if _OTHER_CONTENT_WORDS.intersection(words):
            return True
    return False


def canonical_url(tags: list[Tag], metas: dict[str, str], url: str | None) -> str | None:
    hrefs = [tag.get("href") for tag in tags if tag.name == "link"
             and "canonical" in [r.lower() for r in tag.get("rel") or []]]
    hrefs.append(metas.get("og:url"))
    for href in hrefs:
        if isinstance(href, str) and href.strip():
            full = urljoin(url or "", href.strip())
            if urlsplit(full).scheme in ("http", "https") and urlsplit(full).netloc:
                return full
    return url


_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")


def page_language(soup: BeautifulSoup, ld: list[dict], metas: dict[str, str]) -> str | None:
    html = soup.find("html")
    candidates = []
    if html is not None:
        candidates += [html.get("lang"), html.get("xml:lang")]
    candidates += [metas.get("content-language"), metas.get("language"),
                   metas.get("dc.language"), metas.get("og:locale")]
    in_language = ld_first(ld, "inLanguage", max_rank=1)
    candidates.append(in_language if isinstance(in_language, str) else None)
    for candidate in candidates:
        if isinstance(candidate, str):
            m = _LANG.match(candidate.strip().split(",")[0].strip())
            if m:
                return m.group(1).lower()
    return None
