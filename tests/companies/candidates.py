"""Candidates' profiles and applications written directly as rows (their own writing functions
live on the candidate's side): for the company side's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.accounts.people import Person, create
from tremplin.store.schema import applications, candidate_profiles


def add_candidate(
    conn: sa.Connection,
    email: str,
    code_insee: str,
    codes_rome: str = "H2913",
    *,
    rayon_km: int = 50,
    niveau: str | None = "3",
    disponible_le: date | None = None,
    visible: bool = True,
) -> int:
    """A « candidat » account with a consented profile; gives the account's id."""
    account = create(conn, Person("candidat", email))
    now = datetime.now(UTC)
    conn.execute(
        candidate_profiles.insert().values(
            account_id=account.id,
            codes_rome=codes_rome,
            code_insee=code_insee,
            rayon_km=rayon_km,
            niveau=niveau,
            disponible_le=disponible_le,
            visible=visible,
            consent_at=now,
            consent_version="2026-11",
            created_at=now,
            updated_at=now,
        )
    )
    return account.id


def add_application(
    conn: sa.Connection,
    offer_id: int,
    candidate_id: int | None,
    *,
    statut: str = "envoyee",
    message: str | None = "Bonjour, je suis intéressé·e.",
    created_at: datetime | None = None,
    answered_at: datetime | None = None,
) -> int:
    """An application of ``candidate_id`` to ``offer_id``; gives its id."""
    inserted = conn.execute(
        applications.insert().values(
            offer_id=offer_id,
            candidate_id=candidate_id,
            message=message,
            statut=statut,
            created_at=created_at or datetime.now(UTC),
            answered_at=answered_at,
        )
    ).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])
