"""A tiny reader of the PDFs WeasyPrint writes, enough for tests: the file's shape, its pages
and the titles of its bookmarks (WeasyPrint makes one of every heading) and of its metadata.

Streams are inflated (FlateDecode) and read with the file's own bytes: the page objects and the
outline's titles may sit in compressed object streams."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_TITLE = re.compile(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)")


def _objects(content: bytes) -> bytes:
    parts = [content]
    for match in _STREAM.finditer(content):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # an image or a font, not compressed objects
    return b"\n".join(parts)


def is_pdf(content: bytes) -> bool:
    """Starts with the PDF header and ends with its end-of-file marker."""
    return content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


def page_count(content: bytes) -> int:
    """How many page objects the file holds."""
    return len(_PAGE.findall(_objects(content)))


def titles(content: bytes) -> list[str]:
    """The ``/Title`` strings of the file (bookmarks, then the document's title), decoded."""
    found = []
    for match in _TITLE.finditer(_objects(content)):
        raw = match.group(1)
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode("ascii"))
            if data.startswith(b"\xfe\xff"):
                found.append(data[2:].decode("utf-16-be"))
            else:
                found.append(data.decode("latin-1"))
        else:
            text = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
            found.append(text.decode("latin-1"))
    return found
