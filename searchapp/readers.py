"""Readers: turn source files into articles, one format per function.

The format comes from the file name. Every reader yields `Article` objects and,
for parts it cannot read, `ReadError` objects, so a bad story or line is
reported while the rest of the file goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from .dates import normalize_date
from .model import Article, Tag

# Files larger than this are refused: no news article is this long, and reading
# one into memory must stay bounded.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Real pages nest a few dozen elements deep; building a tree for hundreds of
# thousands of levels takes minutes, so such a page is refused up front.
MAX_HTML_DEPTH = 5000

SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".html.gz": "html",
    ".htm.gz": "html",
    ".txt": "text",
    ".jsonl": "jsonl",
    ".sgm": "reuters",
}


@dataclass(frozen=True)
class ReadError:
    source: str
    reason: str


class UnreadableFile(Exception):
    """A whole file cannot be read; the message says why."""


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix, fmt in SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


def article_id(key: str) -> str:
    """A stable id from the article's location key (see `ingest.SourceFile.key`)."""
    # surrogatepass: a file name that is not UTF-8 reaches here with surrogate escapes.
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# -- bytes to text -------------------------------------------------------------


_SPECIAL_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def not_regular(path: Path) -> str | None:
    """Why `path` is no file to read (a FIFO, socket or device: opening one can
    block forever or never end), or None. A missing path or a folder gives None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return f"{kind}, not a regular file"
    return None


def bad_name(path: Path) -> str | None:
    """Why the path cannot be indexed by its name (the index keeps file names as UTF-8), or None."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not UTF-8; rename the file"
    return None


# Files that come with a collection but are not articles (the BBC set's README.TXT was
# indexed as one), by name before the first dot, in any case. Names a story could have in
# a news archive ("NEWS", "HISTORY") are left out.
NOT_ARTICLES = frozenset({"README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGES",
                          "CHANGELOG", "AUTHORS", "CONTRIBUTORS", "CONTRIBUTING"})


def not_an_article(path: Path) -> str | None:
    """Why the file is not read as an article (a README, LICENSE, CHANGES... file), or None."""
    if path.name.split(".", 1)[0].upper() in NOT_ARTICLES:
        return "not an article (a README, LICENSE or CHANGES file)"
    return None


