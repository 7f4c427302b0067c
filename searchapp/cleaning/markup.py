"""Small helpers over the parsed page, shared by the metadata and the body readers."""

from __future__ import annotations

import re

from bs4 import Tag

_CAMEL = re.compile(r"([a-z])([A-Z])")


def all_tags(root: Tag) -> list[Tag]:
    """The root and every element under it, in document order."""
    return [root, *(node for node in root.descendants if isinstance(node, Tag))]


def norm(text: str) -> str:
    return " ".join(text.split())


def name_words(value) -> list[str]:
    """The words of a class or id value, split on punctuation and camelCase."""
    if isinstance(value, list):
        value = " ".join(value)
    if not isinstance(value, str) or not value:
        return []
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(r"\1 \2", value).lower()) if w]
