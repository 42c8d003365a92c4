"""Rules across rows and files: foreign keys to ``patients.csv`` and the contract's cross-table rules
(the ``rules`` lists of ``data/schema/datapackage.json``, shown in the data dictionary), and the
missing-measurement checks across files (its ``warnings`` lists): a patient without an exam before or after
the first TACE, without a progression row, an exam without its RECIST sum; these are warnings.

Each rule is one small function of a :class:`Tables` (the files of a dataset, read and typed) that returns
its problems; :data:`RULES` lists them in the order they run. A row that could not be read is reported
once, by the reader: the rules skip the patients it belongs to instead of reporting it again as, say, a
missing exam.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.data import lesion_rules
from analysis.data.problems import WARNING, Problem, fmt_num
from analysis.data.read import Table
from analysis.data.typed import complete_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def broken_keys(table: Table, columns: list[str]) -> set[tuple[str, ...]]:
    """Best-effort keys (raw text) of the rows of ``table`` that could not be read (already reported)."""
    pos = [table.index.get(c) for c in columns]
    return {tuple(rec[k].strip().strip('"').strip() for k in pos) for rec in table.broken
            if all(k is not None and k < len(rec) for k in pos)}


def unsure_patients(table: Table | None, columns: tuple[str, ...] = ("patient_id", "day")) -> set[str] | None:
    """Patients whose rows in ``table`` are not all readable (a problem already reported), or None when
    ``table`` lacks one of ``columns`` (a missing column is reported once): rules that need every row of a
    patient are not checked for them, so that one mistake is not reported again as a missing exam."""
    if table is None or any(c not in table.index for c in columns):
        return None
    import numpy as np

    unsure = {k[0] for k in broken_keys(table, ["patient_id"])}
    pid = table.typed_columns["patient_id"]
    some_missing = np.logical_or.reduce([table.missing(c) for c in columns])
    unsure |= set(pid[some_missing & ~table.missing("patient_id")].tolist())
    return unsure


def _absent_keys(table: Table, fields: list[str], keys: set[tuple]) -> list[int]:
    """Positions of the rows whose key (every part present) is not in ``keys`` (pandas, not row by row)."""
    import numpy as np
    import pandas as pd

    cols = [pd.Series(table.typed_columns[c], dtype=object) for c in fields]
    present = ~np.logical_or.reduce([table.missing(c) for c in fields])
    if len(fields) == 1:
        inside = cols[0].isin([k[0] for k in keys]).to_numpy()
    else:
        inside = pd.MultiIndex.from_arrays(cols).isin(list(keys))
    return np.flatnonzero(present & ~inside).tolist()


def foreign_keys(tables: dict[str, Table], resources: dict[str, dict]) -> list[Problem]:
    """Every foreign key of the schema (e.g. ``patient_id``) must be a key of the file it refers to."""
    problems = []
    for name, res in resources.items():
        t = tables.get(name)
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            target = tables.get(ref["resource"])
            if t is None or target is None:
                continue
            if any(c not in target.index for c in ref["fields"]):
                continue  # the missing column is reported once; not every row as a broken reference
            keys = set(zip(*(target.typed_columns[c].tolist() for c in ref["fields"])))
            # keys of rows of the target that could not be read (already reported) are not reported again
            keys |= broken_keys(target, ref["fields"])
            for i in _absent_keys(t, fk["fields"], keys):
                key = tuple(t.typed_columns[c][i] for c in fk["fields"])
                col = fk["fields"][0]
                problems.append(Problem(t.file, t.lines[i], col, ", ".join(map(str, key)),
                                        f"not in {target.file} (every {', '.join(fk['fields'])} must be a "
                                        f"{', '.join(ref['fields'])} of {target.file})"))
    return problems


@dataclass
class Tables:
    """The files of one dataset as the rules see them (None = absent or unreadable, already reported)."""

    patients: Table | None
    procedures: Table | None
    imaging: Table | None
    progression: Table | None
    lesions: Table | None
    lesions_file: bool = False  # a lesions.csv exists (even if it could not be read)

    @functools.cached_property
    def proc_unsure(self) -> set[str] | None:
        """Patients with an unreadable row in procedures.csv (None: a needed column is missing)."""
        return unsure_patients(self.procedures, ("patient_id", "tace_number", "day"))

    @functools.cached_property
    def first_tace(self) -> dict[str, tuple[int, int]]:
        """Patient -> (day, line) of the earliest TACE in procedures.csv."""
        if self.procedures is None:
            return {}
        rows = complete_rows(self.procedures, ["patient_id", "tace_number", "day"])
        # the earliest day; among equal days the first row of the file (a stable sort)
        rows = rows.sort_values("day", kind="mergesort").drop_duplicates("patient_id")
        return dict(zip(rows["patient_id"].tolist(), zip(rows["day"].tolist(), rows["_line"].tolist())))


def _ordered(table: Table | None, low: str, high: str, column: str, message: str) -> list[Problem]:
    """Rows where column ``low`` exceeds column ``high`` (both present), reported on ``column``.

    ``message`` may use ``{low}`` and ``{high}``, the two values as the messages show numbers.
    """
    if table is None:
        return []
    import numpy as np
    import pandas as pd

    cols = table.typed_columns
    lo, hi = pd.Series(cols[low], dtype=object), pd.Series(cols[high], dtype=object)
    both = ~(table.missing(low) | table.missing(high))
    above = np.zeros(len(both), dtype=bool)
    above[both] = lo[both].astype(float).to_numpy() > hi[both].astype(float).to_numpy()
    group = message.replace(" ({low})", "").replace(" ({high})", "")
    return [Problem(table.file, table.lines[i], column, fmt_num(cols[column][i]),
                    message.format(low=fmt_num(cols[low][i]), high=fmt_num(cols[high][i])), group=group)
            for i in np.flatnonzero(above).tolist()]


# ----------------------------------------------------------------------------- patients.csv

def group_matches_liver_mets(t: Tables) -> list[Problem]:
    """Group 1 <=> liver metastases at diagnosis (``days_dx_to_liver_mets == 0``)."""
    if t.patients is None:
        return []
    rows = complete_rows(t.patients, ["group", "days_dx_to_liver_mets"])
    g, d = rows["group"], rows["days_dx_to_liver_mets"]
    bad = rows[((g == 1) & (d != 0)) | ((g == 2) & (d == 0))]
    messages = {1: "must be 0 for group 1 (liver metastases present when the primary was found)",
                2: "must be > 0 for group 2 (liver metastases appeared later); or is the group wrong?"}
    return [Problem(t.patients.file, line, "days_dx_to_liver_mets", str(d), messages[g])
            for g, d, line in zip(bad["group"].tolist(), bad["days_dx_to_liver_mets"].tolist(),
                                  bad["_line"].tolist())]


def every_patient_has_tace(t: Tables) -> list[Problem]:
    """Every patient has at least one TACE in procedures.csv."""
    if t.patients is None or t.proc_unsure is None:
        return []
    rows = complete_rows(t.patients, ["patient_id"])
    with_tace = set(t.first_tace) | set(t.procedures.typed_columns["patient_id"].tolist())
    bad = rows[~rows["patient_id"].isin(with_tace | t.proc_unsure)]
    return [Problem(t.patients.file, line, "patient_id", pid, f"this patient has no TACE in {t.procedures.file}")
            for pid, line in zip(bad["patient_id"].tolist(), bad["_line"].tolist())]


# ----------------------------------------------------------------------------- procedures.csv

def bead_sizes_ordered(t: Tables) -> list[Problem]:
    """``bead_min_um <= bead_max_um``."""
    return _ordered(t.procedures, "bead_min_um", "bead_max_um", "bead_max_um", "smaller than bead_min_um ({low})")


def _tace_gap(file: str, pid: str, items: list[tuple[int, int, int]]) -> Problem | None:
    """The first row where a patient's tace_number breaks the run 1, 2, 3, ... (items sorted)."""
    numbers = sorted({n for n, _, _ in items})
    if numbers == list(range(1, len(numbers) + 1)):
        return None
    expected = 1
    for n, _, line in items:
        if n != expected:
            return Problem(file, line, "tace_number", str(n),
                           f"tace_number of patient {pid} must run 1, 2, 3, ... without gaps "
                           f"(found {', '.join(map(str, numbers))}; expected {expected} here)",
                           group="tace_number of a patient must run 1, 2, 3, ... without gaps")
        expected += 1
    return None  # pragma: no cover - a gap always shows before the end


