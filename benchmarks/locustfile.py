"""The diagnostic's pages and API calls a planner of AURA uses, for ``benchmarks/web.py``."""

from __future__ import annotations

from locust import HttpUser, between, task

AURA = "region:84"


class Planner(HttpUser):
    # A person reads between clicks; 20 such users at once is the target's load.
    wait_time = between(0.5, 1.5)

    @task(3)
    def api_bassins(self) -> None:
        self.client.get(
            f"/api/v1/diagnostic?maille=bassin&dans={AURA}&perimetre=industrie&taille=100",
            name="/api/v1/diagnostic (bassins AURA)",
        )

    @task(2)
    def api_departements_fap(self) -> None:
        self.client.get(
            f"/api/v1/diagnostic?maille=departement&groupement=fap&dans={AURA}&perimetre=tout",
            name="/api/v1/diagnostic (départements, FAP)",
        )

    @task(2)
    def map_page(self) -> None:
        self.client.get("/diagnostic", name="/diagnostic (carte)")

    @task(2)
    def territory_page(self) -> None:
        self.client.get("/diagnostic/territoire/academie/10", name="/diagnostic/territoire/…")

    @task(1)
    def trade_page(self) -> None:
        self.client.get("/diagnostic/metier/famille_fap/D", name="/diagnostic/metier/…")

    @task(2)
    def formations_console(self) -> None:
        self.client.get("/diagnostic/formations?code_region=84", name="/diagnostic/formations")

    @task(2)
    def offers_console(self) -> None:
        self.client.get("/diagnostic/offres?code_academie=10", name="/diagnostic/offres")

    @task(1)
    def offers_api(self) -> None:
        self.client.get("/api/v1/offres?code_region=84&taille=100", name="/api/v1/offres")

    @task(1)
    def coverage_page(self) -> None:
        self.client.get("/couverture", name="/couverture")
