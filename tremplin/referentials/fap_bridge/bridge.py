"""Choosing the FAP 2021 targets of each FAP 2009 from the scores, weighting them by BMO
projects, and reporting what stays ambiguous, unmatched or unreached (the coverage)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.fap_bridge.labels import (
    class_of_number,
    qualification_2009,
    to_2021_shape,
)
from tremplin.referentials.fap_bridge.reading import (
    bmo_projects,
    fap2009_labels,
    fap2021_codes,
    national_employment,
)
from tremplin.referentials.fap_bridge.scoring import (
    AMBIGUITY_MARGIN,
    FRAGILE_SCORE,
    MIN_SCORE,
    REVERSE_MIN_SCORE,
    SHARE_RATIO,
    SIBLING_RATIO,
    Code2021,
    Scorer,
)

METHOD_CODE = "code exact"
METHOD_SUFFIX = "code + suffixe"
METHOD_LABEL = "libellé"
METHOD_LABEL_SUFFIX = "libellé + suffixe"
METHOD_SHARE = "libellé (partage)"
METHOD_REVERSE = "libellé (réciproque)"


@dataclass(frozen=True)
class BridgeCoverage:
    """How much of each source the bridge carries across."""

    fap2009_codes: int
    fap2009_bridged: int
    emploi_total: float
    emploi_bridged: float
    bmo_codes: int
    bmo_codes_reached: int
    projets_total: int
    projets_reached: int

    @staticmethod
    def _share(part: float, whole: float) -> float | None:
        return part / whole if whole else None

    @property
    def share_codes(self) -> float | None:
        """Share of FAP 2009 codes with at least one FAP 2021."""
        return self._share(self.fap2009_bridged, self.fap2009_codes)

    @property
    def share_emploi(self) -> float | None:
        """Share of DARES national employment (newest year) in bridged FAP 2009 codes."""
        return self._share(self.emploi_bridged, self.emploi_total)

    @property
    def share_projets(self) -> float | None:
        """Share of BMO projects (newest survey) whose code some FAP 2009 reaches."""
        return self._share(self.projets_reached, self.projets_total)


@dataclass(frozen=True)
class FapBridge:
    """The bridge and what it leaves doubtful or out.

    ``frame``: fap2009, libelle_fap2009, fap2021, libelle_fap2021, fap228, code_bmo (the BMO
    code it falls under, see :func:`bmo_code_expr`), method, score, weight, is_primary — one row
    per (FAP 2009, FAP 2021) kept; weights of one FAP 2009 sum to 1 and
    exactly one of its rows is primary. ``ambiguous``: kind, fap2009 (list), fap2021 (list),
    detail. ``unmatched``: FAP 2009 codes without any FAP 2021 (fap2009, libelle, emploi_moyen,
    best_fap2021, best_score). ``unreached``: BMO codes no FAP 2009 reaches (fap2021, projets).
    """

    frame: pl.DataFrame
    ambiguous: pl.DataFrame
    unmatched: pl.DataFrame
    unreached: pl.DataFrame
    coverage: BridgeCoverage

    def primary(self) -> pl.DataFrame:
        """fap2009 → its primary fap2021, with fap228, code_bmo and method (one row per bridged
        FAP 2009)."""
        return self.frame.filter(pl.col("is_primary")).select(
            "fap2009", "fap2021", "fap228", "code_bmo", "method"
        )


def bmo_code_expr(bmo_codes: pl.Series, column: str = "fap2021") -> pl.Expr:
    """The BMO code a FAP 2021 code (341 level) falls under: itself when BMO surveys it, else
    its 228-level parent (``D1X33B`` → ``D1X33``) when BMO surveys that, else null."""
    codes = bmo_codes.unique().implode()
    code, parent = pl.col(column), pl.col(column).str.slice(0, 5)
    return pl.when(code.is_in(codes)).then(code).when(parent.is_in(codes)).then(parent)


def _method(family: str, code: Code2021, chosen_by_label: str) -> str:
    shape = to_2021_shape(family)
    if shape == code.code:
        return METHOD_CODE
    if shape == code.fap228:
        return METHOD_SUFFIX
    return chosen_by_label


def _compatible(family: str, code: Code2021) -> bool:
    qualification = qualification_2009(family)
    same_qualification = not (
        qualification and code.qualification and qualification != code.qualification
    )
    return same_qualification and class_of_number(family) in code.classes


def _links(scorer: Scorer, scores: pl.DataFrame) -> list[tuple[str, str, str]]:
    """(fap2009, fap2021, method) for every link kept, following the module's steps 3 and 4."""
    codes = {c.code: c for c in scorer.codes}
    siblings: dict[str, list[str]] = {}
    for c in scorer.codes:
        siblings.setdefault(c.fap228, []).append(c.code)
    score = {(r[0], r[1]): r[3] for r in scores.iter_rows()}
    links: dict[tuple[str, str], str] = {}
    for family in scorer.families:
        ranked = sorted(
            (c for c in scorer.codes if c.words),
            key=lambda c: (-score[family.code, c.code], c.code),
        )
        if not ranked or score[family.code, ranked[0].code] < MIN_SCORE:
            continue
        best = ranked[0]
        best_score = score[family.code, best.code]
        kept = {best.code: _method(family.code, best, METHOD_LABEL)}
        for code in scorer.best_per_pcs(family):
            if code not in kept and score[family.code, code] >= SHARE_RATIO * best_score:
                kept[code] = _method(family.code, codes[code], METHOD_SHARE)
        for chosen in list(kept):
            for other in siblings[codes[chosen].fap228]:
                candidate = codes[other]
                if (
                    other not in kept
                    and _compatible(family.code, candidate)
                    and score[family.code, other] >= SIBLING_RATIO * score[family.code, chosen]
                ):
                    kept[other] = _method(family.code, candidate, METHOD_LABEL_SUFFIX)
        links.update({(family.code, code): method for code, method in kept.items()})
    reached = {code for _, code in links}
    for c in scorer.codes:
        if c.code in reached or not c.words or not scorer.families:
            continue
        family = max(scorer.families, key=lambda f: (score[f.code, c.code], f.code))
        if score[family.code, c.code] >= REVERSE_MIN_SCORE:
            links[family.code, c.code] = METHOD_REVERSE
    return [(f, c, m) for (f, c), m in sorted(links.items())]


