"""The ``tremplin`` command line: thin commands over the library, messages in French.

Each command lives in its own module, which registers itself on :data:`app`.
"""

from tremplin.cli import accounts_command as _accounts_command  # noqa: F401
from tremplin.cli import assets_command as _assets_command  # noqa: F401
from tremplin.cli import calibration_command as _calibration_command  # noqa: F401
from tremplin.cli import carte_command as _carte_command  # noqa: F401
from tremplin.cli import carte_demandes_command as _carte_demandes_command  # noqa: F401
from tremplin.cli import carte_optimiser_command as _carte_optimiser_command  # noqa: F401
from tremplin.cli import config_command as _config_command  # noqa: F401
from tremplin.cli import demo_command as _demo_command  # noqa: F401
from tremplin.cli import diagnostic_command as _diagnostic_command  # noqa: F401
from tremplin.cli import fetch_command as _fetch_command  # noqa: F401
from tremplin.cli import load_command as _load_command  # noqa: F401
from tremplin.cli import scenario_command as _scenario_command  # noqa: F401
from tremplin.cli import serve_command as _serve_command  # noqa: F401
from tremplin.cli import simulate_command as _simulate_command  # noqa: F401
from tremplin.cli import sources_command as _sources_command  # noqa: F401
from tremplin.cli import trades_command as _trades_command  # noqa: F401
from tremplin.cli import trends_command as _trends_command  # noqa: F401
from tremplin.cli import worker_command as _worker_command  # noqa: F401
from tremplin.cli._app import app

__all__ = ["app"]
