"""What every response of the site says and what every request must be, before any route runs.

:class:`SecurityMiddleware`, a plain ASGI middleware around the whole application:

- refuses a ``Host`` header that is not one of ``TREMPLIN_ALLOWED_HOSTS`` (400, in French): a
  page never links to an address an attacker chose through the Host header (cache poisoning,
  DNS rebinding);
- refuses a request body above :data:`MAX_BODY_BYTES` (413), whether it announces its length or
  sends it in chunks: a simulation's JSON is a few kilobytes (an attachment, sent to a path
  ending in ``/pieces``, up to :data:`MAX_UPLOAD_BYTES`);
- adds the security headers (:data:`SECURITY_HEADERS`) to every response, pages, API, files and
  errors alike. The Content-Security-Policy admits scripts from the site only (no inline
  script: the pages have none, the API's documentation loads its set-up from a file); inline
  styles are admitted, since htmx, Leaflet and Swagger UI set some.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tremplin.config import LOOPBACK_HOSTS

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body accepted (1 MB); a larger one is a 413."""
MAX_UPLOAD_BYTES = 6 * 1024 * 1024
"""The largest body of a request sending an attachment (a path ending in ``/pieces``): the
attachment rules' 5 Mo and the form around the file."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ("cross-origin-opener-policy", "same-origin"),
)
"""Headers added to every response (names in lower case, as ASGI carries them)."""


def host_name(header: str) -> str:
    """The name of a ``Host`` header without its port, in lower case (``[::1]:8000`` → ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether the ``Host`` header ``host`` names one of ``allowed``: a name, ``*`` (any), or
    ``.example.org`` (that domain and its subdomains)."""
    name = host_name(host)
    for pattern in allowed:
        pattern = pattern.strip().lower()
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith(".") and (name == pattern[1:] or name.endswith(pattern)):
            return True
    return False


class SecurityMiddleware:
    """Host check, body size limit and security headers (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.decode("latin-1").lower() not in _HEADER_NAMES
                ]
                headers += [(n.encode(), v.encode()) for n, v in SECURITY_HEADERS]
                message = {**message, "headers": headers}
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if not host_allowed(host, self.allowed_hosts):
            await _refuse(
                scope,
                send_with_headers,
                400,
                f"adresse « {host_name(host)[:100]} » non autorisée pour ce serveur "
                "(voir TREMPLIN_ALLOWED_HOSTS)",
            )
            return
        limit = max(self.max_body, MAX_UPLOAD_BYTES) if _uploads(scope) else self.max_body
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(scope, send_with_headers, 413, _too_large(limit))
            return

        if length is None and "chunked" in headers.get("transfer-encoding", "").lower():
            # A body sent in chunks is read here, up to the limit, then handed to the route.
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client left
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > limit:
                    await _refuse(scope, send_with_headers, 413, _too_large(limit))
                    return
                if not message.get("more_body", False):
                    break
            receive = _replay(b"".join(chunks), receive)
        await self.app(scope, receive, send_with_headers)


def _uploads(scope: Scope) -> bool:
    """Whether the request sends an attachment (« POST …/pieces »)."""
    return scope.get("method") == "POST" and str(scope.get("path", "")).endswith("/pieces")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then what ``receive`` gives (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_HEADER_NAMES = {name for name, _ in SECURITY_HEADERS}


def _too_large(limit: int) -> str:
    return f"requête trop volumineuse : au plus {limit // 1024} Kio sont acceptés"


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """A short French answer before any route runs: JSON under ``/api``, plain text otherwise
    (the site's error page needs the application's state, which a refused request never
    reaches)."""
    if str(scope.get("path", "")).startswith("/api"):
        body = json.dumps({"detail": message}, ensure_ascii=False).encode()
        media_type = b"application/json"
    else:
        body = f"Erreur {status} : {message}\n".encode()
        media_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
