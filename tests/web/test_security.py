"""The hardened surface, through the application in-process: the probe's hostile requests answer
4xx (never 500), exports hold no formula, every response carries the security headers, only
known ``Host`` names are served, bodies above 1 MB are refused, pages embed JSON safely, and the
simulations' schema has bounds. (Over loopback, with ``tremplin serve``: ``test_serve.py``.)"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.stores import load_store
from tests.web.client import WebClient, web_client, web_settings
from tremplin.config import Settings
from tremplin.reports.exports import FORMULA_TRIGGERS
from tremplin.web.shared.auth import CSRF_COOKIE
from tremplin.web.shared.params import PAGE_MAX
from tremplin.web.shared.security import MAX_BODY_BYTES, SECURITY_HEADERS

PAGED_ROUTES = ("/api/v1/diagnostic", "/api/v1/offres", "/api/v1/formations")
EXPORTS = ("diagnostic", "offres", "formations")


@pytest.fixture
def client(store_client: WebClient) -> WebClient:
    """The application on an empty store: what is refused before any data is read."""
    return store_client


def _workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def _text_cells(book: openpyxl.Workbook) -> list[openpyxl.cell.Cell]:
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def _assert_no_formula_in_xlsx(content: bytes) -> openpyxl.Workbook:
    book = _workbook(content)
    for cell in _text_cells(book):
        assert cell.data_type == "s", cell.value
        assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
    return book


def _csv_text_cells(content: bytes) -> list[str]:
    """Every cell of a CSV export that is not a number (a negative figure is one)."""
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    number = re.compile(r"-?\d+(,\d+)?")
    return [cell for row in rows for cell in row if not number.fullmatch(cell)]


# --- exports ----------------------------------------------------------------------------------


def test_a_formula_in_texte_is_written_as_text(demo_client: WebClient) -> None:
    formula = '=HYPERLINK("http://exemple.invalid";"cliquez")'
    answer = demo_client.request("GET", "/api/v1/offres.xlsx", params={"texte": formula})
    assert answer.status_code == 200
    book = _assert_no_formula_in_xlsx(answer.content)
    filters = {row[0].value: row[1].value for row in book["Sources"].iter_rows() if len(row) > 1}
    assert filters["texte"] == "'" + formula

    answer = demo_client.request("GET", "/api/v1/offres.csv", params={"texte": "x;=1+1"})
    assert answer.status_code == 200
    cells = _csv_text_cells(answer.content)
    # The preamble's filters line is « Filtres : … / texte = x;=1+1 »: cells keep the spaces
    # around its separators.
    stripped = {c.strip() for c in cells}
    assert "=1+1" not in stripped and "'=1+1" in stripped
    assert not [c for c in cells if c.lstrip(" ").startswith(FORMULA_TRIGGERS)]


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("character", ["\x0b", "\x01", "\x00", "\r\n=1+1"])
def test_a_control_character_in_a_filter_never_breaks_an_xlsx(
    demo_client: WebClient, name: str, character: str
) -> None:
    filters = {"texte": f"a{character}b"} if name != "diagnostic" else {"groupe": character}
    answer = demo_client.request("GET", f"/api/v1/{name}.xlsx", params=filters)
    assert answer.status_code < 500, answer.text
    if answer.status_code == 200:
        _assert_no_formula_in_xlsx(answer.content)


@pytest.fixture
def hostile_client(demo_dir: Path, database_url: str, tmp_path: Path) -> Iterator[WebClient]:
    """The demo territory where every lycée's name starts with « = » and holds a ``\\x01``,
    every diploma's label starts with « = » and holds a ``\\x0b`` (the probe's data label that
    made every XLSX export fail), and the Affelnet file's name starts with « = », on SQLite and
    PostgreSQL."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    path = folder / "etablissements" / "lycees_france.json"
    document = json.loads(path.read_text("utf-8"))
    for item in document:
        if item["model"].endswith(".school"):
            item["fields"]["name"] = "=" + item["fields"]["name"].replace(" ", "\x01", 1)
    path.write_text(json.dumps(document), encoding="utf-8")
    diplomas = folder / "bcn" / "nFormationDiplome_.csv"
    header, *lines = diplomas.read_text("utf-8-sig").splitlines()
    label = header.split(";").index("LIBELLE_LONG_200")
    hostile = [header]
    for line in lines:
        cells = line.split(";")
        cells[label] = "=" + cells[label].replace(" ", "\x0b", 1)
        hostile.append(";".join(cells))
    diplomas.write_text("\n".join(hostile) + "\n", encoding="utf-8")
    offers = folder / "affelnet" / "attractivite_capacite_2021.csv"
    offers.rename(offers.with_name("=" + offers.name))  # a file name that is a formula
    loaded = load_store(database_url, [folder])
    with web_client(web_settings(loaded.url)) as client:
        yield client


