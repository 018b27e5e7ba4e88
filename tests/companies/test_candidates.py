"""Candidates' profiles on a copy of the demo store: stored only with consent, checked against
the loaded ROME and communes (round trips by hypothesis), hidden and deleted, audited without
their content, read as the matching's frame."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts.people import PEOPLE, create
from tests.companies.sample import sample_codes
from tremplin.companies.candidates import (
    CONSENT_VERSION,
    MAX_TRADES,
    delete_profile,
    get_profile,
    profiles_frame,
    save_profile,
    set_visible,
)
from tremplin.companies.matching import PROFILE_COLUMNS
from tremplin.errors import InputError
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.audit import read_audit
from tremplin.store.schema import candidate_profiles


def _candidate(conn: sa.Connection) -> int:
    return create(conn, PEOPLE["candidat"]).id


def _values(conn: sa.Connection, **changes: object) -> dict[str, object]:
    codes = sample_codes(conn)
    return {
        "codes_rome": [codes.code_rome, codes.other_rome],
        "code_insee": codes.commune,
        "rayon_km": 30,
        "niveau": "4",
        "disponible_le": "2027-09-01",
        "consentement": True,
    } | changes


def test_without_consent_nothing_is_stored(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        me = _candidate(conn)
        for refused in (False, "non", None, ""):
            with pytest.raises(InputError, match="consentement") as raised:
                save_profile(conn, _actor(me), me, _values(conn, consentement=refused))
            assert raised.value.where == ("consentement",)
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(candidate_profiles)).scalar() == 0
        )


def _actor(account_id: int):  # type: ignore[no-untyped-def]
    from tremplin.store.audit import Actor

    return Actor(PEOPLE["candidat"].email, account_id)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"codes_rome": []}, "codes_rome"),
        (
            {"codes_rome": ["H2913"] * 1 + ["A1101", "A1201", "B1101", "D1101", "H1101"]},
            "codes_rome",
        ),
        ({"codes_rome": ["ZZ999"]}, "codes_rome"),
        ({"codes_rome": ["Z9999"]}, "codes_rome"),
        ({"code_insee": "99999"}, "code_insee"),
        ({"rayon_km": 0}, "rayon_km"),
        ({"rayon_km": 201}, "rayon_km"),
        ({"rayon_km": "loin"}, "rayon_km"),
        ({"niveau": "2"}, "niveau"),
        ({"disponible_le": "demain"}, "disponible_le"),
    ],
)
def test_a_bad_field_is_named(
    needs_engine: sa.Engine, change: dict[str, object], field: str
) -> None:
    with needs_engine.begin() as conn:
        me = _candidate(conn)
        with pytest.raises(InputError) as raised:
            save_profile(conn, _actor(me), me, _values(conn) | change)
        assert raised.value.where == (field,), str(raised.value)
        assert get_profile(conn, me) is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=MAX_TRADES),
    radius=st.integers(1, 200),
    niveau=st.sampled_from([None, "3", "4", "5", "6", "7"]),
    available=st.none() | st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    visible=st.booleans(),
    as_text=st.booleans(),
)
def test_a_valid_profile_reads_back_as_written(
    needs_engine: sa.Engine,
    picks: list[int],
    radius: int,
    niveau: str | None,
    available: date | None,
    visible: bool,
    as_text: bool,
) -> None:
    with needs_engine.connect() as conn, conn.begin() as transaction:
        fiches = DATASET_TABLES["rome_fiches"]
        loaded = sorted(set(conn.execute(sa.select(fiches.c.code_rome)).scalars()))
        codes = list(dict.fromkeys(loaded[i % len(loaded)] for i in picks))
        me = _candidate(conn)
        written = _values(
            conn,
            codes_rome=" ".join(c.lower() for c in codes) if as_text else codes,
            rayon_km=str(radius) if as_text else radius,
            niveau=niveau,
            disponible_le=available.strftime("%d/%m/%Y") if as_text and available else available,
            visible=visible,
        )
        saved = save_profile(conn, _actor(me), me, written)
        again = get_profile(conn, me)
        assert again == saved
        assert saved.codes_rome == tuple(codes)
        assert (saved.rayon_km, saved.niveau, saved.disponible_le) == (radius, niveau, available)
        assert saved.visible is visible
        assert saved.consent_version == CONSENT_VERSION
        assert saved.code_insee == written["code_insee"]
        transaction.rollback()


def test_hidden_deleted_and_audited_without_content(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        me = _candidate(conn)
        values = _values(conn)
        save_profile(conn, _actor(me), me, values)
        save_profile(conn, _actor(me), me, values | {"rayon_km": 50})
        assert profiles_frame(conn).height == 1
        assert set_visible(conn, _actor(me), me, False).visible is False
        assert profiles_frame(conn).height == 0
        set_visible(conn, _actor(me), me, True)
        frame = profiles_frame(conn)
        assert frame.schema == pl.Schema(PROFILE_COLUMNS)
        row = frame.row(0, named=True)
        assert row["codes_rome"] == list(values["codes_rome"])  # type: ignore[arg-type]
        assert row["rayon_km"] == 50 and row["disponible_le"] == date(2027, 9, 1)
        assert delete_profile(conn, _actor(me), me) is True
        assert get_profile(conn, me) is None and not delete_profile(conn, _actor(me), me)
        log = read_audit(conn).filter(pl.col("target") == f"compte:{me}").reverse()
    lines = log.to_dicts()
    actions = [line["action"] for line in lines]
    assert actions[1:] == [
        "candidat.profil.publier",
        "candidat.profil.modifier",
        "candidat.profil.masquer",
        "candidat.profil.afficher",
        "candidat.profil.supprimer",
    ]
    text = " ".join(f"{line['before']} {line['after']}" for line in lines[1:])
    for secret in (*values["codes_rome"], values["code_insee"], "2027"):  # type: ignore[misc]
        assert str(secret) not in text
