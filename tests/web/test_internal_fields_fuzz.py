"""The index's internal fields, named in a query after any prefix (`/rawtag:x`, `(file:*`,
`-/id:...`): the API answers 200 or 400, never 500, and never finds an article through them.

The values are ones every article (or the ingested tags) has in the internal field, so a
query that reached the field would find articles; a 200 must find none."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchapp.search.query import QUERY_FIELDS

FUZZ = settings(deadline=None, derandomize=True, database=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

# (`source` and `byline` are public: the publication facet and the byline's words; where an
# article was read is `location`.)
INTERNAL = ["id", "file", "file_hash", "location", "publication", "exact", "day", "pubkey",
            "undated", "language", "url", "pubstr", "tags", "raw_tags", "rawtag"]
# Non-word characters a parser may take as the start of a field name.
PREFIXES = st.text(st.sampled_from("/.'\"!#$%&,;=@\\|`^(-+<>"), min_size=1, max_size=3)
VALUES = st.sampled_from(["*", "x*", "1", "0", "1*", "1~", "1~2", "en", "en*", "[0 TO 99999999999999]",
                          "{0 TO 99999999999999}", ">0", "'country:FR'", '"country:FR"',
                          "20200101", "a", "*a*"])
# Not "country:*": `file:country:*` is the word "file" and the PUBLIC field country, which
# may rightly match.
TAILS = st.sampled_from(["", " oil", " OR oil", " AND NOT zzzz", ")"])


def test_internal_fields_are_none_of_the_public_ones():
    assert not set(INTERNAL) & set(QUERY_FIELDS)


@FUZZ
@given(prefix=PREFIXES, field=st.sampled_from(INTERNAL), value=VALUES, tail=TAILS)
def test_internal_fields_are_out_of_reach(api, prefix, field, value, tail):
    q = f"{prefix}{field}:{value}{tail}"
    status, _ = api(q=q)
    assert status in (200, 400), (q, status)
    if status == 200:
        alone, only = api(q=f"{prefix}{field}:{value}")
        assert alone == 400 or only["total"] == 0, (q, only["total"])


def test_the_reproductions_are_refused(api):
    for q in ["/rawtag:x", "/file:*", "/id:x", '/exact:"oil"', "/language:en",
              "/pubkey:[0 TO 99999999999999]", "/undated:1", "/day:20200101", "/pubkey:1",
              "/day:1*", "/day:1~", "/rawtag:'country:FR'"]:
        status, body = api(q=q)
        assert status == 400 and "Unknown field" in body["error"], (q, status, body)
