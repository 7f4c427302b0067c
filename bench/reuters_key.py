"""Reuters-21578 stories as searchapp's reader gives them, with the librarians' own
annotations (PLACES, PEOPLE, TOPICS) beside them, raw, as the answer key.

The text comes from `searchapp.readers`, so the taggers are measured on exactly what
ingest feeds them; the annotations are read straight from the SGML, so the answer key
is untouched by anything in the product.
"""

from __future__ import annotations

import html
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from searchapp.readers import ReadError, read_file  # noqa: E402

_STORY = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)


@dataclass
class KeyedStory:
    newid: str
    title: str
    body: str
    places: list[str]
    people: list[str]
    topics: list[str]


def corpora_dir() -> Path:
    env = os.environ.get("SEARCHAPP_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


def _values(name: str, sgml: str) -> list[str]:
    m = re.search(rf"<{name}>(.*?)</{name}>", sgml, re.S)
    return [html.unescape(v) for v in re.findall(r"<D>(.*?)</D>", m.group(1))] if m else []


def answer_key(path: Path) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """NEWID -> (PLACES, PEOPLE, TOPICS) exactly as the file gives them."""
    key = {}
    for m in _STORY.finditer(path.read_text(encoding="latin-1")):
        newid = re.search(r'NEWID="(\d+)"', m.group(1)).group(1)
        sgml = m.group(2)
        key[newid] = (_values("PLACES", sgml), _values("PEOPLE", sgml), _values("TOPICS", sgml))
    return key


def load_stories(folder: Path) -> list[KeyedStory]:
    return [story for path in sorted(folder.glob("reut2-*.sgm")) for story in stories_in(path)]


def stories_in(path: Path) -> list[KeyedStory]:
    key = answer_key(path)
    stories = []
    for item in read_file(path, f"reuters/{path.name}", str(path)):
        if isinstance(item, ReadError):
            continue
        newid = item.source.rsplit("#", 1)[1]
        places, people, topics = key[newid]
        stories.append(KeyedStory(newid, item.title, item.body, places, people, topics))
    return stories
