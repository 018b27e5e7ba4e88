"""``tremplin metiers chercher`` on the demo territory's ROME extract: JSON, the table, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tremplin.cli import app


def _run(url: str, *arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["metiers", "chercher", *arguments],
        env={"TREMPLIN_DATABASE_URL": url, "COLUMNS": "200"},
    )
    return result.exit_code, result.stdout, result.stderr


def test_json_lists_ranked_trades_with_code_label_and_score(demo_store_url: str) -> None:
    code, output, _ = _run(demo_store_url, "soudeuses", "--commune", "07010", "--json")
    assert code == 0, output
    found = json.loads(output)
    assert found[0]["code_rome"] == "H2913"
    assert found[0]["libelle"] == "Soudeur / Soudeuse"
    assert found[0]["lien"] == "/orientation/metier/H2913?commune=07010"
    scores = [trade["score"] for trade in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)
    assert len(found) <= 10


def test_limit_and_the_table_in_french(demo_store_url: str) -> None:
    code, output, _ = _run(demo_store_url, "maintenance", "--json")
    assert code == 0
    assert len(json.loads(output)) > 2
    code, output, _ = _run(demo_store_url, "maintenance", "--limite", "2", "--json")
    assert code == 0
    assert len(json.loads(output)) == 2
    code, output, _ = _run(demo_store_url, "soudure", "--commune", "07010")
    assert code == 0
    assert "Métiers pour « soudure » — commune Annonay" in output
    assert "H2913" in output and "Soudeur / Soudeuse" in output


def test_nothing_found_is_said(demo_store_url: str) -> None:
    code, output, _ = _run(demo_store_url, "je veux")
    assert code == 0
    assert "Aucun métier trouvé pour « je veux »." in output
    code, output, _ = _run(demo_store_url, "je veux", "--json")
    assert json.loads(output) == []


def test_an_unknown_commune_or_a_bad_limit_is_a_french_error(demo_store_url: str) -> None:
    code, _, errors = _run(demo_store_url, "soudure", "--commune", "99999")
    assert code == 1
    assert "commune inconnue : « 99999 »" in errors
    code, _, errors = _run(demo_store_url, "soudure", "--limite", "0")
    assert code == 1
    assert "nombre de métiers demandé invalide : 0" in errors
