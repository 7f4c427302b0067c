"""The article and tag records that flow from the readers to the index."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .facets import names as _facet_names

# The registered facets' names (see `searchapp.facets`, where a facet is declared).
FACETS = _facet_names()
# When two origins give the same facet value, the stronger one is kept.
ORIGIN_RANK = {"auto": 0, "source": 1, "librarian": 2}


@dataclass(frozen=True)
class Tag:
    facet: str  # a registered facet (FACETS) or date
    value: str  # ISO code, canonical name, topic id, publication, ISO date
    label: str  # English display label; the web layer localises country labels
    origin: str  # auto | source | librarian

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Article:
    id: str
    source: str  # file path, or path#N for story N of a multi-story file
    title: str
    body: str  # paragraphs separated by a blank line
    published: str | None = None  # ISO 8601 date or datetime; None = undated
    url: str | None = None
    byline: str | None = None
    language: str | None = None
    tags: list[Tag] = field(default_factory=list)
    # Who published it ("Reuters", "BBC News"): from the file, else the name given for its
    # folder (see `sources.publication_of`). Never a file path.
    publication: str | None = None
    # True when the source gave no title and `title` is the text's first sentence.
    title_derived: bool = False
    # The near-duplicate group (wire copies, repeats, lightly edited versions of one story):
    # the id of the group's first article, set at ingest (`duplicates.Groups`); None before.
    group: str | None = None

    def tag_values(self, facet: str) -> list[str]:
        return [t.value for t in self.tags if t.facet == facet]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["tags"] = [t.to_dict() for t in self.tags]
        if d["group"] is None:  # not grouped yet (grouping is done when indexing)
            del d["group"]
        return d
