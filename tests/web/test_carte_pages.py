"""The carte's pages through the application in-process: a campaign created from its form, a
request drafted, edited with its version (a stale form is refused with who changed it and keeps
what was typed), moved in bulk with the CSRF token, validated only by the Région, opinions, the
counts page and the restitution, attachments sent through the request's form, the committee's
note (PDF)."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import polars as pl
import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, Person, create, create_everyone
from tests.planning.samples import STEPS
from tests.reports.pdf_reading import is_pdf, page_count, titles
from tests.web.accounts import cookie_header, web_login
from tests.web.client import WebClient
from tremplin.accounts.accounts import Account, find_account
from tremplin.diagnostic.facts import stored_facts
from tremplin.planning.requests import get_request, history
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.audit import read_audit
from tremplin.web.shared.auth import CSRF_COOKIE

REQUEST_FORM = {
    "campagne": "1",
    "type": "augmentation_nette",
    "uai": "0010034G",
    "mef_stat_11": "24020022710",
    "rentree": "2025",
    "capacite_scolaire_avant": "15",
    "capacite_scolaire_apres": "24",
    "motifs": "besoins_economiques_locaux",
    "partenaires": "UIMM de l’Ain",
}


@pytest.fixture
def everyone(store_client: WebClient, store: sa.Engine) -> dict[str, Account]:
    return create_everyone(store)


def _post(client: WebClient, cookies: dict[str, str], path: str, form: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.request(
        "POST", path, data={"csrf": cookies[CSRF_COOKIE], **form}, headers=cookie_header(cookies)
    )


def _get(client: WebClient, cookies: dict[str, str], path: str):  # type: ignore[no-untyped-def]
    return client.request("GET", path, headers=cookie_header(cookies))


def _campaign_and_request(client: WebClient, region: dict[str, str]) -> None:
    made = _post(client, region, "/carte/campagnes", {"nom": "Carte 2025", "annee": "2024"})
    assert made.status_code == 303 and made.headers["location"] == "/carte/campagnes/1"
    drafted = _post(client, region, "/carte/demandes", REQUEST_FORM)
    assert drafted.status_code == 303, drafted.text
    assert drafted.headers["location"] == "/carte/demandes/1"


def _to_the_vote(client: WebClient, cookies: dict[str, str]) -> None:
    """Move request 1 of campaign 1 from its draft to « prêt pour le vote » with the bulk form."""
    for status in STEPS:
        moved = _post(
            client, cookies, "/carte/campagnes/1/statuts", {"demandes": ["1"], "statut": status}
        )
        assert moved.status_code == 303, moved.text


def test_a_campaign_and_a_request_go_from_draft_to_the_vote(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    # On a store without the establishments' files, a request knows only the département of
    # its UAI: the planner of that département (the académie's planner needs the files).
    ain = Person("pilote", "pilote.ain@ac-lyon.test", territoire="departement:01")
    with store.begin() as conn:
        create(conn, ain)
    pilote = web_login(store_client, ain.email)
    uimm = web_login(store_client, PEOPLE["partenaire_industrie"].email)
    _campaign_and_request(store_client, region)
    page = _get(store_client, pilote, "/carte/campagnes/1")
    assert page.status_code == 200 and 'id="choix-1"' in page.text
    _to_the_vote(store_client, pilote)
    opinion = _post(
        store_client, uimm, "/carte/demandes/1/avis",
        {"type_avis": "consultatif", "avis": "favorable", "commentaire_avis": "besoin avéré"},
    )  # fmt: skip
    assert opinion.status_code == 303
    refused = _post(
        store_client, pilote, "/carte/demandes/1/statut", {"statut": "validee", "version": "5"}
    )
    assert refused.status_code == 403
    assert "seule la Région" in refused.text
    validated = _post(
        store_client, region, "/carte/demandes/1/statut", {"statut": "validee", "version": "5"}
    )
    assert validated.status_code == 303, validated.text
    shown = _get(store_client, uimm, "/carte/demandes/1")
    assert "Demande validée" in shown.text
    assert "Avis consultatif — Favorable" in shown.text and "(UIMM," in shown.text
    with store.connect() as conn:
        assert [e.statut_apres for e in history(conn, 1)][-1] == "validee"
        actions = read_audit(conn)["action"].to_list()
    assert actions.count("demande.statuer") == 5 and "demande.avis" in actions


def test_a_stale_edit_says_who_changed_the_request_and_keeps_what_was_typed(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    head = web_login(store_client, PEOPLE["chef_etablissement"].email)
    _campaign_and_request(store_client, region)
    form = {**REQUEST_FORM, "version": "1"}
    first = _post(
        store_client, head, "/carte/demandes/1", {**form, "capacite_scolaire_apres": "30"}
    )
    assert first.status_code == 303, first.text
    second = _post(store_client, region, "/carte/demandes/1", {**form, "commentaire": "ma note"})
    assert second.status_code == 409
    text = " ".join(second.text.split())
    assert f"Cette demande a été modifiée par {PEOPLE['chef_etablissement'].email} le " in text
    assert "rechargez la page" in text
    assert 'value="ma note"' in second.text  # what was typed is still in the form
    with store.connect() as conn:
        kept = get_request(conn, 1)
    assert (kept.version, kept.fields.capacite_scolaire_apres, kept.fields.commentaire) == (
        2,
        30,
        None,
    )


def test_a_refused_request_shows_each_problem_next_to_its_field(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    _post(store_client, region, "/carte/campagnes", {"nom": "Carte 2025", "annee": "2024"})
    answer = _post(
        store_client, region, "/carte/demandes",
        {**REQUEST_FORM, "type": "ouverture_nette", "motifs": "autre"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert re.search(
        r'id="erreur-capacite_scolaire_avant">une ouverture part de 0 place', answer.text
    )
    assert 'id="erreur-autre_motif">le motif « autre » demande une précision' in answer.text


def test_a_new_request_form_is_prefilled_from_the_diagnostics_offer(
    demo_client: WebClient, demo_engine: sa.Engine
) -> None:
    with demo_engine.connect() as conn:
        offres = stored_facts(conn, Perimeter.load(None)).offres
    offer = offres.filter(pl.col("capacite").is_not_null() & (pl.col("source") == "affelnet")).row(
        0, named=True
    )
    person = Person("administrateur", "admin.demo@tremplin.test")
    with demo_engine.begin() as conn:
        if find_account(conn, person.email) is None:
            create(conn, person)
    cookies = web_login(demo_client, person.email)
    console = demo_client.get("/diagnostic/offres?perimetre=tout")
    links = re.findall(r'href="(/carte/demandes/nouvelle\?uai=[^"]+)"', console.text)
    assert links, "the offers' console links each offer to a new request"
    assert _get(demo_client, cookies, links[0].replace("&amp;", "&")).status_code == 200
    page = _get(
        demo_client,
        cookies,
        f"/carte/demandes/nouvelle?uai={offer['uai']}&mef={offer['mef_stat_11']}",
    )
    assert page.status_code == 200
    # Read only, the demo store has no campaign: the form waits for one, the offer is shown.
    text = " ".join(page.text.split())
    assert f"{offer['capacite']} places en voie scolaire" in text
    assert f"(source : affelnet {offer['annee']}) ; les capacités « avant »" in text
    assert 'id="sans-campagne"' in text


def test_counts_page_and_restitution(store_client: WebClient, everyone: dict[str, Account]) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    _campaign_and_request(store_client, region)
    page = _get(store_client, region, "/carte/campagnes/1/indicateurs?par=type")
    assert page.status_code == 200
    assert "Taux de transformation" in page.text and "non calculable" in page.text
    csv = _get(store_client, region, "/carte/campagnes/1/indicateurs.csv?par=type")
    assert csv.status_code == 200
    table = pl.read_csv(io.BytesIO(csv.content), separator=";", comment_prefix="#")
    assert table.row(0, named=True)["Type de demande"] == "augmentation_nette"
    assert table.row(0, named=True)["Demandes validées"] == 0
    assert table.row(0, named=True)["Élèves en première année (constat de rentrée)"] is None
    xlsx = _get(store_client, region, "/carte/campagnes/1/demandes.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(xlsx.content))["Demandes"].iter_rows(values_only=True)
    )
    assert rows[1][1] == "0010034G"
    reader = web_login(store_client, PEOPLE["entreprise"].email)
    assert _get(store_client, reader, "/carte/campagnes/1").status_code == 403


def _attach(
    client: WebClient,
    cookies: dict[str, str],
    name: str,
    content: bytes,
    kind: str,
    csrf: str | None = None,
):  # type: ignore[no-untyped-def]
    return client.request(
        "POST",
        "/carte/demandes/1/pieces",
        data={"csrf": cookies[CSRF_COOKIE] if csrf is None else csrf},
        files={"piece": (name, content, kind)},
        headers=cookie_header(cookies),
    )


def test_attachments_through_the_requests_form(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    _campaign_and_request(store_client, region)
    page = _get(store_client, region, "/carte/demandes/1")
    assert 'enctype="multipart/form-data"' in page.text and "Aucune pièce jointe." in page.text
    letter = b"%PDF-1.7\n" + bytes(range(256)) * 8000  # ~2 Mo: above the 1 Mo of other bodies
    # the browser's declared type is not trusted: the first bytes say PDF
    kept = _attach(store_client, region, "Lettre UIMM.pdf", letter, "application/octet-stream")
    assert kept.status_code == 303, kept.text
    assert kept.headers["location"] == "/carte/demandes/1?piece=1#pieces"
    shown = _get(store_client, region, "/carte/demandes/1")
    listed = re.search(
        r'<a href="(/api/v1/carte/demandes/1/pieces/(\d+))" download>([^<]+)</a>', shown.text
    )
    assert listed is not None and listed.group(3) == "Lettre UIMM.pdf"
    assert f"({'application/pdf'}, " in shown.text
    downloaded = _get(store_client, region, listed.group(1))
    assert downloaded.status_code == 200 and downloaded.content == letter
    assert downloaded.headers["content-type"] == "application/pdf"
    # a text file named .pdf is refused, and says why in French next to the field
    refused = _attach(store_client, region, "faux.pdf", b"pas un PDF", "application/pdf")
    assert refused.status_code == 422
    assert "pièce « faux.pdf » refusée : type application/pdf" in refused.text
    assert 'id="piece-erreur"' in refused.text
    too_big = _attach(
        store_client,
        region,
        "gros.png",
        b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024),
        "image/png",
    )
    assert (
        too_big.status_code == 422
        and "« gros.png » refusée : fichier de plus de 5 Mo" in too_big.text
    )
    assert "au plus 5 Mo" in too_big.text
    empty = _attach(store_client, region, "vide.pdf", b"", "application/pdf")
    assert empty.status_code == 422 and "fichier vide" in empty.text
    # without the form's CSRF token nothing is kept
    forged = _attach(store_client, region, "b.pdf", b"%PDF-1.4", "application/pdf", csrf="x")
    assert forged.status_code == 403
    # a reader of the request may download but has no form
    uimm = web_login(store_client, PEOPLE["partenaire_industrie"].email)
    read = _get(store_client, uimm, "/carte/demandes/1")
    assert read.status_code == 200 and 'id="formulaire-piece"' not in read.text
    assert _attach(store_client, uimm, "c.pdf", b"%PDF-1.4", "application/pdf").status_code == 403
    with store.connect() as conn:
        audit = read_audit(conn).filter(pl.col("action") == "demande.modifier")
        kept_rows = conn.execute(sa.text("select nom, taille from carte_pieces")).all()
    assert kept_rows == [("Lettre UIMM.pdf", len(letter))]
    assert audit.height == 1


def test_the_committees_note_is_a_pdf_of_the_requests_its_reader_may_see(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    region = web_login(store_client, PEOPLE["region"].email)
    _campaign_and_request(store_client, region)
    _to_the_vote(store_client, region)
    campaign = _get(store_client, region, "/carte/campagnes/1")
    assert 'href="/carte/campagnes/1/note.pdf"' in campaign.text
    note = _get(store_client, region, "/carte/campagnes/1/note.pdf")
    assert note.status_code == 200, note.text
    assert note.headers["content-type"] == "application/pdf"
    assert "note-comite-campagne-1.pdf" in note.headers["content-disposition"]
    assert is_pdf(note.content) and page_count(note.content) >= 2
    heading = "Demande n° 1 — Augmentation nette (prêt pour le vote)"
    assert heading in titles(note.content)
    # a planner of another département reads the campaign without this request
    isere = Person("pilote", "pilote.isere@ac-grenoble.test", territoire="departement:38")
    with store.begin() as conn:
        create(conn, isere)
    other = _get(store_client, web_login(store_client, isere.email), "/carte/campagnes/1/note.pdf")
    assert other.status_code == 200 and is_pdf(other.content)
    assert heading not in titles(other.content)
    # a company does not read the carte's requests; a visitor must log in
    company = web_login(store_client, PEOPLE["entreprise"].email)
    refused = _get(store_client, company, "/carte/campagnes/1/note.pdf")
    assert refused.status_code == 403 and not refused.content.startswith(b"%PDF")
    store_client.cookies.clear()
    anonymous = store_client.request("GET", "/carte/campagnes/1/note.pdf")
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/connexion")
    assert _get(store_client, region, "/carte/campagnes/9/note.pdf").status_code == 404


def test_a_planner_reaches_the_request_form_from_a_territory_of_the_map(
    demo_client: WebClient, demo_engine: sa.Engine
) -> None:
    page = demo_client.get("/diagnostic?maille=departement")
    found = re.search(
        r'<script type="application/json" id="carte-config">(.*?)</script>', page.text
    )
    assert found is not None and 'id="proposer-depuis-la-carte"' in page.text
    config = json.loads(found.group(1))
    assert config["offersColumn"] == "code_departement"
    # The page is the same for all (cached); the policy tells the map who may propose.
    person = Person("administrateur", "admin.demo@tremplin.test")
    with demo_engine.begin() as conn:
        if find_account(conn, person.email) is None:
            create(conn, person)
        offres = stored_facts(conn, Perimeter.load(None)).offres
    cookies = web_login(demo_client, person.email)
    assert demo_client.get(config["proposePolicy"]).json()["autorise"] is False  # a visitor
    assert _get(demo_client, cookies, config["proposePolicy"]).json()["autorise"] is True
    # A territory's link: its offers, each linked to the request form with its UAI and MEF.
    departement = offres.filter(pl.col("source") == "affelnet").row(0, named=True)[
        "code_departement"
    ]
    console = demo_client.get(f"{config['offersPage']}&code_departement={departement}")
    links = re.findall(
        r'href="/carte/demandes/nouvelle\?uai=([^"&]+)&amp;mef=([^"&]+)"', console.text
    )
    assert links
    places = offres.select("uai", "code_departement").unique("uai")
    for uai, _ in links:
        assert places.filter(pl.col("uai") == uai).row(0, named=True)["code_departement"] == (
            departement
        )
    uai, mef = links[0]
    form = _get(demo_client, cookies, f"/carte/demandes/nouvelle?uai={uai}&mef={mef}")
    assert form.status_code == 200
    assert 'id="offre-connue"' in form.text and "« avant » en sont remplies" in form.text
