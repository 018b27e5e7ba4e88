"""Caches of the web layer, tied to the state of the store: a small thread-safe LRU of computed
results (:class:`Memo`), and the rendered responses of pages and API calls
(:class:`ResponseCache`), both forgetting everything when the store's fingerprint changes."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import polars as pl
from starlette.responses import Response

T = TypeVar("T")


class Memo:
    """A thread-safe LRU of computed results; forgets everything when the facts change.

    It keeps at most ``size`` results and, when ``weight`` is given, results weighing at most
    ``budget`` in all.
    """

    def __init__(
        self, size: int, weight: Callable[[Any], int] | None = None, budget: int = 0
    ) -> None:
        self._size = size
        self._weight = weight
        self._budget = budget
        self._weights: dict[Hashable, int] = {}
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._fingerprint = ""
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def weight(self) -> int:
        """What the kept results weigh in all (0 without a ``weight`` function)."""
        with self._lock:
            return sum(self._weights.values())

    def get(self, fingerprint: str, key: Hashable, compute: Callable[[], T]) -> T:
        while True:
            with self._lock:
                if fingerprint != self._fingerprint:
                    self._items.clear()
                    self._weights.clear()
                    self._fingerprint = fingerprint
                if key in self._items:
                    self._items.move_to_end(key)
                    found: T = self._items[key]
                    return found
                pending = self._pending.get(key)
                if pending is None:
                    # This request computes the result; the others asking for it wait.
                    done = self._pending[key] = threading.Event()
                    break
            # Then look again: the result is kept, or (failed, or not kept) computed here.
            pending.wait()
        try:
            value = compute()
            weight = self._weight(value) if self._weight else 0
            with self._lock:
                if fingerprint == self._fingerprint and not (
                    self._weight and weight > self._budget
                ):
                    self._items[key] = value
                    self._weights[key] = weight
                    while len(self._items) > self._size or (
                        self._weight and sum(self._weights.values()) > self._budget
                    ):
                        oldest, _ = self._items.popitem(last=False)
                        self._weights.pop(oldest, None)
            return value
        finally:
            with self._lock:
                if self._pending.get(key) is done:
                    del self._pending[key]
            done.set()


def weight_of(value: Any) -> int:
    """About how many bytes ``value`` holds: a frame's estimated size, a text's or bytes'
    length, containers' contents; what a cache weighs its results with."""
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size()) + 64
    if isinstance(value, str | bytes | bytearray):
        return len(value) + 64
    if isinstance(value, Mapping):
        return 64 + sum(weight_of(k) + weight_of(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 64 + sum(weight_of(v) for v in value)
    return sys.getsizeof(value)


def normalised_query(query: str) -> str:
    """A query string with its parameters in a stable order, so that ``?a=1&b=2`` and
    ``?b=2&a=1`` are kept once (a parameter's repeated values keep their order)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


RESPONSES_KEPT = 512
RESPONSES_BUDGET = 64 * 1024 * 1024
"""Rendered pages and API answers kept per application: at most this many, weighing at most
this many bytes in all (most weigh 10 to 200 kB)."""


class ResponseCache:
    """Responses kept as bytes, by key, until the fingerprint changes: a page or an API answer
    that is a function of its address and of the store only is computed once."""

    def __init__(self, size: int = RESPONSES_KEPT, budget: int = RESPONSES_BUDGET) -> None:
        self._memo = Memo(size, weight=lambda frozen: len(frozen[1]), budget=budget)

    def get(self, fingerprint: str, key: Hashable, build: Callable[[], Response]) -> Response:
        """The response ``build()`` gives for ``key`` (built once per ``fingerprint``)."""

        def frozen() -> tuple[int, bytes, dict[str, str]]:
            answer = build()
            return answer.status_code, bytes(answer.body), dict(answer.headers)

        status, body, headers = self._memo.get(fingerprint, key, frozen)
        return Response(body, status_code=status, headers=headers)
