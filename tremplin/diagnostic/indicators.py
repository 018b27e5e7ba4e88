"""Indicators per territory × trade group, for one territory level (maille) and grouping.

``compute(facts, query)`` returns one row per (territory, group) with stable snake_case columns
(see :data:`INDICATORS`). Every offer is counted once: an offer without a territory at the chosen
level, or without a trade in the chosen grouping, is kept under the « ? » (non rattaché) code, so
the rows of a territory add up to its total and sub-territories add up to their parent.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts, entry_offers, ratio, voie
from tremplin.errors import InputError
from tremplin.referentials.territory_ref import TerritoryRef

TERRITORY_KEYS = {
    "region": "code_region",
    "academie": "code_academie",
    "departement": "code_departement",
    "bassin": "bassin_bmo",
}
GROUP_KEYS = {
    "famille_fap": ("fap22", "libelle_fap22"),
    "fap": ("fap86", "libelle_fap86"),
    "famille_metiers": ("famille_metiers", "famille_metiers"),
    "diplome": ("cfd", "libelle_formation"),
}
# Groupings of trades that BMO and DARES also use (a FAP family): the others have no
# recruitment figures of their own.
RECRUITMENT_GROUPINGS = ("famille_fap", "fap")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    source: str
    definition: str


VOIES = ("scolaire", "apprentissage", "ensemble")
"""Insertion side by side: the school route, apprenticeship, and both pooled."""
VOIE_LABELS = {
    "scolaire": "voie scolaire",
    "apprentissage": "apprentissage",
    "ensemble": "toutes voies",
}
VOIE_MEASURES = ("sortants", "taux_emploi_6_mois", "taux_devenir_favorable")
"""The insertion figures given for each voie (``<measure>_<voie>``)."""


_VOIE_DEFINITIONS = {
    "sortants": ("Jeunes en année terminale", "Effectif en année terminale"),
    "taux_emploi_6_mois": (
        "Taux d'emploi à 6 mois",
        "En emploi 6 mois après la sortie ÷ sortants non poursuivants ; masqué sous 20 jeunes",
    ),
    "taux_devenir_favorable": (
        "Taux de devenir favorable",
        "(Poursuite d'études + emploi à 6 mois) ÷ jeunes en année terminale ; masqué sous 20 "
        "jeunes",
    ),
}
_VOIE_SCOPES = {
    "scolaire": "sortants de la voie scolaire",
    "apprentissage": "apprentis",
    "ensemble": "voie scolaire et apprentissage réunies : le chiffre que lit l'objectif vigilance",
}


def _by_voie() -> list[Indicator]:
    """The insertion figures per voie, for the formations of the row whatever the route they are
    offered by there."""
    return [
        Indicator(
            f"{measure}_{voie}",
            f"{label} ({VOIE_LABELS[voie]})",
            "InserJeunes",
            f"{definition} ; {_VOIE_SCOPES[voie]}, des formations de la ligne (région × "
            "formation), quelle que soit la voie par laquelle elles y sont offertes.",
        )
        for voie in VOIES
        for measure, (label, definition) in _VOIE_DEFINITIONS.items()
    ]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "nb_offres",
        "Offres de formation",
        "Affelnet, Parcoursup",
        "Nombre d'offres (établissement × formation × statut) en année d'entrée.",
    ),
    Indicator(
        "nb_etablissements",
        "Établissements",
        "Affelnet, Parcoursup",
        "Nombre d'établissements distincts qui portent ces offres.",
    ),
    Indicator(
        "capacite",
        "Capacité (CAP, bac pro)",
        "Affelnet",
        "Somme des capacités carte scolaire comprises entre 5 et 500 (règle Orion), offres de "
        "statut ST hors vœux de recensement, année d'entrée.",
    ),
    Indicator(
        "demandes_voeux_1",
        "Demandes en vœu 1",
        "Affelnet",
        "Nombre d'élèves ayant placé la formation en premier vœu.",
    ),
    Indicator(
        "taux_pression",
        "Taux de pression",
        "Affelnet",
        "Demandes en vœu 1 ÷ capacité, sur les offres dont la capacité est connue ; sans objet "
        "si la capacité est nulle ou inconnue.",
    ),
    Indicator(
        "capacite_bts",
        "Capacité (BTS)",
        "Parcoursup",
        "Somme des capacités Parcoursup, 0 et 999 traités comme inconnus (règle Orion), hors "
        "formations entièrement à distance.",
    ),
    Indicator(
        "voeux_confirmes",
        "Vœux confirmés (BTS)",
        "Parcoursup",
        "Nombre de vœux confirmés (non hiérarchisés), hors formations entièrement à distance.",
    ),
    Indicator(
        "taux_demande",
        "Taux de demande",
        "Parcoursup",
        "Vœux confirmés ÷ capacité, sur les offres dont la capacité est connue, hors formations "
        "entièrement à distance.",
    ),
    Indicator(
        "nb_offres_distance",
        "Offres entièrement à distance (BTS)",
        "Parcoursup",
        "Offres marquées « Entièrement en distanciel » dans leur intitulé : ouvertes à tout le "
        "pays, elles sont comptées à part des places du territoire de leur établissement.",
    ),
    Indicator(
        "capacite_distance",
        "Places entièrement à distance (BTS)",
        "Parcoursup",
        "Capacité des offres entièrement à distance, hors capacité du territoire.",
    ),
    Indicator(
        "voeux_confirmes_distance",
        "Vœux confirmés à distance (BTS)",
        "Parcoursup",
        "Vœux confirmés des offres entièrement à distance.",
    ),
    Indicator(
        "places",
        "Places offertes par an",
        "Affelnet, Parcoursup",
        "Capacité (CAP, bac pro) + capacité (BTS) en année d'entrée.",
    ),
    Indicator(
        "effectif",
        "Élèves",
        "Constat de rentrée",
        "Élèves sous statut scolaire (constat de la rentrée de l'offre, sinon le dernier "
        "antérieur, dont la rentrée est donnée) des offres scolaires dont la capacité est connue "
        "et le remplissage cohérent ; vide quand aucun n'est connu (jamais 0).",
    ),
    Indicator(
        "taux_remplissage",
        "Taux de remplissage",
        "Constat, Affelnet, Parcoursup",
        "Élèves ÷ capacité, sur les offres scolaires dont les deux sont connus ; une offre dont "
        "les élèves dépassent 150 % des places est écartée (remplissage incohérent).",
    ),
    Indicator(
        "nb_remplissage_incoherent",
        "Offres au remplissage incohérent",
        "Constat, Affelnet, Parcoursup",
        "Offres dont les élèves dépassent 150 % des places : les deux chiffres ne décrivent pas "
        "la même chose (autre rentrée, sections) ; elles ne comptent pas dans le taux.",
    ),
    Indicator(
        "places_vacantes",
        "Places vacantes",
        "Constat, Affelnet, Parcoursup",
        "Capacité − élèves, sur les offres dont les deux sont connus (0 au moins) ; sans objet "
        "quand aucune ne l'est.",
    ),
    Indicator(
        "sortants",
        "Jeunes en année terminale",
        "InserJeunes",
        "Effectif en année terminale des formations offertes (région × formation).",
    ),
    Indicator(
        "taux_emploi_6_mois",
        "Taux d'emploi à 6 mois",
        "InserJeunes",
        "En emploi 6 mois après la sortie ÷ sortants non poursuivants ; masqué sous 20 jeunes.",
    ),
    Indicator(
        "taux_poursuite",
        "Taux de poursuite d'études",
        "InserJeunes",
        "Poursuivant des études ÷ jeunes en année terminale ; masqué sous 20 jeunes.",
    ),
    Indicator(
        "taux_devenir_favorable",
        "Taux de devenir favorable",
        "InserJeunes",
        "(Poursuite d'études + emploi à 6 mois) ÷ jeunes en année terminale ; masqué sous 20 "
        "jeunes.",
    ),
    *_by_voie(),
    Indicator(
        "projets_recrutement",
        "Projets de recrutement",
        "BMO (France Travail)",
        "Projets de recrutement déclarés par les employeurs (met), somme des cellules connues : "
        "« secret » quand toutes sont couvertes par le secret statistique, « au moins » quand "
        "une partie l'est.",
    ),
    Indicator(
        "projets_recrutement_secret",
        "Projets de recrutement couverts par le secret",
        "BMO (France Travail)",
        "Vrai quand toutes les cellules BMO du groupe sont couvertes par le secret statistique "
        "(« * ») : le nombre de projets est alors inconnu (« secret »), jamais 0.",
    ),
    Indicator(
        "cellules_bmo",
        "Cellules BMO",
        "BMO (France Travail)",
        "Nombre de cellules bassin × métier de l'enquête BMO derrière la ligne.",
    ),
    Indicator(
        "cellules_bmo_secretes",
        "Cellules BMO secrètes",
        "BMO (France Travail)",
        "Cellules dont le nombre de projets est couvert par le secret statistique (« * ») ; "
        "quand une partie l'est, les projets de recrutement sont « au moins » leur somme connue.",
    ),
    Indicator(
        "part_cellules_bmo_secretes",
        "Part des cellules BMO secrètes",
        "BMO (France Travail)",
        "Cellules BMO secrètes ÷ cellules BMO de la ligne.",
    ),
    Indicator(
        "part_projets_difficiles",
        "Part des projets jugés difficiles",
        "BMO (France Travail)",
        "Projets jugés difficiles (xmet) ÷ projets (met), sur les cellules non couvertes par le "
        "secret.",
    ),
    Indicator(
        "tension",
        "Indicateur de tension",
        "DARES",
        "Moyenne, pondérée par l'emploi, de l'indicateur de tension des FAP du groupe (niveau du "
        "territoire, sinon région).",
    ),
    Indicator(
        "categorie_tension",
        "Catégorie de tension (1 à 5)",
        "DARES",
        "Moyenne pondérée par l'emploi de la catégorie de tension (5 = tension très forte).",
    ),
    Indicator(
        "projets_par_place",
        "Projets de recrutement par place",
        "BMO, Affelnet, Parcoursup",
        "Projets de recrutement ÷ places offertes par an.",
    ),
    Indicator(
        "besoins_declares",
        "Besoins déclarés",
        "Entreprises (Tremplin)",
        "Besoins encore ouverts (ouverts ou pourvus en partie) que les entreprises ont déclarés "
        "sur Tremplin pour les métiers du groupe (code ROME → FAP) dans le territoire ; "
        "« aucun besoin déclaré » quand il n'y en a pas, jamais 0.",
    ),
    Indicator(
        "personnes_besoins_declares",
        "Personnes recherchées (besoins déclarés)",
        "Entreprises (Tremplin)",
        "Personnes encore recherchées par ces besoins : nombre demandé − personnes trouvées.",
    ),
    Indicator(
        "entreprises_besoins_declares",
        "Entreprises déclarant un besoin",
        "Entreprises (Tremplin)",
        "Entreprises distinctes ayant au moins un de ces besoins.",
    ),
    Indicator(
        "date_besoins_declares",
        "Dernier besoin déclaré le",
        "Entreprises (Tremplin)",
        "Date la plus récente à laquelle un de ces besoins a été déclaré ou modifié.",
    ),
)


@dataclass(frozen=True)
class Query:
    maille: str = "region"
    groupement: str = "famille_fap"
    perimetre: str = "industrie"
    niveau: str = "tous"
    annee: int | None = None  # None: the latest year of each source
    palier: str = "tous"  # entree, 1re_pro, bts, autre; « tous » sums them
    dans: str | None = None  # « maille:code », keep territories inside it (« region:84 »)
    territoire: str | None = None  # keep this territory only (a code of the maille)
    groupe: str | None = None  # keep this group only

    def checked(self) -> Query:
        for value, allowed, name in (
            (self.maille, rules.MAILLES, "maille"),
            (self.groupement, rules.GROUPEMENTS, "groupement"),
            (self.perimetre, rules.PERIMETRES, "perimetre"),
            (self.niveau, rules.NIVEAUX, "niveau"),
            (self.palier, rules.PALIERS, "palier"),
        ):
            if value not in allowed:
                raise InputError(
                    f"{name} « {value} » inconnu ; valeurs possibles : {', '.join(allowed)}"
                )
        if self.dans is not None:
            TerritoryRef.parse(self.dans, mailles=rules.MAILLES)
        return self


def _keys(frame: pl.DataFrame, query: Query, *, group: bool = True) -> pl.DataFrame:
    territory = TERRITORY_KEYS[query.maille]
    columns = [pl.col(territory).cast(pl.String).fill_null(rules.UNPLACED).alias("code_territoire")]
    if group:
        code, _label = GROUP_KEYS[query.groupement]
        columns.append(pl.col(code).cast(pl.String).fill_null(rules.UNPLACED).alias("code_groupe"))
    return frame.with_columns(columns)


WEIGHTED_GROUPINGS = RECRUITMENT_GROUPINGS
ROUNDING = 9  # decimals kept of the weighted sums and rates
"""Groupings by trade: an offer is spread over its trades (``metiers``, weights summing to 1)."""


OFFER_COLUMNS = (
    "id_offre",
    "source",
    "annee",
    "uai",
    "capacite",
    "demandes_voeux_1",
    "voeux_confirmes",
    "a_distance",
    "effectif",
    "remplissage_incoherent",
    "rentree_effectif",
    *dict.fromkeys(TERRITORY_KEYS.values()),
)
"""What the offer indicators read of each offer."""


def _trade_shares(facts: Facts, metiers: pl.DataFrame, query: Query) -> pl.DataFrame:
    """Each offer's weight in each group of a grouping by trade (``id_offre``, the group's
    code, ``poids``), inside the perimeter only for « industrie » (kept in ``facts.memo``)."""
    code, _label = GROUP_KEYS[query.groupement]

    def build() -> pl.DataFrame:
        trades = metiers.filter(pl.col("industrie")) if query.perimetre == "industrie" else metiers
        return trades.group_by("id_offre", code).agg(pl.col("poids").sum())

    return facts.memoised(("parts-metiers", query.perimetre, query.groupement), build)


def _weighted(facts: Facts, offres: pl.DataFrame, query: Query) -> pl.DataFrame:
    """One row per offer × share of it in a group, with ``poids``: the offer's trades for a
    grouping by trade (those in the perimeter for « industrie »), else the whole offer (its
    share in the perimeter for « industrie »). Facts without ``metiers`` count each offer
    once, under its primary trade. Territory and group keys are not set here (see ``_keys``):
    the result serves every maille."""
    code, _label = GROUP_KEYS[query.groupement]
    if facts.metiers is None:
        return offres.with_columns(pl.lit(1.0).alias("poids"))
    if query.groupement not in WEIGHTED_GROUPINGS:
        share = pl.col("part_industrie") if query.perimetre == "industrie" else pl.lit(1.0)
        return offres.select(*OFFER_COLUMNS, code, share.alias("poids"))
    return offres.select(OFFER_COLUMNS).join(
        _trade_shares(facts, facts.metiers, query), on="id_offre", how="inner"
    )


def _offer_terms(offres: pl.DataFrame, code: str) -> pl.DataFrame:
    """What each offer (or share of an offer) adds to its cell's sums, weighted, null where it
    adds nothing; the territory keys and the group's ``code`` kept to make the cells. Computed
    once per set of offers and grouping, summed for every maille."""
    affelnet = pl.col("source") == "affelnet"
    # Places taught wholly at a distance are not the territory's: kept apart (``…_distance``).
    distance = pl.col("a_distance")
    parcoursup = (pl.col("source") == "parcoursup") & ~distance
    far = (pl.col("source") == "parcoursup") & distance
    known = pl.col("capacite").is_not_null()
    filled = (
        known & pl.col("effectif").is_not_null() & ~pl.col("remplissage_incoherent") & ~distance
    )
    weight = pl.col("poids")

    def weighted(column: str, where: pl.Expr) -> pl.Expr:
        return pl.when(where).then(pl.col(column).cast(pl.Float64) * weight)

    return offres.select(
        *dict.fromkeys(TERRITORY_KEYS.values()),
        code,
        weight.alias("nb_offres"),
        pl.when(weight > 0).then(pl.col("uai")).alias("uai"),
        weighted("capacite", affelnet).alias("capacite"),
        weighted("demandes_voeux_1", affelnet).alias("demandes_voeux_1"),
        weighted("demandes_voeux_1", affelnet & known).alias("_demandes_valides"),
        weighted("capacite", parcoursup).alias("capacite_bts"),
        weighted("voeux_confirmes", parcoursup).alias("voeux_confirmes"),
        weighted("voeux_confirmes", parcoursup & known).alias("_voeux_valides"),
        pl.when(far).then(weight).alias("nb_offres_distance"),
        weighted("capacite", far).alias("capacite_distance"),
        weighted("voeux_confirmes", far).alias("voeux_confirmes_distance"),
        weighted("effectif", filled).alias("effectif"),
        weighted("capacite", filled).alias("_capacite_remplie"),
        pl.when(pl.col("remplissage_incoherent")).then(weight).alias("nb_remplissage_incoherent"),
        pl.when(filled).then(pl.col("rentree_effectif")).alias("rentree_effectif"),
        pl.when(affelnet).then(pl.col("annee")).alias("annee_affelnet"),
        pl.when(parcoursup).then(pl.col("annee")).alias("annee_parcoursup"),
    )


SUMMED_TERMS = (
    "nb_offres",
    "capacite",
    "demandes_voeux_1",
    "_demandes_valides",
    "capacite_bts",
    "voeux_confirmes",
    "_voeux_valides",
    "nb_offres_distance",
    "capacite_distance",
    "voeux_confirmes_distance",
    "_capacite_remplie",
    "nb_remplissage_incoherent",
)


def _offer_indicators(terms: pl.DataFrame) -> pl.DataFrame:
    """The offer indicators of each cell from its offers' terms (:func:`_offer_terms`)."""
    eleves = pl.col("effectif")
    return (
        terms.group_by("code_territoire", "code_groupe")
        .agg(
            *(pl.col(c).sum() for c in SUMMED_TERMS),
            pl.col("uai").drop_nulls().n_unique().alias("nb_etablissements"),
            # Unknown pupils stay unknown: blank, never 0.
            pl.when(eleves.is_not_null().any()).then(eleves.sum()).alias("effectif"),
            eleves.sum().alias("_eleves"),
            *(pl.col(c).max() for c in ("rentree_effectif", "annee_affelnet", "annee_parcoursup")),
        )
        .with_columns(
            ratio(pl.col("_demandes_valides"), pl.col("capacite")).alias("taux_pression"),
            ratio(pl.col("_voeux_valides"), pl.col("capacite_bts")).alias("taux_demande"),
            (pl.col("capacite") + pl.col("capacite_bts")).alias("places"),
            ratio(pl.col("_eleves"), pl.col("_capacite_remplie")).alias("taux_remplissage"),
            pl.when(pl.col("_capacite_remplie") > 0)
            .then(pl.max_horizontal(pl.col("_capacite_remplie") - pl.col("_eleves"), pl.lit(0)))
            .alias("places_vacantes"),
        )
        .drop("_demandes_valides", "_voeux_valides", "_eleves", "_capacite_remplie")
    )


