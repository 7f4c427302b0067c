"""A SearchRequest as Solr request parameters, and Solr's answer as a SearchResult.

- The query: the engine-neutral policy (`..query`) checks the text and decides how plain
  words match; edismax runs it. A plain query is its distinct words, each boosted by its
  repetition, with `mm` (minimum should match) the number of words the policy asks for.
  Any other query is edismax's syntax with AND between words (`q.op`), phrases sent to
  the exact-words field, facet values resolved to what the index holds; edismax's `uf`
  allows only the public fields (facet names are aliases of their `_facet` fields).
- Filters: each facet's selection is a tagged filter query (`{!tag=f_country}`), which
  that facet's counts exclude (`excludeTags`): OR within a facet, AND across facets, each
  facet counted without its own selection. Exclusions and the date range are filters too.
- Counts: JSON Facet API terms facets (refined across shards, with their number of
  values), query facets for selected values past the limit, and a range facet on the
  publication date with a +1YEAR, +1MONTH or +1DAY gap; undated articles are a query facet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ...model import FACETS
from .. import UNDATED, FacetCount, Hit, Match, SearchRequest, SearchResult, facet_value
from .. import query as policy
from ..lexicon import KNOWN_RATIO, MIN_KNOWN_LENGTH
from ..marking import escape
from .analysis import plain_words
from .documents import STORED, facet_field, tags_of

SNIPPET_CHARS = 240  # a passage of a snippet, about (hl.fragsize in solrconfig.xml)
COLLAPSE = "versions"  # the tag of the collapse filter, which the counts leave out
GAPS = {"year": "+1YEAR", "month": "+1MONTH", "day": "+1DAY"}
# Past this many milliseconds a shard stops searching; a partial answer is refused.
TIME_ALLOWED_MS = 8000
FIELDS = ",".join(STORED)
# A fuzzy word (`word~`, `word~2`, `word~2/3`), not a phrase's proximity (`"a b"~3`).
_FUZZY = re.compile(r'(?<!["\w])(\w+)~(\d*)(?:/(\d+))?')
_WILDCARD = re.compile(r'(?<![\w"])(?:(\w+):)?([\w.]*[*?][\w.*?]*)')
_PUBLISHED = re.compile(r"\bpublished:(\S*)")
_PUBLISHED_CLAUSE = re.compile(r"(?:\bNOT\s+|(?<!\S)-)?\bpublished:(?:\[[^\]]*\]|\S+)")
_DATE = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?)?")
_RANGE_TO = re.compile(r"(\[[^\]]*?)\bto\b")
# Free words: looked up for "did you mean" (not operators, field values, wildcards, fuzzy words).
FREE_WORD = re.compile(r"(?<![:\w*?~/])(?!(?:AND|OR|NOT|TO)\b)[^\W\d_]{3,}(?![:\w*?~])")


@dataclass
class Query:
    """The request's query as Solr parameters, and how its words match (None: browsing)."""
    params: dict
    match: Match | None
    words: bool = True  # the query looks for words of the text (snippets, suggestions)
    spell: list[str] = field(default_factory=list)


# -- the query -------------------------------------------------------------------------


def user_query(text: str, all_words: bool, plan: Callable[[list[str]], tuple[int, int]],
               held) -> Query:
    """`plan(words)`: (how many of the words the archive holds, articles with every one);
    `held(facet)`: the values the index holds."""
    text = text.strip()
    if policy.browses_all(text):
        return Query({"q": "*:*", "defType": "lucene"}, None, words=False)
    policy.check_syntax(text)
    spell = FREE_WORD.findall(text)
    if policy.is_plain(text):
        return plain_query(text, all_words, plan, spell)
    refuse(text)
    parsed = and_before_or(_RANGE_TO.sub(r"\1TO", policy.for_parser(text, held)))
    return Query({"q": parsed, **field_params()}, Match(policy.OPERATORS), spell=spell)


# A query's parts for `and_before_or`: parentheses, the two operators, and whole terms (a
# phrase, a range, a field's value or group, a word); anything else leaves the query as is.
_PART = re.compile(r'\s*(\(|\)|\bAND\b|\bOR\b|(?:[\w.]+:)?(?:"[^"]*"(?:~\d+)?|\[[^\]]*\]'
                   r'|\([^()]*\)|[^\s()"]+))')


def and_before_or(q: str) -> str:
    """The query's operators bound as the Whoosh engine binds them, made explicit with
    parentheses: AND before OR, OR before words merely side by side (`a b OR c` is
    `a AND (b OR c)`; `a AND b OR c` is `(a AND b) OR c`). Lucene's parsers would make `a`
    required and `b`, `c` optional. Only queries of terms, AND, OR and parentheses are
    rewritten; with NOT or a sign the query is left as written."""
    parts = _PART.findall(q)
    if "".join(parts).replace(" ", "") != q.replace(" ", "") or "OR" not in parts \
            or any(p == "NOT" or p[:1] in "-+" for p in parts):
        return q
    tree, rest = _side_by_side(parts)
    return q if rest else tree


