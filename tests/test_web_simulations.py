"""The simulations' API and pages, in-process through ASGI, on a store of the real files that
cohorts read (Affelnet, BCN, territories, establishments, the trade chain of the perimeter):
the planner's example « open 15 places of bac pro Technicien en chaudronnerie industrielle in
Oyonnax and close 15 elsewhere », posted with two cohorts, gives what ``run_scenario`` gives."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest

from tests.scenarios.test_cohorts import SUBSET
from tremplin.config import Settings
from tremplin.diagnostic.facts import build_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.scenario_figures import format_difference, format_interval, format_mean
from tremplin.scenarios.scenario_comparison import Comparison, Estimate, run_scenario
from tremplin.scenarios.scenarios import Scenario
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store
from tremplin.web.app import create_app
from tremplin.web.simulation_jobs import RegistryFull, SimulationJob, SimulationRegistry

pytestmark = pytest.mark.realdata

OYONNAX, VILLEURBANNE, CHAUDRONNERIE = "0010034G", "0690103M", "23820025411"
SEEDS = 2
EXAMPLE: dict[str, Any] = {
    "titre": "Chaudronnerie à Oyonnax",
    "graines": SEEDS,
    "changements": [
        {"action": "ouvrir", "uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE, "places": 15},
        {"action": "ajuster", "uai": VILLEURBANNE, "mef_stat_11": CHAUDRONNERIE, "places": -15},
    ],
}
TRANSFER: dict[str, Any] = {
    "titre": "Transfert de 10 places vers Oyonnax",
    "changements": [
        {
            "action": "transferer",
            "uai": VILLEURBANNE,
            "mef_stat_11": CHAUDRONNERIE,
            "places": 10,
            "vers_uai": OYONNAX,
        }
    ],
}


def load_cohort_store(sources_dir: Path, folder: Path) -> str:
    """A SQLite store of the real files cohorts read; its URL."""
    url = f"sqlite:///{folder / 'tremplin.sqlite'}"
    engine = open_store(url)
    try:
        load_paths(engine, [sources_dir / p for p in SUBSET])
    finally:
        engine.dispose()
    return url


class Client:
    """Requests to the ASGI application in-process (one application for the module: the
    simulations live in its memory)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = create_app(Settings.from_env({"TREMPLIN_DATABASE_URL": url}))

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        async def _send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://tremplin.test") as c:
                return await c.request(method, path, **options)

        return anyio.run(_send)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, document: Any) -> httpx.Response:
        return self.request("POST", path, json=document)

    def finished(self, identifier: str, timeout: float = 120.0) -> dict[str, Any]:
        """The simulation once it is done (polled as a client would)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.get(f"/api/v1/simulations/{identifier}")
            assert answer.status_code == 200, answer.text
            found: dict[str, Any] = answer.json()
            if found["statut"] in ("terminee", "echec"):
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.1)


@pytest.fixture(scope="module")
def store_url(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return load_cohort_store(sources_dir, tmp_path_factory.mktemp("simulations"))


@pytest.fixture(scope="module")
def client(store_url: str) -> Iterator[Client]:
    opened = Client(store_url)
    yield opened
    opened.app.state.simulations.registry.close()


@dataclass(frozen=True)
class Posted:
    id: str
    created: httpx.Response
    result: dict[str, Any]


@pytest.fixture(scope="module")
def oyonnax(client: Client) -> Posted:
    created = client.post("/api/v1/simulations", EXAMPLE)
    identifier = created.json()["id"]
    return Posted(identifier, created, client.finished(identifier))


@pytest.fixture(scope="module")
def transfer(client: Client, oyonnax: Posted) -> Posted:
    created = client.post(f"/api/v1/simulations?graines={SEEDS}&territoire=region:84", TRANSFER)
    identifier = created.json()["id"]
    return Posted(identifier, created, client.finished(identifier))


@pytest.fixture(scope="module")
def direct(store_url: str) -> Comparison:
    """The same scenario through the library, as ``tremplin simulate scenario`` runs it."""
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            facts = build_facts(conn, Perimeter.load(None))
            return run_scenario(
                conn,
                facts,
                Scenario.from_mapping(EXAMPLE),
                territoire="region:84",
                seeds=range(1, SEEDS + 1),
            )
    finally:
        engine.dispose()


def _text(html: str) -> str:
    """The page's words, tags dropped and spaces (narrow, no-break) made plain."""
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _estimate(value: dict[str, float] | None) -> Estimate | None:
    return None if value is None else Estimate(value["mean"], value["low"], value["high"])