def _formation_parts(facts: Facts, metiers: pl.DataFrame, query: Query) -> pl.DataFrame:
    """The weight of each formation (``cfd``) in a group (``code_groupe``, for a grouping by
    trade) or in the perimeter: the sum of the weights of its trades there (each trade once),
    ``poids_insertion`` (kept in ``facts.memo``)."""
    code, _label = GROUP_KEYS[query.groupement]
    by_trade = query.groupement in WEIGHTED_GROUPINGS

    def build() -> pl.DataFrame:
        # Each formation's trades, once (not once per offer).
        trades = facts.memoised(
            ("metiers-formations",),
            lambda: metiers.select(
                pl.col("cfd_metier").alias("cfd"),
                "code_rome",
                "fap2021",
                "fap86",
                "fap22",
                "poids_metier",
                "industrie",
            ).unique(),
        )
        if query.perimetre == "industrie":
            trades = trades.filter(pl.col("industrie"))
        group = pl.col(code).cast(pl.String).fill_null(rules.UNPLACED).alias("code_groupe")
        return (
            trades.select("cfd", "poids_metier", *([group] if by_trade else []))
            .group_by(["cfd", "code_groupe"] if by_trade else ["cfd"])
            .agg(pl.col("poids_metier").sum().alias("poids_insertion"))
        )

    grouping = query.groupement if by_trade else None
    return facts.memoised(("parts-formations", query.perimetre, grouping), build)


