"""The root of every error Tremplin raises on purpose, worded in French for the person concerned.

``TremplinError`` is what interfaces catch: the web turns it into a French 4xx (HTML or JSON),
the command line into a French message and a non-zero exit, without a traceback. Anything else
that escapes is a bug, and is left to surface as one (a 500, a traceback) instead of being
dressed up as bad input.

``InputError`` is the shape of every input problem: *what* is wrong (``message``), *where*
(a file, a line, a column, a JSON path, a field, a parameter), and what was *expected*.
"""

from __future__ import annotations

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


class Busy(TremplinError):
    """Work refused for now because the capacity for it is taken (another load, a full queue)."""

    status = 503
