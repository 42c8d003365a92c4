"""The project's notebooks as files: reading order, the ``parameters`` cell, HTML.

:func:`declared_parameters` reads the names a notebook declares (literals only, each an analysis
parameter of :mod:`analysis.params`); :func:`notebook_parameters` picks the values one notebook
receives.
:func:`clean_notebook` and :func:`render_html` make an executed notebook byte-stable and readable.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.paths import NOTEBOOKS
from analysis.report.results import display_path


def fast_nbformat() -> None:
    """Skip an optional IRI-syntax checker of jsonschema whose grammar takes ~2 s to build at import.

    nbformat validates notebooks with jsonschema; the notebook schema uses no 'iri' format, so the
    checker (package ``rfc3987_syntax``) is never needed here. Marking it unimportable makes
    jsonschema leave that one format unchecked.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The project's notebooks: the numbered ones in reading order, then ``explore.ipynb``.

    Examples
    --------
    >>> [p.name for p in notebook_paths()][0], [p.name for p in notebook_paths()][-1]
    ('00_overview.ipynb', 'explore.ipynb')
    """
    folder = Path(folder or NOTEBOOKS)
    numbered = sorted(p for p in folder.glob("*.ipynb") if p.name[:2].isdigit())
    return numbered + [p for p in (folder / "explore.ipynb",) if p.is_file()]


def read_json(path: Path) -> dict:
    """A JSON file, parsed."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def parameters_cell(nb: dict, name: str = "notebook") -> dict:
    """The first code cell of a notebook (as JSON), checked to be tagged ``parameters``."""
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    if not code:
        raise UserError(f"{name}: no code cell (expected a first code cell tagged 'parameters')")
    first = code[0]
    if "parameters" not in first.get("metadata", {}).get("tags", []):
        raise UserError(f"{name}: the first code cell is not tagged 'parameters'")
    return first


def declared_parameters(path: Path) -> dict[str, Any]:
    """Names and default values assigned in a notebook's ``parameters`` cell (literals only).

    Raises
    ------
    UserError
        No parameters cell first among code cells, a statement that is not ``NAME = literal``,
        or a name that is not in :data:`analysis.params.PARAMS`.
    """
    from analysis.params import PARAMS

    path = Path(path)
    cell = parameters_cell(read_json(path), path.name)
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    out: dict[str, Any] = {}
    for node in ast.parse(src).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise UserError(f"{path.name}: parameters cell line {node.lineno}: expected NAME = literal")
        name = node.targets[0].id
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            raise UserError(f"{path.name}: parameters cell line {node.lineno}: {name} is not a literal") from None
        if name not in PARAMS:
            raise UserError(f"{path.name}: parameters cell declares '{name}', which is not an analysis parameter "
                            f"(known: {', '.join(sorted(PARAMS))})")
        out[name] = value
    return out


def check_params(params: dict | None) -> dict[str, Any]:
    """All parameters, checked: an unknown name or a wrong type is a UsageError naming it."""
    from analysis.params import resolve

    return resolve(params or {})


def notebook_parameters(declared: dict[str, Any], params: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The values passed to one notebook: only the names it declares; data_dir as a display path."""
    out = {}
    for name in declared:
        out[name] = display_path(data_dir) if name == "data_dir" else params[name]
    return out


_EXPORTER = None


#: the id given to papermill's injected-parameters cell (papermill draws a random one on every run)
INJECTED_ID = "injected-parameters"


def stable_cell_ids(nb) -> None:
    """Give every cell an id that does not change from run to run.

    papermill inserts the ``injected-parameters`` cell with a random id, which nbconvert also writes
    into the HTML (``id="cell-id=..."``); it becomes :data:`INJECTED_ID`. Cells of the source notebook
    keep their committed ids; a cell without one, or with an id already taken, gets ``cell-N`` (its
    position), so the ids stay unique.
    """
    seen: set[str] = set()
    for k, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_ID
        elif not cell.get("id") or cell["id"] in seen or cell["id"] == INJECTED_ID:
            cell["id"] = f"cell-{k}"
        seen.add(cell["id"])


#: the output type of an ipywidget (its ``model_id`` is drawn at random by the kernel)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean_notebook(nb) -> None:
    """Drop run-specific metadata (timestamps, durations, machine paths, widget state) and random cell and
    widget ids, so executed notebooks and their HTML are byte-stable."""
    stable_cell_ids(nb)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.get("cell_type") == "code":
            for i, out in enumerate(cell.get("outputs", [])):
                out.get("metadata", {}).pop("execution", None)
                view = out.get("data", {}).get(WIDGET_VIEW)
                if isinstance(view, dict) and "model_id" in view:  # random per run; its state is dropped above
                    view["model_id"] = hashlib.sha256(f"{cell['id']}/{i}".encode()).hexdigest()[:32]


def render_html(nb, title: str = "Notebook") -> str:
    """HTML of an executed notebook (nbconvert, the 'lab' template)."""
    global _EXPORTER
    fast_nbformat()
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter()
    if nb is None:  # warm-up: load the templates
        import nbformat

        nb = nbformat.v4.new_notebook()
    body, _ = _EXPORTER.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body

