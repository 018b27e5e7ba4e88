"""``tremplin serve`` over loopback, as a person runs it: the security headers, the ``Host``
check and the 413 hold on a real HTTP server (uvicorn in a process of its own), and listening on
every interface warns that a TLS proxy is expected."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tremplin.web.shared.security import MAX_BODY_BYTES, SECURITY_HEADERS

_START = "from tremplin.cli import app; app()"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _serving(folder: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``tremplin serve ARGS`` in a process of its own on a new SQLite store in ``folder``, its
    output written to ``folder/serve.log`` (a pipe nobody reads could fill up); stopped on
    exit."""
    url = f"sqlite:///{folder / 'tremplin.sqlite'}"
    with (folder / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", _START, "serve", *args],
            env={**os.environ, "TREMPLIN_DATABASE_URL": url, "COLUMNS": "200"},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, "tremplin serve stopped"
        try:
            httpx.get(f"{base}/api/v1/sources", timeout=2)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, "tremplin serve did not start"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``tremplin serve`` on a free loopback port, on an empty SQLite store."""
    port = _free_port()
    with _serving(tmp_path_factory.mktemp("serve"), "--port", str(port)) as process:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, process)
        yield base


@pytest.mark.parametrize("path", ["/", "/api/v1/sources", "/static/tremplin.css", "/inconnue"])
def test_the_security_headers_over_http(server: str, path: str) -> None:
    answer = httpx.get(server + path)
    for name, value in SECURITY_HEADERS:
        assert answer.headers[name] == value, (path, name)


def test_an_unknown_host_is_refused_over_http(server: str) -> None:
    assert httpx.get(f"{server}/api/v1/sources", headers={"Host": "localhost:8000"}).is_success
    answer = httpx.get(f"{server}/api/v1/sources", headers={"Host": "attaquant.example"})
    assert answer.status_code == 400
    assert "« attaquant.example » non autorisée" in answer.json()["detail"]


def test_a_large_body_is_refused_over_http(server: str) -> None:
    body = b'{"titre": "' + b"x" * MAX_BODY_BYTES + b'"}'
    headers = {"Content-Type": "application/json"}
    answer = httpx.post(f"{server}/api/v1/simulations", content=body, headers=headers)
    assert answer.status_code == 413
    assert "trop volumineuse" in answer.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    # Sent in chunks, without a length: refused once the limit is passed.
    answer = httpx.post(f"{server}/api/v1/simulations", content=chunks(), headers=headers)
    assert answer.status_code == 413


def test_listening_on_every_interface_warns_of_the_tls_proxy(tmp_path: Path) -> None:
    port = _free_port()
    with _serving(tmp_path, "--host", "0.0.0.0", "--port", str(port)) as process:
        _wait_until_up(f"http://127.0.0.1:{port}", process)
    said = " ".join((tmp_path / "serve.log").read_text().split())
    assert "Attention : à l'écoute sur toutes les interfaces (0.0.0.0)" in said
    assert "un proxy TLS (HTTPS) est attendu devant le serveur" in said
    assert "TREMPLIN_ALLOWED_HOSTS doit nommer le site public" in said
