"""The diagnostic as the web layer serves it: cached facts, cached results, filters and pages.

The facts are built once per state of the store (:class:`~tremplin.diagnostic.facts.FactsCache`);
each computed result — indicator rows of a maille × grouping × perimeter × level × year, their
classification for a région or a territory, the consoles' tables, the coverage, the map's
shapes — is kept in a small LRU cache keyed by the facts' fingerprint, so a request only filters
and slices frames that are already in memory.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, ParamSpec, TypeVar

import polars as pl
import sqlalchemy as sa
from fastapi import Request
from starlette.responses import Response

from tremplin.companies.needs import declared_needs, needs_stamp, rome_trades
from tremplin.config import DEFAULT_REGION
from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import classify, with_reasons
from tremplin.diagnostic.consoles import ConsoleQuery, formations_table, offers_table
from tremplin.diagnostic.coverage import coverage
from tremplin.diagnostic.declared import declared_indicators, trade_families, with_declared_needs
from tremplin.diagnostic.facts import Facts, FactsCache, store_fingerprint
from tremplin.diagnostic.indicators import Query, compute, group_labels
from tremplin.diagnostic.ranking import rank
from tremplin.diagnostic.rules import UNPLACED
from tremplin.diagnostic.selection import NO_SELECTION, Selection, codes
from tremplin.diagnostic.shapes import academy_polygons, territory_shapes
from tremplin.diagnostic.trends import check_year, trend
from tremplin.referentials.tables import read_query
from tremplin.reports.figures import SOURCE_YEAR_COLUMNS
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.provenance import list_loaded_files, year_warnings
from tremplin.web.shared.caching import (
    Memo,
    ResponseCache,
    SharedResponses,
    normalised_query,
    weight_of,
)
from tremplin.web.shared.pagination import Page, paginate
from tremplin.web.shared.templating import render, request_settings

_log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

CACHE_SIZE = 256
"""Results kept per application; one result is at most a few thousand rows."""
CACHE_BUDGET = 256 * 1024 * 1024
"""Bytes the kept results may weigh in all (the least recently used go first). On the real
files, what the warm-up computes for the région weighs 6 MiB (39 results) and the largest
result, France's offers for every trade, 13.6 MiB: the budget keeps the région's results and
a dozen France-wide ones, and bounds what many distinct requests can hold."""

"""The région whose results are computed ahead of the first requests (Auvergne-Rhône-Alpes)."""

NOT_READ = "non lu"
"""The needs' stamp of the background warm-up, which reads no needs: rows it computes are kept
under it, apart from those of requests."""
CHECK_EVERY = 1.0
"""Seconds between two checks that the store has not changed (a cheap query, but one that
every request would otherwise make several times)."""

TERRITORY_COLUMNS = {
    "region": "code_region",
    "academie": "code_academie",
    "departement": "code_departement",
    "bassin": "bassin_bmo",
}
"""The console's filter for a territory of each maille."""

GROUP_COLUMNS = {
    "famille_fap": "fap22",
    "fap": "fap86",
    "famille_metiers": "famille_metiers",
    "diplome": "cfd",
}
"""The console's filter for a group of each grouping (a diploma is a CFD)."""


