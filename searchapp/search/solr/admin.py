"""The cluster's side of a collection: the configset, collections and aliases, through
Solr's Configsets and Collections APIs.

The engine's collection name is an alias to a real collection (`<name>__<host>-<pid>-<n>`):
a rebuild or a restore fills a new collection and moves the alias to it in one step, as
Whoosh swaps a folder in. The configset is uploaded under a name that carries a hash of
its files, so a changed configset is a new one and collections made with the old keep it.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import zipfile
from pathlib import Path

from .client import Nodes, SolrError

CONFSET_DIR = Path(__file__).resolve().parent / "configset" / "conf"
# Where the engine keeps its write lock and each collection's journal mark (see `lease`):
# one small collection per cluster, beside the archives.
META_COLLECTION = "searchapp-meta"
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9._-]")


def configset_name() -> str:
    digest = hashlib.sha256()
    for path in sorted(CONFSET_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(CONFSET_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return f"searchapp-{digest.hexdigest()[:12]}"


def configset_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(CONFSET_DIR.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(CONFSET_DIR).as_posix())
    return buffer.getvalue()


def ensure_configset(nodes: Nodes) -> str:
    """Upload the configset unless the cluster has it; its name."""
    name = configset_name()
    if name not in nodes.get("/admin/configs", {"action": "LIST"}).get("configSets", []):
        try:
            nodes.post("/admin/configs", {"action": "UPLOAD", "name": name},
                       content=configset_zip(), content_type="application/octet-stream")
        except SolrError as e:  # another process uploaded it meanwhile
            if "already exists" not in str(e):
                raise
    return name


def cluster_status(nodes: Nodes) -> dict:
    return nodes.get("/admin/collections", {"action": "CLUSTERSTATUS"})["cluster"]


def collections(nodes: Nodes) -> list[str]:
    return nodes.get("/admin/collections", {"action": "LIST"}).get("collections", [])


def aliases(nodes: Nodes) -> dict[str, str]:
    return nodes.get("/admin/collections", {"action": "LISTALIASES"}).get("aliases", {})


def create_collection(nodes: Nodes, name: str, shards: int, replicas: int,
                      router_field: str | None = None) -> None:
    """`router_field`: documents with the same value of it go to the same shard."""
    params = {"action": "CREATE", "name": name, "numShards": shards,
              "replicationFactor": replicas, "collection.configName": ensure_configset(nodes),
              "waitForFinalState": "true"}
    if router_field:
        params["router.field"] = router_field
    nodes.post("/admin/collections", params)


def delete_collection(nodes: Nodes, name: str) -> None:
    try:
        nodes.post("/admin/collections", {"action": "DELETE", "name": name})
    except SolrError as e:
        if "Could not find collection" not in str(e):
            raise


def point_alias(nodes: Nodes, alias: str, collection: str) -> None:
    """Make `alias` name `collection` (created or moved in one step)."""
    nodes.post("/admin/collections", {"action": "CREATEALIAS", "name": alias,
                                      "collections": collection})


def delete_alias(nodes: Nodes, alias: str) -> None:
    nodes.post("/admin/collections", {"action": "DELETEALIAS", "name": alias})


def new_collection_name(alias: str, pid: int, n: int) -> str:
    """`<alias>__<host>-<pid>-<n>`: the host and process that made it tell whether a
    collection left behind belongs to a dead process (see `leftover_owner`)."""
    host = _NOT_A_NAME.sub("-", socket.gethostname())[:40]
    return f"{alias}__{host}-{pid}-{n}"


def leftover_owner(alias: str, collection: str) -> int | None:
    """The pid that made `collection` for `alias` on this host, or None (another host's,
    or not one of ours)."""
    host = _NOT_A_NAME.sub("-", socket.gethostname())[:40]
    m = re.fullmatch(rf"{re.escape(alias)}__{re.escape(host)}-(\d+)-\d+", collection)
    return int(m.group(1)) if m else None
