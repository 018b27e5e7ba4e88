"""What one password check costs: argon2id with Tremplin's parameters (target 20–100 ms).

Usage: ``python benchmarks/passwords.py``. Hashes one password, then times 20 checks of the right
password and 20 of a wrong one (the login checks a dummy hash for an unknown e-mail, at the same
cost), and prints the median and the slowest, with the machine's load next to them: the cost is
processor time, so a busy machine shows more. Slow enough that a stolen table of hashes resists
guessing, fast enough for a login; ``tremplin/accounts/passwords.py`` holds the parameters.
"""

from __future__ import annotations

import os
import statistics
import time

from tremplin.accounts.passwords import (
    MEMORY_COST_KIB,
    PARALLELISM,
    TIME_COST,
    hash_password,
    verify_password,
)

TARGET_MS = (20.0, 100.0)
CHECKS = 20


def _timed(stored: str, password: str) -> list[float]:
    times = []
    for _ in range(CHECKS):
        start = time.perf_counter()
        verify_password(stored, password)
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure() -> list[tuple[str, list[float]]]:
    """(label, milliseconds of each check) for the right password and for a wrong one."""
    password = "correct cheval pile agrafe"
    stored = hash_password(password)
    return [
        (label, _timed(stored, tried))
        for label, tried in (("bon mot de passe", password), ("mauvais mot de passe", "x" * 20))
    ]


def check_cost(measured: list[tuple[str, list[float]]]) -> float:
    """What one check costs: the larger of the two medians, in milliseconds."""
    return max(statistics.median(times) for _, times in measured)


def verdict(cost: float) -> str:
    """« Coût d'une vérification : 35,2 ms (cible 20–100 ms) OK »."""
    low, high = TARGET_MS
    said = "OK" if low <= cost <= high else "HORS CIBLE"
    return (
        f"Coût d'une vérification : {cost:.1f} ms (cible {low:.0f}–{high:.0f} ms) {said}".replace(
            ".", ","
        )
    )


def main() -> None:
    load = ", ".join(f"{value:.1f}".replace(".", ",") for value in os.getloadavg())
    print(
        f"argon2id : {TIME_COST} passes, {MEMORY_COST_KIB // 1024} Mio, {PARALLELISM} voie ; "
        f"charge de la machine (1, 5, 15 min) : {load} pour {os.cpu_count()} cœurs"
    )
    measured = measure()
    for label, times in measured:
        print(
            f"Vérification, {label} : médiane {statistics.median(times):.1f} ms, max "
            f"{max(times):.1f} ms ({CHECKS} essais)".replace(".", ",")
        )
    print(verdict(check_cost(measured)))


if __name__ == "__main__":
    main()
