"""Talking to a SolrCloud: httpx against Solr's HTTP APIs, with failover between nodes.

Any node of a SolrCloud answers for the whole cluster (it forwards to the shards' leaders
and replicas), so the engine is given one or more node addresses and moves to the next
when one does not answer. While a node is down, a shard may have no leader for the few
seconds of an election: Solr then answers 503, and the request is tried again until
RETRY_SECONDS have passed. Every request the engine sends may be sent twice (whole
documents by id, deletes, reads), so retrying is safe.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import httpx

# How long a request keeps trying other nodes, and the same one again, before it fails:
# long enough for a leader election after a node dies.
RETRY_SECONDS = 45.0
RETRY_PAUSE = 0.5
TIMEOUT = httpx.Timeout(60.0, connect=3.0)
# Answers that say "this node or shard cannot serve now", not "the request is wrong".
_UNAVAILABLE = {502, 503, 504}
_LOST = ("Connection refused", "No live SolrServers", "ConnectException",
         "Server refused connection", "Connection reset")


class SolrError(RuntimeError):
    """Solr refused a request; `status` is its HTTP status, the message Solr's."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(f"Solr answered {status}: {message}")


class SolrUnavailable(SolrError):
    """No node answered within RETRY_SECONDS."""


class Nodes:
    """The cluster's nodes (base URLs such as http://127.0.0.1:8983/solr)."""

    def __init__(self, urls: list[str], retry_seconds: float = RETRY_SECONDS):
        if not urls:
            raise ValueError("no Solr node address given")
        self.urls = [u.rstrip("/") for u in urls]
        self.retry_seconds = retry_seconds
        self._first = 0  # the node that answered last: tried first
        self._client: httpx.Client | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def client(self) -> httpx.Client:
        """One connection pool per process (a forked gunicorn worker opens its own)."""
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client = httpx.Client(timeout=TIMEOUT)
                self._pid = os.getpid()
            return self._client

    def get(self, path: str, params: Any = None) -> dict:
        return self.request("GET", path, params=params)

    def post(self, path: str, params: Any = None, data: Any = None, json_body: Any = None,
             content: bytes | str | None = None, content_type: str | None = None) -> dict:
        headers = {"Content-Type": content_type} if content_type else None
        if json_body is not None:
            content, headers = json.dumps(json_body), {"Content-Type": "application/json"}
        return self.request("POST", path, params=params, data=data, content=content,
                            headers=headers)

    def request(self, method: str, path: str, **kwargs) -> dict:
        """Solr's JSON answer; SolrError for a refusal, SolrUnavailable when no node
        answered in time."""
        deadline = time.monotonic() + self.retry_seconds
        last = "no node tried"
        while True:
            for n in range(len(self.urls)):
                index = (self._first + n) % len(self.urls)
                try:
                    answer = self.client().request(method, self.urls[index] + path, **kwargs)
                except httpx.TransportError as e:
                    last = f"{self.urls[index]}: {type(e).__name__} {e}"
                    continue
                if answer.status_code in _UNAVAILABLE or _node_lost(answer):
                    last = f"{self.urls[index]}: {_message(answer)}"
                    continue
                self._first = index
                if answer.status_code >= 400:
                    raise SolrError(answer.status_code, _message(answer))
                return answer.json()
            if time.monotonic() > deadline:
                raise SolrUnavailable(503, f"no Solr node answered ({last})")
            time.sleep(RETRY_PAUSE)


def _node_lost(answer: httpx.Response) -> bool:
    """A 500 saying that the node asked could not reach another (one went down during
    the request): worth asking again, unlike a 500 from a fault of Solr's own."""
    return answer.status_code == 500 and any(sign in _message(answer) for sign in _LOST)


def _message(answer: httpx.Response) -> str:
    try:
        error = answer.json().get("error", {})
        return str(error.get("msg") or error.get("trace", "")[:300] or answer.status_code)
    except ValueError:
        return answer.text[:300] or str(answer.status_code)
