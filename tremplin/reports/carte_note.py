"""The note for the steering committee of a campaign of the carte des formations: what it says
(:func:`note_content`, plain data, every figure with its source) and the PDF that WeasyPrint
writes from its HTML (:func:`pdf_from_html`; the HTML is written by the web layer's template
``carte_note.html``, whose print stylesheet WeasyPrint applies).

What the note holds: the campaign (dates, status), Orion's counts of its validated requests
(taux de transformation against the national 6 %, ratio de fermeture, places opened in Q1 and
closed in Q4), the requests by status and kind, and the requests validated or « prêt pour le
vote » with their establishment, formation, places before → after by voie, reasons and the
opinions of the Région and the UIMM, and the effect of the validated and « prêt pour le vote »
requests (:func:`note_impact`): their impact (``tremplin.planning.impact``: places per trade
group × département against BMO and declared needs, each offer's pressure before and after)
and, when a simulation of the campaign has run (« Simuler l'effet sur les élèves »), its pupils
placed and on their first wish before and after.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.companies.needs import declared_needs
from tremplin.diagnostic.facts import Facts
from tremplin.errors import TremplinError
from tremplin.planning.campaign_effect import SELECTIONS, LeftOut, impact_changes
from tremplin.planning.campaigns import Campaign
from tremplin.planning.counts import TARGET, Counts, campaign_counts, quadrants, request_frame
from tremplin.planning.impact import changes_from, declared_by_group, impact, prepared
from tremplin.planning.opinions import Opinion, opinions
from tremplin.planning.requests import Request
from tremplin.planning.vocabulary import KINDS, OPINION_KINDS, OPINIONS, REASONS, STATUSES, label
from tremplin.store.provenance import LoadedFile, list_loaded_files
from tremplin.store.schema import jobs as jobs_table

RETAINED = ("validee", "pret_pour_le_vote")
"""The statuses of the requests the note details, in this order."""
VOIES = (("scolaire", "Voie scolaire"), ("apprentissage", "Apprentissage"))
SOURCE_DATASETS = {
    "constat": "élèves en première année (constat de rentrée, DEPP)",
    "inserjeunes_regions": "quadrant d’insertion (InserJeunes, région × formation)",
    "affelnet_offres": "établissements et formations (Affelnet)",
    "parcoursup_bts": "établissements et formations (Parcoursup, BTS)",
}
"""The loaded files the note's figures come from, and what each gives."""
IMPACT_DATASETS = {
    "affelnet_offres": "places et premiers vœux des années d’entrée (Affelnet)",
    "parcoursup_bts": "places et vœux confirmés des BTS (Parcoursup)",
    "affelnet_1pro": "places et premiers vœux de 1re professionnelle (Affelnet)",
    "constat": "élèves des autres années de formation (constat de rentrée, DEPP)",
    "bmo": "projets de recrutement (BMO, France Travail ; cellules secrètes exclues)",
}
"""The loaded files the impact's figures come from, and what each gives."""
SIMULATION_INDICATORS = ("eleves", "affectes", "premier_voeu", "taux_premier_voeu")
"""The indicators of a campaign's simulation the note gives, before and after."""


@dataclass(frozen=True)
class Source:
    """A file the note's figures come from: its name, year(s) and what it gives."""

    fichier: str
    millesime: str | None
    donne: str


@dataclass(frozen=True)
class NoteRequest:
    """A request the note details."""

    id: int
    statut: str
    type: str
    uai: str
    etablissement: str | None
    commune: str | None
    mef_stat_11: str
    formation: str | None
    rentree: int
    places: list[dict[str, Any]]
    quadrant: str
    motifs: list[str]
    partenaires: list[str]
    avis_region: list[str]
    avis_uimm: list[str]
    autres_avis: list[str]


@dataclass(frozen=True)
class NoteContent:
    """Everything the note says, ready for its template."""

    campaign: Campaign
    generated_at: datetime
    counts: Counts
    target: float
    by_status: list[dict[str, Any]]
    by_kind: list[dict[str, Any]]
    retained: list[NoteRequest]
    sources: list[Source]
    quadrant_millesimes: list[str]
    requests: int
    impact: NoteImpact | None = None
    """The effect of the validated and « prêt pour le vote » requests (None: not asked for)."""
    by_level: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class NoteSimulation:
    """The newest finished simulation of the campaign's requests (one per selection)."""

    titre: str
    job: str
    finished_at: datetime | None
    graines: int
    indicators: list[dict[str, Any]]  # key, label, before, after, difference (means)


