"""Derive the demo territory's parameters from the real official files.

Reads the folder of real files (``TREMPLIN_SOURCES``, by default ``../shared/data``) and writes
``tremplin/demo/parameters.json``: the exact layout of each file the demo imitates (header,
separator, encoding, BOM, line endings), the distributions the generator samples from (capacities,
taux de pression, taux de demande, insertion rates, BMO projects, DARES tensions), the real
geography of the académie de Grenoble (communes of 3,000 inhabitants or more, bassins BMO) and the
small subsets of the public nomenclatures (MEF, CFD, ROME, FAP…) the demo's formations need.

Nothing identifying a real establishment is kept: only aggregates and public nomenclatures.

Usage: ``.venv/bin/python scripts/derive_demo_parameters.py [--sources DIR] [--output FILE]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "tremplin" / "demo" / "parameters.json"

REGION = "84"
ACADEMIE = "08"  # Grenoble: Ardèche, Drôme, Isère, Savoie, Haute-Savoie
DEPARTEMENTS = ("07", "26", "38", "73", "74")
AURA_DEPARTEMENTS = ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")
MIN_COMMUNE_POPULATION = 3_000
MIN_AURA_OFFERS = 8  # a formation enters the demo's catalogue when AURA offers it this often
MIN_AURA_BTS_OFFERS = 14
APPELLATIONS_PER_ROME = 1
# Quantile levels of every stored distribution; the extreme 1 % (a few offers with 60 first
# wishes for one place) is left out so that sampling between two levels stays realistic.
PERCENTS = (*range(0, 100, 5), 99)
NO_LIMIT = 999  # the capacity Affelnet shows for an offer without a set number of places

# The files the demo imitates, by their path under the sources folder.
CSV_FILES = (
    "affelnet/attractivite_capacite_2021.csv",
    "affelnet/affelnet1PROspe.csv",
    "parcoursup/BTS_attractivite_capacite_2023.csv",
    "effectifs/constat_2020.csv",
    "inserjeunes/depp-inserjeunes-etablissements-2021_2022-pro.csv",
    "inserjeunes/depp-inserjeunes-etablissements-2021_2022-apprentissage.csv",
    "inserjeunes/ij_region_data.csv",
    "bmo/bassin_emploi_BMO_communes.csv",
    "bmo/Intitules_FAP2021.csv",
    "dares/tensions.csv",
    "dares/fap225_rome.csv",
    "rome/rome.csv",
    "rome/metier.csv",
    "rome/domaine_professionnel.csv",
    "certifications/certif_info.csv",
    "bcn/nMef.csv",
    "bcn/nFormationDiplome_.csv",
    "bcn/nNiveauFormationDiplome_.csv",
    "territoires/communes_2026_pop_geopoint.csv",
    "territoires/departements_academies_regions.csv",
    "etablissements/fr-en-annuaire-education_colleges_AURA.csv",
)
BMO_WORKBOOK = "bmo/Base_open_data_BMO_2024.xlsx"


@dataclass
class Table:
    """A raw CSV file: its layout and its rows split on the separator (the files do not quote)."""

    header: list[str]
    rows: list[list[str]]
    layout: dict[str, Any]

    def column(self, name: str) -> int:
        return self.header.index(name)

    def dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row, strict=False)) for row in self.rows]


def read_table(path: Path) -> Table:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        text, encoding = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = body.decode("cp1252"), "cp1252"
    newline = "\r\n" if "\r\n" in text[:10_000] else "\n"
    final_newline = text.endswith("\n")
    lines = text.split(newline)
    if final_newline:
        lines.pop()
    header_line = lines[0]
    separator = ";" if header_line.count(";") >= header_line.count(",") else ","
    trailer: list[str] = []
    while lines and lines[-1].strip(separator) == "":
        trailer.insert(0, lines.pop())
    header = header_line.split(separator)
    rows = [line.split(separator) for line in lines[1:]]
    layout = {
        "header": header_line,
        "separator": separator,
        "encoding": encoding,
        "bom": bom,
        "newline": newline,
        "final_newline": final_newline,
        "trailer": trailer,
    }
    return Table(header, rows, layout)


def quantiles(values: Iterable[float], digits: int = 4) -> list[float]:
    """The percentiles ``PERCENTS`` of ``values`` (linear interpolation)."""
    data = sorted(values)
    if not data:
        return []
    out = []
    for p in PERCENTS:
        position = (len(data) - 1) * p / 100
        low = int(position)
        high = min(low + 1, len(data) - 1)
        out.append(round(data[low] + (data[high] - data[low]) * (position - low), digits))
    return out


def frequencies(values: Iterable[int]) -> list[list[int]]:
    """``[[value, count], …]`` sorted by value, the top 1 % left out like in ``quantiles``.

    Capacities have placeholders there (999 for « no limit ») and multi-site totals.
    """
    data = sorted(v for v in values if v != NO_LIMIT)
    top = data[int(0.99 * (len(data) - 1))] if data else 0
    return [[v, c] for v, c in sorted(Counter(data).items()) if v <= top]


def as_int(value: str) -> int | None:
    try:
        return int(float(value))
    except ValueError:
        return None


def ratio_quantiles(pairs: Iterable[tuple[int | None, int | None]]) -> list[float]:
    return quantiles(n / d for n, d in pairs if n is not None and d)


def median_or(values: Sequence[float], default: float) -> float:
    return round(statistics.median(values), 4) if values else default


# --- territory -------------------------------------------------------------------------------


def derive_territory(sources: Path, tables: dict[str, Table]) -> dict[str, Any]:
    communes = tables["territoires/communes_2026_pop_geopoint.csv"]
    bassins = tables["bmo/bassin_emploi_BMO_communes.csv"]
    bassin_of = {r[2]: r[3] for r in bassins.rows}
    bassin_names = {r[3]: r[4] for r in bassins.rows}
    population_by_bassin: dict[str, int] = defaultdict(int)
    france_population = 0
    kept = []
    for row in communes.rows:
        code, dep, region, population = row[0], row[2], row[3], as_int(row[4]) or 0
        france_population += population
        if dep in DEPARTEMENTS:
            bassin = bassin_of.get(code)
            if bassin is not None:
                population_by_bassin[f"{bassin}|{dep}"] += population
            if population >= MIN_COMMUNE_POPULATION and bassin is not None and region == REGION:
                kept.append([*row, bassin])
    used_bassins = sorted({row[-1] for row in kept})
    departements = json.loads((sources / "territoires/departements.json").read_text("utf-8"))
    lycees = json.loads((sources / "etablissements/lycees_france.json").read_text("utf-8"))
    fixture = [
        item
        for item in lycees
        if (item["model"].endswith(".region") and item["fields"]["name"] == "Auvergne-Rhône-Alpes")
        or (item["model"].endswith(".department") and item["fields"]["number"] in DEPARTEMENTS)
    ]
    regions = json.loads((sources / "territoires/regions.json").read_text("utf-8"))
    dep_acad = tables["territoires/departements_academies_regions.csv"]
    return {
        "region": REGION,
        "academie": ACADEMIE,
        "departements": list(DEPARTEMENTS),
        "communes_header": communes.header,
        "communes": kept,
        "bassins": {b: bassin_names[b] for b in used_bassins},
        "bassin_population": dict(sorted(population_by_bassin.items())),
        "france_population": france_population,
        "departements_json": [d for d in departements if d["code"] in DEPARTEMENTS],
        "regions_json": [r for r in regions if r["code"] == REGION],
        "lycees_fixture": fixture,
        "departements_academies": [
            r
            for r in dep_acad.rows
            if r[dep_acad.column("codeDepartement")] in {"0" + d for d in DEPARTEMENTS}
        ],
    }


def free_uai_block(sources: Path) -> int:
    """A thousand-block of UAI numbers that no real file uses in the demo's départements."""
    used: set[str] = set()
    for path in sources.rglob("*"):
        if path.suffix in (".csv", ".json") and path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            for dep in DEPARTEMENTS:
                start = 0
                needle = "0" + dep
                while (index := text.find(needle, start)) != -1:
                    candidate = text[index : index + 8]
                    if len(candidate) == 8 and candidate[:7].isdigit() and candidate[7].isalpha():
                        used.add(candidate[3])
                    start = index + 1
    for block in range(9, 3, -1):
        if str(block) not in used:
            return block
    raise SystemExit("aucun bloc de numéros UAI libre")


