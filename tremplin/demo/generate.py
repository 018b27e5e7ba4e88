"""Write the fictional demo territory, in the official file formats, into a folder.

``generate_demo`` reads only the package's ``parameters.json`` and a seed, and writes one file per
dataset under the same relative paths as the real sources folder (``affelnet/…``, ``bmo/…``), so
``tremplin load`` reads it like real files. The marker file ``.tremplin-demo`` at the top makes
the loader flag every file it loads from there as demo data.

Steps: place the fictional establishments in the real communes (``territory``), give them their
offers and pupils (``offers``), then write each family of files. The same seed always gives the
same bytes; nothing in the files depends on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tremplin.demo import education, establishments, insertion, labour, nomenclatures
from tremplin.demo.files import DemoFile
from tremplin.demo.offers import build_offers
from tremplin.demo.parameters import DEFAULT_SEED, Parameters, Sampler, load_parameters
from tremplin.demo.territory import build_territory

MARKER = ".tremplin-demo"
MARKER_TEXT = (
    "Données fictives de démonstration produites par « tremplin demo » : les établissements, "
    "leurs offres, leurs effectifs et les chiffres d'emploi sont inventés ; seules la "
    "géographie et les nomenclatures publiques sont réelles.\n"
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote: the folder, the seed and each file with its row count."""

    directory: Path
    seed: int
    files: list[DemoFile]
    establishments: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(f.rows for f in self.files)


def generate_demo(
    directory: Path, seed: int = DEFAULT_SEED, parameters: Parameters | None = None
) -> DemoSummary:
    """Write the demo territory drawn with ``seed`` into ``directory`` (created if needed).

    Existing files of the same names are replaced; other files in ``directory`` are left alone.
    """
    parameters = parameters if parameters is not None else load_parameters()
    sampler = Sampler(seed, parameters["quantile_levels"])
    territory = build_territory(parameters, sampler.child("territory"))
    offers = build_offers(territory, parameters, sampler.child("offers"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    files = [
        education.write_affelnet(directory, parameters, offers),
        education.write_affelnet_1pro(directory, parameters, offers, sampler.child("1pro")),
        education.write_parcoursup(directory, parameters, offers),
        education.write_constat(directory, parameters, offers),
        insertion.write_pro(directory, parameters, territory, sampler.child("ij_pro")),
        insertion.write_apprentissage(
            directory, parameters, territory, sampler.child("ij_apprentissage")
        ),
        insertion.write_region_data(directory, parameters, offers, sampler.child("ij_region")),
        labour.write_bmo(directory, parameters, sampler.child("bmo")),
        labour.write_bassins(directory, parameters),
        labour.write_fap2021(directory, parameters),
        labour.write_tensions(directory, parameters, sampler.child("tensions")),
        labour.write_fap_rome(directory, parameters),
        *nomenclatures.write_extracts(directory, parameters),
        *nomenclatures.write_geography(directory, parameters),
        establishments.write_annuaire(directory, parameters, territory),
        establishments.write_lycees(directory, parameters, territory),
    ]
    kinds: dict[str, int] = {}
    for establishment in territory.establishments:
        kinds[establishment.kind] = kinds.get(establishment.kind, 0) + 1
    return DemoSummary(directory, seed, sorted(files, key=lambda f: f.path), kinds)
