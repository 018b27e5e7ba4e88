"""Logging in: the lock first, then the password, then a new session.

A wrong password is counted in its own transaction (it must be kept although the login fails);
the answer never says whether the e-mail has an account. Both outcomes are lines of the audit
log: a session opened by the account (its e-mail), a login refused by « visiteur » on the
account tried (« compte:<id> », or « compte:inconnu ») — never the password, the e-mail tried
or the address.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tremplin.accounts import lockout
from tremplin.accounts.accounts import Account, find_account, normalise_email, password_hash
from tremplin.accounts.passwords import hash_password, needs_rehash, verify_password
from tremplin.accounts.policy import VISITOR
from tremplin.accounts.sessions import Opened, open_session
from tremplin.errors import Unauthenticated
from tremplin.store.audit import Actor, record
from tremplin.store.schema import accounts

OPENED = "session.ouvrir"
"""The audit log's action of a successful login."""
REFUSED = "session.refuser"
"""The audit log's action of a refused login (wrong password, unknown e-mail, deactivated)."""

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
        tried = f"compte:{account.id}" if account is not None else "compte:inconnu"
        with engine.begin() as conn:
            lockout.record_failure(conn, email, address)
            record(conn, Actor(VISITOR), REFUSED, tried, after={"type": kind})
        raise Unauthenticated(WRONG)
    with engine.begin() as conn:
        lockout.clear_account(conn, email)
        values: dict[str, object] = {"last_login_at": datetime.now(UTC)}
        if stored is not None and needs_rehash(stored):
            values["password_hash"] = hash_password(password)
        conn.execute(accounts.update().where(accounts.c.id == account.id).values(**values))
        opened = open_session(conn, account, kind)
        record(conn, account.actor, OPENED, f"compte:{account.id}", after={"type": kind})
        return account, opened
