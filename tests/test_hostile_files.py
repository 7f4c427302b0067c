"""Hostile files: each is refused or read safely, reported, and the batch goes on."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest

from searchapp.ingest import index_paths
from searchapp.readers import MAX_FILE_BYTES, ReadError, UnreadableFile, read_file
from searchapp.search import EngineConfig, SearchRequest, open_engine

from .conftest import SEED

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 10))
    + '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<html><body><article><h1>Laughs</h1><p>&lol9; Voters in Kenya went to the polls on "
    "Tuesday in an election observers called calm.</p></article></body></html>")


def hostile_corpus(root):
    root.mkdir()
    shutil.copy(SEED, root / "good.txt")
    (root / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * (MAX_FILE_BYTES + 10)))
    (root / "laughs.html").write_text(LAUGHS)
    depth = 200_000
    (root / "deep.html").write_text("<html><body>" + "<div>" * depth + "<p>deep</p>"
                                    + "</div>" * depth + "</body></html>")
    with open(root / "huge.txt", "wb") as f:  # 100 MB, sparse on disk
        f.truncate(100 * 1024 * 1024)
    (root / "garbage.sgm").write_bytes(bytes(range(256)) * 64)
    (root / "empty.jsonl").write_bytes(b"")
    outside = root.parent / "outside.txt"
    outside.write_text("Secret\n\nThis file is outside the corpus folder.\n")
    (root / "link.txt").symlink_to(outside)


def test_every_hostile_file_is_reported_and_the_good_one_indexed(tmp_path):
    hostile_corpus(tmp_path / "corpus")
    report = index_paths([tmp_path / "corpus"], tmp_path / "ix")
    reasons = {err.source.rsplit("/", 1)[1]: err.reason for err in report.skipped}
    assert "gzip expands beyond" in reasons["bomb.html.gz"]
    assert "nested deeper" in reasons["deep.html"]
    assert "too large" in reasons["huge.txt"]
    assert "binary" in reasons["garbage.sgm"]
    assert "empty" in reasons["empty.jsonl"]
    assert "outside the folder" in reasons["link.txt"]
    ix = open_engine(EngineConfig(tmp_path / "ix", create=False))
    assert ix.search(SearchRequest("Lavrov")).total == 1
    assert ix.search(SearchRequest("Secret")).total == 0


def test_entities_are_not_expanded(tmp_path):
    hostile_corpus(tmp_path / "corpus")
    index_paths([tmp_path / "corpus" / "laughs.html"], tmp_path / "ix")
    ix = open_engine(EngineConfig(tmp_path / "ix", create=False))
    [hit] = ix.search(SearchRequest("Kenya")).hits
    article = ix.get(hit.id)
    assert len(article.body) < 500 and "lollol" not in article.body


# -- linear time on hostile markup ---------------------------------------------------------

MB = 1 << 20
# Generous: each file is read in well under a second; quadratic scans took minutes to hours.
GUARD_SECONDS = 10


def megabyte_of(pattern: bytes) -> bytes:
    return pattern * (MB // len(pattern) + 1)


def jsonl_page(markup: bytes) -> bytes:
    return b'{"title": "Page", "html": "' + markup.replace(b'"', b'\\"') + b'"}\n'


UNCLOSED = {
    "unclosed-links.html": megabyte_of(b"<a "),
    "text-then-unclosed-links.html": b"<p>text</p>" + megabyte_of(b"<a "),
    "unclosed-json-ld.html": megabyte_of(b"<script type=application/ld+json/>"),
    "unclosed-comments-and-scripts.html": megabyte_of(b"<!-- <script <style "),
    "dashes-in-a-byline.html": b'<div class="byline">Jane ' + megabyte_of(b"-") + b"</div>",
    "unclosed-stories.sgm": megabyte_of(b"<REUTERS>"),
    "unclosed-story-tags.sgm": megabyte_of(b"<REUTERS "),
    "one-long-attribute.sgm": b"<REUTERS " + megabyte_of(b"a") + b">x</REUTERS>",
    "unclosed-values-in-a-story.sgm": b'<REUTERS NEWID="1"><PLACES>' + megabyte_of(b"<D>")
    + b"</PLACES><TEXT><TITLE>T</TITLE></TEXT></REUTERS>",
    "unclosed-markup-in-a-story.sgm": b'<REUTERS NEWID="1"><TEXT><TITLE>T</TITLE><BODY>'
    + megabyte_of(b"< ") + b"</BODY></TEXT></REUTERS>",
    "spaces-in-a-story.sgm": b'<REUTERS NEWID="1"><TEXT><BODY>a' + megabyte_of(b" ")
    + b"b</BODY></TEXT></REUTERS>",
    "unclosed-links.jsonl": jsonl_page(megabyte_of(b"<a ")),
    "unclosed-json-ld.jsonl": jsonl_page(megabyte_of(b"<script type=application/ld+json>")),
    "whitespace.txt": b"Title\n" + megabyte_of(b"\n \t\x0b"),
}


@contextmanager
def finished_within(seconds: float):
    """Fail the test when the body runs longer (the OS timer interrupts it)."""
    def too_slow(signum, frame):
        pytest.fail(f"not finished within {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(UNCLOSED))
def test_a_megabyte_of_unclosed_markup_is_read_in_linear_time(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(UNCLOSED[name])
    # Refused with a reason is fine too: what matters is that it ends.
    with finished_within(GUARD_SECONDS), contextlib.suppress(UnreadableFile):
        list(read_file(path, f"t/{name}", str(path)))


# -- files that are no files -----------------------------------------------------------------


def test_special_files_are_skipped_with_a_reason_and_never_opened(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(SEED, root / "good.txt")
    os.mkfifo(root / "pipe.txt")  # opening it would wait for a writer for ever
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "socket.jsonl"))
        with finished_within(60):
            report = index_paths([root], tmp_path / "ix")
            given = index_paths([root / "pipe.txt"], tmp_path / "ix")
    reasons = {err.source.rsplit("/", 1)[1]: err.reason for err in report.skipped}
    assert reasons == {"pipe.txt": "a FIFO, not a regular file",
                       "socket.jsonl": "a socket, not a regular file"}
    assert report.articles_indexed == 1
    assert [e.reason for e in given.skipped] == ["a FIFO, not a regular file"]
    with pytest.raises(UnreadableFile, match="FIFO"):
        list(read_file(root / "pipe.txt", "t/pipe.txt", "pipe.txt"))


# -- a time budget per file ------------------------------------------------------------------


def test_a_file_over_the_time_budget_is_skipped_and_the_batch_goes_on(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    for n in range(4):  # enough files for the two worker processes
        shutil.copy(SEED, root / f"good-{n}.txt")
    # Linear but long: a quarter of a million paragraphs take seconds to clean.
    (root / "slow.html").write_bytes(megabyte_of(b"<p>x"))
    report = index_paths([root], tmp_path / "ix", workers=2, file_seconds=0.5)
    [slow] = report.skipped
    assert slow.source.endswith("slow.html")
    assert slow.reason == "took longer than 0.5 s to read; skipped"
    assert report.files_indexed == 4
    assert "1 skipped" in report.summary()


# -- text valid at the door ------------------------------------------------------------------

LONE = "\ud800"


def assert_valid(article):
    texts = [article.title, article.body, article.byline, article.url, article.language,
             article.source, *(t.value for t in article.tags), *(t.label for t in article.tags)]
    for text in filter(None, texts):
        text.encode("utf-8")  # raises on a lone surrogate
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_lone_surrogates_are_replaced_in_every_field_of_json_lines(tmp_path):
    path = tmp_path / "lone.jsonl"
    # The body's surrogates come low then high: no pair.
    record = {"title": f"lone {LONE} surrogate zebra", "body": f"x \udfff{LONE}",
              "byline": f"Ana {LONE}", "url": f"https://x.example/{LONE}", "language": f"e{LONE}",
              "published": "2030-01-01", "tags": {"topic": [f"zebras {LONE}"],
                                                  "person": [f"Ana {LONE}Perez"]}}
    path.write_text(json.dumps(record) + "\n" + json.dumps({"title": "nul \u0000 inside"}) + "\n")
    articles = list(read_file(path, "t/lone.jsonl", str(path)))
    assert [a.title for a in articles] == ["lone \ufffd surrogate zebra", "nul  inside"]
    assert articles[0].body == "x \ufffd\ufffd"
    assert articles[0].byline == "Ana \ufffd" and articles[0].url == "https://x.example/\ufffd"
    for article in articles:
        assert_valid(article)


def test_a_lone_surrogate_is_indexed_and_served_as_a_replacement_character(tmp_path):
    from searchapp.web import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lone.jsonl").write_text(
        '{"title":"lone \\ud800 surrogate zebra","body":"x","published":"2030-01-01"}\n')
    report = index_paths([corpus], tmp_path / "ix")
    assert report.articles_indexed == 1
    app = create_app({"INDEX_DIR": str(tmp_path / "ix"), "INSTANCE_PATH": str(tmp_path / "inst"),
                      "TESTING": True})
    client = app.test_client()
    page = client.get("/?q=zebra")
    assert page.status_code == 200
    assert "lone \ufffd surrogate zebra" in page.get_data(as_text=True)
    [hit] = client.get("/api/search?q=zebra").get_json()["hits"]
    assert client.get(f"/articles/{hit['id']}").status_code == 200


@pytest.mark.parametrize("name, content", [
    ("entities.html", "<html><head><title>Lone &#xD800; title</title>"
     "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": "
     "\"Lone \\ud800 headline\", \"author\": {\"name\": \"Ana \\udfff\"}}</script></head>"
     "<body><article><h1>Lone</h1><p>A paragraph &#xD800; with a lone surrogate and "
     "a NUL &#0; in it, long enough to be the article's body.</p></article></body></html>"),
    ("entities.sgm", '<REUTERS NEWID="1"><DATE>26-FEB-1987 15:01:01.79</DATE><PLACES>'
     '<D>Lone &#xD800;</D></PLACES><TEXT><TITLE>LONE &#xD800; TITLE</TITLE>'
     '<BODY>Body &#55296; text &#0;.</BODY></TEXT></REUTERS>'),
    ("controls.txt", "Title \x01 with a control\n\nBody \x02 text \x7f here, "
     + "and more text. " * 20),
])
def test_every_reader_gives_valid_text(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [article] = [a for a in read_file(path, f"t/{name}", str(path)) if not isinstance(a, ReadError)]
    assert_valid(article)


def test_a_file_name_that_is_not_utf8_gives_valid_text(tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    shutil.copy(SEED, path)
    [article] = read_file(path, f"t/{path.name}", str(path))
    assert_valid(article)
    assert "caf\ufffd.txt" in article.source


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_batch_goes_on(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(SEED, root / "good.txt")
    shutil.copy(SEED, Path(os.fsdecode(bytes(root) + b"/caf\xe9.txt")))
    report = index_paths([root], tmp_path / "ix")
    [skipped] = report.skipped
    assert skipped.source.endswith("caf\ufffd.txt") and "not UTF-8" in skipped.reason
    assert report.files_indexed == 1


# -- damaged and binary files --------------------------------------------------------------


def test_a_nul_byte_in_json_lines_drops_only_its_line(tmp_path):
    path = tmp_path / "nul.jsonl"
    path.write_bytes(b'{"title": "First", "body": "one"}\n'
                     b'{"title": "Sec\x00ond", "body": "two"}\n'
                     + b"\x00" * 4096 + b"\n"  # a block zeroed by a crash
                     b'{"title": "Third", "body": "three"}\n')
    items = list(read_file(path, "t/nul.jsonl", str(path)))
    assert [a.title for a in items if not isinstance(a, ReadError)] == ["First", "Third"]
    errors = [e for e in items if isinstance(e, ReadError)]
    assert [(e.source.rsplit("#", 1)[1], e.reason) for e in errors] == [
        ("2", "NUL byte in the line"), ("3", "NUL byte in the line")]


@pytest.mark.parametrize("name", ["photo.html", "photo.txt", "photo.jsonl", "photo.sgm"])
def test_binary_data_without_nul_bytes_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(LAUGHS.encode() * 50).replace(b"\x00", b""))
    with pytest.raises(UnreadableFile, match="binary"):
        list(read_file(path, f"t/{name}", str(path)))