def _insertion_cells(
    facts: Facts, metiers: pl.DataFrame, offres: pl.DataFrame, query: Query
) -> pl.DataFrame:
    """The distinct territories × voie × formation behind the insertion figures of the offers
    (their own formation, the specialities of a 2nde commune), with the offer's group
    (``_groupe``) for a grouping that is not by trade. Without keys of a maille: the result
    serves every maille."""
    code, _label = GROUP_KEYS[query.groupement]
    by_trade = query.groupement in WEIGHTED_GROUPINGS
    territories = list(dict.fromkeys(TERRITORY_KEYS.values()))
    formations = facts.memoised(
        ("formations-offres",),
        lambda: metiers.select("id_offre", pl.col("cfd_metier").alias("cfd")).unique(),
    )
    return (
        offres.select(
            "id_offre",
            *territories,
            *([] if by_trade else [pl.col(code).cast(pl.String).alias("_groupe")]),
            voie().alias("voie"),
        )
        .join(formations, on="id_offre", how="inner")
        .drop("id_offre")
        .unique()
    )


OFFERED_VOIES = ("scolaire", "apprentissage")
"""The voies an offer is offered by (InserJeunes' two routes)."""


def _insertion_weights(facts: Facts, offres: pl.DataFrame, query: Query) -> pl.DataFrame:
    """The distinct région × formation behind each cell, with the weight of that formation in
    the cell (``poids_insertion``: the weight of its trades in the group for a grouping by
    trade, of its trades inside the perimeter for « industrie », else 1) and whether the
    cell's offers of it are offered at school (``scolaire``) and by apprenticeship
    (``apprentissage``)."""
    keys = ["code_territoire", "code_groupe", "code_region", "cfd"]
    flags = [(pl.col("voie") == name).any().alias(name) for name in OFFERED_VOIES]
    if facts.metiers is None:
        return (
            _keys(offres, query)
            .select(*keys[:3], pl.col("cfds_insertion").alias("cfd"), voie().alias("voie"))
            .explode("cfd")
            .group_by(keys)
            .agg(*flags)
            .with_columns(pl.lit(1.0).alias("poids_insertion"))
        )
    metiers = facts.metiers
    by_trade = query.groupement in WEIGHTED_GROUPINGS
    grouping = None if by_trade else query.groupement
    cells = facts.memoised(
        ("insertion-cellules", query.perimetre, query.niveau, query.annee, query.palier, grouping),
        lambda: _insertion_cells(facts, metiers, offres, query),
    )
    parts = _formation_parts(facts, metiers, query)
    # Each formation once per cell, whatever the number of offers behind it; its weight there
    # is that of its trades in the group (each trade once).
    keyed = _keys(cells, query, group=False)
    if by_trade:
        return keyed.group_by(keys[0], *keys[2:]).agg(*flags).join(parts, on="cfd", how="inner")
    return (
        keyed.with_columns(pl.col("_groupe").fill_null(rules.UNPLACED).alias("code_groupe"))
        .group_by(keys)
        .agg(*flags)
        .join(parts, on="cfd", how="inner")
    )