# --- formations ------------------------------------------------------------------------------


def level_of(mef: str) -> str | None:
    return {
        "2321": "cap",
        "2381": "seconde_pro",
        "2382": "premiere_pro",
        "3221": "bts",
    }.get(mef[:4])


def derive_formations(tables: dict[str, Table]) -> dict[str, Any]:
    """The catalogue of formations, and the distributions of capacities and demand."""
    nmef = tables["bcn/nMef.csv"]
    mef_rows = {r[nmef.column("MEF_STAT_11")]: r for r in nmef.rows}
    cfd_of = {mef: r[nmef.column("FORMATION_DIPLOME")] for mef, r in mef_rows.items()}
    nfd = tables["bcn/nFormationDiplome_.csv"]
    group_of = {r[0]: r[nfd.column("GROUPE_SPECIALITE")] for r in nfd.rows}

    # Affelnet: offers per UAI × MEF, capacity and first wishes.
    aff = tables["affelnet/attractivite_capacite_2021.csv"].dicts()
    capacity_values: dict[str, list[int]] = defaultdict(list)
    pressure: dict[str, list[float]] = defaultdict(list)
    pressure_by_mef: dict[str, list[float]] = defaultdict(list)
    famille_by_mef: dict[str, Counter[str]] = defaultdict(Counter)
    terminale_by_mef: dict[str, Counter[str]] = defaultdict(Counter)
    aura_offers: Counter[str] = Counter()
    offers_per_uai: Counter[str] = Counter()
    for row in aff:
        mef, uai = row["MEF STAT 11"], row["Etablissement d'accueil"]
        level = level_of(mef)
        capacity, wishes = as_int(row["Capacité carte scolaire"]), as_int(row["Demandes vœux 1"])
        if level is None or capacity is None or wishes is None:
            continue
        if capacity > 0:
            capacity_values[level].append(capacity)
        famille_by_mef[mef][row["Famille de métiers"]] += 1
        terminale_by_mef[mef][row["mef_stat_terminale"]] += 1
        if capacity > 0:
            pressure[level].append(wishes / capacity)
            pressure_by_mef[mef].append(wishes / capacity)
        if uai[1:3] in AURA_DEPARTEMENTS and uai[0] == "0":
            aura_offers[mef] += 1
            offers_per_uai[uai] += 1
    catalogue = []
    for mef, count in aura_offers.most_common():
        level = level_of(mef)
        if count < MIN_AURA_OFFERS or mef not in cfd_of or level is None:
            continue
        cfd = cfd_of[mef]
        level_median = statistics.median(pressure[level])
        catalogue.append(
            {
                "mef": mef,
                "level": level,
                "cfd": cfd,
                "groupe": group_of.get(cfd, ""),
                "weight": count,
                "famille": famille_by_mef[mef].most_common(1)[0][0],
                "mef_terminale": terminale_by_mef[mef].most_common(1)[0][0],
                "pressure_median": median_or(pressure_by_mef[mef], round(level_median, 4))
                if len(pressure_by_mef[mef]) >= 5
                else round(level_median, 4),
            }
        )

    # Affelnet 1re pro, detailed: assignment given capacity and wishes.
    one_pro = tables["affelnet/affelnet1PROspe.csv"].dicts()
    affectation_share, first_wish_share = [], []
    for row in one_pro:
        cap = as_int(row["Capacité d'affectation"])
        wishes = as_int(row["Demandes vœux 1"])
        first, every = as_int(row["Affectés voeu 1"]), as_int(row["Affectés tous vœux"])
        if not cap or wishes is None or first is None or every is None:
            continue
        affectation_share.append(every / cap)
        if min(wishes, cap):
            first_wish_share.append(first / min(wishes, cap))

    # Parcoursup BTS: capacity and confirmed wishes per status.
    bts = tables["parcoursup/BTS_attractivite_capacite_2023.csv"].dicts()
    bts_capacity: dict[str, list[int]] = defaultdict(list)
    bts_demand: dict[str, list[float]] = defaultdict(list)
    bts_demand_by_mef: dict[tuple[str, str], list[float]] = defaultdict(list)
    bts_missing: Counter[str] = Counter()
    bts_rows: Counter[str] = Counter()
    bts_label: dict[str, Counter[str]] = defaultdict(Counter)
    bts_aura: dict[str, Counter[str]] = defaultdict(Counter)
    for row in bts:
        status, mef = row["STATUT"], row["MEFSTAT11"]
        bts_rows[status] += 1
        capacity, wishes = as_int(row["CAPACITEPSUP"]), as_int(row["NB_VOEUX_CONFIRMES"])
        if row["UAI"][1:3] in AURA_DEPARTEMENTS and row["UAI"][0] == "0":
            bts_aura[mef][status] += 1
        label = row["LIBELLÉFORMATION"].removesuffix(" - en apprentissage")
        bts_label[mef][label] += 1
        if capacity is None:
            bts_missing[status] += 1
            continue
        if capacity > 0:
            bts_capacity[status].append(capacity)
        if capacity > 0 and wishes is not None:
            bts_demand[status].append(wishes / capacity)
            bts_demand_by_mef[(mef, status)].append(wishes / capacity)
    bts_catalogue = []
    for mef, by_status in sorted(bts_aura.items(), key=lambda kv: -sum(kv[1].values())):
        if sum(by_status.values()) < MIN_AURA_BTS_OFFERS or mef not in cfd_of:
            continue
        medians = {}
        for status in ("Scolaire", "Apprentissage"):
            values = bts_demand_by_mef[(mef, status)]
            medians[status] = median_or(values, round(statistics.median(bts_demand[status]), 4))
            if len(values) < 5:
                medians[status] = round(statistics.median(bts_demand[status]), 4)
        cfd = cfd_of[mef]
        bts_catalogue.append(
            {
                "mef": mef,
                "level": "bts",
                "cfd": cfd,
                "groupe": group_of.get(cfd, ""),
                "label": bts_label[mef].most_common(1)[0][0],
                "weight_scolaire": by_status["Scolaire"],
                "weight_apprentissage": by_status["Apprentissage"],
                "demand_median": medians,
            }
        )

    # Constat de rentrée against capacities: how full a first year is, how many stay on.
    constat = tables["effectifs/constat_2020.csv"]
    pupils = {(r[1], r[2]): int(r[3]) for r in constat.rows}
    fill: dict[str, list[float]] = defaultdict(list)
    for row in aff:
        mef = row["MEF STAT 11"]
        level, places = level_of(mef), as_int(row["Capacité carte scolaire"])
        enrolled = pupils.get((row["Etablissement d'accueil"], mef))
        if level and places and places != NO_LIMIT and enrolled:
            fill[level].append(enrolled / places)
    for row in bts:
        places = as_int(row["CAPACITEPSUP"])
        enrolled = pupils.get((row["UAI"], row["MEFSTAT11"]))
        if row["STATUT"] == "Scolaire" and places and enrolled:
            fill["bts"].append(enrolled / places)
    retention: dict[str, list[float]] = defaultdict(list)
    for (uai, mef), count in pupils.items():
        if mef[:4] in ("2322", "2382", "2383", "3222"):
            previous = pupils.get((uai, mef[:3] + str(int(mef[3]) - 1) + mef[4:]))
            if previous:
                retention[mef[:4]].append(count / previous)

    return {
        "catalogue": catalogue,
        "bts_catalogue": bts_catalogue,
        "offers_per_uai": quantiles(offers_per_uai.values()),
        "capacity": {level: frequencies(v) for level, v in sorted(capacity_values.items())},
        "pressure": {level: quantiles(v) for level, v in sorted(pressure.items())},
        "affectation_share": quantiles(affectation_share),
        "first_wish_share": quantiles(first_wish_share),
        "bts_capacity": {s: frequencies(v) for s, v in sorted(bts_capacity.items())},
        "bts_demand": {s: quantiles(v) for s, v in sorted(bts_demand.items())},
        "bts_capacity_missing": {s: round(bts_missing[s] / bts_rows[s], 4) for s in bts_rows},
        "fill": {level: quantiles(v) for level, v in sorted(fill.items())},
        "retention": {year: quantiles(v) for year, v in sorted(retention.items())},
    }


