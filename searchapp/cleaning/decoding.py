"""From page bytes to the text the HTML parser gets: decoding, and cutting out
script-like elements and comments (keeping the JSON-LD scripts' text aside).

Every scan here is linear in the page size, whatever the markup: a hostile
page of unclosed tags must cost no more than a long article.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

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
_RAW_OPEN = re.compile(r"<({})\b".format("|".join(_RAW_DROP)), re.I)
_RAW_CLOSE = {name: re.compile(f"</{name}", re.I) for name in _RAW_DROP}
_LD_TYPE = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.I)
# A page has a few JSON-LD scripts; more are not read.
MAX_JSON_LD = 50


def split_raw(text: str) -> tuple[str, list[str]]:
    """The text without script/style/... elements and comments, and the
    contents of its JSON-LD scripts, in one linear pass: every search starts
    where the last one ended, and an unclosed element or comment swallows the
    rest of the page, as in a browser."""
    out: list[str] = []
    json_ld: list[str] = []
    pos = 0
    element = _RAW_OPEN.search(text)
    comment = text.find("<!--")
    while element is not None or comment >= 0:
        if element is not None and (comment < 0 or element.start() < comment):
            out.append(text[pos:element.start()])
            pos = _skip_element(text, element, json_ld)
        else:
            out.append(text[pos:comment])
            end = text.find("-->", comment + 4)
            pos = len(text) if end < 0 else end + 3
        # Look again only for the kinds whose next match is already passed.
        if element is not None and element.start() < pos:
            element = _RAW_OPEN.search(text, pos)
        if 0 <= comment < pos:
            comment = text.find("<!--", pos)
    out.append(text[pos:])
    return "".join(out), json_ld


def _skip_element(text: str, element: re.Match, json_ld: list[str]) -> int:
    """Where the raw element opened by `element` ends; a JSON-LD script's
    content is added to json_ld on the way."""
    name = element.group(1).lower()
    closing = _RAW_CLOSE[name].search(text, element.end())
    if closing is None:
        return len(text)
    # The opening tag's end is looked for only before the closing tag.
    opened = text.find(">", element.end(), closing.start())
    if name == "script" and opened >= 0 and len(json_ld) < MAX_JSON_LD and \
            _LD_TYPE.search(text, element.end(), opened):
        json_ld.append(text[opened + 1:closing.start()])
    close = text.find(">", closing.end())
    return len(text) if close < 0 else close + 1