INSERTION_COUNTS = {
    "sortants": "nb_annee_term",
    "_non_poursuivants": "nb_sortant",
    "_emploi": "nb_en_emploi_6_mois",
    "_poursuite": "nb_poursuite_etudes",
}
"""The InserJeunes counts summed behind a cell, by the names the rates read."""


def _insertion_by_formation(insertion: pl.DataFrame) -> pl.DataFrame:
    """InserJeunes per région × formation, its voies side by side: ``{name}_{voie}`` for each
    of :data:`INSERTION_COUNTS`, ``millesime_{voie}``, ``_ligne_{voie}`` (the voie has a row)."""
    columns = []
    for name in OFFERED_VOIES:
        mine = pl.col("voie") == name
        columns += [
            pl.col(c).filter(mine).sum().alias(f"{n}_{name}") for n, c in INSERTION_COUNTS.items()
        ]
        columns += [
            pl.col("millesime").filter(mine).max().alias(f"millesime_{name}"),
            mine.any().alias(f"_ligne_{name}"),
        ]
    return insertion.group_by("code_region", "cfd").agg(columns)


@dataclass(frozen=True)
class _InsertionPlan:
    """The expressions of :func:`_insertion_indicators`, built once (polars expressions are
    immutable): each row's terms, their sums per cell, the blanks, the rates, what is kept."""

    terms: tuple[pl.Expr, ...]
    sums: tuple[pl.Expr, ...]
    blanks: tuple[pl.Expr, ...]
    rates: tuple[pl.Expr, ...]
    keep: tuple[str, ...]


