"""Grades and boursier status of generated pupils, from documented distributions.

- Each pupil has a level ``m ~ N(mean, sd_pupil)``, clipped to [0, 20]; its grade in each
  *champ disciplinaire* is ``m + N(0, sd_champ)``, clipped to [0, 20] (so grades of one pupil
  are correlated, as report cards are).
- A pupil is boursier with probability ``boursier_rate``, independently of its grades (about a
  quarter of collégiens are boursiers: DEPP, *Repères et références statistiques*).

The defaults (12, 3, 2, 25 %) are round figures of the DNB's contrôle continu, not a fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["GradeModel", "draw_boursiers", "draw_grades"]


@dataclass(frozen=True)
class GradeModel:
    """Parameters of the grades (out of 20) and of the boursier flag."""

    mean: float = 12.0
    sd_pupil: float = 3.0
    sd_champ: float = 2.0
    boursier_rate: float = 0.25

    def __post_init__(self) -> None:
        if self.sd_pupil < 0 or self.sd_champ < 0:
            raise ValueError("les écarts-types des notes doivent être positifs")
        if not 0 <= self.boursier_rate <= 1:
            raise ValueError("la part de boursiers doit être comprise entre 0 et 1")


def draw_grades(
    rng: np.random.Generator, n_pupils: int, n_champs: int, model: GradeModel
) -> NDArray[np.float64]:
    """A (pupils × champs) array of grades in [0, 20]."""
    level = np.clip(rng.normal(model.mean, model.sd_pupil, n_pupils), 0.0, 20.0)
    noise = rng.normal(0.0, model.sd_champ, (n_pupils, n_champs))
    return np.asarray(np.clip(level[:, None] + noise, 0.0, 20.0), dtype=np.float64)


def draw_boursiers(rng: np.random.Generator, n_pupils: int, model: GradeModel) -> NDArray[np.bool_]:
    """Whether each pupil is boursier."""
    return np.asarray(rng.random(n_pupils) < model.boursier_rate, dtype=np.bool_)
