"""A fictional territory written in the official file formats, for a first look without real data.

``generate_demo(folder)`` writes it; ``tremplin demo`` is the command that calls it. See
``docs/demo.md`` for what is real (geography, nomenclatures, distributions) and what is invented
(every establishment and every figure).
"""

from tremplin.demo.files import DemoFile
from tremplin.demo.generate import DEFAULT_SEED, MARKER, DemoSummary, generate_demo

__all__ = ["DEFAULT_SEED", "MARKER", "DemoFile", "DemoSummary", "generate_demo"]
