"""The simulations' pages (``web/simulations/pages.py``): the form, a result, two side by side;
on a store of the real files that cohorts read."""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.web.client import Posted, WebClient
from tests.web.reading import estimate, page_text, plain
from tests.web.stores import CHAUDRONNERIE, EXAMPLE, OYONNAX, SEEDS, VILLEURBANNE
from tremplin.jobs.kinds import SIMULATION, JobContext
from tremplin.reports.scenario_figures import format_difference, format_interval, format_mean
from tremplin.scenarios.scenario_comparison import Comparison
from tremplin.web.shared.auth import CSRF_COOKIE


@pytest.fixture
def client(simulations_client: WebClient) -> WebClient:
    return simulations_client


pytestmark = pytest.mark.realdata


def test_the_result_page_shows_before_after_and_intervals(
    client: WebClient, oyonnax: Posted
) -> None:
    answer = client.get(f"/simulations/{oyonnax.id}")
    assert answer.status_code == 200
    html = plain(answer.text)
    assert '<html lang="fr">' in answer.text
    assert 'http-equiv="refresh"' not in html  # done: the page no longer reloads itself
    for row in oyonnax.result["indicators"]:
        key = row["key"]
        cells = re.search(
            rf'<tr data-indicateur="{key}"[^>]*>(.*?)</tr>',
            html[html.index("tableau-avant-apres") :],
            re.S,
        )
        assert cells is not None, key
        values = dict(re.findall(r'data-valeur="(\w+)">([^<]*)<', cells.group(1)))
        difference = estimate(row["difference"])
        if row["before"] is not None:
            assert values["avant"] == plain(format_mean(key, estimate(row["before"])))
            assert values["apres"] == plain(format_mean(key, estimate(row["after"])))
            assert values["difference"] == plain(format_difference(key, difference))
        assert values["intervalle"] == plain(format_interval(key, difference))
    text = page_text(answer.text)
    for words in (
        "Chaudronnerie à Oyonnax",
        "Région : Auvergne-Rhône-Alpes — 1re professionnelle (après la 2nde)",
        "2 cohortes (graines 1 à 2)",
        f"Ouvrir 15 places : LYCÉE POLYVALENT PAUL PAINLEVÉ (Oyonnax, {OYONNAX})",
        f"Retirer 15 places : LYCÉE POLYVALENT FRÉDÉRIC FAŸS (Villeurbanne, {VILLEURBANNE})",
        "1ERPRO TECH.CHAUDRONNERIE INDUSTRIELLE",
        "Élèves affectés",
        "Taux d'affectation sur le premier vœu",
        "Élèves qui perdent leur place",
        "IC 95 %",
        "Industrie",
        "Non boursiers",
        "Lyon",
        "Sources : Affelnet — offres détaillées de 1re professionnelle et affectés "
        "(affelnet1PROspe.csv)",
    ):
        assert words in text, words
    assert re.search(r"\d+ élèves et \d+ offres simulés", text)
    assert re.search(r"\[−?\d+,\d ; −?\d+,\d\]", text)  # an interval, French decimals
    assert 'id="graphique-offres"' in html and "affectés, 15 places" in html
    assert "None" not in text and "nan" not in text.lower().split()


def test_the_simulations_page_offers_the_planners_example(
    client: WebClient, oyonnax: Posted
) -> None:
    answer = client.get("/simulations")
    assert answer.status_code == 200
    html = answer.text
    assert '<a class="fr-nav__link" href="/simulations" aria-current="page">Simulations</a>' in html
    for value in (OYONNAX, VILLEURBANNE, CHAUDRONNERIE, "-15"):
        assert f'value="{value}"' in html, value
    text = page_text(html)
    assert "LYCÉE POLYVALENT PAUL PAINLEVÉ (Oyonnax)" in text
    assert "offre à ouvrir (absente aujourd’hui)" in text
    assert re.search(r"offre existante : \d+ places, \d+ vœux 1", text)
    assert f'<a href="/simulations/{oyonnax.id}">Chaudronnerie à Oyonnax</a>' in html
    assert '<option value="region:84" selected>Région : Auvergne-Rhône-Alpes</option>' in html
    assert f'<option value="{OYONNAX}" label="' in html  # suggestions while typing


