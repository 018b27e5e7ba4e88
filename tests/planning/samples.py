"""A request the planning tests share: an increase of 15 → 24 places of a bac pro in Ambérieu;
and a store holding a campaign of three requests (:func:`seeded_carte`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy.engine import make_url

from tests.accounts.people import PEOPLE, create
from tremplin.diagnostic.facts import stored_facts
from tremplin.planning.attachments import add_attachment
from tremplin.planning.campaigns import create_campaign
from tremplin.planning.opinions import give_opinion
from tremplin.planning.requests import change_status, create_request
from tremplin.planning.validators import RequestFields
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.audit import Actor
from tremplin.store.database import open_store

FIELDS = RequestFields(
    type="augmentation_nette",
    uai="0010001W",
    mef_stat_11="24020022710",
    rentree=2025,
    capacite_scolaire_avant=15,
    capacite_scolaire_apres=24,
    motifs=("besoins_economiques_locaux",),
    partenaires=("UIMM de l’Ain",),
)


@dataclass(frozen=True)
class SeededCarte:
    """A copy of a loaded store with campaign 1 « Carte 2025 » (see :func:`seeded_carte`), and
    an offer of the store that no request names (for the new-request form)."""

    url: str
    uai: str
    mef: str


def seeded_carte(source_url: str, folder: Path) -> SeededCarte:
    """Copy the SQLite store ``source_url`` into ``folder`` and write in the copy an
    administrator and campaign 1 over the store's first Affelnet offers: request 1, a
    diminution of 4 places, validated with the UIMM's and the Région's opinions; request 2, an
    increase of 6 places, a brouillon with an attachment; request 3, an increase of 12 places,
    « prêt pour le vote »."""
    copy = folder / "tremplin.sqlite"
    source = sqlite3.connect(make_url(source_url).database or "")
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    url = f"sqlite:///{copy}"
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            offres = stored_facts(conn, Perimeter.load(None)).offres
        offers = (
            offres.filter(pl.col("capacite").is_between(10, 900) & (pl.col("source") == "affelnet"))
            .unique(["uai", "mef_stat_11"])
            .sort("uai", "mef_stat_11")
            .head(4)
            .rows(named=True)
        )
        me = Actor("carte@tremplin.test")
        with engine.begin() as conn:
            create(conn, PEOPLE["administrateur"])
            campaign = create_campaign(
                conn, me, nom="Carte 2025", annee=2024,
                date_debut=date(2024, 9, 2), date_fin=date(2025, 3, 31),
            ).id  # fmt: skip
            shapes = (("diminution", -4), ("augmentation_nette", 6), ("augmentation_nette", 12))
            for offer, (kind, change) in zip(offers, shapes, strict=False):
                fields = replace(
                    FIELDS, type=kind, uai=offer["uai"], mef_stat_11=offer["mef_stat_11"],
                    capacite_scolaire_avant=offer["capacite"],
                    capacite_scolaire_apres=offer["capacite"] + change,
                )  # fmt: skip
                create_request(conn, me, campaign, fields, territoires=["region:84"])
            for identifier in (1, 3):
                for status in STEPS:
                    change_status(conn, me, identifier, status)
            give_opinion(conn, me, 1, type="consultatif", avis="favorable", fonction="UIMM")
            give_opinion(
                conn, me, 1, type="final", avis="reserve", fonction="Région",
                commentaire="sous réserve des locaux",
            )  # fmt: skip
            change_status(conn, me, 1, "validee")
            add_attachment(conn, me, 2, "lettre.pdf", "application/pdf", b"%PDF-1.4 lettre")
    finally:
        engine.dispose()
    return SeededCarte(url, offers[3]["uai"], offers[3]["mef_stat_11"])


STEPS = ("proposition", "dossier_complet", "projet_de_demande", "pret_pour_le_vote")
"""The statuses a request goes through from its draft to the vote."""


def affelnet_entry_rows(sources_dir: Path) -> pl.DataFrame:
    """The rows of Affelnet's entry-year file the carte counts (statut ST, no « vœu de
    recensement »), read with polars directly from the official file, as strings."""
    return pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    ).filter(
        (pl.col("Statut Offre de formation") == "ST") & (pl.col("Voeu de recensement O/N") == "N")
    )
