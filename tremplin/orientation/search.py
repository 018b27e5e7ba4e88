"""Find a trade from one's own words: a lexical search over the ROME fiches, their appellations
and the ONISEP trade names.

**Documents.** Every label is a document of its ROME fiche: the fiche's own label, its
appellations (``metier.csv``, 11,522 labels) and the ONISEP trade names linked to it. Each is
analysed (:mod:`tremplin.orientation.lexicon`) into a set of stems.

**A query** is analysed the same way; each of its words becomes a *concept*, matched by stems
with a weight: the same stem 1.0; another stem of the same root 0.8 (« soudure » ~ « soudeur »);
a word of the lexicon of everyday words 0.9 for what it stands for (label words, or every label
of the ROME codes it names); when the word is none of these, the closest stems by edit
distance (``rapidfuzz``, similarity ≥ 80 %), weighted 0.85 × similarity (« electrisien » →
« electricien »). A word matching nothing at all is left out and said (``ignores``).

**Scoring.** A document's score is the share of the query's concepts it matches, each concept
weighted by its idf over the fiches (a rare word weighs more than « technicien »; a word of the
lexicon that names ROME codes as much as the rarest word), times a
length factor (0.7 + 0.3 × the share of the label's stems the query matched: « Soudeur /
Soudeuse » before « Régleur sur robot de soudure »). A fiche scores its best document ×
(0.9 + 0.1 × min(1, ln(1 + its other documents scoring at least 90 % of the best) / ln 10)),
divided by :data:`INDUSTRY_BOOST` when the fiche is outside the industrial perimeter: a light
boost, documented here and on the result, that puts an industrial trade ahead of an equally
relevant one and never hides another. Scores lie between 0 and 1 (1: every word of the query
in a label, the label all matched, an industrial trade with many such labels). Results are
ordered by score, then ROME code.

The index is built once per set of loaded files (:class:`TradeSearch` keeps it in memory and
rebuilds it when the store's fingerprint changes); a query reads numpy arrays only.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from rapidfuzz import fuzz, process

from tremplin.errors import InputError, NotFound
from tremplin.orientation.lexicon import EVERYDAY_WORDS, analyse, fold, is_code, root, stem, words
from tremplin.referentials.perimeter import Perimeter
from tremplin.referentials.tables import read_snapshot
from tremplin.referentials.trades import ROME_GRANDS_DOMAINES, rome_domains
from tremplin.store.derived import files_fingerprint

INDEX_VERSION = "1"
"""Bump when what the index is built from, or how, changes."""

INDUSTRY_BOOST = 1.05
"""How much more an industrial trade scores than an equally relevant other one (a tie-breaker,
not a filter): the others' scores are divided by it."""

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 200
"""Longer queries are cut: a young person's words, not a document."""

_EXACT, _ROOT, _LEXICON, _FUZZY = 1.0, 0.8, 0.9, 0.85
_FUZZY_CUTOFF = 80.0
_LETTERS = re.compile(r"[^\W_]+")
_KIND_WEIGHT = {"fiche": 1.0, "appellation": 1.0, "onisep": 1.0}


@dataclass(frozen=True)
class Trade:
    """A ROME fiche as the orientation pages show it."""

    code_rome: str
    libelle: str
    domaine: str | None
    libelle_domaine: str | None
    industrie: bool
    transition_ecologique: bool
    transition_numerique: bool
    transition_demographique: bool
    lien_onisep: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "code_rome": self.code_rome,
            "libelle": self.libelle,
            "domaine": self.domaine,
            "libelle_domaine": self.libelle_domaine,
            "industrie": self.industrie,
            "transition_ecologique": self.transition_ecologique,
            "transition_numerique": self.transition_numerique,
            "transition_demographique": self.transition_demographique,
            "lien_onisep": self.lien_onisep,
        }


