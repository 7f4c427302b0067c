"""The fixed, seeded query mix shared by search_latency.py and load.py, and how one
query is asked of searchapp's API and of the peer (Datasette over SQLite FTS5).

Kinds: one word, two words, a quoted phrase, a long natural-language question.
Variants: plain, with facet filters, with facet filters and a date range.
The words are everyday news vocabulary written by hand; the filter values are common
ISO country codes, topic ids of the shipped taxonomy and names of the shipped
authority file.
"""

from __future__ import annotations

import random
import urllib.parse
from dataclasses import dataclass

from whoosh.analysis import STOP_WORDS  # the stop words searchapp's analyzer drops

KINDS = ("one-word", "two-word", "phrase", "question")
VARIANTS = ("plain", "facets", "facets+dates")
PER_PAGE = 20
FACET_SIZE = 10

ONE_WORD = ["oil", "bank", "election", "football", "inflation", "shares", "government", "tax",
            "minister", "dollar", "trade", "profit", "police", "music", "film", "internet",
            "strike", "court", "gold", "coffee", "wheat", "budget", "talks", "merger"]
TWO_WORDS = ["interest rates", "oil prices", "trade deficit", "central bank", "stock market",
             "prime minister", "football club", "mobile phones", "tax cuts", "share offer",
             "crude output", "film festival", "debt talks", "grain exports", "labour party",
             "net income", "bond yields", "election campaign", "record profits", "steel imports"]
PHRASES = ['"interest rates"', '"prime minister"', '"oil prices"', '"world cup"',
           '"bank of england"', '"united states"', '"trade surplus"', '"net profit"',
           '"general election"', '"chief executive"', '"federal reserve"', '"stock exchange"',
           '"per cent"', '"finance minister"', '"first quarter"', '"european union"']
QUESTIONS = [
    "what did the central bank say about interest rates and inflation",
    "why are oil prices rising after the opec meeting in vienna",
    "how will the government cut taxes for small companies next year",
    "who won the football match against the league champions on saturday",
    "when will the trade talks between japan and the united states resume",
    "which companies reported record profits in the first quarter",
    "what are the prospects for grain exports after the drought",
    "how did the stock market react to the election result",
    "why did the union call a strike at the car plant",
    "what is the outlook for coffee prices in brazil this season",
]
COUNTRIES = ["US", "GB", "JP", "DE", "FR", "CN", "RU", "CA", "AU", "IN", "BR", "IT"]
TOPICS = ["economy", "politics", "sport", "markets", "energy", "oil-gas", "diplomacy", "trade",
          "elections", "football", "commodities", "earnings", "crime", "health"]
PERSONS = ["Ronald Reagan", "Margaret Thatcher", "Barack Obama", "Donald Trump", "Tony Blair",
           "Vladimir Putin", "Angela Merkel", "Mikhail Gorbachev", "Bill Clinton", "Joe Biden"]


@dataclass(frozen=True)
class Query:
    kind: str
    variant: str
    q: str
    filters: tuple = ()  # (facet, value) pairs
    date_from: str = ""  # YYYY
    date_to: str = ""

    def label(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.filters)
        dates = f" {self.date_from}..{self.date_to}" if self.date_from else ""
        return f"[{self.kind}/{self.variant}] {self.q} {extra}{dates}".strip()


def query_mix(per_cell: int, seed: int, unique: bool = True,
              avoid: frozenset = frozenset()) -> list[Query]:
    """per_cell queries for each kind x variant, in a seeded shuffled order.

    With `unique`, no query repeats and none of `avoid` is drawn: searchapp caches
    results, so a repeated query would measure the cache, not the engine. A small pool
    (e.g. plain one-word queries) may then give fewer than per_cell queries.
    """
    rng = random.Random(f"queries-{seed}")
    pools = {"one-word": ONE_WORD, "two-word": TWO_WORDS, "phrase": PHRASES,
             "question": QUESTIONS}
    out, seen = [], set(avoid)
    for kind in KINDS:
        for variant in VARIANTS:
            drawn = 0
            for _ in range(per_cell * 20):
                if drawn == per_cell:
                    break
                query = _draw(rng, kind, variant, pools[kind])
                if unique and query in seen:
                    continue
                seen.add(query)
                out.append(query)
                drawn += 1
    rng.shuffle(out)
    return out


