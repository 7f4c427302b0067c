"""Hostile files: each is refused or read safely, reported, and the batch goes on."""

from __future__ import annotations

import gzip
import shutil

from searchapp.ingest import index_paths
from searchapp.readers import MAX_FILE_BYTES
from searchapp.search import SearchRequest
from searchapp.search import EngineConfig, open_engine

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
