"""Declaring needs on a copy of the demo store: checked against the loaded ROME and communes,
their life (fill, close, edit, delete) in the audit log, and the analyses' view of them."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.companies.sample import OTHER_SIRET, SIRET, sample_codes
from tremplin.companies.companies import save_company
from tremplin.companies.imports import import_needs
from tremplin.companies.needs import (
    NeedScope,
    close_need,
    create_need,
    declared_needs,
    delete_need,
    fill_need,
    list_needs,
    rome_trades,
    update_need,
)
from tremplin.errors import InputError
from tremplin.sources.ingest import load_paths
from tremplin.store.audit import Actor, read_audit
from tremplin.store.database import open_store

ACTOR = Actor("rh@chaudronnerie.test", 7)


def _need(codes, **changes):  # type: ignore[no-untyped-def]
    return {
        "code_rome": codes.code_rome,
        "code_ogr": codes.code_ogr,
        "nombre": 3,
        "contrat": "apprentissage",
        "niveau": "4",
        "debut": "01/09/2027",
        "code_insee": codes.commune,
        "intitule": "Trois apprentis",
    } | changes


def test_a_need_is_declared_filled_closed_and_audited(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        company = save_company(conn, ACTOR, siret=SIRET, nom="Chaudronnerie", naf="2562a")
        need = create_need(conn, ACTOR, company, _need(codes))
        assert company.naf == "25.62A"
        assert (need.code_rome, need.appellation, need.statut) == (
            codes.code_rome,
            codes.appellation,
            "ouvert",
        )
        assert (need.code_departement, need.bassin_bmo) == (codes.departement, codes.bassin)
        assert str(need.debut) == "2027-09-01"
        need = fill_need(conn, ACTOR, need, 1)
        assert need.statut == "pourvu_partiellement"
        need = fill_need(conn, ACTOR, need, 3)
        assert need.statut == "pourvu"
        need = close_need(conn, ACTOR, need)
        assert need.statut == "ferme"
        delete_need(conn, ACTOR, need)
        log = read_audit(conn)
    actions = log.filter(pl.col("target") == f"besoin:{need.id}")["action"].to_list()
    assert actions == [
        "besoin.supprimer",
        "besoin.fermer",
        "besoin.modifier",
        "besoin.modifier",
        "besoin.creer",
    ]
    created = json.loads(log.filter(pl.col("action") == "besoin.creer")["after"][0])
    assert created["nombre"] == 3 and created["siret"] == SIRET


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code_rome": "Z9999"}, "code_rome", "inconnu du ROME"),
        ({"code_ogr": "999999999"}, "code_ogr", "appellation"),
        ({"nombre": 0}, "nombre", "hors limites"),
        ({"nombre": "trois"}, "nombre", "invalide"),
        ({"contrat": "stage"}, "contrat", "inconnue"),
        ({"niveau": "9"}, "niveau", "inconnue"),
        ({"debut": "septembre"}, "debut", "date"),
        ({"code_insee": "99999"}, "code_insee", "commune"),
        ({"intitule": "Voir https://exemple.fr/offre"}, "intitule", "lien"),
        ({"intitule": "Écrire à rh@exemple.fr"}, "intitule", "adresse électronique"),
        ({"intitule": "voir chaudronnerie.com"}, "intitule", "lien"),
    ],
)
def test_a_wrong_field_is_refused_in_french(
    needs_engine: sa.Engine, changes: dict[str, object], field: str, message: str
) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        company = save_company(conn, ACTOR, siret=SIRET, nom="Chaudronnerie")
        with pytest.raises(InputError, match=message) as raised:
            create_need(conn, ACTOR, company, _need(codes, **changes))
        assert raised.value.where[-1] == field
        assert list_needs(conn, NeedScope(all=True))[0] == 0


def test_a_company_name_with_an_address_or_a_wrong_siret_is_refused(
    needs_engine: sa.Engine,
) -> None:
    with needs_engine.begin() as conn:
        with pytest.raises(InputError, match="lien"):
            save_company(conn, ACTOR, siret=SIRET, nom="www.spam.example")
        with pytest.raises(InputError, match="clé"):
            save_company(conn, ACTOR, siret="12345678200011", nom="Chaudronnerie")


def test_editing_keeps_the_filled_people_below_the_number(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        company = save_company(conn, ACTOR, siret=SIRET, nom="Chaudronnerie")
        need = fill_need(conn, ACTOR, create_need(conn, ACTOR, company, _need(codes)), 2)
        with pytest.raises(InputError, match="pourvues"):
            update_need(conn, ACTOR, need, {"nombre": 1})
        moved = update_need(conn, ACTOR, need, {"code_rome": codes.other_rome, "nombre": 5})
    assert (moved.code_rome, moved.code_ogr, moved.nombre, moved.statut) == (
        codes.other_rome,
        None,
        5,
        "pourvu_partiellement",
    )


def test_scopes_see_their_company_or_their_territory(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        one = save_company(conn, ACTOR, siret=SIRET, nom="Une", sites=[codes.commune])
        two = save_company(conn, ACTOR, siret=OTHER_SIRET, nom="Deux")
        create_need(conn, ACTOR, one, _need(codes))
        create_need(conn, ACTOR, two, _need(codes, code_insee=codes.far_commune))
        assert one.sites == (codes.commune,)
        assert list_needs(conn, NeedScope(siret=SIRET))[0] == 1
        assert list_needs(conn, NeedScope(territoire=f"departement:{codes.departement}"))[0] == 1
        assert list_needs(conn, NeedScope(territoire=f"bassin:{codes.bassin}"))[0] == 1
        assert list_needs(conn, NeedScope())[0] == 0
        assert list_needs(conn, NeedScope(all=True))[0] == 2


def test_declared_needs_count_open_needs_per_trade_and_bassin(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        one = save_company(conn, ACTOR, siret=SIRET, nom="Une")
        two = save_company(conn, ACTOR, siret=OTHER_SIRET, nom="Deux")
        create_need(conn, ACTOR, one, _need(codes, nombre=3))
        fill_need(conn, ACTOR, create_need(conn, ACTOR, one, _need(codes, nombre=4)), 1)
        create_need(conn, ACTOR, two, _need(codes, nombre=2))
        close_need(conn, ACTOR, create_need(conn, ACTOR, two, _need(codes, nombre=50)))
        create_need(conn, ACTOR, two, _need(codes, code_insee=codes.far_commune, nombre=1))
        frame = declared_needs(conn)
        chain = rome_trades(conn).filter(pl.col("code_rome") == codes.code_rome).row(0, named=True)
        mine = declared_needs(conn, territoire=f"departement:{codes.far_departement}")
    row = frame.filter(pl.col("bassin_bmo") == codes.bassin).row(0, named=True)
    # Three open needs (the closed one left out), 3 + (4 − 1) + 2 people, two companies.
    assert (row["besoins"], row["personnes"], row["entreprises"]) == (3, 8, 2)
    assert (row["fap2009"], row["fap2021"]) == (chain["fap2009"], chain["fap2021"])
    assert row["code_departement"] == codes.departement
    assert frame.height == 2
    assert mine["personnes"].to_list() == [1]


def test_needs_on_sqlite_and_postgresql(database_url: str, demo_dir: Path) -> None:
    """The same declarations, import and counts on both backends (the demo's ROME, communes
    and bassins loaded into a fresh store)."""
    engine = open_store(database_url)
    try:
        load_paths(engine, [demo_dir / name for name in ("rome", "territoires", "bmo", "dares")])
        with engine.begin() as conn:
            codes = sample_codes(conn)
            company = save_company(conn, ACTOR, siret=SIRET, nom="Une", sites=[codes.commune])
            need = fill_need(conn, ACTOR, create_need(conn, ACTOR, company, _need(codes)), 1)
            lines = ";".join(
                ("siret", "raison_sociale", "code_rome", "nombre", "contrat", "code_insee")
            )
            row = ";".join((OTHER_SIRET, "Deux", codes.code_rome, "4", "cdi", codes.commune))
            import_needs(conn, ACTOR, "b.csv", f"{lines}\n{row}\n".encode())
            frame = declared_needs(conn)
            assert need.statut == "pourvu_partiellement"
            assert list_needs(conn, NeedScope(territoire=f"bassin:{codes.bassin}"))[0] == 2
        assert frame.select("besoins", "personnes", "entreprises").row(0) == (2, 6, 2)
    finally:
        engine.dispose()
