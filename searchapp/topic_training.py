"""Training the topic model from the archive (`searchapp topics learn`), and the suggestions
it leaves for librarians.

The examples are the index's articles with their curated tags (the tags as shown, so merges
and deletions hold) and the librarians' removals of topics from the database. Source values
that are not taxonomy ids go through the crosswalk (Reuters' "earn" -> the earnings concept);
a value that maps to nothing teaches nothing.

After training, the articles whose confidence for a topic is near the threshold, and whose
topic nobody curated, become suggestions (table topic_suggestions): accepted, the topic is a
librarian's tag; rejected, a librarian's removal. Both are curated, so the next training
learns from them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .crosswalk import Crosswalk, split_source_code
from .curation import Curator, vocabulary_in_effect
from .db import db_path, transaction
from .model import Article
from .search import SearchEngine, SearchRequest
from .tagging.learned import MODEL_FILE, TopicModel, examples_from, save_model, train

# Suggestions kept after a training: the closest to the threshold first. A librarian reviews
# a few dozen at a time; more would only be replaced by the next training.
MAX_SUGGESTIONS = 1000
SCORE_BATCH = 500  # articles scored at once: bounded memory, vectorised speed


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    value: str
    confidence: float
    assigned: bool  # the model tags it at ingest (confidence at or above its threshold)


def model_path(instance_dir: str | os.PathLike | None = None) -> Path:
    """Where the model lives: the instance folder (SEARCHAPP_INSTANCE, default ./instance)."""
    return db_path(instance_dir).parent / MODEL_FILE


def installed_model_path(instance_dir: str | os.PathLike | None = None) -> Path | None:
    """The instance folder's model file if there is one (not yet checked)."""
    path = model_path(instance_dir)
    return path if path.is_file() else None


def index_articles(engine: SearchEngine) -> Iterator[Article]:
    for article_id in engine.ids_for(SearchRequest()):
        article = engine.get(article_id)
        if article is not None:
            yield article


def removed_topics(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Article id -> the topics a librarian removed from it."""
    removed: dict[str, set[str]] = {}
    for row in conn.execute("SELECT article_id, value FROM tag_edits "
                            "WHERE facet = 'topic' AND state = 'removed'"):
        removed.setdefault(row["article_id"], set()).add(row["value"])
    return removed


def concept_mapper(conn: sqlite3.Connection) -> Callable[[Article, str], str | None]:
    """(article, curated topic value) -> taxonomy concept id, or None when it has none.
    The index shows sources' codes mapped already; a code kept as given (`reuters:earn`) is
    mapped here the same way."""
    known = {t["id"] for t in vocabulary_in_effect(conn, "topics")}
    crosswalk = Crosswalk.load(conn)

    def to_concept(article: Article, value: str) -> str | None:
        if value in known:
            return value
        code = split_source_code(value, crosswalk.sources)
        return crosswalk.map(code[0], "topic", code[1]) if code else None

    return to_concept


def learn(engine: SearchEngine, conn: sqlite3.Connection, instance_dir=None,
          progress: Callable[[str], None] | None = None) -> TopicModel:
    """Train on the archive's curated topics, save the model, store new suggestions."""
    articles = list(index_articles(engine))
    removed = removed_topics(conn)
    to_concept = concept_mapper(conn)
    model = train(examples_from(articles, to_concept, removed), progress=progress)
    save_model(model, model_path(instance_dir))
    if progress:
        progress(f"looking for unsure topics in {len(articles)} articles")
    store_suggestions(conn, unsure_topics(model, articles, to_concept, removed))
    return model


def unsure_topics(model: TopicModel, articles: list[Article],
                  to_concept: Callable[[Article, str], str | None],
                  removed: dict[str, set[str]]) -> list[Suggestion]:
    """Topics near the model's threshold that no librarian or source decided."""
    found = []
    for start in range(0, len(articles), SCORE_BATCH):
        batch = articles[start:start + SCORE_BATCH]
        scores = model.confidences_many([(a.title, a.body) for a in batch])
        for article, confidences in zip(batch, scores, strict=True):
            decided = removed.get(article.id, set()) | {
                to_concept(article, t.value) for t in article.tags
                if t.facet == "topic" and t.origin != "auto"}
            found += [Suggestion(article.id, c, p, p >= model.threshold)
                      for c, p in model.unsure(confidences).items() if c not in decided]
    found.sort(key=lambda s: abs(s.confidence - model.threshold))
    return found[:MAX_SUGGESTIONS]


def store_suggestions(conn: sqlite3.Connection, suggestions: list[Suggestion]) -> None:
    """Replace the stored suggestions: a new model has new doubts."""
    with transaction(conn):
        conn.execute("DELETE FROM topic_suggestions")
        conn.executemany("INSERT INTO topic_suggestions VALUES (?, ?, ?, ?)",
                         [(s.article_id, s.value, s.confidence, int(s.assigned))
                          for s in suggestions])


def suggestions(conn: sqlite3.Connection, limit: int = 50) -> list[Suggestion]:
    """The open suggestions, the most uncertain first (the order they were stored in)."""
    rows = conn.execute("SELECT * FROM topic_suggestions ORDER BY rowid LIMIT ?", (limit,))
    return [Suggestion(r["article_id"], r["value"], r["confidence"], bool(r["assigned"]))
            for r in rows]


def count_suggestions(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM topic_suggestions").fetchone()[0]


def decide(curator: Curator, user_id: int, article_id: str, value: str, accept: bool) -> dict:
    """Accept (a librarian's tag) or reject (a librarian's removal) one suggestion; audited
    as any tag edit. The suggestion goes either way."""
    if accept:
        result = curator.add_tag(user_id, article_id, "topic", value)
    else:
        result = curator.remove_tag(user_id, article_id, "topic", value)
    with transaction(curator.conn):
        curator.conn.execute("DELETE FROM topic_suggestions WHERE article_id = ? AND value = ?",
                             (article_id, value))
    return result