def _draw(rng: random.Random, kind: str, variant: str, pool: list[str]) -> Query:
    q, filters, start, end = rng.choice(pool), (), "", ""
    if variant != "plain":
        facets = rng.choice([("country",), ("topic",), ("country", "topic"), ("person",)])
        values = {"country": COUNTRIES, "topic": TOPICS, "person": PERSONS}
        filters = tuple((facet, rng.choice(values[facet])) for facet in facets)
    if variant == "facets+dates":
        first = rng.randrange(1987, 2024)
        start, end = str(first), str(min(2025, first + rng.choice((1, 3, 5, 10))))
    return Query(kind, variant, q, filters, start, end)


# -- searchapp ---------------------------------------------------------------------------


def searchapp_path(query: Query) -> str:
    params = [("q", query.q), ("per_page", str(PER_PAGE))]
    params += list(query.filters)
    if query.date_from:
        params += [("from", query.date_from), ("to", query.date_to)]
    return "/api/search?" + urllib.parse.urlencode(params)


# -- the peer: Datasette ------------------------------------------------------------------
# One answer needs two requests: the table view gives the count and the facets (it does
# not rank), the canned query `search` gives the top hits by FTS5 rank with snippet().

SNIPPET_SQL = """
select a.id, a.title, a.published, a.url,
       snippet(articles_fts, 1, '<mark>', '</mark>', ' … ', 40) as snippet
from articles_fts join articles a on a.rowid = articles_fts.rowid
where articles_fts match :q
  and (:country = '' or exists (select 1 from json_each(a.country) where value = :country))
  and (:person = '' or exists (select 1 from json_each(a.person) where value = :person))
  and (:topic = '' or exists (select 1 from json_each(a.topic) where value = :topic))
  and (:date_from = '' or a.published >= :date_from)
  and (:date_to = '' or a.published <= :date_to)
order by rank
limit 20
"""


def fts_query(query: Query) -> str:
    """FTS5 syntax with the same meaning as searchapp's: words are AND'ed, a question's
    words OR'ed (and ranked), a phrase is a phrase."""
    if query.kind == "question":
        return " OR ".join(f'"{w}"' for w in query.q.split() if w not in STOP_WORDS)
    if query.kind == "phrase":
        return query.q
    return " ".join(f'"{w}"' for w in query.q.split())


def peer_date_bounds(query: Query) -> tuple[str, str]:
    if not query.date_from:
        return "", ""
    return f"{query.date_from}-01-01", f"{query.date_to}-12-31T99"


def peer_paths(query: Query, db: str = "archive") -> list[str]:
    match = fts_query(query)
    date_from, date_to = peer_date_bounds(query)
    table = [("_search", match), ("_searchmode", "raw"), ("_size", "1"),
             ("_facet_array", "country"), ("_facet_array", "person"),
             ("_facet_array", "topic"), ("_facet", "year")]
    table += [(f"{facet}__arraycontains", value) for facet, value in query.filters]
    if date_from:
        table += [("published__gte", date_from), ("published__lte", date_to)]
    chosen = dict(query.filters)
    canned = [("q", match), ("country", chosen.get("country", "")),
              ("person", chosen.get("person", "")), ("topic", chosen.get("topic", "")),
              ("date_from", date_from), ("date_to", date_to), ("_shape", "objects")]
    return [f"/{db}/articles.json?" + urllib.parse.urlencode(table),
            f"/{db}/search.json?" + urllib.parse.urlencode(canned)]
