"""What a trade is, for a young person: a ROME fiche, its ONISEP trades, its appellations, its
transition flags, the recruitment projects near home (BMO), neighbouring trades, and the
formations that lead to it.

Recruitment: BMO counts projects per bassin d'emploi × BMO trade (a FAP 2021 family, coarser
than ROME); a ROME fiche is read under the BMO trade of its primary FAP 2009 family (the bridge
of :mod:`tremplin.referentials.fap_bridge`), and the sentence names that family, so that the
figure is never taken for the fiche's alone. A cell under statistical secret is said to be so.

Neighbouring trades: the ROME fiches the same formations lead to (the diagnostic's offers ×
trades), the most shared first; failing any, the fiches of the same professional domain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from tremplin import formats
from tremplin.errors import NotFound
from tremplin.orientation.data import OrientationData
from tremplin.orientation.near import trade_labels, training_index
from tremplin.orientation.place import Commune

BMO_SOURCE = "enquête Besoins en main-d’œuvre (BMO), France Travail"
NEIGHBOURS = 6


@dataclass(frozen=True)
class Recruitment:
    """The recruitment projects of a trade's BMO family in one bassin."""

    bassin: str | None
    annee: int | None
    famille: str | None
    code_famille: str | None
    projets: int | None
    difficiles: int | None
    secret: bool
    difficiles_secret: bool

    @property
    def sur_dix(self) -> int | None:
        """How many of 10 projects are judged difficult (rounded), or None."""
        if self.projets is None or self.difficiles is None or self.projets <= 0:
            return None
        return round(10 * self.difficiles / self.projets)

    @property
    def sentence(self) -> str:
        """« 300 projets de recrutement près de chez toi, dont 7 sur 10 jugés difficiles »,
        or what is missing or secret."""
        if self.code_famille is None:
            return "Ce métier n’est rattaché à aucune famille de l’enquête BMO."
        if self.secret:
            return (
                "Le nombre de projets de recrutement près de chez toi est couvert par le secret "
                "statistique : trop peu d’entreprises ont répondu pour le publier."
            )
        if self.projets is None:
            return "L’enquête BMO ne publie aucun chiffre pour ce métier près de chez toi."
        count = formats.format_number(self.projets)
        plural = "s" if self.projets > 1 else ""
        text = f"{count} projet{plural} de recrutement près de chez toi"
        if self.difficiles_secret:
            return text + " (la part jugée difficile est couverte par le secret statistique)"
        if self.sur_dix is None:
            return text
        plural = "s" if self.sur_dix > 1 else ""
        return text + f", dont {self.sur_dix} sur 10 jugé{plural} difficile{plural}"

    @property
    def meaning(self) -> str:
        """Where the figure comes from and what it counts."""
        year = str(self.annee) if self.annee is not None else "(année inconnue)"
        return (
            f"Source : {BMO_SOURCE} {year}, bassin d’emploi « {self.bassin or 'inconnu'} ». "
            f"Projets de recrutement déclarés par les employeurs pour l’ensemble de la famille "
            f"« {self.famille or self.code_famille} » ({self.code_famille}), dont ce métier fait "
            "partie ; « difficiles » : jugés difficiles par les employeurs eux-mêmes."
        )


@dataclass(frozen=True)
class FormationLink:
    cfd: str | None
    libelle: str
    niveau: str | None
    niveau_entree: str
    offres: int
    poids: float


@dataclass(frozen=True)
class TradePage:
    code_rome: str
    libelle: str
    domaine: str | None
    onisep: list[tuple[str, str]]
    appellations: list[str]
    transitions: list[str]
    recrutement: Recruitment | None
    voisins: list[tuple[str, str]]
    formations: list[FormationLink] = field(default_factory=list)
    commune: Commune | None = None


def _transitions(row: dict[str, object]) -> list[str]:
    found = []
    eco = row.get("transition_eco")
    if eco or row.get("onisep_eco"):
        found.append(f"Transition écologique{f' : {eco}' if eco else ''}")
    if row.get("transition_num") or row.get("onisep_num"):
        found.append("Transition numérique")
    if row.get("transition_demo"):
        found.append("Transition démographique")
    return found


