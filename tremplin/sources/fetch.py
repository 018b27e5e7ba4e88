"""Download the openly published files of the catalogue into the sources folder.

Each file is streamed into ``<target>.part`` and renamed onto ``<target>`` once complete, so a
target is never half-written. An interrupted download is resumed on the next run: the request
carries ``Range: bytes=<size of the .part>-`` (and ``If-Range`` with the validator the server gave
first, so a file changed in between is fetched anew); a ``206`` answer is appended, a ``200``
answer restarts from scratch. Every completed file is recorded in ``<dest>/fetch-manifest.json``
(dataset, path, url, sha256, size, date); a file whose sha256 still equals the manifest's is not
downloaded again. A failure on one file is reported in its :class:`FetchResult` and does not stop
or undo the others.

With a ``mirror``, a file's address is ``<mirror>/<its path under the sources folder>``: offline
sites and tests serve a copy of the sources folder over HTTP.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tremplin.errors import TremplinError
from tremplin.sources.catalogue import CatalogueEntry, select

MANIFEST_NAME = "fetch-manifest.json"
_TIMEOUT = httpx.Timeout(120.0, connect=20.0)

# Called as bytes arrive: ``(entry, bytes written so far, expected total or None)``.
ProgressCallback = Callable[[CatalogueEntry, int, int | None], None]


class Outcome(enum.Enum):
    DOWNLOADED = "downloaded"
    RESUMED = "resumed"  # completed by appending to an earlier partial download
    UNCHANGED = "unchanged"  # already present with the manifest's sha256
    UNPUBLISHED = "unpublished"  # no stable public address: skipped
    FAILED = "failed"


class FetchError(TremplinError):
    """A file could not be downloaded. The message is in French and names the URL.

    ``http_status`` is the status the remote server answered, ``None`` for a network failure;
    ``status`` (502) is the one Tremplin's web would give: a server it depends on failed.
    """

    status = 502

    def __init__(self, message: str, *, url: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.http_status = http_status


@dataclass(frozen=True)
class FetchResult:
    """What happened to one catalogue entry."""

    entry: CatalogueEntry
    outcome: Outcome
    url: str | None
    size_bytes: int = 0
    sha256: str = ""
    resumed_from: int = 0
    note: str = ""
    error: FetchError | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is not Outcome.FAILED


def source_url(entry: CatalogueEntry, mirror: str = "") -> str | None:
    """The address ``entry`` is downloaded from: the mirror's copy, or the producer's own."""
    if entry.url is None:
        return None
    if mirror:
        return mirror.rstrip("/") + "/" + entry.path
    return entry.url


def fetch(
    dest: Path,
    *,
    mirror: str = "",
    only: set[str] | None = None,
    progress: ProgressCallback | None = None,
) -> list[FetchResult]:
    """Download the catalogue's published files (or those named in ``only``) into ``dest``.

    ``only`` holds entry keys or folder names (``bcn``, ``bmo``…); an unknown name raises
    :class:`ValueError`. Returns one :class:`FetchResult` per selected entry, in catalogue order;
    failures are results with ``outcome=FAILED`` and a :class:`FetchError`, never exceptions.
    """
    entries = select(only)
    dest.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(dest)
    results: list[FetchResult] = []
    headers = {"User-Agent": "tremplin-fetch", "Accept-Encoding": "identity"}
    with httpx.Client(follow_redirects=True, timeout=_TIMEOUT, headers=headers) as client:
        for item in entries:
            url = source_url(item, mirror)
            if url is None:
                results.append(FetchResult(item, Outcome.UNPUBLISHED, None, note=item.note))
                continue
            results.append(_fetch_one(client, item, url, dest, manifest, progress))
    return results


def read_manifest(dest: Path) -> dict[str, dict[str, Any]]:
    """The manifest of ``dest``, keyed by relative path (empty when absent or unreadable)."""
    path = dest / MANIFEST_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        files = document["files"]
        return {str(record["path"]): dict(record) for record in files}
    except (OSError, ValueError, KeyError, TypeError):
        # No manifest, or one we cannot trust: every file is then checked by downloading it.
        return {}


def _write_manifest(dest: Path, manifest: dict[str, dict[str, Any]]) -> None:
    document = {"files": [manifest[path] for path in sorted(manifest)]}
    temporary = dest / (MANIFEST_NAME + ".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(temporary, dest / MANIFEST_NAME)


def _fetch_one(
    client: httpx.Client,
    item: CatalogueEntry,
    url: str,
    dest: Path,
    manifest: dict[str, dict[str, Any]],
    progress: ProgressCallback | None,
) -> FetchResult:
    target = dest / item.path
    recorded = manifest.get(item.path)
    if recorded is not None and target.is_file():
        digest, size = file_sha256(target)
        if digest == recorded.get("sha256"):
            return FetchResult(
                item,
                Outcome.UNCHANGED,
                url,
                size,
                digest,
                note="déjà présent, empreinte identique au manifeste",
            )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        resumed_from = _download(client, item, url, target, progress)
        digest, size = file_sha256(target)
        manifest[item.path] = {
            "dataset": item.key,
            "path": item.path,
            "url": url,
            "sha256": digest,
            "size_bytes": size,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write_manifest(dest, manifest)
    except FetchError as error:
        return FetchResult(item, Outcome.FAILED, url, note=str(error), error=error)
    except OSError as exc:
        failure = FetchError(f"impossible d'écrire {target} (depuis {url}) : {exc}", url=url)
        return FetchResult(item, Outcome.FAILED, url, note=str(failure), error=failure)
    outcome = Outcome.RESUMED if resumed_from else Outcome.DOWNLOADED
    note = f"repris à l'octet {resumed_from}" if resumed_from else ""
    return FetchResult(item, outcome, url, size, digest, resumed_from, note)


def _download(
    client: httpx.Client,
    item: CatalogueEntry,
    url: str,
    target: Path,
    progress: ProgressCallback | None,
) -> int:
    """Stream ``url`` into ``target`` through its ``.part``; return the offset resumed from."""
    part = target.with_name(target.name + ".part")
    validator_file = target.with_name(target.name + ".part.validator")
    offset = part.stat().st_size if part.is_file() else 0
    request_headers: dict[str, str] = {}
    if offset:
        request_headers["Range"] = f"bytes={offset}-"
        if validator_file.is_file():
            request_headers["If-Range"] = validator_file.read_text(encoding="utf-8").strip()
    written = offset
    total: int | None = None
    try:
        with client.stream("GET", url, headers=request_headers) as response:
            status = response.status_code
            if status == 416 and offset:
                # The partial file is as long as the remote one, or longer: it cannot be resumed.
                response.close()
                _discard(part, validator_file)
                return _download(client, item, url, target, progress)
            if status not in (200, 206):
                raise FetchError(
                    f"le serveur a répondu {status} {response.reason_phrase} pour {url}",
                    url=url,
                    http_status=status,
                )
            if status == 206:
                start = _content_range_start(response.headers.get("Content-Range", ""))
                if start != offset:
                    _discard(part, validator_file)
                    raise FetchError(
                        f"reprise impossible de {url} : le serveur renvoie la plage "
                        f"« {response.headers.get('Content-Range', '')} » au lieu de l'octet "
                        f"{offset} ; le fichier partiel est effacé, relancez la commande",
                        url=url,
                        http_status=status,
                    )
                mode = "ab"
            else:
                offset = written = 0
                mode = "wb"
                _remember_validator(response.headers, validator_file)
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length and length.isdigit() else None
            if progress is not None:
                progress(item, written, total)
            with part.open(mode) as out:
                # No chunk size: httpx would hold back a partial chunk, and lose it on a drop.
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    written += len(chunk)
                    if progress is not None:
                        progress(item, written, total)
    except httpx.TransportError as exc:
        raise FetchError(_interrupted(url, written, exc), url=url) from exc
    if total is not None and written != total:
        raise FetchError(
            f"téléchargement incomplet de {url} : {written} octets reçus sur {total} ; "
            "relancez la commande pour reprendre",
            url=url,
        )
    os.replace(part, target)
    validator_file.unlink(missing_ok=True)
    return offset


def _interrupted(url: str, written: int, exc: Exception) -> str:
    if written:
        return (
            f"connexion interrompue après {written} octets en téléchargeant {url} ({exc}) ; "
            "le fichier partiel est gardé : relancez la commande pour reprendre"
        )
    return f"impossible de joindre {url} : {exc}"


def _content_range_start(value: str) -> int | None:
    """``"bytes 100-199/200"`` → ``100``; ``None`` when the header is missing or malformed."""
    unit, _, spec = value.strip().partition(" ")
    first, _, _rest = spec.partition("-")
    if unit.lower() != "bytes" or not first.isdigit():
        return None
    return int(first)


def _remember_validator(headers: httpx.Headers, validator_file: Path) -> None:
    """Keep the strong ETag (or Last-Modified) of a full answer, to send as ``If-Range``."""
    etag = headers.get("ETag", "")
    validator = etag if etag and not etag.startswith("W/") else headers.get("Last-Modified", "")
    if validator:
        validator_file.write_text(validator, encoding="utf-8")
    else:
        validator_file.unlink(missing_ok=True)


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def file_sha256(path: Path) -> tuple[str, int]:
    """The hex sha256 and the size in bytes of ``path``, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def failures(results: Iterable[FetchResult]) -> list[FetchResult]:
    """The results that failed, in order."""
    return [result for result in results if not result.ok]
