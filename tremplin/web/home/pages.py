"""The HTML pages: home and « Sources de données »."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin.sources.registry import dataset as registered_dataset
from tremplin.store.provenance import LoadedFile, RejectedRow, list_loaded_files, list_rejected_rows
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render, request_engine, request_settings

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

REJECTED_SHOWN = 20
"""How many rejected rows of a file the sources page lists (the first ones, in file order)."""


@dataclass(frozen=True)
class FileView:
    """A loaded file and the first rows it had rejected."""

    file: LoadedFile
    rejected: list[RejectedRow]


@dataclass(frozen=True)
class DatasetView:
    """The loaded files of one dataset, with the dataset's French title when it is known."""

    name: str
    title: str
    producer: str | None
    files: list[FileView]


def _dataset_view(name: str, files: list[FileView]) -> DatasetView:
    try:
        known = registered_dataset(name)
    except KeyError:
        # A file loaded by an older version may name a dataset the registry no longer has.
        return DatasetView(name, name, None, files)
    return DatasetView(name, known.title, known.producer, files)


@router.get("/", name="home")
def home(request: Request) -> Response:
    """What Tremplin is for, and where to go next."""
    return render(request, "home.html")


@router.get("/sources", name="sources")
def sources(request: Request) -> Response:
    """Every loaded file, by dataset, with its provenance and the rows it had rejected."""
    with request_engine(request).connect() as conn:
        files = [
            FileView(
                loaded,
                list_rejected_rows(conn, loaded.id, REJECTED_SHOWN) if loaded.rows_rejected else [],
            )
            for loaded in list_loaded_files(conn)
        ]
    datasets = [
        _dataset_view(name, list(group))
        for name, group in groupby(files, key=lambda view: view.file.dataset)
    ]
    return render(
        request,
        "sources.html",
        {
            "datasets": datasets,
            "settings": request_settings(request),
            "rejected_shown": REJECTED_SHOWN,
        },
    )
