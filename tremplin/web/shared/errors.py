"""Errors as the web shows them: one handler per kind, French, HTML for pages, JSON for the API.

- :class:`~tremplin.errors.TremplinError` (raised on purpose by the library or the web layer:
  bad input, something unknown, work refused for now) becomes its own ``status`` (4xx, 503) with
  its French message;
- a request FastAPI could not validate (a parameter that is not an integer, a missing field)
  becomes a 422 naming the parameter, the value and what was expected;
- an HTTP error of the framework (an unknown address) keeps its status.

Under ``/api`` the answer is ``{"detail": message}`` (FastAPI's own shape for its errors); on a
page it is the site's error page. Anything else that escapes is a bug and stays a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from tremplin.errors import TremplinError
from tremplin.web.shared.templating import render

API_PREFIX = "/api"


def install_error_handlers(app: FastAPI) -> None:
    """Add the handlers of this module to ``app``."""
    app.add_exception_handler(TremplinError, _tremplin_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def error_response(request: Request, status: int, message: str | None) -> Response:
    """``{"detail": message}`` under ``/api``, else the error page with ``message``."""
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status)


async def _tremplin_error(request: Request, error: Exception) -> Response:
    """An error raised on purpose: its status and its French message."""
    assert isinstance(error, TremplinError)
    if error.status == 401 and not _is_api(request) and request.method == "GET":
        # A page that needs an account: the login page, which comes back here afterwards.
        return RedirectResponse(
            f"/connexion?suivant={quote(request.url.path, safe='/')}", status_code=302
        )
    response = error_response(request, error.status, str(error))
    response.headers.update(retry_headers(error))
    return response


def retry_headers(error: TremplinError) -> dict[str, str]:
    """``Retry-After`` for an error that says when to ask again (``Busy``, ``TooManyRequests``:
    a full queue, a quota reached); nothing for the others."""
    retry_after = getattr(error, "retry_after", None)
    return {} if retry_after is None else {"Retry-After": str(retry_after)}


async def _http_error(request: Request, error: Exception) -> Response:
    """A French HTML page for errors on pages; the API keeps FastAPI's JSON errors."""
    assert isinstance(error, HTTPException)
    if _is_api(request) or request.url.path.startswith("/static/"):
        return await http_exception_handler(request, error)
    message = error.detail if error.status_code == 422 and isinstance(error.detail, str) else None
    return render(
        request, "error.html", {"status": error.status_code, "message": message}, error.status_code
    )


_VALIDATION_MESSAGES = {
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "missing": "paramètre obligatoire",
    "string_too_long": "valeur trop longue",
    "string_type": "du texte est attendu",
    "list_type": "une liste est attendue",
    "model_attributes_type": "un objet est attendu",
    "dict_type": "un objet est attendu",
    "json_invalid": "JSON mal formé",
}


def _location(location: object) -> str:
    """The parameter at fault: its name, or for a JSON body its path (« changements[0].places »)."""
    if not isinstance(location, list | tuple) or not location:
        return "paramètre"
    if location[0] != "body" or len(location) < 2:
        return str(location[-1])
    path = ""
    for part in location[1:]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _validation_message(error: dict[str, object]) -> str:
    name = _location(error.get("loc"))
    kind = str(error.get("type", ""))
    context = error.get("ctx") if isinstance(error.get("ctx"), dict) else {}
    assert isinstance(context, dict)
    if kind == "greater_than_equal":
        reason = f"au moins {context.get('ge')} est attendu"
    elif kind == "less_than_equal":
        reason = f"au plus {context.get('le')} est attendu"
    elif kind == "string_too_long":
        reason = f"au plus {context.get('max_length')} caractères sont acceptés"
    elif kind == "too_long":
        reason = f"au plus {context.get('max_length')} éléments sont acceptés"
    else:
        reason = _VALIDATION_MESSAGES.get(kind, "valeur invalide")
    value = error.get("input")
    shown = f" « {_shortened(str(value))} »" if isinstance(value, str | int | float) else ""
    return f"{name}{shown} : {reason}"


def _shortened(text: str, length: int = 60) -> str:
    """A value as an error message repeats it: never a whole 50 MB title."""
    return text if len(text) <= length else text[:length] + "…"


async def _validation_error(request: Request, error: Exception) -> Response:
    """A bad parameter: a French message, as JSON for the API and as a page otherwise."""
    assert isinstance(error, RequestValidationError)
    return error_response(request, 422, validation_message(error.errors()))


def validation_message(errors: Sequence[Any]) -> str:
    """Pydantic's ``errors()`` as one French sentence: each field, its value, what is expected."""
    return " ; ".join(_validation_message(dict(e)) for e in errors)
