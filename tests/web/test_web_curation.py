"""Librarians' curation through the web: tag edits on the article page, rename and merge,
bulk tagging, the change log with undo, vocabularies; each change shows at once in
results and facet counts, and survives a full rebuild."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from searchapp.model import FACETS

MARKER = "quillfeather"
PIPELINE = "Pipeline talks between Paris and Berlin"  # FR and DE from the source


def article_id(site, title=PIPELINE) -> str:
    data = site.client().get("/api/search", query_string={"q": f'"{title}"'}).get_json()
    [hit] = [h for h in data["hits"] if h["title"] == title]
    return hit["id"]


def tags(site, aid, facet) -> dict[str, str]:
    """value -> origin of one facet's tags, from the article's JSON."""
    data = site.client().get(f"/api/articles/{aid}").get_json()
    return {t["value"]: t["origin"] for t in data["tags"] if t["facet"] == facet}


def counts(site, facet, **params) -> dict[str, int]:
    data = site.client().get("/api/search", query_string={"q": MARKER, "facet_limit": 0,
                                                          **params}).get_json()
    return {v["value"]: v["count"] for v in data["facets"][facet] if not v["excluded"]}


def total(site, **params) -> int:
    return site.client().get("/api/search", query_string=params).get_json()["total"]


def page_flashes(site, response) -> list[str]:
    return site.flashes(response.get_data(as_text=True))


# -- the article page ------------------------------------------------------------------------


def test_the_article_page_shows_origins_and_controls_to_librarians_only(site):
    aid = article_id(site)
    librarian = site.client("librarian").get(f"/articles/{aid}").get_data(as_text=True)
    assert "tagged by the source" in librarian and "tagged automatically" in librarian
    removes = re.findall(r'action="/articles/[^"]+/tags/remove">.*?name="facet" value="(\w+)">\s*'
                         r'<input type="hidden" name="value" value="([^"]+)"', librarian, re.S)
    assert ("country", "FR") in removes and ("country", "DE") in removes
    assert ("person", "Élodie Marchand") in [(f, unescape(v)) for f, v in removes]
    assert librarian.count('class="add-tag"') == len(FACETS)
    assert 'list="topic-choices"' in librarian and '<option value="elections">' in librarian

    for who in ("reader", None):
        page = site.client(who).get(f"/articles/{aid}").get_data(as_text=True)
        assert "/tags/remove" not in page and "add-tag" not in page
        assert "Germany" in page  # the tags are still shown


def test_remove_and_add_tags_show_at_once_in_results_and_facet_counts(site):
    aid = article_id(site)
    before = counts(site, "country")
    assert (before["FR"], before["DE"]) == (4, 3) and "NO" not in before
    lena = site.client("librarian")
    back = f"/articles/{aid}?q={MARKER}"
    response = site.post(lena, f"/articles/{aid}/tags/remove",
                         {"facet": "country", "value": "FR", "next": back})
    assert response.status_code == 302 and response.location == back
    assert "Removed “France”." in page_flashes(site, lena.get(back))
    response = site.post(lena, f"/articles/{aid}/tags/add", {"facet": "country", "value": "Norway"})
    assert response.location == f"/articles/{aid}"
    site.post(lena, f"/articles/{aid}/tags/add", {"facet": "country", "value": "jp"})

    assert tags(site, aid, "country") == {"DE": "source", "NO": "librarian", "JP": "librarian"}
    after = counts(site, "country")
    assert (after["FR"], after["NO"], after["JP"]) == (3, 1, 3)
    assert total(site, q=MARKER, country="NO") == 1
    assert total(site, q=MARKER, country="FR") == 3
    html = lena.get(f"/?q={MARKER}&country=NO").get_data(as_text=True)
    assert PIPELINE in html


def test_a_removed_automatic_tag_and_a_person_added_by_name(site):
    aid = article_id(site)
    assert tags(site, aid, "topic")["economy"] == "auto"
    lena = site.client("librarian")
    site.post(lena, f"/articles/{aid}/tags/remove", {"facet": "topic", "value": "economy"})
    site.post(lena, f"/articles/{aid}/tags/add", {"facet": "person", "value": "olaf scholz"})
    assert "economy" not in tags(site, aid, "topic")
    assert tags(site, aid, "person")["Olaf Scholz"] == "librarian"


@pytest.mark.parametrize("form, message", [
    ({"facet": "country", "value": "Atlantis"},
     "“Atlantis” is not a known country: give its name or its two-letter ISO code."),
    ({"facet": "country", "value": "  "}, "Type a value first."),
    ({"facet": "colour", "value": "red"}, "Choose a country, person or topic."),
])
def test_bad_values_are_refused_with_a_message(site, form, message):
    aid = article_id(site)
    lena = site.client("librarian")
    response = site.post(lena, f"/articles/{aid}/tags/add", form, follow_redirects=True)
    assert page_flashes(site, response) == [message]
    assert tags(site, aid, "country") == {"FR": "source", "DE": "source"}
    assert site.db().execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0


def test_tags_of_a_missing_article_are_404(site):
    lena = site.client("librarian")
    assert site.post(lena, "/articles/nope/tags/add",
                     {"facet": "country", "value": "FR"}).status_code == 404


# -- rename and merge ---------------------------------------------------------------------------


def test_rename_a_value_from_the_facet_list(site):
    lena = site.client("librarian")
    page = lena.get(f"/?q={MARKER}").get_data(as_text=True)
    edit = "/curation/merge?facet=person&amp;value=Jonas+Brecht"
    assert edit in page
    assert edit not in site.client("reader").get(f"/?q={MARKER}").get_data(as_text=True)

    form = lena.get(unescape(edit)).get_data(as_text=True)
    assert "Person “Jonas Brecht” is on 2 articles." in form
    preview = lena.get(unescape(edit) + "&into=Jonas+Brecht-Meyer").get_data(as_text=True)
    assert "“Jonas Brecht-Meyer” is not used yet: this is a rename." in preview

    response = site.post(lena, "/curation/merge", {"facet": "person", "value": "Jonas Brecht",
                                                   "into": "Jonas Brecht-Meyer"})
    assert response.status_code == 302
    assert response.location == "/?person=Jonas+Brecht-Meyer"
    assert "“Jonas Brecht” is now “Jonas Brecht-Meyer”: 2 articles re-tagged." in page_flashes(
        site, lena.get(response.location))
    people = counts(site, "person")
    assert people.get("Jonas Brecht-Meyer") == 2 and "Jonas Brecht" not in people
    assert total(site, person="Jonas Brecht") == 0


def test_merge_a_country_given_by_name_into_another(site):
    lena = site.client("librarian")
    preview = lena.get("/curation/merge?facet=country&value=Brazil&into=fr").get_data(as_text=True)
    assert "Country “Brazil” is on 2 articles." in preview
    assert "“France” already has 4 articles: the two values become one." in preview
    site.post(lena, "/curation/merge", {"facet": "country", "value": "Brazil", "into": "fr"})
    countries = counts(site, "country")
    assert "BR" not in countries and countries["FR"] == 6
    response = site.post(lena, "/curation/merge", {"facet": "country", "value": "FR",
                                                   "into": "France"}, follow_redirects=True)
    assert page_flashes(site, response) == ["A value cannot be merged into itself."]
    response = site.post(lena, "/curation/merge", {"facet": "country", "value": "FR",
                                                   "into": "France"}, follow_redirects=True,
                         headers={"Accept-Language": "fr"})  # the curation's message, translated
    assert page_flashes(site, response) == ["Une valeur ne peut pas être fusionnée avec elle-même."]


# -- bulk tagging ---------------------------------------------------------------------------------


def test_bulk_tagging_previews_then_tags_every_result(site):
    lena = site.client("librarian")
    search = f"q={MARKER}&country=DE"
    page = lena.get(f"/?{search}").get_data(as_text=True)
    link = unescape(re.search(r'<a class="bulk-link" href="([^"]+)">Tag all 3 results</a>',
                              page).group(1))
    assert link == f"/curation/bulk?{search}"
    assert "bulk-link" not in site.client("reader").get(f"/?{search}").get_data(as_text=True)

    form = lena.get(link).get_data(as_text=True)
    assert "This search matches 3 articles." in form
    preview = lena.get(link + "&tag_facet=topic&tag_value=energy").get_data(as_text=True)
    assert "2 articles will get “Energy”" in preview and "1 already has it." in preview
    params = unescape(re.search(r'name="params" value="([^"]*)"', preview).group(1))
    assert params == search

    before = counts(site, "topic")["energy"]
    response = site.post(lena, "/curation/bulk", {"params": params, "tag_facet": "topic",
                                                  "tag_value": "energy"})
    assert response.status_code == 302 and response.location == f"/?{search}"
    assert "Tagged 3 articles with “Energy” (2 did not have it)." in page_flashes(
        site, lena.get(response.location))
    assert counts(site, "topic")["energy"] == before + 2
    assert total(site, q=MARKER, country="DE", topic="energy") == 3
    again = lena.get(link + "&tag_facet=topic&tag_value=energy").get_data(as_text=True)
    assert "0 articles will get “Energy”" in again and "3 already have it." in again


def test_bulk_tagging_refuses_too_large_a_search(site):
    site.app.config["BULK_LIMIT"] = 5
    lena = site.client("librarian")
    page = lena.get(f"/curation/bulk?q={MARKER}").get_data(as_text=True)
    assert "This search matches more than 5 articles: narrow it first." in page
    response = site.post(lena, "/curation/bulk", {"params": f"q={MARKER}", "tag_facet": "topic",
                                                  "tag_value": "media"}, follow_redirects=True)
    assert "This search matches more than 5 articles: narrow it first." in page_flashes(site, response)
    assert "media" not in {t for t in counts(site, "topic") if counts(site, "topic")[t] > 1}


# -- the change log and undo ---------------------------------------------------------------------


def test_the_change_log_shows_who_what_and_undoes(site):
    aid = article_id(site)
    lena = site.client("librarian")
    site.post(lena, f"/articles/{aid}/tags/remove", {"facet": "country", "value": "FR"})
    site.post(lena, "/curation/merge", {"facet": "person", "value": "Jonas Brecht",
                                        "into": "Jonas Brecht-Meyer"})
    log = lena.get("/curation/audit").get_data(as_text=True)
    assert len(re.findall(r'<li class="audit-entry[ "]', log)) == 2
    assert "Tag removed" in log and "Rename or merge" in log
    assert '<span class="audit-entry__who">lena</span>' in log
    assert f"Country “France” · {PIPELINE}" in log and "as indexed" in log
    assert "Person “Jonas Brecht”" in log and "Jonas Brecht-Meyer" in log
    entries = lena.get("/api/audit").get_json()["entries"]
    assert [e["action"] for e in entries] == ["merge", "remove_tag"]
    assert entries[1]["change"]["rows"][0]["after"]["state"] == "removed"

    response = site.post(lena, f"/curation/audit/{entries[1]['id']}/undo", follow_redirects=True)
    assert f"Undid change {entries[1]['id']}." in page_flashes(site, response)
    assert tags(site, aid, "country") == {"FR": "source", "DE": "source"}
    assert counts(site, "country")["FR"] == 4
    log = response.get_data(as_text=True)
    assert "undone by #3" in log and f"undoes #{entries[1]['id']}" in log

    response = site.post(lena, f"/curation/audit/{entries[1]['id']}/undo", follow_redirects=True)
    assert page_flashes(site, response) == ["That change has already been undone."]
    response = site.post(lena, "/curation/audit/999/undo", follow_redirects=True)
    assert page_flashes(site, response) == ["There is no change number 999."]

    site.post(lena, f"/curation/audit/{entries[0]['id']}/undo")
    assert total(site, person="Jonas Brecht") == 2


def test_undo_is_refused_when_a_later_change_touched_the_same_tag(site):
    aid = article_id(site)
    lena = site.client("librarian")
    site.post(lena, f"/articles/{aid}/tags/add", {"facet": "topic", "value": "sanctions"})
    site.post(lena, f"/articles/{aid}/tags/remove", {"facet": "topic", "value": "sanctions"})
    response = site.post(lena, "/curation/audit/1/undo", follow_redirects=True)
    assert page_flashes(site, response) == [
        "A later change touched the same tags; undo that one first."]
    assert "sanctions" not in tags(site, aid, "topic")


# -- vocabularies ---------------------------------------------------------------------------------


def lavrov_persons(site) -> set[str]:
    data = site.client().get("/api/search", query_string={"q": "Lavrov"}).get_json()
    [hit] = data["hits"]
    return {t["value"] for t in hit["tags"] if t["facet"] == "person"}


def test_an_edited_person_vocabulary_is_used_on_the_next_ingest(site):
    lena = site.client("librarian")
    page = lena.get("/curation/vocabularies/persons").get_data(as_text=True)
    assert "the file shipped with searchapp" in page
    assert "Ronald Reagan | Ronald W. Reagan; Reagan\n" in unescape(page)
    text = "# our own list\nSergey Viktorovich Lavrov | Lavrov; Sergey Lavrov\n\nWang Yi\n"
    response = site.post(lena, "/curation/vocabularies/persons", {"content": text})
    assert response.status_code == 302
    page = lena.get(response.location).get_data(as_text=True)
    assert "Saved the vocabulary (2 entries). The next ingest uses it." in site.flashes(page)
    assert "edited by librarians, last on" in page
    vocabulary = lena.get("/api/vocabularies/persons").get_json()
    assert vocabulary["source"] == "edited"
    assert vocabulary["entries"] == [
        {"name": "Sergey Viktorovich Lavrov", "aliases": ["Lavrov", "Sergey Lavrov"]},
        {"name": "Wang Yi", "aliases": []}]

    assert "Sergey Viktorovich Lavrov" not in lavrov_persons(site)  # not before the next ingest
    site.rebuild()
    assert "Sergey Viktorovich Lavrov" in lavrov_persons(site)

    response = site.post(lena, "/curation/vocabularies/persons/reset")
    assert lena.get("/api/vocabularies/persons").get_json()["source"] == "shipped"
    site.rebuild()
    assert "Sergey Lavrov" in lavrov_persons(site)


def test_an_edited_topic_taxonomy_round_trips_and_is_used_on_the_next_ingest(site):
    lena = site.client("librarian")
    page = lena.get("/curation/vocabularies/topics").get_data(as_text=True)
    text = unescape(re.search(r'<textarea id="content"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    topics = json.loads(text)  # the editor's text is JSON, one topic a line
    shipped = lena.get("/api/vocabularies/topics").get_json()
    assert topics == shipped["entries"] and shipped["source"] == "shipped"
    assert len(text.splitlines()) == len(topics) + 2
    assert total(site, q="Lavrov", topic="diplomacy") == 1
    for topic in topics:
        if topic["id"] == "diplomacy":
            topic["rules"] = {}  # the tagger can no longer find it
    response = site.post(lena, "/curation/vocabularies/topics", {"content": json.dumps(topics)})
    assert response.status_code == 302
    assert total(site, q="Lavrov", topic="diplomacy") == 1  # until the next ingest
    site.rebuild()
    assert total(site, q="Lavrov", topic="diplomacy") == 0


def test_a_topic_librarians_add_has_one_label_in_the_index_the_pages_and_the_cli(site, monkeypatch):
    from searchapp.cli import result_json
    from searchapp.search import SearchRequest

    lena = site.client("librarian")
    topics = lena.get("/api/vocabularies/topics").get_json()["entries"]
    topics.append({"id": "quantum-computing", "label": "Quantum computing", "parent": None,
                   "rules": {"lavrov": 50}})
    response = site.post(lena, "/curation/vocabularies/topics", {"content": json.dumps(topics)})
    assert response.status_code == 302
    site.rebuild()

    [hit] = site.engine.search(SearchRequest(query="Lavrov")).hits
    stored = {t["value"]: t["label"] for t in hit.tags if t["facet"] == "topic"}
    assert stored["quantum-computing"] == "Quantum computing"  # what ingest stored
    for lang in ("en", "fr"):
        data = site.client().get("/api/search", query_string={"q": "Lavrov", "lang": lang}).get_json()
        shown = {v["value"]: v["label"] for v in data["facets"]["topic"]}
        [tags_shown] = [{t["value"]: t["label"] for t in h["tags"]} for h in data["hits"]]
        assert shown["quantum-computing"] == tags_shown["quantum-computing"] == "Quantum computing"
    page = site.client().get(f"/articles/{hit.id}").get_data(as_text=True)
    assert "Quantum computing" in page and "quantum computing" not in page

    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(site.instance))
    facets = result_json(site.engine.search(SearchRequest(query="Lavrov")))["facets"]
    assert {"value": "quantum-computing", "label": "Quantum computing", "count": 1} in facets["topic"]

    other = article_id(site)  # a librarian's own tag is labelled the same way
    site.post(lena, f"/articles/{other}/tags/add", {"facet": "topic", "value": "quantum-computing"})
    labels = {t.value: t.label for t in site.engine.get(other).tags}
    assert labels["quantum-computing"] == "Quantum computing"


def test_a_renamed_topic_is_shown_by_its_new_label_at_once(site):
    """Labels are remembered between requests (a page shows hundreds); a librarian's new
    label is shown on the next request all the same, without a rebuild or a restart."""
    def shown(lang="en"):
        data = site.client().get("/api/search", query_string={"q": "Lavrov", "lang": lang}).get_json()
        return ({v["value"]: v["label"] for v in data["facets"]["topic"]},
                {t["value"]: t["label"] for h in data["hits"] for t in h["tags"]})

    facets, tags = shown()
    assert facets["diplomacy"] == tags["diplomacy"] != "Statecraft"
    lena = site.client("librarian")
    topics = lena.get("/api/vocabularies/topics").get_json()["entries"]
    [entry] = [t for t in topics if t["id"] == "diplomacy"]
    entry["label"] = "Statecraft"
    response = site.post(lena, "/curation/vocabularies/topics", {"content": json.dumps(topics)})
    assert response.status_code == 302
    facets, tags = shown()
    assert facets["diplomacy"] == tags["diplomacy"] == "Statecraft"
    assert shown("fr")[0]["diplomacy"] == "Statecraft"  # no catalogue entry for the new label


@pytest.mark.parametrize("name, content, message", [
    ("persons", "| Lavrov\n", "Line 1: the name before “|” is missing."),
    ("topics", '[{"id": "a", "label": "A"},\n {"id": "b" "label": "B"}]',
     "Line 2, column 13: this is not valid JSON (Expecting ',' delimiter)."),
    ("topics", '[{"id": "a"}]', "Every topic needs an id and a label."),
    ("topics", '[{"id": "a", "label": "A", "parent": "zz"}]', "'zz'"),
    ("topics", '[{"id": "a", "label": "A", "rules": {"x": "heavy"}}]', "weight of 'x'"),
    ("topics", '{"nothing": 1}', "A vocabulary is a list of entries."),
])
def test_a_bad_vocabulary_is_not_saved_and_says_why(site, name, content, message):
    lena = site.client("librarian")
    response = site.post(lena, f"/curation/vocabularies/{name}", {"content": content})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    shown = unescape(re.search(r'<h2 class="alert__title">Not saved</h2><p>(.*?)</p>', page).group(1))
    assert message in shown
    assert unescape(content) in unescape(page)  # the text is kept for correcting
    assert site.db().execute("SELECT COUNT(*) FROM vocabularies").fetchone()[0] == 0


def test_an_unknown_vocabulary_is_404(site):
    lena = site.client("librarian")
    assert lena.get("/curation/vocabularies/places").status_code == 404
    assert site.post(lena, "/curation/vocabularies/places", {"content": "[]"}).status_code == 404


# -- rebuilds --------------------------------------------------------------------------------------


def test_curation_survives_a_full_rebuild(site):
    aid = article_id(site)
    lena = site.client("librarian")
    site.post(lena, f"/articles/{aid}/tags/remove", {"facet": "country", "value": "FR"})
    site.post(lena, f"/articles/{aid}/tags/add", {"facet": "country", "value": "Norway"})
    site.post(lena, "/curation/merge", {"facet": "person", "value": "Jonas Brecht",
                                        "into": "Jonas Brecht-Meyer"})
    site.post(lena, "/curation/bulk", {"params": f"q={MARKER}&country=JP", "tag_facet": "topic",
                                       "tag_value": "asia"})
    expected = (tags(site, aid, "country"), counts(site, "person"), counts(site, "topic"))
    site.rebuild()
    assert (tags(site, aid, "country"), counts(site, "person"), counts(site, "topic")) == expected
    assert tags(site, aid, "country") == {"DE": "source", "NO": "librarian"}
    assert total(site, topic="asia") == 2


def test_the_curation_pages_speak_french(site):
    lena = site.client("librarian")
    page = lena.get("/curation?lang=fr").get_data(as_text=True)
    assert "Renommer ou fusionner une valeur" in page
    aid = article_id(site)
    page = lena.get(f"/articles/{aid}?lang=fr").get_data(as_text=True)
    assert "étiqueté par la source" in page and "Ajouter" in page


def test_a_merge_that_would_close_a_loop_is_refused(site):
    """Brazil into France, France into Japan: Japan (or France) into Brazil would send the
    values round in a circle, and their articles would lose them."""
    lena = site.client("librarian")
    for value, into in (("BR", "FR"), ("FR", "JP")):
        site.post(lena, "/curation/merge", {"facet": "country", "value": value, "into": into})
    merged = counts(site, "country")
    assert "BR" not in merged and "FR" not in merged and merged["JP"]
    for value, into, culprit in (("JP", "BR", "“Brazil” is already merged into “Japan”."),
                                 ("FR", "BR", "“Brazil” is already merged into “France”."),
                                 ("JP", "Japan", "A value cannot be merged into itself.")):
        response = site.post(lena, "/curation/merge", {"facet": "country", "value": value,
                                                       "into": into}, follow_redirects=True)
        assert response.status_code == 200
        assert page_flashes(site, response) == [culprit.replace("“", "'").replace("”", "'")]
    conn = site.db()
    merges = {r["from_value"]: r["to_value"] for r in conn.execute("SELECT * FROM value_merges")}
    assert merges == {"BR": "FR", "FR": "JP"}
    assert counts(site, "country") == merged


def test_a_topic_renamed_elsewhere_or_restored_is_shown_on_the_next_request(site, tmp_path):
    """Each worker keeps the edited labels until the database changes: a rename committed
    by another connection (another worker, the command line) and a database restored in
    place (`searchapp restore`) are both shown on the next search."""
    import sqlite3

    def shown() -> str:
        data = site.client().get("/api/search", query_string={"q": "Lavrov"}).get_json()
        return {v["value"]: v["label"] for v in data["facets"]["topic"]}["diplomacy"]

    def rename(conn, label: str) -> None:
        topics = site.client("librarian").get("/api/vocabularies/topics").get_json()["entries"]
        for entry in topics:
            if entry["id"] == "diplomacy":
                entry["label"] = label
        conn.execute("INSERT OR REPLACE INTO vocabularies (name, content, updated) "
                     "VALUES ('topics', ?, '2026-01-01T00:00:00Z')", (json.dumps(topics),))

    first = shown()
    assert first == shown() != "Statecraft"
    other = site.db()
    rename(other, "Statecraft")
    other.close()
    assert shown() == "Statecraft"
    backup = sqlite3.connect(tmp_path / "backup.db")
    site.db().backup(backup)
    rename(backup, "Diplomacy, restored")
    backup.commit()
    backup.backup(site.db())  # as `searchapp restore` does: in place
    assert shown() == "Diplomacy, restored"
