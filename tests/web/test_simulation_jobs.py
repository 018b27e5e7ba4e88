"""Simulations as durable jobs, through the application in-process on the real-data store: a
simulation queued when the server stops is run after it starts again, and its result is read
by a fresh server; quotas answer 429 and 503 in French with Retry-After; lists show a visitor
their own simulations only."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

import pytest
import sqlalchemy as sa

from tests.accounts.people import Person, create
from tests.web.accounts import api_token
from tests.web.client import WebClient
from tests.web.reading import page_text
from tests.web.stores import EXAMPLE, SEEDS
from tremplin.jobs import records
from tremplin.jobs.kinds import SIMULATION, JobContext, Kind
from tremplin.scenarios.scenario_comparison import Comparison
from tremplin.store.audit import read_audit
from tremplin.web.shared.auth import CSRF_COOKIE

pytestmark = pytest.mark.realdata


def _held(release: threading.Event, started: threading.Event, result: dict[str, Any]) -> Kind:
    """A simulation that waits for the test, then gives ``result``."""

    def run(context: JobContext, parameters: Mapping[str, Any], progress: Any) -> dict[str, Any]:
        started.set()
        progress(1)
        release.wait(60)
        return result

    return run


def _status(client: WebClient, identifier: str) -> str:
    found: str = client.json(f"/api/v1/simulations/{identifier}")["statut"]
    return found


def test_a_simulation_queued_when_the_server_stops_runs_after_a_restart(
    real_store_url: str, real_engine: sa.Engine, direct: Comparison
) -> None:
    release, started = threading.Event(), threading.Event()
    before = WebClient.on(real_store_url)
    try:
        before.run_jobs_with({SIMULATION: _held(release, started, direct.as_dict())})
        running = before.post("/api/v1/simulations", EXAMPLE).json()["id"]
        assert started.wait(60)
        queued = before.post("/api/v1/simulations", EXAMPLE | {"titre": "Après redémarrage"})
        assert queued.status_code == 202, queued.text
        waiting = queued.json()["id"]
        assert _status(before, waiting) == "en_attente"
        mine = [s["id"] for s in before.json("/api/v1/simulations")]
        assert mine == [waiting, running]
    finally:
        before.close()  # the server stops: the queued simulation stays in the store
        release.set()
    with real_engine.connect() as conn:
        stored = records.get(conn, waiting)
    assert stored is not None and stored.status == records.EN_ATTENTE
    after = WebClient.on(real_store_url)  # starts again, picks the queued simulation up
    try:
        result = after.finished(waiting)
        assert result["statut"] == "terminee", result["message"]
        assert result["progression"] == SEEDS and result["scenario"]["titre"] == "Après redémarrage"
        expected = json.loads(json.dumps(direct.as_dict()))
        for key in ("indicators", "groups", "changed_offers", "pupils", "offers", "seeds"):
            assert result[key] == expected[key], key
    finally:
        after.close()
    # A fresh server reads the finished result from the store: JSON and page.
    fresh = WebClient.on(real_store_url)
    try:
        again = fresh.json(f"/api/v1/simulations/{waiting}")
        assert again == json.loads(json.dumps(result))
        page = fresh.page(f"/simulations/{waiting}")
        assert 'id="tableau-avant-apres"' in page and "Après redémarrage" in page
        # It is read through its id, but this visitor's lists do not name it.
        assert fresh.json("/api/v1/simulations") == []
        assert waiting not in fresh.page("/simulations")
    finally:
        fresh.close()


def test_the_stored_comparison_reads_back_as_computed(direct: Comparison) -> None:
    document = json.loads(json.dumps(direct.as_dict()))
    assert Comparison.from_dict(document).as_dict() == direct.as_dict()


def test_quotas_answer_429_then_503_in_french_with_retry_after(
    real_store_url: str, direct: Comparison
) -> None:
    release, started = threading.Event(), threading.Event()
    client = WebClient.on(real_store_url)
    try:
        client.run_jobs_with({SIMULATION: _held(release, started, direct.as_dict())})
        queue = client.app.state.simulations.queue
        with client.app.state.engine.connect() as conn:
            active = records.active_count(conn)
        queue.per_person, queue.bound = 1, active + 2
        first = client.post("/api/v1/simulations", EXAMPLE)
        assert first.status_code == 202, first.text
        again = client.post("/api/v1/simulations", EXAMPLE)
        assert again.status_code == 429 and again.headers["retry-after"] == "30"
        assert again.json() == {
            "detail": "vous avez déjà 1 simulation en attente ou en cours : réessayer quand "
            "l'une d'elles sera terminée"
        }
        form = client.request(
            "POST",
            "/simulations",
            content=b"csrf=jeton&titre=x&action=ouvrir&uai=0010034G&mef_stat_11=23820025411"
            b"&places=15",
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "cookie": f"{CSRF_COOKIE}=jeton",
            },
        )
        assert form.status_code == 429 and form.headers["retry-after"] == "30"
        assert "vous avez déjà 1 simulation en attente ou en cours" in page_text(form.text)
        client.address = ("192.0.2.7", 4000)  # another person
        other = client.post("/api/v1/simulations", EXAMPLE)
        assert other.status_code == 202, other.text
        client.address = ("192.0.2.8", 4000)  # a third one: the queue is full
        full = client.post("/api/v1/simulations", EXAMPLE)
        assert full.status_code == 503 and full.headers["retry-after"] == "30"
        assert re.fullmatch(
            r"la file des simulations est pleine \(\d+ en attente ou en cours\) : réessayer "
            r"dans quelques minutes",
            full.json()["detail"],
        )
        # Cancelling the queued one makes room.
        cancelled = client.post(f"/api/v1/simulations/{other.json()['id']}/annulation", {})
        assert cancelled.status_code == 200 and cancelled.json()["statut"] == "annulee"
        page = page_text(client.page(f"/simulations/{other.json()['id']}"))
        assert "La simulation a été annulée" in page
        assert client.post("/api/v1/simulations", EXAMPLE).status_code == 202
    finally:
        release.set()
        # Leave nothing queued in the session's store for the next server to run.
        for listed in client.json("/api/v1/simulations"):
            client.post(f"/api/v1/simulations/{listed['id']}/annulation", {})
        client.close()


def test_ids_are_random_and_lists_never_name_other_visitors_simulations(
    real_store_url: str, direct: Comparison
) -> None:
    release, started = threading.Event(), threading.Event()
    alice, bob = WebClient.on(real_store_url), WebClient.on(real_store_url)
    try:
        for client in (alice, bob):
            client.run_jobs_with({SIMULATION: _held(release, started, direct.as_dict())})
        mine = alice.post("/api/v1/simulations", EXAMPLE)
        identifier = mine.json()["id"]
        assert re.fullmatch(r"[0-9a-f]{32}", identifier)
        cookie = mine.headers["set-cookie"]
        assert "tremplin_simulations=" in cookie and "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert [s["id"] for s in alice.json("/api/v1/simulations")] == [identifier]
        assert bob.json("/api/v1/simulations") == []
        assert identifier not in bob.page("/simulations")
        # A forged cookie names nothing that is not an id.
        bob.cookies.set("tremplin_simulations", "' OR 1=1 --.%")
        assert bob.json("/api/v1/simulations") == []
        for probe in (identifier[:12], identifier[:-1] + "x", "0" * 32):
            assert bob.get(f"/api/v1/simulations/{probe}").status_code == 404
        assert bob.json(f"/api/v1/simulations/{identifier}")["id"] == identifier  # by its id
    finally:
        release.set()
        alice.close()
        bob.close()


def test_simulations_queued_and_cancelled_are_in_the_audit_log(
    real_store_url: str, real_engine: sa.Engine, direct: Comparison
) -> None:
    release, started = threading.Event(), threading.Event()
    client = WebClient.on(real_store_url)
    person = Person("pilote", "audit.simulations@ac-lyon.test", territoire="academie:10")
    with real_engine.begin() as conn:
        account = create(conn, person)
    try:
        client.run_jobs_with({SIMULATION: _held(release, started, direct.as_dict())})
        signed = api_token(client, person.email)
        posted = client.request("POST", "/api/v1/simulations", json=EXAMPLE, headers=signed)
        assert posted.status_code == 202, posted.text
        mine = posted.json()["id"]
        assert started.wait(60)
        form = client.request(
            "POST",
            "/simulations",
            content=b"csrf=jeton&titre=Par+le+formulaire&territoire=academie%3A10&graines=1&action=ouvrir"
            b"&uai=0010034G&mef_stat_11=23820025411&places=15",
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "cookie": f"{CSRF_COOKIE}=jeton",
            },
        )
        assert form.status_code == 303, form.text
        theirs = form.headers["location"].rsplit("/", 1)[1]
        path = f"/api/v1/simulations/{mine}/annulation"
        cancelled = client.request("POST", path, headers=signed)
        assert cancelled.json()["statut"] == "annulee", cancelled.text
        assert client.request("POST", path, headers=signed).status_code == 200  # no write
        assert client.request("DELETE", "/api/v1/session", headers=signed).status_code == 204
    finally:
        release.set()
        client.close()
    with real_engine.connect() as conn:
        log = read_audit(conn).to_dicts()
    about = {
        target: [line for line in reversed(log) if line["target"] == target]
        for target in (f"simulation:{mine}", f"simulation:{theirs}", f"compte:{account.id}")
    }
    launched, stopped = about[f"simulation:{mine}"]
    said = {"titre": EXAMPLE["titre"], "territoire": "region:84", "changements": 2}
    assert (launched["actor"], launched["actor_id"]) == (person.email, account.id)
    assert (launched["action"], json.loads(launched["after"])) == ("simulation.lancer", said)
    assert (stopped["actor"], stopped["action"]) == (person.email, "simulation.annuler")
    assert json.loads(stopped["before"]) == said | {"statut": "en_cours"}
    assert json.loads(stopped["after"]) == said | {"statut": "annulee"}
    [anonymous] = about[f"simulation:{theirs}"]
    assert (anonymous["actor"], anonymous["actor_id"]) == ("visiteur", None)
    assert json.loads(anonymous["after"]) == {
        "titre": "Par le formulaire",
        "territoire": "academie:10",
        "changements": 1,
    }
    assert "127.0.0.1" not in json.dumps(about)  # the visitor's address is never kept
    sessions = [(line["action"], line["actor"]) for line in about[f"compte:{account.id}"]]
    assert sessions[1:] == [("session.ouvrir", person.email), ("session.fermer", person.email)]