@functools.cache
def _insertion_plan() -> _InsertionPlan:
    weight = pl.col("poids_insertion")
    school, apprentice = (pl.col(f"_ligne_{v}") for v in OFFERED_VOIES)
    offered = [pl.col(v) & pl.col(f"_ligne_{v}") for v in OFFERED_VOIES]
    # Which rows count for each set of columns: the voies offered (headline), each voie, both.
    present = {
        "": offered[0] | offered[1],
        "_scolaire": school,
        "_apprentissage": apprentice,
        "_ensemble": school | apprentice,
    }

    def term(name: str, suffix: str) -> pl.Expr:
        at_school, as_apprentice = (pl.col(f"{name}_{v}") for v in OFFERED_VOIES)
        if suffix == "_scolaire":
            value = at_school
        elif suffix == "_apprentissage":
            value = as_apprentice
        else:
            parts = offered if suffix == "" else [school, apprentice]
            value = pl.sum_horizontal(
                pl.when(parts[0]).then(at_school), pl.when(parts[1]).then(as_apprentice)
            )
        return pl.when(present[suffix]).then(value * weight).alias(f"{name}{suffix}")

    def rates(suffix: str) -> list[pl.Expr]:
        total, leaving, employed, further = (pl.col(f"{name}{suffix}") for name in INSERTION_COUNTS)
        enough = total >= rules.INSERTION_MIN_YOUNG
        return [
            pl.when(leaving >= rules.INSERTION_MIN_YOUNG)
            .then(ratio(employed, leaving))
            .alias(f"taux_emploi_6_mois{suffix}"),
            pl.when(enough).then(ratio(further, total)).alias(f"taux_poursuite{suffix}"),
            pl.when(enough)
            .then(ratio(further + employed, total))
            .alias(f"taux_devenir_favorable{suffix}"),
        ]

    millesime = pl.max_horizontal(
        *(
            pl.when(mine).then(pl.col(f"millesime_{v}"))
            for mine, v in zip(offered, OFFERED_VOIES, strict=True)
        )
    )
    keep = [
        "code_territoire",
        "code_groupe",
        "sortants",
        "taux_emploi_6_mois",
        "taux_poursuite",
        "taux_devenir_favorable",
        "millesime_insertion",
    ]
    for name in VOIES:
        keep += [
            f"{c}_{name}" for c in ("sortants", "taux_emploi_6_mois", "taux_devenir_favorable")
        ]
    return _InsertionPlan(
        terms=(
            *(term(name, suffix) for suffix in present for name in INSERTION_COUNTS),
            *(present[suffix].alias(f"_present{suffix}") for suffix in present),
            millesime.alias("millesime_insertion"),
        ),
        sums=(
            *(pl.col(f"{name}{suffix}").sum() for suffix in present for name in INSERTION_COUNTS),
            *(pl.col(f"_present{suffix}").any() for suffix in present),
            pl.col("millesime_insertion").max(),
        ),
        # A set of columns no row counts for stays blank, not 0.
        blanks=tuple(
            pl.when(pl.col(f"_present{suffix}")).then(pl.col(f"{name}{suffix}"))
            for suffix in present
            for name in INSERTION_COUNTS
        ),
        rates=tuple(e for suffix in present for e in rates(suffix)),
        keep=tuple(keep),
    )