def read_bytes(path: Path) -> bytes:
    special = not_regular(path)
    if special:
        raise UnreadableFile(special)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(f"file too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        data = gunzip(data)
    return data


def gunzip(data: bytes) -> bytes:
    # Decompress in bounded steps so that a zip bomb is refused, not expanded.
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error as exc:
        raise UnreadableFile(f"broken gzip data ({exc})") from None
    if len(out) > MAX_FILE_BYTES or inflater.unconsumed_tail:
        raise UnreadableFile(f"gzip expands beyond {MAX_FILE_BYTES:,} bytes")
    return out


# Characters no text holds in numbers: C0 and C1 controls other than tab, line breaks and
# form feed, and U+FFFD (bytes that did not decode). Text in any encoding, once decoded,
# has next to none; binary data decoded as text has one in every few characters.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
BINARY_SHARE = 0.05
_BINARY_SAMPLE = 1 << 20


def looks_binary(text: str) -> bool:
    """True when more than BINARY_SHARE of the (first MB of the) decoded text is not text."""
    sample = text[:_BINARY_SAMPLE]
    return _NOT_TEXT.subn("", sample)[1] > BINARY_SHARE * len(sample)


def refuse_binary(text: str, what: str = "text") -> None:
    if looks_binary(text):
        raise UnreadableFile(f"binary data, not {what}")


def decode(data: bytes) -> str:
    """Decode text of unknown encoding: UTF-8 first, else detect it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    # Latin-1 takes any byte: binary data is then told apart by refuse_binary.
    text = data.decode("latin-1")
    refuse_binary(text)
    raise UnreadableFile("cannot detect the text encoding")


def read_text(path: Path, judge: Callable[[str], str] = lambda text: text) -> str:
    """The decoded text of the file; binary data is refused, judged on judge(text)."""
    data = read_bytes(path)
    if not data.strip():
        raise UnreadableFile("empty file")
    text = decode(data)
    refuse_binary(judge(text))
    return text


# -- valid text at the door --------------------------------------------------------------

# Lone surrogates (from JSON "\ud800" escapes, or a file name that is not UTF-8) and the
# non-characters U+FFFE/U+FFFF cannot be written as UTF-8 or XML: each becomes U+FFFD.
_UNENCODABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Control characters other than tab and line breaks carry no text, and XML cannot hold them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def valid_text(value: str) -> str:
    return _CONTROLS.sub("", _UNENCODABLE.sub("\ufffd", value))


def valid_article(article: Article) -> Article:
    """The article with every text field (tags included) valid Unicode that any page,
    feed or index can hold: whatever a source holds, it is fixed here, once."""
    fields = {f.name: getattr(article, f.name) for f in dataclasses.fields(article)}
    # Any: only the str fields are in it, which mypy cannot tell from the bool one.
    fixed: dict[str, Any] = {name: valid_text(value) for name, value in fields.items()
                             if isinstance(value, str)}
    tags = [Tag(t.facet, valid_text(t.value), valid_text(t.label), t.origin) for t in article.tags]
    return dataclasses.replace(article, **fixed, tags=tags)


def valid_error(error: ReadError) -> ReadError:
    return ReadError(valid_text(error.source), valid_text(error.reason))


# -- text helpers ---------------------------------------------------------------

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def paragraphs_from_lines(text: str) -> str:
    """Blank-line separated blocks become paragraphs; lines inside a block are joined."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    paras = (_SPACES.sub(" ", " ".join(b.split("\n"))).strip() for b in blocks)
    return "\n\n".join(p for p in paras if p)


def date_tag(published: str | None, origin: str = "source") -> list[Tag]:
    if not published:
        return []
    day = published[:10]
    return [Tag("date", day, day, origin)]


# -- plain text -------------------------------------------------------------------


def read_plain_text(path: Path, key: str, source: str) -> Iterator[Article | ReadError]:
    text = read_text(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title = _SPACES.sub(" ", lines[0]).strip() if lines else ""
    body = paragraphs_from_lines("\n".join(lines[1:]))
    if not title and not body:
        raise UnreadableFile("no text")
    yield Article(id=article_id(key), source=source, title=title, body=body)


# -- HTML --------------------------------------------------------------------------


_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Elements that never nest (void) or that HTML closes by itself when the next one starts.
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr "
    "p li td th tr option dt dd".split())


def check_nesting(text: str) -> None:
    """Refuse markup nested deeper than MAX_HTML_DEPTH (a cheap scan, before parsing).

    Linear: each tag is read up to its first ">", and the next search starts
    there. A tag with no ">" after it ends the scan, as no later tag can close."""
    depth, pos = 0, 0
    while (tag := _TAG_START.search(text, pos)) is not None:
        end = text.find(">", tag.end())
        if end < 0:
            return
        pos = end + 1
        if tag.group(2).lower() in _NOT_NESTING or text[end - 1] == "/":
            continue
        depth += -1 if tag.group(1) else 1
        if depth > MAX_HTML_DEPTH:
            raise UnreadableFile(f"HTML nested deeper than {MAX_HTML_DEPTH:,} elements")


def read_html(path: Path, key: str, source: str) -> Iterator[Article | ReadError]:
    from .cleaning import clean_html, decode_html

    data = read_bytes(path)
    if not data.strip():
        raise UnreadableFile("empty file")
    text = decode_html(data)
    if looks_binary(text):
        raise UnreadableFile("binary data, not HTML")
    check_nesting(text)
    page = clean_html(text)
    if not page.body and not page.title:
        raise UnreadableFile("no article text found in the page")
    published = normalize_date(page.published)
    yield Article(
        id=article_id(key),
        source=source,
        title=page.title,
        body=page.body,
        published=published,
        url=page.url,
        byline=page.byline,
        language=page.language,
        tags=date_tag(published),
        publication=page.site_name,
    )


# -- JSON Lines ----------------------------------------------------------------------


def _without_damaged_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if "\x00" not in line)


def read_jsonl(path: Path, key: str, source: str) -> Iterator[Article | ReadError]:
    # A line with NUL bytes (a block zeroed by a crash, say) is one damaged line, reported
    # below; whether the file is text at all is judged on the others.
    text = read_text(path, judge=_without_damaged_lines)
    seen: Counter[str] = Counter()  # identity -> articles with it so far
    # Lines end at \n only: str.splitlines() would also split inside a JSON string at
    # U+2028 and other Unicode line separators.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}#{number}"  # the line number is where it is, never what it is
        if "\x00" in line:  # a damaged line, not JSON text: only it is lost
            yield ReadError(where, "NUL byte in the line")
            continue
        try:
            record = json.loads(line)
            identity = line_identity(record)
            article = jsonl_article(record, jsonl_key(key, identity, seen[identity] + 1), where)
        except (ValueError, TypeError, UnreadableFile) as exc:
            yield ReadError(where, f"bad JSON line: {exc}")
            continue
        seen[identity] += 1  # counted once read: a bad line never shifts a good one's id
        yield article


