"""The bundled synthetic cohort: patient-level data reconstructed from the article's published aggregates.

It is NOT patient data. ``synthesize(out_dir, seed)`` (``python -m analysis synthesize --out DIR``)
writes a complete dataset in the contract of data/schema/datapackage.json (patients, procedures,
imaging, progression; datapackage.json with ``"synthetic": true``) and its DATACARD.md. ``data/synthetic/``
is exactly its output with the default
seed (:data:`DEFAULT_SEED` = the ``seed`` parameter of :mod:`analysis.params`).

How it is made
--------------
1. The targets are read from :func:`analysis.paper.published.load_published` (tables preferred over text and
   abstract; the readings chosen where the article is ambiguous are in :mod:`analysis.synth.targets`).
2. Three seeded searches (:mod:`analysis.synth.build`, :mod:`analysis.synth.search`) find
   per-patient values on the grid the CSV stores (days as integers, volumes in 0.01 cm³, ages in 0.1
   year): (a) TTP after TACE and after chemotherapy against Tables 3 and 4 (group and subgroup type-7
   quartiles at once) and then the Mann-Whitney p-values; (b) V0, V1 and the exam-to-TACE / TACE-to-exam
   days against Table 2 (group quartiles) and Table 4 (subgroup quartiles of V1 - V0), starting from a
   solution of the project's exact joint-quartile programme (:func:`analysis.paper.feasibility.joint_feasible`,
   the one the audit uses) and annealed onto the 0.01 grid without ties, then the p-values and the R² of
   V1 - V0 on the Schwartz doubling time (coordinate descent); (c) ages against mean, SD, min and max.
3. Everything else is drawn (:mod:`analysis.synth.assemble`) with the same seeded generator under
   realism rules (exam schedule every 10-15 weeks, baseline exam before TACE, first follow-up about 8
   weeks after, progression on an exam day, repeat TACE after progression, tumour below liver volume)
   and the categorical counts of Figure 1, Table 1 and the Methods text are dealt out exactly.
4. The written files are re-read by the project's own pipeline (:func:`analysis.data.load_dataset`,
   :func:`analysis.study.numbers.compute_numbers`) and DATACARD.md lists every targeted number: published,
   achieved, met at the printed precision or not, and why not.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from analysis.synth import targets as T
from analysis.synth.assemble import build
from analysis.errors import UserError

FILES = ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "datapackage.json", "DATACARD.md")

# search effort (iterations); fixed so that the output is deterministic for a seed
ITER_TTP = 60_000
ITER_VOL = 60_000
ITER_AGE = 15_000
RESTARTS_TTP = 4
RESTARTS_VOL = 16
ANNEAL = {"t0": 30.0, "w1": 30.0}
ITER_SPREAD = 25_000
ITER_R2 = 15_000
ROUNDS_R2 = 4
ROUNDS_R2_POLISH = 10
ROUNDS_P = 5
ITER_P = 30_000
AFTER_PULL_R2 = 1.0  # Table 2's after-TACE p pulls normally once the other p-values are held
HOLD_P = ("table2.before.p", "table4.group1.volume_change.p", "table4.group2.volume_change.p")
ITER_P_TTP = 20_000


def default_seed() -> int:
    from analysis.params import PARAMS

    return int(PARAMS["seed"].default)


DEFAULT_SEED = 20221027  # equals analysis.params PARAMS["seed"].default (checked by the tests)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- targets

def _published_rows():
    """Rows of data/published/published.csv as dicts (via analysis.paper.published)."""
    from analysis.paper.published import load_published

    df = load_published()
    return df.to_dict("records")


def load_targets() -> tuple[dict, dict, dict]:
    """(targets, categorical counts, provenance) read from the published values.

    ``targets`` maps a numbers.json key to (value, decimals); ``counts`` maps a published id (without the
    section prefix where unambiguous) to an integer; ``provenance`` maps a key to (id, printed text).
    """
    rows = _published_rows()
    by_key: dict[str, list] = {}
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        if r["key"]:
            by_key.setdefault(r["key"], []).append(r)
    targets, prov = {}, {}
    for key in T.QUARTILE_KEYS + T.P_KEYS + T.R2_KEYS + T.AGE_KEYS:
        cands = by_key.get(key, [])
        pref = T.R2_PREFERENCE if key in T.R2_KEYS else T.WHERE_PREFERENCE
        cands = sorted(cands, key=lambda r: (pref.index(r["where"]) if r["where"] in pref else 99, r["id"]))
        if not cands:
            raise UserError(f"data/published/published.csv: no row with key {key}; the synthetic cohort needs it")
        r = cands[0]
        targets[key] = (float(r["value"]), int(r["decimals"]))
        prov[key] = (r["id"], r["printed"])

    def count(*ids):
        for i in ids:
            if i in by_id:
                return int(round(float(by_id[i]["value"])))
        raise KeyError(ids)

    counts = {
        "subgroups": tuple(count(f"figure1:{k}") for k in T.SUBGROUP_KEYS),
        "n.tace": count("methods:n.tace", "abstract:n.tace"),
        "repeat.group1": count("methods:repeat_tace.group1.n"),
        "repeat.group2": count("methods:repeat_tace.group2.n"),
        "t_stage": {s: count(f"table1:t_stage.{s}.n") for s in ("T1", "T2", "T3", "T4")},
        "primary_site": {s: count(f"table1:primary_site.{s}.n")
                         for s in ("pancreas", "small_intestine", "lung", "prostate")},
        "liver_distribution": {s: count(f"methods:liver_distribution.{s}.n")
                               for s in ("bilobar_multiple", "unilobar_multiple", "bilobar_single")},
        "extrahepatic": count("methods:extrahepatic.true.n"),
        "primary_resected": count("methods:primary_resected.true.n"),
        "dx_to_mets": {s: count(f"table1:dx_to_liver_mets.{s}.n") for s in ("lt_6_months", "6m_to_1_5y",
                                                                             "1_5y_to_6y")},
        "mets_to_tace_short": count("table1:liver_mets_to_tace.lt_2_weeks.n"),
        "mets_to_tace_long": count("table1:liver_mets_to_tace.gt_3_months.n"),
    }
    return targets, counts, prov


# ---------------------------------------------------------------------------------------------- search

def _multi_start(make, init, rng, iters, restarts, good_enough=0.0, **kw):
    """Up to ``restarts`` seeded annealing runs from fresh starts; stops at the first run whose missed
    weight is at most ``good_enough``, else keeps the run that missed least (ties: smallest distance)."""
    from analysis.synth.search import anneal, total_cost

    best, best_cost = None, None
    for _ in range(restarts):
        P = make()
        st = anneal(P, init(), rng, iters, **kw)
        c = total_cost(P, st)
        if best is None or c < best_cost:
            best, best_cost = st, c
        if c[0] <= good_enough:
            break
    return best, best_cost


def _met_all(problem, state, prefix: str) -> bool:
    """Every target item whose key starts with ``prefix`` is met in ``state``."""
    return all(it.met(a) for t in problem.targets for it, a in zip(t.items, t.fn(state)) if it.key.startswith(prefix))


def _search_ttp(targets: dict, sizes: tuple, rng: random.Random) -> dict:
    """Search (a): TTP after TACE and after chemotherapy against Tables 3 and 4, then the p-values."""
    from analysis.synth import build as B
    from analysis.synth.search import anneal, polish

    # at least one quartile must be missed: Table 3's group-1 Q3 after TACE contradicts Table 4's
    # group-1 immediate Q1 and median (proof in analysis/synth/card.py, TTP_G1_CONFLICT)
    ttp, _ = _multi_start(lambda: B.ttp_problem(targets, sizes, with_p=False),
                          lambda: B.ttp_init(targets, sizes, rng), rng, ITER_TTP, RESTARTS_TTP,
                          good_enough=1.0, **ANNEAL)
    P = B.ttp_problem(targets, sizes)
    ttp = anneal(P, ttp, rng, ITER_P_TTP, t0=0.5, w0=100.0, w1=100.0)
    return polish(P, ttp, B.ttp_cells(sizes), B.ttp_candidates(sizes), rounds=ROUNDS_P)


def _search_volume_quartiles(targets: dict, sizes: tuple, short: set, grp: dict, rng: random.Random,
                             t0: float) -> dict:
    """Search (b) step 1: group and subgroup quartiles of V0, V1 and V1 - V0, group by group."""
    from analysis.synth import build as B
    from analysis.synth.search import anneal

    vol = B.volume_init(targets, sizes, short, rng)
    for g in ("group1", "group2"):
        make = lambda g=g: B.volume_problem(targets, sizes, short, False, False, only=g)  # noqa: E731 -- a named step
        start = B.volume_milp_start(targets, sizes, g, vol)
        if start is not None:  # exact programme gives the pairing; annealing spreads ties and snaps to grid
            part = anneal(make(), start, rng, ITER_SPREAD, t0=3.0, w0=100.0, w1=100.0)
        else:
            _say(f"synthesize:   {g}: the exact programme found no start; annealing from scratch")
            part, _ = _multi_start(make, lambda: B.volume_init(targets, sizes, short, rng), rng, ITER_VOL,
                                   RESTARTS_VOL, **ANNEAL)
        for i in grp[g]:
            for k in ("v0", "v1", "pre", "fu"):
                vol[k][i] = part[k][i]
        _say(f"synthesize:   {g}: {'exact programme + ' if start is not None else ''}annealing "
             f"({time.perf_counter() - t0:.1f} s)")
    return vol


def _search_volumes(targets: dict, sizes: tuple, short: set, rng: random.Random, t0: float) -> dict:
    """Search (b): volumes and exam days against Tables 2 and 4, then the p-values, then the R²."""
    from analysis.synth import build as B
    from analysis.synth.search import anneal, polish, report

    _, grp = B.blocks(sizes)
    vol = _search_volume_quartiles(targets, sizes, short, grp, rng, t0)
    # Mann-Whitney p-values, every quartile held (weight 100)
    P = B.volume_problem(targets, sizes, short, with_r2=False, after_pull=B.P_PULL_OFF_LATTICE)
    vol = anneal(P, vol, rng, ITER_P, t0=0.5, w0=100.0, w1=100.0)
    vol = polish(P, vol, B.volume_cells(sizes), B.volume_candidates, rounds=ROUNDS_P)
    _say(f"synthesize:   p-values: {[(k, round(a, 4)) for k, v, a, m in report(P, vol) if k.endswith('.p')]}")
    # R² of V1 - V0 on the doubling time: annealing, then fine coordinate descent
    # first with the exam days alone (they move neither a quartile nor a p-value), then with every cell
    # the p-values placed above are held (Table 2 before, Table 4 volume changes): the R² may not undo them
    hold = {k: a for k, v, a, m in report(P, vol) if k in HOLD_P}
    P = B.volume_problem(targets, sizes, short, hold=hold, after_pull=AFTER_PULL_R2)
    day_cells = [c for c in B.volume_cells(sizes) if c[0] in ("pre", "fu")]
    for k in range(ROUNDS_R2):
        if k:  # coordinate descent alone was stuck: shake with a short cool annealing first
            vol = anneal(P, vol, rng, ITER_R2, t0=0.02, w0=100.0, w1=100.0)
        vol = polish(P, vol, day_cells, B.volume_candidates, rounds=ROUNDS_R2_POLISH)
        if not _met_all(P, vol, "regression."):
            vol = polish(P, vol, B.volume_cells(sizes), B.volume_candidates, rounds=ROUNDS_R2_POLISH)
        if _met_all(P, vol, "regression."):
            break
    return vol


def _search(targets: dict, counts: dict, rng: random.Random) -> dict:
    """The three seeded searches (TTP, volumes, ages); returns the per-patient values they found."""
    from analysis.synth import build as B
    from analysis.synth.search import anneal

    sizes = counts["subgroups"]
    sub, grp = B.blocks(sizes)
    n = sum(sizes)
    t0 = time.perf_counter()
    immediate = [i for (g, sg), r in sub.items() if sg == "immediate" for i in r]
    short = set(rng.sample(immediate, counts["mets_to_tace_short"]))

    _say("synthesize: [1/3] time to progression (Tables 3-4)")
    ttp = _search_ttp(targets, sizes, rng)
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")

    _say("synthesize: [2/3] volumes, volume change and doubling time (Tables 2 and 4, R²)")
    vol = _search_volumes(targets, sizes, short, rng, t0)
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")

    _say("synthesize: [3/3] ages (Table 1)")
    P = B.age_problem(targets, n)
    age = anneal(P, B.age_init(targets, n, rng), rng, ITER_AGE)["age"]
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")
    return {"sizes": sizes, "short": short, "tt": ttp["tt"], "tc": ttp["tc"], "v0": vol["v0"], "v1": vol["v1"],
            "pre": vol["pre"], "fu": vol["fu"], "age": age}


def _cell(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _write_csv(path: Path, columns, rows) -> None:
    lines = [",".join(columns)] + [",".join(_cell(r[c]) for c in columns) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _datapackage(seed: int) -> str:
    from analysis.paths import SCHEMA

    pkg = json.loads(SCHEMA.read_text(encoding="utf-8"))
    pkg["name"] = "synthetic"
    pkg["title"] = "SYNTHETIC cohort reconstructed from the published aggregates (not patient data)"
    pkg["description"] = (
        "SYNTHETIC data, not patient data: 34 invented patients whose aggregates reproduce the numbers "
        "published for TACE with irinotecan microspheres in NET liver metastases (see DATACARD.md). "
        f"Generated by `python -m analysis synthesize --seed {seed}`.")
    pkg["synthetic"] = True
    pkg["seed"] = seed
    return json.dumps(pkg, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------- entry point

def synthesize(out_dir: Path | str, seed: int | None = None) -> Path:
    """Write the synthetic cohort (CSV files, datapackage.json, DATACARD.md) into ``out_dir``.

    Parameters
    ----------
    out_dir : Path or str
        Folder to write (created if missing; the files listed in :data:`FILES` are overwritten).
    seed : int, optional
        Random seed; default :data:`DEFAULT_SEED` (the ``seed`` parameter's default). The same seed
        gives byte-identical files.

    Returns
    -------
    Path
        ``out_dir``.

    References
    ----------
    The published aggregates in data/published/published.csv (the article's Tables 1-4, Figure 1 and
    text); R's type-7 quantiles and ``wilcox.test`` define what "met" means (see DATACARD.md).

    Examples
    --------
    The whole cohort (about a minute; the same seed gives the same bytes as data/synthetic/):

    >>> synthesize("my_cohort")  # doctest: +SKIP
    PosixPath('my_cohort')

    What the search aims at is read from the published values first:

    >>> targets, counts, provenance = load_targets()
    >>> counts["subgroups"], counts["n.tace"], default_seed()
    ((7, 8, 9, 10), 52, 20221027)
    """
    from analysis.synth.card import datacard

    seed = default_seed() if seed is None else int(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    targets, counts, prov = load_targets()
    rng = random.Random(seed)
    sol = _search(targets, counts, rng)
    tables = build(sol, counts, random.Random(seed + 1))
    for name, (cols, rows) in tables.items():
        _write_csv(out / name, cols, rows)
    (out / "datapackage.json").write_bytes(_datapackage(seed).encode("utf-8"))
    (out / "DATACARD.md").write_bytes(datacard(out, seed, targets, counts, prov).encode("utf-8"))
    _say(f"synthesize: wrote {out} in {time.perf_counter() - t0:.1f} s (seed {seed})")
    return out
