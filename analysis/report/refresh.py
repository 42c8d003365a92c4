"""Re-execute the committed notebooks in place (``make notebooks``) on the bundled dataset."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from analysis.paths import NOTEBOOKS, ROOT
from analysis.report import results as R
from analysis.report.kernels import KERNEL, check_kernel, runner_pool
from analysis.report.notebooks import declared_parameters, fast_nbformat, notebook_paths
from analysis.report.runner import NotebookFailed, progress, run_notebook


def default_data_dir() -> Path:
    """The dataset the committed notebooks are computed on: data/synthetic, or the test fixture until it exists."""
    from analysis.paths import SYNTHETIC, TESTS

    if (SYNTHETIC / "patients.csv").is_file():
        return SYNTHETIC
    return TESTS / "fixtures" / "mini"


def refresh_notebooks(data_dir=None, jobs: int | None = None) -> list[Path]:
    """Re-execute the committed notebooks in place (``make notebooks``), on the bundled dataset.

    With the registry default dataset (data/synthetic) no parameter is injected; any other
    dataset is injected as ``data_dir`` (papermill's 'injected-parameters' cell).
    """
    fast_nbformat()
    import nbformat

    from analysis.params import defaults

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    inject = R.display_path(data_dir) != defaults()["data_dir"]
    nbs = notebook_paths()
    for p in nbs:
        declared_parameters(p)
    check_kernel(KERNEL)
    params = {k: v for k, v in defaults().items()}
    # compute the bundle and the figures once, so the kernels only load them
    res = R.get(data_dir, params)
    R.store(res.overview, R.results_key(data_dir, None), "overview")
    R.get_figures(data_dir, params)
    print(f"notebooks: executing {len(nbs)} notebooks in place on '{res.dataset_name}'", flush=True)
    tmpdir = ROOT / ".cache" / "refresh"
    tmpdir.mkdir(parents=True, exist_ok=True)
    futures = {}
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    with runner_pool(jobs, str(NOTEBOOKS), KERNEL, reuse_kernel=False) as pool:
        for p in nbs:
            nb = nbformat.read(p, as_version=4)
            nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
            src = tmpdir / f"src-{p.name}"
            nbformat.write(nb, src)
            decl = declared_parameters(p)
            parameters = {"data_dir": R.display_path(data_dir)} if inject and "data_dir" in decl else {}
            futures[pool.submit(run_notebook, str(src), str(tmpdir / p.name), None, parameters, str(NOTEBOOKS))] = p
        from concurrent.futures import as_completed

        failed = []
        for k, fut in enumerate(as_completed(futures), 1):
            p, st = futures[fut], fut.result()
            progress(k, len(nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED"))
            if st["ok"]:
                shutil.copyfile(tmpdir / p.name, p)
            else:
                failed.append(f"{p.name}: cell {st.get('cell')}: {st['ename']}: {st['evalue']}")
    if failed:
        raise NotebookFailed("notebooks failed (left unchanged):\n" + "\n".join(failed))
    return nbs

