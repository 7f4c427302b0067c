"""Automatic tagging: country, person and topic tags with their origin.

`Tagger.tag(article)` adds `auto` tags to what the source gave; when two
origins give the same value, the stronger origin (librarian > source > auto) is kept.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import ORIGIN_RANK, Article, Tag
from .labels import country_label, topic_label


class Tagger:
    def __init__(self, countries=None, persons=None, topics=None, learned=None):
        from .countries import CountryTagger
        from .persons import PersonTagger
        from .topics import TopicTagger

        self.countries = countries or CountryTagger()
        self.persons = persons or PersonTagger()
        self.topics = topics or TopicTagger()
        # A topic model learned from the curated tags (tagging.learned.TopicModel), or None.
        self.learned = learned

    @classmethod
    def from_vocabularies(cls, vocabularies: dict, learned=None) -> Tagger:
        """A tagger using edited vocabularies ({"persons": [...], "topics": [...]}) where given,
        and the learned topic model `learned` when there is one."""
        from .persons import PersonTagger
        from .topics import TopicTagger

        persons = vocabularies.get("persons")
        topics = vocabularies.get("topics")
        return cls(persons=PersonTagger(persons) if persons else None,
                   topics=TopicTagger(topics) if topics else None, learned=learned)

    def auto_tags(self, title: str, body: str) -> list[Tag]:
        tags = [Tag("country", c, country_label(c), "auto") for c in self.countries.tag(title, body)]
        tags += [Tag("person", p, p, "auto") for p in self.persons.tag(title, body)]
        tags += [Tag("topic", t, self.topic_label(t), "auto") for t in self.topic_values(title, body)]
        return tags

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
        """The label in this tagger's taxonomy (a librarian's new topic included)."""
        return topic_label(slug, topics=self.topics.labels)

    def tag(self, article: Article) -> Article:
        auto = self.auto_tags(article.title, article.body)
        given = [replace(t, label=self.topic_label(t.value)) if t.facet == "topic" else t
                 for t in complete_surnames(article.tags, auto)]
        article.tags = merge_tags(given + auto)
        return article


def complete_surnames(given: list[Tag], auto: list[Tag]) -> list[Tag]:
    """A surname-only person from the source ("Lyng") becomes the full name the article
    gives ("Richard Lyng"), keeping its origin, when exactly one full name ends with it."""
    full: dict[str, list[Tag]] = {}
    for tag in auto:
        if tag.facet == "person" and " " in tag.value:
            full.setdefault(tag.value.rsplit(" ", 1)[1].lower(), []).append(tag)
    out = []
    for tag in given:
        matches = full.get(tag.value.lower(), []) if tag.facet == "person" and " " not in tag.value else []
        if len(matches) == 1:
            tag = Tag("person", matches[0].value, matches[0].label, tag.origin)
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
