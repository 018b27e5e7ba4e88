"""``tremplin diagnostic``: rows ranked by an objective's size, secrets said, on the demo store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tremplin.cli import app


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


def test_an_unknown_objective_is_refused_in_french(demo_store_url: str) -> None:
    result = CliRunner().invoke(
        app,
        ["diagnostic", "--objectif", "tout"],
        env={"TREMPLIN_DATABASE_URL": demo_store_url},
    )
    assert result.exit_code != 0
    assert "objectif « tout » inconnu" in result.output
