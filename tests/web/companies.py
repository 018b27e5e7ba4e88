"""A store with a company, its partner of the industry and one need, for the companies' page
tests; logging in through the login form in a browser."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page

from tests.accounts.people import PASSWORD, PEOPLE, Person, create
from tests.companies.candidates import add_application, add_candidate
from tests.companies.sample import sample_codes
from tremplin.companies.companies import save_company
from tremplin.companies.needs import create_need
from tremplin.companies.offers import publish_offer
from tremplin.store.audit import COMMAND_LINE, Actor
from tremplin.store.database import open_store

PEOPLE_OF_STORE: dict[str, Person] = {
    "entreprise": PEOPLE["entreprise"],
    "partenaire_industrie": Person("partenaire_industrie", "emploi@uimm.test", territoire=None),
}
"""The accounts of :func:`company_store` (the partner's territory is the need's département)."""


def company_store(demo_store_url: str, folder: Path) -> str:
    """A copy of the demo store in ``folder`` with the accounts of :data:`PEOPLE_OF_STORE`,
    the company of PEOPLE["entreprise"], its need number 1 published as offer 1 with one
    application, two candidates' profiles, and an unpublished PFMP need; gives its URL."""
    target = folder / "entreprises.sqlite"
    shutil.copyfile(Path(demo_store_url.removeprefix("sqlite:///")), target)
    url = f"sqlite:///{target}"
    engine = open_store(url)
    actor = Actor(COMMAND_LINE)
    try:
        with engine.begin() as conn:
            codes = sample_codes(conn)
            company = PEOPLE_OF_STORE["entreprise"]
            create(conn, company)
            partner = PEOPLE_OF_STORE["partenaire_industrie"]
            create(
                conn,
                Person(partner.role, partner.email, territoire=f"departement:{codes.departement}"),
            )
            assert company.siret is not None
            saved = save_company(conn, actor, siret=company.siret, nom="Chaudronnerie")
            need = create_need(
                conn,
                actor,
                saved,
                {
                    "code_rome": codes.code_rome,
                    "nombre": 2,
                    "contrat": "apprentissage",
                    "code_insee": codes.commune,
                },
            )
            assert need.id == 1
            # Published, expiring within the week: the company page shows its reminder.
            soon = date.today() + timedelta(days=5)
            offer = publish_offer(
                conn, actor, need, {"intitule": "Apprenti chaudronnier", "expire_le": soon}
            )
            assert offer.id == 1
            # A candidate who applied to it (and another, ranked only), and a second
            # apprenticeship need, not published: the page offers to publish it.
            applied = add_candidate(conn, "jeune@jeune.test", codes.commune, codes.code_rome)
            add_candidate(conn, "autre@jeune.test", codes.commune, codes.code_rome)
            add_application(conn, offer.id, applied)
            create_need(
                conn,
                actor,
                saved,
                {
                    "code_rome": codes.code_rome,
                    "nombre": 1,
                    "contrat": "pfmp",
                    "code_insee": codes.commune,
                    "intitule": "Stage de soudure",
                },
            )
    finally:
        engine.dispose()
    return url


def log_in(page: Page, base_url: str, email: str, then: str) -> None:
    """Log in through the login form, then land on ``then`` (a path), settled."""
    page.goto(f"{base_url}/connexion?suivant={then}")
    page.wait_for_load_state("networkidle")
    page.fill("#email", email)
    page.fill("#mot_de_passe", PASSWORD)
    page.click("#formulaire-connexion button[type=submit]")
    page.wait_for_url(base_url + then)
    page.wait_for_load_state("networkidle")
