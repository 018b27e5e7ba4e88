"""The layering contract of docs/architecture.md holds: import-linter checks it, as `make lint`
does, so that CI fails on an import that crosses a layer the wrong way."""

from __future__ import annotations

from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    configuration.configure()  # what the lint-imports command does first
    assert lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True
    ), "an import breaks the layering: see the report above and docs/architecture.md"


def test_every_package_is_drawn_in_the_architecture_document() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(
        p.name
        for p in (ROOT / "tremplin").iterdir()
        if (p / "__init__.py").exists() or (p.suffix == ".py" and p.stem != "__init__")
    )
    for package in packages:
        drawn = f"{package}/" if not package.endswith(".py") else package
        assert drawn in text, f"tremplin/{drawn} is missing from docs/architecture.md"
