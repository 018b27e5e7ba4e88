"""``tremplin fetch`` against a real HTTP server on 127.0.0.1 serving the real data folder.

The server honours ``Range`` (and ``If-Range`` against its ``ETag``), records the headers it
receives, and can be told to answer 404 for a path, to ignore ``Range``, or to drop the connection
after N bytes of a body, as a flaky network does.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.errors import InputError
from tremplin.sources.catalogue import CATALOGUE, entry
from tremplin.sources.fetch import MANIFEST_NAME, FetchError, Outcome, fetch, read_manifest

SMALL = "bcn_n_niveau_formation_diplome"  # bcn/nNiveauFormationDiplome_.csv, 18 kB
LARGE = "bcn_n_mef"  # bcn/nMef.csv, 1.9 MB


@dataclass
class Request:
    path: str
    range: str | None
    if_range: str | None


@dataclass
class ServerState:
    root: Path
    requests: list[Request] = field(default_factory=list)
    cut_after: dict[str, int] = field(default_factory=dict)  # path → bytes sent, once
    missing: set[str] = field(default_factory=set)
    ignore_range: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ranges(self, path: str) -> list[str | None]:
        return [r.range for r in self.requests if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        state = self.server.state
        path = unquote(urlsplit(self.path).path).lstrip("/")
        with state.lock:
            state.requests.append(
                Request(path, self.headers.get("Range"), self.headers.get("If-Range"))
            )
            cut = state.cut_after.pop(path, None)
        file = state.root / path
        if path in state.missing or not file.is_file():
            self.send_error(404, "Not Found")
            return
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        start = self._range_start(etag)
        if start is not None and start >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if start is None:
            self.send_response(200)
            body = data
        else:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        # HTTP/1.0: the connection closes when the handler returns, short of Content-Length
        # when the body was cut, which is what a dropped connection looks like to the client.
        self.wfile.write(body if cut is None else body[:cut])

    def _range_start(self, etag: str) -> int | None:
        header = self.headers.get("Range")
        if self.server.state.ignore_range or not header or not header.startswith("bytes="):
            return None
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range != etag:
            return None
        first = header.removeprefix("bytes=").split("-", 1)[0]
        return int(first) if first.isdigit() else None

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ServerState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@pytest.fixture
def server(sources_dir: Path) -> Iterator[tuple[ServerState, str]]:
    """A mirror of the real data folder on 127.0.0.1, and its base URL."""
    state = ServerState(sources_dir)
    httpd = _Server(state)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_catalogue_covers_the_shared_data_layout(sources_dir: Path) -> None:
    shared = {
        p.relative_to(sources_dir).as_posix()
        for p in sources_dir.rglob("*")
        if p.is_file() and p.parent != sources_dir
    }
    paths = [e.path for e in CATALOGUE]
    assert len(paths) == len(set(paths))
    assert len({e.key for e in CATALOGUE}) == len(CATALOGUE)
    assert set(paths) == shared
    for item in CATALOGUE:
        assert item.producer and item.licence and item.title
        assert item.url is None or item.url.startswith("https://")
        assert item.url is not None or item.note, f"{item.key}: note manquante"


def test_full_fetch_through_a_mirror_gives_identical_files(
    server: tuple[ServerState, str], sources_dir: Path, tmp_path: Path
) -> None:
    state, mirror = server
    dest = tmp_path / "sources"
    results = fetch(dest, mirror=mirror)

    assert [r.entry for r in results] == list(CATALOGUE)
    manifest = read_manifest(dest)
    fetched = [r for r in results if r.entry.url is not None]
    assert fetched
    for result in fetched:
        path = result.entry.path
        assert result.outcome is Outcome.DOWNLOADED, result.note
        assert (dest / path).read_bytes() == (sources_dir / path).read_bytes()
        record = manifest[path]
        assert record["sha256"] == _sha256(sources_dir / path) == result.sha256
        assert record["size_bytes"] == (sources_dir / path).stat().st_size
        assert record["dataset"] == result.entry.key
        assert record["url"] == mirror + path
        assert datetime.fromisoformat(record["fetched_at"]).tzinfo is not None
        assert not (dest / (path + ".part")).exists()
    for result in results:
        if result.entry.url is None:
            assert result.outcome is Outcome.UNPUBLISHED
            assert result.note == result.entry.note
            assert not (dest / result.entry.path).exists()
    assert set(manifest) == {r.entry.path for r in fetched}
    assert {r.path for r in state.requests} == set(manifest)


def test_a_partial_download_is_resumed_with_a_range_request(
    server: tuple[ServerState, str], sources_dir: Path, tmp_path: Path
) -> None:
    state, mirror = server
    path = entry(SMALL).path
    original = (sources_dir / path).read_bytes()
    part = tmp_path / (path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(original[:5000])

    [result] = fetch(tmp_path, mirror=mirror, only={SMALL})

    assert result.outcome is Outcome.RESUMED
    assert result.resumed_from == 5000
    assert state.ranges(path) == ["bytes=5000-"]
    assert (tmp_path / path).read_bytes() == original
    assert not part.exists()
    assert read_manifest(tmp_path)[path]["sha256"] == _sha256(sources_dir / path)


def test_a_dropped_connection_is_completed_by_the_next_run(
    server: tuple[ServerState, str], sources_dir: Path, tmp_path: Path
) -> None:
    state, mirror = server
    large, small = entry(LARGE).path, entry(SMALL).path
    state.cut_after[large] = 100_000

    first = {r.entry.key: r for r in fetch(tmp_path, mirror=mirror, only={LARGE, SMALL})}

    assert first[LARGE].outcome is Outcome.FAILED
    error = first[LARGE].error
    assert isinstance(error, FetchError)
    assert mirror + large in str(error)
    assert "interrompue" in str(error)
    assert (tmp_path / (large + ".part")).stat().st_size == 100_000
    assert not (tmp_path / large).exists()
    # The other file completed and is kept, with its manifest entry.
    assert first[SMALL].outcome is Outcome.DOWNLOADED
    assert (tmp_path / small).read_bytes() == (sources_dir / small).read_bytes()

    second = {r.entry.key: r for r in fetch(tmp_path, mirror=mirror, only={LARGE, SMALL})}

    assert second[LARGE].outcome is Outcome.RESUMED
    assert second[LARGE].resumed_from == 100_000
    assert second[SMALL].outcome is Outcome.UNCHANGED
    assert state.ranges(large) == [None, "bytes=100000-"]
    # The resumed request carried the validator of the first answer.
    assert state.requests[-1].if_range is not None
    assert (tmp_path / large).read_bytes() == (sources_dir / large).read_bytes()
    assert read_manifest(tmp_path)[large]["sha256"] == _sha256(sources_dir / large)


def test_an_unchanged_file_is_not_downloaded_again(
    server: tuple[ServerState, str], tmp_path: Path
) -> None:
    state, mirror = server
    path = entry(SMALL).path
    fetch(tmp_path, mirror=mirror, only={SMALL})
    assert len(state.requests) == 1

    [again] = fetch(tmp_path, mirror=mirror, only={SMALL})
    assert again.outcome is Outcome.UNCHANGED
    assert len(state.requests) == 1

    # A file edited by hand no longer matches the manifest: it is downloaded again.
    with (tmp_path / path).open("ab") as handle:
        handle.write(b"x")
    [repaired] = fetch(tmp_path, mirror=mirror, only={SMALL})
    assert repaired.outcome is Outcome.DOWNLOADED
    assert len(state.requests) == 2


def test_a_server_that_ignores_range_restarts_from_scratch(
    server: tuple[ServerState, str], sources_dir: Path, tmp_path: Path
) -> None:
    state, mirror = server
    state.ignore_range = True
    path = entry(SMALL).path
    part = tmp_path / (path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"not the start of the file")

    [result] = fetch(tmp_path, mirror=mirror, only={SMALL})

    assert result.outcome is Outcome.DOWNLOADED
    assert state.ranges(path) == [f"bytes={len(b'not the start of the file')}-"]
    assert (tmp_path / path).read_bytes() == (sources_dir / path).read_bytes()


def test_a_404_gives_a_french_error_naming_the_url(
    server: tuple[ServerState, str], tmp_path: Path
) -> None:
    state, mirror = server
    missing = entry("academies_contours").path
    state.missing.add(missing)

    results = {r.entry.key: r for r in fetch(tmp_path, mirror=mirror, only={"territoires"})}

    failed = results["academies_contours"]
    assert failed.outcome is Outcome.FAILED
    assert isinstance(failed.error, FetchError)
    assert failed.error.http_status == 404
    assert failed.error.url == mirror + missing
    assert str(failed.error) == f"le serveur a répondu 404 Not Found pour {mirror}{missing}"
    assert not (tmp_path / missing).exists()
    assert MANIFEST_NAME not in {p.name for p in tmp_path.iterdir()}
    assert results["communes"].outcome is Outcome.UNPUBLISHED


def test_unknown_dataset_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inconnu"):
        fetch(tmp_path, only={"pas_un_jeu"})


def test_cli_fetches_end_to_end(
    server: tuple[ServerState, str], sources_dir: Path, tmp_path: Path
) -> None:
    _, mirror = server
    dest = tmp_path / "sources"
    runner = CliRunner()

    result = runner.invoke(
        app,
        ["fetch", "--dest", str(dest), "--mirror", mirror, "--only", SMALL, "--only", "bmo"],
    )

    assert result.exit_code == 0, result.output
    assert "Récapitulatif" in result.output
    assert "téléchargé" in result.output
    assert "non publié" in result.output
    for key in (SMALL, "bmo_2024"):
        path = entry(key).path
        assert (dest / path).read_bytes() == (sources_dir / path).read_bytes()
    manifest = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(f["dataset"] for f in manifest["files"]) == [
        "bcn_n_niveau_formation_diplome",
        "bmo_2024",
    ]

    again = runner.invoke(app, ["fetch", "--dest", str(dest), "--mirror", mirror, "--only", SMALL])
    assert again.exit_code == 0, again.output
    assert "inchangé" in again.output


def test_cli_takes_its_defaults_from_the_settings(
    server: tuple[ServerState, str],
    sources_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, mirror = server
    monkeypatch.setenv("TREMPLIN_SOURCES", str(tmp_path))
    monkeypatch.setenv("TREMPLIN_FETCH_MIRROR", mirror)

    result = CliRunner().invoke(app, ["fetch", "--only", SMALL])

    assert result.exit_code == 0, result.output
    path = entry(SMALL).path
    assert (tmp_path / path).read_bytes() == (sources_dir / path).read_bytes()


def test_cli_reports_failures_in_french(server: tuple[ServerState, str], tmp_path: Path) -> None:
    state, mirror = server
    state.missing.add(entry(SMALL).path)

    result = CliRunner().invoke(
        app, ["fetch", "--dest", str(tmp_path), "--mirror", mirror, "--only", SMALL]
    )

    assert result.exit_code == 1
    assert "échec" in result.output
    assert "1 fichier(s) non téléchargé(s)" in result.output
    assert "404" in result.output

    unknown = CliRunner().invoke(app, ["fetch", "--dest", str(tmp_path), "--only", "nimporte"])
    assert unknown.exit_code == 1
    assert "inconnu" in unknown.output
