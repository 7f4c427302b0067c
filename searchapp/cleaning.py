"""Turn a raw news web page into its article text and metadata.

The body is found readability-style: page furniture (navigation, comments,
share bars, cookie banners, ...) is skipped by tag, ARIA role and class/id
words; the remaining text blocks score for the elements just above them; the
best element, widened to sibling parts of the same article, gives the body,
minus link lists and small widgets inside it. A JSON-LD ``articleBody``, when
the page has one, counts as extra evidence for the blocks it contains.

Metadata comes from JSON-LD, meta tags, ``<time>`` elements and the URL.
Nothing here raises on bad markup: a page that cannot be read gives an empty
body.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import warnings

import charset_normalizer
from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData



@dataclass
class CleanedPage:
    title: str  # article headline ("" if none)
    body: str  # main article text only, paragraphs separated by "\n\n"
    byline: str | None
    published: str | None  # ISO 8601 date or datetime; None if unknown
    url: str | None  # canonical URL, else the url argument
    language: str | None  # lowercase primary language subtag, e.g. "en"


def clean_html(html: str | bytes, url: str | None = None) -> CleanedPage:
    """Extract the article title, body and metadata from one HTML page."""
    empty = CleanedPage("", "", None, None, url, None)
    try:
        text = decode_html(html) if isinstance(html, (bytes, bytearray)) else html
        if not text or not text.strip():
            return empty
        ld_texts = _json_ld_texts(text)
        with warnings.catch_warnings():
            # Pages served as XHTML are parsed as HTML on purpose: one parser, one set of rules.
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(_strip_raw(text), "lxml")
    except Exception:  # noqa: BLE001 - bad input must never raise
        return empty
    page = CleanedPage("", "", None, None, url, None)
    ld = _json_ld_objects(ld_texts)
    tags = _all_tags(soup)
    metas = _meta_values(tags)
    for field, read in (
        ("title", lambda: _title(soup, ld, metas)),
        ("byline", lambda: _byline(tags, ld, metas)),
        ("published", lambda: _published(tags, ld, metas, url)),
        ("url", lambda: _canonical_url(tags, metas, url)),
        ("language", lambda: _language(soup, ld, metas)),
    ):
        try:
            value = read()
        except Exception:  # noqa: BLE001 - one bad field must not lose the rest
            continue
        if value is not None:
            setattr(page, field, value)
    try:
        page.body = extract_body(soup, _ld_article_body(ld), page.title)
    except Exception:  # noqa: BLE001
        page.body = ""
    return page


# --------------------------------------------------------------------------
# Decoding and raw-text preparation

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Browsers read these labels as Windows code pages (WHATWG encoding standard).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
                    "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030"}


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then the declared meta charset, then UTF-8,
    then charset-normalizer's guess; never raises."""
    data = bytes(data)
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    declared = _declared_codec(data)
    for codec in dict.fromkeys(c for c in (declared, "utf-8") if c):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    if declared and declared != "utf-8":
        return data.decode(declared, errors="replace")  # a few bad bytes
    text = data.decode("utf-8", errors="replace")
    allowed = max(2, len(text) // 200) if declared == "utf-8" else len(text) // 1000
    if text.count("\ufffd") <= allowed:
        return text  # UTF-8 with a few bad bytes
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    return data.decode(best.encoding if best is not None else "cp1252", errors="replace")


def _declared_codec(data: bytes) -> str | None:
    """The charset named in a <meta> near the top, as a Python codec name."""
    declared = _META_CHARSET.search(data[:8192])
    if not declared:
        return None
    name = declared.group(1).decode("ascii", "ignore").lower()
    try:
        codec = codecs.lookup(_CHARSET_ALIASES.get(name, name)).name
    except LookupError:
        return None
    return "utf-8" if codec.startswith("utf-8") or codec.startswith("utf-16") else codec


# Elements whose content is never text: removed before parsing, so a huge
# page full of inline scripts does not build a huge tree.
_RAW_DROP = ("script", "style", "noscript", "template", "svg", "math")
_RAW_OPEN = re.compile(r"<(%s)\b" % "|".join(_RAW_DROP), re.I)
_JSON_LD = re.compile(
    r"""<script\b[^>]*type\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script\s*>""",
    re.I | re.S)


def _json_ld_texts(text: str) -> list[str]:
    # Bounded: a page has few of these, and each match needs its closing tag.
    return [m.group(1) for m, _ in zip(_JSON_LD.finditer(text), range(50))]


def _strip_raw(text: str) -> str:
    """Cut script/style/... elements and comments out of the raw text in one
    linear pass (an unclosed one swallows the rest, as in a browser)."""
    lower = text.lower()
    out = []
    pos = 0
    element = _RAW_OPEN.search(text)
    comment = lower.find("<!--")
    while element is not None or comment >= 0:
        if element is not None and (comment < 0 or element.start() < comment):
            out.append(text[pos:element.start()])
            end = lower.find("</" + element.group(1).lower(), element.end())
            close = lower.find(">", end) if end >= 0 else -1
            pos = len(text) if close < 0 else close + 1
        else:
            out.append(text[pos:comment])
            end = lower.find("-->", comment + 4)
            pos = len(text) if end < 0 else end + 3
        # Look again only for the kinds whose next match is already passed.
        if element is not None and element.start() < pos:
            element = _RAW_OPEN.search(text, pos)
        if 0 <= comment < pos:
            comment = lower.find("<!--", pos)
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# JSON-LD

_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                  "blogposting", "socialmediaposting", "liveblogposting", "techarticle",
                  "scholarlyarticle", "report", "review", "webpage", "creativework"}