def test_hostile_labels_are_exported_as_text(hostile_client: WebClient) -> None:
    offers = hostile_client.json("/api/v1/offres.json?perimetre=tout")["lignes"]
    # The hostile texts reach the offers (names of other sources are left as they were).
    names = {row["etablissement"] for row in offers if "\x01" in (row["etablissement"] or "")}
    labels = {
        row["libelle_formation"] for row in offers if "\x0b" in (row["libelle_formation"] or "")
    }
    assert names and all(n.startswith("=") for n in names)
    assert labels and all(n.startswith("=") for n in labels)
    for name in EXPORTS:
        answer = hostile_client.get(f"/api/v1/{name}.xlsx?perimetre=tout")
        assert answer.status_code == 200, answer.text
        _assert_no_formula_in_xlsx(answer.content)
        answer = hostile_client.get(f"/api/v1/{name}.csv?perimetre=tout")
        assert answer.status_code == 200
        cells = _csv_text_cells(answer.content)
        assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    book = _workbook(hostile_client.get("/api/v1/offres.xlsx?perimetre=tout").content)
    exported = {str(cell.value) for cell in _text_cells(book)}
    # What a person reads: the text after the « ' » that keeps it from being a formula,
    # without the characters XML forbids.
    assert {"'" + n.replace("\x01", "") for n in names} <= exported
    assert {"'" + n.replace("\x0b", "") for n in labels} <= exported
    assert "'=attractivite_capacite_2021.csv" in exported
    preamble = hostile_client.get("/api/v1/offres.csv?perimetre=tout").content.decode("utf-8-sig")
    assert "# Fichier chargé : =attractivite_capacite_2021.csv" in preamble


# --- bounded parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("route", PAGED_ROUTES)
def test_a_page_past_any_integer_is_a_422(demo_client: WebClient, route: str) -> None:
    answer = demo_client.get(f"{route}?page={2**63 - 1}")
    assert answer.status_code == 422
    assert answer.json()["detail"] == f"page « {2**63 - 1} » : au plus {PAGE_MAX} est attendu"
    last = demo_client.json(f"{route}?page={PAGE_MAX}&taille=1000")
    assert last["lignes"] == [] and last["page"] == PAGE_MAX


@pytest.mark.parametrize("path", ["/diagnostic/offres", "/diagnostic/formations"])
def test_a_console_page_past_any_integer_is_a_422_page(demo_client: WebClient, path: str) -> None:
    answer = demo_client.get(f"{path}?page={2**63 - 1}")
    assert answer.status_code == 422
    assert "au plus 1000000 est attendu" in answer.text


@pytest.mark.parametrize("route", PAGED_ROUTES)
def test_a_year_past_any_integer_is_a_422(demo_client: WebClient, route: str) -> None:
    answer = demo_client.get(f"{route}?annee={2**63 - 1}")
    assert answer.status_code == 422
    assert "au plus 2100 est attendu" in answer.json()["detail"]


# --- pages embed JSON safely --------------------------------------------------------------------


def test_a_group_that_opens_a_comment_and_a_script_leaves_the_page_intact(
    demo_client: WebClient,
) -> None:
    hostile = "<!--<script>"
    answer = demo_client.request("GET", "/diagnostic", params={"groupe": hostile})
    assert answer.status_code == 200
    html = answer.text
    assert hostile not in html
    embedded = re.search(
        r'<script type="application/json" id="carte-config">(.*?)</script>', html, re.S
    )
    assert embedded is not None
    assert "<" not in embedded.group(1) and ">" not in embedded.group(1)
    assert json.loads(embedded.group(1))  # the map still reads its configuration
    assert hostile in embedded.group(1).encode().decode("unicode_escape")
    # The page still ends as it should (nothing after the script was swallowed).
    assert html.rstrip().endswith("</html>")


