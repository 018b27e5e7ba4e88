"""Signing up: a young person creates their own account, of role « candidat » only.

Nothing but an e-mail and a password is asked (the profile comes later, with its consent:
:mod:`tremplin.companies.candidates`). Every other role is created by an administrator
(``tremplin comptes creer``). Sign-ups are limited per address like wrong passwords
(:func:`tremplin.accounts.lockout.check_sign_up_allowed`: every well-formed attempt counts,
so that the answer « un compte existe déjà » cannot be asked for a list of e-mails); the
account's creation is a line of the audit log written by « visiteur », without the password.
"""

from __future__ import annotations

import sqlalchemy as sa

from tremplin.accounts import lockout
from tremplin.accounts.accounts import Account, create_account
from tremplin.accounts.passwords import check_strength
from tremplin.accounts.policy import VISITOR
from tremplin.errors import InputError
from tremplin.store.audit import Actor

SIGN_UP_ROLE = "candidat"
"""The only role an account may be created with by its own person."""


def sign_up(
    engine: sa.Engine, email: str, password: str, confirmation: str, address: str
) -> Account:
    """Create the candidate account of ``email``. Raises
    :class:`~tremplin.errors.TooManyAttempts` when ``address`` tried too many sign-ups,
    :class:`InputError` for a bad e-mail, a weak password, two passwords that differ or an
    e-mail already taken."""
    if password != confirmation:
        raise InputError(
            "les deux mots de passe diffèrent",
            where=["confirmation"],
            expected="le même mot de passe deux fois",
        )
    check_strength(password)
    # Counted once the form is well formed: what a script would send to learn which e-mails
    # have an account.
    with engine.begin() as conn:
        lockout.check_sign_up_allowed(conn, address)
        lockout.record_sign_up(conn, address)
    with engine.begin() as conn:
        return create_account(
            conn, Actor(VISITOR), email=email, password=password, role=SIGN_UP_ROLE
        )