def _joined(terms: list[str], operator: str) -> str:
    return terms[0] if len(terms) == 1 else f"({f' {operator} '.join(terms)})"


def _side_by_side(parts: list[str]) -> tuple[str, list[str]]:
    terms, rest = [], parts
    while rest and rest[0] != ")":
        term, rest = _any_of(rest)
        terms.append(term)
    return _joined(terms, "AND"), rest


def _any_of(parts: list[str]) -> tuple[str, list[str]]:
    return _chained(parts, "OR", _all_of)


def _all_of(parts: list[str]) -> tuple[str, list[str]]:
    return _chained(parts, "AND", _one)


def _chained(parts: list[str], operator: str, term_at) -> tuple[str, list[str]]:
    """Terms read by `term_at` joined by `operator`, as long as the operator follows."""
    terms, rest = [], parts
    while True:
        term, rest = term_at(rest)
        terms.append(term)
        if not rest or rest[0] != operator:
            return _joined(terms, operator), rest
        rest = rest[1:]


def _one(parts: list[str]) -> tuple[str, list[str]]:
    if parts and parts[0] == "(":
        inner, rest = _side_by_side(parts[1:])
        return f"({inner})" if not inner.startswith("(") else inner, rest[1:]
    if not parts or parts[0] in ("AND", "OR", ")"):
        return "", parts  # an operator without a term: check_syntax refuses such queries
    return parts[0], parts[1:]


def field_params() -> dict:
    """edismax's public fields (`uf`) and each facet name as an alias of its field: read
    from the registered facets, so that a new facet needs no change to the configset."""
    aliases = {f"f.{facet}.qf": facet_field(facet) for facet in FACETS}
    return {"uf": " ".join(("exact", *policy.QUERY_FIELDS)), **aliases}


def plain_query(text: str, all_words: bool, plan, spell: list[str]) -> Query:
    pairs, question = plain_words(text)
    if not pairs:  # only words the fields drop
        return Query({"q": "-*:*", "defType": "lucene"}, Match(policy.ALL), words=False,
                     spell=spell)
    weights = policy.query_weights([term for _w, term in pairs])
    written: dict[str, str] = {}
    for word, term in pairs:
        written.setdefault(term, word)
    words = [written[term] for term in weights]
    present, with_all = plan(words)
    match = policy.plan_match(len(words), present, with_all, question, all_words)
    q = " ".join(f"{word}^{weights[term]:.4f}" for term, word in zip(weights, words))
    # q.op=OR: with AND every word would be required whatever `mm` says.
    return Query({"q": q, "q.op": "OR", "mm": str(match.at_least)}, match, spell=spell)


def plan_facets(words: list[str]) -> dict:
    """The JSON facets that count, over the whole archive, the articles holding each word
    and those holding all of them."""
    clauses = [f"(title:{w} OR body:{w})" for w in words]
    facets = {f"w{n}": {"type": "query", "q": c} for n, c in enumerate(clauses)}
    facets["all"] = {"type": "query", "q": " AND ".join(clauses)}
    return facets


def refuse(text: str) -> None:
    """What the policy refuses in the text and edismax would run anyway: too many fuzzy
    edits, one-letter wildcards, `body:*`, anything but dates on `published`."""
    for m in _FUZZY.finditer(text):
        policy.check_fuzzy(m.group(1), int(m.group(2) or 1), int(m.group(3) or 0))
    for m in _WILDCARD.finditer(text):
        field_name, pattern = m.group(1), m.group(2)
        if pattern.strip("*?") == "" and (field_name or "body") in ("title", "body", "exact"):
            raise policy.matches_everything(field_name or "body")
        policy.wildcard_stem(pattern, m.group(0))
    for m in _PUBLISHED.finditer(text):
        value = m.group(1)
        if not (value.startswith("[") or _DATE.fullmatch(value.rstrip(")"))):
            raise policy.published_needs_a_date()


def without_prefix_lengths(text: str) -> str:
    """`word~2/3` as edismax reads it (`word~2`): Lucene's syntax has no kept prefix."""
    return _FUZZY.sub(lambda m: f"{m.group(1)}~{m.group(2)}", text)


# -- filters, counts, order --------------------------------------------------------------


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(facet: str, values) -> str:
    chosen = [quoted(facet_value(facet, v)) for v in values if v]
    return f"{facet_field(facet)}:({' OR '.join(chosen)})"


