"""The SolrCloud engine behind the search interface (`SEARCHAPP_ENGINE=solr`).

- `configset/conf`: the collection's schema (the Whoosh schema's fields and analysis) and
  solrconfig (edismax, unified highlighting, spellcheck, more-like-this).
- `client`: httpx against Solr's HTTP APIs, with failover between the given nodes.
- `admin`: configset upload, collections and the alias that names the archive.
- `lease`: the write lock and the journal marks, in the cluster's meta collection.
- `documents`: articles to and from Solr documents.
- `analysis`, `translation`: requests as Solr parameters, answers as results.
- `engine`: the engine and its writer, rebuild-and-swap, snapshot and restore.

Configured by SEARCHAPP_ENGINE_URL (one or more node base URLs, comma-separated, e.g.
http://127.0.0.1:8983/solr), SEARCHAPP_ENGINE_COLLECTION (default "searchapp"), and, for a
collection it creates, SEARCHAPP_SOLR_SHARDS (default 2) and SEARCHAPP_SOLR_REPLICAS
(default 1).
"""

from __future__ import annotations

import os

from .client import Nodes, SolrError
from .engine import DEFAULT_REPLICAS, DEFAULT_SHARDS, SolrEngine, SolrWriter

DEFAULT_URL = "http://127.0.0.1:8983/solr"
DEFAULT_COLLECTION = "searchapp"

__all__ = ["SolrEngine", "SolrWriter", "open_solr", "solr_problem"]


def node_urls(url: str | None) -> list[str]:
    return [u.strip() for u in (url or DEFAULT_URL).split(",") if u.strip()]


def open_solr(config) -> SolrEngine:
    """The engine an EngineConfig describes (`url`, `collection`, `create`)."""
    return SolrEngine(node_urls(config.url), config.collection or DEFAULT_COLLECTION,
                      create=config.create,
                      shards=int(os.environ.get("SEARCHAPP_SOLR_SHARDS") or DEFAULT_SHARDS),
                      replicas=int(os.environ.get("SEARCHAPP_SOLR_REPLICAS") or DEFAULT_REPLICAS))


def solr_problem(config) -> str | None:
    """Why the archive cannot be served (one line), or None: no node answering is one;
    no collection yet is none (it is created empty)."""
    urls = node_urls(config.url)
    try:
        Nodes(urls, retry_seconds=2.0).get("/admin/collections", {"action": "LIST"})
    except SolrError as e:
        return f"the Solr cluster at {', '.join(urls)} cannot be reached: {e}"
    return None
