"""TREMPLIN_REGION: the partnership's région is a setting, read once and passed down."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tremplin.cli import app


def test_a_bad_region_code_is_refused_in_french() -> None:
    result = CliRunner().invoke(app, ["config"], env={"TREMPLIN_REGION": "AURA"})
    assert result.exit_code == 1
    assert "TREMPLIN_REGION : code de région invalide « AURA »" in result.output
    assert "Traceback" not in result.output


def test_config_prints_the_region() -> None:
    result = CliRunner().invoke(app, ["config"], env={"TREMPLIN_REGION": "27"}, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "TREMPLIN_REGION" in result.output and "27" in result.output


def test_coverage_follows_the_configured_region(real_store_url: str) -> None:
    runner = CliRunner()
    outputs = {}
    for region in ("84", "27"):
        env = {"TREMPLIN_DATABASE_URL": real_store_url, "TREMPLIN_REGION": region}
        result = runner.invoke(app, ["coverage", "--json"], env=env)
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        outputs[region] = {row["territoire"] for row in document["jointures"]}
    assert outputs["84"] == {"France", "Auvergne-Rhône-Alpes"}
    assert outputs["27"] == {"France", "Bourgogne-Franche-Comté"}