def filters(request: SearchRequest) -> list[str]:
    fq = []
    for facet in FACETS:
        if any(request.filters.get(facet, ())):
            fq.append(f"{{!tag=f_{facet}}}{any_of(facet, request.filters[facet])}")
        if any(request.exclude.get(facet, ())):
            fq.append(f"-{any_of(facet, request.exclude[facet])}")
    if request.date_from or request.date_to:
        lo = request.date_from.strftime("%Y%m%d") if request.date_from else "*"
        hi = request.date_to.strftime("%Y%m%d") if request.date_to else "*"
        dated = f"day:[{lo} TO {hi}]"
        fq.append(f"({dated} OR undated:true)" if request.include_undated else dated)
    if request.group:
        fq.append(f"group:{quoted(request.group)}")
    return fq


def collapsed(request: SearchRequest, scored: bool) -> dict:
    """One hit per near-duplicate group: the first of its versions in the request's order
    (Solr's collapse filter; the counts leave it out, so they count articles), and how many
    other versions match (`expand`)."""
    if not request.group_versions or request.group:
        return {}
    order = sort(request, scored).replace(",id asc", "")
    head = "" if order == "score desc" else f" sort='{order}'"
    return {"fq": [f"{{!collapse tag={COLLAPSE} field=group{head}}}"], "expand": "true",
            "expand.rows": 0}


def facets(request: SearchRequest, span: tuple[date, date] | None) -> dict:
    out: dict = {}
    for facet in FACETS:
        own = [f"f_{facet}"] if any(request.filters.get(facet, ())) else []
        domain = {"excludeTags": [*own, COLLAPSE]}
        out[facet] = {"type": "terms", "field": facet_field(facet), "mincount": 1,
                      "limit": request.facet_limit or -1, "numBuckets": True, "refine": True,
                      "domain": domain}
        for n, value in enumerate(v for v in request.filters.get(facet, ()) if v):
            out[f"{facet}.{n}"] = {"type": "query", "q": any_of(facet, [value]),
                                   "domain": domain}
    out[UNDATED] = {"type": "query", "q": "undated:true", "domain": {"excludeTags": [COLLAPSE]}}
    if span:
        start, end = span
        out["dates"] = {"type": "range", "field": "published_dt", "gap": GAPS[request.date_granularity],
                        "start": f"{start.isoformat()}T00:00:00Z",
                        "end": f"{end.isoformat()}T00:00:00Z",
                        "domain": {"excludeTags": [COLLAPSE]}}
    return out


def span(request: SearchRequest, lowest: int | None, highest: int | None) -> tuple[date, date] | None:
    """The histogram's first and last bucket bounds: the request's dates, else the dated
    articles' (`lowest`, `highest`: yyyymmdd), widened to whole buckets."""
    first = request.date_from or (_day(lowest) if lowest else None)
    last = request.date_to or (_day(highest) if highest else None)
    if first is None or last is None:
        return None
    if request.date_granularity == "year":
        return date(first.year, 1, 1), date(last.year + 1, 1, 1)
    if request.date_granularity == "month":
        after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
        return date(first.year, first.month, 1), after
    return first, last + timedelta(days=1)


