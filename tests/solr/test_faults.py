"""Faults on SolrCloud: with 2 shards and replication factor 2 on the 2-node dev cluster, a
node dies while readers search and while the indexer writes.

- Searches keep answering, with the whole archive's counts (every shard still has a live
  replica; the engine moves to the node that answers).
- The indexer rides it out (or, if a run fails, the next run finishes the job), nothing
  committed is lost, and the node that was down catches up: once it is back, it alone
  serves the whole archive while the other node is down in turn.

A node is "killed" by stopping its Jetty: its connections close and ZooKeeper sees it go,
as when a process dies; all nodes share one JVM, so there is no process to kill -9.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from searchapp.model import Article, Tag
from searchapp.search import ENGINES, EngineConfig, SearchRequest, open_engine

from ..conftest import write_kill_corpus
from .test_cluster import get_json

pytestmark = [pytest.mark.solr, pytest.mark.slow]

RECOVERY_SECONDS = 120


@pytest.fixture
def archive(request, monkeypatch):
    """A fresh archive on the cluster, 2 shards x 2 replicas, configured as a deployment is
    (the environment), every collection replicated to both nodes; dropped afterwards."""
    if "solr" not in ENGINES:
        pytest.skip("the Solr engine is not on this branch (searchapp.search.solr, registered "
                    "as 'solr' in searchapp.search.ENGINES)")
    solr_cluster = request.getfixturevalue("solr_cluster")  # only once there is an engine
    for name, value in {"SEARCHAPP_ENGINE": "solr", "SEARCHAPP_ENGINE_URL": ",".join(solr_cluster.nodes),
                        "SEARCHAPP_ENGINE_COLLECTION": f"faults-{uuid.uuid4().hex[:8]}",
                        "SEARCHAPP_SOLR_SHARDS": "2", "SEARCHAPP_SOLR_REPLICAS": "2"}.items():
        monkeypatch.setenv(name, value)
    engine = open_engine(EngineConfig.from_env())
    replicate_everywhere(solr_cluster)
    yield engine
    for n in range(len(solr_cluster.nodes)):
        solr_cluster.start_node(n)  # a test that failed half-way leaves none down
    wait_until_active(solr_cluster)
    engine.drop()


@pytest.fixture
def cluster(archive, request):
    """The session's cluster, asked for after `archive`: a run without the engine skips
    before starting a JVM (a session fixture named by a test would start first)."""
    return request.getfixturevalue("solr_cluster")


# -- the cluster's state, read over Solr's Collections API -------------------------------------


def cluster_status(cluster) -> dict:
    url = cluster.live_nodes[0]
    return get_json(f"{url}/admin/collections?action=CLUSTERSTATUS&wt=json")["cluster"]


def node_index(cluster, node_name: str) -> int:
    """The dev cluster's index of a node named as ZooKeeper names it, 127.0.0.1:PORT_solr."""
    port = node_name.split(":")[1].split("_")[0]
    return next(n for n, url in enumerate(cluster.nodes) if url.endswith(f":{port}/solr"))


def replicas(cluster) -> list[tuple[str, str, dict]]:
    """(collection, shard, replica) for every replica of the cluster."""
    return [(c, s, r) for c, coll in cluster_status(cluster)["collections"].items()
            for s, shard in coll["shards"].items() for r in shard["replicas"].values()]


def replicate_everywhere(cluster) -> None:
    """Give every shard of every collection a replica on each node: the archive has them
    already (replication factor 2); the engine's own small collections may not."""
    status = cluster_status(cluster)
    for name, coll in status["collections"].items():
        for shard_name, shard in coll["shards"].items():
            held = {r["node_name"] for r in shard["replicas"].values()}
            for node in set(status["live_nodes"]) - held:
                get_json(f"{cluster.nodes[0]}/admin/collections?action=ADDREPLICA&wt=json"
                         f"&collection={name}&shard={shard_name}&node={node}")
    wait_until_active(cluster)


def wait_until_active(cluster) -> None:
    """Until every replica is active on a live node (a restarted node has recovered)."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        live = set(cluster_status(cluster)["live_nodes"])
        waiting = [(c, s, r["state"]) for c, s, r in replicas(cluster)
                   if r["state"] != "active" or r["node_name"] not in live]
        if not waiting:
            return
        assert time.monotonic() < deadline, f"replicas not active: {waiting}"
        time.sleep(0.5)


def shard_leader(cluster, collection: str) -> int:
    """The node leading the archive's first shard: killing it forces an election."""
    status = cluster_status(cluster)
    real = status.get("aliases", {}).get(collection, collection).split(",")[0]
    shard = status["collections"][real]["shards"]["shard1"]
    assert {node_index(cluster, r["node_name"]) for r in shard["replicas"].values()} == {0, 1}
    return next(node_index(cluster, r["node_name"]) for r in shard["replicas"].values()
                if r.get("leader") == "true")


