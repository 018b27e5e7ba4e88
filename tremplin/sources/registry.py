"""Every dataset Tremplin reads, in the order files are tried when one is recognised."""

from __future__ import annotations

from tremplin.sources.spec import Dataset

DATASETS: tuple[Dataset, ...] = ()


def dataset(name: str) -> Dataset:
    """The dataset called ``name``."""
    for candidate in DATASETS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
