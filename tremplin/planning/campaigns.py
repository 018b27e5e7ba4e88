"""Campaigns of the carte des formations: a year, a scope (national or regional), dates and a
status; every write audited (« campagne.gerer »)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.errors import InputError, NotFound
from tremplin.planning.vocabulary import CAMPAIGN_SCOPES, CAMPAIGN_STATUSES
from tremplin.store.audit import Actor, record
from tremplin.store.schema import carte_campagnes


@dataclass(frozen=True)
class Campaign:
    """One campaign as stored."""

    id: int
    nom: str
    annee: int
    premiere_rentree: int
    portee: str
    code_region: str | None
    statut: str
    date_debut: date | None
    date_fin: date | None
    created_at: datetime
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO 8601)."""
        out = asdict(self)
        for name in ("date_debut", "date_fin", "created_at"):
            value = out[name]
            out[name] = value.isoformat() if value is not None else None
        return out


def _row(row: sa.Row[Any]) -> Campaign:
    values = row._asdict()
    return Campaign(**{name: values[name] for name in Campaign.__dataclass_fields__})


def _check(
    nom: str, annee: int, premiere_rentree: int, portee: str, code_region: str | None, statut: str
) -> None:
    if not nom.strip():
        raise InputError("nom manquant", where=["nom"], expected="le nom de la campagne")
    if not 2000 <= annee <= 2100:
        raise InputError(f"année « {annee} » invalide", where=["annee"], expected="2000 à 2100")
    if premiere_rentree < annee:
        raise InputError(
            f"première rentrée {premiere_rentree} avant l’année de la campagne {annee}",
            where=["premiere_rentree"],
            expected=f"{annee} ou après",
        )
    if portee not in CAMPAIGN_SCOPES:
        raise InputError(
            f"portée « {portee} » inconnue", where=["portee"], expected=", ".join(CAMPAIGN_SCOPES)
        )
    if portee == "regionale" and not (code_region or "").isdigit():
        raise InputError(
            "une campagne régionale a une région", where=["code_region"], expected="par exemple 84"
        )
    if statut not in CAMPAIGN_STATUSES:
        raise InputError(
            f"statut « {statut} » inconnu", where=["statut"], expected=", ".join(CAMPAIGN_STATUSES)
        )


def create_campaign(
    conn: sa.Connection,
    actor: Actor,
    *,
    nom: str,
    annee: int,
    premiere_rentree: int | None = None,
    portee: str = "regionale",
    code_region: str | None = "84",
    statut: str = "en_cours",
    date_debut: date | None = None,
    date_fin: date | None = None,
) -> Campaign:
    """Create a campaign (first rentrée: the year after ``annee`` unless given); audited."""
    first = premiere_rentree if premiere_rentree is not None else annee + 1
    region = code_region if portee == "regionale" else None
    _check(nom, annee, first, portee, region, statut)
    if date_debut and date_fin and date_fin < date_debut:
        raise InputError("la campagne finit avant de commencer", where=["date_fin"])
    values = {
        "nom": nom.strip(),
        "annee": annee,
        "premiere_rentree": first,
        "portee": portee,
        "code_region": region,
        "statut": statut,
        "date_debut": date_debut,
        "date_fin": date_fin,
        "created_at": datetime.now(UTC),
        "created_by": actor.label,
    }
    identifier = conn.execute(
        carte_campagnes.insert().values(**values).returning(carte_campagnes.c.id)
    ).scalar_one()
    campaign = get_campaign(conn, identifier)
    record(conn, actor, "campagne.gerer", f"campagne:{identifier}", after=campaign.as_dict())
    return campaign


def get_campaign(conn: sa.Connection, identifier: int) -> Campaign:
    """The campaign ``identifier``; ``NotFound`` when there is none."""
    row = conn.execute(
        sa.select(carte_campagnes).where(carte_campagnes.c.id == identifier)
    ).one_or_none()
    if row is None:
        raise NotFound(f"campagne n° {identifier} introuvable")
    return _row(row)


def list_campaigns(conn: sa.Connection) -> list[Campaign]:
    """Every campaign, the newest first."""
    query = sa.select(carte_campagnes).order_by(
        carte_campagnes.c.annee.desc(), carte_campagnes.c.id.desc()
    )
    return [_row(row) for row in conn.execute(query)]


def set_campaign_status(
    conn: sa.Connection, actor: Actor, identifier: int, statut: str
) -> Campaign:
    """Change a campaign's status (en attente, en cours, terminée); audited."""
    before = get_campaign(conn, identifier)
    _check(
        before.nom,
        before.annee,
        before.premiere_rentree,
        before.portee,
        before.code_region,
        statut,
    )
    conn.execute(
        carte_campagnes.update().where(carte_campagnes.c.id == identifier).values(statut=statut)
    )
    after = get_campaign(conn, identifier)
    record(
        conn,
        actor,
        "campagne.gerer",
        f"campagne:{identifier}",
        before={"statut": before.statut},
        after={"statut": after.statut},
    )
    return after