def _json_ld_objects(texts: list[str]) -> list[dict]:
    """All JSON-LD objects of the page, article-like ones first."""
    found: list[dict] = []
    for raw in texts:
        try:
            data = json.loads(raw.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 500:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))
    return sorted(found, key=lambda o: _ld_rank(o))


def _ld_types(obj: dict) -> set[str]:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _ld_rank(obj: dict) -> int:
    kinds = _ld_types(obj)
    if kinds & (_ARTICLE_TYPES - {"webpage", "creativework"}):
        return 0
    return 1 if kinds & _ARTICLE_TYPES else 2


def _ld_first(ld: list[dict], key: str, max_rank: int = 1):
    for obj in ld:
        if _ld_rank(obj) <= max_rank and obj.get(key):
            return obj[key]
    return None


def _ld_article_body(ld: list[dict]) -> str:
    body = _ld_first(ld, "articleBody", max_rank=1)
    return body if isinstance(body, str) else ""


def _ld_names(value) -> list[str]:
    """Names from a JSON-LD author value: string, object or list of either."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
            if isinstance(item, list):  # some sites give a list of names
                item = ", ".join(n for n in item if isinstance(n, str))
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


# --------------------------------------------------------------------------
# Metadata


def _all_tags(root: Tag) -> list[Tag]:
    """The root and every element under it, in document order."""
    return [root, *(node for node in root.descendants if isinstance(node, Tag))]


def _meta_values(tags: list[Tag]) -> dict[str, str]:
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


def _norm(text: str) -> str:
    return " ".join(text.split())


_TITLE_SEPARATORS = re.compile(r"(\s+(?:[|\-–—:·•»]|::)\s+)")


def _title(soup: BeautifulSoup, ld: list[dict], metas: dict[str, str]) -> str:
    site_names = {_norm(n).lower() for n in _site_names(ld, metas) if n}
    h1 = soup.find("h1")
    h1_text = _norm(h1.get_text(" ")) if h1 else ""
    headline = _ld_first(ld, "headline", max_rank=0)
    candidates = [metas.get("og:title"), headline if isinstance(headline, str) else None,
                  metas.get("twitter:title"), h1_text]
    for candidate in candidates:
        if isinstance(candidate, str) and _norm(candidate):
            return _strip_site_name(_norm(candidate), site_names)
    tag = soup.find("title")
    if tag is not None and _norm(tag.get_text()):
        return _strip_site_name(_norm(tag.get_text()), site_names, guess=True)
    return ""


def _site_names(ld: list[dict], metas: dict[str, str]) -> list[str]:
    names = [metas.get("og:site_name"), metas.get("application-name"),
             metas.get("twitter:site", "").lstrip("@") or None]
    for obj in ld:
        if "publisher" in obj:
            names.extend(_ld_names(obj["publisher"]))
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


_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s*[:\s]\s*", re.I)


# "Jane Doe November 15, 2019" / "Jane Doe | 15 Nov 2019" / "Jane Doe 2019-11-15"
_BYLINE_DATE = re.compile(
    r"[\s,|·•–—-]*(?:(?:updated|published|posted)\s*:?\s*)?(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?"
    r"\s+\d{4}|\d{1,2}\.?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})\b.*$", re.I)


def _clean_byline(text: str | None) -> str | None:
    if not text:
        return None
    text = _BY_PREFIX.sub("", _norm(text))
    date_at_end = _BYLINE_DATE.search(text)
    if date_at_end and parse_date(date_at_end.group(0)):
        text = text[: date_at_end.start()]
    text = text.strip(" ,|-–—·•")
    if not text or len(text) > 120 or re.search(r"https?:|www\.|@|^\S+\.\w{2,4}$", text):
        return None  # a link, handle or file name, not a name
    return text


def _byline(tags: list[Tag], ld: list[dict], metas: dict[str, str]) -> str | None:
    names = _ld_names(_ld_first(ld, "author", max_rank=1))
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
            inner = element.find(attrs={"itemprop": "name"}) or element
            value = _clean_byline(inner.get("content") or inner.get_text(" "))
            if value and not _in_other_content(element):
                return value
    for element in tags:
        if {"byline", "author", "byl"} & set(_name_words(element.get("class"))):
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


def _published(tags: list[Tag], ld: list[dict], metas: dict[str, str],
               url: str | None) -> str | None:
    candidates = [_ld_first(ld, "datePublished", max_rank=1),
                  _ld_first(ld, "dateCreated", max_rank=0)]
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
    return _date_from_url(url)


def _ancestors(element: Tag, limit: int = 40):
    """The nearest ancestors (bounded: pages can nest thousands deep)."""
    for parent, _ in zip(element.parents, range(limit)):
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
        words = _name_words(node.get("class")) + _name_words(node.get("id"))
        if _OTHER_CONTENT_WORDS.intersection(words):
            return True
    return False


_ISO = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?(?![\d])", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def parse_date(text: str) -> str | None:
    """Normalise a date string to ISO 8601: "2019-05-10" for a date,
    "2019-05-10T08:30:00+00:00" for a datetime with a zone (no zone: no
    offset). None when the text holds no plausible date."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    m = _ISO.match(text) or _ISO.search(text)
    if m:
        return _iso_from_match(m)
    if text[:1].isdigit() and text.isdigit() and len(text) >= 10:
        return _from_epoch(int(text))
    try:
        when = parsedate_to_datetime(text)  # RFC 2822, e.g. in feeds
        if when is not None and _plausible(when.year):
            return when.isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for pattern, order in ((_MONTH_FIRST, (2, 1, 3)), (_DAY_FIRST, (1, 2, 3))):
        m = pattern.search(text)
        if m:
            day, month, year = (m.group(i) for i in order)
            month_no = _MONTHS.get(month[:3].lower())
            if month_no and (month[:3].lower() == month.lower() or month.lower().startswith(
                    ("janu", "febr", "marc", "apri", "may", "june", "july", "augu", "sept",
                     "octo", "nove", "dece"))):
                return _date_iso(int(year), month_no, int(day))
    return None


