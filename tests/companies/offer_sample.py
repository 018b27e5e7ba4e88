"""An active offer written for a test, as a company would publish it."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.accounts.people import PEOPLE
from tests.companies.sample import Codes
from tremplin.companies.companies import save_company
from tremplin.companies.needs import create_need
from tremplin.companies.offers import Offer, publish_offer
from tremplin.store.audit import COMMAND_LINE, Actor

COMPANY = Actor(COMMAND_LINE)


def an_offer(
    conn: sa.Connection,
    codes: Codes,
    commune: str,
    contrat: str = "apprentissage",
    title: str = "Apprenti",
    *,
    rome: str = "",
    nom: str = "Chaudronnerie",
) -> Offer:
    """An active offer of the company of PEOPLE["entreprise"] (recorded as ``nom``): one
    person at level 4 from in two months, in ``commune``, for ``rome`` (default: the sample's
    trade)."""
    company = save_company(conn, COMPANY, siret=PEOPLE["entreprise"].siret or "", nom=nom)
    need = create_need(
        conn,
        COMPANY,
        company,
        {
            "code_rome": rome or codes.code_rome,
            "nombre": 1,
            "contrat": contrat,
            "niveau": "4",
            "debut": date.today() + timedelta(days=60),
            "code_insee": commune,
        },
    )
    return publish_offer(conn, COMPANY, need, {"intitule": title})
