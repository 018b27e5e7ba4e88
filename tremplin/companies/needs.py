"""Declared needs: what a company says it needs now — a trade, a number of people, a kind of
contract, a level, a start date, a site — and how the analyses read them.

A need's life: created « ouvert »; filled in part or whole (``pourvus``: « pourvu
partiellement », « pourvu »); closed (« fermé »); edited at any time. Every write is a line of
the audit log. The trade is a ROME code of the loaded ROME, and, when given, one of its
appellations (code OGR); the site is a commune whose territories are kept with the need.

:func:`declared_needs` is the analyses' view: open needs per code ROME × bassin BMO, with the
ROME's FAP 2009 and FAP 2021 (through the DARES table and the FAP bridge), how many needs,
people still wanted and companies, and the latest date one was declared or changed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.accounts.policy import Resource
from tremplin.companies.companies import Company, aware
from tremplin.companies.places import Place, place, territories_of, territory_filter
from tremplin.companies.text import check_free_text
from tremplin.errors import InputError, NotFound
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.audit import Actor, record
from tremplin.store.derived import files_fingerprint
from tremplin.store.frames import read_query
from tremplin.store.schema import companies, company_needs

CONTRATS: dict[str, str] = {
    "cdi": "Recrutement en CDI",
    "cdd": "Recrutement en CDD",
    "apprentissage": "Contrat d’apprentissage",
    "professionnalisation": "Contrat de professionnalisation",
    "pfmp": "Accueil de PFMP (période de formation en milieu professionnel)",
}
"""The kinds of need, and how pages say them."""
NIVEAUX: dict[str, str] = {
    "3": "Niveau 3 (CAP, BEP)",
    "4": "Niveau 4 (bac professionnel, BP)",
    "5": "Niveau 5 (BTS, BUT 2e année)",
    "6": "Niveau 6 (licence, BUT)",
    "7": "Niveau 7 (master, ingénieur)",
}
"""Levels of the national framework of certifications (none: any level)."""
STATUTS: dict[str, str] = {
    "ouvert": "Ouvert",
    "pourvu_partiellement": "Pourvu partiellement",
    "pourvu": "Pourvu",
    "ferme": "Fermé",
}
OPEN_STATUSES = ("ouvert", "pourvu_partiellement")
"""The needs still wanting people: those the analyses count."""
MAX_PEOPLE = 10_000


@dataclass(frozen=True)
class Need:
    """One need as the application uses it, with its company's SIRET and name."""

    id: int
    company_id: int
    siret: str
    entreprise: str
    code_rome: str
    code_ogr: str | None
    appellation: str | None
    intitule: str | None
    nombre: int
    pourvus: int
    contrat: str
    niveau: str | None
    debut: date | None
    code_insee: str
    bassin_bmo: str | None
    code_departement: str | None
    code_academie: str | None
    code_region: str | None
    statut: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def resource(self) -> Resource:
        """The need as the policy sees it: its company's SIRET and its commune's territories."""
        return Resource(territoires=territories_of(self.__dict__), siret=self.siret)

    def public(self) -> dict[str, Any]:
        """The need in the API, the exports and the audit log."""
        return {
            "id": self.id,
            "siret": self.siret,
            "entreprise": self.entreprise,
            "code_rome": self.code_rome,
            "code_ogr": self.code_ogr,
            "appellation": self.appellation,
            "intitule": self.intitule,
            "nombre": self.nombre,
            "pourvus": self.pourvus,
            "contrat": self.contrat,
            "niveau": self.niveau,
            "debut": self.debut.isoformat() if self.debut else None,
            "code_insee": self.code_insee,
            "bassin_bmo": self.bassin_bmo,
            "code_departement": self.code_departement,
            "statut": self.statut,
            "cree_le": self.created_at.isoformat(),
            "modifie_le": self.updated_at.isoformat(),
        }


def _status(nombre: int, pourvus: int) -> str:
    if pourvus >= nombre:
        return "pourvu"
    return "pourvu_partiellement" if pourvus > 0 else "ouvert"


