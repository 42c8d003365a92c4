"""Baseline rules of RECIST 1.1 on lesions.csv: target count, measurability and the baseline window.

The rules every response criterion relies on before a single response is computed, checked by the
validator (:data:`ERROR_RULES` and :data:`WARNING_RULES` join :data:`analysis.data.rules.RULES`;
the warnings carry ``severity="warning"``: printed, the dataset accepted, refused by ``--strict``).
The thresholds are defined here once and used by the response evaluation (:mod:`analysis.study.recist`).

Decision: structural error or warning (the contract, DESIGN section 3)
-----------------------------------------------------------------------
- **Error** (refuses the dataset): more than :data:`MAX_TARGETS` (5) target lesions at one exam, or
  more than :data:`MAX_TARGETS_PER_ORGAN` (2) in one organ. A target set that breaks the RECIST 1.1
  definition cannot give a RECIST sum at all, so this is structural (it was refused before, too).
- **Warning** (accepted, reported): a baseline target that is not measurable (non-nodal long axis
  < :data:`MEASURABLE_MM` = 10 mm, nodal short axis < :data:`NODE_MEASURABLE_MM` = 15 mm, or not
  ``present`` at baseline). The measurement itself is possible; RECIST 1.1 makes such a lesion
  non-measurable, so the evaluation counts it as a **non-target** lesion (it is left out of the sum)
  and the validator says so. A baseline exam more than :data:`BASELINE_WINDOW_DAYS` (28) days
  before the first TACE is a warning too (RECIST 1.1 asks for baseline imaging as close as possible
  to, and no more than 4 weeks before, the start of treatment); its responses are still computed.
  It is checked for datasets with lesions.csv, whose lesion-level evaluation follows RECIST 1.1 to
  the letter; without lesions.csv the exam-level sums keep the study's own schedule (the article
  images at least 14 days before TACE, and the synthetic cohort follows it).

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 3.1 (measurable: >= 10 mm by CT,
   nodes >= 15 mm short axis), 3.2 (baseline within 4 weeks before treatment), 3.3 (at most 5
   targets, 2 per organ).

Examples
--------
>>> MEASURABLE_MM, NODE_MEASURABLE_MM, MAX_TARGETS, MAX_TARGETS_PER_ORGAN, BASELINE_WINDOW_DAYS
(10.0, 15.0, 5, 2, 28)
>>> baseline_measurable({"status": "present", "is_node": False, "long_axis_mm": 4.0})
False
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analysis.data.problems import WARNING, Problem, fmt_num
from analysis.data.typed import complete_rows

#: the rules' argument: :class:`analysis.data.rules.Tables` (not imported: rules imports this module)
Tables = Any

#: smallest long axis (mm) of a measurable non-nodal lesion at baseline (CT, slice <= 5 mm)
MEASURABLE_MM = 10.0
#: smallest short axis (mm) of a measurable (pathological, target) lymph node at baseline
NODE_MEASURABLE_MM = 15.0
#: mRECIST: smallest short axis (mm) of a measurable porta-hepatis lymph node (Lencioni & Llovet 2010)
PORTA_NODE_MEASURABLE_MM = 20.0
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
#: the baseline exam must be at most this many days before the first TACE (RECIST 1.1: 4 weeks)
BASELINE_WINDOW_DAYS = 28


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _node(row) -> bool:
    """``is_node`` is true (a missing value, None or NaN, is not)."""
    return bool(row.get("is_node") == True)  # noqa: E712 -- numpy/pandas booleans and NaN alike


def baseline_measurable(row, measure: str = "diameter") -> bool:
    """Whether a baseline target lesion is measurable (RECIST 1.1; mRECIST with ``measure='viable'``).

    Parameters
    ----------
    row : dict
        One lesions.csv row of the baseline exam (status, is_node, organ, long_axis_mm,
        short_axis_mm, viable_axis_mm).
    measure : {'diameter', 'viable', 'volume', 'viable_area'}
        The criterion's measure: ``'viable'`` / ``'viable_area'`` (mRECIST, EASL) require the viable
        (enhancing) diameter >= 10 mm for a non-nodal lesion and a short axis >= 20 mm for a
        porta-hepatis node (organ containing ``porta``); the others use the long axis.

    Returns
    -------
    bool
        False for a lesion not ``present`` at baseline or below the threshold.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47, section 3.1.
    .. [2] Lencioni R, Llovet JM. Semin Liver Dis 2010;30:52-60 (viable >= 1 cm; porta-hepatis
       nodes >= 2 cm short axis).

    Examples
    --------
    >>> baseline_measurable({"status": "present", "is_node": True, "short_axis_mm": 11.0})
    False
    >>> baseline_measurable({"status": "present", "is_node": False, "long_axis_mm": 30.0,
    ...                      "viable_axis_mm": 8.0}, "viable")
    False
    """
    if row.get("status") != "present":
        return False
    viable = measure in ("viable", "viable_area")
    if _node(row):
        sa = _num(row.get("short_axis_mm"))
        porta = viable and "porta" in str(row.get("organ") or "").lower()
        return sa is not None and sa >= (PORTA_NODE_MEASURABLE_MM if porta else NODE_MEASURABLE_MM)
    v = _num(row.get("viable_axis_mm" if viable else "long_axis_mm"))
    return v is not None and v >= MEASURABLE_MM


def _target_rows(t: Tables):
    les = t.lesions
    if les is None:
        return []
    return [(r, line) for r, line in zip(les.typed, les.lines)
            if r.get("role") == "target" and r.get("patient_id") is not None and r.get("day") is not None]


def target_limits(t: Tables) -> list[Problem]:
    """At most 5 target lesions per exam and 2 per organ (RECIST 1.1 section 3.3): structural errors."""
    per_exam: dict = {}
    for r, line in _target_rows(t):
        per_exam.setdefault((r["patient_id"], r["day"]), []).append((r, line))
    found: list[Problem] = []
    for (pid, day), rows in per_exam.items():
        ids = {r.get("lesion_id") for r, _ in rows}
        first = min(line for _, line in rows)
        if len(ids) > MAX_TARGETS:
            found.append(Problem(t.lesions.file, first, "role", "target",
                                 f"patient {pid}, exam day {day}: {len(ids)} target lesions; RECIST 1.1 allows "
                                 f"at most {MAX_TARGETS} (make the others non-target)"))
        organs: dict = {}
        for r, line in rows:
            organs.setdefault(r.get("organ") or "unspecified", []).append((r.get("lesion_id"), line))
        for organ, items in sorted(organs.items()):
            k = len({i for i, _ in items})
            if k > MAX_TARGETS_PER_ORGAN:
                found.append(Problem(t.lesions.file, min(line for _, line in items), "organ", str(organ),
                                     f"patient {pid}, exam day {day}: {k} target lesions in this organ; RECIST 1.1 "
                                     f"allows at most {MAX_TARGETS_PER_ORGAN} per organ"))
    return found


def _baseline_days(t: Tables) -> dict:
    """``{patient_id: day of the last exam before the first TACE}`` (the V0 exam)."""
    if t.imaging is None:
        return {}
    rows = complete_rows(t.imaging, ["patient_id", "day"])
    first = rows["patient_id"].map({pid: day for pid, (day, _) in t.first_tace.items()})
    rows = rows[first.notna() & rows["day"].lt(first)]
    return rows["day"].astype("int64").groupby(rows["patient_id"].tolist(), sort=False).max().to_dict()


def target_measurable_at_baseline(t: Tables) -> list[Problem]:
    """A target of the baseline (V0) exam that is not measurable is evaluated as non-target: warning."""
    if t.lesions is None:
        return []
    base = _baseline_days(t)
    found: list[Problem] = []
    for r, line in _target_rows(t):
        if base.get(r["patient_id"]) != r["day"] or baseline_measurable(r):
            continue
        node = _node(r)
        col = "short_axis_mm" if node else "long_axis_mm"
        raw = r.get(col)
        if r.get("status") == "present" and raw is None:
            continue  # an empty measurement: reported once, as a missing measurement
        need = (f"a nodal target needs a short axis >= {fmt_num(NODE_MEASURABLE_MM)} mm" if node
                else f"a non-nodal target needs a long axis >= {fmt_num(MEASURABLE_MM)} mm")
        if r.get("status") != "present":
            col, raw, need = "status", r.get("status"), "a target must be present and measured at baseline"
        found.append(Problem(t.lesions.file, line, col, "" if raw is None else fmt_num(raw),
                             f"not measurable at baseline (RECIST 1.1: {need}); evaluated as a non-target lesion",
                             severity=WARNING, group="target not measurable at baseline (RECIST 1.1: non-nodal "
                             ">= 10 mm long axis, nodes >= 15 mm short axis); evaluated as a non-target lesion"))
    return found


def baseline_within_window(t: Tables) -> list[Problem]:
    """The baseline (V0) exam is at most :data:`BASELINE_WINDOW_DAYS` before the first TACE: warning."""
    if t.imaging is None or t.lesions is None:
        return []
    base = _baseline_days(t)
    rows = complete_rows(t.imaging, ["patient_id", "day"])
    rows = rows[rows["day"].eq(rows["patient_id"].map(base))]
    found: list[Problem] = []
    for pid, day, line in zip(rows["patient_id"].tolist(), rows["day"].tolist(), rows["_line"].tolist()):
        gap = t.first_tace[pid][0] - day
        if gap > BASELINE_WINDOW_DAYS:
            found.append(Problem(t.imaging.file, line, "day", str(day),
                                 f"baseline exam {gap} days before the first TACE (day {t.first_tace[pid][0]}); "
                                 f"RECIST 1.1 asks for at most {BASELINE_WINDOW_DAYS} days", severity=WARNING,
                                 group=f"baseline exam more than {BASELINE_WINDOW_DAYS} days before the first TACE "
                                       "(RECIST 1.1 baseline window)"))
    return found


#: structural errors (join the validator's rule list, :data:`analysis.data.rules.RULES`)
ERROR_RULES: list[Callable[[Tables], list[Problem]]] = [target_limits]
#: warnings (``severity="warning"``): the dataset is accepted, the problems are reported
WARNING_RULES: list[Callable[[Tables], list[Problem]]] = [target_measurable_at_baseline, baseline_within_window]
