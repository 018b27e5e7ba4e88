"""The in-process registry of background simulations (``web/shared/jobs.py``)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.web.stores import EXAMPLE
from tremplin.scenarios.scenario_comparison import Comparison
from tremplin.scenarios.scenarios import Scenario
from tremplin.web.shared.jobs import RegistryFull, SimulationJob, SimulationRegistry

pytestmark = pytest.mark.realdata


def test_the_registry_runs_one_at_a_time_and_forgets_the_oldest(direct: Comparison) -> None:
    release = threading.Event()
    ran: list[str] = []

    def run(job: SimulationJob, progress: Any) -> Comparison:
        release.wait(10)
        ran.append(job.id)
        if job.scenario.titre == "raté":
            raise RuntimeError("boom")
        progress(1)
        return direct

    registry = SimulationRegistry(run, kept=2)
    scenario = Scenario.from_mapping(EXAMPLE)
    try:
        first = registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        second = registry.submit(
            Scenario.from_mapping(EXAMPLE | {"titre": "raté"}),
            territoire="region:84",
            palier="2nde",
            graines=1,
        )
        with pytest.raises(RegistryFull, match="déjà en attente ou en cours"):
            registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        assert {first.statut, second.statut} <= {"en_attente", "en_cours"}
        release.set()
        deadline = time.monotonic() + 10
        while not (first.finished and second.finished):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert ran == [first.id, second.id]  # in order, one after the other
        assert first.statut == "terminee" and first.comparison is direct
        assert second.statut == "echec" and second.message is not None
        assert "erreur interne" in second.message
        third = registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        assert registry.jobs()[0].id == third.id
        assert registry.get(first.id) is None  # the oldest finished one made room
    finally:
        release.set()
        registry.close()
