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


def main() -> None:
    password = "correct cheval pile agrafe"
    stored = hash_password(password)
    load = ", ".join(f"{value:.1f}".replace(".", ",") for value in os.getloadavg())
    print(
        f"argon2id : {TIME_COST} passes, {MEMORY_COST_KIB // 1024} Mio, {PARALLELISM} voie ; "
        f"charge de la machine (1, 5, 15 min) : {load} pour {os.cpu_count()} cœurs"
    )
    low, high = TARGET_MS
    worst = 0.0
    for label, tried in (("bon mot de passe", password), ("mauvais mot de passe", "x" * 20)):
        times = _timed(stored, tried)
        median = statistics.median(times)
        worst = max(worst, median)
        print(
            f"Vérification, {label} : médiane {median:.1f} ms, max {max(times):.1f} ms "
            f"({CHECKS} essais)".replace(".", ",")
        )
    verdict = "OK" if low <= worst <= high else "HORS CIBLE"
    cost = f"{worst:.1f}".replace(".", ",")
    print(f"Coût d'une vérification : {cost} ms (cible {low:.0f}–{high:.0f} ms) {verdict}")


if __name__ == "__main__":
    main()