def _select() -> sa.Select[Any]:
    return sa.select(company_needs, companies.c.siret, companies.c.nom.label("entreprise")).join(
        companies, companies.c.id == company_needs.c.company_id
    )


def _need(row: Any) -> Need:
    values = dict(row._mapping)
    values["created_at"] = aware(values["created_at"])
    values["updated_at"] = aware(values["updated_at"])
    debut = values["debut"]
    if isinstance(debut, datetime):
        values["debut"] = debut.date()
    return Need(**values)


def get_need(conn: sa.Connection, need_id: int) -> Need:
    """The need ``need_id``; raises :class:`NotFound`."""
    row = conn.execute(_select().where(company_needs.c.id == need_id)).first()
    if row is None:
        raise NotFound(f"besoin {need_id} introuvable")
    return _need(row)


# --- checking what a company writes -----------------------------------------------------------


def check_trade(
    conn: sa.Connection, code_rome: str, code_ogr: str | None = None
) -> tuple[str, str | None, str | None]:
    """(code ROME, code OGR, appellation) checked against the loaded ROME; without a code OGR,
    the appellation is the ROME's own label. Raises :class:`InputError`."""
    code = (code_rome or "").strip().upper()
    fiches = DATASET_TABLES["rome_fiches"]
    label = conn.execute(
        sa.select(fiches.c.libelle_rome).where(fiches.c.code_rome == code).limit(1)
    ).scalar()
    if label is None:
        raise InputError(
            f"code ROME « {code_rome} » inconnu du ROME chargé",
            where=["code_rome"],
            expected="une lettre et quatre chiffres d’une fiche du ROME, par ex. H2913",
        )
    ogr = (code_ogr or "").strip()
    if not ogr:
        return code, None, str(label)
    names = DATASET_TABLES["rome_appellations"]
    found = conn.execute(
        sa.select(names.c.code_rome, names.c.libelle_long).where(names.c.code_ogr == ogr).limit(1)
    ).first()
    if found is None or found.code_rome != code:
        raise InputError(
            f"appellation « {code_ogr} » inconnue pour le métier {code}",
            where=["code_ogr"],
            expected=f"le code OGR d’une appellation de la fiche {code}",
        )
    return code, ogr, str(found.libelle_long)


def _integer(value: Any, where: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip().replace("\u202f", "").replace(" ", ""))
    except (TypeError, ValueError):
        raise InputError(
            f"nombre « {value} » invalide", where=[where], expected=f"un entier de {low} à {high}"
        ) from None
    if not low <= number <= high:
        raise InputError(
            f"nombre {number} hors limites", where=[where], expected=f"un entier de {low} à {high}"
        )
    return number


def _choice(value: Any, choices: Mapping[str, str], where: str, *, optional: bool) -> str | None:
    text = str(value or "").strip().lower()
    if optional and not text:
        return None
    if text not in choices:
        raise InputError(f"valeur « {value} » inconnue", where=[where], expected=", ".join(choices))
    return text


