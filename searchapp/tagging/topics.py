"""Topic tagging from a weighted-keyword taxonomy.

The taxonomy is data (searchapp/data/topics.json by default): a list of topics,
each ``{"id", "label", "parent", "iptc", "rules"}`` where ``rules`` maps a term
to a weight. A term is one or more lowercase words; a word ending in ``*`` is a
prefix (``"election*"`` matches election, elections, electioneering). Words
are compared after the same tokenisation as the text, so ``"wi-fi"`` is the
phrase ``wi fi`` and ``"3g"`` is ``3 g``.

Scoring, per article:

* The text is scanned once. At each position the longest matching term wins
  (a phrase beats the single words inside it, an exact word beats a prefix, a
  longer prefix beats a shorter one), so ``"labour market"`` is not also
  counted as ``"labour"``. A weight of 0 therefore works as a stop-phrase.
* A term found ``n`` times in the body adds ``weight * (1 + ln n)``: repeats
  count, but breadth of evidence counts more. A term in the title adds
  ``weight * TITLE_BOOST`` on top.
* Each topic's score is its own plus its descendants'. Scores are divided by
  ``sqrt(1 + tokens / LENGTH_UNIT)`` so long articles need proportionally more
  evidence and a short headline-like text is not starved.
* Top-level branches are kept when they reach MIN_SCORE and a share of the
  best branch; inside a branch the best subtopics are followed down while they
  hold enough of the evidence. A text with no clear topic gets no tags.
* A topic with ``"assign_by_rules": false`` still scores (its evidence counts
  for its parent) but its rules never tag it on their own: it is given only as
  the ancestor of a subtopic that is tagged. Such topics are the ones whose rules
  stayed below the precision target on the labelled sample
  (tests/fixtures/topics/); the learned model and librarians tag them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "topics.json"

# Letters and digits are separate tokens: "5bn" -> 5, bn; "mp3" -> mp, 3.
_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def load_taxonomy(path=None) -> list[dict]:
    """Read a taxonomy file: a JSON list of topics, or an object with "topics"."""
    path = Path(path) if path is not None else DEFAULT_PATH
    data = json.loads(path.read_text(encoding="utf-8"))
    topics = data["topics"] if isinstance(data, dict) else data
    validate_taxonomy(topics)
    return topics


def validate_taxonomy(topics: list[dict]) -> None:
    """Raise ValueError on duplicate ids, unknown parents, cycles or bad rules."""
    ids = [t["id"] for t in topics]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate topic ids in taxonomy")
    by_id = {t["id"]: t for t in topics}
    for topic in topics:
        parent = topic.get("parent")
        if parent is not None and parent not in by_id:
            raise ValueError(f"topic {topic['id']!r} has unknown parent {parent!r}")
        for term, weight in (topic.get("rules") or {}).items():
            if not isinstance(weight, (int, float)) or isinstance(weight, bool):
                raise ValueError(f"topic {topic['id']!r}: weight of {term!r} is not a number")
            if not _parse_term(term):
                raise ValueError(f"topic {topic['id']!r}: term {term!r} has no words")
        if not isinstance(topic.get("assign_by_rules", True), bool):
            raise ValueError(f"topic {topic['id']!r}: assign_by_rules is not true or false")
    for topic in topics:
        _ancestors(topic["id"], by_id)  # raises on a cycle


def _ancestors(topic_id: str, by_id: dict[str, dict]) -> list[str]:
    """Parent, grandparent, ... of a topic (nearest first)."""
    chain: list[str] = []
    parent = by_id[topic_id].get("parent")
    while parent is not None:
        if parent == topic_id or parent in chain:
            raise ValueError(f"parent cycle through topic {topic_id!r}")
        chain.append(parent)
        parent = by_id[parent].get("parent")
    return chain


# --- rule compilation -------------------------------------------------------

@dataclass(frozen=True)
class _Rule:
    topic: int  # index into TopicTagger._ids
    weight: float
    words: tuple[tuple[str, bool], ...]  # (text, is_prefix) per token
    rank: tuple[int, float]  # longer and more specific terms win

    def matches_at(self, tokens: list[str], i: int) -> bool:
        if i + len(self.words) > len(tokens):
            return False
        for offset, (text, is_prefix) in enumerate(self.words):
            token = tokens[i + offset]
            if not (token.startswith(text) if is_prefix else token == text):
                return False
        return True


def _parse_term(term: str) -> tuple[tuple[str, bool], ...]:
    """'interest rate*' -> (('interest', False), ('rate', True))."""
    words = []
    for raw in term.lower().split():
        is_prefix = raw.endswith("*")
        parts = tokenize(raw)
        for k, part in enumerate(parts):
            words.append((part, is_prefix and k == len(parts) - 1))
    return tuple(words)


def _rank(words: tuple[tuple[str, bool], ...]) -> tuple[int, float]:
    # An exact word is more specific than a prefix of the same length.
    return len(words), sum(len(text) + (0.5 if not is_prefix else 0.0) for text, is_prefix in words)


class TopicTagger:
    """Tag an article with topic ids from a taxonomy (best first, parents included)."""

    TITLE_BOOST = 2.0  # extra weight of a term in the title
    LENGTH_UNIT = 100  # tokens; see module docstring
    MIN_SCORE = 3.0  # a top-level branch needs this much normalised evidence
    BRANCH_SHARE = 0.4  # further branches need this share of the best branch
    MAX_BRANCHES = 2
    MIN_SUB_SCORE = 2.0  # a subtopic needs this much evidence of its own
    SUB_SHARE = 0.25  # ... and this share of its parent's score
    SECOND_SUB_SHARE = 0.6  # a second sibling needs this share of the first
    MAX_TOPICS = 5

    def __init__(self, taxonomy: list[dict] | None = None):
        topics = load_taxonomy() if taxonomy is None else taxonomy
        validate_taxonomy(topics)
        self._ids = [t["id"] for t in topics]
        self.labels = {t["id"]: t["label"] for t in topics}  # what its tags are called
        self._index = index = {topic_id: k for k, topic_id in enumerate(self._ids)}
        self._parent = [index.get(t.get("parent")) if t.get("parent") is not None else None
                        for t in topics]
        self._children: list[list[int]] = [[] for _ in topics]
        for k, parent in enumerate(self._parent):
            if parent is not None:
                self._children[parent].append(k)
        self._roots = [k for k, parent in enumerate(self._parent) if parent is None]
        self._assigns = [t.get("assign_by_rules", True) for t in topics]
        self._compile(topics)

    def _compile(self, topics: list[dict]) -> None:
        # Rules are indexed by their first word: exact words in a dict, prefixes
        # in a dict keyed by the prefix, looked up with each prefix length.
        self._exact: dict[str, list[_Rule]] = {}
        self._prefix: dict[str, list[_Rule]] = {}
        for k, topic in enumerate(topics):
            for term, weight in (topic.get("rules") or {}).items():
                words = _parse_term(term)
                rule = _Rule(k, float(weight), words, _rank(words))
                first, is_prefix = words[0]
                table = self._prefix if is_prefix else self._exact
                table.setdefault(first, []).append(rule)
        self._prefix_lengths = sorted({len(p) for p in self._prefix}, reverse=True)

    def ancestors(self, topic_id: str) -> list[str]:
        """The broader topics of `topic_id`, nearest first (none for an unknown id)."""
        chain = []
        parent = self._parent[self._index[topic_id]] if topic_id in self._index else None
        while parent is not None:
            chain.append(self._ids[parent])
            parent = self._parent[parent]
        return chain

    # --- matching -----------------------------------------------------------

    def _candidates(self, token: str) -> list[_Rule]:
        found = list(self._exact.get(token, ()))
        for length in self._prefix_lengths:
            if length <= len(token):
                found.extend(self._prefix.get(token[:length], ()))
        return found

    def _match(self, tokens: list[str]) -> dict[_Rule, int]:
        """Occurrences of each rule, longest match first, no overlaps."""
        counts: dict[_Rule, int] = {}
        i = 0
        while i < len(tokens):
            best: list[_Rule] = []
            for rule in self._candidates(tokens[i]):
                if not rule.matches_at(tokens, i):
                    continue
                if not best or rule.rank > best[0].rank:
                    best = [rule]
                elif rule.rank == best[0].rank:
                    best.append(rule)
            if best:
                for rule in best:
                    counts[rule] = counts.get(rule, 0) + 1
                i += len(best[0].words)
            else:
                i += 1
        return counts

    # --- scoring ------------------------------------------------------------

    def _own_scores(self, title: str, body: str) -> list[float]:
        title_tokens = tokenize(title or "")
        body_tokens = tokenize(body or "")
        own = [0.0] * len(self._ids)
        for rule, n in self._match(body_tokens).items():
            own[rule.topic] += rule.weight * (1.0 + math.log(n))
        for rule in self._match(title_tokens):
            own[rule.topic] += rule.weight * self.TITLE_BOOST
        norm = math.sqrt(1.0 + (len(title_tokens) + len(body_tokens)) / self.LENGTH_UNIT)
        return [max(score, 0.0) / norm for score in own]

    def _totals(self, own: list[float]) -> list[float]:
        """Each topic's own score plus all its descendants'."""
        total = list(own)
        for k in range(len(total)):
            parent = self._parent[k]
            while parent is not None:
                total[parent] += own[k]
                parent = self._parent[parent]
        return total

    def score(self, title: str, body: str) -> dict[str, float]:
        """Normalised score of every topic with any evidence (descendants included)."""
        total = self._totals(self._own_scores(title, body))
        return {self._ids[k]: round(s, 3) for k, s in enumerate(total) if s > 0}

    def tag(self, title: str, body: str) -> list[str]:
        """Topic ids, best first; each subtopic is followed by its ancestors."""
        total = self._totals(self._own_scores(title, body))
        roots = sorted(self._roots, key=lambda k: total[k], reverse=True)
        if not roots or total[roots[0]] < self.MIN_SCORE:
            return []
        result: list[str] = []
        for root in roots[: self.MAX_BRANCHES]:
            if total[root] < max(self.MIN_SCORE, self.BRANCH_SHARE * total[roots[0]]):
                break
            for k in self._branch(root, total):
                if self._ids[k] not in result:
                    result.append(self._ids[k])
        return result[: self.MAX_TOPICS]

    def _branch(self, node: int, total: list[float]) -> list[int]:
        """Best descendants of a node (deepest first), then the node itself."""
        children = sorted(self._children[node], key=lambda k: total[k], reverse=True)
        chosen = [k for k in children[:2]
                  if total[k] >= max(self.MIN_SUB_SCORE, self.SUB_SHARE * total[node])]
        if len(chosen) == 2 and total[chosen[1]] < self.SECOND_SUB_SHARE * total[chosen[0]]:
            chosen = chosen[:1]
        order: list[int] = []
        for child in chosen:
            order.extend(self._branch(child, total))
        if order or self._assigns[node]:  # a tagged subtopic implies its broader topics
            order.append(node)
        return order
