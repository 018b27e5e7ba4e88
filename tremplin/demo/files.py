"""Writing the demo's files byte for byte in the layout of the real ones.

A :class:`Layout` is what ``scripts/derive_demo_parameters.py`` read off a real file: the header
line as it is, the separator, the encoding, a BOM or not, the line ending, a final line ending or
not, and the blank records some files end with. Rows are joined without quoting, like the
originals, so a value must never contain the separator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DemoFile:
    """One written file: its path under the demo folder, its data rows, what it holds (French)."""

    path: str
    rows: int
    description: str


@dataclass(frozen=True)
class Layout:
    header: str
    separator: str
    encoding: str
    bom: bool
    newline: str
    final_newline: bool
    trailer: tuple[str, ...]

    @classmethod
    def from_parameters(cls, layouts: dict[str, Any], path: str) -> Layout:
        spec = layouts[path]
        return cls(
            header=spec["header"],
            separator=spec["separator"],
            encoding=spec["encoding"],
            bom=spec["bom"],
            newline=spec["newline"],
            final_newline=spec["final_newline"],
            trailer=tuple(spec["trailer"]),
        )

    @property
    def columns(self) -> list[str]:
        return self.header.split(self.separator)


def write_csv(
    root: Path,
    path: str,
    layout: Layout,
    rows: Sequence[Sequence[str]],
    description: str,
) -> DemoFile:
    """Write ``rows`` under ``root / path`` in ``layout``; each row has the header's width."""
    width = len(layout.columns)
    lines = [layout.header]
    for row in rows:
        if len(row) != width:
            raise ValueError(f"{path} : {len(row)} champs au lieu de {width} dans {row!r}")
        for value in row:
            if layout.separator in value or "\n" in value:
                raise ValueError(f"{path} : valeur à protéger {value!r}")
        lines.append(layout.separator.join(row))
    lines.extend(layout.trailer)
    text = layout.newline.join(lines) + (layout.newline if layout.final_newline else "")
    data = text.encode(layout.encoding)
    if layout.bom:
        data = b"\xef\xbb\xbf" + data
    _write_bytes(root / path, data)
    return DemoFile(path, len(rows), description)


def write_json_lines(
    root: Path, path: str, objects: Iterable[dict[str, Any]], description: str
) -> DemoFile:
    """A JSON list written one compact object per line, as ``decoupage-administratif`` does."""
    items = [json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in objects]
    _write_bytes(root / path, ("[\n" + ",\n".join(items) + "\n]\n").encode("utf-8"))
    return DemoFile(path, len(items), description)


def write_json_document(
    root: Path, path: str, document: Any, rows: int, description: str
) -> DemoFile:
    """A JSON document on one line (``json.dumps`` defaults), with a final line ending."""
    _write_bytes(root / path, (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8"))
    return DemoFile(path, rows, description)


def _write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
