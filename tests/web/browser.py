"""The harness of the browser tests: Debian's headless Chromium driven by Playwright, and the
app served by uvicorn in a background thread on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from tremplin.web.shared.assets import VENDOR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core (a devDependency in ``package.json``, installed by ``npm ci``): the accessibility
rules every page must pass."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[str]:
    """The accessibility violations axe-core finds on ``page`` (WCAG 2.1 A and AA), one line
    each: rule, impact and the first elements concerned."""
    require(AXE.exists(), f"{AXE} absent : lancez « npm ci »")
    # Evaluated through the browser's debugging protocol, which the page's
    # Content-Security-Policy (no inline script) does not govern, unlike an added script tag.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => `${v.id} (${v.impact}) : ` + v.nodes.slice(0, 3)"
        ".map(n => n.target.join(' ')).join(' | '))",
        AXE_TAGS,
    )
    return [str(line) for line in found]


def require(condition: bool, message: str) -> None:
    """Skip when ``condition`` is false, except in CI, where the test must run: fail."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_vendor(*targets: str) -> None:
    missing = [target for target in targets if not (VENDOR / target).exists()]
    require(
        not missing,
        f"fichiers front-end absents de {VENDOR} ({', '.join(missing)}) : lancez « make assets »",
    )


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a background thread; yields its base URL."""
    # A socket bound here, on a free loopback port, and handed over: no race for the port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


@contextmanager
def chromium(*vendor: str) -> Iterator[Browser]:
    """Debian's Chromium, headless, once the front-end files ``vendor`` are in place."""
    require(CHROMIUM.exists(), f"{CHROMIUM} absent : apt-get install chromium")
    require_vendor(*vendor)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A browser page, with every URL it requested, every response or request that failed and
    every script error (what the Content-Security-Policy blocked included)."""

    page: Page
    base_url: str
    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def assert_only_local_requests(self) -> None:
        outside = [url for url in self.requested if not url.startswith(self.base_url + "/")]
        assert not outside, outside

    def check(self) -> None:
        """Only local requests, none failed, no script error."""
        self.assert_only_local_requests()
        assert self.failed == []
        assert self.errors == []


@contextmanager
def opened_tab(
    browser: Browser, base_url: str, width: int = 1280, height: int = 900
) -> Iterator[Tab]:
    """A fresh French context and page on ``base_url``, ``width`` × ``height`` pixels (a
    phone: 390 × 844), watched (see :class:`Tab`)."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": height}, accept_downloads=True
    )
    tab = Tab(context.new_page(), base_url)
    tab.page.on("request", lambda request: tab.requested.append(request.url))
    tab.page.on(
        "response",
        lambda response: (
            tab.failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    # A request the page itself abandons (its fetch still in flight when a click leaves the
    # page: « net::ERR_ABORTED ») is no failure of the server's; any other is.
    tab.page.on(
        "requestfailed",
        lambda request: (
            None
            if "ERR_ABORTED" in (request.failure or "")
            else tab.failed.append(f"{request.failure} {request.url}")
        ),
    )
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    # What the Content-Security-Policy blocks is said on the console only: an error too.
    tab.page.on(
        "console",
        lambda message: (
            tab.errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield tab
    finally:
        context.close()
