"""The trade search for the web: one index per application, read by the pages and the API."""

from __future__ import annotations

from fastapi import Request

from tremplin.orientation.search import SearchIndex, TradeSearch


def search_index(request: Request) -> SearchIndex:
    """The search index of the application's store (built on first use, kept until a load)."""
    search: TradeSearch = request.app.state.trade_search
    return search.index()
