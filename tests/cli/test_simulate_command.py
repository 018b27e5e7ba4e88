"""``tremplin simulate instance``: a JSON instance written in ``tmp_path``, solved through the
CLI, and the JSON result read back; bad instances give French messages naming the JSON path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tremplin.assignment.json_io import InstanceError, read_instance
from tremplin.cli import app

INSTANCE: dict[str, Any] = {
    "formations": [
        {"id": "F1", "capacity": 2},
        {"id": "F2", "capacity": 1},
        {"id": "F3", "capacity": 0},
    ],
    "pupils": [
        {"id": "P1", "wishes": ["F2", "F1"], "scores": [12.5, 14.0]},
        {"id": "P2", "wishes": ["F2"], "scores": [13.0]},
        {"id": "P3", "wishes": ["F3", "F1"], "scores": [20.0, 9.5]},
        {"id": "P4", "wishes": [], "scores": []},
        {"id": "P5", "wishes": ["F2", "F1"], "scores": [11.0, 8.0]},
    ],
    "seed": 7,
}


def _run(tmp_path: Path, document: Any, *options: str) -> tuple[int, str, Path]:
    source = tmp_path / "instance.json"
    source.write_text(
        document if isinstance(document, str) else json.dumps(document), encoding="utf-8"
    )
    output = tmp_path / "resultat.json"
    result = CliRunner().invoke(
        app, ["simulate", "instance", str(source), "--output", str(output), *options]
    )
    return result.exit_code, re.sub(r"\s+", " ", result.output), output


def test_an_instance_is_solved_and_written(tmp_path: Path) -> None:
    code, text, output = _run(tmp_path, INSTANCE)
    assert code == 0, text
    result = json.loads(output.read_text(encoding="utf-8"))
    assert next(iter(result)) == "assignment"
    assert result["assignment"] == {"P1": "F1", "P2": "F2", "P3": "F1", "P4": None, "P5": None}
    assert result["ranks"] == {"P1": 2, "P2": 1, "P3": 2, "P4": None, "P5": None}
    assert result["formations"]["F1"] == {"capacity": 2, "filled": 2, "last_admitted_score": 9.5}
    assert result["formations"]["F3"] == {
        "capacity": 0,
        "filled": 0,
        "last_admitted_score": None,
    }
    assert result["rule"] == "scores"
    assert result["stats"]["pupils"]["placed"] == 3
    assert (
        "5 élève(s), 4 avec au moins un vœu : 3 affecté(s) (75 %), dont 1 sur leur premier vœu "
        "(25 %) ; 1 sans affectation. 0 place(s) vacante(s) sur 3 dans 3 formation(s)."
    ) in text
    assert "Priorités : scores et tirage au sort. Résultat écrit dans" in text


def test_the_result_keeps_the_pupils_order_and_only_known_ids(tmp_path: Path) -> None:
    _, _, output = _run(tmp_path, INSTANCE)
    result = json.loads(output.read_text(encoding="utf-8"))
    assert list(result["assignment"]) == ["P1", "P2", "P3", "P4", "P5"]
    assert set(result["assignment"].values()) <= {"F1", "F2", "F3", None}


def test_the_verifier_option(tmp_path: Path) -> None:
    code, text, _ = _run(tmp_path, INSTANCE, "--verifier")
    assert code == 0, text
    assert "Vérification indépendante : affectation valide et stable." in text


def test_quotas_switch_to_the_call_order(tmp_path: Path) -> None:
    document = {
        "formations": [{"id": "BTS", "capacity": 1, "quota_boursiers": 0.5}],
        "pupils": [
            {"id": "A", "wishes": ["BTS"], "scores": [18.0]},
            {"id": "B", "wishes": ["BTS"], "scores": [11.0], "boursier": True},
        ],
    }
    code, text, output = _run(tmp_path, document)
    assert code == 0, text
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["assignment"] == {"A": None, "B": "BTS"}
    assert result["rule"] == "ordre d'appel"
    assert result["formations"]["BTS"]["last_admitted_call_rank"] == 1
    assert "ordre d'appel avec quotas" in text


def _pupil(wishes: list[Any], scores: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    scores = [1.0] * len(wishes) if scores is None else scores
    return {"wishes": wishes, "scores": scores, **extra}


def _bad(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(INSTANCE))
    for path, value in changes.items():
        section, index, key = path.split("__")
        document[section][int(index)][key] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_bad(pupils__3__wishes=["F1", "F9"], pupils__3__scores=[1, 2]),
         "pupils[3].wishes[1] : formation « F9 » inconnue"),
        (_bad(pupils__0__scores=[12.5]), "pupils[0].scores : 1 score(s) pour 2 vœu(x)"),
        (_bad(formations__1__capacity=-3), "formations[1].capacity : capacité négative (-3)"),
        (_bad(formations__1__capacity=1.5), "formations[1].capacity : nombre entier attendu"),
        (_bad(formations__2__id="F1"),
         "formations[2].id : identifiant « F1 » en double (déjà en formations[0])"),
        (_bad(pupils__1__id="P1"),
         "pupils[1].id : identifiant « P1 » en double (déjà en pupils[0])"),
        (_bad(pupils__4__wishes=["F2", "F2"]),
         "pupils[4].wishes[1] : formation « F2 » déjà demandée en vœu 1"),
        (_bad(pupils__2__scores=[1, "vingt"]), 'pupils[2].scores[1] : nombre attendu, pas "vingt"'),
        (_bad(pupils__0__boursier="oui"),
         "pupils[0].boursier : booléen (true ou false) attendu, pas un texte"),
        (_bad(formations__0__quota_boursiers=20),
         "formations[0].quota_boursiers : part entre 0 et 1 attendue, pas 20"),
        ({"formations": [], "seed": 1}, "(racine) : champ « pupils » manquant"),
        ({"formations": {}, "pupils": []}, "formations : liste attendue, pas un objet"),
        ([1, 2], "(racine) : objet attendu, pas une liste"),
        ('{"formations": [], "pupils": [}', "JSON invalide, ligne 1, colonne 31"),
        ('{"formations": [{"id": "F", "capacity": 1}], "pupils": [{"id": "P", "wishes": ["F"],'
         ' "scores": [NaN]}]}', 'pupils[0].scores[0] : nombre attendu, pas "NaN"'),
    ],
)  # fmt: skip
def test_a_bad_instance_is_refused_with_its_json_path(
    tmp_path: Path, document: Any, message: str
) -> None:
    code, text, output = _run(tmp_path, document)
    assert code == 1
    assert text.startswith("Erreur : ")
    assert message in text
    assert not output.exists()


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    document = _bad(pupils__0__wishes=["X", "Y"], formations__0__capacity=-1)
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InstanceError) as caught:
        read_instance(path)
    assert caught.value.problems == [
        "formations[0].capacity : capacité négative (-1)",
        "pupils[0].wishes[0] : formation « X » inconnue",
        "pupils[0].wishes[1] : formation « Y » inconnue",
    ]


def test_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["simulate", "instance", str(tmp_path / "absent.json"), "--output", str(tmp_path / "r")],
    )
    assert result.exit_code == 1
    assert re.sub(r"\s+", " ", result.output).endswith("absent.json : fichier introuvable ")


def test_optional_fields_reach_the_instance(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    document = {
        "formations": [{"id": "F1", "capacity": 1, "quota_residents": 0.25}],
        "pupils": [
            {"id": "P1", "wishes": ["F1"], "boursier": True, "resident": [True]},
            {"id": "P2", "wishes": ["F1"], "resident": False},
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    instance = read_instance(path)
    assert instance.boursier.tolist() == [True, False]
    assert instance.resident.tolist() == [True, False]
    assert instance.quota_residents.tolist() == [0.25]
    assert instance.scores.tolist() == [0.0, 0.0]
    assert instance.seed == 0
    assert instance.pupil_ids == ("P1", "P2")
