"""Automatic tagging: a tag of every registered facet (searchapp.facets), with its origin.

`Tagger.tag(article)` adds `auto` tags to what the source gave; when two
origins give the same value, the stronger origin (librarian > source > auto) is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ..facets import REGISTRY, TextTagger
from ..model import ORIGIN_RANK, Article, Tag
from .labels import label


class Tagger:
    """The registered facets' taggers (`searchapp.facets`: each entry's `tagger` hook),
    built from the librarians' edited vocabularies where given ({"persons": [...],
    "topics": [...]}); `taggers` (facet -> tagger) replaces some of them."""

    def __init__(self, vocabularies: Mapping | None = None,
                 taggers: Mapping[str, TextTagger] | None = None, learned=None):
        vocabularies, given = vocabularies or {}, taggers or {}
        self.taggers: dict[str, TextTagger] = {}
        for f in REGISTRY:
            if f.tagger:
                self.taggers[f.name] = given.get(f.name) or f.tagger(vocabularies, self.taggers)
        # A topic model learned from the curated tags (tagging.learned.TopicModel), or None.
        self.learned = learned

    @classmethod
    def from_vocabularies(cls, vocabularies: dict, learned=None) -> Tagger:
        """A tagger using edited vocabularies ({"persons": [...], "topics": [...]}) where given,
        and the learned topic model `learned` when there is one."""
        return cls(vocabularies, learned=learned)

    # The taggers by their earlier names, for callers that read them.
    countries = property(lambda self: self.taggers["country"])
    persons = property(lambda self: self.taggers["person"])
    topics = property(lambda self: self.taggers["topic"])

    def auto_tags(self, title: str, body: str) -> list[Tag]:
        return [Tag(facet, value, self.label(facet, value), "auto")
                for facet in self.taggers for value in self.values(facet, title, body)]

    def values(self, facet: str, title: str, body: str) -> list[str]:
        if facet == "topic":
            return self.topic_values(title, body)
        return self.taggers[facet].tag(title, body)

    def article_tags(self, article: Article) -> list[Tag]:
        """What the article's own fields say (its publication is its source)."""
        return [Tag(f.name, value, self.label(f.name, value), "source")
                for f in REGISTRY if f.from_article for value in f.from_article(article)]

    def label(self, facet: str, value: str) -> str:
        """The English label, a topic's in this tagger's taxonomy (a librarian's new topic
        included)."""
        topics = getattr(self.taggers.get("topic"), "labels", None)
        return label(facet, value, topics=topics)

    def topic_values(self, title: str, body: str) -> list[str]:
        """Topic ids, best first: the model's for the concepts it learned (each followed by
        its broader concepts, as the rules give them), the rules' for the others."""
        ruled = self.topics.tag(title, body)
        if self.learned is None:
            return ruled
        # The model alone decides the concepts it learned: a broader concept it learned too
        # is not implied by a narrower one (money supply is not interest rates).
        known = set(self.learned.concepts)
        found: list[str] = []
        for concept, _confidence in self.learned.predict(title, body):
            found += [concept, *(a for a in self.topics.ancestors(concept) if a not in known)]
        found += [t for t in ruled if t not in known]
        return list(dict.fromkeys(found))

    def topic_label(self, slug: str) -> str:
        return self.label("topic", slug)

    def tag(self, article: Article) -> Article:
        auto = self.auto_tags(article.title, article.body)
        given = [replace(t, label=self.topic_label(t.value)) if t.facet == "topic" else t
                 for t in complete_surnames(article.tags, auto, lambda v: self.persons.canonical(
                     v, article.title, article.body))]
        article.tags = merge_tags(given + auto + self.article_tags(article))
        return article


def complete_surnames(given: list[Tag], auto: list[Tag],
                      canonical: Callable[[str], str] | None = None) -> list[Tag]:
    """A surname-only person from the source ("Lyng") becomes the full name the article
    gives ("Richard Lyng"), keeping its origin, when exactly one full name ends with it.
    `canonical` (the person tagger's, for this article) resolves the rest to the authority
    file's names: "Reagan" -> "Ronald Reagan", "George Schultz" -> "George Shultz"."""
    full: dict[str, list[Tag]] = {}
    for tag in auto:
        if tag.facet == "person" and " " in tag.value:
            full.setdefault(tag.value.rsplit(" ", 1)[1].lower(), []).append(tag)
    out = []
    for tag in given:
        matches = full.get(tag.value.lower(), []) if tag.facet == "person" and " " not in tag.value else []
        if len(matches) == 1:
            tag = Tag("person", matches[0].value, matches[0].label, tag.origin)
        elif tag.facet == "person" and canonical is not None:
            name = canonical(tag.value)
            tag = Tag("person", name, name, tag.origin)
        out.append(tag)
    return out


def merge_tags(tags: list[Tag]) -> list[Tag]:
    """One tag per (facet, value), keeping the strongest origin and the first-seen order."""
    best: dict[tuple[str, str], Tag] = {}
    for tag in tags:
        key = (tag.facet, tag.value)
        if key not in best or ORIGIN_RANK[tag.origin] > ORIGIN_RANK[best[key].origin]:
            best[key] = tag
    return list(best.values())
