"""``tremplin comptes``: create, list, deactivate accounts, hand out a reset link, and anonymise
the accounts unused for too long. Writes are recorded in the audit log as the command line's."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, plain, settings
from tremplin.errors import InputError

comptes = typer.Typer(
    help="Comptes des membres du partenariat : créer, lister, désactiver, réinitialiser.",
    no_args_is_help=True,
)
app.add_typer(comptes, name="comptes")

EMAIL = Annotated[str, typer.Option("--email", help="Adresse électronique du compte.")]


def _read_password() -> str:
    # The first line of standard input, without its end of line: never an argument, which
    # the shell's history and the process list would show.
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError(
            "aucun mot de passe lu sur l'entrée standard",
            expected="le mot de passe sur la première ligne, par ex. « printf %s … | tremplin "
            "comptes creer … --mot-de-passe-stdin »",
        )
    return password


@comptes.command("creer")
def create_command(
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="Rôle : administrateur, pilote, region, "
            "chef_etablissement, partenaire_industrie, entreprise, "
            "expert ou lecteur.",
        ),
    ],
    email: EMAIL,
    mot_de_passe_stdin: Annotated[
        bool,
        typer.Option("--mot-de-passe-stdin", help="Lire le mot de passe sur l'entrée standard."),
    ] = False,
    territoire: Annotated[
        str | None, typer.Option("--territoire", help="Périmètre maille:code (pilote, UIMM).")
    ] = None,
    uai: Annotated[str | None, typer.Option("--uai", help="UAI (chef d'établissement).")] = None,
    siret: Annotated[str | None, typer.Option("--siret", help="SIRET (entreprise).")] = None,
) -> None:
    """Crée un compte ; le mot de passe (12 caractères au moins) est lu sur l'entrée standard."""
    from tremplin.accounts.accounts import create_account
    from tremplin.store.audit import COMMAND_LINE, Actor
    from tremplin.store.database import open_store

    if not mot_de_passe_stdin:
        raise InputError(
            "le mot de passe se donne sur l'entrée standard", expected="--mot-de-passe-stdin"
        )
    password = _read_password()
    engine = open_store(settings().database_url)
    try:
        with engine.begin() as conn:
            created = create_account(
                conn,
                Actor(COMMAND_LINE),
                email=email,
                password=password,
                role=role,
                territoire=territoire,
                uai=uai,
                siret=siret,
            )
    finally:
        engine.dispose()
    console.print(
        f"Compte {created.id} créé : {plain(created.email)} ({created.role}, "
        f"périmètre {plain(created.scope)}).",
        highlight=False,
    )


@comptes.command("lister")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Liste les comptes : adresse, rôle, périmètre, état, dernière connexion."""
    from tremplin.accounts.accounts import list_accounts
    from tremplin.formats import format_datetime
    from tremplin.store.database import open_store

    engine = open_store(settings().database_url)
    try:
        with engine.connect() as conn:
            found = list_accounts(conn)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps([a.public() for a in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print("Aucun compte. Créez-en un avec « tremplin comptes creer ».")
        return
    table = Table("Id", "Adresse", "Rôle", "Périmètre", "État", "Dernière connexion")
    for account in found:
        state = (
            "actif" if account.active else ("anonymisé" if account.anonymised_at else "désactivé")
        )
        seen = format_datetime(account.last_login_at) if account.last_login_at else "jamais"
        table.add_row(
            str(account.id), plain(account.email), account.role, plain(account.scope), state, seen
        )
    console.print(table)


@comptes.command("desactiver")
def deactivate_command(email: EMAIL) -> None:
    """Désactive un compte : il ne peut plus se connecter, ses sessions prennent fin."""
    from tremplin.accounts.accounts import deactivate_account
    from tremplin.store.audit import COMMAND_LINE, Actor
    from tremplin.store.database import open_store

    engine = open_store(settings().database_url)
    try:
        with engine.begin() as conn:
            account = deactivate_account(conn, Actor(COMMAND_LINE), email)
    finally:
        engine.dispose()
    console.print(f"Compte {account.id} désactivé : {plain(account.email)}.", highlight=False)


@comptes.command("reinitialiser")
def reset_command(
    email: EMAIL,
    adresse: Annotated[
        str | None,
        typer.Option(
            "--adresse",
            help="Adresse publique du site (par défaut http://TREMPLIN_HOST:TREMPLIN_PORT).",
        ),
    ] = None,
) -> None:
    """Affiche un lien à usage unique (24 heures) pour choisir un nouveau mot de passe."""
    from tremplin.accounts.accounts import account_by_email
    from tremplin.accounts.sessions import RESET, open_session
    from tremplin.store.audit import COMMAND_LINE, Actor, record
    from tremplin.store.database import open_store

    values = settings()
    base = (adresse or f"http://{values.host}:{values.port}").rstrip("/")
    engine = open_store(values.database_url)
    try:
        with engine.begin() as conn:
            account = account_by_email(conn, email)
            if not account.active:
                raise InputError(f"le compte « {account.email} » est désactivé")
            opened = open_session(conn, account, RESET)
            record(conn, Actor(COMMAND_LINE), "comptes.reinitialiser", f"compte:{account.id}")
    finally:
        engine.dispose()
    console.print(
        f"Lien à usage unique pour {plain(account.email)}, valable 24 heures :", highlight=False
    )
    typer.echo(f"{base}/reinitialisation/{opened.secret}")


@comptes.command("anonymiser")
def anonymise_command() -> None:
    """Rend anonymes les comptes sans connexion depuis TREMPLIN_ANONYMISATION_JOURS jours (en
    supprimant les profils de candidat et en détachant leurs candidatures), ferme les besoins et
    retire les offres des entreprises inactives depuis autant de jours, et efface les lignes du
    journal plus vieilles que TREMPLIN_JOURNAL_JOURS jours."""
    from tremplin.companies.personal_data import anonymise_inactive_people
    from tremplin.store.database import open_store

    values = settings()
    engine = open_store(values.database_url)
    try:
        with engine.begin() as conn:
            done, closed = anonymise_inactive_people(
                conn, days=values.anonymisation_jours, audit_days=values.journal_jours
            )
    finally:
        engine.dispose()
    console.print(
        f"{len(done.accounts)} compte(s) rendu(s) anonyme(s) (sans connexion depuis "
        f"{values.anonymisation_jours} jours) ; {done.audit_lines_deleted} ligne(s) du journal "
        f"effacée(s) (plus de {values.journal_jours} jours) ; {closed.needs} besoin(s) fermé(s) "
        f"et {closed.offers} offre(s) retirée(s) d’entreprises inactives.",
        highlight=False,
    )
