"""Sortable table headers that work without JavaScript: each header is a link to the same page
sorted by its column (``tri``, ``ordre`` in the query string), and the sorted column says so
with ``aria-sort``."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass

from tremplin.diagnostic.selection import Sort


@dataclass(frozen=True)
class SortLinks:
    """The headers' links of one table: ``address(column, order)`` gives the page sorted so;
    ``numbers`` are the columns sorted largest first on a first click (the others A to Z)."""

    current: Sort | None
    address: Callable[[str, str], str]
    numbers: Container[str]

    def link(self, name: str) -> str:
        """The page sorted by ``name``: the other way round when it is already."""
        return self.address(name, self.next_order(name))

    def next_order(self, name: str) -> str:
        if self.current is not None and self.current.column == name:
            return "asc" if self.current.descending else "desc"
        return "desc" if name in self.numbers else "asc"

    def state(self, name: str) -> str | None:
        """``aria-sort`` of the header of ``name``: ascending, descending, or none."""
        if self.current is None or self.current.column != name:
            return None
        return "descending" if self.current.descending else "ascending"

    def hint(self, name: str) -> str:
        """What following the link does, for a screen reader."""
        if self.next_order(name) == "desc":
            return "trier du plus grand au plus petit" if name in self.numbers else "trier de Z à A"
        return "trier du plus petit au plus grand" if name in self.numbers else "trier de A à Z"
