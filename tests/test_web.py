"""The web application, in-process through its ASGI interface, on a real SQLite store."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import anyio
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from typer.testing import CliRunner

from tremplin.cli import app as cli
from tremplin.config import Settings
from tremplin.formats import format_datetime
from tremplin.sources.ingest import DEMO_MARKER, load_paths
from tremplin.store.provenance import list_loaded_files
from tremplin.web.app import create_app
from tremplin.web.shared.assets import ASSETS, MissingAssets, copy_assets, vendor_ready

CONSTAT_HEADER = "Rentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total"
BASSINS_HEADER = "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO"
BAD_UAI = "075033"
NNBSP = "\u202f"


def write_constat(
    folder: Path, year: int, students: Sequence[int], bad_uai_rows: int = 0, demo: bool = False
) -> Path:
    """A constat de rentrée file in the official format: one row per student count, then
    ``bad_uai_rows`` rows whose UAI is malformed (the loader rejects them)."""
    folder.mkdir(parents=True, exist_ok=True)
    if demo:
        (folder / DEMO_MARKER).touch()
    lines = [CONSTAT_HEADER]
    lines += [f"{year};{690000 + i:07d}A;32211022207;{n}" for i, n in enumerate(students)]
    lines += [f"{year};{BAD_UAI};32211022207;{i}" for i in range(bad_uai_rows)]
    path = folder / f"constat_{year}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def write_bassins(folder: Path) -> Path:
    """The BMO list of communes per bassin d'emploi (a file with no millésime)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bassin_emploi_BMO_communes.csv"
    path.write_text(
        f"{BASSINS_HEADER}\n84,63,63113,8457,CLERMONT FERRAND\n84,69,69123,8470,LYON\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TREMPLIN_DATABASE_URL": sqlite_url,
            "TREMPLIN_SOURCES": str(tmp_path / "sources"),
            "TREMPLIN_DEMO_DIR": str(tmp_path / "demo"),
        }
    )


