"""The whole analysis in one command: dataset -> numbers, tables, figures, executed notebooks, HTML report.

``python -m analysis reproduce --data DIR --out OUT [-p NAME=VALUE ...]`` calls :func:`reproduce`:

1. The parameters are checked against :mod:`analysis.params` (unknown name, wrong type ->
   :class:`~analysis.errors.UsageError` naming it) and every notebook's ``parameters`` cell is read,
   before anything runs. A notebook receives only the names it declares, as literals (papermill).
2. The dataset is validated (:func:`analysis.data.load_dataset`: every problem listed, exit 1,
   nothing written, no notebook run; the notebook runners, which start their kernels meanwhile, are
   shut down).
3. Everything is computed once in-process (:func:`analysis.report.bundle.compute`): OUT/numbers.json
   (identical to ``python -m analysis numbers``), OUT/tables (CSV + Markdown), OUT/comparison.csv.
   The figures (PNG + SVG) and the publication audit are made meanwhile in two helper processes.
   All of it is cached, so the notebook kernels load it instead of recomputing it.
4. The notebooks run with papermill on the ``tace-net`` kernel, in notebook runners (``jobs`` of them,
   default: number of cores minus one) that start their kernel while the numbers are computed and
   keep it, with one connected client, for all their notebooks. Each notebook starts as soon as what
   it shows is ready (:func:`notebook_needs`), so notebook 00 runs while the tables are still being
   computed. One progress line per notebook with its time; each executed notebook is rendered to
   HTML (nbconvert).
5. OUT/index.html links everything and states the dataset, its SHA-256s, whether it is synthetic,
   the parameters and the package versions.

All of it is written to a temporary folder beside OUT and moved into place only when everything
succeeded. On failure the previous OUT is untouched, the error names the failing notebook and cell,
and the executed notebook is kept in ``OUT.failed/``.

A content-hash cache skips work that cannot change: a notebook whose data (file hashes), code
(the ``analysis`` package, schema, published values, the notebook itself) and declared parameters are
unchanged is copied from the previous OUT; when nothing at all changed, the run stops after hashing
(well under 3 s). ``force=True`` re-runs everything.

The steps live in small modules: :mod:`analysis.report.notebooks` (notebook files, parameters cells,
what each needs), :mod:`analysis.report.kernels` (runner processes and their kernels),
:mod:`analysis.report.runner` (one notebook executed), :mod:`analysis.report.run_keys` (cache keys,
manifest), :mod:`analysis.report.publish` (safe OUT, tables, atomic swap); this module orchestrates them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import UserError
from analysis.paths import NOTEBOOKS
from analysis.report import bundle
from analysis.report import results as R
from analysis.report.kernels import KERNEL, KERNEL_LOG, check_kernel, default_jobs, helper_pool, runner_pool
from analysis.report.notebooks import (ALL_NEEDS, check_params, declared_parameters, notebook_needs,
                                       notebook_parameters, notebook_paths)
from analysis.report.publish import OUT_ENTRIES, copy_previous, safe_out, swap, write_tables
from analysis.report.refresh import default_data_dir, refresh_notebooks
from analysis.report.run_keys import MANIFEST, content_hash, notebook_key, read_manifest
from analysis.report.runner import NotebookFailed, progress, run_notebook

if TYPE_CHECKING:
    from analysis.data import Dataset

#: names callers import from here (the command line, the tests, the benchmark)
__all__ = ["ALL_NEEDS", "KERNEL", "NOTEBOOKS", "NotebookFailed", "check_params", "declared_parameters",
           "default_data_dir", "default_jobs", "notebook_needs", "notebook_parameters", "notebook_paths",
           "refresh_notebooks", "reproduce", "run_notebook", "runner_pool", "safe_out"]


def _audit(code: str, force: bool = False):
    """Pool task: the publication's consistency audit, cached by the code hash (recomputed if ``force``)."""
    if not force:
        return R.get_audit(code)
    try:
        from analysis.paper.audit import run_audit
    except ImportError as exc:
        return f"analysis.paper.audit unavailable: {exc}"
    audit = run_audit()
    R.store(audit, code, "audit")
    return audit