def _plausible(year: int) -> bool:
    return 1900 <= year <= 2100


def _date_iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat() if _plausible(year) else None
    except ValueError:
        return None


def _iso_from_match(m: re.Match) -> str | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day_iso = _date_iso(year, month, day)
    if day_iso is None or m.group(4) is None:
        return day_iso
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return day_iso
    zone = m.group(7)
    tz = None
    if zone:
        if zone.upper() in ("Z", "UTC", "GMT"):
            tz = timezone.utc
        else:
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if offset >= timedelta(hours=15):
                return day_iso
            tz = timezone(offset if zone[0] == "+" else -offset)
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).isoformat()


def _from_epoch(value: int) -> str | None:
    if value > 10**11:  # milliseconds
        value //= 1000
    try:
        when = datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return when.isoformat() if _plausible(when.year) and when.year >= 1995 else None


# /2019/05/10/, /2019-05-10-slug, /2019/may/10/, /slug-20190510/
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2]|[a-z]{3})[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)",
    re.I)
_URL_DATE_COMPACT = re.compile(
    r"[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/|$|\.html?$)")


def _date_from_url(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    m = _URL_DATE.search(path) or _URL_DATE_COMPACT.search(path)
    if not m:
        return None
    month = m.group(2)
    month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower())
    return _date_iso(int(m.group(1)), month_no, int(m.group(3))) if month_no else None


