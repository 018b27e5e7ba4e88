"""A candidate's data in their rights, on a copy of the demo store opened as the application
opens it (foreign keys enforced): the export holds the profile, the consent and the
applications; after the account's deletion no row of the whole SQLite file holds the e-mail
or the message, and no table of the application the trades or the commune; inactivity
anonymises candidates and closes the needs and offers of inactive companies."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, create
from tests.companies.offer_sample import an_offer
from tests.companies.sample import Codes, sample_codes
from tremplin.accounts.accounts import get_account
from tremplin.accounts.personal_data import delete_account
from tremplin.companies.applying import apply_to
from tremplin.companies.candidates import CONSENT_TEXT, get_profile, save_profile
from tremplin.companies.offers import get_offer
from tremplin.companies.personal_data import (
    account_company_data,
    anonymise_inactive_people,
    forget_account,
)
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.database import open_store
from tremplin.store.schema import accounts, applications, company_needs, metadata

MESSAGE = "Passionnée de mécanique, disponible dès la rentrée prochaine."


@pytest.fixture
def engine(needs_url: str) -> Iterator[sa.Engine]:
    opened = open_store(needs_url)
    yield opened
    opened.dispose()


def _candidate(conn: sa.Connection, codes: Codes) -> tuple[int, int]:
    """The candidate of PEOPLE (trades: the sample's other trade; commune: the far one) and
    their application to an offer of the sample's trade and commune."""
    me = create(conn, PEOPLE["candidat"])
    save_profile(
        conn,
        me.actor,
        me.id,
        {
            "codes_rome": [codes.other_rome],
            "code_insee": codes.far_commune,
            "rayon_km": 150,
            "consentement": True,
        },
    )
    offer = an_offer(conn, codes, codes.commune)
    return me.id, apply_to(conn, me.actor, me.id, offer.id, MESSAGE).id


def test_the_export_holds_the_profile_the_consent_and_the_applications(
    engine: sa.Engine,
) -> None:
    with engine.begin() as conn:
        codes = sample_codes(conn)
        me, made = _candidate(conn, codes)
        exported = account_company_data(conn, get_account(conn, me))
    profile = exported["profil_candidat"]
    assert profile["codes_rome"] == [codes.other_rome]
    assert profile["code_insee"] == codes.far_commune
    assert profile["consentement"]["texte"] == CONSENT_TEXT
    assert [(a["id"], a["message"]) for a in exported["candidatures"]] == [(made, MESSAGE)]


def _rows_holding(url: str, secret: str, tables: set[str] | None = None) -> list[str]:
    """The tables of the SQLite file (``tables`` only, when given) with a row holding
    ``secret``, read with the standard library, apart from the application."""
    found = []
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        names = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        for name in names:
            if tables is not None and name not in tables:
                continue
            for row in db.execute(f'select * from "{name}"'):
                if any(secret in str(value) for value in row if value is not None):
                    found.append(name)
                    break
    return found


def test_after_deletion_nothing_holds_the_person(engine: sa.Engine, needs_url: str) -> None:
    with engine.begin() as conn:
        codes = sample_codes(conn)
        me, made = _candidate(conn, codes)
    email = PEOPLE["candidat"].email
    assert _rows_holding(needs_url, email) and _rows_holding(needs_url, MESSAGE)
    with engine.begin() as conn:
        account = get_account(conn, me)
        forget_account(conn, account.actor, account)
        delete_account(conn, account)
    # The whole file: not the e-mail, not the message.
    assert _rows_holding(needs_url, email) == []
    assert _rows_holding(needs_url, MESSAGE) == []
    # The loaded files hold every commune and trade; the application's own tables hold
    # neither the candidate's trade nor commune any more (the offer is elsewhere, of
    # another trade).
    loaded = {table.name for table in DATASET_TABLES.values()}
    own = {table.name for table in metadata.sorted_tables} - loaded
    assert _rows_holding(needs_url, codes.other_rome, own) == []
    assert _rows_holding(needs_url, codes.far_commune, own) == []
    # The company keeps « an application, answered or not »: the row, without the person.
    with engine.connect() as conn:
        row = conn.execute(sa.select(applications).where(applications.c.id == made)).one()
        assert (row.candidate_id, row.message, row.statut) == (None, None, "envoyee")
        assert get_profile(conn, me) is None


def test_inactivity_forgets_candidates_and_closes_inactive_companies(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        codes = sample_codes(conn)
        me, made = _candidate(conn, codes)
        offer = get_offer(conn, conn.execute(sa.select(applications.c.offer_id)).scalar_one())
    later = datetime.now(UTC) + timedelta(days=731)
    with engine.begin() as conn:
        done, closed = anonymise_inactive_people(conn, days=730, audit_days=1825, now=later)
        assert me in done.accounts
        assert get_profile(conn, me) is None
        row = conn.execute(sa.select(applications).where(applications.c.id == made)).one()
        assert (row.candidate_id, row.message) == (None, None)
        assert (closed.companies, closed.needs, closed.offers) == (1, 1, 1)
        assert get_offer(conn, offer.id).statut == "annulee"
        need = conn.execute(sa.select(company_needs.c.statut)).scalar_one()
        assert need == "ferme"
        assert conn.execute(
            sa.select(accounts.c.email).where(accounts.c.id == me)
        ).scalar_one() != (PEOPLE["candidat"].email)


def test_an_active_company_keeps_its_offers(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        codes = sample_codes(conn)
        offer = an_offer(conn, codes, codes.commune)
        # Its account logged in 100 days before the run: the company is active.
        create(conn, PEOPLE["entreprise"])
    later = datetime.now(UTC) + timedelta(days=100)
    with engine.begin() as conn:
        _, closed = anonymise_inactive_people(conn, days=730, audit_days=1825, now=later)
        assert (closed.companies, closed.needs, closed.offers) == (0, 0, 0)
        assert get_offer(conn, offer.id).statut == "active"
