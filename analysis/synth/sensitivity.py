"""How fragile is each published p-value, given only the printed medians and quartiles? (issue 14 item 6)

For every two-group p-value printed in Tables 2-4, :func:`run_sensitivity` draws many cohorts that
reproduce the printed group sizes, medians and quartiles (:mod:`analysis.synth.sampler`), runs the
published test on each draw (Mann-Whitney U with R's ``wilcox.test`` rule,
:func:`analysis.stats.mann_whitney`) and summarises the p-values the published summaries allow:
their 2.5/25/50/75/97.5 % quantiles and range, the share of draws below and at-or-above ``alpha``,
the share that reproduce the printed p at its printed precision, and whether the printed p lies
inside the range of the draws.

The comparisons are the p keys of :mod:`analysis.paper.compare` printed in the tables:
``table2.before.p``, ``table2.after.p``, ``table3.chemo.p``, ``table3.tace.p`` (group 1 vs group 2,
n from ``n.group1`` and ``n.group2``) and the four Table 4 readings ``table4.<g>.<volume_change|ttp>.p``
(TACE immediately vs after chemotherapy within group g). ``table3.chemo.p`` is also run under the
audit's second reading (only the after-chemotherapy subgroups have a chemotherapy TTP, n = 8 vs 10).

**Speed and the published test.** The draws are continuous, hence tie-free, and every group has
fewer than 50 values, so R's rule always gives the exact p, which depends on the draw only through
the statistic W. W is counted for all draws at once (pairwise comparisons, numpy) and p is looked
up in a table built, per pair of group sizes, by :func:`analysis.stats.mann_whitney` itself on one
tie-free sample per W (the tests check the lookup against :func:`analysis.stats.mann_whitney` draw by
draw). A draw that does contain a tie (possible only by
floating-point coincidence) goes through :func:`analysis.stats.mann_whitney` itself.

**Reproducibility.** Draws are made in chunks of :data:`CHUNK`; chunk ``c`` uses the generator
``numpy.random.SeedSequence(seed, spawn_key=(c,))`` (the c-th child of ``SeedSequence(seed).spawn``)
and always draws a full chunk (the last one is cut), so the p-value of draw ``i`` depends only on
``(seed, i)``: not on the number of draws, of workers, nor on the backend. Chunks run through joblib
(one thread per core: a chunk is a handful of large numpy operations that release the GIL, and
threads start instantly where worker processes would spend seconds importing numpy and scipy) or,
given a scheduler address, on a Dask cluster through joblib's ``dask`` backend (one task per chunk);
the outputs are byte-identical.

Examples
--------
>>> res = run_sensitivity(draws=200, seed=1, jobs=1, progress=False)
>>> res.pvalues.shape
(200, 9)
>>> row = res.summary.set_index("id").loc["table2:after.p"]
>>> float(row["p_min"]) > 0.05, bool(row["published_inside_range"])   # printed 0.00036: out of reach
(True, False)
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.errors import UserError
from analysis.synth.sampler import TAIL_IQR, Cell, draw_cell, published_cells, with_n

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Draws per chunk (the unit of seeding and of parallel work).
CHUNK = 500

#: Quantiles of the p-value distribution reported per comparison.
QUANTILES = (0.025, 0.25, 0.5, 0.75, 0.975)

#: Columns of sensitivity.csv.
COLUMNS: tuple[str, ...] = (
    "id", "key", "reading", "x", "y", "n1", "n2", "test", "published_p", "printed", "alpha", "draws",
    "p_q025", "p_q25", "p_median", "p_q75", "p_q975", "p_min", "p_max",
    "share_below_alpha", "share_at_or_above_alpha", "published_significant", "share_same_conclusion",
    "share_printed_p", "published_inside_range",
)

TEST = "Mann-Whitney U (R wilcox.test rule: exact, no ties in the draws)"


@dataclass(frozen=True)
class Comparison:
    """One published p-value and the two printed cells its test compares."""

    id: str            #: published.csv row id, plus ``@reading`` for a second reading
    key: str           #: numbers.json key
    reading: str       #: "" or a short description of the alternative reading
    x: Cell
    y: Cell
    published: float
    printed: str
    decimals: int


@dataclass
class SensitivityResult:
    """What :func:`run_sensitivity` returns."""

    comparisons: list[Comparison]
    pvalues: np.ndarray                     #: shape (draws, comparisons)
    summary: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------
# the comparisons
# ------------------------------------------------------------------------------------------------


def _cells_for(key: str, cells: dict[str, Cell]) -> tuple[Cell, Cell] | None:
    parts = key.split(".")
    if parts[0] in ("table2", "table3") and len(parts) == 3:
        pre = f"{parts[0]}.{parts[1]}"
        names = (f"{pre}.group1", f"{pre}.group2")
    elif parts[0] == "table4" and len(parts) == 4:
        names = (f"table4.{parts[1]}.immediate.{parts[2]}", f"table4.{parts[1]}.after_chemo.{parts[2]}")
    else:
        return None
    if not all(n in cells for n in names):
        return None
    return cells[names[0]], cells[names[1]]


def published_comparisons(df: pd.DataFrame | None = None, tail_iqr: float = TAIL_IQR) -> list[Comparison]:
    """Every two-group p printed in Tables 2-4 (sorted by id), with the cells it compares.

    Examples
    --------
    >>> [c.id for c in published_comparisons()][:3]
    ['table2:after.p', 'table2:before.p', 'table3:chemo.p']
    """
    from analysis.paper.published import by_key, load_published

    d = load_published() if df is None else df
    cells = published_cells(d, tail_iqr)
    rows = d[d["where"].isin(("table2", "table3", "table4")) & (d["unit"] == "p") & (d["relation"] == "=")]
    out = []
    for r in rows.sort_values("id").itertuples(index=False):
        pair = _cells_for(r.key, cells)
        if pair is None:
            continue
        value, dec = float(r.value), int(r.decimals)
        printed = f"{value:.{dec}f}"
        out.append(Comparison(r.id, r.key, "", pair[0], pair[1], value, printed, dec))
        if r.key == "table3.chemo.p":
            n1, n2 = (by_key(f"n.group{g}.after_chemo", d) for g in (1, 2))
            if not n1.empty and not n2.empty:
                a, b = int(n1["value"].iloc[0]), int(n2["value"].iloc[0])
                out.append(Comparison(f"{r.id}@after_chemo", r.key,
                                      "only the after-chemotherapy subgroups have a chemotherapy TTP",
                                      with_n(pair[0], a, "after_chemo"), with_n(pair[1], b, "after_chemo"),
                                      value, printed, dec))
    return out


# ------------------------------------------------------------------------------------------------
# the test on many draws
# ------------------------------------------------------------------------------------------------


def _canonical_sample(n1: int, n2: int, w: int) -> np.ndarray:
    """Tie-free x (against y = 1..n2) whose Mann-Whitney W is ``w``."""
    c = np.zeros(n1)
    rest = w
    for i in range(n1 - 1, -1, -1):
        c[i] = min(n2, rest)
        rest -= c[i]
    return c + 0.5 + np.arange(n1) * 1e-3


@functools.lru_cache(maxsize=32)
def exact_p_table(n1: int, n2: int) -> np.ndarray:
    """Two-sided exact p of R's ``wilcox.test`` for every W = 0..n1 n2 (no ties), as a float array.

    :func:`analysis.stats.mann_whitney` itself (its exact branch, R's ``pwilcox``) on tie-free samples
    with each W, so that the draws are tested by the one definition of the test.

    >>> float(exact_p_table(2, 3)[0])   # x = [1, 2] vs y = [3, 4, 5]: p = 2 / C(5, 2)
    0.2
    """
    from analysis.stats import mann_whitney

    y = np.arange(1.0, n2 + 1)
    results = [mann_whitney(_canonical_sample(n1, n2, w), y, method="exact") for w in range(n1 * n2 + 1)]
    if [r.statistic for r in results] != list(range(n1 * n2 + 1)):
        raise AssertionError("canonical samples do not give the intended W")
    return np.array([r.p for r in results], dtype=float)


def _has_ties(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pooled = np.sort(np.concatenate([x, y], axis=1), axis=1)
    return (np.diff(pooled, axis=1) == 0).any(axis=1)


def mwu_p(x: np.ndarray, y: np.ndarray, table: np.ndarray | None = None) -> np.ndarray:
    """R ``wilcox.test`` two-sided p for each row pair of ``x`` (draws, n1) and ``y`` (draws, n2).

    >>> mwu_p(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0, 5.0]])).tolist()
    [0.2]
    """
    from analysis.stats import mann_whitney

    n1, n2 = x.shape[1], y.shape[1]
    table = exact_p_table(n1, n2) if table is None else table
    w = (x[:, :, None] > y[:, None, :]).sum(axis=(1, 2))
    p = table[w]
    for i in np.flatnonzero(_has_ties(x, y)):
        p[i] = mann_whitney(x[i], y[i]).p
    return p


def chunk_pvalues(seed: int, index: int, comparisons: list[Comparison], tables: dict[tuple[int, int], np.ndarray],
                  size: int = CHUNK) -> np.ndarray:
    """p-values (size, comparisons) of chunk ``index``: its seed depends only on ``(seed, index)``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    cells = sorted({c for comp in comparisons for c in (comp.x, comp.y)}, key=lambda c: c.name)
    drawn = {c.name: draw_cell(c, rng, size) for c in cells}
    out = np.empty((size, len(comparisons)))
    for k, comp in enumerate(comparisons):
        out[:, k] = mwu_p(drawn[comp.x.name], drawn[comp.y.name], tables[(comp.x.n, comp.y.n)])
    return out