def follow_up_mefs(mef: str, known: set[str]) -> list[str]:
    """The later years of the cycle ``mef`` starts (2nde → 1re → terminale), when they exist."""
    out: list[str] = []
    year = int(mef[3])
    while True:
        year += 1
        candidate = mef[:3] + str(year) + mef[4:]
        if candidate not in known or year > 3:
            return out
        out.append(candidate)


# --- insertion --------------------------------------------------------------------------------


def derive_inserjeunes(tables: dict[str, Table], keys: set[str]) -> dict[str, Any]:
    ij = tables["inserjeunes/ij_region_data.csv"].dicts()
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    by_region: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in ij:
        key = row["mefstat11"] or row["cfd"]
        term, exits = as_int(row["nb_annee_term"]), as_int(row["nb_sortant"])
        further = as_int(row["nb_poursuite_etudes"])
        if term is None or further is None:
            continue
        for bucket in (sums[key], by_region[(key, row["code_region"])]):
            bucket["term"] += term
            bucket["poursuite"] += further
            if exits:
                bucket["sortants"] += exits
                for months in ("6", "12"):
                    employed = as_int(row[f"nb_en_emploi_{months}_mois"])
                    if employed is not None:
                        bucket[f"emploi_{months}"] += employed
                        bucket[f"sortants_{months}"] += exits

    def rates(bucket: Counter[str]) -> dict[str, float]:
        out = (
            {"poursuite": round(bucket["poursuite"] / bucket["term"], 3)} if bucket["term"] else {}
        )
        for months in ("6", "12"):
            if bucket[f"sortants_{months}"]:
                out[f"emploi_{months}"] = round(
                    bucket[f"emploi_{months}"] / bucket[f"sortants_{months}"], 3
                )
        return out

    national = {key: rates(sums[key]) for key in sorted(keys) if sums[key]["term"] >= 20}
    deviations: dict[str, list[float]] = defaultdict(list)
    for (key, _region), bucket in by_region.items():
        if bucket["term"] < 50 or key not in sums:
            continue
        regional, overall = rates(bucket), rates(sums[key])
        for name in ("poursuite", "emploi_6"):
            if name in regional and name in overall:
                deviations[name].append(regional[name] - overall[name])

    def establishment_rates(path: str, category_column: str | None) -> dict[str, Any]:
        table = tables[path]
        out: dict[str, Any] = {}
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in table.dicts():
            grouped[row[category_column] if category_column else "ensemble"].append(row)
        for category, rows in sorted(grouped.items()):
            numeric = [r for r in rows if r["Taux"] != "nd"]
            known = [r for r in rows if r["Taux de poursuite d'études"] != "nd"]
            out[category] = {
                "nd_share": round(1 - len(numeric) / len(rows), 4),
                "poursuite_nd_share": round(1 - len(known) / len(rows), 4),
                "poursuite": quantiles(
                    float(r["Taux de poursuite d'études"])
                    for r in numeric
                    if r["Taux de poursuite d'études"] != "nd"
                ),
                "taux": quantiles(float(r["Taux"]) for r in numeric),
                "valeur_ajoutee": quantiles(float(r["Valeur ajoutée"]) for r in numeric),
            }
        return out

    pro = "inserjeunes/depp-inserjeunes-etablissements-2021_2022-pro.csv"
    app = "inserjeunes/depp-inserjeunes-etablissements-2021_2022-apprentissage.csv"
    return {
        "national": national,
        "regional_sd": {k: round(statistics.pstdev(v), 4) for k, v in sorted(deviations.items())},
        "etablissements_pro": establishment_rates(pro, "Dont apprentis en EPLE"),
        "etablissements_apprentissage": establishment_rates(app, None),
    }


