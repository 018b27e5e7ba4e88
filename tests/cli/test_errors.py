"""The command line's one error mapping: any TremplinError a command lets through becomes a French
message on standard error and exit code 1, without a traceback; text from the user is printed as
written, never read as rich markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.errors import InputError, TremplinError


def _run(*args: str, tmp_path: Path) -> tuple[int, str, BaseException | None]:
    env = {"TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path / 'tremplin.sqlite'}"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split()), result.exception


def test_bad_input_to_a_command_is_a_french_message_and_exit_1(tmp_path: Path) -> None:
    code, output, exception = _run("diagnostic", "--maille", "canton", tmp_path=tmp_path)
    assert code == 1
    assert isinstance(exception, SystemExit)  # an orderly exit, not an escaped error
    assert output.startswith("Erreur : maille « canton » inconnu ; valeurs possibles : region")


def test_markup_in_a_message_is_printed_as_written(tmp_path: Path) -> None:
    missing = tmp_path / "[/x]" / "[bold]constat.csv"
    code, output, exception = _run("load", str(missing), tmp_path=tmp_path)
    assert code == 1
    assert isinstance(exception, SystemExit)
    assert f"{missing}:fichieroudossierintrouvable" in output.replace(" ", "")  # rich wraps
    assert "Rien n'a été enregistré" in output


@pytest.mark.parametrize(
    "content",
    ['{"titre": "x", "changements": [' * 50_000, '{"titre": "x", "graines": ' + "7" * 5_000 + "}"],
    ids=["trop_profond", "entier_trop_long"],
)
def test_a_hostile_scenario_file_is_refused_in_french(content: str, tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(content, encoding="utf-8")
    code, output, exception = _run("simulate", "scenario", str(path), tmp_path=tmp_path)
    assert code == 1
    assert isinstance(exception, SystemExit)
    assert f"Erreur:{path}:fichiermalformé" in output.replace(" ", "")


def test_every_domain_error_is_a_tremplin_error() -> None:
    from tremplin.assignment.json_io import InstanceError
    from tremplin.errors import Busy, TooManyRequests
    from tremplin.referentials.perimeter import PerimeterError
    from tremplin.scenarios.scenarios import ScenarioError
    from tremplin.sources.errors import SourceError
    from tremplin.sources.fetch import FetchError
    from tremplin.web.shared.assets import MissingAssets

    for error in (InstanceError, ScenarioError, PerimeterError, SourceError):
        assert issubclass(error, InputError)
        assert not issubclass(error, ValueError)  # a boundary never needs a bare ValueError
    assert issubclass(TooManyRequests, Busy) and TooManyRequests.status == 429
    assert issubclass(FetchError, TremplinError)
    assert issubclass(MissingAssets, TremplinError)


def test_numbers_too_large_for_the_engine_are_named_in_an_instance(tmp_path: Path) -> None:
    huge = "1" + "0" * 400  # parses as a Python int, but no float or int64 holds it
    path = tmp_path / "instance.json"
    path.write_text(
        '{"formations": [{"id": "f1", "capacity": ' + huge + '}], "pupils": '
        '[{"id": "p1", "wishes": ["f1"], "scores": [' + huge + "]}]}",
        encoding="utf-8",
    )
    output = tmp_path / "affectation.json"
    code, text, exception = _run(
        "simulate", "instance", str(path), "-o", str(output), tmp_path=tmp_path
    )
    assert code == 1
    assert isinstance(exception, SystemExit)
    assert "formations[0].capacity : capacité de plus d'un milliard de places" in text
    assert "pupils[0].scores[0] : nombre attendu" in text
    assert not output.exists()