def _render_figures(ds: Dataset, pp, key: str) -> dict:
    """Pool task: every figure as PNG and SVG bytes, stored in the results cache under ``key``."""
    figs = bundle.compute_figures(ds=ds, per_patient_frame=pp)
    R.store(figs, key, "figures")
    return figs


@dataclass
class _Run:
    """One reproduce run: what was decided before it started, and what its steps have made so far."""

    data_dir: Path
    out: Path
    params: dict
    force: bool
    reuse_kernel: bool
    t_start: float
    nbs: list
    passed: dict  # notebook name -> the parameters it receives
    code: str  # code hash
    nb_keys: dict  # notebook name -> cache key
    rkey: str  # results key
    run_key: str
    todo: list = field(default_factory=list)  # notebooks to execute (the others are copied)
    tmp: Path | None = None
    failed_dir: Path | None = None
    pool: Any = None  # notebook runners
    helpers: Any = None  # figure and audit processes
    done: dict = field(default_factory=dict)  # notebook name -> status
    ready: set = field(default_factory=set)  # what the notebooks may need that is cached now
    needs: dict = field(default_factory=dict)
    futures: dict = field(default_factory=dict)  # notebook future -> notebook path
    pending: dict = field(default_factory=dict)  # helper future -> "figures" or "audit"
    res: Any = None  # analysis.report.results.Results
    figs: Any = None
    audit: Any = None
    k: int = 0  # progress lines printed
    t: float = 0.0  # when the computation started


def _plan(data_dir, out_dir, params: dict | None, force: bool, reuse_kernel: bool) -> _Run:
    """Check parameters, folders and every notebook's parameters cell; hash data, code and notebooks."""
    t_start = time.perf_counter()
    params = check_params(params)
    data_dir, out = Path(data_dir), Path(out_dir)
    if not (data_dir.is_dir() or (data_dir.is_file() and data_dir.suffix.lower() in (".xlsx", ".xlsm"))):
        raise UserError(f"{data_dir}: no such dataset folder or .xlsx workbook")
    safe_out(out, data_dir)
    nbs = notebook_paths()
    if not nbs:
        raise UserError(f"{R.display_path(NOTEBOOKS)}: no notebooks found")
    declared = {p.name: declared_parameters(p) for p in nbs}  # before any notebook runs
    passed = {p.name: notebook_parameters(declared[p.name], params, data_dir) for p in nbs}

    data = R.data_hashes(data_dir)
    code = R.code_hash()
    nb_keys = {p.name: notebook_key(p, data, code, passed[p.name]) for p in nbs}
    rkey = R.results_key(data_dir, params, code=code)
    run_key = content_hash({"results": rkey, "notebooks": nb_keys, "dataset": data_dir.resolve().name})
    return _Run(data_dir=data_dir, out=out, params=params, force=force, reuse_kernel=reuse_kernel,
                t_start=t_start, nbs=nbs, passed=passed, code=code, nb_keys=nb_keys, rkey=rkey, run_key=run_key)


def _up_to_date(run: _Run, manifest: dict) -> bool:
    """True (after saying so) when the previous OUT was made from the same data, code and parameters."""
    out = run.out
    if (not run.force and manifest.get("run_key") == run.run_key
            and all((out / f).is_file() for f in manifest.get("files", []))):
        for i, p in enumerate(run.nbs, 1):
            progress(i, len(run.nbs), p.stem, "unchanged (cached)")
        print(f"reproduce: nothing changed; {R.display_path(out)} is up to date "
              f"({time.perf_counter() - run.t_start:.1f} s)", flush=True)
        return True
    return False


def _select(run: _Run, manifest: dict) -> None:
    """The notebooks to run: those unchanged since the previous run are copied from it."""
    out = run.out
    prev_keys = manifest.get("notebooks", {}) if not run.force else {}
    run.todo = [p for p in run.nbs if not (prev_keys.get(p.name) == run.nb_keys[p.name]
                                           and (out / "notebooks" / p.name).is_file()
                                           and (out / "html" / f"{p.stem}.html").is_file())]
    run.tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    run.failed_dir = out.parent / f"{out.name}.failed"


