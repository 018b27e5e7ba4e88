"""The steering committee's note: its HTML read against the campaign's figures (Orion's counts
recomputed by the library, the requests' places and opinions as stored, the files of the store),
and the PDF WeasyPrint writes from it (a real PDF, its pages, its bookmarks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.planning.samples import affelnet_entry_rows, seeded_carte
from tests.reports.pdf_reading import is_pdf, page_count, titles
from tremplin import formats
from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.jobs import records
from tremplin.jobs.kinds import SIMULATION, JobContext, simulation_parameters
from tremplin.jobs.records import Job
from tremplin.jobs.runner import JobRunner
from tremplin.planning.campaign_effect import SELECTIONS, scenario_of, selected
from tremplin.planning.campaigns import create_campaign, get_campaign
from tremplin.planning.counts import campaign_counts
from tremplin.planning.requests import list_requests
from tremplin.referentials.perimeter import Perimeter
from tremplin.reports.carte_note import NoteContent, campaign_note, pdf_from_html, pdf_pages
from tremplin.scenarios.scenarios import Scenario
from tremplin.store.audit import Actor
from tremplin.store.database import open_store
from tremplin.store.provenance import list_loaded_files
from tremplin.web.planning.note import note_html
from tremplin.web.shared.templating import create_templates

AT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def carte_engine(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    engine = open_store(seeded_carte(demo_store_url, tmp_path_factory.mktemp("note")).url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def facts(carte_engine: sa.Engine) -> Facts:
    with carte_engine.connect() as conn:
        return stored_facts(conn, Perimeter.load(None))


def _note(engine: sa.Engine, facts: Facts | None, campaign: int = 1) -> tuple[NoteContent, str]:
    with engine.connect() as conn:
        found = list_requests(conn, campaign)
        content = campaign_note(conn, get_campaign(conn, campaign), found, facts, AT)
    return content, note_html(create_templates().env, content)


def _plain(text: str) -> str:
    """``text`` with its spaces, narrow or not, as single spaces (as :func:`_text` reads)."""
    return " ".join(text.split())


def _text(html: str) -> str:
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _section(html: str, identifier: str) -> str:
    match = re.search(rf'<div class="demande" id="{identifier}">(.*?)</div>', html, re.S)
    assert match is not None, identifier
    return _text(match.group(1))


def test_the_note_says_the_campaigns_counts_and_requests(
    carte_engine: sa.Engine, facts: Facts
) -> None:
    content, html = _note(carte_engine, facts)
    text = _text(html)
    with carte_engine.connect() as conn:
        found = list_requests(conn, 1)
        loaded = list_loaded_files(conn)
    # the campaign, its dates in French, the moment the note was generated (Paris time)
    assert "Campagne Carte 2025 (n° 1), campagne régionale (région 84), année 2024" in text
    assert "Statut : en cours." in text
    assert "Ouverture : 2 septembre 2024 ; clôture : 31 mars 2025." in text
    assert "Note générée le 30 novembre 2026 à 15:05" in text
    # Orion's counts, as the library computes them for the same requests
    total = campaign_counts(found, facts, "niveau").total
    assert total["demandes"] == 3 and total["demandes_validees"] == 1
    assert total["places_fermees"] == 4 and total["places_ouvertes"] == 0
    assert total["effectif_entree"] is not None and total["taux_transformation"] is not None
    share = formats.format_percent(total["taux_transformation"], 2)
    places = "4 places ouvertes, fermées ou colorées"
    assert (
        _plain(
            f"{share} Taux de transformation (cible nationale : 6 %) : {places} "
            f"pour {formats.format_number(total['effectif_entree'])} élèves en première "
            f"année (constat de la rentrée {total['rentree_effectif']}). En deçà de la cible."
        )
        in text
    )
    assert "100 % Ratio de fermeture : 4 places fermées sur 4 ouvertes ou fermées." in text
    assert "(1 demandes validées sur 3)" in text
    # every figure's file and year: the constat and InserJeunes files of the store
    constat = [f for f in loaded if f.dataset == "constat"]
    assert constat and all(f"{f.file_name} ({f.millesime})" in text for f in constat)
    inserjeunes = [f.file_name for f in loaded if f.dataset == "inserjeunes_regions"]
    assert inserjeunes and f"quadrant : {inserjeunes[0]} (millésimes" in text
    # by status and kind
    assert re.search(r"Brouillon 1 Prêt pour le vote 1 Demande validée 1", text)
    assert "Diminution 1 1 0 0 4" in text and "Augmentation nette 2 0 1 0 0" in text
    # the charts, drawn as SVG in the HTML
    for chart in ("graphique-statuts", "graphique-types", "graphique-taux"):
        assert f'<svg id="{chart}"' in html
    # the validated request and the one ready for the vote, not the draft
    assert [r.id for r in content.retained] == [1, 3]
    assert 'id="note-demande-2"' not in html
    first = next(r for r in found if r.id == 1)
    one = _section(html, "note-demande-1")
    before, after = first.fields.capacite_scolaire_avant, first.fields.capacite_scolaire_apres
    assert (
        _plain(
            f"Voie scolaire {formats.format_number(before)} {formats.format_number(after)} "
            f"{formats.format_number(after - before)}"
        )
        in one
    )
    assert f"({first.fields.uai}" in one and f"(MEF {first.fields.mef_stat_11})" in one
    assert "Motifs : Besoins économiques avérés localement." in one
    assert "Avis de la Région : Avis final : réservé — « sous réserve des locaux »." in one
    assert "Avis de l’UIMM : Avis consultatif : favorable." in one
    three = _section(html, "note-demande-3")
    assert "Augmentation nette (prêt pour le vote)" in three
    assert "Avis de la Région : aucun avis donné." in three and "+12" in three
    # the impact of requests 1 and 3 (the placeholder « Non calculé » of before is gone)
    assert "Non calculé dans cette note" not in text
    impact_text = _impact(html)
    assert "L’effet des 2 demande(s) validée(s) ou prête(s) pour le vote sur la région 84" in (
        impact_text
    )


def _impact(html: str) -> str:
    match = re.search(r'<div id="note-impact">(.*?)</div>\s*</body>', html, re.S)
    assert match is not None
    return _text(match.group(1))


def _between(html: str, identifier: str) -> str:
    """The HTML of the table ``identifier``."""
    match = re.search(rf'<table id="{identifier}">(.*?)</table>', html, re.S)
    assert match is not None, identifier
    return match.group(1)


def _run_simulation(engine: sa.Engine, facts: Facts, campaign: int, selection: str) -> Job:
    """Run, as « Simuler l'effet sur les élèves » does, a simulation of ``selection`` of the
    campaign's requests on one cohort, through the real job runner."""
    with engine.begin() as conn:
        found = get_campaign(conn, campaign)
        document, _ = scenario_of(
            selected(list_requests(conn, campaign), selection),
            f"{found.nom} — {SELECTIONS[selection]}",
            f"region:{found.code_region}",
        )
        parameters = simulation_parameters(
            Scenario.from_mapping(document),
            territoire=document["territoire"],
            palier="3e",
            graines=1,
            sources=(),
        )
        job = records.create(conn, SIMULATION, parameters, owner=None, quota_key="test")
    assert JobRunner(JobContext(engine, lambda: facts)).run(job.id) == records.TERMINEE
    with engine.connect() as conn:
        done = records.get(conn, job.id)
    assert done is not None and done.result is not None
    return done


