"""Caches of the web layer, tied to the state of the store: a small thread-safe LRU of computed
results (:class:`Memo`), and the rendered responses of pages and API calls
(:class:`ResponseCache`), both forgetting everything when the store's fingerprint changes. The
responses are also shared with the other processes of the same store, running the same code
with the same settings (:class:`SharedResponses`): a page is computed once for all of them."""

from __future__ import annotations

import functools
import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import polars as pl
import sqlalchemy as sa
from starlette.responses import Response

import tremplin
from tremplin.store import shared_responses
from tremplin.store.derived import fingerprint as digest
from tremplin.store.shared_responses import StoredResponse

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

    def has(self, fingerprint: str, key: Hashable) -> bool:
        """Whether ``key``'s result is kept for ``fingerprint``."""
        with self._lock:
            return fingerprint == self._fingerprint and key in self._items

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


CODE_SUFFIXES = frozenset({".py", ".html", ".toml", ".css", ".js", ".json", ".svg"})
"""The package's files a rendered response may depend on (its code, templates, assets)."""


@functools.cache
def code_fingerprint() -> str:
    """A sha256 of the package's code, templates and own assets (not the vendored ones): two
    processes share responses only when they run the same code."""
    root = Path(tremplin.__file__).parent
    found = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix not in CODE_SUFFIXES or {"vendor", "__pycache__"} & set(path.parts):
            continue
        found.update(path.relative_to(root).as_posix().encode())
        found.update(path.read_bytes())
    return found.hexdigest()


class SharedResponses:
    """The responses of one store's processes that run the same code with the same settings
    (``context``: a digest of both), kept in the store (``store/shared_responses.py``)."""

    def __init__(self, engine: sa.Engine, context: str) -> None:
        self._engine = engine
        self._context = context

    def tag(self, fingerprint: str) -> str:
        """What every response shared under the store's ``fingerprint`` depends on."""
        return digest(fingerprint, self._context)

    def _key(self, fingerprint: str, key: Hashable) -> str:
        return digest(self.tag(fingerprint), repr(key))

    def read(self, fingerprint: str, key: Hashable) -> StoredResponse | None:
        return shared_responses.read(self._engine, self._key(fingerprint, key))

    def write(self, fingerprint: str, key: Hashable, response: StoredResponse) -> None:
        shared_responses.write(
            self._engine, self._key(fingerprint, key), self.tag(fingerprint), response
        )

    def forget_others(self, fingerprint: str) -> int:
        """Drop the responses of other files, code or settings (when a server starts)."""
        return shared_responses.forget_others(self._engine, self.tag(fingerprint))


class ResponseCache:
    """Responses kept as bytes, by key, until the fingerprint changes: a page or an API answer
    that is a function of its address and of the store only is computed once — once for every
    process of the store with ``shared``."""

    def __init__(
        self,
        size: int = RESPONSES_KEPT,
        budget: int = RESPONSES_BUDGET,
        shared: SharedResponses | None = None,
    ) -> None:
        self._memo = Memo(size, weight=lambda frozen: len(frozen.body), budget=budget)
        self.shared = shared

    def get(self, fingerprint: str, key: Hashable, build: Callable[[], Response]) -> Response:
        """The response ``build()`` gives for ``key`` (built once per ``fingerprint``)."""

        def frozen() -> StoredResponse:
            if self.shared is not None:
                found = self.shared.read(fingerprint, key)
                if found is not None:
                    return found
            answer = build()
            kept = StoredResponse(answer.status_code, dict(answer.headers), bytes(answer.body))
            if self.shared is not None:
                self.shared.write(fingerprint, key, kept)
            return kept

        kept = self._memo.get(fingerprint, key, frozen)
        return Response(kept.body, status_code=kept.status, headers=kept.headers)

    def has(self, fingerprint: str, key: Hashable) -> bool:
        """Whether ``key``'s response is kept in this process."""
        return self._memo.has(fingerprint, key)
