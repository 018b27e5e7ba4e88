"""InserJeunes: insertion of the fictional lycées and CFA, and per formation for the région.

Per-establishment rates are drawn from the real distributions of their category; per-formation
rates start from the formation's real national rate, moved by the real spread between régions,
and the counts follow from the demo's own pupils in the final year.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from tremplin.demo.files import DemoFile, Layout, write_csv
from tremplin.demo.offers import Offers
from tremplin.demo.parameters import Parameters, Sampler
from tremplin.demo.territory import Establishment, Territory

PRO = "inserjeunes/depp-inserjeunes-etablissements-2021_2022-pro.csv"
APPRENTISSAGE = "inserjeunes/depp-inserjeunes-etablissements-2021_2022-apprentissage.csv"
REGION_DATA = "inserjeunes/ij_region_data.csv"
REGION_LABEL = "AUVERGNE-RHONE-ALPES"
REGION_IJ_CODE = "01"  # InserJeunes numbers the régions its own way: 01 is Auvergne-Rhône-Alpes
MILLESIMES = ("2019_2020", "2020_2021", "2021_2022", "2022_2023")
LONG_TERM_MILLESIMES = ("2019_2020", "2020_2021")  # the only ones with 18 and 24 months
SUPPRESSION_THRESHOLD = 20  # rates are published from 20 pupils (leavers for employment)
COUNTS_THRESHOLD = 5  # below 5 pupils in the final year, only that number is published
ND = "nd"


def _rates(spec: dict[str, Any], sampler: Sampler) -> list[str]:
    """Poursuite, taux, attendu, valeur ajoutée and the three shares; ``nd`` where suppressed."""
    if sampler.chance(spec["poursuite_nd_share"]):
        return [ND] * 7
    further = round(sampler.quantile(spec["poursuite"]))
    employed_share = 100 - further
    if sampler.chance(max(0.0, spec["nd_share"] - spec["poursuite_nd_share"])):
        employed = round(sampler.quantile(spec["taux"]) * employed_share / 100)
        return [
            str(further),
            ND,
            ND,
            ND,
            str(further),
            str(employed),
            str(100 - further - employed),
        ]
    rate = round(sampler.quantile(spec["taux"]))
    added = round(sampler.quantile(spec["valeur_ajoutee"], 0.02, 0.98))
    expected = min(100, max(0, rate - added))
    employed = round(rate * employed_share / 100)
    return [
        str(further),
        str(rate),
        str(expected),
        str(rate - expected),
        str(further),
        str(employed),
        str(100 - further - employed),
    ]


def _label(school: Establishment) -> str:
    if school.lycee_des_metiers:
        return f"{school.name} - Lycée des métiers {school.trade_label}"
    return school.name


def write_pro(
    root: Path, parameters: Parameters, territory: Territory, sampler: Sampler
) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], PRO)
    specs = parameters["inserjeunes"]["etablissements_pro"]
    rows = []
    for school in territory.of_kind("LP", "LPO"):
        categories = (
            ["dont apprentis", "ensemble", "dont élèves en voie pro sco"]
            if school.offers_apprenticeship
            else ["ensemble"]
        )
        for category in categories:
            rows.append(
                [
                    school.uai,
                    _label(school),
                    REGION_LABEL,
                    category,
                    *_rates(specs[category], sampler),
                ]
            )
    return write_csv(root, PRO, layout, rows, "InserJeunes 2021-2022 : lycées professionnels")


def write_apprentissage(
    root: Path, parameters: Parameters, territory: Territory, sampler: Sampler
) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], APPRENTISSAGE)
    spec = parameters["inserjeunes"]["etablissements_apprentissage"]["ensemble"]
    rows = []
    for cfa in territory.of_kind("CFA"):
        label = (
            "Organisme de formation-Centre de formation d'apprentis "
            f"{cfa.patronyme} {cfa.commune.upper_name}"
        )
        rows.append([cfa.uai, label, REGION_LABEL, *_rates(spec, sampler)])
    return write_csv(
        root,
        APPRENTISSAGE,
        layout,
        rows,
        "InserJeunes 2021-2022 : centres de formation d'apprentis",
    )


def _final_year_pupils(offers: Offers) -> dict[tuple[str, str], int]:
    """Pupils in the final year of each formation, by (voie, code): MEF for school, CFD else."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for offer in offers.all():
        last = max(offer.pupils, key=lambda mef: mef[3])
        if offer.statut in ("ST", "Scolaire"):
            if last[:4] in ("2322", "2383", "3222"):
                totals[("scolaire", last)] += offer.pupils[last]
        else:
            totals[("apprentissage", offer.formation["cfd"])] += offer.pupils[last]
    return dict(sorted(totals.items()))