def _insertion_indicators(facts: Facts, offres: pl.DataFrame, query: Query) -> pl.DataFrame:
    """The insertion of the distinct région × formation behind each cell, weighted by the
    formation's share in the cell: pooled over the voies its offers are offered by (the
    headline figures), and side by side for the school route, apprenticeship and both pooled
    whatever the route of the offers (« CAP Électricien » offered at school is judged on its
    school leavers and on its apprentices too: ``…_scolaire``, ``…_apprentissage``,
    ``…_ensemble``)."""
    schema = {"code_territoire": pl.String, "code_groupe": pl.String}
    insertion = facts.insertion
    if insertion.is_empty():
        return pl.DataFrame(schema=schema)
    by_formation = facts.memoised(
        ("insertion-par-formation",), lambda: _insertion_by_formation(insertion)
    )
    plan = _insertion_plan()
    # A 2nde commune pools the insertion of its famille's specialities.
    return (
        _insertion_weights(facts, offres, query)
        .join(by_formation, on=["code_region", "cfd"], how="inner")
        .select("code_territoire", "code_groupe", *plan.terms)
        .group_by("code_territoire", "code_groupe")
        .agg(*plan.sums)
        .with_columns(*plan.blanks)
        # Weighted counts, rounded before the threshold of 20: 19.999999999 is 20.
        .with_columns(pl.col(pl.Float64).round(ROUNDING))
        .with_columns(*plan.rates)
        .select(plan.keep)
    )


