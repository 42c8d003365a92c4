"""The student's explorer (``notebooks/explore.ipynb``): pick an endpoint, a grouping, a test and a plot.

:func:`explore` does one comparison and returns an :class:`Exploration` (figure, result table, the
method in words, a plain-language reading); :func:`show` displays it; :func:`controls` builds the
ipywidgets drop-downs that re-run :func:`explore` on every change (it renders once with the defaults,
so the notebook also shows a result when executed headless).

Choices
-------
endpoints (:data:`ENDPOINTS`)
    V0, V1, volume change, doubling time, SGR, TTP after chemotherapy, TTP after TACE
    (definitions: :mod:`analysis.study.endpoints`).
groupings (:data:`GROUPINGS`)
    ``group`` (1 vs 2), ``tace_timing`` (immediately vs after chemotherapy, groups pooled), ``both``
    (immediately vs after chemotherapy within each group, as Table 4: two tests).
tests (:data:`TESTS`)
    Mann-Whitney with R's rule, Mann-Whitney by the normal approximation, Welch's t-test, and a
    permutation test of the difference of means with a fixed seed.
plots (:data:`PLOTS`)
    strip (dots over boxes), box, ECDF, paired lines (V0 -> V1 or TTP after chemotherapy -> after TACE
    for the endpoints that have a partner; other endpoints fall back to a strip plot, and the
    reading says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from analysis.report import narrative, plots

#: endpoint -> (label, unit, paired partner (before, after, names) or None)
ENDPOINTS: dict[str, tuple[str, str, tuple[str, str, tuple[str, str]] | None]] = {
    "v0": ("tumour volume before TACE 1 (V0)", "cm³", ("v0", "v1", ("V0", "V1"))),
    "v1": ("tumour volume after TACE 1 (V1)", "cm³", ("v0", "v1", ("V0", "V1"))),
    "volume_change": ("volume change V1 − V0", "cm³", ("v0", "v1", ("V0", "V1"))),
    "doubling_time": ("Schwartz doubling time", "days", None),
    "sgr": ("specific growth rate ln(V1/V0)/Δt", "per day", None),
    "ttp_chemo": ("time to progression after chemotherapy", "days",
                  ("ttp_chemo", "ttp_tace", ("after chemotherapy", "after TACE"))),
    "ttp_tace": ("time to progression after TACE", "days",
                 ("ttp_chemo", "ttp_tace", ("after chemotherapy", "after TACE"))),
}
GROUPINGS = {"group": "group 1 vs group 2", "tace_timing": "TACE immediately vs after chemotherapy",
             "both": "TACE timing within each group (as Table 4)"}
TESTS = {"mwu_r": "Mann-Whitney U, R's rule (exact when possible)",
         "mwu_normal": "Mann-Whitney U, normal approximation",
         "welch": "Welch's t-test", "permutation": "permutation test (seeded)"}
PLOTS = {"strip": "strip (dots over boxes)", "box": "box", "ecdf": "ECDF", "paired": "paired lines"}
DEFAULTS = {"endpoint": "volume_change", "grouping": "group", "test": "mwu_r", "plot": "strip"}

_WHAT = {
    "mwu_r": "compares the ranks of the values: would a patient from the first sample tend to have a larger "
             "value than one from the second?",
    "mwu_normal": "compares the ranks like the exact version, with the p-value from the normal approximation "
                  "instead of the exact distribution (the two differ most in small samples)",
    "welch": "compares the means, allowing different spreads; it assumes roughly normal means, which a few "
             "extreme patients can break",
    "permutation": "compares the means by shuffling the group labels many times and asking how often a "
                   "difference this large appears by chance",
}


@dataclass
class Exploration:
    """One comparison: what was chosen, the figure, the result rows, the method and the reading."""

    choices: dict
    figure: Any
    results: Any
    method: str
    reading: str
    tests: list = field(default_factory=list)


def _check(name: str, value: str, allowed: dict) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def comparisons(pp, endpoint: str, grouping: str) -> list[tuple[str, dict]]:
    """(title, {label: values}) of each two-sample comparison the grouping asks for."""
    if grouping == "group":
        return [("", narrative.by_group(pp, endpoint))]
    if grouping == "tace_timing":
        return [("groups pooled", narrative.by_timing(pp, endpoint))]
    return [(narrative.GROUP_LABELS[g], narrative.by_timing(pp, endpoint, g)) for g in (1, 2)]


def run_test(test: str, x, y, params: dict):
    """The chosen two-sample test on ``x`` vs ``y`` (a :class:`analysis.stats.results.TestResult`)."""
    from analysis import stats
    from analysis.stats.location import permutation_test, welch_t

    if test == "mwu_r":
        return stats.mann_whitney(x, y, method="r", correct=bool(params["mwu_correct"]))
    if test == "mwu_normal":
        return stats.mann_whitney(x, y, method="asymptotic", correct=bool(params["mwu_correct"]))
    if test == "welch":
        return welch_t(x, y)
    return permutation_test(x, y, seed=int(params.get("seed", 20221027)))


def _safe_test(test, x, y, params):
    try:
        return run_test(test, x, y, params), ""
    except ValueError as exc:
        return None, str(exc)


def _median_text(values, unit, qtype) -> str:
    from analysis import stats

    if len(values) == 0:
        return "no values"
    s = stats.summary(values, type=qtype)
    return f"median {s['median']:.3g} {unit} (quartiles {s['q1']:.3g} to {s['q3']:.3g}; n={s['n']})"


def reading(endpoint: str, test: str, comps: list, results: list, alpha: float, qtype: int = 7) -> str:
    """A plain-language reading of the comparisons (one paragraph per comparison)."""
    label, unit, _ = ENDPOINTS[endpoint]
    parts = [f"Endpoint: {label}. Test: {TESTS[test]}; it {_WHAT[test]}."]
    for (title, groups), (res, err) in zip(comps, results):
        (a, xa), (b, xb) = groups.items()
        where = f"{title}: " if title else ""
        desc = f"{where}{a}: {_median_text(xa, unit, qtype)}; {b}: {_median_text(xb, unit, qtype)}."
        if res is None or math.isnan(res.p):
            parts.append(f"{desc} No p-value: {err or res.note or 'not computable'}.")
            continue
        verdict = ("below" if res.p < alpha else "not below")
        meaning = ("so these data would be unusual if the two samples came from the same distribution"
                   if res.p < alpha else
                   "so these data do not show a difference; with samples this small that is not evidence "
                   "that there is none")
        parts.append(f"{desc} p = {res.p:.3g} ({res.method}) is {verdict} alpha = {alpha:g}, {meaning}.")
    if endpoint == "doubling_time":
        parts.append("Careful: a tumour that barely changed has a doubling time near ±infinity, and a "
                     "shrinking one a negative 'doubling' time; ranks cope with that, means do not. "
                     "The SGR endpoint avoids the problem.")
    return "\n\n".join(parts)


def _figure(pp, endpoint, grouping, plot, comps, synthetic):
    label, unit, pair = ENDPOINTS[endpoint]
    groups = {}
    for title, g in comps:
        groups.update({(f"{title}: {k}" if title else k): v for k, v in g.items()})
    if plot == "paired" and pair is not None:
        before, after, names = pair
        by = "group" if grouping == "group" else "tace_timing"
        frame = pp.assign(group=pp["group"].map(narrative.GROUP_LABELS),
                          tace_timing=pp["tace_timing"].map(narrative.TIMING_LABELS))
        return plots.paired(frame, before, after, by, names, ylabel=unit, title=f"{names[0]} → {names[1]}",
                            synthetic=synthetic)
    if plot == "ecdf":
        return plots.ecdf(groups, xlabel=f"{label}, {unit}", synthetic=synthetic)
    if plot == "box":
        return plots.box(groups, ylabel=f"{label}, {unit}", synthetic=synthetic)
    return plots.strip(groups, ylabel=f"{label}, {unit}", synthetic=synthetic)


def explore(ds, endpoint: str = "volume_change", grouping: str = "group", test: str = "mwu_r",
            plot: str = "strip", params: dict | None = None, per_patient=None) -> Exploration:
    """One comparison of ``endpoint`` by ``grouping`` with ``test``, drawn as ``plot``.

    Parameters
    ----------
    ds : analysis.data.Dataset
    endpoint, grouping, test, plot : str
        Keys of :data:`ENDPOINTS`, :data:`GROUPINGS`, :data:`TESTS`, :data:`PLOTS`.
    params : dict, optional
        Analysis parameters (``alpha``, ``mwu_correct``, ``quantile_type``, ``seed``); defaults if omitted.
    per_patient : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` when already computed.
    """
    import pandas as pd

    from analysis.params import resolve
    from analysis.study.endpoints import per_patient as _pp

    for n, v, allowed in (("endpoint", endpoint, ENDPOINTS), ("grouping", grouping, GROUPINGS),
                          ("test", test, TESTS), ("plot", plot, PLOTS)):
        _check(n, v, allowed)
    params = resolve(params or {})
    pp = _pp(ds) if per_patient is None else per_patient
    comps = comparisons(pp, endpoint, grouping)
    results = [_safe_test(test, *list(g.values()), params) for _, g in comps]
    rows = []
    for (title, g), (res, err) in zip(comps, results):
        labels = tuple(f"{title}: {k}" if title else k for k in g)
        if res is not None:
            rows.append(narrative.describe(res, labels))
        else:
            rows.append(pd.DataFrame([{"comparison": " vs ".join(labels), "test": TESTS[test], "note": err}]))
    fig = _figure(pp, endpoint, grouping, plot, comps, bool(ds.is_synthetic))
    method = f"{TESTS[test]}, two-sided; alpha = {params['alpha']:g}."
    text = reading(endpoint, test, comps, results, float(params["alpha"]), int(params["quantile_type"]))
    if plot == "paired" and ENDPOINTS[endpoint][2] is None:
        text += "\n\n(This endpoint has no before/after partner, so a strip plot is shown instead of paired lines.)"
    return Exploration(choices=dict(endpoint=endpoint, grouping=grouping, test=test, plot=plot),
                       figure=fig, results=pd.concat(rows, ignore_index=True), method=method, reading=text,
                       tests=[r for r, _ in results])


def show(ex: Exploration) -> None:
    """Display an exploration: the figure, the result table, the method and the reading."""
    from IPython.display import Markdown, display

    display(plots.image(ex.figure))
    display(ex.results)
    display(Markdown(f"**Method.** {ex.method}\n\n**Reading.** " + ex.reading))


def controls(ds, params: dict | None = None, **initial):
    """ipywidgets drop-downs (endpoint, grouping, test, plot) and an output area kept up to date.

    Renders once with ``initial`` (default :data:`DEFAULTS`) before returning, so the output area is
    filled even when no browser is attached.
    """
    import ipywidgets as w
    from IPython.display import clear_output

    from analysis.study.endpoints import per_patient

    pp = per_patient(ds)
    start = {**DEFAULTS, **initial}
    boxes = {name: w.Dropdown(options=[(v, k) for k, v in choices.items()], value=start[name],
                              description=name.capitalize(), style={"description_width": "70px"})
             for name, choices in (("endpoint", {k: v[0] for k, v in ENDPOINTS.items()}),
                                   ("grouping", GROUPINGS), ("test", TESTS), ("plot", PLOTS))}
    out = w.Output()

    def update(_change=None):
        with out:
            if _change is not None:  # nothing to clear on the first rendering
                clear_output(wait=True)
            show(explore(ds, params=params, per_patient=pp, **{k: b.value for k, b in boxes.items()}))

    for b in boxes.values():
        b.observe(update, names="value")
    update()
    return w.VBox([w.HBox(list(boxes.values())[:2]), w.HBox(list(boxes.values())[2:]), out])
