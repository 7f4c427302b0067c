"""Readers: each format, encodings, and broken inputs reported without stopping the batch."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from searchapp.model import Tag
from searchapp.readers import DERIVED_TITLE_CHARS, ReadError, UnreadableFile, first_sentence, read_file
from searchapp.tagging import Tagger

from .conftest import FIXTURES, SEED

READERS = FIXTURES / "readers"


def read(path: Path):
    items = list(read_file(path, f"t/{path.name}", str(path)))
    return ([i for i in items if not isinstance(i, ReadError)],
            [i for i in items if isinstance(i, ReadError)])


def test_plain_text_first_line_is_the_title():
    [article], errors = read(SEED)
    assert not errors
    assert article.title == "China, Russia to Discuss Hotspots Amid Trump Sanctions"
    assert article.body.startswith("\u201cThe possibility of a formalized")
    assert "\n\nDESPARDES News Monitor" in article.body  # paragraphs kept
    assert article.published is None  # no date in the file: undated, not invented


def test_latin1_text_is_decoded():
    [article], _ = read(READERS / "latin1.txt")
    assert article.title == "Café owners in Paris protest new tax"
    assert "£ millions" in article.body


def test_reuters_stories_briefs_and_unprocessed_text():
    articles, errors = read(READERS / "stories.sgm")
    by_source = {a.source.rsplit("#", 1)[1]: a for a in articles}
    assert set(by_source) == {"101", "102", "103"}
    cocoa = by_source["101"]
    assert cocoa.title == "BAHIA COCOA REVIEW"
    assert cocoa.published == "1987-02-26T15:01:01"
    assert cocoa.body.startswith("SALVADOR, Feb 26 - Showers continued")
    assert "January & improving" in cocoa.body  # entities decoded
    assert cocoa.body.count("\n\n") == 1  # the indented line starts a paragraph
    assert not cocoa.body.endswith("Reuter")
    source_tags = {(t.facet, t.value) for t in cocoa.tags if t.origin == "source"}
    # Places resolved to ISO codes; people and topics as Reuters' own codes, for the
    # crosswalk to map at ingest.
    assert {("country", "SV"), ("country", "US"), ("country", "UY"),
            ("person", "reuters:james-baker"), ("topic", "reuters:cocoa"),
            ("date", "1987-02-26")} <= source_tags
    brief = by_source["102"]
    assert brief.title == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT" and brief.body == ""
    assert "Japan's trade surplus" in by_source["103"].body
    assert [e.source.rsplit("#", 1)[1] for e in errors] == ["104"]  # the empty story is reported


def test_reuters_ids_are_stable_and_distinct():
    first, _ = read(READERS / "stories.sgm")
    again, _ = read(READERS / "stories.sgm")
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == len(first)


def test_json_lines_with_body_html_and_bad_lines():
    articles, errors = read(READERS / "articles.jsonl")
    wheat, page, untitled = articles
    assert wheat.published == "2021-03-04" and wheat.byline == "Ana Perez"
    assert wheat.source.endswith("articles.jsonl#1")
    tags = {(t.facet, t.value, t.origin) for t in wheat.tags}
    assert {("country", "AR", "source"), ("country", "BR", "source"),
            ("topic", "agriculture", "source"), ("person", "Ana Perez", "source")} <= tags
    assert "central bank of Norway" in page.body and "Copyright" not in page.body
    assert page.published == "2021-03-05T10:00:00+00:00"
    assert untitled.title == "An article with no title and no date, about football in Spain."
    assert untitled.title_derived and "football in Spain" in untitled.body
    assert [e.source.rsplit("#", 1)[1] for e in errors] == ["3", "4"]
    assert "JSON" in errors[0].reason and "title" in errors[1].reason


def test_gzipped_html(tmp_path):
    page = b"<html><body><article><h1>Floods in Bangladesh</h1>" + \
        b"<p>Heavy monsoon rains flooded large parts of Bangladesh on Tuesday, officials said.</p>" + \
        b"<p>Thousands of families were moved to shelters as rivers rose.</p></article></body></html>"
    path = tmp_path / "floods.html.gz"
    path.write_bytes(gzip.compress(page))
    [article], _ = read(path)
    assert "monsoon rains" in article.body


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"\n\n  \n", "empty"),
    ("garbage.html", random.Random(7).randbytes(4000) + b"\x00", "binary"),
    ("garbage-without-nul.html", random.Random(7).randbytes(4000).replace(b"\x00", b""), "binary"),
    ("garbage-without-nul.txt", random.Random(8).randbytes(4000).replace(b"\x00", b""), "binary"),
    ("garbage-without-nul.jsonl", random.Random(9).randbytes(4000).replace(b"\x00", b""), "binary"),
    ("garbage-without-nul.sgm", random.Random(10).randbytes(4000).replace(b"\x00", b""), "binary"),
    ("garbage.txt", b"\x00\x01\x02" * 500, "binary"),
    ("bomb.html.gz", None, "gzip"),
    ("broken.html.gz", b"\x1f\x8b\x08\x00 this is not gzip", "gzip"),
    ("nothing.sgm", b"<html>not a Reuters file</html>", "REUTERS"),
])
def test_unreadable_files_say_why(tmp_path, name, content, reason, monkeypatch):
    if content is None:  # expands far beyond the limit
        monkeypatch.setattr("searchapp.readers.MAX_FILE_BYTES", 1_000_000)
        content = gzip.compress(b"<p>" + b"a" * 5_000_000)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=reason):
        read(path)


def test_truncated_html_keeps_what_is_there():
    [article], _ = read(READERS / "truncated.html")
    assert "elections in Kenya" in article.body


def test_invalid_utf8_bytes_in_html(tmp_path):
    path = tmp_path / "bad-bytes.html"
    path.write_bytes(b"<html><body><article><h1>Oil prices</h1><p>Brent crude rose \xff\xfe to "
                     b"$80 a barrel on Monday as OPEC kept output steady, traders said.</p>"
                     b"<p>Analysts expect prices to stay high.</p></article></body></html>")
    [article], _ = read(path)
    assert "Brent crude rose" in article.body


def test_a_20_mb_page_is_read(tmp_path):
    para = "<p>Markets in Tokyo rallied as investors bought shares of exporters after the yen fell.</p>"
    filler = "<div class='related'><a href='/x'>Related story link</a></div>" * 330_000
    html = f"<html><body><nav>{filler}</nav><article><h1>Big page</h1>{para * 5}</article></body></html>"
    path = tmp_path / "big.html"
    path.write_text(html)
    assert path.stat().st_size > 20_000_000
    [article], _ = read(path)
    assert "Markets in Tokyo rallied" in article.body
    assert "Related story link" not in article.body


def test_unsupported_type(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    with pytest.raises(UnreadableFile, match="unsupported"):
        read(path)


def test_a_surname_only_source_person_takes_the_full_name_from_the_text():
    article = next(a for a in read(READERS / "stories.sgm")[0] if a.source.endswith("#101"))
    article.tags = [t for t in article.tags if t.facet != "person"]
    article.tags.append(Tag("person", "Baker", "Baker", "source"))
    tagged = Tagger().tag(article)
    persons = {(t.value, t.origin) for t in tagged.tags if t.facet == "person"}
    assert ("James Baker", "source") in persons and not any(v == "Baker" for v, _ in persons)


def test_json_lines_keep_unicode_line_separators_inside_strings(tmp_path):
    path = tmp_path / "sep.jsonl"
    path.write_text('{"title": "Peru votes", "body": "First\u2028second part about Lima."}\n',
                    encoding="utf-8")
    [article], errors = read(path)
    assert not errors and "second part about Lima" in article.body


@pytest.mark.parametrize("name, encoding", [
    ("russian.txt", "cp1251"), ("japanese.txt", "shift_jis"), ("utf16.txt", "utf-16"),
    ("greek.sgm", "iso-8859-7"), ("korean.html", "euc-kr"), ("chinese.jsonl", "gb18030"),
])
def test_text_in_other_encodings_is_not_taken_for_binary(tmp_path, name, encoding):
    words = {"russian": "Выборы в Москве прошли спокойно, сообщили наблюдатели. ",
             "japanese": "東京の株式市場は円安を受けて上昇した。輸出企業の株が買われた。",
             "utf16": "Floods in Bangladesh moved thousands of families to shelters. ",
             "greek": "Οι εκλογές στην Αθήνα έγιναν ήρεμα, είπαν οι παρατηρητές. ",
             "korean": "서울 증시는 수출 기업 주가 상승에 힘입어 올랐다. ",
             "chinese": "北京股市周二上涨，出口企业股票受到投资者青睐。"}[name.split(".")[0]]
    text = {"txt": f"{words[:20]}\n\n{words * 20}\n",
            "sgm": f'<REUTERS NEWID="1"><TEXT><TITLE>{words[:20]}</TITLE>'
                   f"<BODY>{words * 20}</BODY></TEXT></REUTERS>\n",
            "html": f'<html><head><meta charset="{encoding}"></head><body><article>'
                    f"<h1>{words[:20]}</h1><p>{words * 20}</p></article></body></html>",
            "jsonl": f'{{"title": "{words[:20]}", "body": "{words * 20}"}}\n'}[name.split(".")[1]]
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    [article], errors = read(path)
    assert not errors and words.strip() in article.body


def test_an_untitled_story_is_named_by_its_first_sentence_and_says_so():
    articles, _errors = read(READERS / "stories.sgm")
    by_source = {a.source.rsplit("#", 1)[1]: a for a in articles}
    untitled = by_source["103"]
    assert untitled.title_derived and untitled.body.startswith(untitled.title)
    assert untitled.title and len(untitled.title) <= DERIVED_TITLE_CHARS + 2
    assert not by_source["101"].title_derived and by_source["101"].title == "BAHIA COCOA REVIEW"


@pytest.mark.parametrize("body, title", [
    ("U.S. officials met Mr. Lavrov in Sochi. They talked.", "U.S. officials met Mr. Lavrov in Sochi."),
    ("No full stop here\n\nSecond paragraph.", "No full stop here"),
    ("word " * 60, ("word " * 24).strip() + " …"),
])
def test_first_sentence(body, title):
    assert first_sentence(body) == title
