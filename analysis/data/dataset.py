"""The central typed object: :class:`Dataset`, a validated dataset (a folder of CSV files or an Excel
workbook) as one pandas DataFrame per file, and :func:`load_dataset`, which validates it and builds it (or
raises listing every error). Missing measurements are accepted: they are NaN / NA in the frames and listed
in ``Dataset.warnings``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.data.problems import DatasetInvalid, Problem, group_problems
from analysis.data.provenance import SYNTHETIC_KIND, provenance
from analysis.data.read import Table
from analysis.data.schema import TABLES, is_required, resources
from analysis.data.validate import check

if TYPE_CHECKING:  # pragma: no cover - pandas is imported when a dataset is loaded, not by `validate`
    import pandas as pd


@dataclass
class Dataset:
    """A validated dataset: one typed DataFrame per file (see the data dictionary for the columns).

    Integers are ``int64`` (``Int64`` where the column may be empty), numbers ``float64`` (NaN = missing),
    booleans ``bool`` (``boolean`` where optional), codes ``str`` (object dtype, None = missing) in their
    canonical spelling (``CT``, ``F``), ``group`` is 1 or 2.
    Extra columns of the files are kept, as text, after the contract's columns. Rows are in one canonical
    order, whatever the order of the file: sorted by the file's unique key (:func:`canonical_order`:
    ``patient_id``, then ``tace_number`` / ``day`` / ``setting`` / ``lesion_id``), with a ``RangeIndex``;
    so every number, table and figure is the same, to the last bit, for any row order of the input files.

    Attributes
    ----------
    name : str
        The ``name`` of the dataset's own ``datapackage.json``, else the folder's name.
    path : Path
        The dataset folder or workbook, as given to :func:`load_dataset`.
    patients : pandas.DataFrame
        ``patients.csv``: one row per patient (``patient_id``, ``group``, age, sex, primary site, ...).
    procedures : pandas.DataFrame
        ``procedures.csv``: one row per TACE (``patient_id``, ``tace_number``, ``day``, beads, ...).
    imaging : pandas.DataFrame
        ``imaging.csv``: one row per exam (``patient_id``, ``day``, tumour and liver volumes, ...).
    progression : pandas.DataFrame
        ``progression.csv``: one row per time-to-progression interval (``start_day``, ``end_day``, event);
        empty, with the contract's columns, when the dataset has no progression file.
    lesions : pandas.DataFrame or None
        ``lesions.csv`` (RECIST 1.1 lesion measurements), or None when the dataset has no such file.
    sha256 : dict of str to str
        File name -> SHA-256 (hex) of the bytes read, for every CSV file present (for a workbook: the
        workbook file), sorted by file name.
    is_synthetic : bool
        True when the dataset is synthetic (:mod:`analysis.data.provenance`): its ``datapackage.json`` says
        ``"synthetic": true``, or one of its files has the SHA-256 of a file of the bundled synthetic cohort.
    declared_real : bool
        True when its ``datapackage.json`` says ``"real": true`` (see :attr:`provenance`).
    absent : tuple of str
        The optional tables whose file (or workbook sheet) is absent, e.g. ``("progression",)``; an absent
        progression file still gives an empty ``progression`` table with its columns.
    warnings : list of Problem
        The dataset's warnings (missing measurements), grouped as ``validate`` prints them; the analyses
        leave out, per analysis, the patients that lack what they need.

    References
    ----------
    The README section "Your own data: the dataset contract"; ``data/schema/datapackage.json``.

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> ds.name, ds.is_synthetic, len(ds.patients), str(ds.procedures["tace_number"].dtype)
    ('mini', True, 12, 'int64')
    >>> [(w.file, w.column) for w in ds.warnings], ds.absent
    ([('patients.csv', 'sex'), ('procedures.csv', 'adverse_event_grade')], ())
    >>> ds.provenance
    'synthetic'
    """

    name: str
    path: Path
    patients: pd.DataFrame
    procedures: pd.DataFrame
    imaging: pd.DataFrame
    progression: pd.DataFrame
    lesions: pd.DataFrame | None
    sha256: dict[str, str] = field(default_factory=dict)
    is_synthetic: bool = False
    warnings: list[Problem] = field(default_factory=list)
    absent: tuple[str, ...] = ()
    declared_real: bool = False

    @property
    def provenance(self) -> str:
        """``"synthetic"``, ``"real"`` or ``"provenance not declared"`` (:func:`analysis.data.provenance.provenance`:
        real only when declared so, synthetic whatever the metadata when the files are the bundled cohort's)."""
        return provenance(self.sha256, {"synthetic": self.is_synthetic, "real": self.declared_real})


def canonical_order(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows sorted into the table's canonical order, its unique key, with a fresh ``RangeIndex``.

    The unique key (``primaryKey`` of the bundled schema) is ``patient_id`` then ``tace_number``
    (procedures), ``day`` (imaging), ``setting`` (progression) or ``lesion_id`` and ``day`` (lesions); strings
    compare as text, integers as numbers. Sorting on load makes every floating-point sum independent of the
    row order of the files (a shuffled file otherwise changes a mean in its 16th digit).

    Parameters
    ----------
    frame : pandas.DataFrame
        One table of a dataset (the contract's columns present).
    table : str
        Its name: ``patients``, ``procedures``, ``imaging``, ``progression`` or ``lesions``.

    Returns
    -------
    pandas.DataFrame
        The same rows, sorted by the table's unique key (a stable sort: rows with equal keys, which a
        valid dataset does not have, keep the order of the file).

    References
    ----------
    The unique keys of ``data/schema/datapackage.json`` (``primaryKey``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"patient_id": ["S02", "S01", "S01"], "day": [5, 9, -3], "x": [1.0, 2.0, 3.0]})
    >>> canonical_order(df, "imaging").values.tolist()
    [['S01', -3, 3.0], ['S01', 9, 2.0], ['S02', 5, 1.0]]
    """
    keys = list(resources()[table]["schema"]["primaryKey"])
    return frame.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)


def _column(values: Any, kind: str, required: bool) -> pd.Series:
    """One contract column as a Series of the dtype its Table Schema type maps to."""
    import pandas as pd

    if kind == "integer":
        return pd.Series(values, dtype="int64" if required else "Int64")
    if kind == "number":
        return pd.Series(values, dtype="object").astype("float64")  # None -> NaN
    if kind == "boolean":
        return pd.Series(values, dtype="bool" if required else "boolean")
    return pd.Series(values, dtype="object")


def _frame(table: Table | None, resource: dict) -> pd.DataFrame | None:
    """A typed table as a DataFrame: the contract's columns in schema order, then extra columns as text;
    rows in the canonical order (:func:`canonical_order`)."""
    import pandas as pd

    if table is None:
        if resource.get("requiredFile", True) or resource["name"] == "lesions":
            return None
        table = Table(resource["path"], [], [], [], {})  # an absent optional table: no rows, its columns
    cols: dict[str, Any] = {}
    n = len(table.rows)
    for f in resource["schema"]["fields"]:
        name = f["name"]
        vals = table.typed_columns[name] if name in table.index else [None] * n
        cols[name] = _column(vals, f["type"], is_required(f))
    schema_names = {f["name"] for f in resource["schema"]["fields"]}
    for name, k in table.index.items():
        if name not in schema_names:
            raw = pd.Series(table.raw_column(k), dtype="object")
            cols[name] = raw.where(raw != "", None)
    return canonical_order(pd.DataFrame(cols, index=pd.RangeIndex(n)), resource["name"])


def load_dataset(path: Path | str, strict: bool = False) -> Dataset:
    """Validate and load a dataset folder or workbook; raise :class:`DatasetInvalid` listing EVERY error.

    Parameters
    ----------
    path : Path or str
        The dataset folder or ``.xlsx`` workbook (see :func:`analysis.data.validate_dir` for what it holds).
    strict : bool, default False
        Refuse the dataset on warnings too (missing measurements), as ``validate --strict`` does.

    Returns
    -------
    Dataset
        One typed DataFrame per file (missing measurements as NaN / NA; an absent progression file as an
        empty table with its columns), the dataset's name, checksums, provenance flag and warnings.

    Raises
    ------
    DatasetInvalid
        When the dataset breaks the contract; ``.problems`` lists every error (and, with ``strict``, every
        warning), grouped; nothing is loaded.
    analysis.errors.UsageError
        When ``path`` does not exist or is neither a directory nor an ``.xlsx`` workbook.

    References
    ----------
    The README section "Your own data: the dataset contract"; ``data/schema/datapackage.json``
    (Frictionless Table Schema, https://specs.frictionlessdata.io/table-schema/). Reading the files
    corresponds to R's ``read.csv(..., na.strings = "")`` with typed columns.

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> row = ds.patients.iloc[0]
    >>> row["patient_id"], int(row["group"]), float(row["age_at_tace"])
    ('S01', 1, 58.0)
    >>> sorted(ds.sha256)
    ['imaging.csv', 'lesions.csv', 'patients.csv', 'procedures.csv', 'progression.csv']
    """
    path = Path(path)
    problems, tables, raw, meta = check(path)
    if any(not p.is_warning for p in problems) or (strict and problems):
        raise DatasetInvalid(path, group_problems([p for p in problems if strict or not p.is_warning]))
    by_name = resources()
    frames = {name: _frame(tables.get(name), by_name[name]) for name in TABLES}
    sha256 = {f: hashlib.sha256(b).hexdigest() for f, b in sorted(raw.items())}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta["name"].strip() else None
    return Dataset(
        name=name or (path.stem if path.is_file() else path.resolve().name),
        path=path,
        patients=frames["patients"],
        procedures=frames["procedures"],
        imaging=frames["imaging"],
        progression=frames["progression"],
        lesions=frames["lesions"],
        sha256=sha256,
        is_synthetic=provenance(sha256, meta) == SYNTHETIC_KIND,
        declared_real=meta.get("real") is True,
        warnings=group_problems(problems),
        absent=tuple(n for n in TABLES if tables.get(n) is None),
    )
