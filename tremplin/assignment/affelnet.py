"""Affelnet *barème*: a pupil's priority at each wish, from grades weighted per formation plus
bonuses.

Affelnet (entry to lycée, voie professionnelle and 2nde GT) ranks the pupils asking for a
formation by a barème that the académie sets (« guide Affelnet » of each académie):

- grades per *champ disciplinaire* (French, mathematics…), weighted by coefficients that depend on
  the formation (each formation belongs to a *groupe* with its own row of coefficients);
- points of the *socle* (the collège's assessment of competences), the same for every wish;
- bonuses: **secteur** (the pupil lives in the formation's sector), **boursier**, and **premier
  vœu** for a voie professionnelle formation placed first.

So ``score(p, w) = Σ_c coef[groupe(f), c] · note[p, c] + socle[p] + bonus_secteur · secteur[w]
+ bonus_boursier · boursier[p] + bonus_premier_voeu_pro · (w is p's first wish and f is voie pro)``.

The weights are data: :class:`Bareme` is read from a mapping (a TOML table), one per académie.
:data:`DEFAULT_BAREME` is an illustrative default, not the rule of any académie.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tremplin.assignment.instance import Instance
from tremplin.errors import InputError

__all__ = ["DEFAULT_BAREME", "Bareme", "bareme_scores"]

CHAMPS = (
    "francais",
    "mathematiques",
    "histoire_geographie",
    "langues_vivantes",
    "sciences_technologie",
    "arts",
    "eps",
)


@dataclass(frozen=True)
class Bareme:
    """An académie's barème: the *champs* (grade columns, in order), one row of coefficients per
    formation group, and the bonuses, all in points."""

    champs: tuple[str, ...]
    coefficients: Mapping[str, tuple[float, ...]]
    bonus_secteur: float = 0.0
    bonus_boursier: float = 0.0
    bonus_premier_voeu_pro: float = 0.0
    academie: str = ""
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.champs:
            raise InputError("barème : au moins un champ disciplinaire")
        if not self.coefficients:
            raise InputError("barème : au moins un groupe de coefficients")
        for group, row in self.coefficients.items():
            if len(row) != len(self.champs):
                raise InputError(
                    f"barème, groupe « {group} » : {len(row)} coefficients pour "
                    f"{len(self.champs)} champs"
                )
        self._rows.update({group: i for i, group in enumerate(self.coefficients)})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Bareme:
        """A barème from a mapping such as a TOML table::

        academie = "Grenoble"
        champs = ["francais", "mathematiques", ...]
        bonus_secteur = 1000
        bonus_boursier = 50
        bonus_premier_voeu_pro = 100
        [coefficients]
        production = [3, 4, 1, 1, 4, 1, 1]
        """
        try:
            return cls(
                champs=tuple(str(c) for c in data["champs"]),
                coefficients={
                    str(g): tuple(float(x) for x in row) for g, row in data["coefficients"].items()
                },
                bonus_secteur=float(data.get("bonus_secteur", 0.0)),
                bonus_boursier=float(data.get("bonus_boursier", 0.0)),
                bonus_premier_voeu_pro=float(data.get("bonus_premier_voeu_pro", 0.0)),
                academie=str(data.get("academie", "")),
            )
        except KeyError as missing:
            raise InputError(f"barème : clé {missing} manquante") from None
        except (TypeError, AttributeError):
            raise InputError("barème : champs ou coefficients mal formés") from None

    @classmethod
    def from_toml(cls, path: Path) -> Bareme:
        """A barème from a TOML file (the mapping of :meth:`from_mapping` at its top level)."""
        with path.open("rb") as handle:
            return cls.from_mapping(tomllib.load(handle))

    def group_index(self, groups: Sequence[str]) -> NDArray[np.int64]:
        """The row of coefficients of each formation, from its group name."""
        try:
            return np.array([self._rows[g] for g in groups], dtype=np.int64)
        except KeyError as unknown:
            raise InputError(f"barème : groupe de formations {unknown} inconnu") from None

    def matrix(self) -> NDArray[np.float64]:
        """Coefficients as a (groups × champs) matrix, rows in the order of ``coefficients``."""
        return np.array(list(self.coefficients.values()), dtype=np.float64)


DEFAULT_BAREME = Bareme(
    champs=CHAMPS,
    coefficients={
        # Illustrative rows: every champ counts once, production trainings weigh sciences and
        # mathematics more, service trainings French and languages.
        "general": (1, 1, 1, 1, 1, 1, 1),
        "production": (2, 3, 1, 1, 3, 1, 1),
        "services": (3, 2, 1, 3, 1, 1, 1),
    },
    bonus_secteur=1000.0,
    bonus_boursier=50.0,
    bonus_premier_voeu_pro=100.0,
    academie="illustratif",
)


def _per_wish(
    values: ArrayLike | None, size: int, dtype: type[np.generic], name: str
) -> NDArray[Any]:
    if values is None:
        return np.zeros(size, dtype=dtype)
    array = np.asarray(values, dtype=dtype)
    if array.shape != (size,):
        raise ValueError(f"{name} : {array.size} valeurs, {size} attendues")
    return array


def bareme_scores(
    instance: Instance,
    bareme: Bareme,
    grades: ArrayLike,
    formation_groups: Sequence[str],
    voie_pro: ArrayLike | None = None,
    secteur: ArrayLike | None = None,
    socle: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """The barème of every wish of ``instance`` (aligned with ``instance.wish_formations``).

    ``grades`` is a (pupils × champs) array, columns in ``bareme.champs`` order;
    ``formation_groups`` names each formation's coefficient row; ``voie_pro`` flags voie
    professionnelle formations (for the first-wish bonus); ``secteur`` flags wishes in the pupil's
    sector; ``socle`` gives each pupil's socle points. Boursiers are ``instance.boursier``.
    """
    notes = np.asarray(grades, dtype=np.float64)
    if notes.shape != (instance.n_pupils, len(bareme.champs)):
        raise ValueError(
            f"notes : tableau {notes.shape}, attendu ({instance.n_pupils}, {len(bareme.champs)})"
        )
    if len(formation_groups) != instance.n_formations:
        raise ValueError(f"{len(formation_groups)} groupes pour {instance.n_formations} formations")
    rows = bareme.group_index(formation_groups)
    # Weighted grades per pupil and group (few groups), then picked per wish: no W × champs array.
    weighted = notes @ bareme.matrix().T
    pupils, formations = instance.wish_pupils, instance.wish_formations
    scores = weighted[pupils, rows[formations]]
    scores += _per_wish(socle, instance.n_pupils, np.float64, "socle")[pupils]
    scores += bareme.bonus_secteur * _per_wish(secteur, instance.n_wishes, np.bool_, "secteur")
    scores += bareme.bonus_boursier * instance.boursier[pupils]
    pro = _per_wish(voie_pro, instance.n_formations, np.bool_, "voie_pro")
    scores += bareme.bonus_premier_voeu_pro * ((instance.wish_ranks == 0) & pro[formations])
    return np.asarray(scores, dtype=np.float64)
