"""Re-execute the committed notebooks in place (``make notebooks``) on the bundled dataset."""

from __future__ import annotations

import shutil
from concurrent.futures import as_completed
from pathlib import Path

from analysis.paths import NOTEBOOKS, ROOT
from analysis.report import results as R
from analysis.report.kernels import KERNEL, check_kernel, default_jobs, notebook_pool
from analysis.report.notebooks import declared_parameters, fast_nbformat, notebook_paths
from analysis.report.runner import NotebookFailed, longest_first, progress, record_seconds, run_notebook


def default_data_dir() -> Path:
    """The dataset the committed notebooks are computed on: data/synthetic, or the test fixture until it exists."""
    from analysis.paths import SYNTHETIC, TESTS

    if (SYNTHETIC / "patients.csv").is_file():
        return SYNTHETIC
    return TESTS / "fixtures" / "mini"


def refresh_notebooks(data_dir=None, jobs: int | None = None) -> list[Path]:
    """Re-execute the committed notebooks in place (``make notebooks``), on the bundled dataset.

    Each notebook runs in its own fresh kernel (papermill's standard engine), up to ``jobs`` at once.
    With the registry default dataset (data/synthetic) no parameter is injected; any other dataset is
    injected as ``data_dir`` (papermill's 'injected-parameters' cell).
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
    try:  # the audit is cached on disk: computed once here, only read by the kernels
        from analysis.paper.verdicts import audit_results

        audit_results()
    except ImportError:
        pass
    print(f"notebooks: executing {len(nbs)} notebooks in place on '{R.display_path(data_dir)}'", flush=True)
    tmpdir = ROOT / ".cache" / "refresh"
    tmpdir.mkdir(parents=True, exist_ok=True)
    futures = {}
    failed = []
    done = []
    with notebook_pool(max(1, int(jobs or default_jobs()))) as pool:
        for p in longest_first(nbs):
            nb = nbformat.read(p, as_version=4)
            nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
            src = tmpdir / f"src-{p.name}"
            nbformat.write(nb, src)
            injected = inject and "data_dir" in declared_parameters(p)
            parameters = {"data_dir": R.display_path(data_dir)} if injected else {}
            futures[pool.submit(run_notebook, str(src), str(tmpdir / p.name), None, parameters, str(NOTEBOOKS))] = p
        for k, fut in enumerate(as_completed(futures), 1):
            p, st = futures[fut], fut.result()
            done.append((p, st))
            progress(k, len(nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED"))
            if st["ok"]:
                shutil.copyfile(tmpdir / p.name, p)
            else:
                failed.append(f"{p.name}: cell {st.get('cell')}: {st['ename']}: {st['evalue']}")
    record_seconds({p.name: st["seconds"] for p, st in done})
    if failed:
        raise NotebookFailed("notebooks failed (left unchanged):\n" + "\n".join(failed))
    return nbs