def _day(yyyymmdd: int) -> date:
    n = int(yyyymmdd)
    return date(n // 10000, n // 100 % 100, n % 100)


def sort(request: SearchRequest, scored: bool) -> str:
    if request.sort == "newest":
        return "undated asc,pubkey desc,id asc"
    if request.sort == "oldest":
        return "undated asc,pubkey asc,id asc"
    return "score desc,id asc" if scored else "indexed asc,id asc"


def search_params(request: SearchRequest, query: Query, span_) -> dict:
    params = {"fq": filters(request), "sort": sort(request, query.match is not None),
              "start": (request.page - 1) * request.per_page, "rows": request.per_page,
              "fl": FIELDS + ",score", "json.facet": json.dumps(facets(request, span_)),
              "timeAllowed": TIME_ALLOWED_MS, "wt": "json", **query.params}
    params["q"] = without_prefix_lengths(params["q"])
    grouping = collapsed(request, query.match is not None)
    params.update({**grouping, "fq": params["fq"] + grouping.get("fq", [])})
    if query.words:
        params["hl"] = "true"
        if _PUBLISHED_CLAUSE.search(params["q"]):
            # The highlighter fails on date-range clauses (a 500 from every shard), and
            # dates are not words of the text: it gets the query with them as "anything".
            params["hl.q"] = _PUBLISHED_CLAUSE.sub("*:*", params["q"])
    if query.spell:
        params.update({"spellcheck": "true", "spellcheck.q": " ".join(query.spell),
                       # Best first only with extended results, across shards too.
                       "spellcheck.extendedResults": "true",
                       "spellcheck.alternativeTermCount": 5})
    return params


# -- the answer ------------------------------------------------------------------------


def result(request: SearchRequest, query: Query, answer: dict) -> SearchResult:
    if answer.get("responseHeader", {}).get("partialResults"):
        raise policy.too_slow()
    found = answer["response"]
    highlights = answer.get("highlighting", {})
    expanded = answer.get("expanded", {})
    hits = [hit(doc, highlights.get(doc["id"], {}).get("body"), query.match is not None,
                versions=expanded.get(doc.get("group"), {}).get("numFound", 0))
            for doc in found["docs"]]
    counted = answer.get("facets", {})
    out_facets, totals = facet_counts(request, counted)
    return SearchResult(total=found["numFound"], hits=hits, facets=out_facets,
                        facet_totals=totals, dates=date_counts(request, counted),
                        suggestion=suggestion(request.query, answer.get("spellcheck")),
                        match=query.match)


def hit(doc: dict, passages: list[str] | None, scored: bool = False, versions: int = 0) -> Hit:
    passages = [re.sub(r"\s+", " ", p).strip() for p in passages or () if p.strip()]
    return Hit(
        id=doc["id"], title=doc.get("title", ""), source=doc.get("source", ""),
        url=doc.get("url"), published=doc.get("pubstr"), indexed=doc.get("indexed"),
        publication=doc.get("publication"),
        snippet=" … ".join(passages) if passages else opening(doc.get("body", "")),
        tags=tags_of(doc), score=float(doc["score"]) if scored and "score" in doc else None,
        title_derived=bool(doc.get("title_derived")), group=doc.get("group"), versions=versions)


def opening(body: str) -> str:
    """An article's opening words, escaped: the snippet of a hit with no marked passage."""
    text = re.sub(r"\s+", " ", body[:SNIPPET_CHARS * 2])
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(text)


def facet_counts(request: SearchRequest, counted: dict) -> tuple[dict, dict]:
    out, totals = {}, {}
    for facet in FACETS:
        part = counted.get(facet, {})
        listed = [FacetCount(b["val"], b["count"]) for b in part.get("buckets", [])]
        shown = {c.value for c in listed}
        for n, value in enumerate(v for v in request.filters.get(facet, ()) if v):
            value = facet_value(facet, value)
            if value not in shown:  # selected values are listed even when rare
                listed.append(FacetCount(value, counted.get(f"{facet}.{n}", {}).get("count", 0)))
                shown.add(value)
        out[facet] = listed
        totals[facet] = max(part.get("numBuckets", len(listed)), len(listed))
    return out, totals


def date_counts(request: SearchRequest, counted: dict) -> list[FacetCount]:
    width = {"year": 4, "month": 7, "day": 10}[request.date_granularity]
    out = [FacetCount(b["val"][:width], b["count"])
           for b in counted.get("dates", {}).get("buckets", []) if b["count"]]
    undated = counted.get(UNDATED, {}).get("count", 0)
    if undated:
        out.append(FacetCount(UNDATED, undated))
    return out


def suggestion(text: str, spellcheck: dict | None) -> str | None:
    """The query with each free word Solr corrected replaced, its capital kept."""
    if not spellcheck:
        return None
    items = spellcheck.get("suggestions", [])
    pairs = items.items() if isinstance(items, dict) else zip(items[::2], items[1::2])
    corrections = {}
    for word, found in pairs:
        best = correction(word.lower(), found) if isinstance(found, dict) else None
        if best:
            corrections[word.lower()] = best

    def fix(m: re.Match) -> str:
        best = corrections.get(m.group(0).lower())
        if not best or best == m.group(0).lower():
            return m.group(0)
        return best.capitalize() if m.group(0)[:1].isupper() else best

    corrected = FREE_WORD.sub(fix, text)
    return corrected if corrected != text else None


def correction(word: str, found: dict) -> str | None:
    """Solr's best suggestion (extended results: best first, with frequencies). A word the
    archive holds is corrected only as the lexicon's rule says (`lexicon._replace_rare`):
    a long enough word, to one KNOWN_RATIO times as frequent, with the same first letter,
    and not the same word with a letter more or less at its end (an inflection)."""
    options = [o if isinstance(o, dict) else {"word": o, "freq": 0}
               for o in found.get("suggestion", [])]
    own = int(found.get("origFreq") or 0)
    if not own:
        return options[0]["word"] if options else None
    if len(word) < MIN_KNOWN_LENGTH:
        return None
    for option in options:
        other = option["word"]
        if option["freq"] >= KNOWN_RATIO * own and other[:1] == word[:1] and \
                not (other.startswith(word) or word.startswith(other)):
            return other
    return None