def _tace_out_of_order(file: str, pid: str, items: list[tuple[int, int, int]]) -> list[Problem]:
    """TACEs whose day is not after the day of the previous tace_number (items sorted)."""
    found: list[Problem] = []
    seen: set[int] = set()
    prev = None
    for n, day, line in items:
        if n in seen:
            continue  # duplicate numbers are reported as duplicate keys
        seen.add(n)
        if prev is not None and day <= prev[1]:
            found.append(Problem(file, line, "day", str(day),
                                 f"TACE {n} of patient {pid} is not after TACE {prev[0]} (day {prev[1]}, line "
                                 f"{prev[2]}); tace_number must follow the order of the days",
                                 group="a TACE is not after the previous one; tace_number must follow the order "
                                       "of the days"))
        prev = (n, day, line)
    return found


def _tace_suspects(rows: pd.DataFrame) -> set[str]:
    """Patients whose tace_numbers are not 1..k or not in the order of the days (computed with pandas; their
    rows are then worded one patient at a time): the numbers must be the distinct values 1..max, and the
    earliest day of each number must rise with the number."""
    if rows.empty:
        return set()
    n = rows["tace_number"].astype("int64")
    per = n.groupby(rows["patient_id"], sort=False).agg(["min", "max", "nunique"])
    gaps = per.index[(per["min"] != 1) | (per["max"] != per["nunique"])]
    first = (rows.assign(n=n, d=rows["day"].astype("int64")).sort_values(["patient_id", "n", "d", "_line"])
             .drop_duplicates(["patient_id", "n"]))
    late = first["d"].diff().le(0) & first["patient_id"].eq(first["patient_id"].shift())
    return set(gaps.tolist()) | set(first.loc[late, "patient_id"].tolist())


