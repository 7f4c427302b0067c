"""The facets: one declaration per facet, registered in one place, read by every layer.

A facet is a kind of tag an article carries and a reader filters on (country, person, topic,
organisation, source). Its entry says everything the layers need to know about it: its
names for the reader (marked for translation, translated where shown), how a value given by a
source or a librarian becomes the value the index holds, what a value is called, what finds
its values in the text, how it is written in a query (`person:reagan`), as a URL parameter
and a command-line flag, and what the API says about it. The model, the engine, the web layer,
the OpenAPI document and the command line list the facets from `REGISTRY`, so adding a
facet is adding an entry here (and its translations).

Engine-neutral and web-neutral: no Flask, no Whoosh. The functions of the entries import the
tagging modules when first called, because `model` imports this module and the tagging
package imports `model`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .model import Article

Translate = Callable[[str], str]


def N_(text: str) -> str:
    """Marks a message for translation; it is translated where it is shown."""
    return text


class TextTagger(Protocol):
    """Finds a facet's values in an article's text (canonical values, best first)."""

    def tag(self, title: str, body: str) -> list[str]: ...


def _as_is(text: str) -> str:
    return text


def _spaced(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().strip(",").strip()


# -- what a value is called (the label functions) ----------------------------------------


def _value_label(value: str, locale: str = "en", translate: Translate = _as_is,
                 topics: Mapping[str, str] | None = None) -> str:
    """Names are their own label."""
    return value


def _country_label(value: str, locale: str = "en", translate: Translate = _as_is,
                   topics: Mapping[str, str] | None = None) -> str:
    from .tagging.labels import country_label

    return country_label(value, locale)


def _topic_label(value: str, locale: str = "en", translate: Translate = _as_is,
                 topics: Mapping[str, str] | None = None) -> str:
    from .tagging.labels import topic_label

    return topic_label(value, translate, topics)


# -- a value as given (by a source, a librarian) -> (value held, English label) -----------


def _country_value(value: str) -> tuple[str, str] | None:
    from .tagging.labels import country_label
    from .tagging.normalize import resolve_country

    code = resolve_country(value)
    return (code, country_label(code)) if code else None


def _person_value(value: str) -> tuple[str, str] | None:
    from .tagging.normalize import person_name

    name = person_name(value)
    return name, name


def _topic_value(value: str) -> tuple[str, str] | None:
    from .tagging.labels import topic_label

    slug = value.lower().replace(" ", "-")
    return slug, topic_label(slug)


def _organisation_value(value: str) -> tuple[str, str] | None:
    from .tagging.normalize import organisation_name

    name = organisation_name(value)
    return name, name


def _name_value(value: str) -> tuple[str, str] | None:
    return value, value


# -- what finds the values (the tagger hooks) ----------------------------------------------


def _country_tagger(vocabularies: Mapping, built: Mapping) -> TextTagger:
    from .tagging.countries import CountryTagger

    return CountryTagger()


def _person_tagger(vocabularies: Mapping, built: Mapping) -> TextTagger:
    from .tagging.persons import PersonTagger

    return PersonTagger(vocabularies.get("persons") or None)


def _topic_tagger(vocabularies: Mapping, built: Mapping) -> TextTagger:
    from .tagging.topics import TopicTagger

    return TopicTagger(vocabularies.get("topics") or None)


def _organisation_tagger(vocabularies: Mapping, built: Mapping) -> TextTagger:
    from .tagging.organisations import OrganisationTagger

    # The person tagger's reading of a story tells its firms apart: sharing it reads once.
    return OrganisationTagger(persons=built.get("person"))


def _publication(article: Article) -> list[str]:
    return [article.publication] if article.publication else []


def _upper(value: str) -> str:
    return value.upper()


@dataclass(frozen=True)
class Facet:
    """One facet. `name` is its tag facet, index field, query field (`name:`), URL
    parameter (`name=`, `not_name=`, `find_name=`) and API name."""

    name: str
    singular: str  # N_-marked: "Person"
    plural: str  # N_-marked: "People"
    add_label: str  # N_-marked: what a librarian's add form says ("Add a person")
    placeholder: str  # N_-marked: the add form's hint ("Full name")
    filter_help: str  # the API's and the command line's text for the filter parameter
    find_help: str  # the API's text for `find_<name>`
    query_example: str  # a value as written after `name:` in a query
    cli_flag: str  # `searchapp search` option: "--person"
    # (value, locale, translate, topics) -> what the reader sees the value called.
    label: Callable[..., str] = _value_label
    # A value as given by a source or a librarian -> (value held, English label), or None.
    normalise: Callable[[str], tuple[str, str] | None] = _name_value
    # A value as written in a URL or on the command line -> as the index holds it.
    index_form: Callable[[str], str] = _as_is
    # vocabularies -> what finds the facet's values in an article's text (None: nothing).
    # (vocabularies, the taggers of the facets registered before) -> this facet's tagger
    tagger: Callable[[Mapping, Mapping], TextTagger] | None = None
    # The values an article's own fields give (origin `source`), e.g. its publication.
    from_article: Callable[[Article], list[str]] | None = None
    # Listed among a result's tags (the source is shown as the result's publication instead).
    in_hit_tags: bool = True

    @property
    def not_param(self) -> str:
        return f"not_{self.name}"

    @property
    def find_param(self) -> str:
        return f"find_{self.name}"

    @property
    def cli_dest(self) -> str:
        return self.cli_flag.removeprefix("--").replace("-", "_")


REGISTRY: tuple[Facet, ...] = (
    Facet("country", N_("Country"), N_("Countries"), N_("Add a country"),
          N_("Country name or ISO code"),
          "ISO 3166 country code; repeat to OR values.",
          "Only country values whose name or code contains this text.", "RU", "--country",
          label=_country_label, normalise=_country_value, index_form=_upper,
          tagger=_country_tagger),
    Facet("person", N_("Person"), N_("People"), N_("Add a person"), N_("Full name"),
          "Person name; repeat to OR values.", "Only person values containing this text.",
          '"Sergey Lavrov"', "--person", normalise=_person_value, tagger=_person_tagger),
    Facet("topic", N_("Topic"), N_("Topics"), N_("Add a topic"), N_("Topic"),
          "Topic id; repeat to OR values.",
          "Only topic values whose name or id contains this text.", "diplomacy", "--topic",
          label=_topic_label, normalise=_topic_value, tagger=_topic_tagger),
    Facet("organisation", N_("Organisation"), N_("Organisations"), N_("Add an organisation"),
          N_("Name of the company, body or party"),
          "Organisation name (a company, bank, agency, party, exchange); repeat to OR values.",
          "Only organisation values containing this text.", "opec", "--organisation",
          normalise=_organisation_value, tagger=_organisation_tagger),
    # The publication ("Reuters", "BBC News"). The command-line flag is --publication:
    # `searchapp index --source NAME` already names the publication of a folder being added.
    Facet("source", N_("Source"), N_("Sources"), N_("Add a source"), N_("Publication name"),
          "Publication (\"Reuters\", a site's name); repeat to OR values.",
          "Only source values containing this text.", '"bbc news"', "--publication",
          from_article=_publication, in_hit_tags=False),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in REGISTRY}


def names() -> tuple[str, ...]:
    """The registered facets' names, in the order pages and the API list them."""
    return tuple(f.name for f in REGISTRY)


def facet(name: str) -> Facet:
    """The entry of a registered facet (KeyError for any other name)."""
    return BY_NAME[name]