def line_identity(record) -> str:
    """What makes a line's article itself, wherever the line is in the file: its own `id`
    (a string or a number), else its `url`, else a hash of its text.

    The hash covers `title`, `body`, `html` and `published` as written in the line: not
    the cleaned text, so that a better cleaner never moves an id, and not the whole line,
    so that a feed re-exported with other keys order, bylines or source tags keeps its ids.
    `published` is in it because a notice re-issued word for word on another day is
    another article."""
    if not isinstance(record, dict):
        raise ValueError("a line must hold a JSON object")
    own = record.get("id")
    if isinstance(own, (str, int, float)) and not isinstance(own, bool) and str(own).strip():
        return f"id:{str(own).strip()}"
    url = _text_field(record, "url").strip()
    if url:
        return f"url:{url}"
    text = "\x1f".join(_text_field(record, name) for name in ("title", "body", "html", "published"))
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def jsonl_key(key: str, identity: str, occurrence: int) -> str:
    """The location key of the `occurrence`-th article with `identity` in the file `key`.
    Scoped to the file: feeds number their own ids, and the index replaces a file's articles
    by id. Identical lines are told apart by their order among themselves only, so a line
    inserted elsewhere moves no id."""
    return f"{key}#{identity}" + (f"~{occurrence}" if occurrence > 1 else "")


def legacy_jsonl_id(key: str, number: int) -> str:
    """The id line `number` of a JSON Lines file had when ids were line numbers; ingest
    uses it to find such articles in an older index and move their curation."""
    return article_id(f"{key}#{number}")


def jsonl_article(record: dict, key: str, source: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError("a line must hold a JSON object")
    title = _text_field(record, "title")
    body = _text_field(record, "body")
    url = _text_field(record, "url") or None
    language = None
    published = _text_field(record, "published")
    byline = _text_field(record, "byline") or None
    publication = _SPACES.sub(" ", _text_field(record, "source")).strip() or None
    if not body and record.get("html"):
        from .cleaning import clean_html

        markup = _text_field(record, "html")
        check_nesting(markup)
        page = clean_html(markup, url=url)
        body = page.body
        title = title or page.title
        byline = byline or page.byline
        published = published or page.published or ""
        url = url or page.url
        language = page.language
        publication = publication or page.site_name
    else:
        body = paragraphs_from_lines(body)
    if not title and not body:
        raise ValueError("no title and no body")
    day = normalize_date(published) if published else None
    tags = date_tag(day) + source_tags(record.get("tags"))
    return Article(
        id=article_id(key),
        source=source,
        title=_SPACES.sub(" ", title).strip(),
        body=body,
        published=day,
        url=url,
        byline=byline,
        language=_text_field(record, "language") or language,
        tags=tags,
        publication=publication,
    )


def _text_field(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} must be a string")
    return value


def source_tags(tags) -> list[Tag]:
    """Tags given by the source, as {"country": [...], "person": [...], "topic": [...]}."""
    if not tags:
        return []
    if not isinstance(tags, dict):
        raise ValueError("'tags' must be an object of facet -> list of values")
    from .tagging.normalize import normalize_tag

    out = []
    for facet, values in tags.items():
        if facet not in ("country", "person", "topic"):
            raise ValueError(f"unknown tag facet {facet!r}")
        if isinstance(values, str):
            values = [values]
        for value in values:
            tag = normalize_tag(facet, str(value), "source")
            if tag is not None:
                out.append(tag)
    return out


# -- Reuters-21578 SGML -----------------------------------------------------------------

# Every pattern here stops at the next "<" or needs a word start, and each search
# starts where the last one ended: a file of unclosed tags is read in linear time.
_ATTR = re.compile(r'\b(\w+)="([^"]*)"')
_MARKUP = re.compile(r"<[^<>]+>")
# The Reuters-21578 stories are all Reuters newswire.
REUTERS = "Reuters"
_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}


@cache
def _tag_patterns(name: str) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(rf"<{name}\b([^<>]*)>", re.I), re.compile(rf"</{name}>", re.I)


def _elements(name: str, text: str) -> Iterator[tuple[str, str]]:
    """(attributes, content) of each <name ...>...</name> in text, in order. An
    element without its closing tag ends the scan: nothing after it can close."""
    opening, closing = _tag_patterns(name)
    pos = 0
    while (start := opening.search(text, pos)) is not None:
        end = closing.search(text, start.end())
        if end is None:
            return
        yield start.group(1), text[start.end():end.start()]
        pos = end.end()


def _element(name: str, text: str) -> str | None:
    return next((content for _, content in _elements(name, text)), None)


def _values(name: str, text: str) -> list[str]:
    block = _element(name, text) or ""
    return [html.unescape(v).strip() for _, v in _elements("D", block)]


def _sgml_text(raw: str | None) -> str:
    if not raw:
        return ""
    text = html.unescape(_MARKUP.sub(" ", raw))
    return re.sub(r"[\x00-\x08\x0b-\x1f]", "", text)


