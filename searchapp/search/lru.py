"""One small least-recently-used cache, shared by threads, bounded by a total size.

Each item's size defaults to 1 (a bound on the number of items); the posting-list cache
gives its items' bytes instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class LRU:
    def __init__(self, max_size: int, size_of: Callable[[Any], int] = lambda _item: 1):
        self.max_size = max_size
        self._size_of = size_of
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, item) -> None:
        """Keep `item`; the least recently used go until the total fits (the newest stays)."""
        size = self._size_of(item)
        with self._lock:
            if key in self._items:
                return  # two threads loaded the same: both are right, the first stays
            self._items[key] = item
            self._size += size
            while self._size > self.max_size and len(self._items) > 1:
                _key, old = self._items.popitem(last=False)
                self._size -= self._size_of(old)

    def get_or_load(self, key: Hashable, load: Callable[[], object]):
        """The cached item, or `load()`'s (called outside the lock: a slow read does not
        hold up other threads)."""
        item = self.get(key)
        if item is None:
            item = load()
            self.put(key, item)
        return item

    def keys(self) -> list:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0
