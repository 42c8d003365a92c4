"""Check kind ``criteria``: printed counts against the published response criteria (RECIST 1.1)."""

from __future__ import annotations

from analysis.paper.audit.core import READING, Finding, Pub

#: RECIST 1.1 (Eisenhauer et al. 2009, section 3.2): at most 5 target lesions in all, at most 2 per organ.
RECIST_MAX_TARGETS = 5
RECIST_MAX_PER_ORGAN = 2


def check_criteria(pub: Pub) -> list[Finding]:
    """The target lesions examined against RECIST 1.1's limits of 2 per organ and 5 per patient.

    Parameters
    ----------
    pub : Pub
        The published values (needs ``results:lesions.target.n``, the number of patients and, for the
        liver-only bound, ``methods:extrahepatic.*.n``).

    Returns
    -------
    list of Finding
        One finding, or none when the numbers are not printed.

    References
    ----------
    Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST guideline
    (version 1.1). Eur J Cancer 2009;45:228-247, section 3.2 (target lesions: maximum 5 in total and 2 per
    organ).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["results:lesions.target.n", "methods:n.patients", "methods:n.tace"],
    ...                    "key": ["", "n.patients", "n.tace"], "value": [105, 34, 52], "decimals": 0})
    >>> f = check_criteria(Pub(df))[0]
    >>> f.verdict
    'inconsistent under a stated reading'
    >>> f.recomputed
    'liver targets at most 68 (one baseline per patient), 104 (one per procedure)'
    """
    t = pub.val("results:lesions.target.n")
    n = pub.n("patients")
    if t is None or n is None:
        return []
    t = int(t)
    n_tace = pub.n("tace")
    per_liver = RECIST_MAX_PER_ORGAN * n
    rec = f"liver targets at most {per_liver} (one baseline per patient)"
    if n_tace is not None:
        rec += f", {RECIST_MAX_PER_ORGAN * n_tace} (one per procedure)"
    printed = f"{t} target lesions, {n} patients" + (f", {n_tace} procedures" if n_tace else "")
    if t <= per_liver:
        return [Finding("criteria", "results target lesions vs RECIST 1.1", printed, rec, "consistent",
                        f"{t} target lesions fit RECIST 1.1's 2 per organ ({per_liver} liver targets in {n} "
                        f"patients).")]
    extra = pub.val("methods:extrahepatic.true.n")
    other = ""
    if extra is not None:
        allowed = RECIST_MAX_PER_ORGAN * (n - int(extra)) + RECIST_MAX_TARGETS * int(extra)
        other = (f" Counting targets outside the liver too, the {n - int(extra)} liver-only patients allow 2 each and "
                 f"the {int(extra)} with extrahepatic disease 5 each, {allowed} in all: {t} would need "
                 f"{'nearly ' if t <= allowed else ''}every patient at the maximum"
                 f"{'' if t <= allowed else ', and still exceeds it'}.")
    per_proc = (f"; even a new baseline before each of the {n_tace} procedures allows only "
                f"{RECIST_MAX_PER_ORGAN * n_tace}" if n_tace is not None else "")
    return [Finding("criteria", "results target lesions vs RECIST 1.1", printed, rec, READING,
                    f"Reading: the {t} target foci are RECIST 1.1 target lesions in the liver (the paragraph "
                    f"analyses the liver metastases), one baseline per patient. RECIST 1.1 allows at most "
                    f"{RECIST_MAX_PER_ORGAN} target lesions per organ: {per_liver} liver targets in {n} patients"
                    f"{per_proc}.{other}")]
