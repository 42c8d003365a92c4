"""Generate a large valid cohort for the bench: the bundled SYNTHETIC cohort replicated and jittered.

Patient k of copy c gets the pseudonym ``B{c:05d}-{original}`` (e.g. ``B00012-SYN-07``): letters, digits
and dashes only, never a real-looking identifier. Within a copy every day offset is kept (so every rule
across files -- first TACE, exams before and after it, progression intervals -- still holds) and the
measurements are jittered: age +/- 2 years (within 0..90), the tumour and liver volumes of each exam
multiplied by one common factor in [0.85, 1.15] (tumour <= liver still holds), RECIST sums by their own
factor. Copy 0 is the bundled cohort unchanged apart from its pseudonyms. Deterministic: the same
arguments write byte-identical files. Not committed: written under ``bench/out/`` (git-ignored).

``--exams N`` pads imaging.csv to N rows by adding follow-up exams (30 days apart, after each patient's
last exam, repeating its last measurements), e.g. the 1,000,000-row imaging.csv of the bench.

Usage: python bench/make_cohort.py [--patients 34000] [--exams N] [--out bench/out/cohort-34000]
                                   [--source data/synthetic] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("patients", "procedures", "imaging", "progression", "lesions")


def _read(source: Path) -> dict[str, pd.DataFrame]:
    """The source cohort's files, every cell as text (so that what is not jittered is copied verbatim)."""
    return {t: pd.read_csv(source / f"{t}.csv", dtype=str, keep_default_na=False)
            for t in TABLES if (source / f"{t}.csv").is_file()}


def _copies(df: pd.DataFrame, n_copies: int, last: int, n_last_patients: int, pids: list[str]) -> pd.DataFrame:
    """``df`` repeated ``n_copies`` times (the last copy limited to the first ``n_last_patients`` patients),
    with a ``copy`` column and new pseudonyms."""
    reps = np.repeat(np.arange(n_copies), len(df))
    out = pd.concat([df] * n_copies, ignore_index=True)
    out.insert(0, "_copy", reps)
    if last:
        keep = set(pids[:n_last_patients])
        out = out[(out["_copy"] < n_copies - 1) | out["patient_id"].isin(keep)].reset_index(drop=True)
    prefix = pd.Series([f"B{c:05d}-" for c in range(n_copies)])
    out["patient_id"] = prefix.to_numpy()[out["_copy"].to_numpy()] + out["patient_id"]
    return out


def _fmt(x: np.ndarray, decimals: int) -> list[str]:
    """Numbers as text with at most ``decimals`` decimals (trailing zeros dropped, as the source writes them)."""
    if decimals == 0:
        return [f"{v:.0f}" for v in np.round(x)]
    return [f"{v:.{decimals}f}".rstrip("0").rstrip(".") for v in np.round(x, decimals)]


def _jitter_numbers(frames: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Age, volumes and RECIST sums jittered in place; copy 0 left as it is."""
    p = frames["patients"]
    age = p["age_at_tace"].astype(float).to_numpy()
    shift = np.where(p["_copy"].to_numpy() == 0, 0.0, rng.uniform(-2, 2, len(p)))
    p["age_at_tace"] = np.where(shift == 0, p["age_at_tace"], _fmt(np.clip(age + shift, 0, 90), 1))
    im = frames["imaging"]
    first = im["_copy"].to_numpy() == 0
    f = np.where(first, 1.0, rng.uniform(0.85, 1.15, len(im)))
    tumour = np.round(im["tumor_volume_cm3"].astype(float).to_numpy() * f, 2)
    liver = np.round(im["liver_volume_cm3"].astype(float).to_numpy() * f, 1)
    im["tumor_volume_cm3"] = np.where(first, im["tumor_volume_cm3"], _fmt(np.minimum(tumour, liver), 2))
    im["liver_volume_cm3"] = np.where(first, im["liver_volume_cm3"], _fmt(liver, 1))
    if "sum_diameters_mm" in im:
        raw = im["sum_diameters_mm"]
        g = np.where(first, 1.0, rng.uniform(0.9, 1.1, len(im)))
        vals = _fmt(pd.to_numeric(raw, errors="coerce").fillna(0).to_numpy() * g, 0)
        im["sum_diameters_mm"] = np.where(first | (raw == ""), raw, vals)


def _pad_exams(im: pd.DataFrame, total: int) -> pd.DataFrame:
    """imaging.csv padded to ``total`` rows: follow-up exams 30 days apart after each patient's last exam."""
    extra = total - len(im)
    if extra <= 0:
        return im
    last = im.assign(_day=im["day"].astype(int)).sort_values(["patient_id", "_day"]).groupby(
        "patient_id", sort=False).tail(1)
    last = last.sort_values("_copy", kind="stable")
    per = -(-extra // len(last))
    rows = pd.concat([last] * per, ignore_index=True)
    k = np.repeat(np.arange(1, per + 1), len(last))
    rows["day"] = (rows["_day"].to_numpy() + 30 * k).astype(str)
    rows = rows.iloc[:extra].drop(columns="_day")
    if "new_lesions" in rows:
        rows["new_lesions"] = "false"
    return pd.concat([im, rows], ignore_index=True).sort_values(["_copy"], kind="stable").reset_index(drop=True)


def make_cohort(out: Path, patients: int, source: Path, seed: int = 1, exams: int | None = None) -> dict[str, int]:
    """Write an N-patient valid cohort into ``out``; return the number of data rows of each file written."""
    src = _read(source)
    pids = list(src["patients"]["patient_id"])
    n_copies = -(-patients // len(pids))
    n_last = patients - (n_copies - 1) * len(pids)
    frames = {t: _copies(df, n_copies, n_last < len(pids), n_last, pids) for t, df in src.items()}
    _jitter_numbers(frames, np.random.default_rng(seed))
    if exams:
        frames["imaging"] = _pad_exams(frames["imaging"], exams)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    counts = {}
    for t, df in frames.items():
        df.drop(columns="_copy").to_csv(out / f"{t}.csv", index=False, lineterminator="\n")
        counts[t] = len(df)
    (out / "datapackage.json").write_text(json.dumps({
        "name": out.name, "synthetic": True,
        "title": f"SYNTHETIC bench cohort: {patients} patients (the bundled synthetic cohort replicated and "
                 "jittered by bench/make_cohort.py; not patient data)"}, indent=2) + "\n")
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=34_000)
    ap.add_argument("--exams", type=int, default=None, help="pad imaging.csv to this many rows")
    ap.add_argument("--source", type=Path, default=ROOT / "data" / "synthetic")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.patients < 1:
        ap.error("--patients must be >= 1")
    name = f"cohort-{args.patients}" + (f"-exams-{args.exams}" if args.exams else "")
    out = args.out or ROOT / "bench" / "out" / name
    counts = make_cohort(out, args.patients, args.source, args.seed, args.exams)
    print(f"{out}: " + ", ".join(f"{t}.csv {n} rows" for t, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
