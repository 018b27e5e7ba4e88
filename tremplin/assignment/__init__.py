"""Assignment simulation: Affelnet and Parcoursup-like deferred acceptance on compact arrays.

- :mod:`instance` — wishes (CSR), capacities, priorities, seeded lottery;
- :mod:`engine` — pupil-proposing deferred acceptance (numba);
- :mod:`affelnet` — the barème; :mod:`parcoursup` — the call order with quotas;
- :mod:`verify` — an independent plain-Python checker (valid, stable);
- :mod:`results` — per pupil, per formation, aggregates by group;
- :mod:`json_io` — the JSON instance and result formats;
- :mod:`simulation` — :class:`Simulation`, the thin class tying them together;
- :mod:`oracle` — the ``matching`` package on the same problem, for tests and benchmarks.

The engine is pure: it knows no store, territory or cohort. Cohorts generated from the store's
aggregates and scenarios live above it, in :mod:`tremplin.scenarios`.
"""

from tremplin.assignment.engine import Outcome, solve
from tremplin.assignment.instance import Instance
from tremplin.assignment.simulation import Simulation

__all__ = ["Instance", "Outcome", "Simulation", "solve"]
