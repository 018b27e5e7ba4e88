"""The docs name only paths that exist: every `tremplin/…`, `docs/…`, `tests/…`, `benchmarks/…`,
`scripts/…` written between backquotes in the README or docs/ is a file or folder of the project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_PATH = re.compile(
    r"`((?:tremplin|docs|tests|benchmarks|scripts|\.ci)/[A-Za-z0-9_./-]*?)"
    r"(?:::[A-Za-z0-9_]+)?(?:[ :(`])"
)


def named_paths(text: str) -> set[str]:
    """The project paths ``text`` names between backquotes (globs and placeholders left out)."""
    found = set()
    for match in _PATH.finditer(text):
        path = match.group(1).rstrip(".")
        if any(c in path for c in "*<>{}") or "NNNN" in path:
            continue
        found.add(path)
    return found


def test_the_pattern_finds_paths() -> None:
    text = "see `tremplin/config.py` and `docs/web.md`, `tests/x.py::test_y`, `make run`"
    assert named_paths(text) == {"tremplin/config.py", "docs/web.md", "tests/x.py"}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_named_in_the_docs_exists(doc: Path) -> None:
    missing = sorted(
        p for p in named_paths(doc.read_text(encoding="utf-8")) if not (ROOT / p).exists()
    )
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"