# ------------------------------------------------------------------------------------------------
# running: joblib locally, or a Dask cluster
# ------------------------------------------------------------------------------------------------


def _connect(address: str):
    try:
        from dask.distributed import Client

        return Client(address, timeout="5s")
    except Exception as exc:  # noqa: BLE001 -- any failure to connect is the user's address
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"cannot connect to the Dask scheduler at {address!r}: {msg}") from None


def _run_chunks(seed: int, n_chunks: int, comparisons: list[Comparison], scheduler: str | None,
                jobs: int | None, progress: bool) -> list[np.ndarray]:
    import joblib
    from tqdm import tqdm

    tables = {(c.x.n, c.y.n): exact_p_table(c.x.n, c.y.n) for c in comparisons}
    tasks = (joblib.delayed(chunk_pvalues)(seed, i, comparisons, tables) for i in range(n_chunks))
    client = _connect(scheduler) if scheduler else None  # before the bar: a bad address fails cleanly
    bar = tqdm(total=n_chunks * CHUNK, unit="draw", disable=not progress, file=None, mininterval=0.5)
    results: list[np.ndarray] = []
    try:
        if client is not None:
            cfg = joblib.parallel_config(backend="dask")
        else:
            n = jobs if jobs else (os.cpu_count() or 1)
            cfg = joblib.parallel_config(backend="threading" if n > 1 and n_chunks > 1 else "sequential", n_jobs=n)
        with cfg:
            for arr in joblib.Parallel(return_as="generator")(tasks):
                results.append(arr)
                bar.update(arr.shape[0])
    finally:
        bar.close()
        if client is not None:
            client.close()
    return results


