"""Exports of a whole result set from the results page and the API: the same filters and
order as the page, every page of it, streamed; bad formats and limits refused with a message."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import searchapp.web.export as web_export

SEARCH = "q=quillfeather&not_country=JP"


def all_hit_ids(api, **params) -> list[str]:
    status, body = api(per_page=2, **params)
    assert status == 200
    ids = [h["id"] for h in body["hits"]]
    for page in range(2, body["pages"] + 1):
        ids += [h["id"] for h in api(per_page=2, page=page, **params)[1]["hits"]]
    return ids


def test_the_results_page_links_to_each_format_with_the_same_search(client):
    page = client.get(f"/?{SEARCH}&page=2&per_page=2").get_data(as_text=True)
    links = [unescape(u) for u in re.findall(r'class="export-link" href="([^"]+)"', page)]
    assert links == [f"/export?{SEARCH}&format={f}" for f in ("csv", "jsonl", "ris")]
    assert "Export:" in page


def test_csv_holds_every_page_in_the_pages_order(client, api):
    expected = all_hit_ids(api, q="quillfeather", not_country="JP", sort="oldest")
    assert len(expected) > 2  # more than one page
    response = client.get(f"/export?{SEARCH}&sort=oldest&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="articles-\d{8}-\d{4}\.csv"',
                        response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["id"] for r in rows] == expected
    assert response.headers["X-Total-Count"] == str(len(expected))
    assert all(r["link"].endswith(f"/articles/{r['id']}") for r in rows)
    assert all("JP" not in r["country"] and "Japan" not in r["country"] for r in rows)


def test_json_lines_and_ris_from_the_api(client, api):
    expected = all_hit_ids(api, q="quillfeather", not_country="JP")
    lines = client.get(f"/api/export?{SEARCH}&format=jsonl").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == expected  # relevance order, as the page
    assert all(r["body"] and "country" in r["tags"] for r in records)
    ris = client.get(f"/api/export?{SEARCH}&format=ris")
    assert ris.mimetype == "application/x-research-info-systems"
    assert ris.get_data(as_text=True).count("TY  - NEWS") == len(expected)


def test_bad_formats_and_limits_are_refused_with_a_message(client):
    response = client.get("/api/export?q=quillfeather&format=xml")
    assert response.status_code == 400 and "csv, jsonl or ris" in response.get_json()["error"]
    page = client.get("/export?q=quillfeather&format=xml")
    assert page.status_code == 400 and "csv, jsonl or ris" in page.get_data(as_text=True)
    for limit in ("0", "10001", "many"):
        response = client.get(f"/api/export?q=quillfeather&limit={limit}")
        assert response.status_code == 400 and "between 1 and 10,000" in response.get_json()["error"]
    assert client.get('/api/export?q="unclosed').status_code == 400


def test_a_result_set_over_the_limit_needs_a_limit(client, monkeypatch, api):
    monkeypatch.setattr(web_export, "MAX_EXPORT", 2)
    total = api(q="quillfeather")[1]["total"]
    refused = client.get("/api/export?q=quillfeather&format=csv")
    assert refused.status_code == 400
    assert f"finds {total} articles; an export holds at most 2" in refused.get_json()["error"]
    first = client.get("/api/export?q=quillfeather&format=jsonl&limit=2")
    assert len(first.get_data(as_text=True).splitlines()) == 2
    page = client.get("/?q=quillfeather").get_data(as_text=True)
    assert "Export the first 2:" in page and "limit=2&amp;format=csv" in page


def test_the_api_document_describes_the_export(client):
    doc = client.get("/api/openapi.json").get_json()
    export = doc["paths"]["/api/export"]["get"]
    names = {p["name"] for p in export["parameters"]}
    assert names >= {"q", "country", "not_topic", "from", "to", "sort", "format", "limit"}
    assert "page" not in names
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv", "application/x-ndjson", "application/x-research-info-systems"}
