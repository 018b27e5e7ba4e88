"""The FAP 2009 ↔ FAP 2021 bridge, built from codes and labels.

DARES tension indicators are published per FAP 2009 family (225 codes such as ``D2Z42``); BMO
recruitment projects per FAP 2021 métier (341 codes such as ``D1X33B``, BMO mostly using their
228-level parent ``D1X33``). No official correspondence table is among the sources, so the bridge
is built here, and its coverage and doubtful cases are reported with it.

FAP 2021 renumbered most families (D2Z42 « soudeurs » became D1X33, E1Z41 « chimie » became E2X40
while E1X41 is now metal production), so a code is weak evidence and labels decide:

1. Each FAP 2009 is described by the labels of its PCS (the FAP is defined as a group of PCS) and
   of its ROME codes; there is no FAP 2009 label file.
2. Each pair (FAP 2009, FAP 2021 341-level code) is scored: a weighted token similarity of the
   labels (:func:`token_similarity`, tokens weighted by their rarity), lowered when the socio-
   professional class (worker, employee, technician, executive) or the qualification (« non / peu
   qualifiés » against « qualifiés ») disagree, or when the domain letter differs, raised when the
   code structure agrees (``Z`` → ``X``, same digits).
3. The best candidate is the **primary** FAP 2021. A FAP 2009 made of several PCS keeps the best
   FAP 2021 of each of its PCS when it scores close to the primary (a real split), and a primary
   that is one of several suffixed codes (``A0X41a``…``f``) brings its compatible siblings.
4. A FAP 2021 that no FAP 2009 reached gets its best FAP 2009 (« réciproque »), when close enough.
5. Weights of one FAP 2009's targets are proportional to their BMO projects (a 228-level BMO code
   shared equally among its 341-level children), equal when there are none; they sum to 1.

Thresholds and factors were set on 108 families whose counterpart can be judged from the labels
(103 right); ``docs/trades.md`` gives them with the coverage on the real files.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from unidecode import unidecode

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query

METHOD_CODE = "code exact"
METHOD_SUFFIX = "code + suffixe"
METHOD_LABEL = "libellé"
METHOD_LABEL_SUFFIX = "libellé + suffixe"
METHOD_SHARE = "libellé (partage)"
METHOD_REVERSE = "libellé (réciproque)"

MIN_SCORE = 0.25  # below it, a FAP 2009 is left unmatched (its labels share too little)
SHARE_RATIO = 0.75  # a split target scores at least this share of the primary's score
SIBLING_RATIO = 0.5  # a suffixed sibling scores at least this share of the chosen code's score
REVERSE_MIN_SCORE = 0.5  # an unreached FAP 2021 takes its best FAP 2009 above this score
AMBIGUITY_MARGIN = 0.03  # two targets from different families this close cannot be told apart
FRAGILE_SCORE = 0.35  # a primary link below this score rests on few shared words

_STOPWORDS = frozenset((
    "a", "au", "aux", "autre", "autres", "avec", "c", "d", "dans", "de", "des", "divers",
    "diverses", "du", "en", "et", "etc", "hors", "l", "la", "le", "les", "leur", "ou", "par",
    "pour", "sans", "sauf", "sur", "un", "une", "y", "yc", "compris", "salaries", "moins", "plus",
))  # fmt: skip
_SUFFIXES = (
    "ements", "ement", "ations", "ation", "iennes", "ienne", "iens", "ien", "euses", "euse",
    "eurs", "eur", "ieres", "iere", "iers", "ier", "iques", "ique", "eries", "erie", "ages",
    "age", "ites", "ite", "istes", "iste", "ures", "ure", "ees", "ee", "es", "e", "s", "x",
)  # fmt: skip
_NOT_QUALIFIED = re.compile(r"\b(?:non|peu)[\s-]+qualifie?e?s?\b")
_QUALIFIED = re.compile(r"\bqualifie?e?s?\b")
_KEEP = frozenset({"nonqualif", "qualif"})
_STEM_LENGTH = 4


def _stem(word: str) -> str:
    """A light French stem: one common suffix off, then the first four letters (« soudeurs »
    and « soudage » → ``soud``; « impression » and « imprimerie » → ``impr``)."""
    if word in _KEEP:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LENGTH]


def tokens(text: str | None) -> list[str]:
    """The comparable tokens of a label: ASCII, lower case, no stop words, stemmed; « non /
    peu qualifiés » becomes ``nonqualif`` and « qualifiés » ``qualif``."""
    plain = unidecode(text or "").lower()
    plain = _QUALIFIED.sub(" qualif ", _NOT_QUALIFIED.sub(" nonqualif ", plain))
    words = re.findall(r"[a-z]+", plain)
    return [_stem(w) for w in words if len(w) > 1 and w not in _STOPWORDS]


def token_similarity(a: str, b: str, weights: Mapping[str, float] | None = None) -> float:
    """Weighted Dice coefficient of the token sets of ``a`` and ``b``, in [0, 1].

    Symmetric; 1 for identical strings. Weights are non-negative; tokens absent from ``weights``
    weigh 1. Two strings without any token (only stop words or punctuation) are similar when
    they are equal.
    """
    left, right = set(tokens(a)), set(tokens(b))
    if left and left == right:
        return 1.0
    if not left or not right:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    return _dice(left, right, weights or {})


def _weight(weights: Mapping[str, float], token: str) -> float:
    return weights.get(token, 1.0)


def _dice(left: AbstractSet[str], right: AbstractSet[str], weights: Mapping[str, float]) -> float:
    total = sum(_weight(weights, t) for t in left) + sum(_weight(weights, t) for t in right)
    common = sum(_weight(weights, t) for t in left & right)
    return min(1.0, 2.0 * common / total) if total else 0.0


def _rarity_weights(documents: Iterable[set[str]]) -> dict[str, float]:
    """Inverse document frequency, so that « ouvriers » or « techniciens » count less than
    « soudage » or « chaudronnerie »."""
    docs = list(documents)
    counts = Counter(t for d in docs for t in d)
    return {t: math.log(1.0 + len(docs) / n) for t, n in counts.items()}


# --- socio-professional class and qualification ------------------------------------------------

_CLASS_WORDS = {
    _stem(word): social_class
    for social_class, words in (
        ("O", "ouvriers ouviers operateurs manutentionnaires artisans agriculteurs"),
        ("E", "employes"),
        ("T", "techniciens maitrise"),
        ("C", "ingenieurs cadres directeurs dirigeants"),
    )
    for word in words.split()  # « ouviers »: a typo of the FAP 2021 file (E3X20, E3X40)
}


def _class_of_number(code: str) -> str:
    """FAP 2009 and 2021 share the meaning of the two-digit number: below 50 workers (and
    self-employed farmers), 50-69 employees, 70-89 technicians and supervisors, 90+ executives."""
    number = int(code[3:5]) if code[3:5].isdigit() else 0
    return "O" if number < 50 else "E" if number < 70 else "T" if number < 90 else "C"


def _classes_2021(code: str, label_tokens: set[str]) -> set[str]:
    return {_class_of_number(code)} | {_CLASS_WORDS[t] for t in label_tokens if t in _CLASS_WORDS}


def _qualification_2009(code: str) -> str | None:
    number = int(code[3:5]) if code[3:5].isdigit() else 0
    return "NQ" if 20 <= number < 30 else "Q" if 40 <= number < 50 else None


def _qualification_2021(label_tokens: set[str]) -> str | None:
    if "nonqualif" in label_tokens:
        return "NQ"
    return "Q" if "qualif" in label_tokens else None


def to_2021_shape(fap2009: str) -> str:
    """The FAP 2021 code a FAP 2009 code would have kept: ``D2Z42`` → ``D2X42`` (``Z`` → ``X``;
    the ``A`` / ``B`` of ``G0A40`` or ``T2B60`` stay)."""
    return fap2009[:2] + ("X" if fap2009[2:3] == "Z" else fap2009[2:3]) + fap2009[3:]


# --- reading -----------------------------------------------------------------------------------


def fap2009_labels(conn: sa.Connection) -> pl.DataFrame:
    """One row per FAP 2009 code known to the sources (FAP ↔ PCS, FAP ↔ ROME, tensions):
    fap2009, libelle, libelles_pcs and libelles_rome (lists, in file order).

    No source gives FAP 2009 labels; ``libelle`` is indicative: the PCS label closest to the
    family's other PCS labels (:func:`representative_label`), else the ROME one likewise."""
    pcs = DATASET_TABLES["fap2009_pcs"]
    rome = DATASET_TABLES["fap2009_rome"]
    tensions = DATASET_TABLES["dares_tensions"]
    pcs_rows = read_query(conn, sa.select(pcs.c.fap2009, pcs.c.libelle_pcs, pcs.c.line))
    rome_rows = read_query(conn, sa.select(rome.c.fap2009, rome.c.libelle_rome, rome.c.line))
    tension_codes = read_query(
        conn,
        sa.select(tensions.c.fap2009).where(tensions.c.niveau_fap == "fap 225").distinct(),
    )
    codes = pl.concat(
        [pcs_rows.select("fap2009"), rome_rows.select("fap2009"), tension_codes]
    ).unique()

    def lists(rows: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
        return (
            rows.drop_nulls(column)
            .sort("line")
            .group_by("fap2009", maintain_order=True)
            .agg(pl.col(column).unique(maintain_order=True).alias(name))
        )

    return (
        codes.drop_nulls()
        .join(lists(pcs_rows, "libelle_pcs", "libelles_pcs"), on="fap2009", how="left")
        .join(lists(rome_rows, "libelle_rome", "libelles_rome"), on="fap2009", how="left")
        .with_columns(
            pl.col("libelles_pcs").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("libelles_rome").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .with_columns(
            pl.struct("libelles_pcs", "libelles_rome")
            .map_elements(
                lambda r: representative_label(r["libelles_pcs"] or r["libelles_rome"]),
                return_dtype=pl.String,
            )
            .alias("libelle")
        )
        .select("fap2009", "libelle", "libelles_pcs", "libelles_rome")
        .sort("fap2009")
    )


def representative_label(labels: Sequence[str]) -> str | None:
    """The label most similar to the others (the first one on a tie); None for no label."""
    if not labels:
        return None
    totals = [sum(token_similarity(a, b) for b in labels) for a in labels]
    return labels[totals.index(max(totals))]


def _latest(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of the newest year (``annee``) only."""
    if rows.is_empty():
        return rows
    return rows.filter(pl.col("annee") == pl.col("annee").max())


def national_employment(conn: sa.Connection) -> pl.DataFrame:
    """fap2009, emploi_moyen: DARES national employment per FAP 2009, newest year."""
    t = DATASET_TABLES["dares_tensions"]
    rows = read_query(
        conn,
        sa.select(t.c.fap2009, t.c.emploi_moyen, t.c.annee).where(
            t.c.niveau_geo == "nat", t.c.niveau_fap == "fap 225"
        ),
    )
    return _latest(rows).group_by("fap2009").agg(pl.col("emploi_moyen").sum()).sort("fap2009")


def bmo_projects(conn: sa.Connection) -> pl.DataFrame:
    """fap2021 (BMO code), projets: national BMO recruitment projects, newest survey year."""
    t = DATASET_TABLES["bmo"]
    rows = read_query(conn, sa.select(t.c.fap2021, t.c.projets, t.c.annee))
    return (
        _latest(rows).group_by("fap2021").agg(pl.col("projets").fill_null(0).sum()).sort("fap2021")
    )


def fap2021_codes(conn: sa.Connection) -> pl.DataFrame:
    """The FAP 2021 nomenclature: fap2021 (341 level), libelle, fap228, libelle_fap228, fap86,
    libelle_fap86, fap22, libelle_fap22 — one row per code."""
    t = DATASET_TABLES["fap2021"]
    columns = ("fap2021", "libelle", "fap228", "libelle_fap228", "fap86", "libelle_fap86")
    query = sa.select(*(t.c[c] for c in (*columns, "fap22", "libelle_fap22")))
    return read_query(conn, query).drop_nulls("fap2021").unique("fap2021").sort("fap2021")


# --- scoring -----------------------------------------------------------------------------------

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
    total = sum(_weight(weights, t) for t in part)
    return sum(_weight(weights, t) for t in part & whole) / total if total else 0.0


@dataclass(frozen=True)
class _Family2009:
    code: str
    pcs: tuple[frozenset[str], ...]
    rome: tuple[frozenset[str], ...]
    bag: frozenset[str]  # every token of its labels


@dataclass(frozen=True)
class _Code2021:
    code: str
    fap228: str
    own: frozenset[str]  # tokens of its own label
    words: frozenset[str]  # and of its 228-level parent's label
    classes: frozenset[str]
    qualification: str | None


class _Scorer:
    """Scores of every (FAP 2009, FAP 2021) pair, from the labels of both nomenclatures."""

    def __init__(self, labels2009: pl.DataFrame, codes2021: pl.DataFrame) -> None:
        self.families = []
        for row in labels2009.iter_rows(named=True):
            pcs = tuple(frozenset(tokens(x)) for x in row["libelles_pcs"])
            rome = tuple(frozenset(tokens(x)) for x in row["libelles_rome"])
            self.families.append(
                _Family2009(
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
                _Code2021(
                    code=row["fap2021"],
                    fap228=row["fap228"] or row["fap2021"][:5],
                    own=own,
                    words=frozenset(words),
                    classes=frozenset(_classes_2021(row["fap2021"], words)),
                    qualification=_qualification_2021(words),
                )
            )
        self._similarities: dict[tuple[frozenset[str], str], float] = {}
        self._totals: dict[frozenset[str], float] = {}
        self.weights = _rarity_weights(
            [set(c.words) for c in self.codes] + [set(f.bag) for f in self.families]
        )

    def _adjust(self, family: str, code: _Code2021, similarity: float) -> float:
        bonus = _CODE_BONUS if to_2021_shape(family) in (code.code, code.fap228) else 0.0
        if not similarity:
            return bonus
        score = similarity
        if _class_of_number(family) not in code.classes:
            score *= _CLASS_FACTOR
        qualification = _qualification_2009(family)
        if qualification and code.qualification and qualification != code.qualification:
            score *= _QUALIFICATION_FACTOR
        if family[0] != code.code[0]:
            score *= _DOMAIN_FACTOR
        return round(min(1.0, score + bonus), 4)

    def _similarity(self, label: frozenset[str], code: _Code2021) -> float:
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
            self._totals[words] = sum(_weight(self.weights, t) for t in words)
        return self._totals[words]

    def _dice(self, left: frozenset[str], right: frozenset[str]) -> float:
        common = left & right
        if not common:
            return 0.0
        shared = sum(_weight(self.weights, t) for t in common)
        return min(1.0, 2.0 * shared / (self._total(left) + self._total(right)))

    def score(self, family: _Family2009, code: _Code2021) -> float:
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

    def best_per_pcs(self, family: _Family2009) -> list[str]:
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


# --- the bridge --------------------------------------------------------------------------------


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


def _method(family: str, code: _Code2021, chosen_by_label: str) -> str:
    shape = to_2021_shape(family)
    if shape == code.code:
        return METHOD_CODE
    if shape == code.fap228:
        return METHOD_SUFFIX
    return chosen_by_label


def _compatible(family: str, code: _Code2021) -> bool:
    qualification = _qualification_2009(family)
    same_qualification = not (
        qualification and code.qualification and qualification != code.qualification
    )
    return same_qualification and _class_of_number(family) in code.classes


def _links(scorer: _Scorer, scores: pl.DataFrame) -> list[tuple[str, str, str]]:
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
    scorer = _Scorer(labels, codes2021)
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