def _canonical_url(tags: list[Tag], metas: dict[str, str], url: str | None) -> str | None:
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


def _language(soup: BeautifulSoup, ld: list[dict], metas: dict[str, str]) -> str | None:
    html = soup.find("html")
    candidates = []
    if html is not None:
        candidates += [html.get("lang"), html.get("xml:lang")]
    candidates += [metas.get("content-language"), metas.get("language"),
                   metas.get("dc.language"), metas.get("og:locale")]
    in_language = _ld_first(ld, "inLanguage", max_rank=1)
    candidates.append(in_language if isinstance(in_language, str) else None)
    for candidate in candidates:
        if isinstance(candidate, str):
            m = _LANG.match(candidate.strip().split(",")[0].strip())
            if m:
                return m.group(1).lower()
    return None


# --------------------------------------------------------------------------
# Article body
#
# The page's visible text is cut into blocks at block-level tags, skipping
# page furniture. Blocks of 25+ characters give points to the elements just
# above them (fewer the further up), so the element holding a run of real
# paragraphs wins over a wrapper of many small teasers. Candidates are
# discounted by their link density and weighted by their class/id words; the
# winner is widened to sibling parts of the same article, and its blocks,
# minus link lists and small widgets, are the body.

# Tags that end a text block (a paragraph of output).
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "br", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main",
    "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "caption", "legend", "option",
}
# Block tags that are themselves one paragraph, rather than a container.
_PARAGRAPH_TAGS = {"p", "pre", "td", "th", "li", "dd", "dt", "blockquote", "h1", "h2", "h3",
                   "h4", "h5", "h6", "address", "caption", "summary", "legend"}
# Tags never part of an article's running text (captions included: they
# describe a picture, not the story).
_SKIP_TAGS = {
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "meta",
    "link", "iframe", "frame", "frameset", "object", "embed", "video", "audio", "canvas",
    "map", "button", "input", "select", "textarea", "option", "label", "nav", "footer",
    "aside", "header", "figure", "figcaption", "dialog", "menu", "picture", "img",
}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog",
               "alertdialog", "search", "menu", "menubar", "toolbar", "tablist", "alert"}
_HIDDEN_CLASSES = {"hidden", "hide", "d-none", "sr-only", "visually-hidden", "visuallyhidden",
                   "screen-reader-text", "screen-reader-only", "is-hidden", "u-hidden",
                   "invisible", "offscreen", "element-invisible"}