@dataclass(frozen=True)
class NoteImpact:
    """The impact of the requests the note details, and the campaign's simulations."""

    territoire: str | None
    requests: int
    result: dict[str, Any] | None
    left_out: list[LeftOut]
    error: str | None
    sources: list[Source]
    simulations: list[NoteSimulation]


def note_content(
    campaign: Campaign,
    requests: Sequence[Request],
    given: Mapping[int, Sequence[Opinion]],
    facts: Facts | None,
    loaded: Sequence[LoadedFile],
    generated_at: datetime,
) -> NoteContent:
    """The note of ``campaign`` over ``requests`` (those its reader may see), with ``given``, the
    opinions of each request by its id."""
    counts = campaign_counts(requests, facts, "niveau")
    frame = request_frame(requests, facts)
    described = {row["id"]: row for row in frame.iter_rows(named=True)}
    statuses = Counter(r.statut for r in requests)
    by_status = [
        {"code": code, "libelle": text, "demandes": statuses[code]}
        for code, text in STATUSES.items()
        if statuses[code]
    ]
    by_kind = _by_kind(frame)
    retained = [
        _note_request(r, described[r.id], given.get(r.id, ()))
        for status in RETAINED
        for r in sorted(requests, key=lambda r: (r.fields.uai, r.fields.mef_stat_11, r.id))
        if r.statut == status
    ]
    millesimes: list[str] = []
    if facts is not None:
        quadrant = quadrants(facts)
        if "millesime" in quadrant.columns:
            millesimes = sorted(str(m) for m in quadrant["millesime"].drop_nulls().unique())
    sources = [
        Source(f.file_name, f.millesime, SOURCE_DATASETS[f.dataset])
        for f in sorted(
            (f for f in loaded if f.dataset in SOURCE_DATASETS),
            key=lambda f: (list(SOURCE_DATASETS).index(f.dataset), f.id),
        )
    ]
    return NoteContent(
        campaign=campaign,
        generated_at=generated_at,
        counts=counts,
        target=TARGET,
        by_status=by_status,
        by_kind=by_kind,
        retained=retained,
        sources=sources,
        quadrant_millesimes=millesimes,
        requests=len(requests),
        by_level=counts.rows.to_dicts() if counts.rows.height else [],
    )


