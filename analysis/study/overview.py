"""The data overview notebook 00 shows: validity, files, missingness, k-anonymity, and the dataset sentence.

:func:`statement` (:func:`dataset_statement` for a loaded dataset) is the one sentence every notebook and the
report print about their dataset (synthetic, real, or provenance not declared); :func:`compute_overview`
validates a dataset folder and summarises it with the privacy helpers of :mod:`analysis.data.privacy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.data.provenance import SYNTHETIC_KIND, UNDECLARED_KIND, describe

if TYPE_CHECKING:
    from analysis.data import Dataset


def statement(name: str, data_dir: str, provenance: str | bool, n_patients: int, n_tace: int) -> str:
    """The sentence every notebook prints about its dataset: its name, folder, provenance and size.

    Provenance is never guessed in the reader's favour (:mod:`analysis.data.provenance`): "real" only when
    the dataset declares itself real.

    Parameters
    ----------
    name : str
        Dataset name (the folder name).
    data_dir : str
        The folder as displayed (relative to the project root when inside it).
    provenance : str or bool
        The dataset's provenance kind (:attr:`analysis.data.Dataset.provenance`: ``"synthetic"``,
        ``"real"`` or ``"provenance not declared"``). A bool is read as "synthetic or not": ``False``
        then says "provenance not declared", never "real".
    n_patients, n_tace : int
        Number of patients and of TACE procedures.

    Returns
    -------
    str
        One sentence; a synthetic cohort is said to be NOT patient data.

    References
    ----------
    The dataset contract (data/schema/datapackage.json, fields ``synthetic`` and ``real``).

    Examples
    --------
    >>> statement("mini", "tests/fixtures/mini", "provenance not declared", 12, 17).split(" (its")[0]
    "Dataset 'mini' (tests/fixtures/mini): provenance not declared"
    >>> statement("mine", "data/mine", "real", 30, 41).split(" (declared")[0]
    "Dataset 'mine' (data/mine): real de-identified patient data"
    """
    if isinstance(provenance, bool):
        provenance = SYNTHETIC_KIND if provenance else UNDECLARED_KIND
    return f"Dataset '{name}' ({data_dir}): {describe(provenance)}; {n_patients} patients, {n_tace} TACE procedures."


def dataset_statement(ds: Dataset, data_dir: str) -> str:
    """:func:`statement` for a loaded dataset (its name, provenance and size).

    Parameters
    ----------
    ds : Dataset
        The dataset (:func:`analysis.data.load_dataset`).
    data_dir : str
        Its folder as displayed.

    Returns
    -------
    str
        The dataset sentence.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> dataset_statement(load_dataset(TESTS / "fixtures" / "mini"), "tests/fixtures/mini")[:60]
    "Dataset 'mini' (tests/fixtures/mini): a SYNTHETIC cohort (in"
    """
    return statement(ds.name, data_dir, ds.provenance, len(ds.patients), len(ds.procedures))


def compute_overview(data_dir: Path, shown: str, ds: Dataset | None = None, endpoints=None) -> dict:
    """Data overview for notebook 00: validation problems, files, missingness, k-anonymity.

    An invalid dataset is not an error here: the problems are returned (``ok`` False) so that
    they can be shown; everything else is then empty.

    Parameters
    ----------
    data_dir : Path
        The dataset folder (absolute, or relative to the working directory).
    shown : str
        The folder as displayed in the outputs (never a machine path).
    ds : Dataset, optional
        The dataset, when already loaded (then it is not validated again).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds``, when already computed.

    Returns
    -------
    dict
        ``ok``, ``problems``, ``validation`` (text), ``statement``; when valid also ``files``,
        ``missingness``, ``exclusions`` (who is left out of which analysis, and why:
        :func:`analysis.study.exclusions.exclusions`), ``k_anonymity``, ``equivalence_classes`` and
        ``sha256``.

    References
    ----------
    Sweeney, k-anonymity, 2002 (:func:`analysis.data.privacy.k_anonymity`).

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> ov = compute_overview(TESTS / "fixtures" / "mini", "tests/fixtures/mini")
    >>> ov["ok"], ov["k_anonymity"]["patients"]
    (True, 12)
    """
    from analysis.data import load_dataset, privacy, validate_dir
    from analysis.study.exclusions import exclusions

    if ds is None:
        problems = [str(p) for p in validate_dir(data_dir) if not p.is_warning]  # warnings: ds.warnings
        if problems:
            return {"ok": False, "problems": problems, "statement": f"Dataset {shown}: INVALID",
                    "validation": "\n".join([f"INVALID: {len(problems)} problem(s)", *problems])}
        ds = load_dataset(data_dir)
    return {
        "ok": True,
        "problems": [],
        "validation": "\n".join(["valid: 0 problems (types, allowed values, keys, cross-file rules, no direct "
                                  "identifiers)" + (f"; {len(ds.warnings)} warning(s) (missing measurements):"
                                                    if ds.warnings else ""), *map(str, ds.warnings)]),
        "warnings": [str(w) for w in ds.warnings],
        "statement": dataset_statement(ds, shown),
        "files": privacy.file_summary(ds),
        "missingness": privacy.missingness(ds),
        "exclusions": exclusions(ds, endpoints=endpoints),
        "k_anonymity": privacy.k_anonymity(ds.patients),
        "equivalence_classes": privacy.equivalence_classes(ds.patients),
        "sha256": dict(sorted(ds.sha256.items())),
    }
