"""The orientation frames (``orientation/data.py``): built by ``tremplin load`` and kept in the
store, read (not rebuilt) afterwards; rebuilt when the files change."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.orientation.data import orientation_data
from tremplin.referentials.perimeter import Perimeter
from tremplin.store import derived
from tremplin.store.database import open_store


def test_load_builds_the_orientation_frames_once(demo_dir: Path, tmp_path: Path) -> None:
    files = shutil.copytree(demo_dir, tmp_path / "demo")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    result = CliRunner().invoke(app, ["load", str(files)], env={"TREMPLIN_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    before = derived.builds.copy()
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            data = orientation_data(conn, Perimeter.load(None))
    finally:
        engine.dispose()
    # Read from the store: nothing built again after the load.
    assert derived.builds["orientation.formations"] == before["orientation.formations"]
    assert data.formations.height > 0 and data.formation_metiers.height > 0
    assert set(data.formation_metiers["id"]) <= set(data.formations["id"])
    assert data.communes["code_insee"].is_unique().all()