def tace_numbers_in_day_order(t: Tables) -> list[Problem]:
    """``tace_number`` runs 1..k per patient, in the order of the days."""
    found: list[Problem] = []
    if t.procedures is None:
        return found
    rows = complete_rows(t.procedures, ["patient_id", "tace_number", "day"])
    # a row of an unsure patient could not be read (reported): its TACE numbers are incomplete
    rows = rows[~rows["patient_id"].isin(t.proc_unsure or set())]
    by_patient: dict[str, list[tuple[int, int, int]]] = {}
    suspect = rows[rows["patient_id"].isin(_tace_suspects(rows))]
    for pid, n, day, line in zip(*(suspect[c].tolist() for c in ["patient_id", "tace_number", "day", "_line"])):
        by_patient.setdefault(pid, []).append((n, day, line))
    for pid, items in by_patient.items():
        items.sort()
        gap = _tace_gap(t.procedures.file, pid, items)
        if gap:
            found.append(gap)
        found += _tace_out_of_order(t.procedures.file, pid, items)
    return found


# ----------------------------------------------------------------------------- imaging.csv

def tumour_within_liver(t: Tables) -> list[Problem]:
    """Tumour volume <= liver volume of the same exam."""
    return _ordered(t.imaging, "tumor_volume_cm3", "liver_volume_cm3", "tumor_volume_cm3",
                    "larger than liver_volume_cm3 ({high}) of the same exam")