# --- API ------------------------------------------------------------------------------------


def test_a_posted_scenario_gives_what_the_library_gives(
    oyonnax: Posted, direct: Comparison
) -> None:
    assert oyonnax.created.status_code == 202
    created = oyonnax.created.json()
    assert created["statut"] in ("en_attente", "en_cours", "terminee")
    assert oyonnax.created.headers["location"] == f"/api/v1/simulations/{oyonnax.id}"
    assert created["page"] == f"/simulations/{oyonnax.id}"
    result = oyonnax.result
    assert result["statut"] == "terminee", result["message"]
    assert result["progression"] == SEEDS and result["message"] is None
    assert datetime.fromisoformat(result["termine_le"]) >= datetime.fromisoformat(result["cree_le"])
    expected = json.loads(json.dumps(direct.as_dict()))
    for key, value in expected.items():
        assert result[key] == value, key
    assert result["palier"] == "2nde" and result["seeds"] == [1, 2]
    overall = {i["key"]: i for i in result["indicators"]}
    assert overall["capacite"]["difference"]["mean"] == 0  # 15 opened, 15 closed
    opened = next(o for o in result["changed_offers"] if o["uai"] == OYONNAX)
    assert (opened["capacity_before"], opened["capacity_after"]) == (0, 15)
    assert opened["commune"] == "Oyonnax"


def test_the_list_names_every_simulation(client: Client, oyonnax: Posted) -> None:
    listed = client.get("/api/v1/simulations").json()
    mine = next(s for s in listed if s["id"] == oyonnax.id)
    assert mine["titre"] == "Chaudronnerie à Oyonnax"
    assert (mine["territoire"], mine["palier"], mine["graines"]) == ("region:84", "2nde", SEEDS)
    assert mine["statut"] == "terminee" and mine["progression"] == SEEDS
    assert datetime.fromisoformat(mine["cree_le"]).tzinfo is not None
    stamps = [s["cree_le"] for s in listed]
    assert stamps == sorted(stamps, reverse=True)