def _prepare(run: _Run) -> None:
    """The temporary folder beside OUT, with the notebooks that need not run copied from the previous OUT."""
    tmp = run.tmp
    if tmp.exists():
        shutil.rmtree(tmp)
    run.out.parent.mkdir(parents=True, exist_ok=True)
    tmp.mkdir()
    for sub in ("notebooks", "html", "tables", "figures", ".cache"):
        (tmp / sub).mkdir()
    for p in run.nbs:
        if p not in run.todo:
            copy_previous(run.out, tmp, f"notebooks/{p.name}")
            copy_previous(run.out, tmp, f"html/{p.stem}.html")
            run.done[p.name] = {"ok": True, "cached": True, "name": p.name}


def _release(run: _Run) -> None:
    """Start, in reading order, the notebooks whose needs are now all ready."""
    started = set(run.futures.values())
    for p in run.todo:
        if p not in started and run.needs[p.name] <= run.ready:
            run.futures[run.pool.submit(run_notebook, str(p), str(run.tmp / "notebooks" / p.name),
                                        str(run.tmp / "html" / f"{p.stem}.html"), run.passed[p.name],
                                        str(NOTEBOOKS), KERNEL, run.reuse_kernel)] = p


def _start_overview(run: _Run, ds: Dataset) -> Any:
    """The data overview first (all notebook 00 shows); the notebooks needing only it start."""
    run.res = R.load(run.rkey) if not run.force else None
    overview = run.res.overview if run.res is not None else bundle.compute_overview(run.data_dir, ds=ds)
    R.store(overview, R.results_key(run.data_dir, None, code=run.code), "overview")
    run.ready = {"overview"}
    run.needs = {p.name: notebook_needs(p) for p in run.todo}
    for name in run.done:
        run.k += 1
        progress(run.k, len(run.nbs), Path(name).stem, "unchanged (cached)")
    _release(run)
    return overview


def _start_helpers(run: _Run, ds: Dataset, pp) -> None:
    """Figures and audit: from the cache, or made in helper processes (in-process without runners)."""
    run.figs = R.load(run.rkey, "figures") if not run.force else None
    # the audit reads no data (only the published values): cached by the code hash
    run.audit = R.load(run.code, "audit") if not run.force else None
    if run.pool is not None and (run.figs is None or run.audit is None):
        run.helpers = helper_pool((run.figs is None) + (run.audit is None))
    if run.figs is None:
        if run.helpers is not None:
            run.pending[run.helpers.submit(_render_figures, ds, pp, run.rkey)] = "figures"
        else:
            run.figs = _render_figures(ds, pp, run.rkey)
    if run.audit is None:
        if run.helpers is not None:
            run.pending[run.helpers.submit(_audit, run.code, run.force)] = "audit"
        else:
            run.audit = _audit(run.code, run.force)


def _compute(run: _Run, ds: Dataset) -> None:
    """Overview, figures and audit (helpers), the results bundle, then numbers.json, tables, comparison.csv.

    Each part is cached, and each notebook starts as soon as what it needs (:func:`notebook_needs`) is
    ready, so notebook 00 runs while the tables are still being computed.
    """
    from analysis.study.endpoints import per_patient

    run.t = time.perf_counter()
    overview = _start_overview(run, ds)
    if run.todo:
        # Figures and audit run in helper processes forked once the statistics stack is loaded
        # (the regression line and the audit need it), so that neither imports it again.
        import scipy.stats  # noqa: F401 -- loaded before the helpers fork, so they inherit it
        import statsmodels.api  # noqa: F401 -- likewise
    pp = per_patient(ds)
    _start_helpers(run, ds, pp)
    if run.res is None:
        run.res = bundle.compute(run.data_dir, run.params, run.rkey, ds=ds, per_patient_frame=pp, overview=overview)
        R.store(run.res, run.rkey)
    run.ready.add("results")
    run.ready.update(what for what, value in (("figures", run.figs), ("audit", run.audit)) if value is not None)
    _release(run)
    from analysis.study.numbers import write_numbers

    write_numbers(run.res.numbers, run.tmp / "numbers.json")
    write_tables(run.res, run.tmp / "tables")
    if run.res.comparison is not None:
        from analysis.paper.compare import to_csv as write_comparison_csv  # same bytes as `analysis compare`

        write_comparison_csv(run.res.comparison, run.tmp / "comparison.csv")
    print(f"  numbers, tables, comparison  {time.perf_counter() - run.t:5.1f} s", flush=True)