# Words of class/id (split on punctuation and camelCase) that name page
# furniture whatever else the name says ...
_FURNITURE_WORDS = {
    "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adslot",
    "adunit", "breadcrumb", "breadcrumbs", "comment", "comments", "commenting", "cookie",
    "cookies", "consent", "gdpr", "disqus", "related", "recommended", "recommendations",
    "share", "shares", "sharing", "social", "sponsor", "sponsored", "newsletter",
    "newsletters", "subscribe", "subscription", "signup", "promo", "promotion", "popup",
    "modal", "outbrain", "taboola", "toolbar", "pagination", "pager", "print", "caption",
    "credit", "credits", "overlay", "recirc", "recirculation",
}
# ... that name furniture unless the name also has a content word ...
_WEAK_FURNITURE_WORDS = {
    "banner", "footer", "nav", "navbar", "navigation", "menu", "sidebar", "masthead",
    "widget", "tags", "tag", "meta", "author", "bio", "byline", "dateline", "timestamp",
    "trending", "popular", "more", "teaser", "teasers", "skip", "login", "signin", "follow",
    "rss", "toc", "jump", "disclaimer", "copyright", "breaking", "alert", "extra", "aside",
    "complementary", "supplemental", "community", "footnote", "header", "tools",
    "tool", "contact",
}
_CONTENT_WORDS = {"article", "body", "content", "entry", "hentry", "main", "post", "text",
                  "story", "blog", "page", "column", "prose", "richtext", "articlebody"}
# ... and parts of compound names ("sharebar", "commentlist").
_FURNITURE_PARTS = re.compile(
    r"share|social|comment|cookie|newsletter|outbrain|taboola|related|sponsor|promo|"
    r"breadcrumb|sidebar|footer|navbar|advert|disqus|subscri|recirc")
_PROTECTED_TAGS = {"html", "body", "article", "main"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CAMEL = re.compile(r"([a-z])([A-Z])")
_COMMAS = re.compile("[,\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c\u3001]")
# A furniture-named element holding this share of the page's text is taken
# to be a page wrapper with an unlucky name ("page has-sidebar").
_WRAPPER_SHARE = 0.75
_MIN_PARAGRAPH = 25
_MIN_BODY = 500


def _name_words(value) -> list[str]:
    if isinstance(value, list):
        value = " ".join(value)
    if not isinstance(value, str) or not value:
        return []
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(r"\1 \2", value).lower()) if w]


def _names_furniture(value) -> bool:
    words = _name_words(value)
    if not words:
        return False
    if any(w in _FURNITURE_WORDS for w in words):
        return True
    joined = (" ".join(value) if isinstance(value, list) else str(value)).lower()
    if _FURNITURE_PARTS.search(joined) and not any(w in _CONTENT_WORDS for w in words):
        return True
    return any(w in _WEAK_FURNITURE_WORDS for w in words) and \
        not any(w in _CONTENT_WORDS for w in words)


def _class_weight(element: Tag) -> int:
    """Readability's class weight: +25 for a content-like class or id, -25 for
    a furniture-like one, each."""
    weight = 0
    for value in (element.get("class"), element.get("id")):
        words = _name_words(value)
        if not words:
            continue
        if any(w in _CONTENT_WORDS for w in words):
            weight += 25
        if any(w in _FURNITURE_WORDS or w in _WEAK_FURNITURE_WORDS for w in words):
            weight -= 25
    return weight


def _is_hidden(element: Tag) -> bool:
    attrs = element.attrs
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if isinstance(style, str) and _HIDDEN_STYLE.search(style):
        return True
    classes = attrs.get("class")
    return isinstance(classes, list) and any(c.lower() in _HIDDEN_CLASSES for c in classes)


def _is_furniture(element: Tag, use_classes: bool) -> bool:
    """True for elements that hold no article text: by tag, hidden, by ARIA
    role, or (when use_classes) by class/id words."""
    if element.name in _SKIP_TAGS:
        return True
    if not element.attrs:
        return False
    if _is_hidden(element):
        return True
    role = element.get("role")
    if isinstance(role, str) and role.lower() in _SKIP_ROLES:
        return True
    if not use_classes or element.name in _PROTECTED_TAGS:
        return False
    if element.get("itemprop") == "articleBody":
        return False
    return _names_furniture(element.get("class")) or _names_furniture(element.get("id"))


