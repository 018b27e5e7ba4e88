"""The demo's parameters (``parameters.json``) and the seeded sampler that draws from them.

``parameters.json`` is written by ``scripts/derive_demo_parameters.py`` from the real files; the
generator reads nothing else. Distributions are stored as quantiles at ``quantile_levels`` (drawn
by inverse transform, linear between two levels) or as ``[value, count]`` frequencies.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

DEFAULT_SEED = 2024
"""The seed of ``tremplin demo`` when none is given: the same seed always gives the same files."""

T = TypeVar("T")

Parameters = dict[str, Any]


def load_parameters(path: Path | None = None) -> Parameters:
    """The parameters shipped with the package, or those of the file at ``path``."""
    if path is None:
        text = resources.files("tremplin.demo").joinpath("parameters.json").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    parameters: Parameters = json.loads(text)
    return parameters


class Sampler:
    """A seeded random source with the few draws the generator needs.

    Every draw goes through one :class:`random.Random`, so a seed fixes every file byte for byte.
    """

    def __init__(self, seed: int, levels: Sequence[float]) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self._levels = list(levels)

    def child(self, name: str) -> Sampler:
        """An independent sampler for one part of the work, fixed by the seed and ``name``.

        Each file draws from its own child, so changing how one file is drawn leaves the
        others' bytes as they were.
        """
        digest = hashlib.sha256(f"{self._seed}:{name}".encode()).digest()
        return Sampler(int.from_bytes(digest[:8], "big"), self._levels)

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        return self._random.uniform(low, high)

    def chance(self, probability: float) -> bool:
        return self._random.random() < probability

    def gauss(self, sigma: float) -> float:
        return self._random.gauss(0.0, sigma)

    def integer(self, low: int, high: int) -> int:
        """An integer between ``low`` and ``high``, both included."""
        return self._random.randint(low, high)

    def pick(self, items: Sequence[T]) -> T:
        return self._random.choice(items)

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        return self._random.choices(items, weights=weights, k=1)[0]

    def shuffle(self, items: list[T]) -> None:
        self._random.shuffle(items)

    def quantile(self, points: Sequence[float], low: float = 0.0, high: float = 1.0) -> float:
        """A draw from the distribution whose quantiles at the parameters' levels are ``points``.

        ``low`` and ``high`` restrict the draw to a band of the distribution (0.5–1: upper half).
        """
        top = self._levels[-1]
        u = self._random.uniform(low * top, high * top)
        for i in range(1, len(self._levels)):
            if u <= self._levels[i]:
                span = self._levels[i] - self._levels[i - 1]
                share = (u - self._levels[i - 1]) / span if span else 0.0
                return points[i - 1] + (points[i] - points[i - 1]) * share
        return points[-1]

    def frequency(self, table: Sequence[Sequence[int]]) -> int:
        """A value of a ``[[value, count], …]`` table, drawn with probability ∝ its count."""
        values = [row[0] for row in table]
        counts = [row[1] for row in table]
        return self._random.choices(values, weights=counts, k=1)[0]


def median(points: Sequence[float], levels: Sequence[float]) -> float:
    """The median of a distribution stored as quantiles at ``levels``."""
    for i, level in enumerate(levels):
        if level == 0.5:
            return float(points[i])
    raise ValueError("les quantiles n'ont pas de médiane")