@dataclass(frozen=True)
class TradeHit:
    """A trade found for a query: its score, the label that matched best and why."""

    trade: Trade
    score: float
    appellation: str
    pourquoi: str

    def as_json(self) -> dict[str, Any]:
        return {
            **self.trade.as_json(),
            "score": round(self.score, 4),
            "appellation": self.appellation,
            "pourquoi": self.pourquoi,
        }


@dataclass(frozen=True)
class SearchResult:
    """The trades found for a query, best first, and the query's words that matched nothing."""

    query: str
    hits: list[TradeHit]
    ignores: list[str]


@dataclass(frozen=True)
class Domain:
    """A ROME professional domain and its trades."""

    code: str
    libelle: str
    grand_domaine: str
    libelle_grand_domaine: str
    trades: list[Trade]


@dataclass
class _Concept:
    word: str
    weight: float
    stems: dict[str, tuple[float, str]] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)


def check_limit(limite: int) -> int:
    """``limite`` when it is between 1 and :data:`MAX_LIMIT`; an InputError otherwise."""
    if not 1 <= limite <= MAX_LIMIT:
        raise InputError(
            f"nombre de métiers demandé invalide : {limite}",
            where=("limite",),
            expected=f"un entier de 1 à {MAX_LIMIT}",
        )
    return limite