class DiagnosticService:
    """Everything the diagnostic's pages and API read, over one store."""

    def __init__(
        self,
        engine: sa.Engine,
        facts: FactsCache,
        region: str = DEFAULT_REGION,
        cache_size: int = CACHE_SIZE,
        check_every: float = CHECK_EVERY,
        cache_budget: int = CACHE_BUDGET,
        shared: SharedResponses | None = None,
    ) -> None:
        self._engine = engine
        self._facts = facts
        self.region = region
        """The partnership's région (``TREMPLIN_REGION``): what pages show first."""
        self._memo = Memo(cache_size, weight=weight_of, budget=cache_budget)
        self._responses = ResponseCache(shared=shared)
        self._check_every = check_every
        self._checked: tuple[float, Facts] | None = None
        self._warmed = ""
        self._empty: tuple[float, bool] | None = None
        self._stamp: tuple[float, str] | None = None
        self._background = threading.local()

    def facts(self) -> Facts:
        """The facts of the store as it is now (checked at most every ``check_every`` s)."""
        checked = self._checked
        now = time.monotonic()
        if checked is not None and now - checked[0] < self._check_every:
            return checked[1]
        facts = self._facts.get()
        self._checked = (now, facts)
        if facts.fingerprint != self._warmed:
            self._warmed = facts.fingerprint
            threading.Thread(
                target=self._warm_in_background, name="tremplin-diagnostic", daemon=True
            ).start()
        return facts

    def warm_up(self) -> None:
        """Read the facts (stored, not built, after a load) and compute, before the first request,
        what :meth:`_warm` computes; nothing when no file is loaded."""
        try:
            if self.empty():
                return
            self._warmed = self._facts.get().fingerprint
            self.forget_other_responses()
        except Exception:  # the app still starts: the first request reads the facts again
            _log.exception("lecture préalable des faits du diagnostic interrompue")
            return
        self._warm()

    def _warm_in_background(self) -> None:
        # The store may be closing while this thread runs (an application shut down): it reads
        # the facts it was started for, never the needs' table (see needs_stamp).
        self._background.warming = True
        self._warm()

    def _warm(self) -> None:
        """Compute, in the background, what the first visitors of the région will ask for: the
        indicators of each maille and perimeter, the consoles, coverage and the map's shapes.
        A request that needs one of them while it is computed waits for it (never twice)."""
        try:
            for perimetre in rules.PERIMETRES:
                for maille in rules.MAILLES:
                    self.rows(
                        Query(maille=maille, perimetre=perimetre, dans=f"region:{self.region}")
                    )
                self.groups("famille_fap", perimetre)
                console = ConsoleQuery(perimetre=perimetre, code_region=self.region)
                self.offers(console)
                self.formations(console)
            for maille in ("academie", "departement", "bassin"):
                self.shapes(maille, self.region)
            self.coverage()
        except Exception:  # a warm-up never fails a request: the request computes it again
            _log.exception("calcul préalable du diagnostic interrompu")

    def empty(self) -> bool:
        """Whether no file is loaded in the store (checked at most every ``check_every`` s)."""
        checked = self._empty
        now = time.monotonic()
        if checked is not None and now - checked[0] < self._check_every:
            return checked[1]
        with self._engine.connect() as conn:
            empty = store_fingerprint(conn).startswith("0:")
        self._empty = (now, empty)
        return empty

    def needs_stamp(self) -> str:
        """The fingerprint of the companies' declared needs (checked at most every
        ``check_every`` s): a need written shows in the rows and pages at the next check."""
        if getattr(self._background, "warming", False):
            return NOT_READ
        checked = self._stamp
        now = time.monotonic()
        if checked is not None and now - checked[0] < self._check_every:
            return checked[1]
        with self._engine.connect() as conn:
            stamp = needs_stamp(conn)
        self._stamp = (now, stamp)
        return stamp

    def response(self, key: Hashable, build: Callable[[], Response]) -> Response:
        """The response ``build()`` gives, kept (as bytes) until the store or the declared
        needs change: a page or an API answer is a function of its address and of them only."""
        return self._responses.get(self._responses_fingerprint(), key, build)

    def _responses_fingerprint(self) -> str:
        """What every kept response depends on: the loaded files and the declared needs."""
        return f"{self.facts().fingerprint}|{self.needs_stamp()}"

    def declared(self, query: Query) -> pl.DataFrame:
        """The declared needs per territory × group of ``query`` (see
        :mod:`tremplin.diagnostic.declared`), read again when a need changes."""
        stamp = self.needs_stamp()
        if stamp == NOT_READ or stamp.startswith("0:"):
            return pl.DataFrame(schema={"code_territoire": pl.String, "code_groupe": pl.String})
        key = ("besoins", stamp, query.maille, query.groupement, query.perimetre)

        def read(facts: Facts) -> pl.DataFrame:
            with self._engine.connect() as conn:
                trades = self._cached(("rome_trades",), lambda _f: rome_trades(conn))
                needs = self._cached(
                    ("besoins", stamp),
                    lambda _f: declared_needs(conn, trades=trades, per_company=True),
                )
            families = self._cached(("familles_bmo",), lambda f: trade_families(f.recrutement))
            return declared_indicators(needs, families, query)

        return self._cached(key, read)

    def has_response(self, key: Hashable) -> bool:
        """Whether the response of ``key`` is kept in this process (for the current files)."""
        return self._responses.has(self._responses_fingerprint(), key)

    def forget_other_responses(self) -> int:
        """Drop the responses other files, code or settings left in the store."""
        shared = self._responses.shared
        return 0 if shared is None else shared.forget_others(self._responses_fingerprint())

    def kept(self) -> tuple[int, int]:
        """How many computed results are kept, and what they weigh in bytes."""
        return len(self._memo), self._memo.weight

    def _cached(self, key: Hashable, compute: Callable[[Facts], T]) -> T:
        facts = self.facts()
        return self._memo.get(facts.fingerprint, key, lambda: compute(facts))

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the store changes (for a page's or an export's result)."""
        return self._cached(("memo", key), lambda _facts: compute())

    # --- indicators -------------------------------------------------------------------------

    def indicators(self, query: Query) -> pl.DataFrame:
        """The rows of ``query`` for every territory and group (``territoire`` and ``groupe``
        ignored), unclassified, as :func:`~tremplin.diagnostic.indicators.compute` gives them."""
        base = replace(query.checked(), territoire=None, groupe=None)
        # A year a source lacks is said, not answered with the other sources' offers only.
        check_year(self.facts(), base.annee, base.palier)
        return self._cached(("indicators", base), lambda facts: compute(facts, base))

    def trend(self, query: Query) -> pl.DataFrame:
        """The trend of ``query`` (:func:`~tremplin.diagnostic.trends.trend`, ``annee``
        ignored), with the warnings of the loaded files."""
        base = replace(query.checked(), annee=None)
        return self._cached(("trend", base), lambda facts: trend(facts, base, self.year_warnings()))

    def rows(
        self, query: Query, objectif: str | None = None, *, reasons: bool = True
    ) -> pl.DataFrame:
        """The rows of ``query``, classified (``objectifs``; with ``reasons``, the sentences
        ``explications`` too); with ``objectif``, only those that call for it, ranked by its size
        (``taille_<objectif>``), largest first."""
        query = query.checked()
        key = ("rows", query, objectif, self.needs_stamp())
        if reasons:
            return self._cached(
                (*key, "reasons"),
                lambda _f: with_reasons(self.rows(query, objectif, reasons=False)),
            )
        return self._cached(key, lambda _facts: self._classified(query, objectif))

    def page(
        self,
        query: Query,
        objectif: str | None,
        page: int,
        taille: int,
        selection: Selection = NO_SELECTION,
    ) -> Page:
        """One page of :meth:`rows` after ``selection`` (thresholds, sort); the sentences are
        written for that page's rows only."""
        rows = selection.apply(self.rows(query, objectif, reasons=False))
        shown = paginate(rows, page, taille)
        return replace(shown, rows=with_reasons(shown.rows))

    def _classified(self, query: Query, objectif: str | None) -> pl.DataFrame:
        if objectif:
            # Ranked by the objective's size: the largest gaps first.
            return rank(self.rows(query, reasons=False), objectif)
        rows = with_declared_needs(self.indicators(query), self.declared(query))
        if query.territoire is not None:
            # One territory, or several (« 01,38 »): the rows of each.
            rows = rows.filter(pl.col("code_territoire").is_in(codes(query.territoire)))
        if query.groupe is not None:
            rows = rows.filter(pl.col("code_groupe") == query.groupe)
        return classify(rows, reasons=False)

    def territories(self, maille: str, region: str | None = None) -> pl.DataFrame:
        """The territories of ``maille`` (code, nom, population, latitude, longitude…), those of
        ``region`` only when it is given."""

        def select(facts: Facts) -> pl.DataFrame:
            frame = facts.territoires.filter(pl.col("maille") == maille)
            if region:
                frame = frame.filter(pl.col("code_region") == region)
            return frame.sort("code")

        return self._cached(("territories", maille, region), select)

    def territory_name(self, maille: str, code: str) -> str | None:
        found = self.territories(maille).filter(pl.col("code") == code)
        return None if found.is_empty() else str(found.item(0, "nom"))

    def groups(self, groupement: str, perimetre: str) -> list[tuple[str, str]]:
        """(code, label) of every group of ``groupement`` met in the data, by label."""

        def select(facts: Facts) -> list[tuple[str, str]]:
            frame = self.indicators(
                Query(maille="region", groupement=groupement, perimetre=perimetre)
            )
            pairs = (
                frame.select("code_groupe", "groupe")
                .unique()
                .filter(pl.col("code_groupe") != UNPLACED)
            )
            return sorted(pairs.iter_rows(), key=lambda pair: (str(pair[1]).lower(), str(pair[0])))

        return self._cached(("groups", groupement, perimetre), select)

    def formation_trades(self, cfd: str, region: str | None) -> pl.DataFrame:
        """How the offers of one formation (of ``region``, else France) are spread over trades:
        one row per speciality (itself, or those of a 2nde commune) × FAP 86 family, with the
        mean weight over its offers (``poids``), whether it counts in the perimeter, and where
        a 2nde commune's speciality shares come from (``base_part``)."""

        def build(facts: Facts) -> pl.DataFrame:
            offres = facts.offres.filter(pl.col("cfd") == cfd)
            if region is not None:
                offres = offres.filter(pl.col("code_region") == region)
            if offres.is_empty() or facts.metiers is None:
                return pl.DataFrame()
            families = group_labels(facts, "fap").select(
                pl.col("code_groupe").alias("fap86"), pl.col("groupe").alias("libelle_fap86")
            )
            names = (
                facts.offres.select(pl.col("cfd").alias("cfd_metier"), "libelle_formation")
                .drop_nulls()
                .unique("cfd_metier")
            )
            return (
                facts.metiers.join(offres.select("id_offre"), on="id_offre", how="semi")
                .join(families, on="fap86", how="left")
                .group_by("cfd_metier", "fap86", "libelle_fap86", "industrie")
                .agg(
                    (pl.col("poids").sum() / offres.height).alias("poids"),
                    pl.col("base_part").drop_nulls().mode().first().alias("base_part"),
                )
                .join(names, on="cfd_metier", how="left")
                .sort("poids", descending=True)
            )

        return self._cached(("poids-formation", cfd, region), build)

    def source_years(self, rows: pl.DataFrame) -> dict[str, str]:
        """Each source's years among ``rows``, and the constat's among the entry offers."""
        found: dict[str, str] = {}
        for source, column in SOURCE_YEAR_COLUMNS:
            if column in rows.columns:
                values = rows.get_column(column).drop_nulls().unique().sort()
                if values.len():
                    found[source] = ", ".join(str(v) for v in values)
        constat = self._cached(("constat-years",), _constat_years)
        if constat:
            found["Constat"] = constat
        return self._with_warnings(found)

    def year_warnings(self) -> dict[tuple[str, str], list[str]]:
        """(dataset, millésime) → what to be wary of in its files (a repeated millésime)."""

        def read(_facts: Facts) -> dict[tuple[str, str], list[str]]:
            with self._engine.connect() as conn:
                return year_warnings(list_loaded_files(conn))

        return self._cached(("year-warnings",), read)

    def _with_warnings(self, found: dict[str, str]) -> dict[str, str]:
        """Each year shown followed by what to be wary of in its file (a repeated millésime)."""

        warnings = self.year_warnings()
        if not warnings:
            return found
        told: dict[str, str] = {}
        for source, years in found.items():
            dataset = _SOURCE_DATASETS.get(source)
            parts = []
            for year in years.split(", "):
                said = warnings.get((dataset, year), []) if dataset else []
                parts.append(f"{year} (attention : {' '.join(said)})" if said else year)
            told[source] = ", ".join(parts)
        return told

    # --- consoles, coverage -----------------------------------------------------------------

    def offers(self, query: ConsoleQuery) -> pl.DataFrame:
        query = _normalised(query)
        return self._cached(
            ("offers", query), lambda facts: self._with_rome_labels(offers_table(facts, query))
        )

    def formations(self, query: ConsoleQuery) -> pl.DataFrame:
        query = _normalised(query)
        return self._cached(
            ("formations", query),
            lambda facts: self._with_rome_labels(formations_table(facts, query)),
        )

    def rome_labels(self) -> pl.DataFrame:
        """``code_rome``, ``libelle_rome``: the ROME fiches loaded (none without the file)."""

        def read(_facts: Facts) -> pl.DataFrame:
            table = DATASET_TABLES["rome_fiches"]
            with self._engine.connect() as conn:
                found = read_query(conn, sa.select(table.c.code_rome, table.c.libelle_rome))
            return found.drop_nulls("code_rome").unique("code_rome", keep="last")

        return self._cached(("rome-labels",), read)

    def _with_rome_labels(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` with ``libelle_rome`` next to ``code_rome``: no code read alone."""
        if "code_rome" not in rows.columns:
            return rows
        labels = self.rome_labels().select(
            pl.col("code_rome").cast(rows.schema["code_rome"]), "libelle_rome"
        )
        return rows.join(labels, on="code_rome", how="left", maintain_order="left")

    def console_options(self, column: str, label: str | None = None) -> list[tuple[str, str]]:
        """(value, label) of the distinct values of an offers' column, for a filter's list."""

        def select(facts: Facts) -> list[tuple[str, str]]:
            shown = label or column
            pairs = (
                facts.offres.filter(pl.col("entree"))
                .select(
                    pl.col(column).cast(pl.String), pl.col(shown).cast(pl.String).alias("_label")
                )
                .drop_nulls(column)
                .unique(column)
            )
            return sorted(
                ((str(value), str(text or value)) for value, text in pairs.iter_rows()),
                key=lambda pair: (pair[1].lower(), pair[0]),
            )

        return self._cached(("options", column, label), select)

    def coverage(self) -> pl.DataFrame:
        return self._cached(("coverage",), lambda facts: coverage(facts, self.region))

    # --- map --------------------------------------------------------------------------------

    def shapes(self, maille: str, region: str | None) -> dict[str, Any]:
        """A GeoJSON FeatureCollection of the territories of ``maille`` (in ``region``):
        académies as their stored polygons, the others (and an académie with no polygon) as a
        point at the population-weighted centroid. Properties: code, nom, population, forme
        (« polygone » or « point »)."""
        return self._cached(("shapes", maille, region), lambda _f: self._shapes(maille, region))

    def _shapes(self, maille: str, region: str | None) -> dict[str, Any]:
        polygons: dict[str, dict[str, Any]] = {}
        if maille == "academie":
            with self._engine.connect() as conn:
                polygons = academy_polygons(conn)
        return territory_shapes(self.territories(maille, region), polygons)


# The dataset behind each source named in source_years (its years are millésimes of it).
_SOURCE_DATASETS = {
    "Affelnet": "affelnet_offres",
    "Parcoursup": "parcoursup_bts",
    "Constat": "constat",
    "BMO": "bmo",
    "DARES": "dares_tensions",
}


def _normalised(query: ConsoleQuery) -> ConsoleQuery:
    """``query`` with its free text as the search reads it (in lower case): « Tour » and
    « TOUR » are one result, computed and kept once."""
    if not query.texte:
        return query
    return replace(query, texte=query.texte.lower())


def _constat_years(facts: Facts) -> str:
    if "rentree_effectif" not in facts.offres.columns:
        return ""
    values = facts.offres.get_column("rentree_effectif").drop_nulls().unique().sort()
    return ", ".join(str(v) for v in values)


def service(request: Request) -> DiagnosticService:
    """The diagnostic service kept on the application by ``create_app``."""
    found: DiagnosticService = request.app.state.diagnostic
    return found


def keep_export(request: Request, key: Hashable, build: Callable[[], bytes]) -> bytes:
    """An export's bytes, kept until the store or the declared needs change (see
    :func:`add_export_routes`)."""
    found = service(request)
    return found.memo((key, found.needs_stamp()), build)


def response_key(path: str, query: str) -> tuple[str, str]:
    """The key a route's response is kept under: its path and its parameters in a stable
    order."""
    return path, normalised_query(query)


def cached(handler: Callable[P, Response]) -> Callable[P, Response]:
    """Keep the responses of a route (its first argument is the request), by address, until
    the store changes. Errors (404, 422) are not kept. A page asked of a store where nothing
    is loaded yet says so, and how to load the files, instead."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = args[0] if args else kwargs["request"]
        assert isinstance(request, Request)
        found = service(request)
        if found.empty() and not request.url.path.startswith("/api/"):
            return empty_store_page(request)
        key = response_key(request.url.path, request.url.query)
        return found.response(key, lambda: handler(*args, **kwargs))

    return wrapper


def empty_store_page(request: Request) -> Response:
    """The diagnostic's page for a store where nothing is loaded: how to load files."""
    return render(request, "diagnostic_vide.html", {"settings": request_settings(request)})
