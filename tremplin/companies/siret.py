"""SIRET numbers: 14 digits whose last is a Luhn check digit.

The SIRET is the SIREN (9 digits, itself Luhn-valid) followed by the establishment's NIC
(5 digits); the Luhn key runs over all 14 digits. La Poste's establishments (SIREN 356 000 000)
are numbered beyond what the key allows: INSEE gives them a SIRET whose digits add up to a
multiple of 5 instead, and both rules are accepted for them, as La bonne alternance does.
"""

from __future__ import annotations

import re

from tremplin.errors import InputError

LA_POSTE_SIREN = "356000000"
_DIGITS = re.compile(r"[0-9]{14}")


def luhn_valid(digits: str) -> bool:
    """Whether the string of digits ``digits`` passes the Luhn check (every second digit from
    the right doubled, 9 taken off a double above 9, the sum a multiple of 10)."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    """Whether ``siret`` is 14 digits with a valid key (La Poste's rule for its SIREN too)."""
    if not _DIGITS.fullmatch(siret):
        return False
    if luhn_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def check_siret(text: str, *, where: str = "siret") -> str:
    """``text`` as a SIRET (spaces and dots removed); raises :class:`InputError` in French when
    it is not 14 digits or its key is wrong."""
    siret = re.sub(r"[\s.]", "", text or "")
    if not _DIGITS.fullmatch(siret):
        raise InputError(
            f"SIRET « {text} » invalide : {len(siret)} caractère(s)",
            where=[where],
            expected="14 chiffres",
        )
    if not siret_valid(siret):
        raise InputError(
            f"SIRET « {text} » invalide : la clé de contrôle (Luhn) ne correspond pas",
            where=[where],
            expected="un SIRET existant, tel qu’il figure sur l’avis de situation INSEE",
        )
    return siret
