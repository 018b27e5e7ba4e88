"""JSON documents: a list of flat objects, a GeoJSON FeatureCollection, or a Django fixture."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from tremplin.errors import parse_problem
from tremplin.sources.errors import SourceError
from tremplin.sources.rawtable import RawTable


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, records: list[dict[str, Any]], part: str | None) -> RawTable:
    header: list[str] = []
    for record in records:
        header.extend(k for k in record if k not in header)
    rows = [[_text(r.get(k)) for k in header] for r in records]
    lines = list(range(1, len(rows) + 1))
    return RawTable(path, "json", header, rows, lines, encoding="utf-8", part=part)


def _features(path: Path, document: dict[str, Any]) -> RawTable:
    features = document.get("features", [])
    if not isinstance(features, list):
        raise SourceError(
            path,
            "« features » n'est pas une liste",
            expected="une FeatureCollection GeoJSON : « features » liste des objets Feature",
        )
    records = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(feature, dict) or not isinstance(properties, dict | None):
            raise SourceError(
                path,
                f"l'entité n° {number} de « features » n'est pas un objet Feature "
                "(ou ses « properties » ne sont pas un objet)",
                expected='des objets {"type": "Feature", "properties": {…}, "geometry": …}',
            )
        records.append({**(properties or {}), "geometry": feature.get("geometry")})
    return _table(path, records, "features")


def _fixture(path: Path, items: list[dict[str, Any]]) -> list[RawTable]:
    """A Django fixture: one table per model; a field pointing to another model's primary key
    (``department: 81``) also brings that object's fields (``department__number``…)."""
    by_model: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
    for number, item in enumerate(items, start=1):
        model, pk, fields = item["model"], item.get("pk"), item.get("fields") or {}
        if (
            not isinstance(model, str)
            or not isinstance(fields, dict)
            or isinstance(pk, dict | list)
        ):
            raise SourceError(
                path,
                f"l'objet n° {number} de la fixture Django est mal formé",
                expected="« model » un texte, « pk » une valeur simple, « fields » un objet",
            )
        by_model[model.rsplit(".", 1)[-1]][pk] = fields

    def expand(fields: dict[str, Any], depth: int) -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, value in fields.items():
            flat[key] = value
            target = by_model.get(key)
            if (
                depth
                and target is not None
                and not isinstance(value, dict | list)
                and value in target
            ):
                for sub_key, sub_value in expand(target[value], depth - 1).items():
                    flat[f"{key}__{sub_key}"] = sub_value
        return flat

    return [
        _table(path, [{"pk": pk, **expand(fields, 2)} for pk, fields in objects.items()], model)
        for model, objects in by_model.items()
    ]


def read_json(path: Path, raw: bytes) -> list[RawTable]:
    try:
        text = raw.decode("utf-8-sig")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise SourceError(
            path, f"JSON invalide ({error})", line=line, expected="un document JSON valide"
        ) from None
    except (ValueError, RecursionError) as error:
        raise _refused(path, error, text) from None
    try:
        return _tables(path, document)
    except RecursionError as error:  # a value nested just under the parser's limit
        raise _refused(path, error, text) from None


def _refused(path: Path, error: ValueError | RecursionError, text: str) -> SourceError:
    message, line = parse_problem(error, text)
    return SourceError(
        path, f"JSON refusé : {message}", line=line, expected="un document JSON ordinaire"
    )


def _tables(path: Path, document: Any) -> list[RawTable]:
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        return [_features(path, document)]
    if isinstance(document, list) and document and all(isinstance(x, dict) for x in document):
        if all("model" in x and "fields" in x for x in document):
            return _fixture(path, document)
        return [_table(path, document, None)]
    raise SourceError(
        path,
        "structure JSON non reconnue",
        expected="une liste d'objets ou une FeatureCollection GeoJSON",
    )
