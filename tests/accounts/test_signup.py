"""Signing up: a « candidat » account only, the password's rules, the e-mail taken once; the
sign-ups of an address are counted apart from its wrong passwords (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD
from tremplin.accounts import lockout
from tremplin.accounts.signup import sign_up
from tremplin.errors import InputError, TooManyAttempts
from tremplin.store.audit import read_audit

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_sign_up_makes_a_candidate_audited_without_the_password(any_store: sa.Engine) -> None:
    made = sign_up(any_store, " Jeune@Exemple.FR ", PASSWORD, PASSWORD, "10.0.0.1")
    assert (made.role, made.email, made.scope) == ("candidat", "jeune@exemple.fr", "—")
    with pytest.raises(InputError, match="existe déjà"):
        sign_up(any_store, "jeune@exemple.fr", PASSWORD, PASSWORD, "10.0.0.1")
    with pytest.raises(InputError, match="diffèrent"):
        sign_up(any_store, "autre@exemple.fr", PASSWORD, PASSWORD + "!", "10.0.0.1")
    with pytest.raises(InputError, match="trop court"):
        sign_up(any_store, "autre@exemple.fr", "court", "court", "10.0.0.1")
    with pytest.raises(InputError, match="adresse électronique"):
        sign_up(any_store, "pas-une-adresse", PASSWORD, PASSWORD, "10.0.0.1")
    with any_store.connect() as conn:
        log = read_audit(conn)
    assert log.filter(pl.col("action") == "comptes.creer")["actor"].to_list() == ["visiteur"]
    assert PASSWORD not in str(log.rows())


def test_sign_ups_and_wrong_passwords_are_counted_apart(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        for minute in range(lockout.SIGN_UPS_PER_ADDRESS):
            lockout.record_sign_up(conn, "10.0.0.2", NOW + timedelta(seconds=minute))
    with any_store.connect() as conn:
        # The address may still log in: its sign-ups are no wrong passwords.
        lockout.check_allowed(conn, "a@x.fr", "10.0.0.2", NOW + timedelta(minutes=1))
        with pytest.raises(TooManyAttempts, match="trop d’inscriptions depuis cette adresse"):
            lockout.check_sign_up_allowed(conn, "10.0.0.2", NOW + timedelta(minutes=1))
        lockout.check_sign_up_allowed(conn, "10.0.0.3", NOW + timedelta(minutes=1))
        lockout.check_sign_up_allowed(conn, "10.0.0.2", NOW + lockout.WINDOW + timedelta(minutes=1))
    with any_store.begin() as conn:
        for _ in range(lockout.PER_ADDRESS):
            lockout.record_failure(conn, "b@x.fr", "10.0.0.4", NOW)
    with any_store.connect() as conn:
        # Wrong passwords do not stop an address from signing up.
        lockout.check_sign_up_allowed(conn, "10.0.0.4", NOW + timedelta(minutes=1))
        with pytest.raises(TooManyAttempts):
            lockout.check_allowed(conn, "c@x.fr", "10.0.0.4", NOW + timedelta(minutes=1))