def _recruitment_indicators(facts: Facts, query: Query) -> pl.DataFrame:
    frame = facts.recrutement
    if frame.is_empty() or query.groupement not in RECRUITMENT_GROUPINGS:
        return pl.DataFrame(schema={"code_territoire": pl.String, "code_groupe": pl.String})
    if query.perimetre == "industrie":
        frame = frame.filter(pl.col("industrie"))
    known = pl.col("projets_difficiles").is_not_null() & pl.col("projets").is_not_null()
    # A secret cell (« * ») is not 0: a group whose cells are all secret has no count (null,
    # flagged), a group partly secret has « at least » the sum of its known cells.
    secret = pl.col("projets_secret") | pl.col("projets").is_null()
    return (
        _keys(frame, query)
        .group_by("code_territoire", "code_groupe")
        .agg(
            pl.when(pl.col("projets").is_not_null().any())
            .then(pl.col("projets").sum())
            .otherwise(None)
            .alias("projets_recrutement"),
            secret.all().alias("projets_recrutement_secret"),
            pl.len().cast(pl.Int64).alias("cellules_bmo"),
            secret.sum().cast(pl.Int64).alias("cellules_bmo_secretes"),
            pl.col("projets_difficiles").filter(known).sum().alias("_difficiles"),
            pl.col("projets").filter(known).sum().alias("_projets_connus"),
            pl.col("annee_bmo").max().alias("annee_bmo"),
        )
        .with_columns(
            ratio(pl.col("_difficiles"), pl.col("_projets_connus")).alias(
                "part_projets_difficiles"
            ),
            ratio(pl.col("cellules_bmo_secretes"), pl.col("cellules_bmo")).alias(
                "part_cellules_bmo_secretes"
            ),
        )
        .drop("_difficiles", "_projets_connus")
    )


def _tension_indicators(facts: Facts, query: Query) -> pl.DataFrame:
    frame = facts.tension
    if frame.is_empty() or query.groupement not in RECRUITMENT_GROUPINGS:
        return pl.DataFrame(schema={"code_territoire": pl.String, "code_groupe": pl.String})
    if query.perimetre == "industrie":
        frame = frame.filter(pl.col("industrie"))
    code, _ = GROUP_KEYS[query.groupement]
    territories = facts.territoires.filter(pl.col("maille") == query.maille)
    if query.maille == "departement":
        rows = frame.filter(pl.col("niveau_geo") == "dep").rename(
            {"code_departement": "code_territoire"}
        )
    else:
        regional = frame.filter(pl.col("niveau_geo") == "reg")
        link = territories.select(pl.col("code").alias("code_territoire"), "code_region")
        if query.maille == "bassin":
            link = territories.select(pl.col("code").alias("code_territoire"), "code_departement")
            rows = frame.filter(pl.col("niveau_geo") == "dep").join(
                link, on="code_departement", how="inner"
            )
        else:
            rows = regional.join(link, on="code_region", how="inner")
    # Weighted by employment, each measure over the FAPs where it is known; a FAP 2021 without
    # a family (no group) is left out rather than put under « ? ».
    weight = pl.col("emploi_moyen").fill_null(0)

    def mean(column: str) -> pl.Expr:
        known = pl.col(column).is_not_null()
        return ratio(
            (pl.col(column) * weight).filter(known).sum(), weight.filter(known).sum()
        ).alias(column)

    return (
        rows.filter(pl.col(code).is_not_null())
        .with_columns(pl.col(code).cast(pl.String).alias("code_groupe"))
        .group_by("code_territoire", "code_groupe")
        .agg(mean("tension"), mean("categorie_tension"), pl.col("annee_tension").max())
    )


def _territory_names(facts: Facts, maille: str) -> pl.DataFrame:
    return facts.territoires.filter(pl.col("maille") == maille).select(
        pl.col("code").alias("code_territoire"),
        pl.col("nom").alias("territoire"),
        *(pl.col(TERRITORY_KEYS[m]).alias(f"_{m}") for m in ("region", "academie", "departement")),
    )


def group_labels(facts: Facts, groupement: str) -> pl.DataFrame:
    """The label of each group code of ``groupement`` (``code_groupe``, ``groupe``)."""
    code, label = GROUP_KEYS[groupement]
    sources = [
        facts.offres.select(pl.col(code).alias("code_groupe"), pl.col(label).alias("groupe"))
    ]
    if groupement in WEIGHTED_GROUPINGS and facts.familles_fap is not None:
        sources.append(
            facts.familles_fap.select(
                pl.col(code).alias("code_groupe"), pl.col(label).alias("groupe")
            )
        )
    if groupement in RECRUITMENT_GROUPINGS and not facts.recrutement.is_empty():
        sources.append(
            facts.recrutement.select(
                pl.col(code).alias("code_groupe"), pl.col(label).alias("groupe")
            )
        )
    return (
        pl.concat([g.cast(pl.String) for g in sources])
        .drop_nulls("code_groupe")
        .unique("code_groupe", keep="first")
    )