def parse_date(value: Any, where: str = "debut") -> date | None:
    """A start date written « 2027-09-01 » or « 01/09/2027 » (None when empty)."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InputError(
        f"date « {value} » invalide", where=[where], expected="JJ/MM/AAAA ou AAAA-MM-JJ"
    )


def check_need(conn: sa.Connection, values: Mapping[str, Any]) -> tuple[dict[str, Any], Place]:
    """The columns of a need from ``values`` (keys: code_rome, code_ogr, intitule, nombre,
    contrat, niveau, debut, code_insee), each checked, and its place; raises
    :class:`InputError` naming the field at fault."""
    code_rome, code_ogr, appellation = check_trade(
        conn, str(values.get("code_rome") or ""), values.get("code_ogr")
    )
    where = place(conn, str(values.get("code_insee") or ""))
    checked = {
        "code_rome": code_rome,
        "code_ogr": code_ogr,
        "appellation": appellation,
        "intitule": check_free_text(values.get("intitule"), where="intitule") or None,
        "nombre": _integer(values.get("nombre"), "nombre", 1, MAX_PEOPLE),
        "contrat": _choice(values.get("contrat"), CONTRATS, "contrat", optional=False),
        "niveau": _choice(values.get("niveau"), NIVEAUX, "niveau", optional=True),
        "debut": parse_date(values.get("debut")),
        "code_insee": where.code_insee,
        "bassin_bmo": where.bassin_bmo,
        "code_departement": where.code_departement,
        "code_academie": where.code_academie,
        "code_region": where.code_region,
    }
    return checked, where


# --- writes -------------------------------------------------------------------------------------


def insert_need(
    conn: sa.Connection,
    actor: Actor,
    company: Company,
    checked: Mapping[str, Any],
    *,
    action: str = "besoin.creer",
) -> Need:
    """Write a need already checked by :func:`check_need` for ``company``, « ouvert »."""
    now = datetime.now(UTC)
    inserted = conn.execute(
        company_needs.insert().values(
            company_id=company.id,
            pourvus=0,
            statut="ouvert",
            created_by=actor.account_id,
            created_at=now,
            updated_at=now,
            **checked,
        )
    ).inserted_primary_key
    assert inserted is not None
    need = get_need(conn, int(inserted[0]))
    record(conn, actor, action, f"besoin:{need.id}", after=need.public())
    return need


def create_need(
    conn: sa.Connection, actor: Actor, company: Company, values: Mapping[str, Any]
) -> Need:
    """Check ``values`` (see :func:`check_need`) and declare the need for ``company``."""
    checked, _ = check_need(conn, values)
    return insert_need(conn, actor, company, checked)


def _write(
    conn: sa.Connection, actor: Actor, need: Need, action: str, values: Mapping[str, Any]
) -> Need:
    conn.execute(
        company_needs.update()
        .where(company_needs.c.id == need.id)
        .values(updated_at=datetime.now(UTC), **values)
    )
    after = get_need(conn, need.id)
    record(conn, actor, action, f"besoin:{need.id}", before=need.public(), after=after.public())
    return after


EDITABLE = (
    "code_rome",
    "code_ogr",
    "intitule",
    "nombre",
    "contrat",
    "niveau",
    "debut",
    "code_insee",
)


def update_need(conn: sa.Connection, actor: Actor, need: Need, changes: Mapping[str, Any]) -> Need:
    """Change the fields of ``changes`` (among :data:`EDITABLE`, plus ``pourvus`` and
    ``statut`` « ferme »), each checked; the status follows the people filled."""
    unknown = sorted(set(changes) - {*EDITABLE, "pourvus", "statut"})
    if unknown:
        raise InputError(
            f"champ(s) inconnu(s) : {', '.join(unknown)}", expected=", ".join(EDITABLE)
        )
    current = need.public() | {"code_ogr": need.code_ogr, "niveau": need.niveau}
    merged = {name: changes.get(name, current[name]) for name in EDITABLE}
    if "code_rome" in changes and "code_ogr" not in changes:
        merged["code_ogr"] = None  # another trade: the old appellation no longer applies
    checked, _ = check_need(conn, merged)
    pourvus = _integer(changes.get("pourvus", need.pourvus), "pourvus", 0, MAX_PEOPLE)
    if pourvus > checked["nombre"]:
        raise InputError(
            f"{pourvus} personnes pourvues pour un besoin de {checked['nombre']}",
            where=["pourvus"],
            expected=f"au plus {checked['nombre']}",
        )
    statut = changes.get("statut")
    if statut is not None and statut not in ("ferme", *OPEN_STATUSES, "pourvu"):
        raise InputError(f"statut « {statut} » inconnu", where=["statut"], expected="ferme")
    closed = statut == "ferme" or (statut is None and need.statut == "ferme")
    checked["pourvus"] = pourvus
    checked["statut"] = "ferme" if closed else _status(checked["nombre"], pourvus)
    action = "besoin.fermer" if closed and need.statut != "ferme" else "besoin.modifier"
    return _write(conn, actor, need, action, checked)


def fill_need(conn: sa.Connection, actor: Actor, need: Need, pourvus: int) -> Need:
    """Say how many of the people wanted are found: « pourvu partiellement » or « pourvu »."""
    return update_need(conn, actor, need, {"pourvus": pourvus})


def close_need(conn: sa.Connection, actor: Actor, need: Need) -> Need:
    """Close ``need``: it no longer counts in the analyses (kept for the record)."""
    return update_need(conn, actor, need, {"statut": "ferme"})


def delete_need(conn: sa.Connection, actor: Actor, need: Need) -> None:
    """Delete ``need`` (recorded in the audit log with what it was)."""
    conn.execute(company_needs.delete().where(company_needs.c.id == need.id))
    record(conn, actor, "besoin.supprimer", f"besoin:{need.id}", before=need.public())


# --- reads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedScope:
    """Which needs a reader sees: all, a company's (``siret``), a territory's, or none."""

    all: bool = False
    siret: str | None = None
    territoire: str | None = None

    def condition(self) -> sa.ColumnElement[bool]:
        if self.all:
            return sa.true()
        found: list[sa.ColumnElement[bool]] = []
        if self.siret:
            found.append(companies.c.siret == self.siret)
        if self.territoire:
            found.append(territory_filter(company_needs, self.territoire))
        return sa.or_(*found) if found else sa.false()


def list_needs(
    conn: sa.Connection,
    scope: NeedScope,
    *,
    statuts: tuple[str, ...] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Need]]:
    """How many needs ``scope`` sees, and ``limit`` of them from ``offset``, newest first."""
    condition = scope.condition()
    if statuts:
        condition = sa.and_(condition, company_needs.c.statut.in_(statuts))
    joined = company_needs.join(companies, companies.c.id == company_needs.c.company_id)
    total = conn.execute(
        sa.select(sa.func.count()).select_from(joined).where(condition)
    ).scalar_one()
    rows = conn.execute(
        _select()
        .where(condition)
        .order_by(company_needs.c.updated_at.desc(), company_needs.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(total), [_need(row) for row in rows]


_COUNTS = (
    sa.func.count().label("besoins"),
    sa.func.sum(company_needs.c.nombre - company_needs.c.pourvus).label("personnes"),
    sa.func.count(sa.distinct(company_needs.c.company_id)).label("entreprises"),
    sa.func.max(company_needs.c.updated_at).label("dernier_besoin"),
)


def open_needs_frame(
    conn: sa.Connection, scope: NeedScope, by: tuple[str, ...], attached: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Open needs (« ouvert », « pourvu partiellement ») that ``scope`` sees, counted per the
    columns ``by`` of the needs' table: besoins, personnes (people still wanted), entreprises,
    dernier_besoin (the latest date a need was declared or changed, ISO 8601 date). Columns
    ``attached`` (that ``by`` determines, such as a bassin's département) come along."""
    keys = [company_needs.c[name] for name in by]
    extra = [sa.func.max(company_needs.c[name]).label(name) for name in attached]
    query = (
        sa.select(*keys, *extra, *_COUNTS)
        .select_from(company_needs.join(companies, companies.c.id == company_needs.c.company_id))
        .where(scope.condition(), company_needs.c.statut.in_(OPEN_STATUSES))
        .group_by(*keys)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    schema: dict[str, Any] = {
        name: pl.Int64 if name == "company_id" else pl.String for name in (*by, *attached)
    } | {
        "besoins": pl.Int64,
        "personnes": pl.Int64,
        "entreprises": pl.Int64,
        "dernier_besoin": pl.String,
    }
    for row in rows:
        row["dernier_besoin"] = aware(row["dernier_besoin"]).date().isoformat()
        row["personnes"] = int(row["personnes"] or 0)
    return pl.DataFrame(rows, schema=schema, orient="row")


TRADE_CHAIN_COLUMNS = ("code_rome", "libelle_rome", "fap2009", "fap2021", "code_bmo")
"""The columns of :func:`rome_trades`."""


def rome_trades(conn: sa.Connection) -> pl.DataFrame:
    """code_rome → libelle_rome, fap2009 (primary, DARES table), fap2021 and code_bmo (primary
    link of the FAP bridge): the trade chain a declared need is counted under."""
    from tremplin.referentials.derived import referentials
    from tremplin.referentials.trades import rome_faps

    fiches = DATASET_TABLES["rome_fiches"]
    labels = (
        read_query(conn, sa.select(fiches.c.code_rome, fiches.c.libelle_rome))
        .drop_nulls()
        .unique("code_rome", keep="last", maintain_order=True)
    )
    faps = rome_faps(conn).filter(pl.col("is_primary")).select("code_rome", "fap2009")
    bridge = referentials(conn).bridge.primary().select("fap2009", "fap2021", "code_bmo")
    return labels.join(faps, on="code_rome", how="left").join(bridge, on="fap2009", how="left")


def declared_needs(
    conn: sa.Connection,
    *,
    territoire: str | None = None,
    trades: pl.DataFrame | None = None,
    per_company: bool = False,
) -> pl.DataFrame:
    """The declared needs still open, per code ROME × bassin BMO — the figure the analyses
    weigh beside BMO's recruitment projects.

    Columns: code_rome, libelle_rome, fap2009, fap2021, code_bmo (the BMO code the FAP 2021
    falls under; join BMO's ``fap2021`` on it), bassin_bmo, code_departement, code_academie,
    code_region, besoins (needs), personnes (people still wanted: wanted − filled), entreprises
    (distinct companies), dernier_besoin (latest date a need was declared or changed).

    ``territoire`` (« departement:01 »…) keeps the needs of one territory; ``trades`` is
    :func:`rome_trades` when the caller keeps it (it is computed otherwise). A trade × bassin
    with no open need has no row: the caller says « aucun besoin déclaré », never 0. With
    ``per_company``, one row per company too (``company_id``), so that a caller grouping trades
    counts each company once.

    The carte's optimiser is meant to weigh ``personnes`` per trade × bassin as a term of
    demand from companies, beside BMO projects (see ``docs/entreprises.md``).
    """
    scope = NeedScope(territoire=territoire) if territoire else NeedScope(all=True)
    by = ("code_rome", "bassin_bmo", "company_id") if per_company else ("code_rome", "bassin_bmo")
    counts = open_needs_frame(conn, scope, by, ("code_departement", "code_academie", "code_region"))
    if trades is not None:
        chain = trades
    elif counts.is_empty():  # no open need: the ROME chain (the referentials) is not read
        chain = pl.DataFrame(schema=dict.fromkeys(TRADE_CHAIN_COLUMNS, pl.String))
    else:
        chain = rome_trades(conn)
    return (
        counts.join(chain, on="code_rome", how="left")
        .select(
            *(("company_id",) if per_company else ()),
            "code_rome",
            "libelle_rome",
            "fap2009",
            "fap2021",
            "code_bmo",
            "bassin_bmo",
            "code_departement",
            "code_academie",
            "code_region",
            "besoins",
            "personnes",
            "entreprises",
            "dernier_besoin",
        )
        .sort("code_rome", "bassin_bmo", *(("company_id",) if per_company else ()))
    )


def needs_stamp(conn: sa.Connection) -> str:
    """A cheap fingerprint of the needs: changes whenever one is written or deleted (the
    diagnostic's caches compare it)."""
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(company_needs.c.updated_at),
            sa.func.max(company_needs.c.id),
        )
    ).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


_FAP: dict[str, dict[str, str]] = {}
"""code ROME → FAP 2009 of the last state of the loaded files this process read."""
_FAP_LOCK = threading.Lock()


def rome_fap(conn: sa.Connection) -> dict[str, str]:
    """code ROME → its FAP 2009 (the DARES table's primary one), for matching's third trade
    tier (« même famille »); read once per state of the loaded files."""
    files = files_fingerprint(conn)
    with _FAP_LOCK:
        found = _FAP.get(files)
    if found is None:
        trades = rome_trades(conn).drop_nulls("fap2009")
        found = dict(zip(trades["code_rome"], trades["fap2009"], strict=True))
        with _FAP_LOCK:
            _FAP.clear()
            _FAP[files] = found
    return found
