"""Kinds of job for the tests of the machinery: quick, and in the test's hands (a kind that
waits until the test lets it go), so that states are seen as they are, not raced."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tremplin.jobs import records
from tremplin.jobs.kinds import JobContext, Kind


def echo(context: JobContext, parameters: Mapping[str, Any], progress: Any) -> dict[str, Any]:
    """Reports ``etapes`` steps, then gives its parameters back."""
    for step in range(1, int(parameters.get("etapes", 1)) + 1):
        progress(step)
    return {"recu": dict(parameters)}


def gated(release: threading.Event, started: threading.Event | None = None) -> Kind:
    """A kind that reports a step every 10 ms until ``release`` is set."""

    def run(context: JobContext, parameters: Mapping[str, Any], progress: Any) -> dict[str, Any]:
        if started is not None:
            started.set()
        step = 0
        while not release.wait(0.01):
            step += 1
            progress(step)
        return {"etapes": step}

    return run


def unrunnable_simulation(title: str = "Essai") -> dict[str, Any]:
    """The parameters of a simulation that a store where nothing is loaded cannot run: it
    fails with the library's message « aucune offre dans le territoire « region:84 » »."""
    change = {"action": "ouvrir", "uai": "0010034G", "mef_stat_11": "1", "places": 1}
    return {
        "scenario": {"titre": title, "palier": "3e", "changements": [change]},
        "territoire": "region:84",
        "palier": "3e",
        "graines": 1,
        "sources": [],
    }


def blocked_while(flag: Path) -> Kind:
    """A kind that reports a step every 20 ms while the file ``flag`` exists (a worker killed
    meanwhile leaves it half done)."""

    def run(context: JobContext, parameters: Mapping[str, Any], progress: Any) -> dict[str, Any]:
        step = 0
        while flag.exists():
            step += 1
            progress(step)
            time.sleep(0.02)
        return {"etapes": step}

    return run


def no_facts() -> Any:
    raise AssertionError("these kinds read no facts")


def context(engine: sa.Engine) -> JobContext:
    return JobContext(engine, no_facts)


def wait_for(
    engine: sa.Engine, identifier: str, done: Callable[[records.Job], bool], timeout: float = 60
) -> records.Job:
    """The job once ``done`` holds for it (polled as a client would)."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            job = records.get(conn, identifier)
        assert job is not None
        if done(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def finished(engine: sa.Engine, identifier: str, timeout: float = 60) -> records.Job:
    return wait_for(engine, identifier, lambda job: job.finished, timeout)
