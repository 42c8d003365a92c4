"""The results bundle: everything the notebooks show, computed by the package's functions in one pass.

:func:`compute` loads (or takes) a dataset and assembles :class:`Results`: per-patient endpoints, the
tidy and display tables (:mod:`analysis.study.tables`, :mod:`analysis.study.growth`), numbers.json
(:mod:`analysis.study.numbers`), the comparison with the paper (:mod:`analysis.paper.compare`) and the data
overview (:mod:`analysis.study.overview`). :func:`compute_figures` renders every figure. Caching these
is :mod:`analysis.report.results`' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.report.files import display_path, resolve_data_dir
from analysis.study import overview as _overview

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset


@dataclass
class Results:
    """What the notebooks show. Every field comes from a function of the package."""

    key: str
    data_dir: str  # as displayed (relative to the project root when inside it)
    dataset_name: str
    is_synthetic: bool
    sha256: dict
    params: dict
    dataset: Dataset
    per_patient: Any  # DataFrame, analysis.study.endpoints.per_patient
    tidy: Any  # DataFrame, analysis.study.tables.all_tidy
    tables: dict = field(default_factory=dict)  # name -> display DataFrame
    numbers: dict = field(default_factory=dict)  # analysis.study.numbers.compute_numbers
    overview: dict = field(default_factory=dict)  # files, missingness, k-anonymity
    comparison: Any = None  # DataFrame, analysis.paper.compare.compare (None when unavailable)
    audit: Any = None  # not filled: the audit reads no data, see get_audit()
    notes: dict = field(default_factory=dict)  # why a part is missing

    def __getstate__(self) -> dict:
        """What the results cache stores: everything but the dataset (most of the bytes at registry scale;
        its files' hashes are in the cache key, and :func:`analysis.report.results.get` or the pipeline
        attach the loaded dataset again)."""
        return {**self.__dict__, "dataset": None}

    def dataset_statement(self) -> str:
        """One sentence naming the dataset and saying whether it is synthetic."""
        return _overview.dataset_statement(self.dataset, self.data_dir)

    def hashes(self) -> pd.DataFrame:
        """The SHA-256 of every dataset file, one row per file."""
        import pandas as pd

        return pd.DataFrame(sorted(self.sha256.items()), columns=["file", "sha256"])

    def parameters(self) -> pd.DataFrame:
        """The analysis parameters of the bundle, one row per parameter (values as text)."""
        import pandas as pd

        return pd.DataFrame(sorted(self.params.items()), columns=["parameter", "value"]).astype(str)


def compute_overview(data_dir, ds: Dataset | None = None, endpoints=None) -> dict:
    """:func:`analysis.study.overview.compute_overview` for a dataset folder given as the user gave it."""
    d = resolve_data_dir(data_dir)
    return _overview.compute_overview(d, display_path(d), ds=ds, endpoints=endpoints)


def compute(data_dir, params: dict | None, key: str, ds: Dataset | None = None, per_patient_frame=None,
            overview: dict | None = None) -> Results:
    """Compute the bundle in-process (validates the dataset first: DatasetInvalid lists every problem).

    ``key`` is the bundle's content key (:func:`analysis.report.results.results_key`). ``ds``,
    ``per_patient_frame`` and ``overview`` may be passed when already computed for this dataset.
    """
    import pandas as pd

    from analysis.params import resolve
    from analysis.study import agreement, effects, tables
    from analysis.study.beyond import beyond_tidy
    from analysis.study.endpoints import per_patient
    from analysis.study.growth import growth_table, recist_display, regression_display, sgr_regression
    from analysis.study.numbers import compute_numbers

    d = resolve_data_dir(data_dir)
    full = resolve({k: v for k, v in (params or {}).items() if k != "data_dir"})
    full["data_dir"] = display_path(d)
    if ds is None:
        from analysis.data import load_dataset

        ds = load_dataset(d)
    pp = per_patient(ds) if per_patient_frame is None else per_patient_frame
    if overview is None:
        overview = compute_overview(d, ds=ds, endpoints=pp)
    # each definition computed once: the tables' rows and the rows beyond the paper serve numbers.json,
    # the display tables and the effects table alike
    tidy = tables.all_tidy(ds, full, endpoints=pp)
    beyond = beyond_tidy(ds, full, endpoints=pp, tidy=tidy)
    effects_table = effects.effects_table(ds, full, endpoints=pp, tidy=pd.concat([tidy, beyond], ignore_index=True))
    displays = {
        "table1": tables.table1_display(ds, full, endpoints=pp, tidy=tidy),
        "table2": tables.table2_display(ds, full, endpoints=pp, tidy=tidy),
        "table3": tables.table3_display(ds, full, endpoints=pp, tidy=tidy),
        "table4": tables.table4_display(ds, full, endpoints=pp, tidy=tidy),
        "regression": regression_display(tidy, int(full["decimals"])),
        "regression_sgr": sgr_regression(pp),
        "recist": recist_display(tidy),
        "growth": growth_table(pp, int(full["decimals"])),
        "exclusions": overview.get("exclusions"),
        # beyond the paper (issue 14)
        "effects": effects_table,
        "multiplicity": effects.multiplicity_table(ds, full, endpoints=pp, effects=effects_table),  # not again
        "agreement": agreement.agreement_table(ds, endpoints=pp),
    }
    if displays["exclusions"] is None:
        from analysis.study.exclusions import exclusions

        displays["exclusions"] = exclusions(ds, endpoints=pp)
    numbers = compute_numbers(ds, full, endpoints=pp, tidy=tidy, beyond=beyond)  # computed once, above
    notes: dict = {}
    comparison = None
    try:
        from analysis.paper.compare import compare
        from analysis.paper.published import load_published

        comparison = compare(numbers, load_published(), full)
    except ImportError as exc:  # module not available in this checkout
        notes["comparison"] = f"analysis.paper.compare unavailable: {exc}"
    return Results(
        key=key, data_dir=display_path(d), dataset_name=ds.name,
        is_synthetic=bool(ds.is_synthetic), sha256=dict(sorted(ds.sha256.items())),
        params={k: full[k] for k in sorted(full) if k != "out_dir"}, dataset=ds, per_patient=pp, tidy=tidy,
        tables=displays, numbers=numbers, overview=overview, comparison=comparison, notes=notes)


def compute_figures(res: Results | None = None, ds: Dataset | None = None,
                    per_patient_frame=None) -> dict[str, dict[str, bytes]]:
    """PNG and SVG bytes of every figure (:func:`figure_names`) for a results bundle (or a dataset)."""
    if res is not None:
        ds, per_patient_frame = res.dataset, res.per_patient
    if per_patient_frame is None:
        from analysis.study.endpoints import per_patient

        per_patient_frame = per_patient(ds)
    return render_figures(ds, per_patient_frame, figure_names(ds))


def figure_names(ds: Dataset) -> list[str]:
    """The figures written for ``ds``, in reading order: :func:`analysis.report.figures.names`, then
    :data:`analysis.report.figures_beyond.BEYOND_FIGURES`."""
    from analysis.report import figures, figures_beyond

    return figures.names(ds) + list(figures_beyond.BEYOND_FIGURES)


def render_figures(ds: Dataset, per_patient_frame, names) -> dict[str, dict[str, bytes]]:
    """PNG and SVG bytes of the named figures (names of :func:`figure_names`), in the order given.

    Each figure is drawn by :func:`analysis.report.figures.draw` or
    :func:`analysis.report.figures_beyond.draw` and rendered by :func:`analysis.report.figures.to_bytes`.
    """
    from analysis.report import figures, figures_beyond

    out = {}
    for name in names:
        draw = figures.draw if name in figures.FIGURES else figures_beyond.draw
        fig = draw(name, ds, per_patient_frame)
        out[name] = {"png": figures.to_bytes(fig, "png"), "svg": figures.to_bytes(fig, "svg")}
    return out


def render_pickled(blob: bytes, names) -> dict[str, dict[str, bytes]]:
    """:func:`render_figures` as a task for a worker process of ``reproduce``.

    ``blob`` is ``pickle.dumps((dataset, per_patient_frame))``, made once for all the tasks of a run
    (34,000 patients pickle to 38 MB: once, not once per figure).
    """
    import pickle

    ds, per_patient_frame = pickle.loads(blob)
    return render_figures(ds, per_patient_frame, names)
