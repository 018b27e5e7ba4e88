"""``tremplin carte campagne creer|lister`` and ``tremplin carte demandes importer|exporter``:
thin commands over ``tremplin.planning``; writes are recorded in the audit log as the command
line's."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from tremplin.cli._app import console, plain, settings
from tremplin.cli.carte_command import carte

campagne = typer.Typer(help="Campagnes de la carte des formations.", no_args_is_help=True)
demandes = typer.Typer(help="Demandes d'une campagne : import, export.", no_args_is_help=True)
carte.add_typer(campagne, name="campagne")
carte.add_typer(demandes, name="demandes")

T = TypeVar("T")
CAMPAGNE = Annotated[int, typer.Option("--campagne", help="Numéro de la campagne.")]


@campagne.command("creer")
def create_command(
    nom: Annotated[str, typer.Option("--nom", help="Nom de la campagne.")],
    annee: Annotated[int, typer.Option("--annee", help="Année de la campagne, par ex. 2024.")],
    premiere_rentree: Annotated[
        int | None,
        typer.Option("--premiere-rentree", help="Première rentrée concernée (défaut : année + 1)."),
    ] = None,
    portee: Annotated[str, typer.Option("--portee", help="nationale ou regionale.")] = "regionale",
    region: Annotated[str, typer.Option("--region", help="Code de la région.")] = "84",
    statut: Annotated[
        str, typer.Option("--statut", help="en_attente, en_cours ou terminee.")
    ] = "en_cours",
    debut: Annotated[str | None, typer.Option("--debut", help="Date de début AAAA-MM-JJ.")] = None,
    fin: Annotated[str | None, typer.Option("--fin", help="Date de fin AAAA-MM-JJ.")] = None,
) -> None:
    """Crée une campagne de la carte des formations."""
    from tremplin.planning.campaigns import create_campaign
    from tremplin.store.audit import COMMAND_LINE, Actor
    from tremplin.store.database import open_store

    engine = open_store(settings().database_url)
    try:
        with engine.begin() as conn:
            made = create_campaign(
                conn,
                Actor(COMMAND_LINE),
                nom=nom,
                annee=annee,
                premiere_rentree=premiere_rentree,
                portee=portee,
                code_region=region,
                statut=statut,
                date_debut=_date(debut, "--debut"),
                date_fin=_date(fin, "--fin"),
            )
    finally:
        engine.dispose()
    console.print(
        f"Campagne {made.id} créée : {plain(made.nom)} (rentrée {made.premiere_rentree}).",
        highlight=False,
    )


def _date(text: str | None, option: str) -> date | None:
    from tremplin.errors import InputError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"date « {text} » invalide", where=[option], expected="AAAA-MM-JJ"
        ) from None


@campagne.command("lister")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Liste les campagnes, la plus récente d'abord."""
    from tremplin.planning.campaigns import list_campaigns
    from tremplin.planning.vocabulary import CAMPAIGN_STATUSES, label
    from tremplin.store.database import open_store

    engine = open_store(settings().database_url)
    try:
        with engine.connect() as conn:
            found = list_campaigns(conn)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print("Aucune campagne. Créez-en une avec « tremplin carte campagne creer ».")
        return
    table = Table("N°", "Nom", "Année", "Première rentrée", "Portée", "Statut")
    for c in found:
        scope = c.portee + (f" ({c.code_region})" if c.code_region else "")
        table.add_row(
            str(c.id), plain(c.nom), str(c.annee), str(c.premiere_rentree), scope,
            label(CAMPAIGN_STATUSES, c.statut),
        )  # fmt: skip
    console.print(table)


