"""Affelnet, Parcoursup and the constat de rentrée of the fictional establishments."""

from __future__ import annotations

from pathlib import Path

from unidecode import unidecode

from tremplin.demo.files import DemoFile, Layout, write_csv
from tremplin.demo.offers import Offer, Offers
from tremplin.demo.parameters import Parameters, Sampler
from tremplin.demo.territory import Establishment

AFFELNET = "affelnet/attractivite_capacite_2021.csv"
AFFELNET_1PRO = "affelnet/affelnet1PROspe.csv"
PARCOURSUP = "parcoursup/BTS_attractivite_capacite_2023.csv"
CONSTAT = "effectifs/constat_2020.csv"
CONSTAT_YEAR = "2020"


def sigle(establishment: Establishment) -> str:
    """The establishment's acronym as Affelnet prints it (« LP LYC METIER », « LPO PR »…)."""
    if establishment.kind == "CFA":
        return "CFA"
    base = establishment.kind
    if establishment.private:
        return f"{base} PR METIER" if establishment.lycee_des_metiers else f"{base} PR"
    return f"{base} LYC METIER" if establishment.lycee_des_metiers else base


def _by_uai(offers: list[Offer]) -> list[Offer]:
    return sorted(offers, key=lambda o: o.establishment.uai)


def write_affelnet(root: Path, parameters: Parameters, offers: Offers) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], AFFELNET)
    rows = [
        [
            o.establishment.uai,
            o.mef,
            "N",
            "ST",
            str(o.capacity),
            str(o.wishes),
            o.formation["famille"],
            "1",
            o.formation["mef_terminale"],
        ]
        for o in _by_uai(offers.affelnet)
    ]
    return write_csv(
        root, AFFELNET, layout, rows, "Affelnet : capacités et vœux 1 par établissement × MEF"
    )


def write_affelnet_1pro(
    root: Path, parameters: Parameters, offers: Offers, sampler: Sampler
) -> DemoFile:
    """The 1re pro offers in detail, with the pupils Affelnet assigned."""
    layout = Layout.from_parameters(parameters["layouts"], AFFELNET_1PRO)
    formations = parameters["formations"]
    header = parameters["layouts"]["bcn/nMef.csv"]["header"].split(";")
    mef_column, label_column = header.index("MEF_STAT_11"), header.index("LIBELLE_LONG")
    labels = {r[mef_column]: r[label_column] for r in parameters["nomenclatures"]["bcn/nMef.csv"]}
    departements = {d["code"]: d["nom"] for d in parameters["territory"]["departements_json"]}
    rows = []
    # Apprenticeship places of a lycée's mixed sections go through Affelnet; a CFA's do not.
    chosen = [
        o
        for o in offers.affelnet + offers.apprenticeship
        if o.level == "premiere_pro" and o.establishment.kind != "CFA"
    ]
    for offer in _by_uai(chosen):
        school = offer.establishment
        capacity = offer.capacity or 0
        assigned = min(
            capacity, round(capacity * sampler.quantile(formations["affectation_share"]))
        )
        first = round(
            min(offer.wishes, capacity) * sampler.quantile(formations["first_wish_share"])
        )
        rows.append(
            [
                school.uai,
                sigle(school),
                school.patronyme,
                school.commune.upper_name,
                unidecode(departements[school.commune.departement]).upper(),
                labels[offer.mef],
                "National",
                "MINISTERE DE L'EDUCATION NATIONALE",
                "PRIVE" if school.private else "PUBLIC",
                "2nde",
                "N",
                offer.statut,
                str(capacity),
                str(capacity),
                str(offer.wishes),
                str(min(first, assigned)),
                str(assigned),
            ]
        )
    return write_csv(
        root, AFFELNET_1PRO, layout, rows, "Affelnet : offres de 1re professionnelle et affectés"
    )


def write_parcoursup(root: Path, parameters: Parameters, offers: Offers) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], PARCOURSUP)
    rows = []
    for offer in _by_uai(offers.bts):
        label = offer.formation["label"]
        if offer.statut == "Apprentissage":
            label += " - en apprentissage"
        cfd = offer.formation["cfd"]
        rows.append(
            [
                offer.establishment.uai,
                label,
                offer.mef,
                str(offer.wishes),
                offer.statut,
                "" if offer.capacity is None else str(offer.capacity),
                cfd,
                cfd,
                "FAUX",
                offer.mef,
                "1",
            ]
        )
    return write_csv(
        root, PARCOURSUP, layout, rows, "Parcoursup : BTS, vœux confirmés et capacités"
    )


def pupils(offers: Offers) -> dict[tuple[str, str], int]:
    """Pupils per (UAI, MEF STAT 11) of the school-status offers (apprentices are not counted)."""
    counts: dict[tuple[str, str], int] = {}
    for offer in offers.affelnet + [o for o in offers.bts if o.statut == "Scolaire"]:
        for mef, count in offer.pupils.items():
            counts.setdefault((offer.establishment.uai, mef), count)
    return counts


def write_constat(root: Path, parameters: Parameters, offers: Offers) -> DemoFile:
    layout = Layout.from_parameters(parameters["layouts"], CONSTAT)
    rows = [
        [CONSTAT_YEAR, uai, mef, str(count)]
        for (uai, mef), count in sorted(pupils(offers).items())
        if count > 0
    ]
    return write_csv(root, CONSTAT, layout, rows, "Constat de rentrée : élèves par UAI × MEF")
