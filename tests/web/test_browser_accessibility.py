"""The diagnostic's pages pass axe-core's WCAG 2.1 A and AA rules in Chromium, as a reader finds
them: consoles sorted, filtered by thresholds and on several territories, territory pages
sorted, the glossary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.accounts.people import PASSWORD, PEOPLE, create, create_everyone
from tests.planning.samples import SeededCarte, seeded_carte
from tests.web.browser import Tab, axe_violations, chromium, opened_tab, served
from tests.web.client import web_settings
from tests.web.companies import PEOPLE_OF_STORE, company_store, log_in
from tests.web.runs import finished_run
from tremplin.accounts.accounts import find_account
from tremplin.companies.applying import apply_to
from tremplin.companies.candidates import save_profile
from tremplin.companies.companies import find_company
from tremplin.companies.needs import create_need
from tremplin.companies.offers import get_offer
from tremplin.planning.campaigns import create_campaign
from tremplin.store.audit import COMMAND_LINE, Actor
from tremplin.store.database import open_store
from tremplin.web.app import create_app

pytestmark = pytest.mark.browser

PAGES = (
    "/diagnostic/formations",
    "/diagnostic/offres",
    "/diagnostic/offres?perimetre=tout&min_taux_pression=1,3&tri=taux_pression&ordre=desc",
    "/diagnostic/formations?perimetre=tout&code_departement=01&code_departement=38"
    "&max_taux_remplissage=0.9",
    "/diagnostic/territoire/region/84?perimetre=tout&tri=places&ordre=desc",
    "/diagnostic/metier/famille_fap/D?maille=departement&tri=territoire",
    "/glossaire",
    "/",
    "/sources",
    "/couverture",
    "/diagnostic?maille=departement",
    "/diagnostic/tendances?maille=region&territoire=84",
    "/diagnostic/synthese?maille=region&territoire=84",
    "/simulations",
    "/carte/impact",
    "/carte/impact?changements=0010001W%3B23810020008%3B30%0A0000000X%3B1%3B12",
    "/connexion",
    "/inscription",
    "/donnees-personnelles",
    "/orientation",
    "/orientation/metiers?q=je+veux+r%C3%A9parer+des+machines&commune=07010",
    "/orientation/metiers?q=xqzwv",
    "/orientation/metiers?domaine=H29",
    "/orientation/metier/H2206?commune=38185",
    "/orientation/metier/H1101",
    "/orientation/formations?rome=H2206&commune=38185&niveau=apres-3e",
    "/orientation/formations?rome=H1101&commune=Grenoble&niveau=apres-bac&voie=apprentissage",
    "/orientation/formations?rome=H2206",
)


@pytest.fixture(scope="module")
def base_url(demo_store_url: str) -> Iterator[str]:
    with served(create_app(web_settings(demo_store_url))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("dsfr/dsfr.min.css", "htmx/htmx.min.js") as launched:
        yield launched


@pytest.mark.parametrize("path", PAGES)
def test_page_passes_axe(browser: Browser, base_url: str, path: str) -> None:
    with opened_tab(browser, base_url) as tab:
        page: Tab = tab
        loaded = page.goto(path)
        expect(loaded.locator("html")).to_have_attribute("data-fr-js", "true")
        assert axe_violations(loaded) == []
        page.check()


# --- the carte des formations: pages behind an account, on a copy of the demo store ----------

CARTE_PAGES = (
    "/carte",
    "/carte/campagnes/1",
    "/carte/campagnes/1?statut=validee&tri=uai&ordre=desc",
    "/carte/campagnes/1?impact=toutes",
    "/carte/campagnes/1?impact=validees",
    "/carte/campagnes/1/indicateurs",
    "/carte/campagnes/1/indicateurs?par=niveau",
    "/carte/demandes/1",
    "/carte/demandes/2",
    "/carte/demandes/3",
    "/carte/demandes/nouvelle?campagne=1&uai={uai}&mef={mef}",
)


@pytest.fixture(scope="module")
def carte_site(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SeededCarte]]:
    """The application on a copy of the demo store with campaign 1 and its three requests (one
    validated with opinions, a draft with an attachment and its upload form, one ready for the
    vote) and an administrator; the offer the new-request form names."""
    seeded = seeded_carte(demo_store_url, tmp_path_factory.mktemp("carte"))
    with served(create_app(web_settings(seeded.url))) as address:
        yield address, seeded


@pytest.mark.parametrize("path", CARTE_PAGES)
def test_carte_page_passes_axe(
    browser: Browser, carte_site: tuple[str, SeededCarte], path: str
) -> None:
    base_url, seeded = carte_site
    with opened_tab(browser, base_url) as tab:
        page = tab.page
        page.goto(base_url + "/connexion")
        page.wait_for_load_state("networkidle")
        page.fill("#email", PEOPLE["administrateur"].email)
        page.fill("#mot_de_passe", PASSWORD)
        page.click("#formulaire-connexion button[type=submit]")
        page.wait_for_load_state("networkidle")
        loaded = tab.goto(path.format(uai=seeded.uai, mef=seeded.mef))
        expect(loaded.locator("html")).to_have_attribute("data-fr-js", "true")
        expect(loaded.locator("h1")).not_to_contain_text("Erreur")
        assert axe_violations(loaded) == []
        tab.check()


def test_the_optimiser_pages_pass_axe(browser: Browser, store: sa.Engine, sqlite_url: str) -> None:
    # A planner's pages: the optimiser's form, and a run's page (on an empty store the run
    # fails, and says why).
    create_everyone(store)
    with (
        served(create_app(web_settings(sqlite_url))) as address,
        opened_tab(browser, address) as tab,
    ):
        page = tab.page
        page.goto(address + "/connexion")
        page.wait_for_load_state("networkidle")
        page.fill("#email", PEOPLE["pilote"].email)
        page.fill("#mot_de_passe", PASSWORD)
        page.click("#formulaire-connexion button[type=submit]")
        page.wait_for_load_state("networkidle")
        form = tab.goto("/carte/optimiser")
        expect(form.locator("html")).to_have_attribute("data-fr-js", "true")
        assert axe_violations(form) == []
        form.click("#lancer-optimisation")
        expect(form.locator("#erreur-optimisation")).to_be_visible(timeout=30_000)
        assert "/carte/optimisations/" in form.url
        assert axe_violations(form) == []
        # A finished run with a campaign to add its proposals to, then the notice of one added.
        with store.begin() as conn:
            create_campaign(conn, Actor("carte@tremplin.test"), nom="Carte 2026", annee=2025)
            pilot = find_account(conn, PEOPLE["pilote"].email)
        assert pilot is not None
        run = finished_run(store, pilot)
        for path in (f"/carte/optimisations/{run}", f"/carte/optimisations/{run}?demande=1"):
            shown = tab.goto(path)
            expect(shown.locator("#ajouter-1")).to_be_visible()
            assert axe_violations(shown) == []


COMPANY_PAGES = (
    ("entreprise", "/entreprise"),
    ("entreprise", "/entreprise/besoins/{besoin}"),
    ("partenaire_industrie", "/partenaire/besoins"),
    ("entreprise", "/entreprise/offres/1"),
    ("entreprise", "/entreprise/offres/1/candidats"),
    ("entreprise", "/entreprise/offres/1/candidatures"),
    ("partenaire_industrie", "/partenaire/candidatures"),
)
"""The companies' pages, as the account that uses them sees them (with one need declared and
published, one application received)."""


@pytest.fixture(scope="module")
def company_url(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the demo store with a company, its partner and one need, served."""
    url = company_store(demo_store_url, tmp_path_factory.mktemp("entreprises"))
    with served(create_app(web_settings(url))) as address:
        yield address