# --- jobs: BMO, DARES, ROME ------------------------------------------------------------------


def derive_bmo(sources: Path, france_population: int, fap_labels: dict[str, str]) -> dict[str, Any]:
    workbook = CalamineWorkbook.from_path(str(sources / BMO_WORKBOOK))
    description = workbook.get_sheet_by_name("Description des variables").to_python(
        skip_empty_area=False
    )
    data = workbook.get_sheet_by_name("BMO_2024_open_data").to_python()
    header = [str(c) for c in data[0]]
    index = {name: i for i, name in enumerate(header)}
    met: Counter[str] = Counter()
    xmet: Counter[str] = Counter()
    smet: Counter[str] = Counter()
    met_x: Counter[str] = Counter()
    met_s: Counter[str] = Counter()
    labels: dict[str, list[str]] = {}
    smallest = None
    for row in data[1:]:
        code = str(row[index["Code métier BMO"]])
        labels[code] = [
            str(row[index["Nom métier BMO"]]),
            str(row[index["Famille_met"]]),
            str(row[index["Lbl_fam_met"]]),
        ]
        value = row[index["met"]]
        if value == "*":
            continue
        projects = int(float(str(value)))
        smallest = projects if smallest is None else min(smallest, projects)
        met[code] += projects
        if row[index["xmet"]] != "*":
            xmet[code] += int(float(str(row[index["xmet"]])))
            met_x[code] += projects
        if row[index["smet"]] != "*":
            smet[code] += int(float(str(row[index["smet"]])))
            met_s[code] += projects
    total = sum(met.values())
    families = {labels[code][1]: labels[code][2] for code in labels}
    metiers = [
        [
            code,
            "" if fap_labels.get(code) == labels[code][0] else labels[code][0],
            labels[code][1],
            round(met[code] / total, 6),
            round(xmet[code] / met_x[code], 4) if met_x[code] else 0.0,
            round(smet[code] / met_s[code], 4) if met_s[code] else 0.0,
        ]
        for code in sorted(labels)
    ]
    cells = [
        [(r, c, value) for c, value in enumerate(row) if value not in ("", None)]
        for r, row in enumerate(description)
    ]
    return {
        "header": header,
        "description": [cell for row in cells for cell in row],
        "families": dict(sorted(families.items())),
        "metiers": metiers,
        "projects_per_inhabitant": round(total / france_population, 6),
        "smallest_published": smallest,
    }


