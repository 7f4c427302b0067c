"""The topic suggestions page: a librarian accepts or rejects the topics the learned model
was unsure of; each answer is an audited tag edit that the next training learns from."""

from __future__ import annotations

from searchapp.search import SearchRequest
from searchapp.topic_training import (
    Suggestion,
    concept_mapper,
    examples_from,
    index_articles,
    removed_topics,
    store_suggestions,
    suggestions,
)

PASSWORD = "correct horse battery"


def suggest(site, *pairs):
    """Store suggestions for (title word, topic) pairs, as `searchapp topics learn` does."""
    rows = []
    for words, topic in pairs:
        [hit] = site.engine.search(SearchRequest(f'"{words}" quillfeather')).hits
        rows.append(Suggestion(hit.id, topic, 0.48, False))
    conn = site.db()
    store_suggestions(conn, rows)
    conn.close()
    return [r.article_id for r in rows]


def test_accepting_and_rejecting_are_curated_tags_for_the_next_training(site):
    dock, hamburg = suggest(site, ("Dock strike halts", "industrial-action"),
                            ("Hamburg port reports", "transport"))
    librarian = site.client("librarian")
    page = librarian.get("/curation/topic-suggestions").get_data(as_text=True)
    assert "Dock strike halts grain exports from Marseille" in page and "48%" in page
    assert "Strikes and unions" in page and "2 suggestions wait." in page

    done = site.post(librarian, "/curation/topic-suggestions/decide",
                     {"article": dock, "value": "industrial-action", "decision": "accept"},
                     follow_redirects=True)
    assert "Added “Strikes and unions”." in site.flashes(done.get_data(as_text=True))
    tags = {(t.value, t.origin) for t in site.engine.get(dock).tags if t.facet == "topic"}
    assert ("industrial-action", "librarian") in tags

    site.post(librarian, "/curation/topic-suggestions/decide",
              {"article": hamburg, "value": "transport", "decision": "reject"})
    conn = site.db()
    assert suggestions(conn) == []
    assert removed_topics(conn) == {hamburg: {"transport"}}
    actions = [r["action"] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions == ["add_tag", "remove_tag"]
    # Both answers teach: the accepted topic as a positive, the rejected article as an example.
    examples = examples_from(index_articles(site.engine), concept_mapper(conn), removed_topics(conn))
    conn.close()
    titles = {e.title: set(e.concepts) for e in examples}
    assert "industrial-action" in titles["Dock strike halts grain exports from Marseille"]
    assert "Hamburg port reports record trade volumes" in titles


def test_only_librarians_decide_and_only_with_the_token(site):
    [dock] = suggest(site, ("Dock strike halts", "industrial-action"))
    form = {"article": dock, "value": "industrial-action", "decision": "accept"}
    assert site.client().get("/curation/topic-suggestions").status_code == 302  # to log in
    reader = site.client("reader")
    assert reader.get("/curation/topic-suggestions").status_code == 403
    assert site.post(reader, "/curation/topic-suggestions/decide", form).status_code == 403
    librarian = site.client("librarian")
    assert site.post(librarian, "/curation/topic-suggestions/decide", form,
                     token=False).status_code == 400
    bad = site.post(librarian, "/curation/topic-suggestions/decide", {**form, "decision": "maybe"})
    assert bad.status_code == 400
    conn = site.db()
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0
    assert len(suggestions(conn)) == 1
    conn.close()


def test_a_librarian_accepts_a_suggestion_in_the_browser(page, site, site_server, errors):
    suggest(site, ("Dock strike halts", "industrial-action"), ("Hamburg port reports", "transport"))
    page.goto(site_server + "/login")
    page.fill("input[name=name]", "lena")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")
    page.goto(site_server + "/curation")
    page.get_by_role("link", name="Review them").click()
    page.wait_for_url("**/curation/topic-suggestions")
    row = page.locator("tr.suggestion", has_text="Marseille")
    row.get_by_role("button", name="Accept").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Added “Strikes and unions”."
    assert page.locator("tr.suggestion").count() == 1  # the other one still waits
    page.locator("tr.suggestion").get_by_role("button", name="Reject").click()
    page.wait_for_selector(".flash--success")
    assert "No suggestion waits." in page.locator("main").inner_text()
    assert errors == []
