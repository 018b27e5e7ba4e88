"""The front-end files the pages need, copied from ``node_modules`` into ``static/vendor``.

The packages are pinned in ``package.json`` and ``package-lock.json`` and installed with npm; this
module only copies the built files the pages link to, declared below as data, so the app serves
them itself (never from a CDN) and the repository never holds them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tremplin.errors import TremplinError

STATIC = Path(__file__).parent.parent / "static"
VENDOR = STATIC / "vendor"


@dataclass(frozen=True)
class Asset:
    """A file or folder of an npm package, and where it goes under ``static/vendor``."""

    package: str
    source: str
    target: str


_DSFR = "@gouvfr/dsfr"
_HTMX = "htmx.org"
_SWAGGER = "swagger-ui-dist"
_LEAFLET = "leaflet"

ASSETS: tuple[Asset, ...] = (
    Asset(_DSFR, "dist/dsfr.min.css", "dsfr/dsfr.min.css"),
    Asset(_DSFR, "dist/dsfr.module.min.js", "dsfr/dsfr.module.min.js"),
    Asset(_DSFR, "dist/dsfr.nomodule.min.js", "dsfr/dsfr.nomodule.min.js"),
    # dsfr.min.css loads its fonts from ``fonts/``, next to it.
    Asset(_DSFR, "dist/fonts", "dsfr/fonts"),
    Asset(_DSFR, "dist/favicon", "dsfr/favicon"),
    # icons.min.css points at ``../../icons/``, so the two keep their relative places.
    Asset(_DSFR, "dist/utility/icons/icons.min.css", "dsfr/utility/icons/icons.min.css"),
    Asset(_DSFR, "dist/icons", "dsfr/icons"),
    Asset(_DSFR, "LICENSE.md", "dsfr/LICENSE.md"),
    Asset(_HTMX, "dist/htmx.min.js", "htmx/htmx.min.js"),
    Asset(_HTMX, "LICENSE", "htmx/LICENSE"),
    Asset(_SWAGGER, "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    Asset(_SWAGGER, "swagger-ui.css", "swagger-ui/swagger-ui.css"),
    Asset(_SWAGGER, "favicon-32x32.png", "swagger-ui/favicon-32x32.png"),
    Asset(_SWAGGER, "LICENSE", "swagger-ui/LICENSE"),
    Asset(_SWAGGER, "NOTICE", "swagger-ui/NOTICE"),
    # The map draws vector layers only (no tile server); leaflet.css points at ``images/``.
    Asset(_LEAFLET, "dist/leaflet.js", "leaflet/leaflet.js"),
    Asset(_LEAFLET, "dist/leaflet.css", "leaflet/leaflet.css"),
    Asset(_LEAFLET, "dist/images", "leaflet/images"),
    Asset(_LEAFLET, "LICENSE", "leaflet/LICENSE"),
)


class MissingAssets(TremplinError):
    """Some declared files are not in ``node_modules`` (``npm ci`` not run, or a new layout)."""

    def __init__(self, missing: list[Path], node_modules: Path) -> None:
        listed = "\n".join(f"  - {path}" for path in missing)
        super().__init__(
            f"fichiers absents de {node_modules} :\n{listed}\n"
            "Installez d'abord les paquets front-end avec « npm ci »."
        )
        self.missing = missing


def copy_assets(node_modules: Path, vendor: Path = VENDOR) -> list[Path]:
    """Replace ``vendor`` with the files of :data:`ASSETS` taken from ``node_modules``.

    Every source is checked before anything is copied, so a missing package leaves the current
    ``vendor`` folder untouched and raises :class:`MissingAssets` listing what is absent.
    Returns the copied paths (files or folders) under ``vendor``.
    """
    sources = [node_modules / asset.package / asset.source for asset in ASSETS]
    missing = [path for path in sources if not path.exists()]
    if missing:
        raise MissingAssets(missing, node_modules)
    if vendor.exists():
        shutil.rmtree(vendor)
    copied: list[Path] = []
    for asset, source in zip(ASSETS, sources, strict=True):
        target = vendor / asset.target
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
        copied.append(target)
    return copied


def vendor_ready(vendor: Path = VENDOR) -> bool:
    """Whether ``vendor`` holds every declared asset (``tremplin assets`` has been run)."""
    return all((vendor / asset.target).exists() for asset in ASSETS)
