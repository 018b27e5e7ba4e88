"""Logging in: the lock first, then the password, then a new session.

A wrong password is counted in its own transaction (it must be kept although the login fails);
the answer never says whether the e-mail has an account.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tremplin.accounts import lockout
from tremplin.accounts.accounts import Account, find_account, normalise_email, password_hash
from tremplin.accounts.passwords import hash_password, needs_rehash, verify_password
from tremplin.accounts.sessions import Opened, open_session
from tremplin.errors import Unauthenticated
from tremplin.store.schema import accounts

WRONG = "adresse électronique ou mot de passe incorrect"


def log_in(
    engine: sa.Engine, email: str, password: str, address: str, kind: str
) -> tuple[Account, Opened]:
    """The account of ``email`` and a new session of ``kind`` when ``password`` is its password.

    Raises :class:`~tremplin.errors.TooManyAttempts` when the e-mail or the ``address`` is
    locked (before looking at the password), :class:`~tremplin.errors.Unauthenticated` for a
    wrong password, an unknown e-mail or a deactivated account (the same message).
    """
    email = normalise_email(email)
    with engine.connect() as conn:
        lockout.check_allowed(conn, email, address)
        account = find_account(conn, email)
        stored = password_hash(conn, account.id) if account is not None else None
    # The check costs ~35 ms of CPU: outside any transaction.
    if not verify_password(stored, password) or account is None or not account.active:
        with engine.begin() as conn:
            lockout.record_failure(conn, email, address)
        raise Unauthenticated(WRONG)
    with engine.begin() as conn:
        lockout.clear_account(conn, email)
        values: dict[str, object] = {"last_login_at": datetime.now(UTC)}
        if stored is not None and needs_rehash(stored):
            values["password_hash"] = hash_password(password)
        conn.execute(accounts.update().where(accounts.c.id == account.id).values(**values))
        return account, open_session(conn, account, kind)
