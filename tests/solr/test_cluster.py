"""The SolrCloud dev cluster itself (solr/ and searchapp.search.solr.cluster): it starts, its
nodes answer over HTTP as one SolrCloud, and a node can be stopped and started again, which
the fault tests rely on."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from searchapp.cli import _solr_dev_notice, main
from searchapp.search.solr.cluster import MARKER, DevCluster, SolrUnavailable, missing_tools

pytestmark = pytest.mark.solr


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def live_nodes(node_url: str) -> list[str]:
    status = get_json(f"{node_url}/admin/collections?action=CLUSTERSTATUS&wt=json")
    return sorted(status["cluster"]["live_nodes"])


def test_both_nodes_answer_as_one_solrcloud(solr_cluster):
    assert len(solr_cluster.nodes) == 2 and solr_cluster.up == [True, True]
    assert solr_cluster.zk.startswith("127.0.0.1:")
    for url in solr_cluster.nodes:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/solr")
        info = get_json(f"{url}/admin/info/system?wt=json")
        assert info["mode"] == "solrcloud"
        assert info["lucene"]["solr-spec-version"].startswith("9.10.1")
    assert len(live_nodes(solr_cluster.nodes[0])) == 2


def test_a_stopped_node_leaves_the_cluster_and_comes_back_on_its_url(solr_cluster):
    url = solr_cluster.nodes[1]
    solr_cluster.stop_node(1)
    try:
        assert solr_cluster.up == [True, False] and solr_cluster.live_nodes == solr_cluster.nodes[:1]
        with pytest.raises(urllib.error.URLError):
            get_json(f"{url}/admin/info/system?wt=json")
        assert len(live_nodes(solr_cluster.nodes[0])) == 1
    finally:
        solr_cluster.start_node(1)
    assert solr_cluster.up == [True, True] and solr_cluster.nodes[1] == url
    assert get_json(f"{url}/admin/info/system?wt=json")["mode"] == "solrcloud"
    assert len(live_nodes(solr_cluster.nodes[0])) == 2


def test_a_bad_command_is_refused_and_the_cluster_keeps_serving(solr_cluster):
    with pytest.raises(SolrUnavailable, match="stop"):
        solr_cluster.stop_node(7)
    assert solr_cluster.running and solr_cluster.up == [True, True]


def test_without_java_the_reason_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no mvn
    assert "java is not installed" in (missing_tools() or "")
    with pytest.raises(SolrUnavailable, match="java is not installed"):
        DevCluster().start()


def test_outside_a_checkout_the_reason_is_given(tmp_path):
    assert "not here" in (missing_tools(tmp_path / "solr") or "")


def test_a_folder_with_other_data_is_not_wiped(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SolrUnavailable, match="not empty"):
        DevCluster(base_dir=tmp_path).start()
    assert (tmp_path / "notes.txt").read_text() == "mine" and not (tmp_path / MARKER).exists()



def test_solr_dev_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["solr-dev"])
    assert result.exit_code == 1 and "java is not installed" in result.output


def test_solr_dev_tells_how_to_serve_on_the_cluster(solr_cluster):
    notice = _solr_dev_notice(solr_cluster)
    assert "export SEARCHAPP_ENGINE=solr\n" in notice
    assert f"export SEARCHAPP_ENGINE_URL={','.join(solr_cluster.nodes)}\n" in notice
    assert solr_cluster.zk in notice
