"""The export formats (CSV, JSON Lines, RIS) and `searchapp search --format`, on real
articles: a real index for the command, the readers for the JSON Lines round trip."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from searchapp import export
from searchapp.cli import main
from searchapp.model import Article, Tag
from searchapp.readers import read_file

HOSTILE = Article(
    id="a1", source="x/a1.jsonl", title="=HYPERLINK(\"http://evil\",\"click\")",
    body="  First paragraph,\nwith a line break.\n\nSecond paragraph.", published="2019-03-04",
    url="https://example.org/a1", byline="By Claire Dumas and Jean Roe", language="fr",
    publication="@Le Monde", tags=[Tag("country", "FR", "France", "auto"),
                                   Tag("person", "Élodie Marchand", "Élodie Marchand", "source"),
                                   Tag("topic", "trade", "Trade", "auto")])
PLAIN = Article(id="a2", source="x/a2.txt", title="Untitled story", body="", published=None)


def text(fmt, articles, link=None) -> str:
    return "".join(export.write(fmt, articles, link))


def test_csv_has_a_header_a_row_per_article_and_no_formula():
    rows = list(csv.DictReader(io.StringIO(text("csv", [HOSTILE, PLAIN], lambda i: f"/a/{i}"))))
    assert [r["id"] for r in rows] == ["a1", "a2"]
    first = rows[0]
    # Cells a spreadsheet would run as formulas start with a quote instead.
    assert first["title"] == "'=HYPERLINK(\"http://evil\",\"click\")"
    assert first["source"] == "'@Le Monde"
    assert first["country"] == "France" and first["topic"] == "Trade"
    assert first["summary"] == "First paragraph, with a line break."
    assert first["link"] == "/a/a1" and first["published"] == "2019-03-04"
    assert rows[1]["published"] == "" and rows[1]["summary"] == ""
    assert export.safe_cell("-1+2") == "'-1+2" and export.safe_cell("\tx") == "'\tx"
    assert export.safe_cell("Reuters") == "Reuters" and export.safe_cell(None) == ""


def test_json_lines_can_be_indexed_again(tmp_path):
    written = text("jsonl", [HOSTILE])
    assert written.count("\n") == 1
    path = tmp_path / "export.jsonl"
    path.write_text(written, encoding="utf-8")
    [again] = [a for a in read_file(path, "x/export.jsonl", "x/export.jsonl")
               if isinstance(a, Article)]
    assert again.title == HOSTILE.title and again.body.startswith("First paragraph")
    assert again.publication == "@Le Monde" and again.byline == HOSTILE.byline
    assert again.published.startswith("2019-03-04")
    assert {(t.facet, t.value) for t in again.tags if t.facet != "date"} >= {
        ("country", "FR"), ("person", "Élodie Marchand"), ("topic", "trade")}


def test_ris_records_for_zotero_and_endnote():
    records = text("ris", [HOSTILE, PLAIN], lambda i: f"https://site/articles/{i}")
    first, second = records.split("\r\n\r\n")[:2]
    lines = first.split("\r\n")
    assert lines[0] == "TY  - NEWS" and lines[-1] == "ER  - "
    fields = [tuple(line.split("  - ", 1)) for line in lines]
    assert ("AU", "Claire Dumas") in fields and ("AU", "Jean Roe") in fields
    assert ("PY", "2019") in fields and ("DA", "2019/03/04/") in fields
    assert ("JO", "@Le Monde") in fields and ("T2", "@Le Monde") in fields
    assert ("UR", "https://example.org/a1") in fields and ("LA", "fr") in fields
    assert ("AB", "First paragraph, with a line break.") in fields
    assert [v for k, v in fields if k == "KW"] == ["France", "Élodie Marchand", "Trade"]
    assert all(len(f) == 2 and len(f[0]) == 2 for f in fields)  # every line is "XX  - value"
    # no URL of its own: the link to the article's page; no date, no author lines
    assert "UR  - https://site/articles/a2" in second and "PY  -" not in second
    assert "AU  -" not in second


def test_authors_from_bylines():
    assert export.authors("By Jane Doe & John Roe") == ["Jane Doe", "John Roe"]
    assert export.authors("Jane Doe, Reuters") == ["Jane Doe, Reuters"]
    assert export.authors(None) == [] and export.authors("  ") == []


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_search_format_exports_every_match(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [{"id": f"n{n}", "title": f"Grain story {n}", "body": f"Grain news number {n}.",
              "published": f"2019-01-{n + 1:02d}", "source": "Wire"} for n in range(25)]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    index = tmp_path / "index"
    assert run("index", corpus, "--index-dir", index).exit_code == 0

    out = run("search", "grain", "--format", "jsonl", "--sort", "newest", "--index-dir", index)
    assert out.exit_code == 0, out.output
    titles = [json.loads(line)["title"] for line in out.output.splitlines()]
    assert titles == [f"Grain story {n}" for n in range(24, -1, -1)]  # all 25, not a page of 10
    out = run("search", "grain", "--format", "csv", "--limit", 3, "--sort", "oldest",
              "--index-dir", index)
    assert [r["title"] for r in csv.DictReader(io.StringIO(out.output))] == [
        "Grain story 0", "Grain story 1", "Grain story 2"]
    out = run("search", "grain", "--format", "ris", "--index-dir", index)
    assert out.output.count("TY  - NEWS") == 25 and "JO  - Wire" in out.output
    # --json still prints the page of results
    out = run("search", "grain", "--json", "--index-dir", index)
    assert json.loads(out.output)["total"] == 25
    assert run("search", "grain", "--limit", 500, "--index-dir", index).exit_code == 2


def test_more_than_the_limit_is_refused_unless_asked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setattr(export, "MAX_EXPORT", 4)
    monkeypatch.setattr("searchapp.cli.MAX_EXPORT", 4)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(6):
        (corpus / f"{n}.txt").write_text(f"Cocoa story {n}\n\nCocoa prices rose {n}.")
    index = tmp_path / "index"
    run("index", corpus, "--index-dir", index)
    refused = run("search", "cocoa", "--format", "csv", "--index-dir", index)
    assert refused.exit_code == 2 and "finds 6 articles" in refused.output
    assert "at most 4" in refused.output
    first = run("search", "cocoa", "--format", "jsonl", "--limit", 4, "--index-dir", index)
    assert first.exit_code == 0 and len(first.output.splitlines()) == 4
