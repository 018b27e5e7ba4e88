"""A reference to a territory, « maille:code » (« region:84 », « departement:01 »), parsed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tremplin.errors import InputError

__all__ = ["MAILLES", "Maille", "TerritoryRef", "TerritoryRefError"]


class Maille(StrEnum):
    """Territory levels, from the coarsest to the finest (a bassin BMO may straddle
    départements)."""

    REGION = "region"
    ACADEMIE = "academie"
    DEPARTEMENT = "departement"
    BASSIN = "bassin"


MAILLES: tuple[str, ...] = tuple(m.value for m in Maille)


class TerritoryRefError(InputError):
    """A territory reference that is not « maille:code »."""


@dataclass(frozen=True)
class TerritoryRef:
    """A territory: its ``maille`` (a level of :data:`MAILLES`) and its ``code`` at that level."""

    maille: str
    code: str

    @classmethod
    def parse(
        cls, text: str, *, mailles: Sequence[str] = MAILLES, expected: str | None = None
    ) -> TerritoryRef:
        """``"region:84"`` → ``TerritoryRef("region", "84")``; the maille is case-insensitive.

        Raises :class:`TerritoryRefError` (in French) when the maille is not one of ``mailles``
        or the code is missing; ``expected`` words what was expected instead."""
        maille, _, code = text.partition(":")
        maille, code = maille.strip().lower(), code.strip()
        if maille not in mailles or not code:
            raise TerritoryRefError(
                f"territoire « {text} » invalide",
                expected=expected or f"maille:code, par ex. {mailles[0]}:84",
            )
        return cls(maille, code)

    def __str__(self) -> str:
        return f"{self.maille}:{self.code}"