def reuters_date(raw: str | None) -> str | None:
    """'26-FEB-1987 15:01:01.79' -> '1987-02-26T15:01:01'; junk around it is tolerated."""
    if not raw:
        return None
    m = re.search(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})", raw)
    if not m or m.group(2).upper() not in _MONTHS:
        return None
    day, mon, year, hh, mm, ss = m.groups()
    return normalize_date(
        f"{year}-{_MONTHS[mon.upper()]:02d}-{int(day):02d}T{int(hh):02d}:{mm}:{ss}")


def reuters_body(raw: str) -> str:
    """Reflow Reuters' wrapped lines: an indented line starts a new paragraph."""
    text = _sgml_text(raw).replace("\r", "").rstrip()
    if re.search(r"\bReuter$", text):  # the wire's sign-off, not the story
        text = text[:-len("Reuter")].rstrip()
    paras: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if (not line.strip() or line.startswith((" ", "\t"))) and current:
            paras.append(" ".join(current))
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paras.append(" ".join(current))
    return "\n\n".join(_SPACES.sub(" ", p) for p in paras)


def read_reuters(path: Path, key: str, source: str) -> Iterator[Article | ReadError]:
    text = read_text(path)
    stories = 0
    for attributes, sgml in _elements("REUTERS", text):
        attrs = dict(_ATTR.findall(attributes))
        newid = attrs.get("NEWID", str(stories + 1))
        stories += 1
        where = f"{source}#{newid}"
        try:
            yield reuters_story(sgml, f"{key}#{newid}", where)
        except ValueError as exc:
            yield ReadError(where, str(exc))
    if not stories:
        raise UnreadableFile("no <REUTERS> stories found")


def reuters_story(sgml: str, key: str, source: str) -> Article:
    text_el = _element("TEXT", sgml) or ""
    title = _sgml_text(_element("TITLE", text_el)).strip()
    dateline = _sgml_text(_element("DATELINE", text_el)).strip()
    body_raw = _element("BODY", text_el)
    if body_raw is None and not title:
        body_raw = text_el  # TYPE="UNPROC": unparsed text straight in <TEXT>
    body = reuters_body(body_raw or "")
    if dateline and body:
        body = f"{dateline} {body}"
    if not title and not body:
        raise ValueError("story has neither title nor text")
    published = reuters_date(_element("DATE", sgml))
    return Article(
        id=article_id(key),
        source=source,
        title=_SPACES.sub(" ", title),
        body=body,
        published=published,
        language="en",
        tags=date_tag(published) + reuters_tags(sgml),
        publication=REUTERS,
    )


# The name Reuters' own codes go by in the crosswalk (searchapp.crosswalk).
REUTERS_CODES = "reuters"


def reuters_tags(sgml: str) -> list[Tag]:
    """PLACES resolved to ISO codes; PEOPLE and TOPICS as Reuters' own codes, which the
    crosswalk maps when the article is indexed (a reader needs no database)."""
    from .crosswalk import source_tag
    from .tagging.normalize import normalize_tag

    tags = []
    for value in _values("PLACES", sgml):
        tag = normalize_tag("country", value.replace("-", " "), "source")
        if tag is not None:
            tags.append(tag)
    for element, facet in (("PEOPLE", "person"), ("TOPICS", "topic")):
        tags += [source_tag(REUTERS_CODES, facet, v) for v in _values(element, sgml) if v.strip()]
    return tags


READERS = {
    "html": read_html,
    "text": read_plain_text,
    "jsonl": read_jsonl,
    "reuters": read_reuters,
}


# An untitled story is named by its first sentence, cut to this many characters.
DERIVED_TITLE_CHARS = 120
# A sentence ends at . ! or ? before a space, but not after an initial ("U.S.") or "Mr.".
_SENTENCE_END = re.compile(r"(?<![A-Z][.!?])(?<![A-Z][a-z][.!?])(?<=[.!?])\s")


def first_sentence(body: str) -> str:
    paragraph = body.strip().split("\n\n", 1)[0]
    sentence = _SENTENCE_END.split(paragraph, 1)[0].strip()
    if len(sentence) > DERIVED_TITLE_CHARS:
        sentence = sentence[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    return sentence


def titled(article: Article) -> Article:
    """An untitled article named by its first sentence, marked `title_derived` so pages can
    say the title is not the source's (706 Reuters stories have none)."""
    if article.title.strip() or not article.body.strip():
        return article
    return dataclasses.replace(article, title=first_sentence(article.body), title_derived=True)


def read_file(path: Path, key: str, source: str) -> Iterator[Article | ReadError]:
    """Read one file; raises UnreadableFile when nothing of it can be read."""
    fmt = file_format(path)
    if fmt is None:
        raise UnreadableFile(f"unsupported file type {path.name!r}")
    try:
        for item in READERS[fmt](path, key, source):
            yield valid_error(item) if isinstance(item, ReadError) else valid_article(titled(item))
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from None
