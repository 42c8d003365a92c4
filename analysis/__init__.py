"""Reproducible analysis of TACE with irinotecan-loaded microspheres for NET liver metastases.

One module per topic (see the README, section "Package map"). Importing ``analysis`` is cheap:
submodules (and the scientific stack) load only when used.
"""

__version__ = "0.1.0"

import importlib as _importlib



def __getattr__(name):  # lazy submodule access: analysis.stats etc.
    if not name.startswith("_"):
        try:
            return _importlib.import_module(f"analysis.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analysis.{name}":
                raise
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