class SearchIndex:
    """The analysed labels of the ROME fiches, and the query over them (:meth:`search`)."""

    def __init__(
        self,
        trades: list[Trade],
        documents: list[tuple[int, str, str]],
        communes: dict[str, str],
    ) -> None:
        """``documents``: (index of the trade in ``trades``, label, kind) for every label."""
        self.trades = trades
        self.communes = communes
        self._labels = [label for _, label, _ in documents]
        self._doc_trade = np.array([t for t, _, _ in documents], dtype=np.int64)
        self._doc_weight = np.array([_KIND_WEIGHT[k] for _, _, k in documents])
        self._doc_kind = [k for _, _, k in documents]
        stems_of = [frozenset(analyse(label)) for _, label, _ in documents]
        self._doc_stems = stems_of
        self._doc_size = np.array([max(1, len(s)) for s in stems_of], dtype=np.float64)
        postings: dict[str, list[int]] = defaultdict(list)
        surface: dict[str, str] = {}
        for number, (_, label, _) in enumerate(documents):
            for stem_ in stems_of[number]:
                postings[stem_].append(number)
            for word in _LETTERS.findall(label):
                folded = fold(word)
                if folded.isalnum():
                    surface.setdefault(stem(folded), word.lower())
        self._postings = {s: np.array(docs, dtype=np.int64) for s, docs in postings.items()}
        self._surface = surface
        self._vocabulary = sorted(self._postings)
        roots: dict[str, set[str]] = defaultdict(set)
        for stem_ in self._vocabulary:
            roots[root(stem_)].add(stem_)
        self._roots = dict(roots)
        trades_with: dict[str, set[int]] = defaultdict(set)
        for stem_, docs in self._postings.items():
            trades_with[stem_].update(self._doc_trade[docs].tolist())
        n = len(trades)
        self._idf = {s: math.log(1 + n / len(t)) for s, t in trades_with.items()}
        self._max_idf = math.log(1 + n) if n else 1.0
        self._trade_codes = np.array([t.code_rome for t in trades])
        self._docs_of_trade: dict[int, np.ndarray] = {}
        for t in range(n):
            self._docs_of_trade[t] = np.flatnonzero(self._doc_trade == t)
        self._prefix_docs: dict[str, np.ndarray] = {}
        self._industry = np.array([1.0 if t.industrie else 0.0 for t in trades])
        self._lexicon = {
            stem(w): (
                [s for value in values if not is_code(value) for s in analyse(value)],
                [value for value in values if is_code(value)],
            )
            for w, values in EVERYDAY_WORDS.items()
        }
        self._by_code = {t.code_rome: t for t in trades}

    @property
    def size(self) -> int:
        """How many labels are indexed."""
        return len(self._labels)

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, conn: sa.Connection, perimeter: Perimeter) -> SearchIndex:
        """The index of the ROME files loaded in the store (empty when none is)."""
        fiches = read_snapshot(
            conn,
            "rome_fiches",
            ["code_rome", "libelle_rome", "transition_eco", "transition_num", "transition_demo"],
            ["code_rome"],
        )
        appellations = read_snapshot(
            conn, "rome_appellations", ["code_ogr", "code_rome", "libelle_long"], ["code_ogr"]
        )
        onisep = read_snapshot(
            conn,
            "rome_onisep",
            [
                "code_rome",
                "libelle_onisep",
                "lien_onisep",
                "transition_ecologique",
                "transition_numerique",
                "transition_demographique",
            ],
            ["code_rome", "libelle_onisep"],
        )
        domains = {
            row["domaine_rome"]: row["libelle_domaine_rome"]
            for row in rome_domains(conn).iter_rows(named=True)
        }
        onisep_flags = onisep.group_by("code_rome").agg(
            pl.col("lien_onisep").first(),
            pl.col("transition_ecologique").fill_null(False).any().alias("_eco"),
            pl.col("transition_numerique").fill_null(False).any().alias("_num"),
            pl.col("transition_demographique").fill_null(False).any().alias("_demo"),
        )
        table = (
            fiches.join(onisep_flags, on="code_rome", how="left")
            .with_columns(perimeter.rome_expr("code_rome").fill_null(False).alias("_industrie"))
            .sort("code_rome")
        )
        trades = [
            Trade(
                code_rome=row["code_rome"],
                libelle=row["libelle_rome"],
                domaine=row["code_rome"][:3],
                libelle_domaine=domains.get(row["code_rome"][:3]),
                industrie=bool(row["_industrie"]),
                transition_ecologique=bool(row["transition_eco"]) or bool(row["_eco"]),
                transition_numerique=bool(row["transition_num"]) or bool(row["_num"]),
                transition_demographique=bool(row["transition_demo"]) or bool(row["_demo"]),
                lien_onisep=row["lien_onisep"],
            )
            for row in table.iter_rows(named=True)
        ]
        number = {t.code_rome: i for i, t in enumerate(trades)}
        documents = [(i, t.libelle, "fiche") for i, t in enumerate(trades)]
        for kind, frame, column in (
            ("appellation", appellations, "libelle_long"),
            ("onisep", onisep, "libelle_onisep"),
        ):
            for code_rome, label in frame.select("code_rome", column).iter_rows():
                if code_rome in number and label:
                    documents.append((number[code_rome], label, kind))
        communes = read_snapshot(conn, "communes", ["code_insee", "nom"], ["code_insee"])
        return cls(trades, documents, dict(communes.iter_rows()))

    # -- queries -----------------------------------------------------------------------------

    def trade(self, code_rome: str) -> Trade:
        """The trade of ``code_rome``; NotFound when the ROME files do not have it."""
        found = self._by_code.get(code_rome.strip().upper())
        if found is None:
            raise NotFound(f"code ROME inconnu : « {code_rome} »")
        return found

    def commune_name(self, code_insee: str) -> str:
        """The name of a commune by its INSEE code; InputError for an unknown code."""
        name = self.communes.get(code_insee.strip().upper())
        if name is None:
            raise InputError(
                f"commune inconnue : « {code_insee} »",
                where=("commune",),
                expected="le code INSEE d'une commune chargée (5 caractères, ex. 01283)",
            )
        return name

    def domains(self) -> list[Domain]:
        """The ROME professional domains that have trades, with their trades in code order."""
        grouped: dict[str, list[Trade]] = defaultdict(list)
        for t in self.trades:
            if t.domaine:
                grouped[t.domaine].append(t)
        return [
            Domain(
                code=code,
                libelle=trades[0].libelle_domaine or code,
                grand_domaine=code[0],
                libelle_grand_domaine=ROME_GRANDS_DOMAINES.get(code[0], code[0]),
                trades=trades,
            )
            for code, trades in sorted(grouped.items())
        ]

    def _docs_with_prefix(self, prefix: str) -> np.ndarray:
        found = self._prefix_docs.get(prefix)
        if found is None:
            trades = np.flatnonzero(np.char.startswith(self._trade_codes, prefix))
            found = np.flatnonzero(np.isin(self._doc_trade, trades))
            self._prefix_docs[prefix] = found
        return found

    def _concept(self, word: str, shown: str) -> _Concept:
        s = stem(word)
        concept = _Concept(shown, self._idf.get(s, 0.0))
        if s in self._postings:
            concept.stems[s] = (_EXACT, "exact")
        for other in self._roots.get(root(s), ()):
            if other != s:
                concept.stems.setdefault(other, (_ROOT, "root"))
        stems, codes = self._lexicon.get(s, ([], []))
        for other in stems:
            if other in self._postings and concept.stems.get(other, (0.0, ""))[0] < _LEXICON:
                concept.stems[other] = (_LEXICON, "lexicon")
        concept.codes = codes
        if not concept.stems and not codes and len(s) >= 4:
            for other, similarity, _ in process.extract(
                s, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=4
            ):
                concept.stems[other] = (_FUZZY * similarity / 100, "fuzzy")
                for same_root in self._roots.get(root(other), ()):
                    concept.stems.setdefault(
                        same_root, (_FUZZY * _ROOT * similarity / 100, "fuzzy")
                    )
        if concept.weight == 0.0:
            idfs = [self._idf[o] for o in concept.stems]
            concept.weight = max(idfs) if idfs else 1.0
        if codes:
            # A word of the lexicon that names trades weighs as much as the rarest label word:
            # « dehors » must not lose to the literal « main » of « Mouleur main ».
            concept.weight = max(concept.weight, self._max_idf)
        return concept

    def search(self, query: str, limite: int = DEFAULT_LIMIT) -> SearchResult:
        """The trades for ``query``, best first, at most ``limite`` (1 to :data:`MAX_LIMIT`).

        Any text is accepted: one that says nothing of a trade (empty, only stopwords or
        unknown words) finds nothing."""
        check_limit(limite)
        text = query[:MAX_QUERY_LENGTH]
        concepts: list[_Concept] = []
        ignores: list[str] = []
        seen: set[str] = set()
        for token in _LETTERS.findall(text):
            for word in words(token):
                if word in seen:
                    continue
                seen.add(word)
                concept = self._concept(word, token.lower())
                if concept.stems or concept.codes:
                    concepts.append(concept)
                else:
                    ignores.append(token.lower())
        if not concepts or not self.trades:
            return SearchResult(query, [], ignores)
        n_docs = len(self._labels)
        lexical = np.zeros((len(concepts), n_docs))
        coded = np.zeros((len(concepts), n_docs))
        for i, concept in enumerate(concepts):
            for s, (weight, _) in concept.stems.items():
                docs = self._postings[s]
                lexical[i, docs] = np.maximum(lexical[i, docs], weight)
            for prefix in concept.codes:
                coded[i, self._docs_with_prefix(prefix)] = _LEXICON
        weights = np.array([c.weight for c in concepts])
        matched = np.maximum(lexical, coded)
        coverage = weights @ matched / weights.sum()
        share = np.minimum(1.0, (lexical > 0).sum(axis=0) / self._doc_size)
        doc_score = coverage * (0.7 + 0.3 * share) * self._doc_weight
        n_trades = len(self.trades)
        best = np.zeros(n_trades)
        np.maximum.at(best, self._doc_trade, doc_score)
        near_best = doc_score >= 0.9 * best[self._doc_trade]
        near_best &= doc_score > 0
        support = np.bincount(self._doc_trade, weights=near_best, minlength=n_trades)
        others = np.minimum(1.0, np.log1p(np.maximum(support - 1, 0)) / math.log(10))
        score = (
            best * (0.95 + 0.05 * others) * np.where(self._industry > 0, 1.0, 1 / INDUSTRY_BOOST)
        )
        score[best <= 0] = 0.0
        order = np.lexsort((self._trade_codes, -score))
        hits: list[TradeHit] = []
        for t in order[:limite]:
            if score[t] <= 0:
                break
            docs = self._docs_of_trade[int(t)]
            doc = int(docs[np.argmax(doc_score[docs])])
            hits.append(
                TradeHit(
                    trade=self.trades[int(t)],
                    score=float(score[t]),
                    appellation=self._labels[doc],
                    pourquoi=self._why(doc, concepts, lexical[:, doc], coded[:, doc]),
                )
            )
        return SearchResult(query, hits, ignores)

    def _why(
        self, doc: int, concepts: list[_Concept], lexical: np.ndarray, coded: np.ndarray
    ) -> str:
        label = self._labels[doc]
        reasons: list[str] = []
        for i, concept in enumerate(concepts):
            if lexical[i] >= coded[i] and lexical[i] > 0:
                stems = self._doc_stems[doc]
                kinds = [(w, how, s) for s, (w, how) in concept.stems.items() if s in stems]
                _, how, s = max(kinds)
                shown = self._surface.get(s, s)
                reasons.append(_reason(concept.word, how, shown))
            elif coded[i] > 0:
                reasons.append(f"« {concept.word} » : mot courant rapproché de ce métier")
        kind = {
            "fiche": "La fiche ROME",
            "appellation": "L’appellation",
            "onisep": "Le métier ONISEP",
        }
        return f"{kind[self._doc_kind[doc]]} « {label} » : " + " ; ".join(reasons) + "."


