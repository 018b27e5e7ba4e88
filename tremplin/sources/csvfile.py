"""CSV files as published: ``;`` or ``,`` or tab, UTF-8 with or without BOM, Latin-1, CRLF."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tremplin.sources.errors import SourceError
from tremplin.sources.rawtable import RawTable

SEPARATORS = (";", ",", "\t", "|")


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """The text of ``raw`` and the encoding found: UTF-8 (with or without BOM), UTF-16, else
    Windows-1252 (Latin-1 as French spreadsheets write it).

    A file that is UTF-8 up to some point and then is not mixes two encodings: that is an error,
    reported at the first byte that breaks, rather than a silent misreading.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        raise SourceError(
            path, "fichier binaire ou encodage non pris en charge", expected="texte CSV"
        )
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as error:
        prefix = body[: error.start]
        if bom or any(byte >= 0x80 for byte in prefix):
            line = prefix.count(b"\n") + 1
            column = error.start - (prefix.rfind(b"\n") + 1) + 1
            raise SourceError(
                path,
                f"encodage incohérent : l'octet 0x{body[error.start]:02X} (caractère n° {column}"
                " de la ligne) n'est pas de l'UTF-8 alors que le début du fichier l'est",
                line=line,
                expected="un fichier entièrement en UTF-8 ou entièrement en Latin-1",
            ) from None
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # A few bytes are undefined in Windows-1252; plain Latin-1 maps every byte.
        return body.decode("latin-1"), "latin-1"


def sniff_separator(first_line: str) -> str:
    """The separator that splits the header line into the most fields (quotes respected)."""
    best, best_count = ";", 0
    for separator in SEPARATORS:
        try:
            count = len(next(csv.reader([first_line], delimiter=separator), []))
        except csv.Error:  # a field over the csv module's size limit with this separator
            continue
        if count > best_count:
            best, best_count = separator, count
    return best


def _too_long(path: Path, line: int) -> SourceError:
    limit = format(csv.field_size_limit(), ",").replace(",", "\u202f")
    return SourceError(
        path,
        f"un champ dépasse {limit} caractères : ce n'est pas un fichier de données tabulaire",
        line=line,
        expected=f"des champs de moins de {limit} caractères",
    )


def read_csv(path: Path, raw: bytes) -> RawTable:
    """The header and rows of a CSV file, with the line each row starts on."""
    text, encoding = decode(path, raw)
    first_line = text.split("\n", 1)[0]
    separator = sniff_separator(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(field.strip() for field in record):
                continue  # a blank line, or one made only of separators
            if header is None:
                header = record
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as error:
        if "field limit" in str(error):
            raise _too_long(path, previous_end + 1) from None
        raise SourceError(
            path,
            f"fichier tronqué ou guillemets non refermés ({error})",
            line=previous_end + 1,
            expected="des champs entre guillemets refermés avant la fin du fichier",
        ) from None
    if header is None:
        raise SourceError(path, "fichier vide", expected="une ligne d'en-tête puis des données")
    if rows and not text.endswith(("\n", "\r")) and len(rows[-1]) < len(header):
        raise SourceError(
            path,
            f"fichier tronqué : la dernière ligne n'a que {len(rows[-1])} champs sur {len(header)}",
            line=lines[-1],
            column=header[len(rows[-1]) - 1] if rows[-1] else None,
            expected=f"{len(header)} champs séparés par « {separator} »",
        )
    return RawTable(path, "csv", header, rows, lines, encoding=encoding, separator=separator)
