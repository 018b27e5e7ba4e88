"""The one web client of the tests: the application in-process through its ASGI interface, on a
given store (no server is started; the browser tests serve it with uvicorn instead)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx

from tremplin.config import Settings
from tremplin.jobs.kinds import JobContext, Kind
from tremplin.jobs.local_pool import LocalPool
from tremplin.jobs.runner import JobRunner
from tremplin.web.app import create_app


def web_settings(url: str, root: Path | None = None) -> Settings:
    """The settings of an application on the store at ``url``; with ``root``, its sources and
    demo folders are ``root/sources`` and ``root/demo`` (the pages name them)."""
    values = {"TREMPLIN_DATABASE_URL": url}
    if root is not None:
        values |= {
            "TREMPLIN_SOURCES": str(root / "sources"),
            "TREMPLIN_DEMO_DIR": str(root / "demo"),
        }
    return Settings.from_env(values)


@dataclass(frozen=True)
class Posted:
    """A simulation posted to the API: its id, the POST's answer, its result once done."""

    id: str
    created: httpx.Response
    result: dict[str, Any]


class WebClient:
    """Requests to one application in-process, one event loop per request (the application,
    its caches and its simulations live as long as the client). Like a browser, it keeps the
    cookies the application sets (the ids of the simulations it asked for)."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.cookies = httpx.Cookies()
        self.address = ("127.0.0.1", 123)
        """The client's address as the application sees it (per-person quotas count by it)."""

    @classmethod
    def on(cls, url: str, root: Path | None = None) -> WebClient:
        """A client of a new application on the store at ``url`` (see :func:`web_settings`)."""
        return cls(web_settings(url, root))

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        async def _send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=self.address)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost", cookies=self.cookies
            ) as c:
                response = await c.request(method, path, **options)
                self.cookies.update(c.cookies)
                return response

        return anyio.run(_send)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, document: Any) -> httpx.Response:
        """POST ``document`` as JSON."""
        return self.request("POST", path, json=document)

    def json(self, path: str) -> Any:
        """The JSON answer of ``path``, which must be a 200."""
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def page(self, path: str) -> str:
        """The HTML of ``path``, which must be a 200 page."""
        response = self.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        return response.text

    def finished(self, identifier: str, timeout: float = 120.0) -> dict[str, Any]:
        """The simulation ``identifier`` once it is done (polled as a client would)."""
        deadline = time.monotonic() + timeout
        while True:
            found: dict[str, Any] = self.json(f"/api/v1/simulations/{identifier}")
            if found["statut"] in ("terminee", "echec", "annulee"):
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.1)

    def run_jobs_with(self, kinds: Mapping[str, Kind], size: int = 1) -> LocalPool:
        """Run the application's jobs (SQLite) on a new pool whose kinds are ``kinds``: the
        service still checks and queues them for real."""
        queue = self.app.state.simulations.queue
        queue.runner.close()
        context = JobContext(self.app.state.engine, self.app.state.diagnostic.facts)
        queue.runner = LocalPool(JobRunner(context, kinds), size)
        pool: LocalPool = queue.runner
        return pool

    def close(self) -> None:
        """Stop the simulations' pool and close the store's connections."""
        self.app.state.simulations.close()
        self.app.state.engine.dispose()


@contextmanager
def web_client(settings: Settings) -> Iterator[WebClient]:
    """A :class:`WebClient` of a new application, closed on exit."""
    client = WebClient(settings)
    try:
        yield client
    finally:
        client.close()