def run_sensitivity(draws: int = 10_000, seed: int = 20221027, alpha: float = 0.05, scheduler: str | None = None,
                    jobs: int | None = None, progress: bool = True, tail_iqr: float = TAIL_IQR,
                    published: pd.DataFrame | None = None) -> SensitivityResult:
    """Draw ``draws`` cohorts and summarise every published p-value over them.

    Parameters
    ----------
    draws : int
        Number of cohorts (>= 1).
    seed : int
        Root seed; draw i depends only on (seed, i).
    alpha : float
        Significance level of the shares.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); the chunks then run there through joblib's
        ``dask`` backend. Default: local threads (joblib, one per core).
    jobs : int, optional
        Local worker threads (default: the number of cores; 1 = no parallelism).
    progress : bool
        Show a progress bar on stderr.
    tail_iqr : float
        Tail limit of the sampler in IQRs beyond the quartiles.
    published : pandas.DataFrame, optional
        Published values (default ``data/published/published.csv``).

    Returns
    -------
    SensitivityResult

    Raises
    ------
    UserError
        Bad ``draws``/``alpha``, or the scheduler cannot be reached.
    """
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise UserError(f"--draws: expected a positive whole number, got {draws!r}")
    if not 0 < alpha < 1:
        raise UserError(f"--alpha: expected a number between 0 and 1, got {alpha!r}")
    if seed < 0:
        raise UserError(f"--seed: expected a non-negative whole number, got {seed!r}")
    comparisons = published_comparisons(published, tail_iqr)
    n_chunks = math.ceil(draws / CHUNK)
    chunks = _run_chunks(int(seed), n_chunks, comparisons, scheduler, jobs, progress)
    pvalues = np.concatenate(chunks, axis=0)[:draws]
    meta = {"draws": int(draws), "seed": int(seed), "alpha": float(alpha), "chunk": CHUNK,
            "tail_iqr": float(tail_iqr), "test": TEST,
            "sampler": "analysis.synth.sampler (R type-7 quartiles reproduced at printed precision)"}
    return SensitivityResult(comparisons, pvalues, summarise(comparisons, pvalues, alpha), meta)


