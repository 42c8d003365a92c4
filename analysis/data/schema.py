"""The dataset contract as data: the bundled Frictionless Data Package (``data/schema/datapackage.json``,
:data:`analysis.paths.SCHEMA`) with one Table Schema per file, and a dataset's own ``datapackage.json``
(metadata only: it never weakens the contract).

References
----------
Frictionless Table Schema, https://specs.frictionlessdata.io/table-schema/ ; Frictionless Data Package,
https://specs.frictionlessdata.io/data-package/ .
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from analysis import paths
from analysis.data.problems import Problem

TABLES = ("patients", "procedures", "imaging", "progression", "lesions")
DATAPACKAGE = "datapackage.json"


@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    """The bundled schema file's text (read once)."""
    return paths.SCHEMA.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The bundled contract (``data/schema/datapackage.json``) as a dict (a fresh copy).

    Returns
    -------
    dict
        The Frictionless Data Package: ``resources`` holds one entry per file (``name``, ``path``,
        ``requiredFile``, ``schema`` with ``fields``, ``primaryKey``, ``foreignKeys``).

    References
    ----------
    Frictionless Data Package and Table Schema specifications (https://specs.frictionlessdata.io/).

    Examples
    --------
    >>> [r["path"] for r in load_schema()["resources"]]
    ['patients.csv', 'procedures.csv', 'imaging.csv', 'progression.csv', 'lesions.csv']
    """
    return json.loads(_schema_text())


def resources() -> dict[str, dict]:
    """The contract's resources (one per file) by name (``patients``, ..., ``lesions``)."""
    return {r["name"]: r for r in load_schema()["resources"]}


def is_required(f: dict) -> bool:
    """Whether a Table Schema field must have a value in every row."""
    return bool(f.get("constraints", {}).get("required"))


def frictionless():
    """Import frictionless quickly.

    frictionless checks its own metadata with ``jsonschema``, whose import also loads the
    optional ``rfc3987_syntax`` package when present; that one compiles an Earley grammar at
    import (~3 s) only to check the "iri" string format, which nothing here uses. We import
    ``jsonschema`` once with that optional module hidden (jsonschema then simply skips the "iri"
    format checker), which keeps ``validate`` well under a second.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
        try:
            import jsonschema  # noqa: F401 -- preloaded with rfc3987_syntax blocked (a slow optional import)
        except ImportError:  # pragma: no cover
            pass
        finally:
            del sys.modules["rfc3987_syntax"]
    import frictionless

    return frictionless


def read_datapackage(directory: Path) -> tuple[dict, list[Problem]]:
    """A dataset's own ``datapackage.json`` (``{}`` when absent) and the problems with it."""
    path = directory / DATAPACKAGE
    if not path.is_file():
        return {}, []
    raw = path.read_bytes()
    try:
        meta = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [Problem(DATAPACKAGE, None, None, None, "not UTF-8 text; save it as UTF-8 JSON")]
    except json.JSONDecodeError as exc:
        return {}, [Problem(DATAPACKAGE, exc.lineno, None, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
    if not isinstance(meta, dict):
        return {}, [Problem(DATAPACKAGE, 1, None, None, "must be a JSON object (a Frictionless Data Package)")]
    problems = []
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        problems.append(Problem(DATAPACKAGE, None, "synthetic", json.dumps(meta["synthetic"]),
                                "must be the JSON boolean true or false"))
    if "name" in meta and not (isinstance(meta["name"], str) and meta["name"].strip()):
        problems.append(Problem(DATAPACKAGE, None, "name", json.dumps(meta["name"]), "must be a non-empty string"))
    return meta, problems
