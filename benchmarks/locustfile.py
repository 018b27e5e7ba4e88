"""The diagnostic's pages and API calls a planner of AURA uses, for ``benchmarks/web.py``."""

from __future__ import annotations

import random

from locust import HttpUser, between, task

AURA = "region:84"
# Queries vary as a planner's do, so that caches do not answer everything: every level, every
# perimeter, the académies, départements and FAP families of AURA.
ACADEMIES = ["06", "08", "10"]
DEPARTEMENTS = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]
# B (construction) and T (services) are outside the default perimeter: their pages answer 404
# and say so. Left out, so that a failure is the server's, not the benchmark's.
FAMILLES = ["C", "D", "E", "G", "H", "F", "J"]
NIVEAUX = ["tous", "CAP", "Bac%20pro", "BTS"]
PERIMETRES = ["industrie", "tout"]


class Planner(HttpUser):
    # A person reads between clicks; 20 such users at once is the target's load.
    wait_time = between(0.5, 1.5)

    @task(3)
    def api_bassins(self) -> None:
        niveau, perimetre = random.choice(NIVEAUX), random.choice(PERIMETRES)
        self.client.get(
            f"/api/v1/diagnostic?maille=bassin&dans={AURA}&perimetre={perimetre}"
            f"&niveau={niveau}&taille=100",
            name="/api/v1/diagnostic (bassins AURA)",
        )

    @task(2)
    def api_departements_fap(self) -> None:
        groupement = random.choice(["fap", "famille_fap", "famille_metiers", "diplome"])
        self.client.get(
            f"/api/v1/diagnostic?maille=departement&groupement={groupement}&dans={AURA}"
            f"&perimetre={random.choice(PERIMETRES)}&niveau={random.choice(NIVEAUX)}",
            name="/api/v1/diagnostic (départements)",
        )

    @task(2)
    def map_page(self) -> None:
        self.client.get("/diagnostic", name="/diagnostic (carte)")

    @task(2)
    def territory_page(self) -> None:
        maille, code = random.choice(
            [("academie", a) for a in ACADEMIES] + [("departement", d) for d in DEPARTEMENTS]
        )
        self.client.get(
            f"/diagnostic/territoire/{maille}/{code}?perimetre={random.choice(PERIMETRES)}",
            name="/diagnostic/territoire/…",
        )

    @task(1)
    def trade_page(self) -> None:
        self.client.get(
            f"/diagnostic/metier/famille_fap/{random.choice(FAMILLES)}", name="/diagnostic/metier/…"
        )

    @task(2)
    def formations_console(self) -> None:
        self.client.get(
            f"/diagnostic/formations?code_departement={random.choice(DEPARTEMENTS)}"
            f"&niveau={random.choice(NIVEAUX)}",
            name="/diagnostic/formations",
        )

    @task(2)
    def offers_console(self) -> None:
        self.client.get(
            f"/diagnostic/offres?code_academie={random.choice(ACADEMIES)}"
            f"&perimetre={random.choice(PERIMETRES)}",
            name="/diagnostic/offres",
        )

    @task(1)
    def offers_api(self) -> None:
        self.client.get(
            f"/api/v1/offres?code_departement={random.choice(DEPARTEMENTS)}&taille=100",
            name="/api/v1/offres",
        )

    @task(1)
    def coverage_page(self) -> None:
        self.client.get("/couverture", name="/couverture")