def write_region_data(
    root: Path, parameters: Parameters, offers: Offers, sampler: Sampler
) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], REGION_DATA)
    national = parameters["inserjeunes"]["national"]
    spread = parameters["inserjeunes"]["regional_sd"]
    fallback = {"poursuite": 0.5, "emploi_6": 0.45, "emploi_12": 0.55}
    region = parameters["territory"]["region"]
    totals = _final_year_pupils(offers)
    rows = []
    for millesime in MILLESIMES:
        for voie in ("scolaire", "apprentissage"):
            for (route, code), pupils in totals.items():
                if route != voie:
                    continue
                term = max(1, round(pupils * sampler.uniform(0.85, 1.15)))
                base = national.get(code, fallback)
                rates = {
                    "poursuite": base.get("poursuite", fallback["poursuite"])
                    + sampler.gauss(spread["poursuite"] / 2),
                    "emploi_6": base.get("emploi_6", fallback["emploi_6"])
                    + sampler.gauss(spread["emploi_6"] / 2),
                }
                rates["emploi_12"] = rates["emploi_6"] + (
                    base.get("emploi_12", fallback["emploi_12"]) - base.get("emploi_6", 0.45)
                )
                rates["emploi_18"] = rates["emploi_12"] + sampler.uniform(0.0, 0.06)
                rates["emploi_24"] = rates["emploi_18"] + sampler.uniform(0.0, 0.05)
                rates = {k: min(0.98, max(0.02, v)) for k, v in rates.items()}
                counts = _region_counts(term, rates, millesime in LONG_TERM_MILLESIMES)
                mef, cfd = (code, "") if voie == "scolaire" else ("", code)
                key = f"{millesime}_{REGION_IJ_CODE}_{voie}_{code}"
                rows.append([key, millesime, REGION_IJ_CODE, region, voie, cfd, mef, *counts])
    return write_csv(
        root, REGION_DATA, layout, rows, "InserJeunes : insertion par formation dans la région"
    )


def _region_counts(term: int, rates: dict[str, float], long_term: bool) -> list[str]:
    """The twelve count and rate columns after ``nb_annee_term``, with the real suppressions."""
    if term < COUNTS_THRESHOLD:
        return [str(term)] + [""] * 11
    further = round(term * rates["poursuite"])
    leavers = term - further
    employed = {
        months: round(leavers * rates[f"emploi_{months}"]) for months in ("6", "12", "18", "24")
    }

    def count(months: str) -> str:
        if not leavers or (months in ("18", "24") and not long_term):
            return ""
        return str(employed[months])

    def rate(months: str) -> str:
        if leavers < SUPPRESSION_THRESHOLD or (months in ("18", "24") and not long_term):
            return ""
        return str(round(100 * employed[months] / leavers))

    return [
        str(term),
        count("12"),
        count("18"),
        count("24"),
        count("6"),
        str(further),
        str(leavers) if leavers else "",
        rate("12"),
        rate("18"),
        rate("24"),
        rate("6"),
        str(round(100 * further / term)) if term >= SUPPRESSION_THRESHOLD else "",
    ]