class Client:
    """Requests to the ASGI application in-process, one event loop per request."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, path: str) -> httpx.Response:
        async def _get() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://tremplin.test") as c:
                return await c.get(path)

        return anyio.run(_get)


@pytest.fixture
def client(store: sa.Engine, settings: Settings) -> Iterator[Client]:
    """The application on the same SQLite file as ``store``, which the tests fill."""
    app = create_app(settings)
    yield Client(app)
    app.state.engine.dispose()


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_home_page_is_french_and_dsfr(client: Client) -> None:
    html = _page(client, "/")
    assert '<html lang="fr">' in html
    assert "<title>Accueil — Tremplin</title>" in html
    assert '<p class="fr-logo">République<br>Française</p>' in html
    assert '<p class="fr-header__service-title">Tremplin</p>' in html
    for objective in (
        "Attractivité et orientation",
        "Accès à la formation",
        "Compétences pour les entreprises",
    ):
        assert objective in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert 'id="pied-de-page"' in html
    assert 'href="/sources"' in html and 'href="/api/docs"' in html
    assert '<a class="fr-nav__link" href="/" aria-current="page">Accueil</a>' in html


def test_pages_load_only_local_scripts_and_styles(client: Client) -> None:
    for path in ("/", "/sources", "/api/docs"):
        html = _page(client, path)
        assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
        assert assets, path
        assert all(url.startswith("/static/") for url in assets), (path, assets)


def test_sources_empty_state(client: Client, settings: Settings) -> None:
    html = _page(client, "/sources")
    assert "<h1>Sources de données</h1>" in html
    assert "Aucune donnée chargée" in html
    assert f"tremplin load {settings.sources}" in html
    assert f"tremplin demo {settings.demo_dir}" in html
    assert "<table" not in html


def test_sources_lists_each_file_with_its_provenance(
    client: Client, store: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "sources"
    write_constat(folder, 2020, [83, 12345], bad_uai_rows=2)
    write_constat(folder, 2021, [980])
    write_bassins(folder / "bmo")
    load_paths(store, [folder])
    with store.connect() as conn:
        constat_2020 = next(f for f in list_loaded_files(conn) if f.millesime == "2020")

    html = _page(client, "/sources")
    assert "Aucune donnée chargée" not in html
    # One table per dataset, and one listing the rejected rows.
    assert html.count("<table>") == 3
    assert "Constat de rentrée — élèves par établissement et formation</h2>" in html
    assert "Producteur : DEPP" in html
    assert "BMO — communes de chaque bassin d&#39;emploi</h2>" in html
    for name in ("constat_2020.csv", "constat_2021.csv", "bassin_emploi_BMO_communes.csv"):
        assert f"<td>{name}</td>" in html
    assert '<td class="nombre">2</td>' in html  # rows loaded, and rejected, from constat_2020
    sha = constat_2020.sha256
    assert f'<code title="{sha}">{sha[:12]}…</code>' in html
    assert f"<td>{format_datetime(constat_2020.loaded_at)}</td>" in html
    # Only the file with rejected rows has a disclosure: line, column, value and reason.
    assert html.count("<details") == 1
    assert "Lignes rejetées de constat_2020.csv" in html
    assert '<td class="nombre">4</td>' in html and '<td class="nombre">5</td>' in html
    assert f"<code>{BAD_UAI}</code>" in html
    assert "un code UAI : 7 chiffres et une lettre, par ex. 0690001A" in html


def test_sources_shows_only_the_first_rejected_rows(
    client: Client, store: sa.Engine, tmp_path: Path
) -> None:
    # 50 bad rows among 570 stay under the loader's 10 % limit of rejected rows.
    load_paths(store, [write_constat(tmp_path, 2020, [10] * 520, bad_uai_rows=50)])
    html = _page(client, "/sources")
    assert '<td class="nombre">520</td>' in html
    assert "les 20 premières sur 50" in html
    assert html.count(f"<code>{BAD_UAI}</code>") == 20
    assert '<td class="nombre">541</td>' in html  # the 20th: header, 520 good rows, then bad ones
    assert '<td class="nombre">542</td>' not in html


def test_api_sources_is_the_provenance_json(
    client: Client, store: sa.Engine, tmp_path: Path
) -> None:
    assert client.get("/api/v1/sources").json() == []
    load_paths(store, [write_constat(tmp_path / "demo", 2021, [5], demo=True)])
    [demo] = client.get("/api/v1/sources").json()
    assert (demo["year"], demo["demo"]) == ("2021", True)

    # Real files push the fictional ones out: the two never mix.
    load_paths(store, [write_constat(tmp_path / "reels", 2020, [83, 32], bad_uai_rows=1)])
    response = client.get("/api/v1/sources")
    assert response.status_code == 200
    with store.connect() as conn:
        expected = [loaded.as_json() for loaded in list_loaded_files(conn)]
    assert response.json() == expected
    [real] = response.json()
    assert (real["file"], real["year"], real["rows_loaded"]) == ("constat_2020.csv", "2020", 2)
    assert (real["rows_rejected"], real["demo"]) == (1, False)


def test_openapi_documents_the_sources_endpoint(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Tremplin"
    operation = document["paths"]["/api/v1/sources"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"] == {"$ref": "#/components/schemas/SourceFile"}
    fields = document["components"]["schemas"]["SourceFile"]["properties"]
    assert {"file", "sha256", "year", "rows_loaded", "rows_rejected", "demo"} <= fields.keys()
    assert fields["loaded_at"]["format"] == "date-time"
    # Pages are not part of the API.
    assert "/" not in document["paths"] and "/sources" not in document["paths"]


def test_api_docs_is_a_self_hosted_swagger_ui(client: Client) -> None:
    html = _page(client, "/api/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "url: '/api/openapi.json'" in html
    assert '"validatorUrl": null' in html
    assert "cdn" not in html
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_demo_banner_shows_on_every_page_iff_a_demo_file_is_loaded(
    client: Client, store: sa.Engine, tmp_path: Path
) -> None:
    banner = "Données fictives de démonstration"
    pages = ("/", "/sources")
    assert all(banner not in _page(client, path) for path in pages)

    load_paths(store, [write_constat(tmp_path / "demo", 2021, [5], demo=True)])
    assert all(banner in _page(client, path) for path in pages)
    assert banner in client.get("/nulle-part").text
    assert "Fictif" in _page(client, "/sources")

    # Real files replace the demo data: the banner goes with it.
    load_paths(store, [write_constat(tmp_path / "reels", 2020, [83])])
    assert all(banner not in _page(client, path) for path in pages)


def test_unknown_page_is_a_french_404(client: Client) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page non trouvée" in response.text
    assert '<html lang="fr">' in response.text
    api = client.get("/api/v1/nulle-part")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_own_stylesheet_is_served(client: Client) -> None:
    response = client.get("/static/tremplin.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


def _fake_node_modules(root: Path) -> Path:
    """A node_modules holding every declared asset, as tiny files."""
    for asset in ASSETS:
        source = root / asset.package / asset.source
        if Path(asset.source).suffix:
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(f"/* {asset.package} {asset.source} */")
        else:  # a folder
            source.mkdir(parents=True, exist_ok=True)
            (source / "inside.woff2").write_bytes(b"\x00")
    return root


def test_copy_assets_replaces_the_vendor_folder(tmp_path: Path) -> None:
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    vendor = tmp_path / "vendor"
    (vendor / "stale").mkdir(parents=True)
    copied = copy_assets(node_modules, vendor)
    assert len(copied) == len(ASSETS)
    assert vendor_ready(vendor)
    assert not (vendor / "stale").exists()
    assert (vendor / "dsfr/dsfr.min.css").read_text() == "/* @gouvfr/dsfr dist/dsfr.min.css */"
    assert (vendor / "dsfr/fonts/inside.woff2").exists()
    assert (vendor / "htmx/htmx.min.js").exists()


def test_copy_assets_touches_nothing_when_a_package_is_missing(tmp_path: Path) -> None:
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    (node_modules / "htmx.org/dist/htmx.min.js").unlink()
    vendor = tmp_path / "vendor"
    (vendor / "kept").mkdir(parents=True)
    with pytest.raises(MissingAssets) as raised:
        copy_assets(node_modules, vendor)
    assert raised.value.missing == [node_modules / "htmx.org/dist/htmx.min.js"]
    assert (vendor / "kept").exists()


def test_assets_command_explains_a_missing_npm_install(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["assets", str(tmp_path)])
    assert result.exit_code == 1
    assert "fichiers absents" in result.output
    assert "npm ci" in result.output