def _by_kind(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Per kind of request: requests, of which validated and ready for the vote, and the places
    the validated ones open and close."""
    if frame.is_empty():
        return []
    validated = pl.col("statut") == "validee"
    grouped = frame.group_by("type").agg(
        pl.len().alias("demandes"),
        validated.sum().alias("validees"),
        (pl.col("statut") == "pret_pour_le_vote").sum().alias("pret_pour_le_vote"),
        pl.col("places_ouvertes").filter(validated).sum().alias("places_ouvertes"),
        pl.col("places_fermees").filter(validated).sum().alias("places_fermees"),
    )
    order = list(KINDS)
    rows = sorted(grouped.to_dicts(), key=lambda r: order.index(r["type"]))
    return [{**r, "libelle": label(KINDS, r["type"])} for r in rows]


def _note_request(
    request: Request, described: Mapping[str, Any], given: Sequence[Opinion]
) -> NoteRequest:
    f = request.fields
    places = [
        {
            "voie": text,
            "avant": getattr(f, f"capacite_{voie}_avant"),
            "apres": getattr(f, f"capacite_{voie}_apres"),
            "colorees_avant": getattr(f, f"capacite_{voie}_coloree_avant"),
            "colorees_apres": getattr(f, f"capacite_{voie}_coloree_apres"),
        }
        for voie, text in VOIES
    ]
    motifs = [label(REASONS, m) for m in f.motifs]
    if f.autre_motif:
        motifs.append(f.autre_motif)

    def said(o: Opinion) -> str:
        text = f"{label(OPINION_KINDS, o.type)} : {label(OPINIONS, o.avis).lower()}"
        return text + (f" — « {o.commentaire} »" if o.commentaire else "")

    return NoteRequest(
        id=request.id,
        statut=label(STATUSES, request.statut),
        type=label(KINDS, f.type),
        uai=f.uai,
        etablissement=described.get("etablissement"),
        commune=described.get("commune"),
        mef_stat_11=f.mef_stat_11,
        formation=described.get("libelle_formation"),
        rentree=f.rentree,
        places=places,
        quadrant=str(described.get("quadrant") or "hors quadrant"),
        motifs=motifs,
        partenaires=list(f.partenaires),
        avis_region=[said(o) for o in given if o.fonction == "Région"],
        avis_uimm=[said(o) for o in given if o.fonction == "UIMM"],
        autres_avis=[
            f"{o.fonction} — {said(o)}" for o in given if o.fonction not in ("Région", "UIMM")
        ],
    )


def campaign_note(
    conn: sa.Connection,
    campaign: Campaign,
    requests: Sequence[Request],
    facts: Facts | None,
    generated_at: datetime,
    region: str | None = None,
) -> NoteContent:
    """:func:`note_content` with the opinions and the loaded files read from the store, and
    the effect of the requests (:func:`note_impact`; ``region``: the site's, for a campaign
    without one)."""
    given = {r.id: opinions(conn, r.id) for r in requests if r.statut in RETAINED}
    loaded = list_loaded_files(conn)
    content = note_content(campaign, requests, given, facts, loaded, generated_at)
    effect = note_impact(conn, campaign, requests, facts, loaded, region)
    return replace(content, impact=effect)


def note_impact(
    conn: sa.Connection,
    campaign: Campaign,
    requests: Sequence[Request],
    facts: Facts | None,
    loaded: Sequence[LoadedFile],
    region: str | None,
) -> NoteImpact:
    """The impact of the validated and « prêt pour le vote » ``requests`` on the campaign's
    région (else ``region``, the site's), and the campaign's simulations that have run."""
    retained = [r for r in requests if r.statut in RETAINED]
    changes, left_out = impact_changes(retained)
    code = campaign.code_region or region
    territory = f"region:{code}" if code else None
    result: dict[str, Any] | None = None
    error: str | None = None
    if changes and facts is None:
        error = "aucun fichier de données chargé : l’impact ne peut être calculé"
    elif changes and territory is None:
        error = "la campagne n’a pas de région : l’impact ne peut être calculé"
    elif changes and facts is not None and territory is not None:
        try:
            ready = prepared(facts, territory, conn)
            declared = declared_by_group(
                declared_needs(conn, territoire=territory), facts.familles_fap
            )
            result = impact(ready, changes_from(changes), declared)
        except TremplinError as failure:
            error = str(failure)
    sources = [
        Source(f.file_name, f.millesime, IMPACT_DATASETS[f.dataset])
        for f in sorted(
            (f for f in loaded if f.dataset in IMPACT_DATASETS),
            key=lambda f: (list(IMPACT_DATASETS).index(f.dataset), f.millesime or "", f.id),
        )
    ]
    return NoteImpact(
        territoire=territory,
        requests=len(retained),
        result=result,
        left_out=left_out,
        error=error,
        sources=sources,
        simulations=campaign_simulations(conn, campaign),
    )


def campaign_simulations(conn: sa.Connection, campaign: Campaign) -> list[NoteSimulation]:
    """The newest finished simulation of each selection of the campaign's requests (« Simuler
    l'effet sur les élèves » names its scenario « campaign — selection »)."""
    titles = {f"{campaign.nom} — {text}"[:200]: text for text in SELECTIONS.values()}
    query = (
        sa.select(jobs_table.c.id, jobs_table.c.parameters, jobs_table.c.result,
                  jobs_table.c.finished_at)
        .where((jobs_table.c.kind == "simulation") & (jobs_table.c.status == "terminee"))
        .order_by(jobs_table.c.finished_at.desc())
    )  # fmt: skip
    found: dict[str, NoteSimulation] = {}
    for row in conn.execute(query):
        parameters = json.loads(row.parameters)
        titre = str(parameters.get("scenario", {}).get("titre", ""))
        if titre not in titles or titre in found or row.result is None:
            continue
        indicators = {i["key"]: i for i in json.loads(row.result).get("indicators", [])}
        found[titre] = NoteSimulation(
            titre=titre,
            job=row.id,
            finished_at=row.finished_at,
            graines=int(parameters.get("graines", 0)),
            indicators=[
                {
                    "key": key,
                    "label": indicators[key]["label"],
                    **{
                        side: (indicators[key][side] or {}).get("mean")
                        for side in ("before", "after", "difference")
                    },
                }
                for key in SIMULATION_INDICATORS
                if key in indicators
            ],
        )
    return list(found.values())


def pdf_from_html(html: str) -> bytes:
    """The PDF WeasyPrint writes from ``html`` (its print stylesheet included; nothing fetched
    from the network or the disk: the note's charts are inline SVG)."""
    return bytes(_document(html).write_pdf())


def pdf_pages(html: str) -> int:
    """How many pages the PDF of ``html`` has (WeasyPrint's layout of the document)."""
    return len(_document(html).render().pages)


def _document(html: str) -> Any:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
