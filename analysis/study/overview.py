"""The data overview notebook 00 shows: validity, files, missingness, k-anonymity, and the dataset sentence.

:func:`statement` is the one sentence every notebook and the report print about their dataset (synthetic
or real); :func:`compute_overview` validates a dataset folder and summarises it with the privacy
helpers of :mod:`analysis.data.privacy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.data import Dataset


def statement(name: str, data_dir: str, is_synthetic: bool, n_patients: int, n_tace: int) -> str:
    """The sentence every notebook prints about its dataset (synthetic or not).

    Parameters
    ----------
    name : str
        Dataset name (the folder name).
    data_dir : str
        The folder as displayed (relative to the project root when inside it).
    is_synthetic : bool
        Whether datapackage.json declares the data synthetic.
    n_patients, n_tace : int
        Number of patients and of TACE procedures.

    Returns
    -------
    str
        One sentence; a synthetic cohort is said to be NOT patient data.

    References
    ----------
    The dataset contract (data/schema/datapackage.json, field ``synthetic``).

    Examples
    --------
    >>> statement("mini", "tests/fixtures/mini", False, 12, 17)
    "Dataset 'mini' (tests/fixtures/mini): real de-identified patient data; 12 patients, 17 TACE procedures."
    """
    kind = ("a SYNTHETIC cohort (invented or reconstructed from published aggregates; NOT patient data)"
            if is_synthetic else "real de-identified patient data")
    return f"Dataset '{name}' ({data_dir}): {kind}; {n_patients} patients, {n_tace} TACE procedures."


def compute_overview(data_dir: Path, shown: str, ds: Dataset | None = None) -> dict:
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
        "statement": statement(ds.name, shown, bool(ds.is_synthetic), len(ds.patients), len(ds.procedures)),
        "files": privacy.file_summary(ds),
        "missingness": privacy.missingness(ds),
        "exclusions": exclusions(ds),
        "k_anonymity": privacy.k_anonymity(ds.patients),
        "equivalence_classes": privacy.equivalence_classes(ds.patients),
        "sha256": dict(sorted(ds.sha256.items())),
    }
