"""Repeated wrong passwords lock an account, and an address, for the rest of the window; the
right password opens again once the window has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tremplin.accounts import lockout
from tremplin.errors import TooManyAttempts
from tremplin.store.schema import login_failures

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _fail(engine: sa.Engine, email: str, address: str, at: datetime, times: int = 1) -> None:
    with engine.begin() as conn:
        for _ in range(times):
            lockout.record_failure(conn, email, address, at)


def _check(engine: sa.Engine, email: str, address: str, at: datetime) -> None:
    with engine.connect() as conn:
        lockout.check_allowed(conn, email, address, at)


def test_an_account_locks_after_its_limit_until_the_window_passes(any_store: sa.Engine) -> None:
    for i in range(lockout.PER_ACCOUNT - 1):
        _fail(any_store, "a@x.fr", f"10.0.0.{i}", NOW + timedelta(minutes=i))
    _check(any_store, "A@X.FR", "10.0.0.99", NOW + timedelta(minutes=5))
    _fail(any_store, "a@x.fr", "10.0.0.9", NOW + timedelta(minutes=5))
    with pytest.raises(TooManyAttempts, match="pour ce compte : réessayez dans 10 minutes") as e:
        _check(any_store, "a@x.fr", "10.0.0.99", NOW + timedelta(minutes=5))
    # Until the first of the five failures leaves the 15-minute window.
    assert e.value.retry_after == 10 * 60
    assert e.value.status == 429
    _check(any_store, "a@x.fr", "10.0.0.99", NOW + lockout.WINDOW)
    _check(any_store, "b@x.fr", "10.0.0.99", NOW + timedelta(minutes=5))


def test_an_address_locks_after_its_limit_whatever_the_email(any_store: sa.Engine) -> None:
    for i in range(lockout.PER_ADDRESS):
        _fail(any_store, f"u{i}@x.fr", "192.0.2.7", NOW)
    with pytest.raises(TooManyAttempts, match="pour cette adresse"):
        _check(any_store, "nouveau@x.fr", "192.0.2.7", NOW + timedelta(minutes=1))
    _check(any_store, "nouveau@x.fr", "192.0.2.8", NOW + timedelta(minutes=1))


def test_failures_keep_no_email_nor_address_and_leave_with_the_window(store: sa.Engine) -> None:
    _fail(store, "a@x.fr", "10.0.0.1", NOW, times=3)
    _fail(store, "b@x.fr", "10.0.0.1", NOW + lockout.WINDOW + timedelta(minutes=1))
    with store.connect() as conn:
        rows = conn.execute(sa.select(login_failures)).all()
    assert len(rows) == 1  # the three old ones were deleted by the newer failure
    assert "b@x.fr" not in str(rows[0]) and "10.0.0.1" not in str(rows[0])


def test_a_successful_login_clears_the_account_failures(store: sa.Engine) -> None:
    _fail(store, "a@x.fr", "10.0.0.1", NOW, times=lockout.PER_ACCOUNT)
    with store.begin() as conn:
        lockout.clear_account(conn, "a@x.fr")
    _check(store, "a@x.fr", "10.0.0.2", NOW)
