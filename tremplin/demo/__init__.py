"""A fictional territory written in the official file formats, for a first look without real data.

``generate_demo(folder)`` writes it; ``tremplin demo`` is the command that calls it. See
``docs/demo.md`` for what is real (geography, nomenclatures, distributions) and what is invented
(every establishment and every figure).
"""

from typing import TYPE_CHECKING, Any

from tremplin.demo.files import DemoFile
from tremplin.demo.parameters import DEFAULT_SEED

if TYPE_CHECKING:
    from tremplin.demo.generate import MARKER, DemoSummary, generate_demo

__all__ = ["DEFAULT_SEED", "MARKER", "DemoFile", "DemoSummary", "generate_demo"]
_GENERATE = {"MARKER", "DemoSummary", "generate_demo"}


def __getattr__(name: str) -> Any:
    # The generator (polars…) is imported on first use, so that the CLI starts without it.
    if name in _GENERATE:
        from tremplin.demo import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
