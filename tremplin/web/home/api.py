"""The JSON API, version 1 (``/api/v1``), described by the OpenAPI document."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tremplin.store.provenance import list_loaded_files
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", dependencies=[requires("lecture")])


class SourceFile(BaseModel):
    """One loaded file and its provenance (the shape of ``tremplin sources --json``)."""

    dataset: str = Field(description="Jeu de données reconnu (nom interne, ex. « effectifs »).")
    variant: str = Field(description="Variante du jeu de données ; vide s'il n'y en a qu'une.")
    file: str = Field(description="Nom du fichier chargé.")
    path: str = Field(
        description="Nom du fichier, sans le dossier du serveur (la clé est gardée pour les "
        "scripts ; « tremplin sources --json » donne le chemin complet en local)."
    )
    sha256: str = Field(description="Empreinte SHA-256 du fichier (64 caractères hexadécimaux).")
    size_bytes: int = Field(description="Taille du fichier en octets.")
    year: str | None = Field(description="Millésime des données (ex. « 2024 » ou « 2023-2024 »).")
    format: str = Field(description="Format du fichier (csv, xlsx, json…).")
    encoding: str | None = Field(description="Encodage des caractères, pour un fichier texte.")
    separator: str | None = Field(description="Séparateur de colonnes, pour un fichier CSV.")
    loaded_at: str = Field(
        description="Date et heure du chargement (ISO 8601).",
        json_schema_extra={"format": "date-time"},
    )
    rows_loaded: int = Field(description="Lignes chargées.")
    rows_rejected: int = Field(description="Lignes écartées (voir la page « Sources de données »).")
    cells_suppressed: int = Field(description="Cellules masquées « * » (secret statistique).")
    columns: dict[str, str] = Field(
        description="Colonne retenue → en-tête d'origine dans le fichier."
    )
    ignored_columns: list[str] = Field(description="En-têtes du fichier non retenus.")
    demo: bool = Field(description="Vrai pour un fichier du territoire fictif de démonstration.")
    warnings: list[str] = Field(
        description="Ce dont se méfier dans ce fichier, en phrases (vide sinon) : un fichier qui "
        "répète les lignes d'un autre millésime du même jeu (nommé, avec son année), un fichier "
        "réduit à son en-tête."
    )


@router.get(
    "/sources",
    response_model=list[SourceFile],
    tags=["Sources de données"],
    summary="Fichiers chargés",
    description="Chaque fichier chargé dans la base, par jeu de données puis millésime.",
)
def sources(request: Request) -> list[dict[str, Any]]:
    with request_engine(request).connect() as conn:
        # The server's folders are nobody's business: the file's name only, under both keys.
        return [_without_folders(loaded.as_json()) for loaded in list_loaded_files(conn)]


def _without_folders(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "path": PurePath(str(document["path"])).name}
