"""Candidates' profiles: what a young person shares, with their consent, to be found by
companies and to see the offers ranked for them.

A profile holds the trades wished (one to five ROME codes of the loaded ROME), a commune (its
INSEE code), a mobility radius (1–200 km), a level (3 to 7, or none) and an availability
date — nothing else about the person (no name, no address, no birth date). It is stored only
with the consent to :data:`CONSENT_TEXT` (its :data:`CONSENT_VERSION` and the moment are kept);
hidden, it is no longer shown to companies; deleted (consent withdrawn), the row goes.

The audit log records that a profile was published, changed, hidden, shown or deleted — never
what it holds (trades, commune…): those are the person's data, kept in one row they can
delete. :func:`profiles_frame` gives the visible profiles as
:data:`tremplin.companies.matching.PROFILE_COLUMNS` (companies ranking candidates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.companies.companies import aware
from tremplin.companies.matching import PROFILE_COLUMNS
from tremplin.companies.needs import NIVEAUX, check_trade, parse_date
from tremplin.companies.places import coordinates, place
from tremplin.errors import InputError
from tremplin.store.audit import Actor, record
from tremplin.store.frames import read_query
from tremplin.store.schema import candidate_profiles

CONSENT_VERSION = "2026-11"
"""The version of :data:`CONSENT_TEXT`: a new text gets a new version, and a profile keeps
the version its person accepted."""
CONSENT_TEXT = (
    "J’accepte que Tremplin montre mon profil — mes métiers souhaités, ma commune, mon rayon de "
    "mobilité, mon niveau et ma date de disponibilité, sans mon nom ni mon adresse électronique "
    "— aux entreprises qui publient des offres d’apprentissage ou de PFMP sur Tremplin, pour "
    "qu’elles me classent parmi leurs candidats possibles. Seules les entreprises auxquelles je "
    "candidate reçoivent mon adresse électronique, avec ma candidature. Mon profil est gardé tant "
    "que je ne le supprime pas, et supprimé avec mon compte, ou après deux ans sans connexion. Je "
    "peux le masquer ou le supprimer à tout moment."
)
"""What the person accepts by ticking the consent box (shown on the profile page, in the API
and in the export of their data)."""
MAX_TRADES = 5
MIN_RADIUS, MAX_RADIUS = 1, 200
_ROME = re.compile(r"[A-Z][0-9]{4}")


@dataclass(frozen=True)
class Profile:
    """One candidate's profile, with its commune's name."""

    account_id: int
    codes_rome: tuple[str, ...]
    code_insee: str
    commune: str
    rayon_km: int
    niveau: str | None
    disponible_le: date | None
    visible: bool
    consent_at: datetime
    consent_version: str
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        """The profile as its person reads it (API, page, export of their data)."""
        return {
            "codes_rome": list(self.codes_rome),
            "code_insee": self.code_insee,
            "commune": self.commune,
            "rayon_km": self.rayon_km,
            "niveau": self.niveau,
            "disponible_le": self.disponible_le.isoformat() if self.disponible_le else None,
            "visible": self.visible,
            "consentement": {
                "le": self.consent_at.isoformat(),
                "version": self.consent_version,
            },
            "cree_le": self.created_at.isoformat(),
            "modifie_le": self.updated_at.isoformat(),
        }


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    return [str(v).strip().upper() for v in (value or []) if str(v).strip()]


def _radius(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not MIN_RADIUS <= number <= MAX_RADIUS:
        raise InputError(
            f"rayon « {value} » invalide",
            where=["rayon_km"],
            expected=f"un nombre entier de kilomètres, de {MIN_RADIUS} à {MAX_RADIUS}",
        )
    return number


def consented(value: Any) -> bool:
    """Whether a form's or a document's consent field says yes."""
    return value is True or str(value).strip().lower() in ("oui", "true", "1", "on")


def check_profile(conn: sa.Connection, values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a profile from ``values`` (codes_rome: a list or a text of codes,
    code_insee, rayon_km, niveau, disponible_le, visible, consentement), each checked against
    the loaded ROME and communes; raises :class:`InputError` naming the field at fault —
    first the consent: without it nothing is read further."""
    if not consented(values.get("consentement")):
        raise InputError(
            "sans votre consentement, aucun profil n’est enregistré",
            where=["consentement"],
            expected="la case de consentement cochée (« consentement »: true)",
        )
    codes = list(dict.fromkeys(_codes(values.get("codes_rome"))))
    if not 1 <= len(codes) <= MAX_TRADES:
        raise InputError(
            f"{len(codes)} métier(s) donné(s)",
            where=["codes_rome"],
            expected=f"de 1 à {MAX_TRADES} codes ROME, par ex. H2913",
        )
    for code in codes:
        if not _ROME.fullmatch(code):
            raise InputError(
                f"code ROME « {code} » invalide",
                where=["codes_rome"],
                expected="une lettre et quatre chiffres, par ex. H2913",
            )
        try:
            check_trade(conn, code)
        except InputError as error:
            raise InputError(error.message, where=["codes_rome"], expected=error.expected) from None
    commune = place(conn, str(values.get("code_insee") or ""))
    located = coordinates(conn).filter(pl.col("code_insee") == commune.code_insee)
    if located.is_empty():
        raise InputError(
            f"commune « {commune.nom} » sans coordonnées connues",
            where=["code_insee"],
            expected="une commune située (les distances aux offres en dépendent)",
        )
    niveau = str(values.get("niveau") or "").strip() or None
    if niveau is not None and niveau not in NIVEAUX:
        raise InputError(
            f"niveau « {niveau} » inconnu", where=["niveau"], expected="3, 4, 5, 6, 7 ou aucun"
        )
    visible = values.get("visible", True)
    return {
        "codes_rome": " ".join(codes),
        "code_insee": commune.code_insee,
        "rayon_km": _radius(values.get("rayon_km")),
        "niveau": niveau,
        "disponible_le": parse_date(values.get("disponible_le"), "disponible_le"),
        "visible": visible if isinstance(visible, bool) else consented(visible),
    }