def _wait(run: _Run) -> tuple | None:
    """One progress line per notebook as it finishes; notebooks waiting for the figures or the audit start
    when these arrive. Returns (notebook, status) of the first failure (the others not yet started are
    cancelled), else None."""
    failure = None
    reported: set = set()
    futures, pending = run.futures, run.pending
    while failure is None and (pending or any(f not in reported for f in futures)):
        finished, _ = wait([*pending, *(f for f in futures if f not in reported)], return_when=FIRST_COMPLETED)
        for fut in sorted(finished, key=lambda f: f in futures):  # helpers first
            if fut in pending:
                what = pending.pop(fut)
                if what == "figures":
                    run.figs = fut.result()
                    print(f"  figures ({len(run.figs)} x PNG + SVG)   {time.perf_counter() - run.t:5.1f} s",
                          flush=True)
                else:
                    run.audit = fut.result()
                run.ready.add(what)
                _release(run)
                continue
            reported.add(fut)
            p, st = futures[fut], fut.result()
            run.done[p.name] = st
            run.k += 1
            progress(run.k, len(run.nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED"))
            if not st["ok"] and failure is None:
                failure = (p, st)
                for f in futures:
                    f.cancel()
    return failure


def _fail(run: _Run, p: Path, st: dict) -> None:
    """Keep the failed notebook in OUT.failed/ and raise :class:`NotebookFailed` naming it and the cell."""
    failed_dir, tmp = run.failed_dir, run.tmp
    if failed_dir.exists():
        shutil.rmtree(failed_dir)
    failed_dir.mkdir(parents=True)
    kept = failed_dir / p.name
    if (tmp / "notebooks" / p.name).is_file():
        shutil.move(str(tmp / "notebooks" / p.name), kept)
        kept_text = f"the executed notebook is kept in {R.display_path(kept)}"
    else:
        failed_dir.rmdir()
        kept_text = "no cell ran, so there is no executed notebook to keep"
    if st.get("cell_number") is not None:
        where = f"in code cell {st['cell_number']} (In [{st['exec_count']}]: {st['source']})"
    elif st.get("cell") is not None:
        where = f"in cell {st['cell'] + 1}"
    else:
        where = "before any cell ran"
    advice = (f"\nthe messages of the kernel '{KERNEL}' are in {R.display_path(KERNEL_LOG)}"
              if where == "before any cell ran" else "")
    raise NotebookFailed(
        f"notebook {p.name} failed {where}: {st['ename']}: {st['evalue']}\n"
        f"{kept_text}; {R.display_path(run.out)} was left unchanged{advice}")


def _publish(run: _Run) -> None:
    """Figures, audit tables, index.html, carried-over entries and the manifest; then the atomic swap."""
    tmp, out = run.tmp, run.out
    for name, blobs in run.figs.items():
        for fmt, blob in blobs.items():
            (tmp / "figures" / f"{name}.{fmt}").write_bytes(blob)
    from analysis.report.figures import skipped

    for name, why in skipped(run.res.dataset).items():
        print(f"  figure {name} skipped: {why}", flush=True)
    if not isinstance(run.audit, str):
        run.audit.to_csv(tmp / "tables" / "audit.csv", index=False, lineterminator="\n")
        (tmp / "tables" / "audit.md").write_text(run.audit.to_markdown(index=False) + "\n", encoding="utf-8")
    from analysis.report.html import write_index

    write_index(tmp, run.res, [p.name for p in run.nbs], sorted(run.figs))
    if out.is_dir():
        for entry in out.iterdir():
            if entry.name not in OUT_ENTRIES and not (tmp / entry.name).exists():
                if entry.is_dir():
                    shutil.copytree(entry, tmp / entry.name, symlinks=True)
                else:
                    shutil.copy2(entry, tmp / entry.name)
    files = sorted(q.relative_to(tmp).as_posix() for q in tmp.rglob("*")
                   if q.is_file() and q.relative_to(tmp).parts[0] in OUT_ENTRIES and q.parts[-2:] != MANIFEST.parts)
    (tmp / MANIFEST).write_text(json.dumps({"run_key": run.run_key, "notebooks": run.nb_keys, "files": files},
                                           indent=1, sort_keys=True) + "\n", encoding="utf-8")
    swap(tmp, out)
    if run.failed_dir.exists():
        shutil.rmtree(run.failed_dir, ignore_errors=True)


def reproduce(data_dir, out_dir, params: dict | None = None, force: bool = False, jobs: int | None = None,
              reuse_kernel: bool = True) -> Path:
    """Run the whole analysis on ``data_dir`` and write the report to ``out_dir`` (see the module docstring).

    Parameters
    ----------
    data_dir, out_dir : str or Path
        Dataset folder (contract: data/schema/datapackage.json) and output folder (layout: the
        README's section on outputs).
    params : dict, optional
        Analysis parameters (checked; defaults fill the rest).
    force : bool
        Ignore the cache: recompute and re-run every notebook.
    jobs : int, optional
        Notebooks executed at once (default :func:`default_jobs`: number of cores minus one).
    reuse_kernel : bool
        Keep one kernel per worker across notebooks (namespace reset in between; see
        :func:`run_notebook`). False starts a fresh kernel per notebook.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    UsageError
        Unknown parameter or wrong type (before anything runs).
    analysis.data.DatasetInvalid
        The dataset breaks the contract (every problem listed; nothing written).
    NotebookFailed
        A notebook raised: names it and the cell; the previous OUT is untouched.

    References
    ----------
    The output layout and the dataset contract: README, "Commands" and "Your own data: the dataset
    contract"; notebooks executed with papermill (https://papermill.readthedocs.io).

    Examples
    --------
    The whole run (about a minute on the bundled cohort):

    >>> reproduce("data/synthetic", "reports/synthetic")  # doctest: +SKIP
    reproduce: data/synthetic -> reports/synthetic (9 notebooks)
    ...

    Parameters are checked before anything starts or is written:

    >>> from analysis.paths import TESTS
    >>> reproduce(TESTS / "fixtures" / "mini", "reports/mini", {"nope": 1})
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: unknown parameter 'nope' (known parameters: ...)
    """
    run = _plan(data_dir, out_dir, params, force, reuse_kernel)
    manifest = read_manifest(run.out)
    print(f"reproduce: {R.display_path(run.data_dir)} -> {R.display_path(run.out)} ({len(run.nbs)} notebooks)",
          flush=True)
    if _up_to_date(run, manifest):
        return run.out
    _select(run, manifest)
    jobs = max(1, int(jobs or default_jobs()))
    # the notebook runners start (each boots its kernel and loads papermill and nbconvert) while this
    # process validates the dataset, loads the statistics stack and computes the numbers. Invalid
    # data raises with every problem before anything is written or any notebook runs; the runners
    # and their kernels are then shut down.
    from analysis.data import load_dataset

    if run.todo:
        check_kernel(KERNEL)
    try:
        if run.todo:
            run.pool = runner_pool(min(jobs, len(run.todo)), str(NOTEBOOKS), KERNEL, reuse_kernel)
        ds = load_dataset(run.data_dir)
        _prepare(run)
        _compute(run, ds)
        failure = _wait(run)
        if failure is not None:
            _fail(run, *failure)
        _publish(run)
    except BaseException:
        for executor in (run.helpers, run.pool):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        run.pool = run.helpers = None
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise
    finally:
        for executor in (run.helpers, run.pool):
            if executor is not None:
                executor.shutdown(wait=True)
    print(f"reproduce: wrote {R.display_path(run.out)} ({'synthetic' if run.res.is_synthetic else 'real'} dataset "
          f"'{run.res.dataset_name}') in {time.perf_counter() - run.t_start:.1f} s", flush=True)
    return run.out
