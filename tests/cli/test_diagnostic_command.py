"""``tremplin diagnostic``: rows ranked by an objective's size, secrets said, on the demo store."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from tests.companies.sample import SIRET
from tests.web.test_diagnostic_declared import trade_and_bassin
from tremplin.cli import app
from tremplin.companies.companies import save_company
from tremplin.companies.needs import create_need
from tremplin.store.audit import COMMAND_LINE, Actor


def _json(demo_store_url: str, *options: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        app,
        ["diagnostic", "--territoire", "84", "--maille", "bassin", "--format", "json", *options],
        env={"TREMPLIN_DATABASE_URL": demo_store_url},
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


def test_an_objective_ranks_its_rows_by_size(demo_store_url: str) -> None:
    everything = _json(demo_store_url, "--perimetre", "tout")
    for objective in ("attractivite", "acces", "competences", "vigilance"):
        ranked = _json(demo_store_url, "--perimetre", "tout", "--objectif", objective)
        assert len(ranked) == sum(1 for r in everything if objective in r["objectifs"])  # type: ignore[operator]
        sizes = [
            float(str(r[f"taille_{objective}"]))
            for r in ranked
            if r[f"taille_{objective}"] is not None
        ]
        assert sizes == sorted(sizes, reverse=True)
    # A group whose BMO cells are all secret says so, with no count (never 0).
    secret = [r for r in everything if r["projets_recrutement_secret"]]
    assert secret and all(r["projets_recrutement"] is None for r in secret)


def _refused(demo_store_url: str, *options: str) -> str:
    """The French message of ``tremplin diagnostic`` refusing ``options``."""
    result = CliRunner().invoke(
        app, ["diagnostic", *options], env={"TREMPLIN_DATABASE_URL": demo_store_url}
    )
    assert result.exit_code != 0
    return result.output


def test_an_unknown_objective_is_refused_in_french(demo_store_url: str) -> None:
    assert "objectif « tout » inconnu" in _refused(demo_store_url, "--objectif", "tout")


def _rows(demo_store_url: str, *options: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        app,
        ["diagnostic", "--perimetre", "tout", "--format", "json", *options],
        env={"TREMPLIN_DATABASE_URL": demo_store_url},
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


def _keyed(rows: list[dict[str, object]]) -> dict[tuple[object, object], object]:
    return {(r["code_territoire"], r["code_groupe"]): r["places"] for r in rows}


def test_several_territories_are_the_rows_of_each(demo_store_url: str) -> None:
    departements = _rows(demo_store_url, "--territoire", "84", "--maille", "departement")
    first, second = sorted({str(r["code_territoire"]) for r in departements} - {"?"})[:2]
    each = [
        _rows(demo_store_url, "--territoire", f"departement:{code}", "--maille", "bassin")
        for code in (first, second)
    ]
    union = {**_keyed(each[0]), **_keyed(each[1])}
    repeated = _rows(
        demo_store_url,
        "--territoire",
        f"departement:{first}",
        "--territoire",
        f"departement:{second}",
        "--maille",
        "bassin",
    )
    listed = _rows(
        demo_store_url,
        "--territoire",
        f"departement:{first},departement:{second}",
        "--maille",
        "bassin",
    )
    assert each[0] and each[1]
    assert _keyed(repeated) == union == _keyed(listed)
    assert len(repeated) == len(union)  # a bassin across both départements comes once


def test_thresholds_and_sort_apply_to_the_rows(demo_store_url: str) -> None:
    everything = _rows(demo_store_url, "--territoire", "84", "--maille", "bassin")
    kept = _rows(
        demo_store_url,
        "--territoire",
        "84",
        "--maille",
        "bassin",
        "--seuil",
        "min_taux_pression=1,3",
        "--tri",
        "places",
        "--ordre",
        "desc",
    )
    pressures = [r["taux_pression"] for r in everything]
    expected = [
        r
        for r, p in zip(everything, pressures, strict=True)
        if p is not None and float(str(p)) >= 1.3
    ]
    assert kept and sorted(map(repr, kept)) == sorted(map(repr, expected))
    places = [float(str(r["places"])) for r in kept]
    assert places == sorted(places, reverse=True)
    refused = _refused(demo_store_url, "--seuil", "taux_pression>1")
    assert "seuil « taux_pression>1 »" in refused
    assert "tri « inconnu » inconnu" in _refused(demo_store_url, "--tri", "inconnu")


def test_the_command_shows_the_needs_companies_declared(
    needs_url: str, needs_engine: sa.Engine
) -> None:
    with needs_engine.begin() as conn:
        code_rome, fap86, commune, bassin = trade_and_bassin(conn)
        company = save_company(conn, Actor(COMMAND_LINE), siret=SIRET, nom="Forge")
        need = {"code_rome": code_rome, "nombre": 4, "contrat": "cdi", "code_insee": commune}
        create_need(conn, Actor(COMMAND_LINE), company, need)
    rows = _json(
        needs_url,
        "--territoire",
        f"bassin:{bassin}",
        "--groupement",
        "fap",
        "--perimetre",
        "tout",
    )
    # « --territoire 84 » of _json and the bassin: every bassin of the région, once.
    declared = {
        (r["code_territoire"], r["code_groupe"]): r["personnes_besoins_declares"]
        for r in rows
        if r["personnes_besoins_declares"] is not None
    }
    assert declared == {(bassin, fap86): 4}
