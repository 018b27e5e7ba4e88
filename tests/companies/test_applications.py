"""The company's side of applications on a copy of the demo store (and on a fresh SQLite and
PostgreSQL store): candidates ranked for an offer without contact, each display audited in one
insert; applications received with the contact only of those who applied; answers, refusals
with a coded reason, a withdrawn application refused; response rates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.companies.candidates import add_application, add_candidate
from tests.companies.sample import OTHER_SIRET, SIRET, sample_codes
from tremplin.companies.applications import (
    MOTIFS_REFUS,
    RATE_SCHEMA,
    Conflict,
    answer_application,
    ranked_candidates,
    rates_of,
    received_applications,
    response_rates,
)
from tremplin.companies.companies import save_company
from tremplin.companies.needs import create_need, rome_fap
from tremplin.companies.offers import Offer, publish_offer
from tremplin.errors import InputError, NotFound
from tremplin.sources.ingest import load_paths
from tremplin.store.audit import Actor, read_audit
from tremplin.store.database import open_store
from tremplin.store.schema import accounts, audit_log

ACTOR = Actor("rh@chaudronnerie.test", 7)


def _offer(conn: sa.Connection, siret: str = SIRET) -> Offer:
    codes = sample_codes(conn)
    company = save_company(conn, ACTOR, siret=siret, nom=f"Entreprise {siret[:3]}")
    need = create_need(
        conn,
        ACTOR,
        company,
        {
            "code_rome": codes.code_rome,
            "nombre": 2,
            "contrat": "apprentissage",
            "niveau": "3",
            "code_insee": codes.commune,
            "debut": "2027-09-01",
        },
    )
    return publish_offer(conn, ACTOR, need, {"intitule": "Apprenti"})


def _views(conn: sa.Connection) -> pl.DataFrame:
    return read_audit(conn).filter(pl.col("action") == "profil.consulter")


def test_candidates_are_ranked_without_contact_and_every_display_audited(
    needs_engine: sa.Engine,
) -> None:
    with needs_engine.begin() as conn:
        offer = _offer(conn)
        codes = sample_codes(conn)
        near = add_candidate(conn, "pres@jeune.test", codes.commune, codes.code_rome)
        domain = add_candidate(conn, "domaine@jeune.test", codes.commune, codes.other_rome)
        far = add_candidate(conn, "loin@jeune.test", codes.far_commune, codes.code_rome, rayon_km=5)
        hidden = add_candidate(conn, "cache@jeune.test", codes.commune, visible=False)
        ranked = ranked_candidates(conn, ACTOR, offer, limit=2)
        assert ranked.total == 3  # the hidden profile is never ranked
        first, second = ranked.candidats
        assert (first["rang"], second["rang"]) == (1, 2)
        assert first["codes_rome"] == [codes.code_rome] and first["distance_km"] == 0
        assert first["explication"].startswith(f"Même métier que l’offre ({codes.code_rome})")
        assert first["candidat"].startswith("Candidat·e ")
        # No contact and no account id, anywhere in what the company reads.
        text = json.dumps(ranked.candidats, ensure_ascii=False)
        assert "@" not in text
        assert set(first) == {
            "rang", "candidat", "codes_rome", "code_insee", "commune", "rayon_km", "niveau",
            "disponible_le", "distance_km", "dans_rayon", "score", "explication",
        }  # fmt: skip
        # One line per profile shown, for this offer, written by the reader.
        views = _views(conn)
        assert sorted(views.get_column("target").to_list()) == sorted(
            f"profil:{p}" for p in (near, domain)
        )
        assert set(views.get_column("actor_id").to_list()) == {7}
        assert all(json.loads(a)["offre"] == offer.id for a in views.get_column("after"))
        # The next page: the candidate outside their radius, ranked last.
        rest = ranked_candidates(conn, ACTOR, offer, limit=2, offset=2)
        assert [c["rang"] for c in rest.candidats] == [3]
        assert rest.candidats[0]["dans_rayon"] is False
        assert "hors du rayon de 5 km" in rest.candidats[0]["explication"]
        assert f"profil:{far}" in _views(conn).get_column("target").to_list()
        assert f"profil:{hidden}" not in _views(conn).get_column("target").to_list()
        # The pseudonym is stable for one offer.
        again = ranked_candidates(conn, ACTOR, offer, limit=1)
        assert again.candidats[0]["candidat"] == first["candidat"]


def test_only_those_who_applied_show_their_contact(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        offer = _offer(conn)
        codes = sample_codes(conn)
        applied = add_candidate(conn, "postule@jeune.test", codes.commune)
        add_candidate(conn, "discret@jeune.test", codes.commune)
        withdrawn = add_candidate(conn, "retire@jeune.test", codes.commune)
        first = add_application(conn, offer.id, applied)
        add_application(conn, offer.id, withdrawn, statut="retiree")
        received = received_applications(conn, ACTOR, offer)
        assert [(a["id"], a["contact"], a["statut"]) for a in received] == [
            (first, "postule@jeune.test", "envoyee")
        ]
        assert received[0]["candidat"]["code_insee"] == codes.commune
        text = json.dumps(received, ensure_ascii=False)
        assert "discret@" not in text and "retire@" not in text
        ranked = json.dumps(ranked_candidates(conn, ACTOR, offer).candidats, ensure_ascii=False)
        assert "@" not in ranked
        views = _views(conn).filter(pl.col("target") == f"profil:{applied}")
        assert any(json.loads(a).get("contact") is True for a in views.get_column("after"))
        # An anonymised account gives no contact (its placeholder is no address).
        conn.execute(
            accounts.update()
            .where(accounts.c.id == applied)
            .values(email=f"anonyme-{applied}", anonymised_at=datetime.now(UTC))
        )
        assert [a["contact"] for a in received_applications(conn, ACTOR, offer)] == [None]


def test_answers_refusals_and_a_withdrawn_application(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        offer = _offer(conn)
        other = _offer(conn, OTHER_SIRET)
        codes = sample_codes(conn)
        candidate = add_candidate(conn, "jeune@jeune.test", codes.commune)
        application = add_application(conn, offer.id, candidate)
        with pytest.raises(InputError, match="un refus demande un motif") as refused:
            answer_application(conn, ACTOR, offer, application, {"statut": "refusee"})
        assert refused.value.where == ("motif",)
        with pytest.raises(InputError, match="adresse électronique"):
            answer_application(
                conn,
                ACTOR,
                offer,
                application,
                {"statut": "entretien", "reponse": "Écrivez à rh@atelier.fr"},
            )
        with pytest.raises(InputError) as unknown:
            answer_application(conn, ACTOR, offer, application, {"statut": "embauche"})
        assert unknown.value.where == ("statut",)
        with pytest.raises(NotFound):
            answer_application(conn, ACTOR, other, application, {"statut": "entretien"})
        answered = answer_application(
            conn, ACTOR, offer, application, {"statut": "entretien", "reponse": "Venez mardi."}
        )
        assert (answered["statut"], answered["motif"], answered["reponse"]) == (
            "entretien",
            None,
            "Venez mardi.",
        )
        assert answered["repondue_le"] is not None
        changed = answer_application(
            conn, ACTOR, offer, application, {"statut": "refusee", "motif": "offre_pourvue"}
        )
        assert (changed["statut"], changed["motif"]) == ("refusee", "offre_pourvue")
        lines = read_audit(conn).filter(pl.col("action") == "candidature.repondre")
        assert lines.height == 2
        assert json.loads(lines.row(0, named=True)["before"])["statut"] == "entretien"
        gone = add_application(
            conn, offer.id, add_candidate(conn, "parti@jeune.test", codes.commune), statut="retiree"
        )
        with pytest.raises(Conflict) as conflict:
            answer_application(conn, ACTOR, offer, gone, {"statut": "entretien"})
        assert conflict.value.status == 409
    assert set(MOTIFS_REFUS) >= {"profil_ne_correspond_pas", "offre_pourvue", "autre"}


def test_response_rates_say_no_application_rather_than_zero(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        offer = _offer(conn)
        quiet = _offer(conn, OTHER_SIRET)
        codes = sample_codes(conn)
        sent = datetime(2027, 1, 1, tzinfo=UTC)
        for number, (statut, days) in enumerate(
            [("entretien", 2), ("refusee", 4), ("envoyee", None), ("retiree", None)]
        ):
            add_application(
                conn,
                offer.id,
                add_candidate(conn, f"c{number}@jeune.test", codes.commune),
                statut=statut,
                created_at=sent,
                answered_at=sent + timedelta(days=days) if days else None,
            )
        rows = {r["siret"]: r for r in response_rates(conn, every=True)}
        mine = rows[offer.need.siret]
        assert (mine["candidatures"], mine["repondues"], mine["delai_median_jours"]) == (3, 2, 3.0)
        assert mine["taux"] == pytest.approx(2 / 3)
        empty = rows[quiet.need.siret]
        assert (empty["candidatures"], empty["taux"], empty["delai_median_jours"]) == (
            0,
            None,
            None,
        )
        assert response_rates(conn, company_id=offer.need.company_id)[0]["siret"] == SIRET
        assert {
            r["siret"] for r in response_rates(conn, territoire=f"departement:{codes.departement}")
        } == {SIRET, OTHER_SIRET}
        assert response_rates(conn, territoire=f"departement:{codes.far_departement}") == []


@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.sampled_from(["envoyee", "entretien", "refusee", "retiree"]),
            st.integers(0, 100),
        ),
        max_size=40,
    )
)
def test_a_rate_is_a_share_and_answered_never_exceed_received(
    rows: list[tuple[int, str, int]],
) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "company_id": [r[0] for r in rows],
            "statut": [r[1] for r in rows],
            "created_at": [start for _ in rows],
            "answered_at": [
                start + timedelta(hours=r[2]) if r[1] in ("entretien", "refusee") else None
                for r in rows
            ],
        },
        schema=RATE_SCHEMA,
    )
    rates = rates_of(frame)
    for rate in rates.iter_rows(named=True):
        assert 0 <= rate["repondues"] <= rate["candidatures"]
        assert rate["candidatures"] > 0 and 0.0 <= rate["taux"] <= 1.0
        kept = [r for r in rows if r[0] == rate["company_id"] and r[1] != "retiree"]
        assert rate["candidatures"] == len(kept)
        delays = [r[2] / 24 for r in kept if r[1] in ("entretien", "refusee")]
        if delays:
            assert min(delays) - 1e-9 <= rate["delai_median_jours"] <= max(delays) + 1e-9
        else:
            assert rate["delai_median_jours"] is None
    # A company whose every application was withdrawn has no row: « aucune candidature ».
    assert set(rates.get_column("company_id").to_list()) == {
        r[0] for r in rows if r[1] != "retiree"
    }


def test_the_company_side_on_sqlite_and_postgresql(database_url: str, demo_dir: Path) -> None:
    engine = open_store(database_url)
    try:
        load_paths(engine, [demo_dir / name for name in ("rome", "territoires", "bmo", "dares")])
        with engine.begin() as conn:
            offer = _offer(conn)
            codes = sample_codes(conn)
            candidates = [
                add_candidate(conn, f"c{n}@jeune.test", codes.commune, disponible_le=None)
                for n in range(3)
            ]
            application = add_application(conn, offer.id, candidates[0])
        with engine.begin() as conn:
            assert ranked_candidates(conn, ACTOR, offer).total == 3
            assert [a["contact"] for a in received_applications(conn, ACTOR, offer)] == [
                "c0@jeune.test"
            ]
            answer_application(
                conn, ACTOR, offer, application, {"statut": "refusee", "motif": "distance"}
            )
            (rate,) = response_rates(conn, every=True)
            assert (rate["candidatures"], rate["repondues"], rate["taux"]) == (1, 1, 1.0)
            views = conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(audit_log.c.action == "profil.consulter")
            ).scalar_one()
            assert views == 4  # three ranked, one application read
    finally:
        engine.dispose()


def test_a_trade_of_the_same_family_ranks_with_the_family_tier(needs_engine: sa.Engine) -> None:
    """A candidate wishing a trade of another ROME domain but of the offer's FAP 2009 family
    (the DARES table) ranks above one of an unrelated trade, and the sentence says so."""
    with needs_engine.begin() as conn:
        offer = _offer(conn)
        codes = sample_codes(conn)
        family = rome_fap(conn).get(offer.need.code_rome)
        kin = sorted(
            rome
            for rome, fap in rome_fap(conn).items()
            if fap == family and rome[:3] != offer.need.code_rome[:3]
        )
        stranger = sorted(
            rome
            for rome, fap in rome_fap(conn).items()
            if fap != family and rome[:3] != offer.need.code_rome[:3]
        )
        assert family is not None and kin and stranger
        add_candidate(conn, "famille@jeune.test", codes.commune, kin[0])
        add_candidate(conn, "autre@jeune.test", codes.commune, stranger[0])
        first, second = ranked_candidates(conn, ACTOR, offer).candidats
    assert first["codes_rome"] == [kin[0]]
    assert first["explication"].startswith("Même famille que l’offre")
    assert first["score"] > second["score"]
