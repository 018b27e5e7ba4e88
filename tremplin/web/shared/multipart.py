"""Forms posted as ``multipart/form-data`` (a file upload), read with the standard library's
e-mail parser: the application needs no multipart package for its upload forms (the
partner's import of needs, a request's attachment) nor for their CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP


@dataclass(frozen=True)
class Field:
    """One field of a form: its value as bytes, and the file's name and declared type for a
    file."""

    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8", errors="replace")


def is_multipart(content_type: str) -> bool:
    return content_type.lower().startswith("multipart/form-data")


def multipart_fields(content_type: str, body: bytes) -> dict[str, Field]:
    """The fields of a ``multipart/form-data`` body (the first of each name); empty when the
    body cannot be read as one."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, Field] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields:
            continue
        payload = part.get_payload(decode=True)
        value = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        declared = part.get_content_type() if filename is not None else None
        fields[name] = Field(value, filename, declared)
    return fields
