"""The referentials every analysis starts from, built once per set of loaded files.

:func:`build_referentials` computes them from the loaded rows — communes, establishments placed
in their territories, départements, formations, the FAP 2009 ↔ 2021 bridge and the trades of
each CFD —, which takes seconds (the bridge compares labels); :func:`referentials` reads them
from the store (``store.derived``) when the loaded files have not changed since they were built.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.referentials import territories, trades
from tremplin.referentials.fap_bridge import BridgeCoverage, FapBridge, fap_bridge
from tremplin.referentials.formations import formations
from tremplin.referentials.trade_weights import cfd_trade_weights
from tremplin.store.derived import cached_frames, files_fingerprint, fingerprint

VERSION = "2"
"""Bump when a referential's builder changes what it gives."""

_PREFIX = "referentiels."
_BRIDGE_FRAMES = ("frame", "ambiguous", "unmatched", "unreached")


@dataclass(frozen=True)
class Referentials:
    """The referentials of one state of the store."""

    communes: pl.DataFrame
    etablissements: pl.DataFrame
    departements: pl.DataFrame
    formations: pl.DataFrame
    bridge: FapBridge
    cfd_trades: pl.DataFrame
    # Each CFD over its trades, weights summing to 1 (``referentials/trade_weights.py``).
    cfd_trade_weights: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every frame, by its name in the store (the bridge as its frames and coverage)."""
        found = {
            "communes": self.communes,
            "etablissements": self.etablissements,
            "departements": self.departements,
            "formations": self.formations,
            "cfd_trades": self.cfd_trades,
            "cfd_trade_weights": self.cfd_trade_weights,
            "bridge.coverage": pl.DataFrame([dataclasses.asdict(self.bridge.coverage)]),
        }
        found.update({f"bridge.{n}": getattr(self.bridge, n) for n in _BRIDGE_FRAMES})
        return {_PREFIX + name: frame for name, frame in found.items()}

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> Referentials:
        """The referentials from :meth:`frames`."""

        def get(name: str) -> pl.DataFrame:
            return frames[_PREFIX + name]

        coverage = BridgeCoverage(**get("bridge.coverage").row(0, named=True))
        bridge = FapBridge(
            **{n: get(f"bridge.{n}") for n in _BRIDGE_FRAMES},
            coverage=coverage,
        )
        return cls(
            communes=get("communes"),
            etablissements=get("etablissements"),
            departements=get("departements"),
            formations=get("formations"),
            bridge=bridge,
            cfd_trades=get("cfd_trades"),
            cfd_trade_weights=get("cfd_trade_weights"),
        )


NAMES = tuple(
    _PREFIX + name
    for name in (
        "communes",
        "etablissements",
        "departements",
        "formations",
        "cfd_trades",
        "cfd_trade_weights",
        "bridge.coverage",
        *(f"bridge.{n}" for n in _BRIDGE_FRAMES),
    )
)


def build_referentials(conn: sa.Connection) -> Referentials:
    """Every referential, computed from what the store holds now."""
    communes = territories.communes(conn)
    bridge = fap_bridge(conn)
    return Referentials(
        communes=communes,
        etablissements=territories.etablissements(conn, communes_frame=communes),
        departements=territories.departements(conn, communes_frame=communes),
        formations=formations(conn),
        bridge=bridge,
        cfd_trades=trades.trades_of_cfd(conn, bridge),
        cfd_trade_weights=cfd_trade_weights(conn, bridge),
    )


def referentials(conn: sa.Connection, files: str | None = None) -> Referentials:
    """The referentials of the store, read from it when the loaded files (``files``: their
    :func:`~tremplin.store.derived.files_fingerprint`, read when None) have not changed since
    they were built; built and stored otherwise."""
    files = files if files is not None else files_fingerprint(conn)
    key = fingerprint(files, VERSION)
    frames = cached_frames(conn, NAMES, key, lambda: build_referentials(conn).frames())
    return Referentials.from_frames(frames)
