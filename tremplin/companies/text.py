"""Free text written by companies (names, titles of needs): plain words, no address.

A title that carries a web address or an e-mail would turn Tremplin into a channel for spam or
for contacting people outside the platform (La bonne alternance refuses them in offers too):
it is refused with a French message saying why."""

from __future__ import annotations

import re

from tremplin.errors import InputError

_URL = re.compile(
    r"(https?://|www\.|\b[\w-]+\.(fr|com|net|org|eu|io|info|biz|co)\b)", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_free_text(
    text: str | None, *, where: str, required: bool = False, limit: int = 200
) -> str:
    """``text`` stripped; raises :class:`InputError` when it holds a web address, an e-mail or
    control characters, is longer than ``limit`` characters, or is empty while ``required``."""
    value = " ".join((text or "").split())
    if required and not value:
        raise InputError("champ obligatoire vide", where=[where], expected="un texte")
    if len(value) > limit:
        raise InputError(
            f"texte trop long ({len(value)} caractères)",
            where=[where],
            expected=f"au plus {limit} caractères",
        )
    if _EMAIL.search(value):
        raise InputError(
            "une adresse électronique n’est pas acceptée ici",
            where=[where],
            expected="un texte sans adresse : les candidats passent par Tremplin",
        )
    if _URL.search(value):
        raise InputError(
            "un lien ou une adresse web n’est pas accepté ici",
            where=[where],
            expected="un texte sans adresse web",
        )
    if _CONTROL.search(value):
        raise InputError("caractères de contrôle refusés", where=[where], expected="du texte")
    return value
