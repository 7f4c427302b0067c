"""A 20 MB article, indexed through the real pipeline: its page, "more like this" and
its search snippets read a bounded part of it (the page answered 500 after 30 s before)."""

from __future__ import annotations

import random
import re
from html import unescape

import pytest

from searchapp.ingest import index_paths
from searchapp.search.whoosh.highlight import QueryTerms
from searchapp.web import create_app
from searchapp.web.views import ARTICLE_PART_CHARS, body_part, part_count

HUGE_TITLE = "Ledger of the plantation years"
OPENING = ("Cocoa growers brought the cocoa harvest to the plantation store; cocoa beans, "
           "cocoa butter and cocoa exports filled the plantation ledger.")
LAST_WORDS = "The last words of the ledger, with <b>bold</b> & ampersand markup kept as text."


def huge_body() -> str:
    """About 20 MB: an opening about cocoa, then page after page about a volcano."""
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ter", "os", "van", "ru", "pel", "dis", "qua", "ne", "tor"]
    filler = ["".join(rng.choice(syllables) for _ in range(3)) for _ in range(1500)]
    paragraphs = [OPENING] * 300  # some 40 KB
    size = sum(len(p) + 2 for p in paragraphs)
    while size < 20_000_000:
        words = [rng.choice(filler) for _ in range(80)]
        paragraphs.append("The volcano spilled lava and magma in one more eruption: "
                          + " ".join(words) + ".")
        size += len(paragraphs[-1]) + 2
    return "\n\n".join([*paragraphs, LAST_WORDS])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    where = tmp_path_factory.mktemp("huge-article")
    sources = where / "sources"
    sources.mkdir()
    (sources / "ledger.txt").write_text(f"{HUGE_TITLE}\n\n{huge_body()}", encoding="utf-8")
    (sources / "cocoa.txt").write_text(
        "Cocoa harvest\n\nCocoa growers harvest cocoa beans; cocoa butter and cocoa exports "
        "rise, the plantation says.", encoding="utf-8")
    (sources / "volcano.txt").write_text(
        "Volcano erupts\n\nThe volcano poured lava and magma; the eruption went on.",
        encoding="utf-8")
    report = index_paths([sources], where / "index", workers=1)
    assert not report.skipped, report.skipped
    app = create_app({"INDEX_DIR": str(where / "index"), "INSTANCE_PATH": str(where / "instance"),
                      "TESTING": True})
    client = app.test_client()
    hits = client.get("/api/search", query_string={"q": "plantation years"}).get_json()["hits"]
    [huge] = [h for h in hits if h["title"] == HUGE_TITLE]
    return client, huge["id"], app


def page_text(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", page))


def test_a_huge_article_is_shown_in_parts_with_a_way_to_read_on(site):
    client, article_id, _app = site
    first = client.get(f"/articles/{article_id}")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert len(page) < 4 * ARTICLE_PART_CHARS  # was the whole 20 MB
    parts = part_count(client.get(f"/api/articles/{article_id}").get_json()["body"])
    assert parts >= 200
    assert f"it is shown in {parts:,} parts. This is part 1." in page_text(page)
    assert OPENING in page_text(page) and "The last words" not in page
    assert f'href="/articles/{article_id}?part=2"' in page

    last = client.get(f"/articles/{article_id}", query_string={"part": parts}).get_data(as_text=True)
    assert LAST_WORDS in page_text(last)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; ampersand" in last and "<b>bold" not in last
    assert f"part={parts - 1}" in last and f"part={parts + 1}" not in last
    # Out of range parts show the nearest one.
    assert LAST_WORDS in page_text(client.get(f"/articles/{article_id}?part=99999").get_data(as_text=True))
    assert OPENING in page_text(client.get(f"/articles/{article_id}?part=x").get_data(as_text=True))


def test_the_parts_tile_the_body_between_words(site):
    client, article_id, _app = site
    body = client.get(f"/api/articles/{article_id}").get_json()["body"]
    parts = [body_part(body, n) for n in range(1, part_count(body) + 1)]
    assert "".join(parts) == body
    assert all(0 < len(p) <= 1.5 * ARTICLE_PART_CHARS for p in parts)
    assert all(p.endswith(("\n\n", " ", ".")) for p in parts)  # no word cut in two


def test_a_part_highlights_the_query_and_keeps_it_in_the_links(site):
    client, article_id, _app = site
    page = client.get(f"/articles/{article_id}", query_string={"q": "volcano", "part": 2})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(html) < 4 * ARTICLE_PART_CHARS
    assert "<mark>volcano</mark>" in html
    assert f'href="/articles/{article_id}?q=volcano&amp;part=3"' in html
    assert f'href="/articles/{article_id}?q=volcano&amp;part=1"' in html


def test_more_like_this_reads_the_opening_of_a_huge_article(site):
    # The opening is about cocoa, the 20 MB after it about a volcano: the key words come
    # from the opening (reading all of it took 7 s on every view).
    client, article_id, _app = site
    similar = [h["title"] for h in client.get(f"/api/articles/{article_id}").get_json()["more_like_this"]]
    assert similar[:1] == ["Cocoa harvest"] and "Volcano erupts" not in similar
    page = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "Cocoa harvest" in page and "Volcano erupts" not in page


def test_a_snippet_reads_a_bounded_part_of_a_huge_body(site, monkeypatch):
    client, _article_id, _app = site
    read = []
    marks = QueryTerms.matches

    def matches(self, text):
        read.append(len(text))
        return marks(self, text)

    monkeypatch.setattr(QueryTerms, "matches", matches)
    # "years" is in the title only: the body has nothing to mark (it was read word by word).
    for q in ("years", "volcano", "magma OR nothingsuch"):
        [hit] = [h for h in client.get("/api/search", query_string={"q": q}).get_json()["hits"]
                 if h["title"] == HUGE_TITLE]
        assert read and max(read) < 100_000, (q, max(read))
        read.clear()
        if q == "years":  # nothing to mark: the opening is the snippet
            assert hit["snippet"].startswith("Cocoa growers") and "<mark>" not in hit["snippet"]
        else:
            assert "<mark>" in hit["snippet"]
