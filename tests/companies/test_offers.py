"""Offers on a copy of the demo store (and on a fresh SQLite and PostgreSQL store): published
from an apprenticeship or PFMP need, titles without address, the status read « expiree » after
the expiry date, the reminder list, reports counted and audited."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.companies.sample import OTHER_SIRET, SIRET, sample_codes
from tremplin.companies.companies import save_company
from tremplin.companies.needs import close_need, create_need
from tremplin.companies.offers import (
    expiring_offers,
    get_offer,
    list_offers,
    publish_offer,
    report_offer,
    status_on,
    update_offer,
)
from tremplin.errors import InputError
from tremplin.sources.ingest import load_paths
from tremplin.store.audit import Actor, read_audit
from tremplin.store.database import open_store
from tremplin.store.schema import company_offers

ACTOR = Actor("rh@chaudronnerie.test", 7)
TODAY = date(2027, 3, 1)


def _need_values(codes, contrat: str = "apprentissage"):  # type: ignore[no-untyped-def]
    return {
        "code_rome": codes.code_rome,
        "nombre": 2,
        "contrat": contrat,
        "niveau": "3",
        "code_insee": codes.commune,
    }


def _company_and_need(conn: sa.Connection, siret: str = SIRET, contrat: str = "apprentissage"):  # type: ignore[no-untyped-def]
    codes = sample_codes(conn)
    company = save_company(conn, ACTOR, siret=siret, nom=f"Entreprise {siret[:3]}")
    return company, create_need(conn, ACTOR, company, _need_values(codes, contrat))


def test_an_offer_lives_expires_and_is_audited(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        company, need = _company_and_need(conn)
        offer = publish_offer(
            conn,
            ACTOR,
            need,
            {"intitule": "Apprenti chaudronnier", "expire_le": "05/03/2027"},
            today=TODAY,
        )
        assert (offer.statut, offer.expire_le, offer.need.id) == (
            "active",
            date(2027, 3, 5),
            need.id,
        )
        shown = offer.public(TODAY)
        assert shown["statut"] == "active" and shown["code_rome"] == need.code_rome
        assert "siret" not in shown and "signalements" not in shown
        # Within seven days: on the reminder list; after the expiry date: read « expiree ».
        assert [o.id for o in expiring_offers(conn, company, today=TODAY)] == [offer.id]
        assert expiring_offers(conn, company, today=TODAY - timedelta(days=10)) == []
        later = date(2027, 3, 6)
        assert get_offer(conn, offer.id).status(later) == "expiree"
        assert list_offers(conn, today=later) == (0, [])
        total, own = list_offers(conn, siret=SIRET, today=later)
        assert (total, own[0].public(later)["statut"]) == (1, "expiree")
        with pytest.raises(InputError, match="expiré"):
            update_offer(conn, ACTOR, offer, {"statut": "active"}, today=later)
        offer = update_offer(
            conn, ACTOR, offer, {"statut": "active", "expire_le": "2027-04-01"}, today=later
        )
        assert offer.status(later) == "active"
        assert list_offers(conn, today=later)[0] == 1
        assert report_offer(conn, Actor("jeune@tremplin.test", 9), offer, "coordonnees") == 1
        assert report_offer(conn, Actor("autre@tremplin.test", 10), offer, "autre") == 2
        offer = update_offer(conn, ACTOR, offer, {"statut": "pourvue"}, today=later)
        assert list_offers(conn, today=later)[0] == 0
        log = read_audit(conn).filter(pl.col("target") == f"offre:{offer.id}")
    assert log["action"].to_list()[::-1] == [  # the log reads newest first
        "offre.publier",
        "offre.modifier",
        "offre.signaler",
        "offre.signaler",
        "offre.modifier",
    ]
    assert log["actor"].to_list()[1:3] == ["autre@tremplin.test", "jeune@tremplin.test"]


@pytest.mark.parametrize(
    "title",
    ["Écrivez à rh@chaudronnerie.fr", "Voir www.chaudronnerie.fr", "https://x.test/offre", ""],
)
def test_a_title_with_an_address_or_empty_is_refused(needs_engine: sa.Engine, title: str) -> None:
    with needs_engine.begin() as conn:
        _, need = _company_and_need(conn)
        with pytest.raises(InputError) as refused:
            publish_offer(conn, ACTOR, need, {"intitule": title}, today=TODAY)
    assert tuple(refused.value.where) == ("intitule",)


def test_only_open_apprenticeship_and_pfmp_needs_are_published(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        _, cdi = _company_and_need(conn, contrat="cdi")
        with pytest.raises(InputError, match="cdi"):
            publish_offer(conn, ACTOR, cdi, {"intitule": "Soudeur"}, today=TODAY)
        _, pfmp = _company_and_need(conn, siret=OTHER_SIRET, contrat="pfmp")
        offer = publish_offer(conn, ACTOR, pfmp, {"intitule": "Stage"}, today=TODAY)
        assert offer.expire_le == TODAY + timedelta(days=60)
        with pytest.raises(InputError, match="déjà publié"):
            publish_offer(conn, ACTOR, pfmp, {"intitule": "Encore"}, today=TODAY)
        with pytest.raises(InputError, match="hors limites"):
            update_offer(conn, ACTOR, offer, {"expire_le": "2029-01-01"}, today=TODAY)
        with pytest.raises(InputError, match="motif"):
            report_offer(conn, ACTOR, offer, "spam")
        closed = close_need(conn, ACTOR, create_need(conn, ACTOR, *_again(conn, pfmp)))
        with pytest.raises(InputError, match="plus ouvert"):
            publish_offer(conn, ACTOR, closed, {"intitule": "Fermé"}, today=TODAY)


def _again(conn: sa.Connection, need):  # type: ignore[no-untyped-def]
    from tremplin.companies.companies import find_company

    company = find_company(conn, need.siret)
    return company, _need_values(sample_codes(conn), need.contrat)


@given(
    statut=st.sampled_from(["active", "pourvue", "annulee"]),
    expiry=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    today=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
)
def test_only_an_active_offer_past_its_date_reads_expired(
    statut: str, expiry: date, today: date
) -> None:
    read = status_on(statut, expiry, today)
    assert (read == "expiree") == (statut == "active" and expiry < today)
    assert read in (statut, "expiree")


def test_offers_on_sqlite_and_postgresql(database_url: str, demo_dir: Path) -> None:
    engine = open_store(database_url)
    try:
        load_paths(engine, [demo_dir / name for name in ("rome", "territoires", "bmo", "dares")])
        with engine.begin() as conn:
            company, need = _company_and_need(conn)
            offer = publish_offer(conn, ACTOR, need, {"intitule": "Apprenti"}, today=TODAY)
            report_offer(conn, ACTOR, offer, "autre")
            assert [o.id for o in expiring_offers(conn, company, today=TODAY)] == []
            offer = update_offer(conn, ACTOR, offer, {"expire_le": TODAY}, today=TODAY)
            assert [o.id for o in expiring_offers(conn, company, today=TODAY)] == [offer.id]
            assert list_offers(conn, today=TODAY)[0] == 1
            assert list_offers(conn, today=TODAY + timedelta(days=1))[0] == 0
            assert get_offer(conn, offer.id).signalements == 1
        # Deleting the company takes its needs and their offers with it.
        with engine.begin() as conn:
            from tremplin.companies.companies import delete_company

            delete_company(conn, ACTOR, company)
            assert list_offers(conn, siret=SIRET, today=TODAY)[0] == 0
            left = sa.select(sa.func.count()).select_from(company_offers)
            assert conn.execute(left).scalar_one() == 0  # the rows themselves, by cascade
    finally:
        engine.dispose()