@pytest.mark.parametrize(("role", "path"), COMPANY_PAGES)
def test_company_page_passes_axe(browser: Browser, company_url: str, role: str, path: str) -> None:
    with opened_tab(browser, company_url) as tab:
        target = path.replace("{besoin}", "1")
        log_in(tab.page, company_url, PEOPLE_OF_STORE[role].email, target)
        assert axe_violations(tab.page) == []
        tab.check()


@pytest.fixture(scope="module")
def trainings_need_url(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """The company store with a second need, H2206 in Grenoble (the demo trains for it there),
    served: its page lists trainings and establishments."""
    url = company_store(demo_store_url, tmp_path_factory.mktemp("besoin-formations"))
    engine = open_store(url)
    try:
        with engine.begin() as conn:
            siret = PEOPLE_OF_STORE["entreprise"].siret
            assert siret is not None
            company = find_company(conn, siret)
            assert company is not None
            values = {"code_rome": "H2206", "nombre": 1, "contrat": "cdi", "niveau": "4"}
            need = create_need(conn, Actor(COMMAND_LINE), company, values | {"code_insee": "38185"})
    finally:
        engine.dispose()
    with served(create_app(web_settings(url))) as address:
        yield address, need.id


def test_the_trainings_near_a_need_pass_axe(
    browser: Browser, trainings_need_url: tuple[str, int]
) -> None:
    address, need = trainings_need_url
    with opened_tab(browser, address) as tab:
        log_in(
            tab.page, address, PEOPLE_OF_STORE["entreprise"].email, f"/entreprise/besoins/{need}"
        )
        expect(tab.page.locator("#formations-scolaire")).to_be_visible()
        expect(tab.page.locator("#etablissements-a-contacter")).to_be_visible()
        assert axe_violations(tab.page) == []
        shown = tab.goto(f"/entreprise/besoins/{need}?rayon_km=mille")
        expect(shown.locator("#formations-erreur")).to_be_visible()
        assert axe_violations(shown) == []


CANDIDATE_PAGES = (
    "/candidat/profil",
    "/candidat/profil?recherche=souder",
    "/candidat/offres",
    "/candidat/offres?contrat=pfmp",
    "/candidat/offres/1",
    "/candidat/candidatures",
)
"""The candidate's pages, with a profile and one application (to offer 1 of the store)."""


@pytest.fixture(scope="module")
def candidate_url(demo_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The companies' store with a candidate, their profile near offer 1 and an application
    to it, served."""
    url = company_store(demo_store_url, tmp_path_factory.mktemp("candidats"))
    engine = open_store(url)
    try:
        with engine.begin() as conn:
            me = create(conn, PEOPLE["candidat"])
            offer = get_offer(conn, 1)
            values = {"codes_rome": [offer.need.code_rome], "code_insee": offer.need.code_insee}
            save_profile(conn, me.actor, me.id, values | {"rayon_km": 20, "consentement": True})
            apply_to(conn, me.actor, me.id, 1, "Bonjour")
    finally:
        engine.dispose()
    with served(create_app(web_settings(url))) as address:
        yield address


@pytest.mark.parametrize("path", CANDIDATE_PAGES)
def test_candidate_page_passes_axe(browser: Browser, candidate_url: str, path: str) -> None:
    with opened_tab(browser, candidate_url) as tab:
        log_in(tab.page, candidate_url, PEOPLE["candidat"].email, path)
        expect(tab.page.locator("h1")).not_to_contain_text("Erreur")
        assert axe_violations(tab.page) == []
        tab.check()
