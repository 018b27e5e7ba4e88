"""What the candidates' pages and API share: signing up, the candidate of the session, their
profile, the quota of their writes and a write's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import sqlalchemy as sa
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from tremplin.accounts.accounts import Account
from tremplin.accounts.sessions import Opened, open_session
from tremplin.accounts.signup import sign_up
from tremplin.companies.applying import CANDIDATE_WRITES
from tremplin.companies.candidates import Profile, get_profile
from tremplin.companies.quotas import check_write_quota
from tremplin.store.audit import Actor, record
from tremplin.web.accounts.service import FORM_LIMIT, client_address, signed_in
from tremplin.web.shared.templating import request_engine, request_settings

T = TypeVar("T")


async def read_fields(request: Request) -> dict[str, list[str]]:
    """Every value of each field of a posted form (a field may repeat: the trades wished)."""
    body = await request.body()
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(body[:FORM_LIMIT].decode("utf-8", errors="replace")):
        values.setdefault(name, []).append(value)
    return values


async def create_candidate(
    request: Request, email: str, password: str, confirmation: str, kind: str | None
) -> tuple[Account, Opened | None]:
    """Sign up (the password's hash costs ~35 ms of CPU: in a thread); with ``kind``, a
    session of that kind opened for the new account at once."""

    def work() -> tuple[Account, Opened | None]:
        engine = request_engine(request)
        account = sign_up(engine, email, password, confirmation, client_address(request))
        if kind is None:
            return account, None
        with engine.begin() as conn:
            opened = open_session(conn, account, kind)
            record(
                conn, account.actor, "session.ouvrir", f"compte:{account.id}", after={"type": kind}
            )
        return account, opened

    return await run_in_threadpool(work)


def my_profile(request: Request, conn: sa.Connection) -> Profile | None:
    """The profile of the session's candidate, or None."""
    return get_profile(conn, signed_in(request).id)


def candidate_write(request: Request, work: Callable[[sa.Connection, Actor, int], T]) -> T:
    """Run ``work(conn, actor, account id)`` in one transaction, after checking the
    candidate's write quota (``TREMPLIN_CANDIDATURES_PAR_HEURE``)."""
    account = signed_in(request)
    with request_engine(request).begin() as conn:
        check_write_quota(
            conn,
            account.id,
            request_settings(request).candidatures_par_heure,
            actions=CANDIDATE_WRITES,
        )
        return work(conn, account.actor, account.id)