def _project_share(codes2021: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """fap2021 (341 level) → BMO projects attributed to it: its own, else an equal share of its
    228-level parent's (BMO mostly surveys the 228 level)."""
    own = projects.rename({"fap2021": "code", "projets": "own"})
    parent = projects.rename({"fap2021": "fap228", "projets": "parent"})
    return (
        codes2021.select("fap2021", "fap228")
        .with_columns(pl.len().over("fap228").alias("children"))
        .join(own, left_on="fap2021", right_on="code", how="left")
        .join(parent, on="fap228", how="left")
        .select(
            "fap2021",
            pl.coalesce(
                pl.col("own").cast(pl.Float64),
                pl.col("parent").cast(pl.Float64) / pl.col("children"),
                pl.lit(0.0),
            ).alias("projets_attribues"),
        )
    )


def _with_weights_and_primary(links: pl.DataFrame, shares: pl.DataFrame) -> pl.DataFrame:
    return (
        links.join(shares, on="fap2021", how="left")
        .with_columns(pl.col("projets_attribues").fill_null(0.0))
        .with_columns(
            pl.when(pl.col("projets_attribues").sum().over("fap2009") > 0)
            .then(pl.col("projets_attribues") / pl.col("projets_attribues").sum().over("fap2009"))
            .otherwise(1.0 / pl.len().over("fap2009"))
            .alias("weight")
        )
        .sort(
            ["fap2009", "score", "weight", "fap2021"],
            descending=[False, True, True, False],
        )
        .with_columns((pl.int_range(pl.len()).over("fap2009") == 0).alias("is_primary"))
        .drop("projets_attribues")
    )


def _ambiguous(scores: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The doubtful cases, as rows kind, fap2009 (list), fap2021 (list), detail."""
    rows: list[tuple[str, list[str], list[str], str]] = []
    primary = frame.filter(pl.col("is_primary"))
    for p in primary.filter(pl.col("score") < FRAGILE_SCORE).iter_rows(named=True):
        rows.append(
            (
                "rapprochement fragile",
                [p["fap2009"]],
                [p["fap2021"]],
                f"{p['fap2009']} → {p['fap2021']} : score {p['score']:.2f}, peu de mots communs "
                f"entre « {p['libelle_fap2009']} » et « {p['libelle_fap2021']} »",
            )
        )
    ranked = scores.sort(["fap2009", "score", "fap2021"], descending=[False, True, False])
    for p in primary.iter_rows(named=True):
        rivals = ranked.filter(
            (pl.col("fap2009") == p["fap2009"])
            & (pl.col("fap228") != p["fap228"])
            & (pl.col("score") >= p["score"] - AMBIGUITY_MARGIN)
        )
        if rivals.height:
            rival = rivals.row(0, named=True)
            rows.append(
                (
                    "plusieurs FAP 2021 possibles",
                    [p["fap2009"]],
                    [p["fap2021"], rival["fap2021"]],
                    f"{p['fap2009']} : {p['fap2021']} (score {p['score']:.2f}) retenue, "
                    f"{rival['fap2021']} presque aussi proche (score {rival['score']:.2f})",
                )
            )
    shared = (
        primary.group_by("fap2021")
        .agg(pl.col("fap2009").sort())
        .filter(pl.col("fap2009").list.len() > 1)
        .sort("fap2021")
    )
    for code, families in shared.iter_rows():
        rows.append(
            (
                "plusieurs FAP 2009 vers une FAP 2021",
                list(families),
                [code],
                f"{len(families)} FAP 2009 ont {code} pour FAP 2021 principale : "
                + ", ".join(families),
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "fap2009": pl.List(pl.String),
            "fap2021": pl.List(pl.String),
            "detail": pl.String,
        },
        orient="row",
    )


def fap_bridge(conn: sa.Connection) -> FapBridge:
    """Build the FAP 2009 ↔ FAP 2021 bridge from the loaded nomenclatures (see the module)."""
    labels = fap2009_labels(conn)
    codes2021 = fap2021_codes(conn)
    employment = national_employment(conn)
    projects = bmo_projects(conn)
    scorer = Scorer(labels, codes2021)
    scores = scorer.matrix()
    links = pl.DataFrame(
        _links(scorer, scores),
        schema={"fap2009": pl.String, "fap2021": pl.String, "method": pl.String},
        orient="row",
    ).join(scores.select("fap2009", "fap2021", "fap228", "score"), on=["fap2009", "fap2021"])
    frame = (
        _with_weights_and_primary(links, _project_share(codes2021, projects))
        .join(
            labels.select("fap2009", pl.col("libelle").alias("libelle_fap2009")),
            on="fap2009",
            how="left",
        )
        .join(
            codes2021.select("fap2021", pl.col("libelle").alias("libelle_fap2021")),
            on="fap2021",
            how="left",
        )
        .with_columns(bmo_code_expr(projects["fap2021"]).alias("code_bmo"))
        .select(
            "fap2009",
            "libelle_fap2009",
            "fap2021",
            "libelle_fap2021",
            "fap228",
            "code_bmo",
            "method",
            "score",
            "weight",
            "is_primary",
        )
    )
    bridged = set(frame["fap2009"])
    best = scores.sort(["score", "fap2021"], descending=[True, False]).unique(
        "fap2009", keep="first"
    )
    unmatched = (
        labels.filter(~pl.col("fap2009").is_in(list(bridged)))
        .select("fap2009", "libelle")
        .join(employment, on="fap2009", how="left")
        .join(
            best.select("fap2009", pl.col("fap2021").alias("best_fap2021"), "score"),
            on="fap2009",
            how="left",
        )
        .rename({"score": "best_score"})
        .sort("fap2009")
    )
    reached = set(frame["fap2021"]) | set(frame["fap228"])
    unreached = projects.filter(~pl.col("fap2021").is_in(list(reached))).sort(
        "projets", descending=True
    )
    coverage = BridgeCoverage(
        fap2009_codes=labels.height,
        fap2009_bridged=len(bridged),
        emploi_total=float(employment["emploi_moyen"].sum()),
        emploi_bridged=float(
            employment.filter(pl.col("fap2009").is_in(list(bridged)))["emploi_moyen"].sum()
        ),
        bmo_codes=projects.height,
        bmo_codes_reached=projects.height - unreached.height,
        projets_total=int(projects["projets"].sum()),
        projets_reached=int(projects["projets"].sum()) - int(unreached["projets"].sum()),
    )
    return FapBridge(
        frame=frame,
        ambiguous=_ambiguous(scores, frame),
        unmatched=unmatched,
        unreached=unreached,
        coverage=coverage,
    )
