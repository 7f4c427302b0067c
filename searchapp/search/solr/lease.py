"""The write lock and the journal marks, kept in the cluster's meta collection.

One writer at a time per archive (an indexer, or a librarian's edit), across processes
and machines: the lock is a record `lock:<alias>` written with Solr's optimistic
concurrency (`_version_` -1: "only if there is none"; `_version_` N: "only if it is still
the one I read"), which Solr checks on the shard leader, before any commit. The holder
renews it every LEASE_SECONDS / 3 from a background thread; a killed holder's lease runs
out and the next writer takes it over, as a killed Whoosh indexer's file lock goes with
its process. It names the alias, not the collection behind it, so a rebuild's swap and a
librarian's edit exclude each other.

The journal mark of a collection (the last curation entry it has applied) is the record
`journal:<collection>`: a rebuilt or restored collection has its own, 0 until set.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

from .. import IndexLocked
from .admin import META_COLLECTION, cluster_status, collections, create_collection
from .client import Nodes, SolrError

LEASE_SECONDS = 60.0
POLL_SECONDS = 0.2
_CONFLICT = 409


def ensure_meta(nodes: Nodes, replicas: int) -> None:
    """Create the meta collection if there is none: a copy on every live node (up to 3),
    so the lock outlives the loss of a node even where the archive has one replica."""
    if META_COLLECTION not in collections(nodes):
        live = len(cluster_status(nodes).get("live_nodes", []))
        try:
            create_collection(nodes, META_COLLECTION, shards=1,
                              replicas=max(replicas, min(live, 3)))
        except SolrError as e:  # made by another process meanwhile
            if "already exists" not in str(e):
                raise


def read(nodes: Nodes, record: str) -> dict | None:
    """A record as last written (real-time get: no commit needed)."""
    return nodes.get(f"/{META_COLLECTION}/get", {"id": record}).get("doc")


def write(nodes: Nodes, doc: dict, version: int | None = None) -> int | None:
    """Write a record; with `version`, only over that version (-1: only if there is none).
    Returns the new version, or None when another process wrote first."""
    doc = dict(doc, **({"_version_": version} if version is not None else {}))
    try:
        answer = nodes.post(f"/{META_COLLECTION}/update", {"versions": "true"},
                            json_body={"add": {"doc": doc}})
    except SolrError as e:
        if e.status == _CONFLICT:
            return None
        raise
    return int(answer["adds"][1])


def journal_of(nodes: Nodes, collection: str) -> int:
    doc = read(nodes, f"journal:{collection}")
    return int(doc["journal"]) if doc else 0


def set_journal(nodes: Nodes, collection: str, change: int) -> None:
    write(nodes, {"id": f"journal:{collection}", "journal": int(change)})


class WriteLock:
    """The archive's write lock, held from `acquire` to `release`."""

    def __init__(self, nodes: Nodes, alias: str):
        self.nodes, self.record = nodes, f"lock:{alias}"
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._version: int | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self, wait: float) -> WriteLock:
        """Take the lock, waiting up to `wait` seconds for its holder (IndexLocked)."""
        deadline = time.monotonic() + wait
        while not self._take():
            if time.monotonic() > deadline:
                holder = (read(self.nodes, self.record) or {}).get("lease_holder", "?")
                raise IndexLocked(f"another process ({holder}) is writing to the archive")
            time.sleep(POLL_SECONDS)
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, daemon=True)
        self._renewer.start()
        return self

    def _take(self) -> bool:
        current = read(self.nodes, self.record)
        if current is not None and current.get("lease_holder") and \
                current.get("lease_until", 0) > time.time() * 1000:
            return False
        expected = -1 if current is None else int(current["_version_"])
        self._version = write(self.nodes, self._lease(), expected)
        return self._version is not None

    def _lease(self, holder: str | None = None) -> dict:
        until = int((time.time() + LEASE_SECONDS) * 1000) if holder is None else 0
        return {"id": self.record, "lease_holder": self.holder if holder is None else holder,
                "lease_until": until}

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_SECONDS / 3):
            try:
                version = write(self.nodes, self._lease(), self._version)
            except SolrError:  # a node is down: the next beat tries again
                continue
            if version is None:  # taken over: this holder went silent too long
                return
            self._version = version

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if self._version is not None:
            write(self.nodes, self._lease(holder=""), self._version)
            self._version = None


class NoLock:
    """A collection nobody else writes to (a rebuild's new collection)."""

    def acquire(self, wait: float) -> NoLock:
        return self

    def release(self) -> None:
        pass
