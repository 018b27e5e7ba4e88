"""What the orientation pages and API read: the stored orientation frames, kept in memory
until the store changes (the diagnostic's check of the store's fingerprint decides)."""

from __future__ import annotations

import threading

from fastapi import Request

from tremplin.orientation.data import OrientationCache, OrientationData
from tremplin.orientation.near import prepare
from tremplin.orientation.place import Commune, find_commune
from tremplin.web.diagnostic.service import service

_LOCK = threading.Lock()


def orientation(request: Request) -> OrientationData:
    """The orientation frames of the application's store (built once per set of files)."""
    state = request.app.state
    cache: OrientationCache | None = getattr(state, "orientation", None)
    if cache is None:
        with _LOCK:
            cache = getattr(state, "orientation", None)
            if cache is None:
                cache = state.orientation = OrientationCache(state.engine, state.perimeter)
    return prepare(cache.get(service(request).facts().fingerprint))


def optional_commune(data: OrientationData, text: str | None) -> Commune | None:
    """The commune ``text`` names, or None when it is empty (raises NotFound when unknown)."""
    if text is None or not text.strip():
        return None
    return find_commune(data, text)