@dataclass
class _Block:
    owner: Tag  # nearest block-level element holding the text
    text: str
    link_chars: int

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


def _text_sizes(elements: list[Tag]) -> dict[int, int]:
    """Characters of text under each element (one linear pass)."""
    sizes: dict[int, int] = {}
    root = elements[0]
    for element in elements:
        sizes[id(element)] = sum(len(c) for c in element.contents
                                 if isinstance(c, NavigableString))
    for element in reversed(elements):
        if element is not root and element.parent is not None:
            sizes[id(element.parent)] = sizes.get(id(element.parent), 0) + sizes[id(element)]
    return sizes


def _collect_blocks(elements: list[Tag], use_classes: bool) -> list[_Block]:
    """Walk the tree (iteratively: pages can nest thousands deep) and cut its
    visible text into blocks at block-level tags."""
    root = elements[0]
    sizes = _text_sizes(elements) if use_classes else {}
    wrapper_size = _WRAPPER_SHARE * max(sizes.get(id(root), 0), 1)
    blocks: list[_Block] = []
    parts: list[str] = []
    link_chars = 0
    owners: list[Tag] = [root]
    link_depth = 0

    def flush() -> None:
        nonlocal link_chars
        text = _norm("".join(parts))
        if text:
            blocks.append(_Block(owners[-1], text, min(link_chars, len(text))))
        parts.clear()
        link_chars = 0

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                parts.append(str(node))
                if link_depth:
                    link_chars += len(_norm(str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        is_block = node.name in _BLOCK_TAGS
        if leaving:
            if node.name == "a":
                link_depth -= 1
            if is_block:
                flush()
                owners.pop()
            continue
        if node is not root and _is_furniture(node, use_classes) and not (
                sizes.get(id(node), 0) >= wrapper_size and not _is_furniture(node, False)):
            if is_block or node.name in ("img", "picture"):
                flush()  # a dropped block still separates the text around it
            continue
        if is_block:
            flush()
            owners.append(node)
        if node.name == "a":
            link_depth += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return blocks


@dataclass
class _Stats:
    """Visible text under one element, summed from its blocks."""
    chars: int = 0
    link_chars: int = 0
    commas: int = 0
    paragraphs: int = 0  # blocks held by <p>
    list_items: int = 0  # blocks held by <li>
    list_chars: int = 0  # characters in those

    @property
    def link_density(self) -> float:
        return self.link_chars / max(self.chars, 1)


def _element_stats(elements: list[Tag], blocks: list[_Block]) -> dict[int, _Stats]:
    stats: dict[int, _Stats] = {}
    for block in blocks:
        s = stats.setdefault(id(block.owner), _Stats())
        s.chars += len(block.text)
        s.link_chars += block.link_chars
        s.commas += len(_COMMAS.findall(block.text))
        s.paragraphs += block.owner.name == "p"
        if block.owner.name == "li":
            s.list_items += 1
            s.list_chars += len(block.text)
    root = elements[0]
    for element in reversed(elements):
        own = stats.get(id(element))
        if own is None or element is root or element.parent is None:
            continue
        up = stats.setdefault(id(element.parent), _Stats())
        up.chars += own.chars
        up.link_chars += own.link_chars
        up.commas += own.commas
        up.paragraphs += own.paragraphs
        up.list_items += own.list_items
        up.list_chars += own.list_chars
    return stats


_TAG_PRIOR = {"div": 5, "pre": 3, "td": 3, "blockquote": 3, "address": -3, "ol": -3,
              "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3, "h1": -5,
              "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5}


def _has_block_child(element: Tag, cache: dict[int, bool]) -> bool:
    key = id(element)
    if key not in cache:
        cache[key] = any(isinstance(c, Tag) and c.name in _BLOCK_TAGS and c.name != "br"
                         for c in element.contents)
    return cache[key]


def _score_candidates(blocks: list[_Block], stats: dict[int, _Stats], use_classes: bool,
                      ld_words: set[str] | None) -> dict[int, tuple[float, Tag]]:
    scores: dict[int, list] = {}
    has_block_child: dict[int, bool] = {}
    for block in blocks:
        if len(block.text) < _MIN_PARAGRAPH:
            continue
        points = 1 + len(_COMMAS.findall(block.text)) + min(len(block.text) // 100, 3)
        if ld_words and _mostly_in(block.text, ld_words):
            points *= 3  # the page's own structured data says this is the article
        owner = block.owner
        # A paragraph scores for its container; text set straight into a
        # container among other blocks scores for that container itself.
        start = owner if (owner.name not in _PARAGRAPH_TAGS
                                and _has_block_child(owner, has_block_child)) \
            else owner.parent
        node, level = start, 0
        while isinstance(node, Tag) and node.name != "[document]" and level < 5:
            entry = scores.get(id(node))
            if entry is None:
                prior = _TAG_PRIOR.get(node.name, 0)
                if use_classes:
                    prior += _class_weight(node)
                entry = scores[id(node)] = [float(prior), node]
            entry[0] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            node, level = node.parent, level + 1
    return {key: (score * (1 - stats.get(key, _Stats()).link_density), node)
            for key, (score, node) in scores.items()}


def _mostly_in(text: str, words: set[str]) -> bool:
    tokens = re.findall(r"\w+", text.lower())
    return len(tokens) >= 4 and sum(t in words for t in tokens) >= 0.8 * len(tokens)


def _pick_container(root: Tag, candidates: dict[int, tuple[float, Tag]]) -> tuple[Tag, float]:
    """The best candidate, moved up to an ancestor shared by other strong
    candidates or scoring higher itself."""
    ranked = sorted(candidates.values(), key=lambda c: -c[0])
    if not ranked or ranked[0][1] is root:
        return root, ranked[0][0] if ranked else 0.0
    top_score, top = ranked[0]

    # Three near-best candidates under one ancestor: the article is split.
    others = [set(id(p) for p in node.parents) for score, node in ranked[1:5]
              if score >= 0.75 * top_score]
    if len(others) >= 3:
        parent = top.parent
        while isinstance(parent, Tag) and parent is not root:
            if sum(id(parent) in ancestors for ancestors in others) >= 3:
                top = parent
                break
            parent = parent.parent

    def score_of(element: Tag) -> float | None:
        entry = candidates.get(id(element))
        return entry[0] if entry else None

    top_score = score_of(top) or top_score
    # Walk up while a parent scores higher (it holds more of the article).
    last, parent = top_score, top.parent
    while isinstance(parent, Tag) and parent is not root:
        score = score_of(parent)
        if score is not None:
            if score < top_score / 3:
                break
            if score > last:
                top, top_score = parent, score
                break
            last = score
        parent = parent.parent
    # An only child says no more than its parent.
    while isinstance(top.parent, Tag) and top.parent is not root and \
            len([c for c in top.parent.contents if isinstance(c, Tag)]) == 1:
        top = top.parent
        top_score = score_of(top) or top_score
    return top, top_score


def _best_inside(element: Tag, candidates: dict[int, tuple[float, Tag]]) -> float:
    scores = [candidates[id(e)][0] for e in _all_tags(element) if id(e) in candidates]
    return max(scores, default=0.0)


def _with_siblings(top: Tag, top_score: float, candidates: dict[int, tuple[float, Tag]],
                   stats: dict[int, _Stats]) -> list[Tag]:
    """The top candidate plus siblings that look like more of the article.

    A sibling counts by its own score; one repeating the top's class is
    likely another part of an article split into parallel wrappers, and is
    judged by the best candidate inside it, as each part scores deep down."""
    parent = top.parent
    if not isinstance(parent, Tag) or parent.name in ("[document]", "html"):
        return [top]
    top_best = max(top_score, _best_inside(top, candidates))
    threshold = max(10.0, top_best * 0.2)
    top_class = " ".join(top.get("class") or [])
    chosen = []
    for sibling in parent.contents:
        if not isinstance(sibling, Tag):
            continue
        if sibling is top:
            chosen.append(sibling)
            continue
        entry = candidates.get(id(sibling))
        score = entry[0] if entry else 0.0
        if top_class and " ".join(sibling.get("class") or []) == top_class:
            score = _best_inside(sibling, candidates) + top_best * 0.2
        if score >= threshold:
            chosen.append(sibling)
            continue
        s = stats.get(id(sibling))
        if s is None or sibling.name != "p":
            continue
        if s.chars > 80 and s.link_density < 0.25:
            chosen.append(sibling)
        elif s.chars <= 80 and s.link_chars == 0 and \
                re.search(r"\.( |$)", _norm(sibling.get_text(" "))):
            chosen.append(sibling)
    return chosen


_LISTS = {"ul", "ol", "dl"}
_GROUP_TAGS = {"div", "section", "ul", "ol", "dl", "table", "form", "fieldset"}


def _unwanted_groups(container: Tag, stats: dict[int, _Stats], use_classes: bool) -> set[int]:
    """Sub-containers of the article that look like widgets: link lists,
    short labelled boxes, furniture-named parts (readability's "clean
    conditionally")."""
    dropped: set[int] = set()
    for element in (e for e in _all_tags(container) if e.name in _GROUP_TAGS):
        s = stats.get(id(element))
        if s is None or s.commas >= 10:
            continue
        weight = _class_weight(element) if use_classes else 0
        is_list = element.name in _LISTS or s.list_chars > 0.9 * s.chars
        if weight < 0 and s.chars < 2000:
            dropped.add(id(element))
        elif not is_list and s.list_items > s.paragraphs + 100:
            dropped.add(id(element))
        elif not is_list and s.chars < _MIN_PARAGRAPH:
            dropped.add(id(element))
        elif weight < 25 and s.link_density > 0.2 and not is_list:
            dropped.add(id(element))
        elif s.link_density > 0.5:
            dropped.add(id(element))
    return dropped


def _keep_block(block: _Block, title: str) -> bool:
    if block.link_density > 0.5:
        return False
    if block.owner.name == "h1" or (title and block.text == title):
        return False
    return True


def _extract_once(elements: list[Tag], use_classes: bool, ld_words: set[str] | None,
                  title: str) -> str:
    root = elements[0]
    blocks = _collect_blocks(elements, use_classes)
    if not blocks:
        return ""
    stats = _element_stats(elements, blocks)
    candidates = _score_candidates(blocks, stats, use_classes, ld_words)
    if not candidates:
        chosen = [root]
    else:
        top, top_score = _pick_container(root, candidates)
        chosen = _with_siblings(top, top_score, candidates, stats)
    wanted: set[int] = set()
    for element in chosen:
        wanted |= _wanted_elements(element, _unwanted_groups(element, stats, use_classes))
    return "\n\n".join(block.text for block in blocks
                         if id(block.owner) in wanted and _keep_block(block, title))


def _wanted_elements(container: Tag, unwanted: set[int]) -> set[int]:
    """Ids of the container and its descendants outside unwanted groups."""
    wanted: set[int] = set()
    stack = [container]
    while stack:
        element = stack.pop()
        if id(element) in unwanted:
            continue
        wanted.add(id(element))
        stack.extend(c for c in element.contents if isinstance(c, Tag))
    return wanted


def extract_body(soup: BeautifulSoup, ld_body: str = "", title: str = "") -> str:
    """The page's main article text, paragraphs separated by blank lines."""
    elements = _all_tags(soup.find("body") or soup)
    ld_words = set(re.findall(r"\w+", ld_body.lower())) if len(ld_body) >= 200 else None
    body = _extract_once(elements, True, ld_words, title)
    if len(body) >= _MIN_BODY:
        return body
    # Short: maybe a wrapper had a furniture-like name. Without class names
    # the page is judged by structure alone; keep that only if it finds much
    # more (a short article stays short either way).
    retry = _extract_once(elements, False, ld_words, title)
    return retry if len(retry) > 2 * len(body) else body