def _exams_around(t: Tables, pid: str, exams: dict[str, list[tuple[int, int]]]) -> list[Problem]:
    """One patient's exam before (V0) and after (V1) the first TACE."""
    img, proc = t.imaging, t.procedures
    fday, fline = t.first_tace[pid]
    ex = sorted(exams.get(pid, []))
    if not ex:
        return [Problem(proc.file, fline, "patient_id", pid,
                        f"patient {pid} has no exam in {img.file}; the analyses of V0 and V1 (an exam before and "
                        f"one after this first TACE, day {fday}) leave this patient out", severity=WARNING,
                        group=f"patient has no exam in {img.file}; the analyses of V0 and V1 (an exam before and "
                              "one after the first TACE) leave these patients out")]
    found: list[Problem] = []
    if not any(d < fday for d, _ in ex):
        found.append(Problem(img.file, ex[0][1], "day", str(ex[0][0]),
                             f"patient {pid} has no exam before the first TACE (day {fday}); "
                             "the analyses of the baseline volume V0 leave this patient out", severity=WARNING,
                             group="patient has no exam before the first TACE; the analyses of the baseline "
                                   "volume V0 leave these patients out"))
    if not any(d > fday for d, _ in ex):
        found.append(Problem(img.file, ex[-1][1], "day", str(ex[-1][0]),
                             f"patient {pid} has no exam after the first TACE (day {fday}); "
                             "the analyses of the follow-up volume V1 leave this patient out", severity=WARNING,
                             group="patient has no exam after the first TACE; the analyses of the follow-up "
                                   "volume V1 leave these patients out"))
    return found


def exams_around_first_tace(t: Tables) -> list[Problem]:
    """A patient without an exam before or after the first TACE is a warning (left out of V0 / V1 analyses)."""
    if t.imaging is None:
        return []
    img_unsure = unsure_patients(t.imaging)
    if t.proc_unsure is None or img_unsure is None:
        return []
    import pandas as pd

    rows = complete_rows(t.imaging, ["patient_id", "day"])
    patient_ids = (complete_rows(t.patients, ["patient_id"])["patient_id"] if t.patients is not None
                   else pd.Series(list(t.first_tace), dtype=object))
    first = pd.Series({pid: day for pid, (day, _) in t.first_tace.items()}, dtype=object)
    patient_ids = patient_ids[patient_ids.isin(first.index) & ~patient_ids.isin(t.proc_unsure | img_unsure)]
    # patients lacking an exam before or after their first TACE (or any exam), found with pandas
    fday = rows["patient_id"].map(first)
    before = set(rows.loc[rows["day"].lt(fday), "patient_id"].tolist())
    after = set(rows.loc[rows["day"].gt(fday), "patient_id"].tolist())
    suspects = patient_ids[~(patient_ids.isin(before) & patient_ids.isin(after))]
    exams: dict[str, list[tuple[int, int]]] = {}
    sus = rows[rows["patient_id"].isin(set(suspects.tolist()))]
    for pid, day, line in zip(sus["patient_id"].tolist(), sus["day"].tolist(), sus["_line"].tolist()):
        exams.setdefault(pid, []).append((day, line))
    found: list[Problem] = []
    for pid in suspects.tolist():
        found += _exams_around(t, pid, exams)
    return found


def recist_sums_without_lesions(t: Tables) -> list[Problem]:
    """Without lesions.csv, an exam without its RECIST 1.1 sum of diameters is a warning."""
    img = t.imaging
    if img is None or t.lesions is not None or t.lesions_file:
        return []
    if "sum_diameters_mm" not in img.index:
        return [Problem(img.file, 1, "sum_diameters_mm", None,
                        "column is missing and there is no lesions.csv: the RECIST 1.1 analyses are not available",
                        severity=WARNING)]
    import numpy as np

    empty = np.flatnonzero(np.asarray(img.raw_column(img.index["sum_diameters_mm"]), dtype=object) == "")
    return [Problem(img.file, img.lines[i], "sum_diameters_mm", "",
                    "missing measurement (empty cell) and there is no lesions.csv: the RECIST 1.1 analyses leave "
                    "this exam out", severity=WARNING)
            for i in empty.tolist()]


# ----------------------------------------------------------------------------- progression.csv

def every_patient_has_progression(t: Tables) -> list[Problem]:
    """A patient without any row in progression.csv is a warning (left out of the time-to-progression analyses).

    Not checked when progression.csv is absent (one warning for the file) or lacks its ``patient_id`` column.
    """
    if t.patients is None or t.progression is None or "patient_id" not in t.progression.index:
        return []
    have = set(t.progression.typed_columns["patient_id"].tolist()) | {
        k[0] for k in broken_keys(t.progression, ["patient_id"])}
    msg = (f"no row in {t.progression.file}; the time-to-progression analyses leave this patient out")
    rows = complete_rows(t.patients, ["patient_id"])
    rows = rows[~rows["patient_id"].isin(have)]
    return [Problem(t.patients.file, line, "patient_id", pid, msg, severity=WARNING)
            for pid, line in zip(rows["patient_id"].tolist(), rows["_line"].tolist())]