# -- searching ----------------------------------------------------------------------------------


def article(n: int) -> Article:
    countries = ["FR", "DE", "US"][n % 3:n % 3 + 1] + (["JP"] if n % 4 == 0 else [])
    tags = [Tag("country", c, c, "auto") for c in countries]
    return Article(id=f"fault-{n}", source=f"faults/{n}.txt", title=f"Grain report {n}",
                   body=f"Wheat and maize shipments, week {n}. Prices held.",
                   published=f"1987-{n % 12 + 1:02d}-15", tags=tags)


def faceted(engine):
    result = engine.search(SearchRequest(query="wheat", filters={"country": ("FR", "JP")},
                                         per_page=5))
    return result.total, {f: [(c.value, c.count) for c in counts]
                          for f, counts in result.facets.items()}, result.dates


def test_searches_keep_answering_while_a_node_dies(archive, cluster):
    writer = archive.writer()
    for n in range(40):
        writer.replace_file(f"/faults/{n}.txt", f"hash{n}", [article(n)])
    writer.commit()
    expected = faceted(archive)
    assert expected[0] == len([n for n in range(40) if n % 3 == 0 or n % 4 == 0])
    victim = shard_leader(cluster, os.environ["SEARCHAPP_ENGINE_COLLECTION"])
    answers: list[tuple[float, object]] = []
    errors: list[str] = []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                answers.append((time.monotonic(), faceted(archive)))
            except Exception as e:  # counted: the test fails on any
                errors.append(repr(e))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        wait_for(lambda: errors or len(answers) >= 5)
        cluster.stop_node(victim)
        down = time.monotonic()
        wait_for(lambda: errors or len([t for t, _ in answers if t > down]) >= 20)
    finally:
        cluster.start_node(victim)
        done.set()
        thread.join(120)
    assert errors == []
    assert [a for _, a in answers if a != expected] == []
    assert len([t for t, _ in answers if t > down]) >= 20


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# -- indexing -----------------------------------------------------------------------------------


def per_file(engine) -> Counter:
    return Counter({Path(f).name: n for f, n in engine.articles_per_file().items()})


def expected_per_file(root: Path) -> Counter:
    return Counter({p.name: 3 if p.suffix == ".sgm" else 1 for p in root.iterdir()})


def test_the_indexer_rides_out_a_node_dying_and_nothing_committed_is_lost(
        archive, cluster, tmp_path):
    from searchapp.ingest import index_paths

    root = tmp_path / "corpus"
    total = write_kill_corpus(root)
    victim = shard_leader(cluster, os.environ["SEARCHAPP_ENGINE_COLLECTION"])
    halfway, stopped = threading.Event(), threading.Event()
    timeline: dict[str, Any] = {}

    def paced(stream, length):
        """Files reach the writer one by one: the node dies after the first ten, and the
        last five are written only once it is down."""
        for n, item in enumerate(stream):
            if n == 10:
                halfway.set()
            if n == length - 5:
                assert stopped.wait(RECOVERY_SECONDS)
            if n >= 10:
                time.sleep(0.2)
            timeline["last file"] = time.monotonic()
            yield item

    def run():
        try:
            timeline["report"] = index_paths([root], tmp_path / "ix", workers=1, commit_every=2,
                                             progress=paced)
        except Exception as e:  # the next run must finish the job
            timeline["failure"] = e

    indexer = threading.Thread(target=run, daemon=True)
    indexer.start()
    try:
        assert halfway.wait(RECOVERY_SECONDS)
        committed = per_file(archive)
        cluster.stop_node(victim)
        timeline["stopped"] = time.monotonic()
        stopped.set()
        indexer.join(300)
        assert not indexer.is_alive()
        if "failure" in timeline:  # the indexer resumes: the next run finishes the job
            resumed = index_paths([root], tmp_path / "ix", workers=1, commit_every=2)
            assert resumed.files_indexed > 0  # with the node down
        else:  # it rode it out, writing its last files with the node down
            assert timeline["last file"] > timeline["stopped"]
        # Everything committed before the node died is still there, and everything now is.
        after = per_file(archive)
        assert committed and all(after[f] == n for f, n in committed.items())
        assert after == expected_per_file(root) and archive.doc_count() == total
    finally:
        stopped.set()
        cluster.start_node(victim)
    # The node that was down has caught up: alone, it serves the whole archive.
    wait_until_active(cluster)
    other = 1 - victim
    cluster.stop_node(other)
    try:
        assert per_file(archive) == expected_per_file(root) and archive.doc_count() == total
    finally:
        cluster.start_node(other)
