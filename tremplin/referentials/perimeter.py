"""The industrial perimeter: which trades and formations count as « industrie / métallurgie ».

A perimeter is data, not code: a TOML file of named groups, each listing FAP 2021 code
prefixes, ROME code prefixes and NSF groups, with exclusions; only active groups count. The
default, justified in ``docs/perimeter.md``, ships with the package
(``perimeter_default.toml``); a planner's file in the same format replaces it
(``Perimeter.load(path)``), and groups can be switched on or off (``with_groups``).

Prefixes follow the nomenclatures' own hierarchy: a FAP 2021 code starts with its FAP 22 letter,
its FAP 86 family (3 characters) and its FAP 228 code (5); a ROME code starts with its grand
domaine (1) and its professional domain (3). So ``"D"`` is the FAP 22 domain « Mécanique,
travail des métaux », ``"G1X72"`` one FAP 228 métier, ``"H29"`` one ROME domain.

**Rule for a weighted trade** (:meth:`Perimeter.entry_expr`, what the diagnostic uses): a formation
is spread over its trades, and each trade is in when its speciality's NSF group (unless generic),
its ROME code or its FAP 2021 is in an active group, unless a switched-off group alone claims one
of them and the trade's ROME and FAP 2021 are both outside every active group
(:meth:`Perimeter.excluded_expr`); the formation is in for the weight of those trades.

**Rule for a primary chain** (:meth:`Perimeter.formation_expr`): it is in the perimeter when its NSF
group is, or its primary ROME code is, or the FAP 2021 its primary trade chain reaches is — any
of the three. Trade data decide only through the primary chain of
:func:`~tremplin.referentials.trades.trades_of_cfd`, so a formation is in or out, once;
:meth:`Perimeter.annotate` says which of the three put it in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from tremplin.errors import InputError, parse_problem_text

DEFAULT_FILE = "perimeter_default.toml"
GENERIC_NSF_PATTERN = r"^[1-4][0-9]0$"
"""NSF groups that name a whole domain (« 200 Technologies industrielles fondamentales », « 220
Spécialités pluritechnologiques des transformations », « 250 … mécanique-électricité »): the BCN
gives them to 2nde communes and to multi-trade diplomas, so they say nothing of the trade."""
_LIST_FIELDS = ("fap2021", "exclure_fap2021", "rome", "exclure_rome", "nsf")


class PerimeterError(InputError):
    """A perimeter file that cannot be used (the message is in French, for the user)."""


def _codes(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PerimeterError(f"{where} : « {key} » doit être une liste de codes (textes)")
    return tuple(v.strip().upper() for v in value)


@dataclass(frozen=True)
class PerimeterGroup:
    """One named group of trades and specialities."""

    code: str
    libelle: str
    actif: bool
    fap2021: tuple[str, ...] = ()
    exclure_fap2021: tuple[str, ...] = ()
    rome: tuple[str, ...] = ()
    exclure_rome: tuple[str, ...] = ()
    nsf: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any], where: str) -> PerimeterGroup:
        known = {"code", "libelle", "actif", *_LIST_FIELDS}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise PerimeterError(f"{where} : clé(s) inconnue(s) {', '.join(unknown)}")
        code, libelle, actif = raw.get("code"), raw.get("libelle"), raw.get("actif", True)
        if not isinstance(code, str) or not code:
            raise PerimeterError(f"{where} : chaque groupe doit avoir un « code »")
        if not isinstance(actif, bool):
            raise PerimeterError(f"{where} ({code}) : « actif » vaut true ou false")
        lists = {name: _codes(raw, name, f"{where} ({code})") for name in _LIST_FIELDS}
        return cls(code=code, libelle=str(libelle or code), actif=actif, **lists)


def _starts_with_any(column: pl.Expr, prefixes: Sequence[str]) -> pl.Expr:
    if not prefixes:
        return pl.lit(False)
    return reduce(lambda a, b: a | b, (column.str.starts_with(p) for p in prefixes))


def _in_group(column: pl.Expr, include: Sequence[str], exclude: Sequence[str]) -> pl.Expr:
    """Starts with an included prefix and no excluded one (false for null codes)."""
    code = column.str.to_uppercase()
    inside = _starts_with_any(code, include) & ~_starts_with_any(code, exclude)
    return inside.fill_null(False)


@dataclass(frozen=True)
class Perimeter:
    """A perimeter: its name, label, groups, and where it was read from."""

    nom: str
    libelle: str
    groupes: tuple[PerimeterGroup, ...]
    source: str

    @classmethod
    def load(cls, path: Path | None = None) -> Perimeter:
        """The perimeter of ``path`` (a TOML file), or the packaged default when None."""
        if path is None:
            text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text("utf-8")
            return cls.from_toml(text, source=f"défaut ({DEFAULT_FILE})")
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise PerimeterError(f"périmètre illisible : {path} ({error.strerror})") from error
        return cls.from_toml(text, source=str(path))

    @classmethod
    def from_toml(cls, text: str, source: str = "texte") -> Perimeter:
        """A perimeter from the text of a TOML file (format: ``perimeter_default.toml``)."""
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PerimeterError(f"{source} : TOML invalide ({error})") from error
        except (ValueError, RecursionError) as error:
            problem = parse_problem_text(error, text)
            raise PerimeterError(f"{source} : TOML refusé ({problem})") from None
        groups = raw.get("groupes")
        if not isinstance(groups, list) or not groups:
            raise PerimeterError(f"{source} : aucun groupe (« [[groupes]] »)")
        parsed = tuple(
            PerimeterGroup.from_dict(g, f"{source}, groupe {i + 1}") for i, g in enumerate(groups)
        )
        codes = [g.code for g in parsed]
        if len(set(codes)) != len(codes):
            raise PerimeterError(f"{source} : deux groupes ont le même code")
        return cls(
            nom=str(raw.get("nom", "perimetre")),
            libelle=str(raw.get("libelle", raw.get("nom", "Périmètre"))),
            groupes=parsed,
            source=source,
        )

    @property
    def actifs(self) -> tuple[PerimeterGroup, ...]:
        """The groups that count."""
        return tuple(g for g in self.groupes if g.actif)

    def with_groups(self, actifs: Iterable[str]) -> Perimeter:
        """The same perimeter with exactly the groups ``actifs`` switched on."""
        wanted = set(actifs)
        unknown = wanted - {g.code for g in self.groupes}
        if unknown:
            raise PerimeterError(f"groupe(s) inconnu(s) : {', '.join(sorted(unknown))}")
        return replace(
            self, groupes=tuple(replace(g, actif=g.code in wanted) for g in self.groupes)
        )

    # --- vectorised tests --------------------------------------------------------------------

    def fap2021_expr(self, column: str = "fap2021") -> pl.Expr:
        """True where the FAP 2021 code (any level: 22, 86, 228, 341) is in the perimeter."""
        col = pl.col(column)
        return _any([_in_group(col, g.fap2021, g.exclure_fap2021) for g in self.actifs])

    def rome_expr(self, column: str = "code_rome") -> pl.Expr:
        """True where the ROME code (or domain) is in the perimeter."""
        col = pl.col(column)
        return _any([_in_group(col, g.rome, g.exclure_rome) for g in self.actifs])

    def nsf_expr(self, column: str = "groupe_nsf") -> pl.Expr:
        """True where the NSF group (3 digits) is in the perimeter."""
        groups = sorted({n for g in self.actifs for n in g.nsf})
        return pl.col(column).cast(pl.String).str.strip_chars().is_in(groups).fill_null(False)

    def trade_expr(self, fap2021: str = "fap2021", code_rome: str = "code_rome") -> pl.Expr:
        """True where the primary trade is in the perimeter: its ROME code or its FAP 2021."""
        return self.rome_expr(code_rome) | self.fap2021_expr(fap2021)

    def formation_expr(
        self,
        nsf: str = "groupe_nsf",
        fap2021: str = "fap2021",
        code_rome: str = "code_rome",
    ) -> pl.Expr:
        """True for a formation in the perimeter: its NSF group, its primary ROME or its
        primary FAP 2021 is in it."""
        return self.nsf_expr(nsf) | self.trade_expr(fap2021, code_rome)

    def _inactive(self, kind: str, column: str) -> pl.Expr:
        """True where a switched-off group claims the code and no active group does."""
        col = pl.col(column)
        off = [g for g in self.groupes if not g.actif]
        if kind == "fap2021":
            claimed = _any([_in_group(col, g.fap2021, g.exclure_fap2021) for g in off])
            return claimed & ~self.fap2021_expr(column)
        if kind == "rome":
            claimed = _any([_in_group(col, g.rome, g.exclure_rome) for g in off])
            return claimed & ~self.rome_expr(column)
        groups = sorted({n for g in off for n in g.nsf})
        text = col.cast(pl.String).str.strip_chars()
        return text.is_in(groups).fill_null(False) & ~self.nsf_expr(column)

    def excluded_expr(
        self,
        nsf: str = "groupe_nsf",
        fap2021: str = "fap2021",
        code_rome: str = "code_rome",
    ) -> pl.Expr:
        """True where a switched-off group (an excluded branch: construction, vehicle repair…)
        claims the NSF group, the ROME code or the FAP 2021 code and no active group claims the
        same code: the branch is excluded through every route."""
        return (
            self._inactive("nsf", nsf)
            | self._inactive("rome", code_rome)
            | self._inactive("fap2021", fap2021)
        )

    def entry_expr(
        self,
        nsf: str = "groupe_nsf",
        fap2021: str = "fap2021",
        code_rome: str = "code_rome",
    ) -> pl.Expr:
        """The rule for one weighted trade of a formation (a row of
        :func:`~tremplin.referentials.trade_weights.cfd_trade_weights`, with the NSF group of the
        speciality): in when its NSF group, ROME or FAP 2021 is in an active group — a generic
        NSF (:data:`GENERIC_NSF_PATTERN`) only when the row has no trade —, unless an excluded
        branch claims one of the three (:meth:`excluded_expr`) and neither its ROME nor its FAP
        2021 is in an active group (an industrial trade is not vetoed by a neighbouring code)."""
        generic = pl.col(nsf).cast(pl.String).str.strip_chars().str.contains(GENERIC_NSF_PATTERN)
        no_trade = pl.col(code_rome).is_null() & pl.col(fap2021).is_null()
        by_nsf = self.nsf_expr(nsf) & (~generic.fill_null(False) | no_trade)
        industrial_trade = self.trade_expr(fap2021, code_rome)
        excluded = self.excluded_expr(nsf, fap2021, code_rome) & ~industrial_trade
        return (by_nsf | industrial_trade) & ~excluded

    def group_expr(self, kind: str, column: str) -> pl.Expr:
        """The code of the first active group a value falls in (null if none); ``kind`` is
        « fap2021 », « rome » or « nsf » — to say *why* a row is in the perimeter."""
        tests: list[tuple[str, pl.Expr]] = []
        for g in self.actifs:
            if kind == "fap2021":
                test = _in_group(pl.col(column), g.fap2021, g.exclure_fap2021)
            elif kind == "rome":
                test = _in_group(pl.col(column), g.rome, g.exclure_rome)
            elif kind == "nsf":
                test = pl.col(column).cast(pl.String).is_in(list(g.nsf)).fill_null(False)
            else:
                raise ValueError(f"unknown kind {kind!r}")
            tests.append((g.code, test))
        if not tests:
            return pl.lit(None, dtype=pl.String)
        return pl.coalesce([pl.when(test).then(pl.lit(code)) for code, test in tests])

    def annotate(
        self,
        frame: pl.DataFrame,
        nsf: str = "groupe_nsf",
        fap2021: str = "fap2021",
        code_rome: str = "code_rome",
    ) -> pl.DataFrame:
        """``frame`` with perimetre_nsf, perimetre_rome, perimetre_fap2021, dans_perimetre
        (booleans) and groupe_perimetre (the group that puts the row in: by NSF, else ROME,
        else FAP 2021)."""
        return frame.with_columns(
            self.nsf_expr(nsf).alias("perimetre_nsf"),
            self.rome_expr(code_rome).alias("perimetre_rome"),
            self.fap2021_expr(fap2021).alias("perimetre_fap2021"),
            self.formation_expr(nsf, fap2021, code_rome).alias("dans_perimetre"),
            pl.coalesce(
                self.group_expr("nsf", nsf),
                self.group_expr("rome", code_rome),
                self.group_expr("fap2021", fap2021),
            ).alias("groupe_perimetre"),
        )

    # --- one value at a time -----------------------------------------------------------------

    def is_industrial(
        self,
        groupe_nsf: str | None = None,
        fap2021: str | None = None,
        code_rome: str | None = None,
    ) -> bool:
        """The formation rule for one formation (same result as :meth:`formation_expr`)."""
        row = pl.DataFrame(
            {"groupe_nsf": [groupe_nsf], "fap2021": [fap2021], "code_rome": [code_rome]},
            schema={"groupe_nsf": pl.String, "fap2021": pl.String, "code_rome": pl.String},
        )
        return bool(row.select(self.formation_expr()).item())


def _any(tests: Sequence[pl.Expr]) -> pl.Expr:
    if not tests:
        return pl.lit(False)
    return reduce(lambda a, b: a | b, tests)
