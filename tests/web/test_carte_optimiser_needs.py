"""End to end on a copy of the demo store: a company declares a need through the API; an
optimisation job run on the same store then proposes another carte, whose reasons name the
need, and reports the declared needs it read."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, Person, create
from tests.web.accounts import api_token, web_login
from tests.web.client import WebClient, web_settings
from tests.web.test_carte_optimiser import _finished
from tremplin.companies.needs import rome_trades
from tremplin.diagnostic.facts import stored_facts
from tremplin.formats import format_number
from tremplin.planning.carte import carte
from tremplin.referentials.derived import referentials
from tremplin.referentials.perimeter import Perimeter

COMPANY = PEOPLE["entreprise"]


def _target(conn: sa.Connection) -> tuple[str, str, str, str]:
    """(territory, code ROME, commune, FAP 86): the industrial trade × département most
    weighted in the demo's carte that a ROME code reaches, and that département's largest
    commune with a bassin."""
    facts = stored_facts(conn, Perimeter.load(None))
    region = facts.offres.get_column("code_region").drop_nulls().mode().item(0)
    territory = str(region)
    c = carte(facts, territory)
    # The cells with the most room for declared people: BMO's projects × (0,25 + 0,5), or no
    # BMO figure at all, beyond the places already weighted to the trade.
    weights = (
        c.metiers.filter(pl.col("industrie"))
        .join(c.offres.select("offre", "capacite"), on="offre")
        .group_by("code_departement", "fap86")
        .agg((pl.col("poids") * pl.col("capacite")).sum().alias("places"))
        .join(
            c.besoins.select("code_departement", "fap86", "projets"),
            on=["code_departement", "fap86"],
            how="left",
        )
        .with_columns((pl.col("projets").fill_null(1e9) * 0.75 - pl.col("places")).alias("room"))
        .sort("room", descending=True)
        .select("code_departement", "fap86", "room")
    )
    families = facts.familles_fap.select("fap2021", "fap86")
    roms = (
        rome_trades(conn)
        .drop_nulls("fap2021")
        .join(families, on="fap2021", how="inner")
        .sort("code_rome")
    )
    communes = referentials(conn).communes.drop_nulls("bassin_bmo")
    for dep, fap, _ in weights.iter_rows():
        rome = roms.filter(pl.col("fap86") == fap)
        places = communes.filter(pl.col("code_departement") == dep).sort(
            "population", descending=True
        )
        if rome.height and places.height:
            return territory, rome.item(0, "code_rome"), places.item(0, "code_insee"), fap
    raise AssertionError("no industrial trade of the demo's carte has a ROME code")


def test_a_declared_need_changes_the_proposed_carte(
    needs_url: str, needs_engine: sa.Engine, tmp_path: Path
) -> None:
    with needs_engine.connect() as conn:
        territory, rome, commune, fap = _target(conn)
    pilot = Person("pilote", "optimiseur.besoins@ac.test", territoire=f"region:{territory}")
    with needs_engine.begin() as conn:
        create(conn, COMPANY)
        create(conn, pilot)
    client = WebClient(web_settings(needs_url, tmp_path))
    # Companies' needs weigh five times young people's: one section is enough to serve them.
    run = {"territoire": territory, "budget_places": 0, "sections_max": 6, "poids_besoins": 5}
    try:
        signed = api_token(client, pilot.email)
        first = client.request("POST", "/api/v1/carte/optimisations", json=run, headers=signed)
        assert first.status_code == 202, first.text
        before = _finished(client, first.json()["id"], signed)
        assert before["statut"] == "terminee", before
        assert before["resultat"]["besoins_declares"]["besoins"] == 0
        assert not any("déclaré" in c["raison"] for c in before["resultat"]["changes"])
        # The company records itself and declares a need of 1 000 people in that trade.
        company = api_token(client, COMPANY.email)
        saved = client.request(
            "POST", "/api/v1/entreprises", json={"nom": "Atelier", "naf": "2562A"}, headers=company
        )
        assert saved.status_code == 201, saved.text
        need = {"code_rome": rome, "nombre": 1000, "contrat": "cdi", "code_insee": commune}
        created = client.request("POST", "/api/v1/besoins", json=need, headers=company)
        assert created.status_code == 201, created.text
        second = client.request("POST", "/api/v1/carte/optimisations", json=run, headers=signed)
        after = _finished(client, second.json()["id"], signed)
        assert after["statut"] == "terminee", after
        result = after["resultat"]
        read = result["besoins_declares"]
        assert (read["besoins"], read["personnes"], read["entreprises"]) == (1, 1000, 1)
        assert 0 < read["personnes_comptees"] <= 1000

        def proposed(found: dict[str, object]) -> set[tuple[str, str, int]]:
            return {
                (c["uai"], c["mef_stat_11"], c["places_apres"])
                for c in found["changes"]  # type: ignore[attr-defined]
            }

        assert proposed(result) != proposed(before["resultat"])
        wanted = f"1 besoin déclaré ({format_number(1000)} personnes) par 1 entreprise"
        named = [c for c in result["changes"] if wanted in c["raison"]]
        assert named and all(f"en {fap} dans le bassin" in c["raison"] for c in named)
        assert all(c["places_apres"] > c["places_avant"] for c in named)
        # The run's page says what it read.
        cookies = web_login(client, pilot.email)
        headers = {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        page = client.request("GET", f"/carte/optimisations/{second.json()['id']}", headers=headers)
        assert page.status_code == 200
        assert f"{format_number(1000)} personne(s) recherchée(s), 1 entreprise(s)" in page.text
    finally:
        client.close()