@demandes.command("importer")
def import_command(
    fichier: Annotated[Path, typer.Argument(help="Fichier CSV ou XLSX, une demande par ligne.")],
    campagne_id: CAMPAGNE,
) -> None:
    """Importe des demandes (en brouillon) : tout ou rien, chaque erreur nommant la ligne et la
    colonne."""
    from tremplin.diagnostic.facts import stored_facts
    from tremplin.planning.campaigns import get_campaign
    from tremplin.planning.exchange import import_requests
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.sources.errors import SourceError
    from tremplin.store.audit import COMMAND_LINE, Actor
    from tremplin.store.database import open_store

    try:
        raw = fichier.read_bytes()
    except OSError as error:
        raise SourceError(fichier, f"fichier illisible ({error.strerror})") from None
    values = settings()
    engine = open_store(values.database_url)
    try:
        with engine.begin() as conn:
            campaign = get_campaign(conn, campagne_id)
            facts = stored_facts(conn, Perimeter.load(values.perimetre))
            made = import_requests(conn, Actor(COMMAND_LINE), campaign.id, fichier, raw, facts)
    finally:
        engine.dispose()
    console.print(
        f"{len(made)} demande(s) importée(s) dans la campagne {campaign.id} "
        f"({plain(campaign.nom)}), en brouillon.",
        highlight=False,
    )


@demandes.command("exporter")
def export_command(
    campagne_id: CAMPAGNE,
    sortie: Annotated[Path, typer.Option("-o", "--sortie", help="Fichier écrit.")],
    fmt: Annotated[str, typer.Option("--format", help="csv ou xlsx.")] = "csv",
) -> None:
    """Exporte les demandes d'une campagne avec les colonnes de la restitution d'Orion."""
    from tremplin.planning.exchange import restitution_frame
    from tremplin.reports.carte_export import restitution_export

    campaign, found, facts = _read_campaign(campagne_id, lambda *read: read[1:])
    content = restitution_export(restitution_frame(found, facts), fmt, campaign.nom)
    sortie.write_bytes(content)
    console.print(f"{len(found)} demande(s) écrite(s) dans {plain(sortie)}.", highlight=False)


@carte.command("note")
def note_command(
    campagne_id: CAMPAGNE,
    sortie: Annotated[Path, typer.Option("-o", "--sortie", help="Fichier PDF écrit.")],
) -> None:
    """Écrit la note au comité de pilotage d'une campagne (PDF) : indicateurs d'Orion,
    demandes par statut et type, demandes validées et prêtes pour le vote avec leurs avis."""
    from datetime import UTC, datetime

    from tremplin.reports.carte_note import campaign_note, pdf_from_html
    from tremplin.web.planning.note import note_html
    from tremplin.web.shared.templating import create_templates

    region = settings().region

    def note(conn: Any, campaign: Any, found: Any, facts: Any) -> Any:
        return campaign_note(conn, campaign, found, facts, datetime.now(UTC), region)

    content = _read_campaign(campagne_id, note)
    campaign, found = content.campaign, content.requests
    sortie.write_bytes(pdf_from_html(note_html(create_templates().env, content)))
    console.print(
        f"Note de la campagne {campaign.id} ({plain(campaign.nom)}, {found} demande(s)) "
        f"écrite dans {plain(sortie)}.",
        highlight=False,
    )


def _read_campaign(campagne_id: int, then: Callable[..., T]) -> T:
    """``then(conn, campaign, its requests, the facts)`` on the store, the facts None when no
    file is loaded."""
    from tremplin.diagnostic.facts import stored_facts
    from tremplin.planning.campaigns import get_campaign
    from tremplin.planning.requests import list_requests
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.store.database import open_store
    from tremplin.store.provenance import list_loaded_files

    values = settings()
    engine = open_store(values.database_url)
    try:
        with engine.connect() as conn:
            campaign = get_campaign(conn, campagne_id)
            found = list_requests(conn, campaign.id)
            loaded = bool(list_loaded_files(conn))
            facts = stored_facts(conn, Perimeter.load(values.perimetre)) if loaded else None
            return then(conn, campaign, found, facts)
    finally:
        engine.dispose()
