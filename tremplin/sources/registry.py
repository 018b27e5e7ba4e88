"""Every dataset Tremplin reads. A file is recognised by its header against all of them."""

from __future__ import annotations

from tremplin.sources.datasets import (
    affelnet,
    bcn,
    bmo,
    certifications,
    dares,
    effectifs,
    etablissements,
    inserjeunes,
    parcoursup,
    rome,
    territoires,
)
from tremplin.sources.spec import Dataset

DATASETS: tuple[Dataset, ...] = (
    *affelnet.DATASETS,
    *parcoursup.DATASETS,
    *effectifs.DATASETS,
    *inserjeunes.DATASETS,
    *bmo.DATASETS,
    *dares.DATASETS,
    *rome.DATASETS,
    *certifications.DATASETS,
    *bcn.DATASETS,
    *territoires.DATASETS,
    *etablissements.DATASETS,
)


def dataset(name: str) -> Dataset:
    """The dataset called ``name``."""
    for candidate in DATASETS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
