"""Reproducible analysis of TACE with irinotecan-loaded microspheres for NET liver metastases.

One module per topic (see the README, section "Package map"). Importing ``analysis`` is cheap:
submodules (and the scientific stack) load only when used.
"""

__version__ = "0.1.0"

import importlib as _importlib

_SUBMODULES = {
    "audit", "cli", "compare", "data", "endpoints", "errors", "figures", "numbers", "params",
    "paths", "pipeline", "published", "recist", "stats", "synth", "tables",
}


def __getattr__(name):  # lazy submodule access: analysis.stats etc.
    if name in _SUBMODULES:
        return _importlib.import_module(f"analysis.{name}")
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