FORM_TOKEN = "jeton-du-formulaire"
"""The CSRF token the form carries, equal to the cookie the page set (see _HEADERS)."""
_HEADERS = {
    "content-type": "application/x-www-form-urlencoded",
    "cookie": f"{CSRF_COOKIE}={FORM_TOKEN}",
}


def _form(**changed: Any) -> bytes:
    fields: list[tuple[str, str]] = [
        ("csrf", FORM_TOKEN),
        ("titre", "Par le formulaire"),
        ("territoire", "region:84"),
        ("palier", ""),
        ("graines", str(SEEDS)),
    ]
    rows = changed.pop("rows", [("ouvrir", OYONNAX, CHAUDRONNERIE, "15", "", "")])
    rows = [*rows, ("ouvrir", "", "", "", "", "")]  # an empty change: ignored
    for row in rows:
        fields += list(
            zip(
                ("action", "uai", "mef_stat_11", "places", "vers_uai", "vers_mef_stat_11"),
                row,
                strict=True,
            )
        )
    return urlencode(fields).encode()


def test_the_form_queues_a_scenario_or_says_why_not(client: WebClient) -> None:
    headers = _HEADERS
    answer = client.request("POST", "/simulations", content=_form(), headers=headers)
    assert answer.status_code == 303
    identifier = answer.headers["location"].rsplit("/", 1)[1]
    result = client.finished(identifier)
    assert result["statut"] == "terminee"
    assert result["scenario"]["changements"] == [
        {"action": "ouvrir", "uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE, "places": 15}
    ]
    bad = _form(rows=[("ajuster", VILLEURBANNE, CHAUDRONNERIE, "−500", "", "")])
    answer = client.request("POST", "/simulations", content=bad, headers=headers)
    assert answer.status_code == 422
    text = page_text(answer.text)
    assert "Le scénario ne peut pas être simulé" in text
    assert re.search(rf"l'offre {VILLEURBANNE} × {CHAUDRONNERIE} n'a que \d+ place", text)
    assert 'value="−500"' in answer.text  # what was typed is kept
    wrong = _form(rows=[("ouvrir", OYONNAX, CHAUDRONNERIE, "quinze", "", "")])
    answer = client.request("POST", "/simulations", content=wrong, headers=headers)
    assert "« places » doit être un nombre entier" in page_text(answer.text)


def test_the_form_looks_up_what_the_planner_picked(client: WebClient) -> None:
    query = urlencode({"uai": VILLEURBANNE, "mef_stat_11": CHAUDRONNERIE, "vers_uai": OYONNAX})
    text = page_text(client.get(f"/simulations/offre?{query}").text)
    assert "LYCÉE POLYVALENT FRÉDÉRIC FAŸS (Villeurbanne)" in text
    assert re.search(r"offre existante : \d+ places, \d+ vœux 1", text)
    assert "→ vers LYCÉE POLYVALENT PAUL PAINLEVÉ (Oyonnax)" in text and "offre à ouvrir" in text
    unknown = page_text(client.get("/simulations/offre?uai=9999999Z&mef_stat_11=1").text)
    assert "UAI 9999999Z inconnu des données chargées" in unknown
    assert "MEF 1 absente de l’offre Affelnet" in unknown
    row = client.get("/simulations/changement").text
    assert 'name="uai"' in row and 'hx-get="/simulations/offre"' in row


def test_two_simulations_side_by_side(client: WebClient, oyonnax: Posted, transfer: Posted) -> None:
    assert transfer.result["statut"] == "terminee", transfer.result["message"]
    answer = client.get(f"/simulations/comparer?a={oyonnax.id}&b={transfer.id}")
    assert answer.status_code == 200
    html = plain(answer.text)
    text = page_text(answer.text)
    assert "A — Chaudronnerie à Oyonnax" in text
    assert "B — Transfert de 10 places vers Oyonnax" in text
    assert "Transférer 10 places de LYCÉE POLYVALENT FRÉDÉRIC FAŸS" in text
    table = html[html.index('id="tableau-comparaison"') :]
    for side, posted in (("a", oyonnax), ("b", transfer)):
        for row in posted.result["indicators"]:
            if row["before"] is None:
                continue
            key = row["key"]
            found = re.search(
                rf'<tr data-indicateur="{key}".*?data-simulation="{side}" data-valeur="apres">'
                r"([^<]*)<",
                table,
                re.S,
            )
            assert found is not None, (side, key)
            assert found.group(1) == plain(format_mean(key, estimate(row["after"])))
    assert 'id="tableau-comparaison-groupes"' in html and "Périmètre : Industrie" in text
    assert 'id="graphique-comparaison"' in html
    assert "A — PAUL PAINLEVÉ (Oyonnax)" in html and "B — FRÉDÉRIC FAŸS (Villeurbanne)" in html
    # The list of simulations offers the comparison once two are done.
    assert 'id="formulaire-comparer"' in client.get("/simulations").text
    assert client.get("/simulations/comparer?a=inconnue").status_code == 404
    assert "Choisir deux simulations terminées" in page_text(
        client.get("/simulations/comparer").text
    )


def test_a_running_simulation_reloads_its_page_until_done(
    real_store_url: str, direct: Comparison
) -> None:
    # The application's service checks and queues the scenario for real; the job's runner
    # waits for the test to let it finish, then gives the library's comparison.
    release = threading.Event()

    def run(context: JobContext, parameters: Any, progress: Any) -> dict[str, Any]:
        progress(1)
        release.wait(30)
        return direct.as_dict()

    waiting = WebClient.on(real_store_url)
    waiting.run_jobs_with({SIMULATION: run})
    try:
        created = waiting.post("/api/v1/simulations", EXAMPLE)
        assert created.status_code == 202, created.text
        identifier = created.json()["id"]
        page = waiting.get(f"/simulations/{identifier}")
        assert '<meta http-equiv="refresh" content="2">' in page.text
        # Queued, or started (its first cohort counted or not yet): the page says which.
        assert re.search(
            r"Simulation (en cours : [01] cohorte\(s\) sur 2|en attente)", page_text(page.text)
        )
        assert 'id="tableau-avant-apres"' not in page.text
        assert 'id="formulaire-annulation"' in page.text
        assert waiting.get(f"/api/v1/simulations/{identifier}").json()["indicators"] is None
        # A second one waits behind it (one runner): its page's button cancels it.
        second = waiting.post("/api/v1/simulations", EXAMPLE).json()["id"]
        cancelled = waiting.request(
            "POST",
            f"/simulations/{second}/annulation",
            content=urlencode([("csrf", FORM_TOKEN)]).encode(),
            headers=_HEADERS,
        )
        assert cancelled.status_code == 303
        assert cancelled.headers["location"] == f"/simulations/{second}"
        page = waiting.get(f"/simulations/{second}")
        assert "La simulation a été annulée" in page_text(page.text)
        assert 'http-equiv="refresh"' not in page.text
        assert 'id="formulaire-annulation"' not in page.text
        release.set()
        assert waiting.finished(identifier)["statut"] == "terminee"
        page = waiting.get(f"/simulations/{identifier}")
        assert 'http-equiv="refresh"' not in page.text and 'id="tableau-avant-apres"' in page.text
        assert 'id="formulaire-annulation"' not in page.text
    finally:
        release.set()
        waiting.close()