def _change(**fields: Any) -> dict[str, Any]:
    return {"changements": [{"uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE} | fields]}


@pytest.mark.parametrize(
    ("path", "document", "message"),
    [
        ("", _change(action="doubler"), "changement n° 1 : action attendue parmi ouvrir"),
        ("", _change(action="ouvrir"), "changement n° 1 : « places » doit être positif"),
        ("", _change(action="ouvrir", places=1.5), "changements[0].places « 1.5 » : un nombre"),
        (
            "",
            _change(action="ouvrir", places=3, uai=4),
            "changements[0].uai « 4 » : du texte est attendu",
        ),
        ("", {"changements": []}, "au moins un changement"),
        ("", {"changements": "ouvrir"}, "changements « ouvrir » : une liste est attendue"),
        ("", _change(action="fermer"), f"l'offre {OYONNAX} × {CHAUDRONNERIE} est absente"),
        (
            "",
            _change(action="ouvrir", places=3, uai=VILLEURBANNE),
            "existe déjà : utiliser « ajuster »",
        ),
        ("", _change(action="ouvrir", places=3, uai="9999999Z"), "9999999Z inconnu"),
        ("", _change(action="ouvrir", places=3, mef_stat_11="1"), "palier introuvable"),
        ("", _change(action="ouvrir", places=3) | {"graines": 51}, "graines « 51 » : au plus 50"),
        ("?graines=0", _change(action="ouvrir", places=3), "graines « 0 » : au moins 1"),
        ("?territoire=canton:1", _change(action="ouvrir", places=3), "territoire « canton:1 »"),
        ("", _change(action="ouvrir", places=3) | {"territoire": "region:99"}, "aucune offre"),
    ],
)
def test_a_bad_scenario_is_refused_in_french(
    client: Client, path: str, document: dict[str, Any], message: str
) -> None:
    answer = client.post(f"/api/v1/simulations{path}", document)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]


def test_an_unknown_simulation_is_a_404_in_french(client: Client) -> None:
    answer = client.get("/api/v1/simulations/inconnue")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "simulation « inconnue » inconnue"}
    page = client.get("/simulations/inconnue")
    assert page.status_code == 404 and "Page non trouvée" in page.text


def test_openapi_documents_the_simulations(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    post = paths["/api/v1/simulations"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SimulationRequest")
    assert set(post["responses"]) >= {"202", "422"}
    schemas = document["components"]["schemas"]
    request = schemas["SimulationRequest"]["properties"]
    assert request["graines"]["maximum"] == 50 and request["graines"]["default"] == 10
    assert "ouvrir" in schemas["Change"]["properties"]["action"]["enum"]
    result = paths["/api/v1/simulations/{identifier}"]["get"]["responses"]["200"]
    assert result["content"]["application/json"]["schema"]["$ref"].endswith("/SimulationResult")
    for name in ("indicators", "groups", "changed_offers", "statut", "progression"):
        assert schemas["SimulationResult"]["properties"][name].get("description"), name
    assert "terminee" in schemas["SimulationSummary"]["properties"]["statut"]["description"]


# --- pages ----------------------------------------------------------------------------------


def test_the_result_page_shows_before_after_and_intervals(client: Client, oyonnax: Posted) -> None:
    answer = client.get(f"/simulations/{oyonnax.id}")
    assert answer.status_code == 200
    html = _plain(answer.text)
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
        difference = _estimate(row["difference"])
        if row["before"] is not None:
            assert values["avant"] == _plain(format_mean(key, _estimate(row["before"])))
            assert values["apres"] == _plain(format_mean(key, _estimate(row["after"])))
            assert values["difference"] == _plain(format_difference(key, difference))
        assert values["intervalle"] == _plain(format_interval(key, difference))
    text = _text(answer.text)
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


def test_the_simulations_page_offers_the_planners_example(client: Client, oyonnax: Posted) -> None:
    answer = client.get("/simulations")
    assert answer.status_code == 200
    html = answer.text
    assert '<a class="fr-nav__link" href="/simulations" aria-current="page">Simulations</a>' in html
    for value in (OYONNAX, VILLEURBANNE, CHAUDRONNERIE, "-15"):
        assert f'value="{value}"' in html, value
    text = _text(html)
    assert "LYCÉE POLYVALENT PAUL PAINLEVÉ (Oyonnax)" in text
    assert "offre à ouvrir (absente aujourd’hui)" in text
    assert re.search(r"offre existante : \d+ places, \d+ vœux 1", text)
    assert f'<a href="/simulations/{oyonnax.id}">Chaudronnerie à Oyonnax</a>' in html
    assert '<option value="region:84" selected>Région : Auvergne-Rhône-Alpes</option>' in html
    assert f'<option value="{OYONNAX}" label="' in html  # suggestions while typing


def _form(**changed: Any) -> bytes:
    fields: list[tuple[str, str]] = [
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


def test_the_form_queues_a_scenario_or_says_why_not(client: Client) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
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
    text = _text(answer.text)
    assert "Le scénario ne peut pas être simulé" in text
    assert re.search(rf"l'offre {VILLEURBANNE} × {CHAUDRONNERIE} n'a que \d+ place", text)
    assert 'value="−500"' in answer.text  # what was typed is kept
    wrong = _form(rows=[("ouvrir", OYONNAX, CHAUDRONNERIE, "quinze", "", "")])
    answer = client.request("POST", "/simulations", content=wrong, headers=headers)
    assert "« places » doit être un nombre entier" in _text(answer.text)


def test_the_form_looks_up_what_the_planner_picked(client: Client) -> None:
    query = urlencode({"uai": VILLEURBANNE, "mef_stat_11": CHAUDRONNERIE, "vers_uai": OYONNAX})
    text = _text(client.get(f"/simulations/offre?{query}").text)
    assert "LYCÉE POLYVALENT FRÉDÉRIC FAŸS (Villeurbanne)" in text
    assert re.search(r"offre existante : \d+ places, \d+ vœux 1", text)
    assert "→ vers LYCÉE POLYVALENT PAUL PAINLEVÉ (Oyonnax)" in text and "offre à ouvrir" in text
    unknown = _text(client.get("/simulations/offre?uai=9999999Z&mef_stat_11=1").text)
    assert "UAI 9999999Z inconnu des données chargées" in unknown
    assert "MEF 1 absente de l’offre Affelnet" in unknown
    row = client.get("/simulations/changement").text
    assert 'name="uai"' in row and 'hx-get="/simulations/offre"' in row


def test_two_simulations_side_by_side(client: Client, oyonnax: Posted, transfer: Posted) -> None:
    assert transfer.result["statut"] == "terminee", transfer.result["message"]
    answer = client.get(f"/simulations/comparer?a={oyonnax.id}&b={transfer.id}")
    assert answer.status_code == 200
    html = _plain(answer.text)
    text = _text(answer.text)
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
            assert found.group(1) == _plain(format_mean(key, _estimate(row["after"])))
    assert 'id="tableau-comparaison-groupes"' in html and "Périmètre : Industrie" in text
    assert 'id="graphique-comparaison"' in html
    assert "A — PAUL PAINLEVÉ (Oyonnax)" in html and "B — FRÉDÉRIC FAŸS (Villeurbanne)" in html
    # The list of simulations offers the comparison once two are done.
    assert 'id="formulaire-comparer"' in client.get("/simulations").text
    assert client.get("/simulations/comparer?a=inconnue").status_code == 404
    assert "Choisir deux simulations terminées" in _text(client.get("/simulations/comparer").text)


def test_a_running_simulation_reloads_its_page_until_done(
    store_url: str, direct: Comparison
) -> None:
    # The application's service checks the scenario for real; the registry's runner waits for
    # the test to let it finish, then gives the library's comparison.
    release = threading.Event()

    def run(job: SimulationJob, progress: Any) -> Comparison:
        progress(1)
        release.wait(30)
        return direct

    waiting = Client(store_url)
    waiting.app.state.simulations.registry = SimulationRegistry(run)
    try:
        created = waiting.post("/api/v1/simulations", EXAMPLE)
        assert created.status_code == 202, created.text
        identifier = created.json()["id"]
        page = waiting.get(f"/simulations/{identifier}")
        assert '<meta http-equiv="refresh" content="2">' in page.text
        assert re.search(
            r"Simulation (en cours : 1 cohorte\(s\) sur 2|en attente)", _text(page.text)
        )
        assert 'id="tableau-avant-apres"' not in page.text
        assert waiting.get(f"/api/v1/simulations/{identifier}").json()["indicators"] is None
        release.set()
        assert waiting.finished(identifier)["statut"] == "terminee"
        page = waiting.get(f"/simulations/{identifier}")
        assert 'http-equiv="refresh"' not in page.text and 'id="tableau-avant-apres"' in page.text
    finally:
        release.set()
        waiting.app.state.simulations.registry.close()


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_runs_one_at_a_time_and_forgets_the_oldest(direct: Comparison) -> None:
    release = threading.Event()
    ran: list[str] = []

    def run(job: SimulationJob, progress: Any) -> Comparison:
        release.wait(10)
        ran.append(job.id)
        if job.scenario.titre == "raté":
            raise RuntimeError("boom")
        progress(1)
        return direct

    registry = SimulationRegistry(run, kept=2)
    scenario = Scenario.from_mapping(EXAMPLE)
    try:
        first = registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        second = registry.submit(
            Scenario.from_mapping(EXAMPLE | {"titre": "raté"}),
            territoire="region:84",
            palier="2nde",
            graines=1,
        )
        with pytest.raises(RegistryFull, match="déjà en attente ou en cours"):
            registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        assert {first.statut, second.statut} <= {"en_attente", "en_cours"}
        release.set()
        deadline = time.monotonic() + 10
        while not (first.finished and second.finished):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert ran == [first.id, second.id]  # in order, one after the other
        assert first.statut == "terminee" and first.comparison is direct
        assert second.statut == "echec" and second.message is not None
        assert "erreur interne" in second.message
        third = registry.submit(scenario, territoire="region:84", palier="2nde", graines=1)
        assert registry.jobs()[0].id == third.id
        assert registry.get(first.id) is None  # the oldest finished one made room
    finally:
        release.set()
        registry.close()