def progression_interval(t: Tables) -> list[Problem]:
    """``start_day <= end_day``."""
    return _ordered(t.progression, "start_day", "end_day", "end_day", "before start_day ({low})")


# ----------------------------------------------------------------------------- lesions.csv

def lesion_exam_exists(t: Tables) -> list[Problem]:
    """Every lesion row has an exam (patient, day) in imaging.csv."""
    les = t.lesions
    unsure = unsure_patients(t.imaging) if les is not None else None
    if les is None or unsure is None:
        return []
    import pandas as pd

    exams = pd.MultiIndex.from_arrays([t.imaging.typed_columns["patient_id"], t.imaging.typed_columns["day"]])
    rows = complete_rows(les, ["patient_id", "day"])
    rows = rows[~pd.MultiIndex.from_frame(rows[["patient_id", "day"]]).isin(exams)
                & ~rows["patient_id"].isin(unsure)]
    return [Problem(les.file, line, "day", str(day), f"patient {pid} has no exam on day {day} in {t.imaging.file}",
                    group=f"no exam of this patient on this day in {t.imaging.file}")
            for pid, day, line in zip(rows["patient_id"].tolist(), rows["day"].tolist(), rows["_line"].tolist())]


def lesion_target_measured(t: Tables) -> list[Problem]:
    """A present target lesion without its long axis (a nodal one without its short axis) is a warning."""
    les = t.lesions
    if les is None:
        return []
    found: list[Problem] = []
    long_raw, short_raw = les.column("long_axis_mm"), les.column("short_axis_mm")
    for r, line, lr, sr in zip(les.typed, les.lines, long_raw, short_raw):
        if r.get("role") == "target" and r.get("status") == "present":
            if lr == "":
                found.append(Problem(les.file, line, "long_axis_mm", "",
                                     "missing measurement: a present target lesion needs its long axis "
                                     "(RECIST 1.1); the RECIST analyses leave this exam out", severity=WARNING))
            if r.get("is_node") and sr == "":
                found.append(Problem(les.file, line, "short_axis_mm", "",
                                     "missing measurement: a present nodal target lesion needs its short axis "
                                     "(RECIST 1.1); the RECIST analyses leave this exam out", severity=WARNING))
    return found


def lesion_axes_within_long_axis(t: Tables) -> list[Problem]:
    """Short axis and viable axis <= long axis of the same lesion."""
    return (_ordered(t.lesions, "short_axis_mm", "long_axis_mm", "short_axis_mm",
                     "longer than long_axis_mm ({high})")
            + _ordered(t.lesions, "viable_axis_mm", "long_axis_mm", "viable_axis_mm",
                       "longer than long_axis_mm ({high}); the viable part is within the lesion"))


RULES: list[Callable[[Tables], list[Problem]]] = [
    group_matches_liver_mets,
    bead_sizes_ordered,
    tace_numbers_in_day_order,
    every_patient_has_tace,
    tumour_within_liver,
    exams_around_first_tace,
    recist_sums_without_lesions,
    every_patient_has_progression,
    progression_interval,
    lesion_exam_exists,
    lesion_target_measured,
    lesion_axes_within_long_axis,
    *lesion_rules.ERROR_RULES,  # RECIST 1.1 target limits: errors (analysis/data/lesion_rules.py)
    *lesion_rules.WARNING_RULES,  # RECIST 1.1 baseline measurability and window: warnings
]


def cross_table_rules(tables: dict[str, Table], lesions_file: bool = False) -> list[Problem]:
    """Run every rule of :data:`RULES` on the files of a dataset; return their problems in that order.

    ``lesions_file``: a lesions.csv exists (even if it could not be read).
    """
    t = Tables(tables.get("patients"), tables.get("procedures"), tables.get("imaging"),
               tables.get("progression"), tables.get("lesions"), lesions_file=lesions_file)
    return [p for rule in RULES for p in rule(t)]