def _profile(conn: sa.Connection, row: Any) -> Profile:
    disponible = row.disponible_le
    return Profile(
        account_id=row.account_id,
        codes_rome=tuple(row.codes_rome.split()),
        code_insee=row.code_insee,
        commune=place(conn, row.code_insee).nom,
        rayon_km=int(row.rayon_km),
        niveau=row.niveau,
        disponible_le=disponible.date() if isinstance(disponible, datetime) else disponible,
        visible=bool(row.visible),
        consent_at=aware(row.consent_at),
        consent_version=row.consent_version,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def get_profile(conn: sa.Connection, account_id: int) -> Profile | None:
    """The profile of the account ``account_id``, or None when it has none."""
    row = conn.execute(
        sa.select(candidate_profiles).where(candidate_profiles.c.account_id == account_id)
    ).first()
    return _profile(conn, row) if row is not None else None


def save_profile(
    conn: sa.Connection, actor: Actor, account_id: int, values: Mapping[str, Any]
) -> Profile:
    """Publish or replace the profile of ``account_id`` from ``values`` (:func:`check_profile`),
    with the consent given now to :data:`CONSENT_VERSION`; audited as
    « candidat.profil.publier » or « candidat.profil.modifier », without its content."""
    columns = check_profile(conn, values)
    now = datetime.now(UTC)
    columns |= {"consent_at": now, "consent_version": CONSENT_VERSION, "updated_at": now}
    existing = get_profile(conn, account_id)
    if existing is None:
        conn.execute(
            candidate_profiles.insert().values(account_id=account_id, created_at=now, **columns)
        )
    else:
        conn.execute(
            candidate_profiles.update()
            .where(candidate_profiles.c.account_id == account_id)
            .values(**columns)
        )
    action = "candidat.profil.publier" if existing is None else "candidat.profil.modifier"
    saved = get_profile(conn, account_id)
    assert saved is not None
    record(conn, actor, action, f"compte:{account_id}", after=_trace(saved))
    return saved


def _trace(profile: Profile) -> dict[str, Any]:
    # What the audit log keeps of a profile: the consent and the visibility, no content.
    return {"consentement": profile.consent_version, "visible": profile.visible}


def set_visible(conn: sa.Connection, actor: Actor, account_id: int, visible: bool) -> Profile:
    """Show or hide (« masquer mon profil ») the profile of ``account_id`` to companies;
    raises :class:`InputError` when there is none."""
    profile = get_profile(conn, account_id)
    if profile is None:
        raise InputError("aucun profil à masquer ou montrer", where=["profil"])
    conn.execute(
        candidate_profiles.update()
        .where(candidate_profiles.c.account_id == account_id)
        .values(visible=visible, updated_at=datetime.now(UTC))
    )
    action = "candidat.profil.afficher" if visible else "candidat.profil.masquer"
    saved = get_profile(conn, account_id)
    assert saved is not None
    record(conn, actor, action, f"compte:{account_id}", after=_trace(saved))
    return saved


def delete_profile(conn: sa.Connection, actor: Actor | None, account_id: int) -> bool:
    """Delete the profile of ``account_id`` (the consent withdrawn); gives whether there was
    one. Audited « candidat.profil.supprimer » when ``actor`` is given."""
    deleted = conn.execute(
        candidate_profiles.delete().where(candidate_profiles.c.account_id == account_id)
    ).rowcount
    if deleted and actor is not None:
        record(conn, actor, "candidat.profil.supprimer", f"compte:{account_id}")
    return bool(deleted)


def profiles_frame(conn: sa.Connection) -> pl.DataFrame:
    """The visible profiles as :data:`~tremplin.companies.matching.PROFILE_COLUMNS` (``id``:
    the account's), with their commune's coordinates: what companies rank candidates from."""
    rows = read_query(
        conn,
        sa.select(
            candidate_profiles.c.account_id.label("id"),
            candidate_profiles.c.codes_rome,
            candidate_profiles.c.code_insee,
            candidate_profiles.c.rayon_km,
            candidate_profiles.c.niveau,
            # Read as text on both databases (the frame reader knows no date type).
            sa.cast(candidate_profiles.c.disponible_le, sa.String).label("disponible_le"),
        ).where(candidate_profiles.c.visible.is_(True)),
    )
    kinds: dict[str, Any] = dict(PROFILE_COLUMNS)
    if rows.is_empty():
        return pl.DataFrame(schema=kinds)
    return (
        rows.join(coordinates(conn), on="code_insee", how="inner")
        .with_columns(
            pl.col("codes_rome").str.split(" "),
            pl.col("disponible_le").str.to_date("%Y-%m-%d"),
        )
        .select([pl.col(name).cast(kind) for name, kind in kinds.items()])
    )
