"""The relational schema (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Two provenance tables say where every row comes from: ``source_files`` (one row per loaded file:
dataset, file name, sha256, millésime, when, how many rows kept and rejected) and
``rejected_rows`` (each row left out, with its line, column and reason). Each dataset has a
table ``src_<dataset>`` whose rows carry ``source_file_id`` and the ``line`` of the file they were
read from; :func:`dataset_table` declares one from its column names and kinds, so the store knows
no file format (``sources.tables`` declares them for every dataset the readers know).
``derived_frames`` keeps what is computed from the loaded files (referentials, the diagnostic's
facts) as Arrow IPC bytes, each under the fingerprint of what it was computed from (see
``store.derived``). ``jobs`` holds the background work (simulations): who asked, its state, its
progress, its parameters and its result as JSON, so that it outlives the process that queued it
(see ``tremplin.jobs``). The ``carte_*`` tables hold the carte des formations: campaigns, their
requests (with a ``version`` for optimistic locking), each request's history, opinions and
attachments (see ``tremplin.planning`` and docs/carte.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

source_files = sa.Table(
    "source_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("variant", sa.String(64), nullable=False, server_default=""),
    sa.Column("millesime", sa.Text, nullable=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("part", sa.String(128), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("encoding", sa.String(32), nullable=True),
    sa.Column("separator", sa.String(4), nullable=True),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows_loaded", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("cells_suppressed", sa.Integer, nullable=False),
    sa.Column("column_map", sa.Text, nullable=False),
    sa.Column("ignored_columns", sa.Text, nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
    # sha256 of the file's rows whatever their order (see sources.spec.Dataset.rows_sha256):
    # tells a millésime that repeats another. Null for files loaded before it was kept.
    sa.Column("rows_sha256", sa.String(64), nullable=True),
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "source_file_id",
        sa.Integer,
        sa.ForeignKey("source_files.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("column", sa.String(255), nullable=True),
    sa.Column("value", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
)

derived_frames = sa.Table(
    "derived_frames",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

shared_responses = sa.Table(
    "shared_responses",
    metadata,
    # sha256 of everything the response depends on (see store/shared_responses.py).
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("headers", sa.Text, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

jobs = sa.Table(
    "jobs",
    metadata,
    # Random (128 bits, secrets.token_hex): knowing an id is what lets an anonymous visitor
    # read a job, so ids must not be guessable or enumerable.
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    # The account that asked (null: an anonymous visitor); who may read it is jobs.visibility.
    sa.Column("owner", sa.String(64), nullable=True, index=True),
    # Whom the per-person quota counts it against: the owner, or a hash of the address.
    sa.Column("quota_key", sa.String(80), nullable=False, index=True),
    # en_attente, en_cours, terminee, echec, annulee (the API's « statut » values).
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("parameters", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # host:pid of the process running it: tells a job left « en cours » by a dead process.
    sa.Column("runner", sa.String(128), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)

# --- people: accounts, their sessions, failed logins, and the audit log of every write --------

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Lower-cased; an anonymised account keeps a placeholder « anonyme-<id> » (unique too).
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("territoire", sa.String(64), nullable=True),
    sa.Column("uai", sa.String(8), nullable=True),
    sa.Column("siret", sa.String(14), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
)

account_sessions = sa.Table(
    "account_sessions",
    metadata,
    # sha256 of the secret handed out (cookie, bearer token or one-time link): a copy of the
    # table does not give anyone a session.
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # sha256 of the e-mail and of the address tried, so that failures keep no personal data.
    sa.Column("email_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("address_sha256", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    # Who: an account's id (null for the command line or the system) and how it is shown.
    sa.Column("actor_id", sa.Integer, nullable=True, index=True),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(128), nullable=False, index=True),
    # JSON documents (text) of the row before and after the write; null when there was none.
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
)

# --- the carte des formations: campaigns, requests, their history, opinions, attachments ----

carte_campagnes = sa.Table(
    "carte_campagnes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("annee", sa.Integer, nullable=False),
    # The first rentrée its requests change: the intake of that rentrée is the denominator of
    # the taux de transformation.
    sa.Column("premiere_rentree", sa.Integer, nullable=False),
    sa.Column("portee", sa.String(16), nullable=False),  # nationale, regionale
    sa.Column("code_region", sa.String(8), nullable=True),
    sa.Column("statut", sa.String(16), nullable=False),  # en_attente, en_cours, terminee
    sa.Column("date_debut", sa.Date, nullable=True),
    sa.Column("date_fin", sa.Date, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(320), nullable=False),
)

carte_demandes = sa.Table(
    "carte_demandes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "campagne_id",
        sa.Integer,
        sa.ForeignKey("carte_campagnes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("statut", sa.String(32), nullable=False, index=True),
    sa.Column("uai", sa.String(8), nullable=False, index=True),
    sa.Column("mef_stat_11", sa.String(11), nullable=False),
    sa.Column("cfd", sa.String(8), nullable=True),
    sa.Column("rentree", sa.Integer, nullable=False),
    sa.Column("uai_cible", sa.String(8), nullable=True),
    sa.Column("mef_stat_11_cible", sa.String(11), nullable=True),
    *(
        sa.Column(f"capacite_{voie}{coloree}_{moment}", sa.Integer, nullable=False)
        for voie in ("scolaire", "apprentissage")
        for coloree in ("", "_coloree")
        for moment in ("avant", "apres")
    ),
    # JSON lists (text): coded reasons, economic partners.
    sa.Column("motifs", sa.Text, nullable=False),
    sa.Column("autre_motif", sa.Text, nullable=True),
    sa.Column("partenaires", sa.Text, nullable=False),
    sa.Column("libelle_coloration", sa.Text, nullable=True),
    sa.Column("commentaire", sa.Text, nullable=True),
    # Where the establishment lies (« region:84 academie:10 departement:01 »): the scopes of the
    # policy, read without the diagnostic's facts.
    sa.Column("territoires", sa.String(200), nullable=False),
    sa.Column("auteur", sa.String(320), nullable=False),
    sa.Column("auteur_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(320), nullable=False),
    # Optimistic locking: every write asks for the version it read and increments it.
    sa.Column("version", sa.Integer, nullable=False),
)

carte_historique = sa.Table(
    "carte_historique",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id",
        sa.Integer,
        sa.ForeignKey("carte_demandes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("auteur", sa.String(320), nullable=False),
    sa.Column("auteur_id", sa.Integer, nullable=True),
    sa.Column("statut_avant", sa.String(32), nullable=True),
    sa.Column("statut_apres", sa.String(32), nullable=False),
    # The fields changed (JSON: name → [before, after]) and why (free text).
    sa.Column("changements", sa.Text, nullable=False),
    sa.Column("commentaire", sa.Text, nullable=True),
)

carte_avis = sa.Table(
    "carte_avis",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id",
        sa.Integer,
        sa.ForeignKey("carte_demandes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("type", sa.String(16), nullable=False),  # prealable, consultatif, final
    sa.Column("avis", sa.String(16), nullable=False),  # favorable, reserve, defavorable
    sa.Column("fonction", sa.String(64), nullable=False),
    sa.Column("commentaire", sa.Text, nullable=True),
    sa.Column("auteur", sa.String(320), nullable=False),
    sa.Column("auteur_id", sa.Integer, nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

carte_pieces = sa.Table(
    "carte_pieces",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id",
        sa.Integer,
        sa.ForeignKey("carte_demandes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("nom", sa.String(255), nullable=False),
    sa.Column("type_mime", sa.String(128), nullable=False),
    sa.Column("taille", sa.Integer, nullable=False),
    sa.Column("contenu", sa.LargeBinary, nullable=False),
    sa.Column("auteur", sa.String(320), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# --- companies: their sites and the needs they declare (tremplin.companies) -------------------

companies = sa.Table(
    "companies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Checked by the Luhn key; the accounts of role « entreprise » with this SIRET act for it.
    sa.Column("siret", sa.String(14), nullable=False, unique=True),
    sa.Column("naf", sa.String(6), nullable=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

company_sites = sa.Table(
    "company_sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "company_id",
        sa.Integer,
        sa.ForeignKey("companies.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("code_insee", sa.String(5), nullable=False),
    sa.UniqueConstraint("company_id", "code_insee"),
)

company_needs = sa.Table(
    "company_needs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "company_id",
        sa.Integer,
        sa.ForeignKey("companies.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("code_rome", sa.String(5), nullable=False, index=True),
    sa.Column("code_ogr", sa.String(12), nullable=True),
    sa.Column("appellation", sa.String(300), nullable=True),
    sa.Column("intitule", sa.String(200), nullable=True),
    sa.Column("nombre", sa.Integer, nullable=False),
    sa.Column("pourvus", sa.Integer, nullable=False, server_default="0"),
    sa.Column("contrat", sa.String(32), nullable=False),
    sa.Column("niveau", sa.String(16), nullable=True),
    sa.Column("debut", sa.Date, nullable=True),
    sa.Column("code_insee", sa.String(5), nullable=False, index=True),
    # The commune's territories, written with the need: a territory's needs are one query.
    sa.Column("bassin_bmo", sa.String(8), nullable=True, index=True),
    sa.Column("code_departement", sa.String(3), nullable=True, index=True),
    sa.Column("code_academie", sa.String(3), nullable=True, index=True),
    sa.Column("code_region", sa.String(3), nullable=True, index=True),
    sa.Column("statut", sa.String(24), nullable=False, index=True),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

company_offers = sa.Table(
    "company_offers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # An apprenticeship or PFMP need published as an offer (one offer per need).
    sa.Column(
        "need_id",
        sa.Integer,
        sa.ForeignKey("company_needs.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column(
        "company_id",
        sa.Integer,
        sa.ForeignKey("companies.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("intitule", sa.String(200), nullable=False),
    # « active », « pourvue », « annulee »; an active offer past its expiry reads « expiree ».
    sa.Column("statut", sa.String(16), nullable=False, index=True),
    sa.Column("expire_le", sa.Date, nullable=False, index=True),
    sa.Column("signalements", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

candidate_profiles = sa.Table(
    "candidate_profiles",
    metadata,
    # A young person's minimal profile (account of role « candidat »), published only with their
    # explicit consent (``consent_at``, ``consent_version``: the text they accepted). Nothing
    # else about them is kept: no name, no address, no birth date (docs/rgpd.md).
    sa.Column(
        "account_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The trades wished: up to five ROME codes, separated by a space (« H2913 H2914 »).
    sa.Column("codes_rome", sa.String(64), nullable=False),
    sa.Column("code_insee", sa.String(5), nullable=False, index=True),
    sa.Column("rayon_km", sa.Integer, nullable=False),
    sa.Column("niveau", sa.String(16), nullable=True),
    sa.Column("disponible_le", sa.Date, nullable=True),
    # Shown to companies ranking candidates for their offers; a candidate may hide it.
    sa.Column("visible", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("consent_version", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "offer_id",
        sa.Integer,
        sa.ForeignKey("company_offers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # The candidate's account; none once they deleted their data (the company keeps that an
    # application was made and answered, for its response rate, and nothing of the person).
    sa.Column(
        "candidate_id",
        sa.Integer,
        sa.ForeignKey("accounts.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("message", sa.String(1000), nullable=True),
    # « envoyee », « entretien », « refusee », « retiree » (withdrawn by the candidate).
    sa.Column("statut", sa.String(16), nullable=False, index=True),
    # A refusal's coded reason (docs/entreprises.md), and the company's short note.
    sa.Column("motif", sa.String(32), nullable=True),
    sa.Column("reponse", sa.String(1000), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answered_by", sa.Integer, nullable=True),
    sa.UniqueConstraint("offer_id", "candidate_id", name="uq_applications_offer_candidate"),
)

_SQL_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "text": sa.Text(),
    "code": sa.String(32),
    "integer": sa.BigInteger(),
    "decimal": sa.Float(),
    "boolean": sa.Boolean(),
    "json": sa.Text(),
}
"""The SQL type of each column kind a dataset table may hold (JSON documents are kept as text)."""


def dataset_table(table_name: str, columns: Iterable[tuple[str, str]]) -> sa.Table:
    """Declare (or give back, when already declared) the table ``table_name`` of a dataset.

    ``columns`` are (name, kind) pairs, a kind being a key of ``_SQL_TYPES``; every row also
    carries the ``source_file_id`` and the ``line`` it was read from.
    """
    if table_name in metadata.tables:
        return metadata.tables[table_name]
    stored = [
        sa.Column(
            "source_file_id",
            sa.Integer,
            sa.ForeignKey("source_files.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("line", sa.Integer, nullable=False),
    ]
    stored += [sa.Column(name, _SQL_TYPES[kind], nullable=True) for name, kind in columns]
    return sa.Table(table_name, metadata, *stored)