# ------------------------------------------------------------------------------------------------
# summary and files
# ------------------------------------------------------------------------------------------------


def summarise_one(comp: Comparison, p: np.ndarray, alpha: float) -> dict[str, Any]:
    """The summary row of one comparison over its draws' p-values ``p``.

    Examples
    --------
    A hand-made case: five draws with p = 0.01, 0.02, 0.04, 0.2, 0.5 and a published p of 0.03.

    >>> cell = Cell("c", 7, (("q1", .25, 1.0, 0), ("median", .5, 2.0, 0), ("q3", .75, 3.0, 0)))
    >>> comp = Comparison("t:x.p", "x.p", "", cell, cell, 0.03, "0.03", 2)
    >>> s = summarise_one(comp, np.array([0.01, 0.02, 0.04, 0.2, 0.5]), 0.05)
    >>> s["p_median"], s["share_below_alpha"], s["share_same_conclusion"], s["published_inside_range"]
    (0.04, 0.6, 0.6, True)
    """
    qs = np.quantile(p, QUANTILES)  # numpy 'linear' = R type 7
    half = 0.5 * 10.0 ** (-comp.decimals)
    below = float(np.mean(p < alpha))
    sig = comp.published < alpha
    return dict(
        id=comp.id, key=comp.key, reading=comp.reading, x=comp.x.name.split("@")[0], y=comp.y.name.split("@")[0],
        n1=comp.x.n, n2=comp.y.n, test=TEST, published_p=comp.published, printed=comp.printed, alpha=alpha,
        draws=int(p.size), p_q025=float(qs[0]), p_q25=float(qs[1]), p_median=float(qs[2]), p_q75=float(qs[3]),
        p_q975=float(qs[4]), p_min=float(p.min()), p_max=float(p.max()),
        share_below_alpha=below, share_at_or_above_alpha=1.0 - below, published_significant=bool(sig),
        share_same_conclusion=below if sig else 1.0 - below,
        share_printed_p=float(np.mean(np.abs(p - comp.published) <= half + 1e-12)),
        published_inside_range=bool(p.min() - half <= comp.published <= p.max() + half),
    )


def summarise(comparisons: list[Comparison], pvalues: np.ndarray, alpha: float) -> pd.DataFrame:
    """One row per comparison (:data:`COLUMNS`)."""
    import pandas as pd

    rows = [summarise_one(c, pvalues[:, k], alpha) for k, c in enumerate(comparisons)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.10g}"
    return str(v)


def _csv_text(header: list[str], rows) -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_fmt(v) for v in r])
    return buf.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_tables(res: SensitivityResult, out_dir: str | Path) -> list[Path]:
    """Write ``sensitivity.csv``, ``sensitivity_draws.csv.gz`` and ``sensitivity.json`` (deterministic bytes).

    The per-draw file has one row per draw (``draw`` = 0-based index) and one column per comparison
    id, p written with 17 significant digits; gzip without a time stamp or file name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary_csv = _csv_text(list(COLUMNS), res.summary[list(COLUMNS)].itertuples(index=False))
    header = ["draw"] + [c.id for c in res.comparisons]
    lines = [",".join(header)] + [f"{i}," + ",".join(f"{v:.17g}" for v in row) for i, row in enumerate(res.pvalues)]
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode())
    records = {r["id"]: {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items() if k != "id"}
               for r in res.summary.to_dict("records")}
    doc = {"_meta": res.meta, "comparisons": records}
    paths = [out / "sensitivity.csv", out / "sensitivity_draws.csv.gz", out / "sensitivity.json"]
    _write_atomic(paths[0], summary_csv.encode())
    _write_atomic(paths[1], raw.getvalue())
    _write_atomic(paths[2], (json.dumps(doc, indent=2, sort_keys=True, allow_nan=False) + "\n").encode())
    return paths
