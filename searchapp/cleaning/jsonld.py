"""The page's JSON-LD (schema.org) objects: the structured data a publisher gives
about its article, read before the markup because it is the most reliable."""

from __future__ import annotations

import json

_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                  "blogposting", "socialmediaposting", "liveblogposting", "techarticle",
                  "scholarlyarticle", "report", "review", "webpage", "creativework"}


def json_ld_objects(texts: list[str]) -> list[dict]:
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


def ld_first(ld: list[dict], key: str, max_rank: int = 1):
    for obj in ld:
        if _ld_rank(obj) <= max_rank and obj.get(key):
            return obj[key]
    return None


def ld_article_body(ld: list[dict]) -> str:
    body = ld_first(ld, "articleBody", max_rank=1)
    return body if isinstance(body, str) else ""


def ld_names(value) -> list[str]:
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
