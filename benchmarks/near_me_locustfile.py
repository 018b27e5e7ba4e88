"""Pupils of AURA asking for the trainings near home, for ``benchmarks/near_me.py``."""

from __future__ import annotations

import random

from locust import HttpUser, between, task

# Communes of every département of AURA, large and small, so that caches do not answer
# everything: each (commune, trade, level) is computed on its first request.
COMMUNES = [
    "01004", "01053", "03185", "03310", "07010", "07186", "15014", "15187", "26198", "26362",
    "38185", "38053", "38563", "42218", "42187", "43157", "63113", "63430", "69123", "69266",
    "69256", "73065", "73011", "74010", "74056", "Vienne", "Oyonnax", "Aurillac", "42000",
]  # fmt: skip
# Industrial trades (welding, machining, maintenance, electricity, quality, design).
ROMES = [
    "H2913", "H2902", "H2903", "I1304", "I1309", "H1203", "H2102", "H2206", "H2909", "H1502",
    "H2605", "I1310",
]  # fmt: skip
NIVEAUX = ["apres-3e", "apres-bac"]


class Pupil(HttpUser):
    wait_time = between(0.5, 1.5)

    @task(4)
    def trainings_near_me(self) -> None:
        rome, commune, niveau = (
            random.choice(ROMES),
            random.choice(COMMUNES),
            random.choice(NIVEAUX),
        )
        self.client.get(
            f"/orientation/formations?rome={rome}&commune={commune}&niveau={niveau}",
            name="/orientation/formations",
        )

    @task(1)
    def trainings_near_me_api(self) -> None:
        self.client.get(
            f"/api/v1/orientation/formations?rome={random.choice(ROMES)}"
            f"&commune={random.choice(COMMUNES)}&niveau={random.choice(NIVEAUX)}",
            name="/api/v1/orientation/formations",
        )
