"""The whole analysis in one command: dataset -> numbers, tables, figures, executed notebooks, HTML report.

``python -m analysis reproduce --data DIR --out OUT [-p NAME=VALUE ...]`` calls :func:`reproduce`, which
does, in this order:

1. **Plan** (:func:`_plan`): the parameters are checked against :mod:`analysis.params` (unknown name,
   wrong type -> :class:`~analysis.errors.UsageError`), every notebook's ``parameters`` cell is read
   (a notebook receives only the names it declares), and data, code and notebooks are hashed.
2. **Cache** (:func:`_up_to_date`): when OUT was made from the same hashes, stop (well under 3 s).
   Otherwise only the notebooks whose key changed run; the others are copied from OUT.
3. **Validate** the dataset (:func:`analysis.data.load_dataset`: every problem listed, exit 1); nothing
   is written and no notebook runs before this passed.
4. **Run**: the notebooks are executed with papermill's standard engine, each in its own fresh
   ``tace-net`` kernel, up to ``jobs`` at once (default: one per core; the slowest of the previous run
   start first, :func:`analysis.report.runner.longest_first`), exactly as
   ``papermill NB OUT.ipynb -k tace-net -p data_dir DIR`` run by hand (with a Jupyter client that cannot
   miss the kernel's reply: :mod:`analysis.report.kernel_client`). Meanwhile this process computes
   numbers.json, the tables and comparison.csv once (:func:`_compute`); the figures are queued on the same
   workers behind the notebooks, one task per figure (:func:`_queue_figures`), so that they fill the
   time when only the last notebook is left. One progress line per notebook; each executed notebook is
   also rendered to HTML.
5. **Publish** (:func:`_publish`): index.html, the audit page and a manifest are written to a temporary
   folder beside OUT, which then replaces OUT in one rename. On failure OUT is untouched, the error
   names the notebook and the cell, and the executed notebook is kept in ``OUT.failed/``.

Helpers: :mod:`analysis.report.notebooks` (notebook files, parameters cells), :mod:`analysis.report.kernels`
(worker processes, the kernel check), :mod:`analysis.report.runner` (one notebook executed, the order),
:mod:`analysis.report.kernel_client` (the Jupyter client given to papermill),
:mod:`analysis.report.run_keys` (cache keys, manifest), :mod:`analysis.report.publish` (safe OUT, tables,
atomic swap).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.paths import NOTEBOOKS
from analysis.report import bundle
from analysis.report import results as R
from analysis.report.faults import check_out_parent, out_lock, remove_stale
from analysis.report.kernels import KERNEL, KERNEL_LOG, check_kernel, default_jobs, notebook_pool, stop_pool
from analysis.report.notebooks import check_params, declared_parameters, notebook_parameters, notebook_paths
from analysis.report.publish import OUT_ENTRIES, copy_previous, safe_out, swap, write_tables
from analysis.report.refresh import default_data_dir, refresh_notebooks
from analysis.report.run_keys import MANIFEST, content_hash, notebook_key, read_manifest
from analysis.report.runner import NotebookFailed, longest_first, progress, record_seconds, run_notebook

#: names callers import from here (the command line, the tests, the benchmark)
__all__ = ["KERNEL", "NOTEBOOKS", "NotebookFailed", "check_params", "declared_parameters", "default_data_dir",
           "default_jobs", "notebook_parameters", "notebook_paths", "notebook_pool", "refresh_notebooks",
           "reproduce", "run_notebook", "safe_out"]


@dataclass
class _Run:
    """One reproduce run: what was decided before it started, and what it has made so far."""

    data_dir: Path
    out: Path
    params: dict
    force: bool
    t_start: float
    nbs: list  # every notebook, in reading order
    passed: dict  # notebook name -> the parameters it receives
    nb_keys: dict  # notebook name -> cache key
    rkey: str  # key of the in-process results (numbers, tables)
    run_key: str  # key of the whole run
    data: dict = field(default_factory=dict)  # SHA-256 of the dataset's files when the run started
    todo: list = field(default_factory=list)  # notebooks to execute (the others are copied)
    tmp: Path | None = None
    failed_dir: Path | None = None
    res: Any = None  # analysis.report.bundle.Results
    figs: dict = field(default_factory=dict)
    audit: Any = None
    t_compute: float = 0.0  # when this process started on the numbers (the progress lines count from it)


def _plan(data_dir, out_dir, params: dict | None, force: bool) -> _Run:
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
    passed = {p.name: notebook_parameters(declared_parameters(p), params, data_dir) for p in nbs}
    data, code = R.data_hashes(data_dir), R.code_hash()
    nb_keys = {p.name: notebook_key(p, data, code, passed[p.name]) for p in nbs}
    rkey = R.results_key(data_dir, params, code=code)
    run_key = content_hash({"results": rkey, "notebooks": nb_keys, "dataset": data_dir.resolve().name})
    return _Run(data_dir=data_dir, out=out, params=params, force=force, t_start=t_start, nbs=nbs, passed=passed,
                nb_keys=nb_keys, rkey=rkey, run_key=run_key, data=data)


def _up_to_date(run: _Run, manifest: dict) -> bool:
    """True (after saying so) when the previous OUT was made from the same data, code and parameters."""
    if run.force or manifest.get("run_key") != run.run_key:
        return False
    if not all((run.out / f).is_file() for f in manifest.get("files", [])):
        return False
    for i, p in enumerate(run.nbs, 1):
        progress(i, len(run.nbs), p.stem, "unchanged (cached)")
    print(f"reproduce: nothing changed; {R.display_path(run.out)} is up to date "
          f"({time.perf_counter() - run.t_start:.1f} s)", flush=True)
    return True


def _prepare(run: _Run, manifest: dict) -> None:
    """Choose the notebooks to run; make the temporary folder beside OUT with the others copied into it."""
    out = run.out
    prev = manifest.get("notebooks", {}) if not run.force else {}
    run.todo = [p for p in run.nbs if not (prev.get(p.name) == run.nb_keys[p.name]
                                           and (out / "notebooks" / p.name).is_file()
                                           and (out / "html" / f"{p.stem}.html").is_file())]
    run.tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    run.failed_dir = out.parent / f"{out.name}.failed"
    if run.tmp.exists():
        shutil.rmtree(run.tmp)
    out.parent.mkdir(parents=True, exist_ok=True)
    for sub in ("notebooks", "html", "tables", "figures", ".cache"):
        (run.tmp / sub).mkdir(parents=True)
    for i, p in enumerate(q for q in run.nbs if q not in run.todo):
        copy_previous(out, run.tmp, f"notebooks/{p.name}")
        copy_previous(out, run.tmp, f"html/{p.stem}.html")
        progress(i + 1, len(run.nbs), p.stem, "unchanged (cached)")


def _compute(run: _Run, ds) -> None:
    """numbers.json, tables and comparison.csv, computed once in this process (cached by key)."""
    from analysis.study.numbers import write_numbers

    t = run.t_compute = time.perf_counter()
    run.res = None if run.force else R.load(run.rkey)
    if run.res is not None:
        run.res.dataset = ds  # the cache does not store it (bundle.Results.__getstate__)
    if run.res is None:
        run.res = bundle.compute(run.data_dir, run.params, run.rkey, ds=ds)
        R.store(run.res, run.rkey)
    write_numbers(run.res.numbers, run.tmp / "numbers.json")
    write_tables(run.res, run.tmp / "tables")
    if run.res.comparison is not None:
        from analysis.paper.compare import to_csv as write_comparison_csv  # same bytes as `analysis compare`

        write_comparison_csv(run.res.comparison, run.tmp / "comparison.csv")
    print(f"  numbers, tables, comparison  {time.perf_counter() - t:5.1f} s", flush=True)


def _queue_figures(run: _Run, pool=None) -> dict:
    """The figures (PNG + SVG each): from the cache, drawn here (no ``pool``), or queued on ``pool``.

    Queued, one task per figure, they come after the notebooks: the workers draw them while the last
    notebooks run, when a core would otherwise wait. Returns ``{future: figure name}`` (empty when the
    figures are already written).
    """
    run.figs = None if run.force else R.load(run.rkey, "figures")
    if run.figs is None and pool is not None:
        import pickle

        blob = pickle.dumps((run.res.dataset, run.res.per_patient), protocol=pickle.HIGHEST_PROTOCOL)
        names = bundle.figure_names(run.res.dataset)
        return {pool.submit(bundle.render_pickled, blob, [name]): name for name in names}
    if run.figs is None:
        run.figs = bundle.compute_figures(run.res)
        R.store(run.figs, run.rkey, "figures")
    _write_figures(run)
    return {}


def _write_figures(run: _Run, drawn: dict | None = None) -> None:
    """Write ``run.figs`` (or the figures ``drawn`` by the workers, then cached) into the temporary OUT."""
    if drawn is not None:
        run.figs = drawn
        R.store(run.figs, run.rkey, "figures")
    for name, blobs in run.figs.items():
        for fmt, blob in blobs.items():
            (run.tmp / "figures" / f"{name}.{fmt}").write_bytes(blob)
    print(f"  figures ({len(run.figs)} x PNG + SVG)   {time.perf_counter() - run.t_compute:5.1f} s", flush=True)


def _execute(run: _Run, ds, jobs: int) -> tuple | None:
    """The notebooks in worker processes (fresh kernel each) while this process computes the numbers.

    The figures are drawn by the same workers, queued behind the notebooks (:func:`_queue_figures`).
    Returns (notebook, status) of the first failure (the tasks not yet started are cancelled), else None.
    """
    if not run.todo:
        _compute(run, ds)
        _queue_figures(run)
        return None
    with notebook_pool(min(jobs, len(run.todo))) as pool:
        futures = {pool.submit(run_notebook, str(p), str(run.tmp / "notebooks" / p.name),
                               str(run.tmp / "html" / f"{p.stem}.html"), run.passed[p.name], str(NOTEBOOKS),
                               KERNEL): p for p in longest_first(run.todo)}
        took, drawn = {}, {}
        try:
            _compute(run, ds)
            figures = _queue_figures(run, pool)
            k = len(run.nbs) - len(run.todo)
            for fut in as_completed([*futures, *figures]):
                if fut in figures:
                    drawn.update(fut.result())  # a figure that failed raises here
                    if len(drawn) == len(figures):  # in reading order (the queue's), whatever order they ended in
                        _write_figures(run, {name: drawn[name] for name in figures.values()})
                    continue
                p, st = futures[fut], fut.result()
                took[p.name] = st["seconds"]
                k += 1
                progress(k, len(run.nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED")
                         + (f"  (a first kernel died while starting: {st['first_kernel_died'][:80]})"
                            if "first_kernel_died" in st else ""))
                if not st["ok"]:
                    pool.shutdown(wait=True, cancel_futures=True)
                    return p, st
            record_seconds(took)
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM: the workers and their kernels end now, not after a notebook
            stop_pool(pool)
            raise
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return None


def _check_data(run: _Run) -> None:
    """Raise a :class:`UserError` when the dataset folder vanished or its files changed while the run lasted."""
    if R.data_hashes(run.data_dir) != run.data:
        raise UserError(f"{R.display_path(run.data_dir)}: the dataset folder disappeared or its files changed during "
                        f"the run; nothing was published ({R.display_path(run.out)} was left unchanged): keep the "
                        f"folder in place and run again")


def _fail(run: _Run, p: Path, st: dict) -> None:
    """Keep the failed notebook in OUT.failed/ and raise :class:`NotebookFailed` naming it and the cell."""
    _check_data(run)  # a dataset that vanished is said in one line
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
    """Audit tables, index.html, carried-over entries and the manifest; then the atomic swap."""
    tmp, out = run.tmp, run.out
    _check_data(run)
    from analysis.report.figures import skipped

    for name, why in skipped(run.res.dataset).items():
        print(f"  figure {name} skipped: {why}", flush=True)
    if run.audit is not None:
        run.audit.to_csv(tmp / "tables" / "audit.csv", index=False, lineterminator="\n")
        (tmp / "tables" / "audit.md").write_text(run.audit.to_markdown(index=False) + "\n", encoding="utf-8")
    from analysis.report.html import write_index

    write_index(tmp, run.res, [p.name for p in run.nbs], sorted(run.figs), audit=run.audit)
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


def _audit():
    """The publication audit (:func:`analysis.paper.verdicts.audit_results`, cached on disk), or None."""
    try:
        from analysis.paper.verdicts import audit_results
    except ImportError:  # a checkout without the audit
        return None
    return audit_results()


def reproduce(data_dir, out_dir, params: dict | None = None, force: bool = False, jobs: int | None = None) -> Path:
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
        Notebooks executed at once, each in its own kernel (default :func:`default_jobs`: one per core).

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
    The whole run (under half a minute on the bundled cohort):

    >>> reproduce("data/synthetic", "reports/synthetic")  # doctest: +SKIP
    reproduce: data/synthetic -> reports/synthetic (10 notebooks)
    ...

    Parameters are checked before anything starts or is written:

    >>> from analysis.paths import TESTS
    >>> reproduce(TESTS / "fixtures" / "mini", "reports/mini", {"nope": 1})
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: unknown parameter 'nope' (known parameters: ...)
    """
    run = _plan(data_dir, out_dir, params, force)
    check_out_parent(run.out)
    print(f"reproduce: {R.display_path(run.data_dir)} -> {R.display_path(run.out)} ({len(run.nbs)} notebooks)",
          flush=True)
    with out_lock(run.out):  # one run at a time per OUT: a second one waits (with a message)
        remove_stale(run.out)  # temporary folders of a killed run
        return _locked(run, jobs)


def _locked(run: _Run, jobs: int | None) -> Path:
    """The run itself, holding the lock of OUT (see :func:`reproduce`)."""
    manifest = read_manifest(run.out)
    if _up_to_date(run, manifest):
        return run.out
    check_kernel(KERNEL)
    from analysis.data import load_dataset

    ds = load_dataset(run.data_dir)  # every problem listed; nothing written yet
    # the audit is cached on disk: computed here once, so that the notebook kernels only read it
    run.audit = _audit()
    try:
        _prepare(run, manifest)
        failure = _execute(run, ds, max(1, int(jobs or default_jobs())))
        if failure is not None:
            _fail(run, *failure)
        _publish(run)
    finally:
        if run.tmp is not None:
            shutil.rmtree(run.tmp, ignore_errors=True)
    kind = run.res.dataset.provenance  # never guessed as real (analysis.data.provenance)
    what = f"{kind} dataset '{run.res.dataset_name}'" if kind in ("synthetic", "real") else \
        f"dataset '{run.res.dataset_name}', {kind}"
    print(f"reproduce: wrote {R.display_path(run.out)} ({what}) in {time.perf_counter() - run.t_start:.1f} s",
          flush=True)
    return run.out