def derive_dares(tables: dict[str, Table], romes: set[str]) -> dict[str, Any]:
    crosswalk = tables["dares/fap225_rome.csv"]
    rows = [r for r in crosswalk.rows if r[1] in romes]
    faps = {r[0] for r in rows}
    faps87 = {f[:3] for f in faps}
    tensions = tables["dares/tensions.csv"]
    header = tensions.header
    nat = [
        [r[0], int(r[1]), round(float(r[2]), 4) if r[2] else None, *(as_int(v) for v in r[3:10])]
        for r in tensions.rows
        if r[header.index("niveau_geo")] == "nat" and r[0] in faps | faps87
    ]
    values = {r[0]: r for r in tensions.rows if r[header.index("niveau_geo")] == "nat"}
    deviation: dict[str, list[float]] = defaultdict(list)
    component_moves: Counter[int] = Counter()
    missing: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in tensions.rows:
        level = row[header.index("niveau_geo")].strip()
        employment = int(row[1])
        bucket = "<500" if employment < 500 else "<2000" if employment < 2000 else ">=2000"
        missing[f"{level}{bucket}"][1] += 1
        if row[3] == "":
            missing[f"{level}{bucket}"][0] += 1
        national = values.get(row[0])
        if level == "nat" or national is None or row[2] == "" or national[2] == "":
            continue
        deviation[level].append(float(row[2]) - float(national[2]))
        if row[3] and national[3]:
            for i in range(3, 10):
                component_moves[int(float(row[i]) - float(national[i]))] += 1
    return {
        "crosswalk": rows,
        "national": nat,
        "tension_sd": {k: round(statistics.pstdev(v), 4) for k, v in sorted(deviation.items())},
        "component_moves": [[k, v] for k, v in sorted(component_moves.items())],
        "missing_components": {
            k: round(v[0] / v[1], 4) for k, v in sorted(missing.items()) if v[1]
        },
        "region_employment_share": 0.12,
    }