def _labels(facts: Facts, query: Query, rows: pl.DataFrame) -> pl.DataFrame:
    names = facts.memoised(("noms", query.maille), lambda: _territory_names(facts, query.maille))
    groups = facts.memoised(
        ("groupes", query.groupement), lambda: group_labels(facts, query.groupement)
    )
    return (
        rows.join(names, on="code_territoire", how="left")
        .join(groups, on="code_groupe", how="left")
        .with_columns(
            pl.col("territoire").fill_null(rules.UNPLACED_LABEL),
            pl.col("groupe").fill_null(rules.UNPLACED_LABEL),
        )
    )


ORDER = [
    "maille",
    "code_territoire",
    "territoire",
    "groupement",
    "code_groupe",
    "groupe",
    "perimetre",
    "niveau",
    "palier",
    "annee_affelnet",
    "annee_parcoursup",
    "rentree_effectif",
    *[i.name for i in INDICATORS],
    "millesime_insertion",
    "annee_bmo",
    "annee_tension",
]


def _inside(facts: Facts, maille: str, dans: str) -> pl.Expr:
    """Rows whose territory lies inside ``dans`` (or, for a coarser maille, contains it)."""
    ref = TerritoryRef.parse(dans, mailles=rules.MAILLES)
    level, code = ref.maille, ref.code
    rank = {m: i for i, m in enumerate(rules.MAILLES)}
    if rank[maille] > rank[level] and level != "bassin":
        return pl.col(f"_{level}") == code
    if maille == level:
        return pl.col("code_territoire") == code
    found = facts.territoires.filter((pl.col("maille") == level) & (pl.col("code") == code))
    if found.is_empty() or maille == "bassin":
        return pl.lit(False)
    parent: object = found.item(0, TERRITORY_KEYS[maille])
    return pl.col("code_territoire") == pl.lit(parent, dtype=pl.String)


def compute(facts: Facts, query: Query) -> pl.DataFrame:
    """The indicator rows of ``query``, one per territory × group, sorted by codes."""
    query = query.checked()
    chosen = entry_offers(facts, query.perimetre, query.niveau, query.annee, query.palier)
    # Spread over trades once per set of offers and grouping, for every maille.
    code, _label = GROUP_KEYS[query.groupement]
    terms = facts.memoised(
        ("termes", query.perimetre, query.niveau, query.annee, query.palier, query.groupement),
        lambda: _offer_terms(_weighted(facts, chosen, query), code),
    )
    parts = [
        _offer_indicators(_keys(terms, query)),
        _insertion_indicators(facts, chosen, query),
        _recruitment_indicators(facts, query),
        _tension_indicators(facts, query),
    ]
    rows = parts[0]
    for part in parts[1:]:
        if part.width > 2:
            rows = rows.join(part, on=["code_territoire", "code_groupe"], how="full", coalesce=True)
    rows = _labels(facts, query, rows)
    if query.dans is not None:
        rows = rows.filter(_inside(facts, query.maille, query.dans))
    if query.territoire is not None:
        rows = rows.filter(pl.col("code_territoire") == query.territoire)
    if query.groupe is not None:
        rows = rows.filter(pl.col("code_groupe") == query.groupe)
    rows = rows.with_columns(
        pl.lit(query.maille).alias("maille"),
        pl.lit(query.groupement).alias("groupement"),
        pl.lit(query.perimetre).alias("perimetre"),
        pl.lit(query.niveau).alias("niveau"),
        pl.lit(query.palier).alias("palier"),
        ratio(
            pl.col("projets_recrutement")
            if "projets_recrutement" in rows.columns
            else pl.lit(None),
            pl.col("places"),
        ).alias("projets_par_place"),
    )
    for column in ORDER:
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None).alias(column))
    counts = [
        "nb_offres",
        "nb_etablissements",
        "capacite",
        "demandes_voeux_1",
        "capacite_bts",
        "voeux_confirmes",
        "places",
        "nb_offres_distance",
        "capacite_distance",
        "voeux_confirmes_distance",
        "nb_remplissage_incoherent",
    ]
    no_offer = pl.col("nb_offres").is_null()
    # Weighted sums depend, in their last bits, on the order of the summation: rounded, a row
    # reads the same whatever the query that computed it.
    return (
        # A row without offers has no pupils (0); a row with offers whose pupils are all unknown
        # keeps its blank.
        rows.with_columns(pl.when(no_offer).then(0).otherwise(pl.col("effectif")).alias("effectif"))
        .with_columns(pl.col(c).fill_null(0) for c in counts)
        .select(ORDER)
        .with_columns(pl.col(pl.Float64).round(ROUNDING))
        .sort("code_territoire", "code_groupe")
    )
