"""Snippets as a reader sees them: the passages never repeat a stretch of the article."""

import re

from searchapp.search.whoosh.highlight import highlighter
from searchapp.search.whoosh.snippets import BETWEEN, snippet


def _clustered_article() -> str:
    # "oil" every 14 words among words that occur once each: the matches fall into
    # neighbouring passages whose context used to overlap.
    words = []
    for i in range(120):
        words.append("oil" if i % 14 == 0 else f"w{i}")
    return " ".join(words)


def _words(fragment: str) -> list[str]:
    return re.sub(r"</?mark>", "", fragment).replace("…", " ").split()


def test_passages_never_repeat_a_stretch_of_the_article():
    text = snippet(_clustered_article(), highlighter("oil"))
    fragments = text.split(BETWEEN.strip())
    assert "<mark>oil</mark>" in text
    seen: set[str] = set()
    for fragment in fragments:
        unique = {w for w in _words(fragment) if w != "oil"}
        assert not unique & seen, f"repeated text: {sorted(unique & seen)}"
        seen |= unique
