"""The README is a contract: its quickstart runs as shown, and every setting, command and dataset
is documented."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.config import SETTINGS, Settings, markdown_table
from tremplin.sources.registry import DATASETS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _quickstart() -> list[tuple[list[str], list[str]]]:
    block = README.split("## Quickstart", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    steps: list[tuple[list[str], list[str]]] = []
    for line in block.strip().splitlines():
        if line.startswith("$ "):
            steps.append((shlex.split(line[2:]), []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def test_the_settings_table_is_the_one_derived_from_the_declarations() -> None:
    assert markdown_table() in README
    for setting in SETTINGS:
        assert f"`{setting.variable}`" in README


def test_every_setting_fills_one_field_and_its_default_parses() -> None:
    assert [s.field for s in SETTINGS] == list(Settings.__dataclass_fields__)
    defaults = Settings.from_env({})
    assert defaults.region == "84"
    assert defaults.port == 8000


def test_every_command_is_documented() -> None:
    names = [command.name for command in app.registered_commands]
    assert names
    for name in names:
        assert f"`tremplin {name}" in README, name


def test_every_dataset_is_documented() -> None:
    sources_doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for dataset in DATASETS:
        assert f"`{dataset.name}`" in sources_doc, dataset.name


def test_the_quickstart_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path / 'quickstart.sqlite'}"}
    runner = CliRunner()
    steps = [s for s in _quickstart() if s[0][1] != "serve"]
    assert [s[0][1] for s in steps] == ["demo", "load", "load"]
    for command, expected in steps:
        assert command[0] == "tremplin"
        result = runner.invoke(app, command[1:], env=env, terminal_width=100)
        assert result.exit_code == 0, result.output
        for line in expected:
            assert _squash(line) in _squash(result.output), (command, line)
