"""A company's data in its people's rights: exported with the account; deleting the last
account of a company deletes the company and its needs, and the other accounts' deletion only
erases their link to the needs they wrote."""

from __future__ import annotations

import sqlalchemy as sa

from tests.accounts.people import Person, create
from tests.companies.sample import SIRET, sample_codes
from tremplin.accounts.personal_data import delete_account
from tremplin.companies.companies import find_company, save_company
from tremplin.companies.needs import NeedScope, create_need, list_needs
from tremplin.companies.offers import get_offer, list_offers, publish_offer
from tremplin.companies.personal_data import account_company_data, forget_account
from tremplin.store.schema import audit_log

FIRST = Person("entreprise", "rh@forge.test", siret=SIRET)
SECOND = Person("entreprise", "direction@forge.test", siret=SIRET)


def test_the_company_goes_with_its_last_account(needs_engine: sa.Engine) -> None:
    with needs_engine.begin() as conn:
        codes = sample_codes(conn)
        first, second = create(conn, FIRST), create(conn, SECOND)
        company = save_company(conn, first.actor, siret=SIRET, nom="Forge")
        need = {"code_rome": codes.code_rome, "nombre": 1, "contrat": "cdi"}
        apprentice = need | {"contrat": "apprentissage", "code_insee": codes.commune}
        create_need(conn, first.actor, company, need | {"code_insee": codes.commune})
        published = publish_offer(
            conn,
            first.actor,
            create_need(conn, first.actor, company, apprentice),
            {"intitule": "Apprenti forgeron"},
        )
        exported = account_company_data(conn, first)
        assert [o["intitule"] for o in exported["entreprise"]["offres"]] == ["Apprenti forgeron"]
        assert exported["entreprise"]["siret"] == SIRET
        assert [n["nombre"] for n in exported["entreprise"]["besoins"]] == [1, 1]
        assert len(exported["besoins_ecrits"]) == 2

        assert not forget_account(conn, first.actor, first)
        delete_account(conn, first)
        assert find_company(conn, SIRET) is not None
        assert get_offer(conn, published.id).created_by is None
        assert account_company_data(conn, second)["besoins_ecrits"] == []

        assert forget_account(conn, second.actor, second)
        delete_account(conn, second)
        assert find_company(conn, SIRET) is None
        assert list_needs(conn, NeedScope(all=True))[0] == 0
        # (This engine does not enforce foreign keys; the cascade itself is checked with
        # open_store's in tests/companies/test_offers.py.)
        assert list_offers(conn, siret=SIRET)[0] == 0
        # Nothing of either person is left in the audit log's authors or documents.
        lines = conn.execute(sa.select(audit_log.c.actor, audit_log.c.before, audit_log.c.after))
        text = " ".join(str(part) for line in lines for part in line)
        assert FIRST.email not in text and SECOND.email not in text
