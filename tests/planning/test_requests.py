"""Requests in the store, on SQLite and PostgreSQL: created with their history and audit line,
edited with optimistic locking (two clients: the second is told who changed the request and
loses nothing), moved through the workflow one by one and in bulk (all or nothing), opinions
and attachments."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.planning.samples import FIELDS
from tremplin.errors import InputError, NotFound
from tremplin.planning import workflow
from tremplin.planning.attachments import add_attachment, attachment_content, attachments
from tremplin.planning.campaigns import create_campaign, list_campaigns, set_campaign_status
from tremplin.planning.opinions import give_opinion, opinions
from tremplin.planning.requests import (
    StaleRequest,
    change_status,
    change_statuses,
    create_request,
    get_request,
    history,
    list_requests,
    replayed_status,
    update_request,
)
from tremplin.planning.validators import RequestRefused
from tremplin.planning.vocabulary import STATUSES
from tremplin.store.audit import Actor, read_audit
from tremplin.store.database import open_store

ALICE = Actor("alice@region.test", 1)
BOB = Actor("bob@uimm.test", 2)
TO_VOTE = ("proposition", "dossier_complet", "projet_de_demande", "pret_pour_le_vote")


def _campaign(conn: sa.Connection) -> int:
    return create_campaign(conn, ALICE, nom="Carte 2025", annee=2024).id


def test_a_request_is_created_with_its_history_and_audit_line(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        campaign = _campaign(conn)
        made = create_request(conn, ALICE, campaign, FIELDS, territoires=["departement:01"])
    assert (made.statut, made.version, made.fields) == ("brouillon", 1, FIELDS)
    with any_store.connect() as conn:
        assert get_request(conn, made.id) == made
        entries = history(conn, made.id)
        audit = read_audit(conn)
        assert [c.created_by for c in list_campaigns(conn)] == [ALICE.label]
    assert [(e.statut_avant, e.statut_apres) for e in entries] == [(None, "brouillon")]
    assert entries[0].changements["capacite_scolaire_apres"] == [None, 24]
    assert audit["action"].to_list() == ["demande.proposer", "campagne.gerer"]
    assert json.loads(audit["after"][0])["uai"] == "0010001W"


def test_two_people_editing_one_request_do_not_lose_each_others_work(
    any_store: sa.Engine, database_url: str
) -> None:
    with any_store.begin() as conn:
        made = create_request(conn, ALICE, _campaign(conn), FIELDS)
    other = open_store(database_url)  # a second process, its own connections
    try:
        with other.begin() as conn:  # Bob saves first, from version 1
            update_request(conn, BOB, made.id, 1, replace(FIELDS, capacite_scolaire_apres=30))
        with pytest.raises(StaleRequest) as stale, any_store.begin() as conn:
            update_request(conn, ALICE, made.id, 1, replace(FIELDS, commentaire="mon ajout"))
    finally:
        other.dispose()
    message = str(stale.value)
    assert message.startswith("Cette demande a été modifiée par bob@uimm.test le ")
    assert "rechargez" in message
    assert stale.value.status == 409
    with any_store.connect() as conn:
        kept = get_request(conn, made.id)
        assert [e.auteur for e in history(conn, made.id)] == [ALICE.label, BOB.label]
    assert (kept.version, kept.fields.capacite_scolaire_apres, kept.fields.commentaire) == (
        2,
        30,
        None,
    )
    with any_store.begin() as conn:  # reloaded, Alice saves on version 2
        again = update_request(conn, ALICE, made.id, 2, replace(kept.fields, commentaire="ajout"))
    assert (again.version, again.fields.capacite_scolaire_apres) == (3, 30)


def test_a_second_request_for_one_offer_is_refused_unless_the_first_is_deleted(
    any_store: sa.Engine,
) -> None:
    with any_store.begin() as conn:
        campaign = _campaign(conn)
        first = create_request(conn, ALICE, campaign, FIELDS)
    with pytest.raises(RequestRefused, match=f"demande n° {first.id}"), any_store.begin() as conn:
        create_request(conn, BOB, campaign, FIELDS)
    with any_store.begin() as conn:
        change_status(conn, ALICE, first.id, "supprimee")
        second = create_request(conn, BOB, campaign, FIELDS)
    assert second.id != first.id


def test_bulk_status_changes_are_all_or_nothing(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        campaign = _campaign(conn)
        ids = [
            create_request(conn, ALICE, campaign, replace(FIELDS, mef_stat_11=f"2402002271{i}")).id
            for i in range(3)
        ]
        change_status(conn, ALICE, ids[2], "supprimee")
    with pytest.raises(InputError) as refused, any_store.begin() as conn:
        change_statuses(conn, ALICE, ids, "proposition")
    assert refused.value.where[0] == f"demande n° {ids[2]}"
    with any_store.connect() as conn:
        assert [r.statut for r in list_requests(conn, campaign)] == [
            "brouillon",
            "brouillon",
            "supprimee",
        ]
    with any_store.begin() as conn:
        moved = change_statuses(conn, ALICE, ids[:2], "proposition", comment="dépôt")
    assert [r.statut for r in moved] == ["proposition", "proposition"]
    with any_store.connect() as conn:
        assert list_requests(conn, campaign, statuts=["proposition"]) == moved
        assert history(conn, ids[0])[-1].commentaire == "dépôt"


def test_a_request_moves_to_the_vote_and_is_validated_once(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        made = create_request(conn, ALICE, _campaign(conn), FIELDS)
        for status in TO_VOTE:
            made = change_status(conn, ALICE, made.id, status)
        give_opinion(conn, BOB, made.id, type="consultatif", avis="favorable", fonction="UIMM")
        made = change_status(conn, ALICE, made.id, "validee")
    with pytest.raises(InputError, match="ne se modifie plus"), any_store.begin() as conn:
        update_request(conn, ALICE, made.id, made.version, FIELDS)
    with any_store.connect() as conn:
        entries = history(conn, made.id)
        found = opinions(conn, made.id)
    assert replayed_status(entries) == "validee" == made.statut
    assert [(o.fonction, o.avis, o.type) for o in found] == [("UIMM", "favorable", "consultatif")]


def test_opinions_and_attachments_are_checked(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        made = create_request(conn, ALICE, _campaign(conn), FIELDS)
    with pytest.raises(InputError, match="brouillon"), any_store.begin() as conn:
        give_opinion(conn, BOB, made.id, type="final", avis="favorable", fonction="Région")
    with any_store.begin() as conn:
        change_status(conn, ALICE, made.id, "proposition")
    with pytest.raises(InputError) as refused, any_store.begin() as conn:
        give_opinion(conn, BOB, made.id, type="final", avis="peut-être", fonction="Région")
    assert refused.value.where == ("avis",)
    pdf = b"%PDF-1.4\n" + b"x" * 100
    with any_store.begin() as conn:
        kept = add_attachment(conn, BOB, made.id, "lettre de soutien.pdf", "application/pdf", pdf)
    with pytest.raises(InputError, match="PDF, PNG ou JPEG"), any_store.begin() as conn:
        add_attachment(conn, BOB, made.id, "macro.pdf", "application/pdf", b"MZ\x90\x00")
    with any_store.connect() as conn:
        assert [a.nom for a in attachments(conn, made.id)] == ["lettre de soutien.pdf"]
        assert attachment_content(conn, made.id, kept.id)[1] == pdf
        with pytest.raises(NotFound):
            attachment_content(conn, made.id + 1, kept.id)


def test_a_campaign_status_is_one_of_orions(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        campaign = _campaign(conn)
        assert set_campaign_status(conn, ALICE, campaign, "terminee").statut == "terminee"
    with pytest.raises(InputError) as refused, any_store.begin() as conn:
        set_campaign_status(conn, ALICE, campaign, "close")
    assert refused.value.where == ("statut",)
    with pytest.raises(InputError, match="première rentrée"), any_store.begin() as conn:
        create_campaign(conn, ALICE, nom="x", annee=2024, premiere_rentree=2020)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(targets=st.lists(st.sampled_from(sorted(STATUSES)), max_size=15))
def test_a_stored_history_replays_to_the_stored_status(
    store: sa.Engine, targets: list[str]
) -> None:
    with store.begin() as conn:
        campaign = _campaign(conn)
        made = create_request(conn, ALICE, campaign, FIELDS)
        for target in targets:
            if target in workflow.allowed_moves(made.statut):
                made = change_status(conn, BOB, made.id, target)
            else:
                with pytest.raises(InputError):
                    change_status(conn, BOB, made.id, target)
        entries = history(conn, made.id)
    assert replayed_status(entries) == made.statut
    assert made.version == len(entries)
    assert ("validee" not in [e.statut_apres for e in entries]) or any(
        e.statut_apres == "pret_pour_le_vote" for e in entries
    )
