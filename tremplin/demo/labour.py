"""Jobs: BMO recruitment projects per bassin × métier, DARES tensions, and their nomenclatures.

BMO projects of a bassin follow its population times the real national projects per inhabitant,
spread over the métiers by their real national shares, with local noise; the real rule of
suppression (« * » below 5 projects, and some secondary suppression) is applied. Regional and
departmental tensions move away from the real national value by the real spread.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from tremplin.demo.files import DemoFile, Layout, write_csv
from tremplin.demo.parameters import Parameters, Sampler
from tremplin.demo.xlsx import Cell, write_xlsx

BMO = "bmo/Base_open_data_BMO_2024.xlsx"
BMO_YEAR = 2024
BMO_SHEETS = ("Description des variables", "BMO_2024_open_data")
BASSINS = "bmo/bassin_emploi_BMO_communes.csv"
FAP2021 = "bmo/Intitules_FAP2021.csv"
TENSIONS = "dares/tensions.csv"
FAP_ROME = "dares/fap225_rome.csv"
TENSION_YEAR = "2019"
SUPPRESSED = "*"
SECONDARY_SUPPRESSION = 0.05
# Métiers with one or two projects in a bassin mostly have no row at all in the real file.
MIN_ROW_PROJECTS = 3


def _published(value: int, threshold: int, sampler: Sampler) -> str:
    if value < threshold or sampler.chance(SECONDARY_SUPPRESSION):
        return SUPPRESSED
    return str(value)


def write_bmo(root: Path, parameters: Parameters, sampler: Sampler) -> DemoFile:
    bmo = parameters["bmo"]
    geography = parameters["territory"]
    region_name = geography["departements_academies"][0][0]
    departements = {d["code"]: d["nom"] for d in geography["departements_json"]}
    per_inhabitant = bmo["projects_per_inhabitant"]
    threshold = bmo["smallest_published"]
    names = dict(geography["bassins"])
    parts = [tuple(key.split("|")) for key in geography["bassin_population"]]
    # Some bassins hire more than their size says (tourism, industry): one factor per bassin.
    bassin_factor = {b: math.exp(sampler.gauss(0.25)) for b in sorted({b for b, _ in parts})}
    labels = {row[0]: row[1] for row in parameters["fap2021"]["rows"]}
    description: list[list[Cell]] = [
        [None] * 3 for _ in range(max(c[0] for c in bmo["description"]) + 1)
    ]
    for row, column, value in bmo["description"]:
        description[row][column] = value
    data: list[list[Cell]] = [list(bmo["header"])]
    for code, own_label, family, share, difficult, seasonal in bmo["metiers"]:
        for bassin, dep in parts:
            population = geography["bassin_population"][f"{bassin}|{dep}"]
            expected = population * per_inhabitant * share * bassin_factor[bassin]
            projects = round(expected * math.exp(sampler.gauss(0.6) - 0.18))
            if projects < MIN_ROW_PROJECTS:
                continue
            hard = round(projects * min(1.0, max(0.0, difficult + sampler.gauss(0.12))))
            season = round(projects * min(1.0, max(0.0, seasonal + sampler.gauss(0.12))))
            met = str(projects) if projects >= threshold else SUPPRESSED
            data.append(
                [
                    BMO_YEAR,
                    code,
                    own_label or labels.get(code, code),
                    family,
                    bmo["families"][family],
                    geography["region"],
                    region_name,
                    dep,
                    departements[dep],
                    int(bassin),
                    names.get(bassin, f"BASSIN {bassin}"),
                    met,
                    SUPPRESSED if met == SUPPRESSED else _published(hard, threshold, sampler),
                    SUPPRESSED if met == SUPPRESSED else _published(season, threshold, sampler),
                ]
            )
    write_xlsx(root / BMO, [(BMO_SHEETS[0], description), (BMO_SHEETS[1], data)])
    return DemoFile(BMO, len(data) - 1, "BMO 2024 : projets de recrutement par bassin × métier")


def write_bassins(root: Path, parameters: Parameters) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], BASSINS)
    geography = parameters["territory"]
    communes = sorted(geography["communes"], key=lambda c: (c[8], c[0]))
    rows = [[c[3], c[2], c[0], c[8], geography["bassins"][c[8]]] for c in communes]
    return write_csv(root, BASSINS, layout, rows, "BMO : communes et bassins d'emploi")


def write_fap2021(root: Path, parameters: Parameters) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], FAP2021)
    upper = parameters["fap2021"]["upper_labels"]
    rows = [
        [c341, l341, c228, l228 or l341, c86, upper[c86], c22, upper[c22]]
        for c341, l341, c228, l228, c86, c22 in parameters["fap2021"]["rows"]
    ]
    return write_csv(root, FAP2021, layout, rows, "Nomenclature des FAP 2021 (extrait)")


def write_fap_rome(root: Path, parameters: Parameters) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], FAP_ROME)
    rows = parameters["dares"]["crosswalk"]
    return write_csv(
        root, FAP_ROME, layout, rows, "DARES : correspondance FAP 2009 ↔ ROME (extrait)"
    )


def _territorial_row(
    national: list[Any], level: str, share: float, dares: dict[str, Any], sampler: Sampler
) -> list[str]:
    """Employment, tension, category and six components of one FAP in one territory."""
    employment = int(round(national[1] * share * math.exp(sampler.gauss(0.3)), -2))
    tension = (
        None if national[2] is None else national[2] + sampler.gauss(dares["tension_sd"][level])
    )
    bucket = "<500" if employment < 500 else "<2000" if employment < 2000 else ">=2000"
    moves = dares["component_moves"]
    components: list[str] = []
    if not sampler.chance(dares["missing_components"].get(f"{level}{bucket}", 0.0)) and all(
        v is not None for v in national[3:10]
    ):
        for value in national[3:10]:
            moved = value + sampler.weighted([m[0] for m in moves], [m[1] for m in moves])
            components.append(f"{min(5, max(1, moved))}.0")
    else:
        components = [""] * 7
    return [str(employment), "" if tension is None else repr(tension), *components]


def write_tensions(root: Path, parameters: Parameters, sampler: Sampler) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], TENSIONS)
    dares = parameters["dares"]
    geography = parameters["territory"]
    population: dict[str, int] = defaultdict(int)
    for key, count in geography["bassin_population"].items():
        population[key.split("|")[1]] += count
    france = geography["france_population"]
    region_share = dares["region_employment_share"]
    rows = []
    for nomenclature, width in (("fap 225", 5), ("fap 87", 3)):
        national = [n for n in dares["national"] if len(n[0]) == width]
        region_level = "reg" if width == 5 else "reg "  # the real file has this trailing space
        for n in national:
            values = [
                str(n[1]),
                "" if n[2] is None else repr(n[2]),
                *(f"{v}.0" if v is not None else "" for v in n[3:10]),
            ]
            rows.append([n[0], *values, TENSION_YEAR, "nat", nomenclature, "", ""])
        for n in national:
            values = _territorial_row(n, "reg", region_share, dares, sampler)
            region = f"{geography['region']}.0"
            rows.append([n[0], *values, TENSION_YEAR, region_level, nomenclature, region, ""])
        for n in national:
            for dep in geography["departements"]:
                values = _territorial_row(n, "dep", population[dep] / france, dares, sampler)
                rows.append([n[0], *values, TENSION_YEAR, "dep", nomenclature, "", dep])
    return write_csv(root, TENSIONS, layout, rows, "DARES : indicateurs de tension par FAP")
