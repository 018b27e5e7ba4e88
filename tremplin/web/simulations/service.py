"""Scenarios as the web layer runs them: checked at once, then replayed in the background.

A request's scenario is read by the library (:meth:`Scenario.from_mapping`, its French errors)
and applied to the offers of its palier and territory (:func:`~tremplin.scenarios.scenarios.
prepare`) before it is queued, so that an unknown UAI or an offer that does not exist is a 422
while the planner is still on the form, not a failed simulation later. The simulation itself is
:func:`~tremplin.scenarios.scenario_comparison.run_scenario` on the diagnostic's cached facts,
queued as a job of the store (:mod:`tremplin.jobs`): run by the web process's pool on SQLite, by
``tremplin worker`` processes on PostgreSQL, and read back from the store by any web process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from fastapi import Request

from tremplin.config import Settings
from tremplin.diagnostic import rules
from tremplin.errors import InputError, NotFound
from tremplin.jobs.kinds import SIMULATION, JobContext, simulation_parameters
from tremplin.jobs.queue import JobQueue, open_queue
from tremplin.jobs.records import Job
from tremplin.jobs.runner import JobRunner
from tremplin.jobs.visibility import Viewer
from tremplin.referentials.territory_ref import TerritoryRef, TerritoryRefError
from tremplin.scenarios.cohorts import entry_offers, premiere_offers
from tremplin.scenarios.scenario_comparison import palier_of
from tremplin.scenarios.scenarios import Scenario, prepare
from tremplin.sources.registry import dataset as registered_dataset
from tremplin.store.audit import Actor
from tremplin.store.provenance import list_loaded_files
from tremplin.web.diagnostic.service import DiagnosticService
from tremplin.web.shared.jobs import SimulationJob

__all__ = [
    "GRAINES_DEFAULT",
    "GRAINES_MAX",
    "OfferLookup",
    "SimulationService",
    "simulations",
]

"""Simulated when neither the request nor the scenario names a territory (as the CLI does)."""
GRAINES_DEFAULT = 10
GRAINES_MAX = 50

PALIER_DATASETS = {"3e": "affelnet_offres", "2nde": "affelnet_1pro"}
"""The Affelnet file each palier's offers and first wishes come from."""
COHORT_DATASETS = ("bcn_mef", "communes", "annuaire_education", "lycees")
"""What else a cohort reads: MEF labels and familles, where pupils live, where lycées are."""


@dataclass(frozen=True)
class OfferLookup:
    """What the loaded data says of a UAI and a MEF STAT 11, for the planner's form."""

    uai: str
    mef_stat_11: str
    etablissement: str | None
    commune: str | None
    libelle: str | None
    palier: str | None
    capacite: int | None
    demandes_voeux_1: int | None

    @property
    def exists(self) -> bool:
        return self.capacite is not None