def test_the_notes_impact_and_its_simulation(carte_engine: sa.Engine, facts: Facts) -> None:
    content, html = _note(carte_engine, facts)
    text = _impact(html)
    assert content.impact is not None and content.impact.requests == 2
    assert content.impact.result is not None and content.impact.error is None
    with carte_engine.connect() as conn:
        found = {r.id: r for r in list_requests(conn, 1)}
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</tr>", _between(html, "note-impact-offres"), re.S
    )
    offers = [_text(row) for row in rows]
    assert len(offers) == 2
    for identifier, row in zip((1, 3), offers, strict=True):
        f = found[identifier].fields
        places = (
            f"{formats.format_number(f.capacite_scolaire_avant)} → "
            f"{formats.format_number(f.capacite_scolaire_apres)}"
        )
        assert f"(MEF {f.mef_stat_11}, scolaire)" in row and places in row
    # no simulation yet: said, with how to start one
    assert "Aucune simulation de cette campagne n’a été faite" in text
    assert "« Simuler l’effet sur les élèves »" in text
    # once the campaign's validated requests are simulated, the note gives the pupils placed
    # and on their first wish before and after, as the job's result says
    job = _run_simulation(carte_engine, facts, 1, "validees")
    content, html = _note(carte_engine, facts)
    text = _impact(html)
    assert content.impact is not None and [s.job for s in content.impact.simulations] == [job.id]
    assert "Aucune simulation" not in text
    assert "Simulation « Carte 2025 — les demandes validées »" in text and job.id in text
    assert job.result is not None
    indicators = {i["key"]: i for i in job.result["indicators"]}
    for key in ("affectes", "premier_voeu"):
        i = indicators[key]
        said = " ".join(
            formats.format_decimal(i[side]["mean"], 0) for side in ("before", "after", "difference")
        )
        assert _plain(f"{i['label']} {said}") in text
    rate = indicators["taux_premier_voeu"]
    assert _plain(formats.format_percent(rate["before"]["mean"], 1)) in text
    assert is_pdf(pdf_from_html(html))