# --- headers, Host, body size -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/v1/sources",
        "/api/openapi.json",
        "/api/docs",
        "/static/tremplin.css",
        "/inconnue",
        "/api/v1/inconnue",
        "/api/v1/offres?page=0",
    ],
)
def test_every_response_carries_the_security_headers(client: WebClient, path: str) -> None:
    answer = client.get(path)
    for name, value in SECURITY_HEADERS:
        assert answer.headers[name] == value, (path, name)
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert (
        "script-src 'self';" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_loopback_names_are_served(client: WebClient, host: str) -> None:
    assert client.request("GET", "/api/v1/sources", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.2", ""])
def test_other_host_names_are_refused_in_french(client: WebClient, host: str) -> None:
    answer = client.request("GET", "/api/v1/sources", headers={"Host": host})
    assert answer.status_code == 400
    assert "non autorisée pour ce serveur" in answer.json()["detail"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    page = client.request("GET", "/", headers={"Host": host})
    assert page.status_code == 400 and "TREMPLIN_ALLOWED_HOSTS" in page.text


def test_the_allowed_hosts_setting_admits_a_domain(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"TREMPLIN_DATABASE_URL": sqlite_url, "TREMPLIN_ALLOWED_HOSTS": "localhost, .exemple.fr"}
    )
    assert settings.allowed_hosts == ("localhost", ".exemple.fr")
    with web_client(settings) as client:
        for host, status in [
            ("tremplin.exemple.fr", 200),
            ("exemple.fr:443", 200),
            ("exemple.fr.evil.example", 400),
            ("127.0.0.1", 400),
        ]:
            assert client.request("GET", "/", headers={"Host": host}).status_code == status, host


def test_a_body_above_one_megabyte_is_a_413(client: WebClient) -> None:
    document = {"titre": "x" * (MAX_BODY_BYTES + 1)}
    answer = client.post("/api/v1/simulations", document)
    assert answer.status_code == 413
    assert answer.json()["detail"] == "requête trop volumineuse : au plus 1024 Kio sont acceptés"

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"titre": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    # The same body in chunks, without a length.
    answer = client.request(
        "POST",
        "/api/v1/simulations",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413


# --- the simulations' schema ------------------------------------------------------------------

_CHANGE = {"action": "ouvrir", "uai": "0010034G", "mef_stat_11": "23820025411", "places": 15}
_TRANSFER = {"action": "transferer", "uai": "0010034G", "mef_stat_11": "23820025411", "places": 5}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (
            {"titre": "x" * 201, "changements": [_CHANGE]},
            "titre « " + "x" * 60 + "… » : au plus 200 caractères",
        ),
        ({"changements": [_CHANGE] * 201}, "changements : au plus 200 éléments"),
        (
            {"changements": [{**_CHANGE, "places": 10**9}]},
            "changements[0].places « 1000000000 » : au plus 999 est attendu",
        ),
        (
            {"changements": [{**_CHANGE, "places": 2**63}]},
            f"changements[0].places « {2**63} » : au plus 999 est attendu",
        ),
        ({"changements": [{**_CHANGE, "places": -(2**63) - 1}]}, "au moins -999 est attendu"),
        ({"graines": 51, "changements": [_CHANGE]}, "graines « 51 » : au plus 50 est attendu"),
        (
            {"changements": [{**_TRANSFER, "vers": "0690103M"}]},
            "changements[0].vers « 0690103M » : un objet est attendu",
        ),
        (
            {"changements": [{**_TRANSFER, "vers": ["0690103M"]}]},
            "changements[0].vers : un objet est attendu",
        ),
        (
            {"changements": [{**_TRANSFER, "vers": {"uai": 690103}}]},
            "changements[0].vers.uai « 690103 » : du texte est attendu",
        ),
        ({"changements": [{**_TRANSFER, "vers": {"lycee": "x"}}]}, "changements[0].vers.lycee"),
    ],
)
def test_the_simulations_schema_has_bounds(
    client: WebClient, document: dict[str, Any], words: str
) -> None:
    answer = client.post("/api/v1/simulations", document)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["detail"]


def test_a_fifty_megabyte_title_and_a_hundred_thousand_changes_are_refused(
    client: WebClient,
) -> None:
    for document in (
        {"titre": "x" * 50_000_000},
        {"changements": [_CHANGE] * 100_000},
    ):
        assert client.post("/api/v1/simulations", document).status_code == 413


def test_the_form_has_the_same_bounds(client: WebClient) -> None:
    form = {
        "titre": "x" * 201,
        "action": "ouvrir",
        "uai": "0010034G",
        "mef_stat_11": "23820025411",
        "places": str(10**9),
        "csrf": "jeton",  # the form's CSRF token, equal to its cookie
    }
    answer = client.request(
        "POST", "/simulations", data=form, headers={"cookie": f"{CSRF_COOKIE}=jeton"}
    )
    assert answer.status_code == 422
    text = " ".join(answer.text.split())
    assert "au plus 200 caractères" in text and "au plus 999 est attendu" in text


# --- what the API says of the server ------------------------------------------------------------


def test_sources_name_files_not_server_paths(demo_client: WebClient) -> None:
    files = demo_client.json("/api/v1/sources")
    assert files
    for found in files:
        assert found["path"] == found["file"]
        assert "/" not in found["path"] and "\\" not in found["path"]
