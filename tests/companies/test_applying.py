"""The candidate's side on a copy of the demo store (and on SQLite and PostgreSQL): the active
offers ranked for a profile with their sentence and distance (recomputed here), applying once,
only with a profile and only to an active offer, withdrawing, detaching on deletion."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, Person, create
from tests.companies.offer_sample import COMPANY, an_offer
from tests.companies.sample import Codes, sample_codes
from tremplin.companies.applying import (
    apply_to,
    detach_applications,
    my_applications,
    offers_for,
    offers_frame,
    withdraw,
)
from tremplin.companies.candidates import save_profile
from tremplin.companies.needs import rome_trades
from tremplin.companies.offers import update_offer
from tremplin.errors import Conflict, InputError, NotFound
from tremplin.referentials.derived import referentials
from tremplin.sources.ingest import load_paths
from tremplin.store.audit import Actor, read_audit
from tremplin.store.database import open_store
from tremplin.store.schema import applications


def _profile(conn: sa.Connection, codes: Codes, email: str = PEOPLE["candidat"].email) -> int:
    me = create(conn, Person("candidat", email)).id
    save_profile(
        conn,
        Actor(email, me),
        me,
        {
            "codes_rome": [codes.code_rome],
            "code_insee": codes.commune,
            "rayon_km": 30,
            "niveau": "4",
            "disponible_le": date.today() + timedelta(days=30),
            "consentement": True,
        },
    )
    return me


def _km(a: dict[str, float], b: dict[str, float]) -> float:
    lat1, lat2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dlat, dlon = lat2 - lat1, math.radians(b["longitude"] - a["longitude"])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_offers_near_home_come_first_with_their_sentence(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        far = an_offer(conn, codes, codes.far_commune, "apprentissage", "Loin")
        near = an_offer(conn, codes, codes.commune, "apprentissage", "Près")
        other = an_offer(conn, codes, codes.commune, "pfmp", "Stage", rome=codes.other_rome)
        gone = an_offer(conn, codes, codes.commune, "apprentissage", "Annulée")
        update_offer(conn, COMPANY, gone, {"statut": "annulee"})
        me = _profile(conn, codes)
        from tremplin.companies.candidates import get_profile

        profile = get_profile(conn, me)
        assert profile is not None
        ranked = offers_for(conn, profile)
        assert [r["offre"] for r in ranked] == [near.id, other.id, far.id]
        assert [r["rang"] for r in ranked] == [1, 2, 3]
        first = ranked[0]
        assert first["dans_rayon"] and first["distance_km"] == 0.0
        assert first["explication"].startswith(f"Même métier que l’offre ({codes.code_rome})")
        assert "dans le rayon de 30 km" in first["explication"]
        assert "hors du rayon" in ranked[2]["explication"]
        # The distance, from the communes' coordinates of the referentials.
        communes = referentials(conn).communes.select("code_insee", "latitude", "longitude")
        at = {r["code_insee"]: r for r in communes.to_dicts()}
        expected = _km(at[codes.commune], at[codes.far_commune])
        assert ranked[2]["distance_km"] == pytest.approx(expected, abs=0.06)
        assert not ranked[2]["dans_rayon"] and expected > 30
        only = offers_for(conn, profile, contrat="pfmp")
        assert [r["offre"] for r in only] == [other.id]
        with pytest.raises(InputError, match="contrat"):
            offers_frame(conn, contrat="cdi")


def test_applying_once_with_a_profile_to_an_active_offer(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        offer = an_offer(conn, codes, codes.commune, "apprentissage", "Apprenti")
        closed = an_offer(conn, codes, codes.commune, "pfmp", "Pourvue")
        update_offer(conn, COMPANY, closed, {"statut": "pourvue"})
        lonely = create(conn, Person("candidat", "sans.profil@tremplin.test")).id
        with pytest.raises(InputError, match="profil"):
            apply_to(conn, Actor("x", lonely), lonely, offer.id)
        me = _profile(conn, codes)
        actor = Actor(PEOPLE["candidat"].email, me)
        for bad in ("écrivez-moi à moi@exemple.fr", "voir www.exemple.fr", "x" * 1001):
            with pytest.raises(InputError, match="message"):
                apply_to(conn, actor, me, offer.id, bad)
        with pytest.raises(NotFound):
            apply_to(conn, actor, me, closed.id)
        with pytest.raises(NotFound):
            apply_to(conn, actor, me, 999_999)
        made = apply_to(conn, actor, me, offer.id, "Motivé pour apprendre la chaudronnerie.")
        assert (made.statut, made.offre, made.intitule) == ("envoyee", offer.id, "Apprenti")
        with pytest.raises(Conflict, match="déjà candidaté"):
            apply_to(conn, actor, me, offer.id)
        other = _profile(conn, codes, "autre.jeune@tremplin.test")
        with pytest.raises(NotFound):
            withdraw(conn, Actor("autre", other), other, made.id)
        assert [a.id for a in my_applications(conn, me)] == [made.id]
        assert my_applications(conn, other) == []
        gone = withdraw(conn, actor, me, made.id)
        assert gone.statut == "retiree" and gone.public()["statut_libelle"] == "Retirée"
        with pytest.raises(Conflict):
            withdraw(conn, actor, me, made.id)
        log = read_audit(conn).filter(pl.col("target") == f"candidature:{made.id}")
        assert sorted(log["action"]) == ["candidature.deposer", "candidature.retirer"]
        assert not any("chaudronnerie" in (t or "") for t in log["after"].to_list())
        # Deleting the person's data detaches the application and erases the message.
        assert detach_applications(conn, me) == 1
        row = conn.execute(sa.select(applications).where(applications.c.id == made.id)).one()
        assert (row.candidate_id, row.message, row.statut) == (None, None, "retiree")


def test_candidates_on_sqlite_and_postgresql(database_url: str, demo_dir: Path) -> None:
    engine = open_store(database_url)
    try:
        load_paths(engine, [demo_dir / name for name in ("rome", "territoires", "bmo", "dares")])
        with engine.begin() as conn:
            codes = sample_codes(conn)
            offer = an_offer(conn, codes, codes.commune, "apprentissage", "Apprenti")
            me = _profile(conn, codes)
            actor = Actor(PEOPLE["candidat"].email, me)
            from tremplin.companies.candidates import get_profile, profiles_frame

            profile = get_profile(conn, me)
            assert profile is not None and profile.disponible_le is not None
            assert profiles_frame(conn)["disponible_le"].to_list() == [profile.disponible_le]
            assert [r["offre"] for r in offers_for(conn, profile)] == [offer.id]
            made = apply_to(conn, actor, me, offer.id, "Bonjour")
            with pytest.raises(Conflict):
                apply_to(conn, actor, me, offer.id)
        with engine.begin() as conn:
            assert [a.id for a in my_applications(conn, me)] == [made.id]
            assert withdraw(conn, actor, me, made.id).statut == "retiree"
            assert offers_frame(conn)["debut"].dtype == pl.Date
    finally:
        engine.dispose()


def test_a_trade_of_the_same_fap_family_ranks_as_such(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        # Two ROME codes of one FAP 2009 family in different ROME domains, from the DARES table.
        trades = rome_trades(conn).drop_nulls("fap2009")
        families = trades.group_by("fap2009").agg("code_rome")
        pair = None
        for found in sorted(families["code_rome"].to_list()):
            first = min(found)
            other = sorted(c for c in found if c[:3] != first[:3])
            if other:
                pair = (first, other[0])
                break
        assert pair is not None
        offer = an_offer(conn, codes, codes.commune, rome=pair[1])
        me = _profile(conn, codes)
        from tremplin.companies.candidates import get_profile, save_profile

        values = {"codes_rome": [pair[0]], "code_insee": codes.commune, "rayon_km": 30}
        save_profile(conn, Actor("x", me), me, values | {"consentement": True})
        profile = get_profile(conn, me)
        assert profile is not None
        ranked = offers_for(conn, profile)
    assert [r["offre"] for r in ranked] == [offer.id]
    assert ranked[0]["explication"].startswith(f"Même famille que l’offre ({pair[1]})")


OYONNAX, LYON, NANTUA = "01283", "69123", "01269"


def test_offers_for_a_young_person_of_oyonnax_on_the_real_files(
    sources_dir: Path, tmp_path: Path
) -> None:
    """On the real ROME, communes, BMO and DARES files: a young person of Oyonnax wishing
    H2913 (soudage manuel), 30 km around: the Oyonnax offer of that trade first, a Nantua
    offer of the same domain (H2912) next, a Lyon offer beyond the radius last; the distances
    recomputed from the communes' file with polars."""
    engine = open_store(f"sqlite:///{tmp_path / 'reel.sqlite'}")
    try:
        load_paths(engine, [sources_dir / name for name in ("rome", "territoires", "bmo", "dares")])
        with engine.begin() as conn:
            codes = sample_codes(conn)
            here = an_offer(conn, codes, OYONNAX, title="Soudeur", rome="H2913")
            near = an_offer(conn, codes, NANTUA, title="Chaudronnier", rome="H2902")
            far = an_offer(conn, codes, LYON, title="Soudeur à Lyon", rome="H2913")
            me = create(conn, Person("candidat", "jeune.oyonnax@tremplin.test"))
            values = {"codes_rome": ["H2913"], "code_insee": OYONNAX, "rayon_km": 30}
            save_profile(conn, me.actor, me.id, values | {"niveau": "4", "consentement": True})
            from tremplin.companies.candidates import get_profile

            profile = get_profile(conn, me.id)
            assert profile is not None
            ranked = offers_for(conn, profile)
    finally:
        engine.dispose()
    assert [r["offre"] for r in ranked] == [here.id, near.id, far.id]
    assert [r["dans_rayon"] for r in ranked] == [True, True, False]
    assert ranked[1]["explication"].startswith("Même domaine professionnel que l’offre (H2902)")
    communes = pl.read_csv(
        sources_dir / "territoires" / "communes_2026_pop_geopoint.csv",
        infer_schema=False,
    )
    at = {
        r["code_insee"]: {"latitude": float(r["latitude"]), "longitude": float(r["longitude"])}
        for r in communes.filter(pl.col("code_insee").is_in([OYONNAX, NANTUA, LYON])).to_dicts()
    }
    for row, commune in zip(ranked, (OYONNAX, NANTUA, LYON), strict=True):
        expected = _km(at[OYONNAX], at[commune])
        assert row["distance_km"] == pytest.approx(expected, abs=0.06), commune
    print(
        "distances from Oyonnax:",
        {r["intitule"]: r["distance_km"] for r in ranked},
        [r["explication"] for r in ranked],
    )