def test_the_pdf_is_a_real_pdf_with_the_notes_pages_and_headings(
    carte_engine: sa.Engine, facts: Facts
) -> None:
    _, html = _note(carte_engine, facts)
    pdf = pdf_from_html(html)
    assert is_pdf(pdf)
    pages = pdf_pages(html)
    assert pages >= 2 and page_count(pdf) == pages
    found = titles(pdf)
    assert "Demande n° 1 — Diminution (demande validée)" in found
    assert "Demande n° 3 — Augmentation nette (prêt pour le vote)" in found
    assert not any(t.startswith("Demande n° 2") for t in found)
    assert "Note au comité de pilotage — Carte 2025" in found


def test_missing_figures_are_said(carte_engine: sa.Engine, facts: Facts) -> None:
    # without the loaded files: no intake, no rate, no establishment's name
    _, html = _note(carte_engine, None)
    text = _text(html)
    assert "non calculable Taux de transformation" in text
    assert "un effectif en première année non connu (aucun constat de rentrée chargé)" in text
    assert "Établissement inconnu des données chargées" in _section(html, "note-demande-1")
    assert "quadrant d’insertion : hors quadrant" in _section(html, "note-demande-1")
    # nor any impact: said, never 0
    assert "Impact non calculé : aucun fichier de données chargé" in _impact(html)
    # an empty campaign
    with carte_engine.begin() as conn:
        empty = create_campaign(conn, Actor("test"), nom="Carte vide", annee=2025).id
    _, html = _note(carte_engine, None, empty)
    text = _text(html)
    assert "Aucune demande dans cette campagne : aucun indicateur." in text
    assert "Aucune demande validée ni prête pour le vote." in text
    assert "Ouverture : date non renseignée" in text
    assert is_pdf(pdf_from_html(html))
    # an empty campaign on a store with its files: no count either (once a crash)
    assert campaign_counts([], facts, "niveau").total == {}
    _, html = _note(carte_engine, facts, empty)
    assert "Aucune demande dans cette campagne : aucun indicateur." in _text(html)


@pytest.mark.realdata
def test_the_note_on_the_real_files(
    real_store_url: str, tmp_path_factory: pytest.TempPathFactory, sources_dir: Path
) -> None:
    engine = open_store(seeded_carte(real_store_url, tmp_path_factory.mktemp("note-real")).url)
    try:
        with engine.connect() as conn:
            facts = stored_facts(conn, Perimeter.load(None))
        content, html = _note(engine, facts)
    finally:
        engine.dispose()
    text = _text(html)
    # the first-year intake of the constat 2020 and the quadrant of InserJeunes' regional file
    assert content.counts.total["rentree_effectif"] == 2020
    assert "constat_2020.csv (2020)" in text and "quadrant : ij_region_data.csv (millésimes" in text
    assert "aucun constat de rentrée chargé" not in text
    # the real establishments and formations are named, with their quadrant
    for identifier in (1, 3):
        section = _section(html, f"note-demande-{identifier}")
        assert "inconnu" not in section and "quadrant d’insertion : " in section
    # the impact of requests 1 and 3: their pressure before and after, recomputed from
    # Affelnet's file, and every figure's file and year
    raw = affelnet_entry_rows(sources_dir)
    assert content.impact is not None and content.impact.result is not None
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</tr>", _between(html, "note-impact-offres"), re.S
    )
    for retained, row in zip(content.retained, rows, strict=True):
        wishes = int(
            raw.filter(
                (pl.col("Etablissement d'accueil") == retained.uai)
                & (pl.col("MEF STAT 11") == retained.mef_stat_11)
            )
            .get_column("Demandes vœux 1")
            .cast(pl.Int64)
            .sum()
        )
        before, after = retained.places[0]["avant"], retained.places[0]["apres"]
        pressures = (
            f"{formats.format_decimal(wishes / before, 2)} → "
            f"{formats.format_decimal(wishes / after, 2)}"
        )
        assert _plain(pressures) in _text(row) and "Affelnet, année d’entrée" in _text(row)
    impact_text = _impact(html)
    assert "projets de recrutement (BMO, France Travail ; cellules secrètes exclues) : " in (
        impact_text
    )
    assert "Base_open_data_BMO_2024.xlsx (2024)" in impact_text
    assert "attractivite_capacite_2021.csv (2021)" in impact_text
    groups = content.impact.result["groupes"]
    assert groups and 'id="note-impact-groupes"' in html and '<svg id="graphique-impact"' in html
    moved = sum(g["places_apres"] - g["places_avant"] for g in groups)
    assert moved == pytest.approx(-4 + 12, rel=1e-6)  # requests 1 (−4) and 3 (+12)
    assert "Aucune simulation de cette campagne n’a été faite" in impact_text
    pdf = pdf_from_html(html)
    assert is_pdf(pdf) and page_count(pdf) == pdf_pages(html) >= 2
    assert "Les élèves affectés, avant et après" in titles(pdf)