# --- assembly --------------------------------------------------------------------------------


def subset(table: Table, keep: Callable[[list[str]], bool]) -> list[list[str]]:
    return [row for row in table.rows if keep(row)]


def derive(sources: Path) -> dict[str, Any]:
    tables = {name: read_table(sources / name) for name in CSV_FILES}
    territory = derive_territory(sources, tables)
    formations = derive_formations(tables)

    nmef = tables["bcn/nMef.csv"]
    mef_column = nmef.column("MEF_STAT_11")
    known = {r[mef_column] for r in nmef.rows}
    mefs: set[str] = set()
    for item in formations["catalogue"] + formations["bts_catalogue"]:
        mefs.add(item["mef"])
        mefs.update(follow_up_mefs(item["mef"], known))
    mef_rows = subset(nmef, lambda r: r[mef_column] in mefs)
    cfds = {r[nmef.column("FORMATION_DIPLOME")] for r in mef_rows}
    nfd = tables["bcn/nFormationDiplome_.csv"]
    cfd_rows = subset(nfd, lambda r: r[0] in cfds)
    levels = {r[1] for r in cfd_rows}
    niveaux = tables["bcn/nNiveauFormationDiplome_.csv"]
    certif = tables["certifications/certif_info.csv"]
    school_code = certif.column("Code_Scolarité")
    certif_rows = subset(certif, lambda r: r[school_code] in cfds)
    rome_columns = [certif.column(f"Code_Rome_{i}") for i in range(1, 6)]
    romes = {r[i] for r in certif_rows for i in rome_columns if r[i]}
    rome = tables["rome/rome.csv"]
    metier = tables["rome/metier.csv"]
    per_rome: Counter[str] = Counter()
    metier_rows = []
    for row in metier.rows:
        if row[3] in romes and per_rome[row[3]] < APPELLATIONS_PER_ROME:
            per_rome[row[3]] += 1
            metier_rows.append(row)

    terminal = set()
    for item in formations["catalogue"] + formations["bts_catalogue"]:
        chain = [item["mef"], *follow_up_mefs(item["mef"], known)]
        terminal.add(chain[-1])
        if item["level"] == "bts":
            terminal.add(item["mef"][:3] + "2" + item["mef"][4:])
    fap2021 = tables["bmo/Intitules_FAP2021.csv"]
    bmo = derive_bmo(sources, territory["france_population"], {r[0]: r[1] for r in fap2021.rows})
    bmo_codes = {m[0] for m in bmo["metiers"]}
    # The FAP 2021 labels, with the two upper levels' labels stored once.
    fap_rows = subset(fap2021, lambda r: r[0] in bmo_codes)
    fap_upper = {r[4]: r[5] for r in fap_rows} | {r[6]: r[7] for r in fap_rows}

    layouts = {name: table.layout for name, table in tables.items()}
    return {
        "about": (
            "Paramètres du territoire fictif de démonstration, dérivés des fichiers officiels "
            "réels par scripts/derive_demo_parameters.py : agrégats, distributions et extraits "
            "des nomenclatures publiques. Aucun établissement réel n'y figure."
        ),
        "quantile_levels": [p / 100 for p in PERCENTS],
        "layouts": layouts,
        "uai_block": free_uai_block(sources),
        "territory": territory,
        "formations": formations,
        "inserjeunes": derive_inserjeunes(tables, terminal | cfds),
        "bmo": bmo,
        "dares": derive_dares(tables, romes),
        "nomenclatures": {
            "bcn/nMef.csv": mef_rows,
            "bcn/nFormationDiplome_.csv": cfd_rows,
            "bcn/nNiveauFormationDiplome_.csv": subset(niveaux, lambda r: r[0] in levels),
            "certifications/certif_info.csv": certif_rows,
            "rome/rome.csv": subset(rome, lambda r: r[0] in romes),
            "rome/metier.csv": metier_rows,
            "rome/domaine_professionnel.csv": subset(
                tables["rome/domaine_professionnel.csv"], lambda r: r[0] in {x[:3] for x in romes}
            ),
        },
        "fap2021": {
            "rows": [
                [r[0], r[1], r[2], "" if r[3] == r[1] else r[3], r[4], r[6]] for r in fap_rows
            ],
            "upper_labels": dict(sorted(fap_upper.items())),
        },
    }


def dump(value: Any, indent: int = 0) -> str:
    """JSON with one line per table row: small, and readable in a diff."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        items = [
            f"{pad} {json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        items = [
            pad + " " + json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in value
        ]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_sources = os.environ.get("TREMPLIN_SOURCES") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--sources", type=Path, default=Path(default_sources))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    parameters = derive(arguments.sources)
    text = dump(parameters) + "\n"
    if len(text.encode("utf-8")) >= 300_000:
        raise SystemExit("parameters.json dépasserait 300 ko : réduire le catalogue")
    arguments.output.write_text(text, encoding="utf-8")
    print(f"{arguments.output} : {len(text.encode('utf-8')) // 1024} Kio")


if __name__ == "__main__":
    main()
