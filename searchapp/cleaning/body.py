"""The article body of a parsed page, found readability-style.

The page's visible text is cut into blocks at block-level tags, skipping
page furniture. Blocks of 25+ characters give points to the elements just
above them (fewer the further up), so the element holding a run of real
paragraphs wins over a wrapper of many small teasers. Candidates are
discounted by their link density and weighted by their class/id words; the
winner is widened to sibling parts of the same article, and its blocks,
minus link lists and small widgets, are the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData

from .markup import all_tags, name_words, norm

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
_COMMAS = re.compile("[,\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c\u3001]")
# A furniture-named element holding this share of the page's text is taken
# to be a page wrapper with an unlucky name ("page has-sidebar").
_WRAPPER_SHARE = 0.75
_MIN_PARAGRAPH = 25
_MIN_BODY = 500


def _names_furniture(value) -> bool:
    words = name_words(value)
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
        words = name_words(value)
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
        text = norm("".join(parts))
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
                    link_chars += len(norm(str(node)))
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
    others = [{id(p) for p in node.parents} for score, node in ranked[1:5]
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
    scores = [candidates[id(e)][0] for e in all_tags(element) if id(e) in candidates]
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
        long_text = s.chars > 80 and s.link_density < 0.25
        if long_text or (s.chars <= 80 and s.link_chars == 0
                         and re.search(r"\.( |$)", norm(sibling.get_text(" ")))):
            chosen.append(sibling)
    return chosen


_LISTS = {"ul", "ol", "dl"}
_GROUP_TAGS = {"div", "section", "ul", "ol", "dl", "table", "form", "fieldset"}


def _unwanted_groups(container: Tag, stats: dict[int, _Stats], use_classes: bool) -> set[int]:
    """Sub-containers of the article that look like widgets: link lists,
    short labelled boxes, furniture-named parts (readability's "clean
    conditionally")."""
    dropped: set[int] = set()
    for element in (e for e in all_tags(container) if e.name in _GROUP_TAGS):
        s = stats.get(id(element))
        if s is None or s.commas >= 10:
            continue
        weight = _class_weight(element) if use_classes else 0
        is_list = element.name in _LISTS or s.list_chars > 0.9 * s.chars
        if _is_widget(s, weight, is_list):
            dropped.add(id(element))
    return dropped


def _is_widget(s: _Stats, weight: int, is_list: bool) -> bool:
    return ((weight < 0 and s.chars < 2000)  # a small furniture-named box
            or (not is_list and s.list_items > s.paragraphs + 100)  # a list in other tags
            or (not is_list and s.chars < _MIN_PARAGRAPH)  # a labelled scrap
            or (weight < 25 and s.link_density > 0.2 and not is_list)  # mostly links
            or s.link_density > 0.5)


def _keep_block(block: _Block, title: str) -> bool:
    return not (block.link_density > 0.5 or block.owner.name == "h1"
                or (title and block.text == title))


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
    elements = all_tags(soup.find("body") or soup)
    ld_words = set(re.findall(r"\w+", ld_body.lower())) if len(ld_body) >= 200 else None
    body = _extract_once(elements, True, ld_words, title)
    if len(body) >= _MIN_BODY:
        return body
    # Short: maybe a wrapper had a furniture-like name. Without class names
    # the page is judged by structure alone; keep that only if it finds much
    # more (a short article stays short either way).
    retry = _extract_once(elements, False, ld_words, title)
    return retry if len(retry) > 2 * len(body) else body