def recruitment(data: OrientationData, fap: str | None, bassin: str | None) -> Recruitment:
    """The BMO projects of family ``fap`` in ``bassin`` (latest year)."""
    rows = data.recrutement
    if fap is not None and bassin is not None and not rows.is_empty():
        rows = rows.filter((pl.col("fap2021") == fap) & (pl.col("bassin_bmo") == bassin))
    else:
        rows = rows.clear()
    label = data.metiers.filter(pl.col("fap_bmo") == fap).get_column("libelle_fap_bmo")
    famille = label[0] if fap is not None and label.len() else None
    if rows.is_empty():
        return Recruitment(None, None, famille, fap, None, None, False, False)
    row = rows.sort("annee_bmo", descending=True).row(0, named=True)
    return Recruitment(
        bassin=row["bassin"],
        annee=row["annee_bmo"],
        famille=famille,
        code_famille=fap,
        projets=row["projets"],
        difficiles=row["projets_difficiles"],
        secret=bool(row["projets_secret"]),
        difficiles_secret=bool(row["projets_difficiles_secret"]),
    )


def recruitment_near(data: OrientationData, code_rome: str, commune: Commune) -> Recruitment:
    """The BMO projects of the family of ``code_rome`` in ``commune``'s bassin."""
    rows = data.metiers.filter(pl.col("code_rome") == code_rome)
    fap = rows["fap_bmo"][0] if rows.height else None
    return recruitment(data, fap, commune.bassin_bmo)


def neighbours(
    data: OrientationData, code_rome: str, count: int = NEIGHBOURS
) -> list[tuple[str, str]]:
    """Up to ``count`` (code_rome, label) of neighbouring trades (module docstring)."""
    index = training_index(data)
    labels = trade_labels(data)
    rows, _weights = index.by_rome.get(code_rome, (np.empty(0, np.int64), np.empty(0)))
    shared = Counter(
        other for row in rows.tolist() for other in index.romes_by_row[row] if other != code_rome
    )
    found = [code for code, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))]
    if not found:
        domain = code_rome[:3]
        found = sorted(c for c in labels if c.startswith(domain) and c != code_rome)
    return [(code, labels[code]) for code in found if code in labels][:count]


def formations_to(data: OrientationData, code_rome: str) -> list[FormationLink]:
    """The formations (CFD) whose offers lead to ``code_rome``, heaviest weight first."""
    rows, weights = training_index(data).by_rome.get(
        code_rome, (np.empty(0, np.int64), np.empty(0))
    )
    grouped = (
        data.formations[rows.tolist()]
        .select("cfd", "libelle_formation", "niveau", "niveau_entree")
        .with_columns(pl.Series("poids", weights, dtype=pl.Float64))
        .group_by("cfd", "niveau_entree")
        .agg(
            pl.col("libelle_formation").mode().first(),
            pl.col("niveau").first(),
            pl.len().alias("offres"),
            pl.col("poids").mean(),
        )
        .sort(["niveau_entree", "poids", "offres", "cfd"], descending=[True, True, True, False])
    )
    return [
        FormationLink(
            cfd=r["cfd"],
            libelle=r["libelle_formation"] or r["cfd"] or "",
            niveau=r["niveau"],
            niveau_entree=r["niveau_entree"],
            offres=r["offres"],
            poids=float(r["poids"]),
        )
        for r in grouped.iter_rows(named=True)
    ]


def trade_page(data: OrientationData, code_rome: str, commune: Commune | None = None) -> TradePage:
    """Everything the page of ``code_rome`` shows, recruitment in ``commune``'s bassin when
    given. Raises NotFound for a code no ROME fiche has."""
    code = code_rome.strip().upper()
    rows = data.metiers.filter(pl.col("code_rome") == code)
    if rows.is_empty():
        raise NotFound(f"Aucune fiche ROME « {code_rome} ».")
    row = rows.row(0, named=True)
    onisep = list(zip(row.get("metiers_onisep") or [], row.get("liens_onisep") or [], strict=False))
    appellations = data.appellations.filter(pl.col("code_rome") == code)["appellation"].to_list()
    return TradePage(
        code_rome=code,
        libelle=row["libelle_rome"],
        domaine=row.get("libelle_domaine"),
        onisep=onisep,
        appellations=appellations,
        transitions=_transitions(row),
        recrutement=(
            recruitment(data, row.get("fap_bmo"), commune.bassin_bmo)
            if commune is not None
            else None
        ),
        voisins=neighbours(data, code),
        formations=formations_to(data, code),
        commune=commune,
    )
