"""Scoring every pair (FAP 2009, FAP 2021) from their labels and codes, and the thresholds the
bridge chooses with."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import polars as pl

from tremplin.referentials.fap_bridge.labels import (
    class_of_number,
    classes_2021,
    qualification_2009,
    qualification_2021,
    rarity_weights,
    to_2021_shape,
    token_weight,
    tokens,
)

MIN_SCORE = 0.25  # below it, a FAP 2009 is left unmatched (its labels share too little)
SHARE_RATIO = 0.75  # a split target scores at least this share of the primary's score
SIBLING_RATIO = 0.5  # a suffixed sibling scores at least this share of the chosen code's score
REVERSE_MIN_SCORE = 0.5  # an unreached FAP 2021 takes its best FAP 2009 above this score
AMBIGUITY_MARGIN = 0.03  # two targets from different families this close cannot be told apart
FRAGILE_SCORE = 0.35  # a primary link below this score rests on few shared words


_PCS_SHARE = 0.5  # a FAP is defined by its PCS; its ROME labels are secondary evidence
_BAG_SHARE = 0.1  # share of the score given to « how much of the FAP 2021 label is explained »
_CLASS_FACTOR = 0.5
_QUALIFICATION_FACTOR = 0.6
_DOMAIN_FACTOR = 0.65
_CODE_BONUS = 0.1


def _containment(
    part: AbstractSet[str], whole: AbstractSet[str], weights: Mapping[str, float]
) -> float:
    """Weighted share of ``part`` found in ``whole``."""
    total = sum(token_weight(weights, t) for t in part)
    return sum(token_weight(weights, t) for t in part & whole) / total if total else 0.0


@dataclass(frozen=True)
class Family2009:
    code: str
    pcs: tuple[frozenset[str], ...]
    rome: tuple[frozenset[str], ...]
    bag: frozenset[str]  # every token of its labels


@dataclass(frozen=True)
class Code2021:
    code: str
    fap228: str
    own: frozenset[str]  # tokens of its own label
    words: frozenset[str]  # and of its 228-level parent's label
    classes: frozenset[str]
    qualification: str | None


class Scorer:
    """Scores of every (FAP 2009, FAP 2021) pair, from the labels of both nomenclatures."""

    def __init__(self, labels2009: pl.DataFrame, codes2021: pl.DataFrame) -> None:
        self.families = []
        for row in labels2009.iter_rows(named=True):
            pcs = tuple(frozenset(tokens(x)) for x in row["libelles_pcs"])
            rome = tuple(frozenset(tokens(x)) for x in row["libelles_rome"])
            self.families.append(
                Family2009(
                    code=row["fap2009"],
                    pcs=pcs,
                    rome=rome,
                    bag=frozenset(t for label in pcs + rome for t in label),
                )
            )
        self.codes = []
        for row in codes2021.iter_rows(named=True):
            own = frozenset(tokens(row["libelle"]))
            words = set(own)
            if row["libelle_fap228"] and row["fap228"] != row["fap2021"]:
                words |= set(tokens(row["libelle_fap228"]))
            self.codes.append(
                Code2021(
                    code=row["fap2021"],
                    fap228=row["fap228"] or row["fap2021"][:5],
                    own=own,
                    words=frozenset(words),
                    classes=frozenset(classes_2021(row["fap2021"], words)),
                    qualification=qualification_2021(words),
                )
            )
        self._similarities: dict[tuple[frozenset[str], str], float] = {}
        self._totals: dict[frozenset[str], float] = {}
        self.weights = rarity_weights(
            [set(c.words) for c in self.codes] + [set(f.bag) for f in self.families]
        )

    def _adjust(self, family: str, code: Code2021, similarity: float) -> float:
        bonus = _CODE_BONUS if to_2021_shape(family) in (code.code, code.fap228) else 0.0
        if not similarity:
            return bonus
        score = similarity
        if class_of_number(family) not in code.classes:
            score *= _CLASS_FACTOR
        qualification = qualification_2009(family)
        if qualification and code.qualification and qualification != code.qualification:
            score *= _QUALIFICATION_FACTOR
        if family[0] != code.code[0]:
            score *= _DOMAIN_FACTOR
        return round(min(1.0, score + bonus), 4)

    def _similarity(self, label: frozenset[str], code: Code2021) -> float:
        """Against the code's own label, or with its parent's (« Eleveurs » for « Eleveurs de
        porcins »), whichever is closer."""
        if not label & code.words:  # most pairs share nothing
            return 0.0
        key = (label, code.code)
        if key not in self._similarities:
            self._similarities[key] = max(
                self._dice(label, code.own), self._dice(label, code.words)
            )
        return self._similarities[key]

    def _total(self, words: frozenset[str]) -> float:
        if words not in self._totals:
            self._totals[words] = sum(token_weight(self.weights, t) for t in words)
        return self._totals[words]

    def _dice(self, left: frozenset[str], right: frozenset[str]) -> float:
        common = left & right
        if not common:
            return 0.0
        shared = sum(token_weight(self.weights, t) for t in common)
        return min(1.0, 2.0 * shared / (self._total(left) + self._total(right)))

    def score(self, family: Family2009, code: Code2021) -> float:
        if not code.words:
            return 0.0
        w = self.weights
        pcs = max((self._similarity(p, code) for p in family.pcs), default=0.0)
        rome = max((self._similarity(r, code) for r in family.rome), default=0.0)
        if family.pcs and family.rome:
            label = _PCS_SHARE * pcs + (1 - _PCS_SHARE) * rome
        else:
            label = pcs if family.pcs else rome
        bag = _containment(code.words, family.bag, w)
        return self._adjust(family.code, code, (1 - _BAG_SHARE) * label + _BAG_SHARE * bag)

    def best_per_pcs(self, family: Family2009) -> list[str]:
        """For each PCS of the family, the FAP 2021 its label matches best."""
        best: list[str] = []
        for pcs in family.pcs:
            scored = [
                (self._adjust(family.code, c, self._similarity(pcs, c)), c.code)
                for c in self.codes
                if pcs & c.words
            ]
            if scored:
                score, code = max(scored, key=lambda x: (x[0], x[1]))
                if score >= MIN_SCORE:
                    best.append(code)
        return best

    def matrix(self) -> pl.DataFrame:
        """fap2009, fap2021, fap228, score for every pair."""
        rows = [
            (f.code, c.code, c.fap228, self.score(f, c)) for f in self.families for c in self.codes
        ]
        return pl.DataFrame(
            rows,
            schema={
                "fap2009": pl.String,
                "fap2021": pl.String,
                "fap228": pl.String,
                "score": pl.Float64,
            },
            orient="row",
        )