def _reason(word: str, how: str, shown: str) -> str:
    if how == "exact":
        return f"« {word} » y figure"
    if how == "root":
        return f"« {word} » rapproché de « {shown} »"
    if how == "lexicon":
        return f"« {word} » : mot courant pour « {shown} »"
    return f"« {word} » lu comme « {shown} »"


class TradeSearch:
    """The search index of one store, built on first use and again whenever the loaded files
    change (thread-safe)."""

    def __init__(self, engine: sa.Engine, perimeter: Perimeter) -> None:
        self._engine = engine
        self._perimeter = perimeter
        self._index: SearchIndex | None = None
        self._key: str | None = None
        self._lock = threading.Lock()

    def index(self) -> SearchIndex:
        with self._engine.connect() as conn:
            key = INDEX_VERSION + files_fingerprint(conn)
            if self._index is not None and self._key == key:
                return self._index
            with self._lock:
                if self._index is None or self._key != key:
                    self._index = SearchIndex.build(conn, self._perimeter)
                    self._key = key
                return self._index


def codes_of(hits: Iterable[TradeHit]) -> list[str]:
    """The ROME codes of ``hits``, in order."""
    return [hit.trade.code_rome for hit in hits]


TRADE_PAGE = "/orientation/metier/{code_rome}"
"""Where a trade's page is (built by the trade-page part of the orientation)."""


def trade_path(code_rome: str, commune: str | None = None) -> str:
    """The path of the page of ``code_rome``, carrying the young person's commune when given."""
    path = TRADE_PAGE.format(code_rome=code_rome)
    return f"{path}?commune={commune}" if commune else path


def search_json(
    index: SearchIndex, query: str, *, commune: str | None = None, limite: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """The trades for ``query`` as JSON objects, best first: every key of
    :meth:`TradeHit.as_json` and ``lien`` (the trade's page, with ``?commune=`` when a commune
    is given). An unknown commune or a limit out of range is an InputError."""
    if commune:
        commune = commune.strip().upper()
        index.commune_name(commune)
    return [
        {**hit.as_json(), "lien": trade_path(hit.trade.code_rome, commune)}
        for hit in index.search(query, limite).hits
    ]
