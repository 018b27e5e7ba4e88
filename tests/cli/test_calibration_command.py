"""``tremplin simulate calibration``: the former ``python -m …calibration`` entry, same flags."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.scenarios.calibration_report import BEGIN, END


def test_calibration_on_the_demo_files_writes_its_figures(tmp_path: Path, demo_dir: Path) -> None:
    document = tmp_path / "calibration.md"
    document.write_text(f"# Calibration\n\n{BEGIN}\nanciens chiffres\n{END}\n", encoding="utf-8")

    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "calibration",
            "--sources",
            str(demo_dir),
            "--evaluations",
            "3",
            "--output",
            str(document),
        ],
        terminal_width=200,
    )

    assert result.exit_code == 0, result.output
    assert "Modèle ajusté en" in result.output
    assert f"Chiffres écrits dans {document}." in result.output
    text = document.read_text(encoding="utf-8")
    assert text.startswith("# Calibration") and text.count(BEGIN) == 1
    assert "anciens chiffres" not in text and "| β_famille |" in text
