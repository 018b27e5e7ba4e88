"""The front-end files copied from ``node_modules`` (``web/shared/assets.py``, and the
``tremplin assets`` command)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tremplin.cli import app as cli
from tremplin.web.shared.assets import ASSETS, MissingAssets, copy_assets, vendor_ready


def _fake_node_modules(root: Path) -> Path:
    """A node_modules holding every declared asset, as tiny files."""
    for asset in ASSETS:
        source = root / asset.package / asset.source
        if Path(asset.source).suffix:
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(f"/* {asset.package} {asset.source} */")
        else:  # a folder
            source.mkdir(parents=True, exist_ok=True)
            (source / "inside.woff2").write_bytes(b"\x00")
    return root


def test_copy_assets_replaces_the_vendor_folder(tmp_path: Path) -> None:
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    vendor = tmp_path / "vendor"
    (vendor / "stale").mkdir(parents=True)
    copied = copy_assets(node_modules, vendor)
    assert len(copied) == len(ASSETS)
    assert vendor_ready(vendor)
    assert not (vendor / "stale").exists()
    assert (vendor / "dsfr/dsfr.min.css").read_text() == "/* @gouvfr/dsfr dist/dsfr.min.css */"
    assert (vendor / "dsfr/fonts/inside.woff2").exists()
    assert (vendor / "htmx/htmx.min.js").exists()


def test_copy_assets_touches_nothing_when_a_package_is_missing(tmp_path: Path) -> None:
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    (node_modules / "htmx.org/dist/htmx.min.js").unlink()
    vendor = tmp_path / "vendor"
    (vendor / "kept").mkdir(parents=True)
    with pytest.raises(MissingAssets) as raised:
        copy_assets(node_modules, vendor)
    assert raised.value.missing == [node_modules / "htmx.org/dist/htmx.min.js"]
    assert (vendor / "kept").exists()


def test_assets_command_explains_a_missing_npm_install(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["assets", str(tmp_path)])
    assert result.exit_code == 1
    assert "fichiers absents" in result.output
    assert "npm ci" in result.output
