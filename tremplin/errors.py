"""The root of every error Tremplin raises on purpose, worded in French for the person concerned.

``TremplinError`` is what interfaces catch: the web turns it into a French 4xx (HTML or JSON),
the command line into a French message and a non-zero exit, without a traceback. Anything else
that escapes is a bug, and is left to surface as one (a 500, a traceback) instead of being
dressed up as bad input.

``InputError`` is the shape of every input problem: *what* is wrong (``message``), *where*
(a file, a line, a column, a JSON path, a field, a parameter), and what was *expected*.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence


class TremplinError(Exception):
    """An error Tremplin raises on purpose, with a French message for the person concerned.

    ``status`` is the HTTP status the web gives it (4xx: the request cannot be served as asked).
    """

    status: int = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class InputError(TremplinError):
    """Input that cannot be used: says where (``where``: file, line, column, field…), what is
    wrong (``message``) and what was expected (``expected``)."""

    status = 422

    def __init__(
        self,
        message: str,
        *,
        where: Sequence[str] = (),
        expected: str | None = None,
    ) -> None:
        self.where = tuple(w for w in where if w)
        self.expected = expected
        super().__init__(message)

    def __str__(self) -> str:
        text = f"{', '.join(self.where)} : {self.message}" if self.where else self.message
        if self.expected:
            text += f" (attendu : {self.expected})"
        return text


class NotFound(TremplinError):
    """Something asked for by name or id that does not exist."""

    status = 404


class Conflict(TremplinError):
    """A write that contradicts what is already there (an application sent twice): 409."""

    status = 409


class Busy(TremplinError):
    """Work refused for now because the capacity for it is taken (another load, a full queue).

    ``retry_after``, when given, is how many seconds to wait before asking again (the web sends
    it as ``Retry-After``)."""

    status = 503

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class TooManyRequests(Busy):
    """Work refused for now because the person asking already has their share of it (429)."""

    status = 429


class Unauthenticated(TremplinError):
    """An action that needs an account, asked without one (or with an expired session)."""

    status = 401


class Forbidden(TremplinError):
    """An action the account's role does not allow."""

    status = 403


class TooManyAttempts(TooManyRequests):
    """Too many attempts in a short time (wrong passwords): refused for ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=max(1, retry_after))


_LONG_INTEGER = re.compile(rf"\d{{{sys.get_int_max_str_digits() + 1},}}")


def parse_problem(error: ValueError | RecursionError, text: str) -> tuple[str, int | None]:
    """What went wrong parsing the JSON or TOML ``text`` beyond a syntax error (in French), and
    on which line when it can be told.

    Two hostile inputs make Python's parsers give up with an English message and no position:
    nesting deeper than the recursion limit, and an integer longer than the int-string
    conversion limit (4,300 digits). Callers word syntax errors themselves (they have a line).
    """
    if isinstance(error, RecursionError):
        return "listes ou objets imbriqués trop profondément (plus de 1 000 niveaux)", None
    long_integer = _LONG_INTEGER.search(text)
    if long_integer is not None:
        line = text.count("\n", 0, long_integer.start()) + 1
        limit = format(sys.get_int_max_str_digits(), ",").replace(",", "\u202f")
        return f"un nombre a plus de {limit} chiffres", line
    return f"contenu illisible ({error})", None


def parse_problem_text(error: ValueError | RecursionError, text: str) -> str:
    """:func:`parse_problem` as one phrase: « ligne 3 : un nombre a plus de 4 300 chiffres »."""
    message, line = parse_problem(error, text)
    return f"ligne {line} : {message}" if line is not None else message