class SimulationService:
    """Checks, queues and keeps the simulations of one application."""

    def __init__(
        self, engine: sa.Engine, diagnostic: DiagnosticService, settings: Settings
    ) -> None:
        self._engine = engine
        self._diagnostic = diagnostic
        self.region = diagnostic.region
        self.default_territory = f"region:{diagnostic.region}"
        """Where a simulation runs when neither the request nor the scenario says."""
        runner = JobRunner(JobContext(engine, diagnostic.facts))
        self.queue: JobQueue = open_queue(
            engine,
            settings.database_url,
            runner,
            per_person=settings.jobs_par_personne,
            bound=settings.jobs_max,
            pool_size=settings.jobs_paralleles,
        )
        """The jobs of the store: quotas, then the pool (SQLite) or procrastinate."""

    # --- offers of each palier, kept with the facts -----------------------------------------

    def offers(self, palier: str) -> pl.DataFrame:
        """Every offer of the palier (France), as cohorts are drawn on them."""
        if palier == "3e":
            return self._diagnostic.memo(
                ("simulation-offres", "3e"), lambda: entry_offers(self._diagnostic.facts())
            )

        def premiere() -> pl.DataFrame:
            with self._engine.connect() as conn:
                return premiere_offers(conn, self._diagnostic.facts())

        return self._diagnostic.memo(("simulation-offres", "2nde"), premiere)

    def palier_of(self, scenario: Scenario) -> str:
        """The scenario's palier, by the library's rule (``scenario_comparison.palier_of``)."""
        return palier_of(scenario, self.offers("3e"), lambda: self.offers("2nde"))

    # --- submitting -------------------------------------------------------------------------

    def submit(
        self,
        document: Mapping[str, Any],
        territoire: str | None,
        graines: int,
        *,
        owner: str | None = None,
        quota_key: str = "local",
        actor: Actor | None = None,
    ) -> SimulationJob:
        """Read ``document`` (the structure of a scenario file), check that it applies to the
        offers of ``territoire`` (default: the scenario's, else AURA), and queue it on the
        cohorts of seeds 1 to ``graines`` as a job of ``owner`` (None: anonymous), counted
        against ``quota_key``. Raises :class:`~tremplin.errors.InputError` (in French) when it
        does not apply, :class:`~tremplin.errors.TooManyRequests` (429) or
        :class:`~tremplin.errors.Busy` (503) over a quota. With an ``actor``, the audit log
        says who queued it, with its title, territory and number of changes."""
        if not 1 <= graines <= GRAINES_MAX:
            raise InputError(f"« cohortes » : un nombre entier de 1 à {GRAINES_MAX} est attendu")
        # A scenario that does not apply raises ScenarioError, an InputError (422).
        scenario = Scenario.from_mapping(document)
        territory = (territoire or scenario.territoire or self.default_territory).strip()
        palier = self.palier_of(scenario)
        prepare(scenario, self.offers(palier), self._diagnostic.facts().etablissements, territory)
        parameters = simulation_parameters(
            scenario,
            territoire=territory,
            palier=palier,
            graines=graines,
            sources=self.sources(palier),
        )
        job = self.queue.submit(
            SIMULATION,
            parameters,
            owner=owner,
            quota_key=quota_key,
            progress_total=graines,
            actor=actor,
            audited=audited(parameters),
        )
        return SimulationJob.of(job)

    def job(self, identifier: str, viewer: Viewer) -> SimulationJob:
        """The simulation ``identifier`` if ``viewer`` may read it;
        :class:`~tremplin.errors.NotFound` otherwise."""
        return SimulationJob.of(self._simulation(identifier, viewer))

    def jobs(self, viewer: Viewer, known: Iterable[str] = ()) -> list[SimulationJob]:
        """The simulations of ``viewer`` and of the ``known`` ids, the newest first."""
        found = self.queue.jobs(viewer, known)
        return [SimulationJob.of(job) for job in found if job.kind == SIMULATION]

    def cancel(self, identifier: str, viewer: Viewer, actor: Actor | None = None) -> SimulationJob:
        """Cancel the simulation ``identifier`` if it is queued or running (audited as
        :meth:`submit` is)."""
        job = self._simulation(identifier, viewer)
        cancelled = self.queue.cancel(
            identifier, viewer, actor=actor, audited=audited(job.parameters)
        )
        return SimulationJob.of(cancelled)

    def _simulation(self, identifier: str, viewer: Viewer) -> Job:
        job = self.queue.get(identifier, viewer)
        if job.kind != SIMULATION:  # another kind of job is not a simulation's page
            raise NotFound(f"simulation « {identifier[:64]} » inconnue")
        return job

    def close(self) -> None:
        """Stop running jobs in this process (queued ones stay in the store)."""
        self.queue.close()

    def sources(self, palier: str) -> tuple[str, ...]:
        """« title (file, millésime) » of each loaded file the palier's cohorts read."""
        wanted = (PALIER_DATASETS.get(palier, ""), *COHORT_DATASETS)
        with self._engine.connect() as conn:
            loaded = list_loaded_files(conn)
        found = []
        for name in wanted:
            for file in (f for f in loaded if f.dataset == name):
                try:
                    title = registered_dataset(name).title
                except KeyError:
                    title = name
                year = f", millésime {file.millesime}" if file.millesime else ""
                found.append(f"{title} ({file.file_name}{year})")
        return tuple(found)

    # --- what the form shows ----------------------------------------------------------------

    def lookup(self, uai: str, mef: str) -> OfferLookup:
        """The establishment of ``uai``, the formation of ``mef`` and their offer, if any."""
        uai, mef = uai.strip().upper(), mef.strip()
        facts = self._diagnostic.facts()
        place = facts.etablissements.filter(pl.col("uai") == uai) if uai else None
        name = commune = libelle = palier = None
        capacity = wishes = None
        if place is not None and not place.is_empty():
            name, commune = place.item(0, "nom"), place.item(0, "commune")
        for level in ("3e", "2nde"):
            same = self.offers(level).filter(pl.col("mef_stat_11") == mef) if mef else None
            if same is None or same.is_empty():
                continue
            libelle, palier = libelle or same.item(0, "libelle"), palier or level
            here = same.filter(pl.col("uai") == uai)
            if not here.is_empty() and capacity is None:
                capacity = int(here.get_column("capacite").fill_null(0).sum())
                wishes = int(here.get_column("demandes_voeux_1").fill_null(0).sum())
                name = name or here.item(0, "etablissement")
                commune = commune or here.item(0, "commune")
                palier = level
        return OfferLookup(uai, mef, name, commune, libelle, palier, capacity, wishes)

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """(value, label) of the UAI and MEF STAT 11 of the région's offers, for the form's
        suggestions: « LYCÉE … — Oyonnax », « 1ERPRO TECH.CHAUDRONNERIE INDUSTRIELLE (2nde) »."""

        def build() -> dict[str, list[tuple[str, str]]]:
            uais: dict[str, str] = {}
            mefs: dict[str, str] = {}
            for palier in ("3e", "2nde"):
                offers = self.offers(palier).filter(pl.col("code_region") == self.region)
                for uai, name, commune in (
                    offers.select("uai", "etablissement", "commune").unique().iter_rows()
                ):
                    uais.setdefault(uai, f"{name or uai} — {commune or ''}")
                for mef, label in (
                    offers.select("mef_stat_11", "libelle")
                    .drop_nulls("mef_stat_11")
                    .unique("mef_stat_11")
                    .iter_rows()
                ):
                    mefs.setdefault(mef, f"{label or mef} (palier {palier})")
            return {
                "uai": sorted(uais.items(), key=lambda pair: pair[1].lower()),
                "mef": sorted(mefs.items(), key=lambda pair: pair[1].lower()),
            }

        return self._diagnostic.memo(("simulation-choix",), build)

    def territory_options(self) -> list[tuple[str, str]]:
        """(spec, label) of the territories a simulation can cover: AURA, its académies and
        départements, and France."""
        options = [(self.default_territory, self.territory_label(self.default_territory))]
        for maille in ("academie", "departement"):
            for code, name in (
                self._diagnostic.territories(maille, self.region).select("code", "nom").iter_rows()
            ):
                options.append((f"{maille}:{code}", f"{rules.MAILLE_LABELS[maille]} : {name}"))
        options.append(("france", "Toute la France"))
        return options

    def territory_label(self, spec: str) -> str:
        """« Région : Auvergne-Rhône-Alpes » for « region:84 »; the spec itself if unknown."""
        if spec.strip().lower() == "france":
            return "Toute la France"
        try:
            ref = TerritoryRef.parse(spec)
        except TerritoryRefError:
            return spec
        name = self._diagnostic.territory_name(ref.maille, ref.code)
        return f"{rules.MAILLE_LABELS[ref.maille]} : {name or ref.code}"


def audited(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log says of a simulation: its title, territory and number of changes."""
    scenario = parameters.get("scenario") or {}
    return {
        "titre": scenario.get("titre"),
        "territoire": parameters.get("territoire"),
        "changements": len(scenario.get("changements") or ()),
    }


def simulations(request: Request) -> SimulationService:
    """The simulation service kept on the application by ``create_app``."""
    found: SimulationService = request.app.state.simulations
    return found
