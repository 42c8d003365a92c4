"""The narrative notebooks and what they call: new statistics, verdicts with audit findings, the explorer.

- Welch's t-test and the permutation test against scipy and hand-computed values;
- how audit findings are matched to published numbers, and Table 2's impossible after-TACE p;
- the explorer for every endpoint, grouping, test and plot;
- (slow) each table notebook executed alone with papermill in a fresh ``tace-net`` kernel on the
  mini fixture shows exactly the numbers of :func:`analysis.study.numbers.compute_numbers` on it
  (read back from the output metadata ``tace-net.numbers`` of the executed notebook), and
  ``explore.ipynb`` executes headless.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis import params as registry
from analysis.data import load_dataset
from analysis.paper import verdicts
from analysis.report import explore, narrative
from analysis.stats.location import permutation_test, welch_t
from conftest import r_differences

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
NOTEBOOKS = ROOT / "notebooks"
TABLE_NOTEBOOKS = {  # notebook -> the numbers-key prefixes it must show
    "00_overview.ipynb": ("n.",),
    "01_table1.ipynb": ("table1.",),
    "02_table2.ipynb": ("table2.",),
    "03_table3.ipynb": ("table3.",),
    "04_table4.ipynb": ("table4.",),
    "05_regression.ipynb": ("regression.",),
    "06_recist.ipynb": ("recist.",),
    "08_report.ipynb": ("table2.", "table3.", "recist."),
}

# ------------------------------------------------------------------ Welch's t-test


def _mean_diff(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def test_welch_t_by_hand():
    # x = 1..4: mean 2.5, var 5/3; y = 2,4,..,10: mean 6, var 10; se² = 5/12 + 2
    r = welch_t([1, 2, 3, 4], [2, 4, 6, 8, 10])
    se2 = 5 / 12 + 2
    assert r.statistic == pytest.approx(-3.5 / math.sqrt(se2), rel=1e-12)
    assert r.df == pytest.approx(se2 ** 2 / ((5 / 12) ** 2 / 3 + 2 ** 2 / 4), rel=1e-12)
    assert r.p == pytest.approx(0.06913359319, rel=1e-8)  # R: t.test(1:4, c(2,4,6,8,10))$p.value
    assert (r.test, r.method, r.n1, r.n2) == ("Welch t-test", "t distribution (Welch)", 4, 5)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_welch_t_equals_scipy(alternative, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, 7 + seed), rng.normal(0.8, 3, 12)
    r = welch_t(x, y, alternative=alternative)
    ref = sps.ttest_ind(x, y, equal_var=False, alternative=alternative)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p == pytest.approx(ref.pvalue, rel=1e-10)
    assert r.df == pytest.approx(ref.df, rel=1e-12)


def test_welch_t_refuses_too_few_values_and_reports_constant_samples():
    with pytest.raises(ValueError, match="at least 2"):
        welch_t([1.0], [2.0, 3.0])
    r = welch_t([2.0, 2.0], [2.0, 2.0, 2.0])
    assert math.isnan(r.p) and "constant" in r.note


# ------------------------------------------------------------------ permutation test


def test_permutation_test_by_hand():
    # 20 ways to choose 3 of 6; only {1,2,3} is as low as observed, only {4,5,6} as high: 2 * 1/20
    r = permutation_test([1, 2, 3], [4, 5, 6])
    assert r.p == pytest.approx(0.1)
    assert r.statistic == -3.0
    assert r.method == "exact (all 20 relabellings)"
    assert permutation_test([1, 2, 3], [4, 5, 6], alternative="less").p == pytest.approx(0.05)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_exact_permutation_test_equals_scipy(alternative):
    x = [1.2, 3.4, 2.2, 5.1, 0.3, 2.9, 4.4]
    y = [3.3, 6.1, 4.8, 7.7, 2.0, 5.5, 6.6, 3.9]
    r = permutation_test(x, y, alternative=alternative)
    ref = sps.permutation_test((x, y), _mean_diff, permutation_type="independent", n_resamples=np.inf,
                               alternative=alternative, vectorized=True)
    assert r.method.startswith("exact")
    assert r.p == pytest.approx(ref.pvalue, rel=1e-12)


def test_permutation_test_with_ties_equals_scipy():
    x, y = [1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6]
    ref = sps.permutation_test((x, y), _mean_diff, permutation_type="independent", n_resamples=np.inf,
                               vectorized=True)
    assert permutation_test(x, y).p == pytest.approx(ref.pvalue, rel=1e-12)


def test_monte_carlo_permutation_test_is_reproducible_and_near_the_exact_p():
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, 8), rng.normal(0.7, 1, 9)   # C(17, 8) = 24310 > 9999: Monte Carlo
    a, b = permutation_test(x, y), permutation_test(x, y)
    assert a.p == b.p and "Monte Carlo" in a.method and "seed" in a.method
    exact = sps.permutation_test((x, y), _mean_diff, permutation_type="independent", n_resamples=np.inf,
                                 vectorized=True).pvalue
    assert abs(a.p - exact) < 4 * math.sqrt(exact * (1 - exact) / 9999) + 1e-4
    assert permutation_test(x, y, n_resamples=30000).method.startswith("exact")


def test_attempt_turns_a_refusal_into_a_described_nan_result():
    r = narrative.attempt(welch_t, [1.0], [2.0, 3.0])
    assert math.isnan(r.p) and "at least 2" in r.note and (r.n1, r.n2) == (1, 2)
    row = narrative.describe(r, ("a", "b"))
    assert row.loc[0, "comparison"] == "a (n=1) vs b (n=2)"


# ------------------------------------------------------------------ audit findings beside published numbers


@pytest.mark.parametrize("where, expected", [
    ("table2: table2.after.p (quartiles from table2)", (("table2",), "table2.after.p")),
    ("abstract vs table3: table3.tace.p", (("abstract", "table3"), "table3.tace.p")),
    ("abstract + table4: table4.group1.ttp.p (quartiles from table4)", (("abstract", "table4"), "table4.group1.ttp.p")),
    ("table1 t_stage.T1", (("table1",), "t_stage.t1")),
    ("results RECIST group2", (("results",), "recist.group2")),
    ("table3 vs table4 TTP group1", (("table3", "table4"), "ttp.group1")),
    ("table1 age mean (GRIM)", (("table1",), "age.mean")),
])
def test_audit_places_are_parsed(where, expected):
    assert verdicts._dotted(where) == expected


def test_findings_are_matched_by_section_and_name_most_severe_first():
    pub = pd.DataFrame([
        {"id": "table2:after.p", "key": "table2.after.p", "where": "table2", "unit": "p"},
        {"id": "results:table2.after.p", "key": "table2.after.p", "where": "results", "unit": "p"},
        {"id": "table1:t_stage.T1.n", "key": "table1.t_stage.T1.n", "where": "table1", "unit": "count"},
        {"id": "table1:t_stage.T1.pct", "key": "", "where": "table1", "unit": "percent"},
    ])
    audit = pd.DataFrame([
        {"check": "agreement", "where": "results vs table2: table2.after.p", "verdict": "consistent",
         "explanation": "same"},
        {"check": "p_feasibility", "where": "table2: table2.after.p (quartiles from table2)",
         "verdict": "inconsistent", "explanation": "impossible"},
        {"check": "percent", "where": "table1 t_stage.T1", "verdict": "inconsistent", "explanation": "bad %"},
    ])
    found = verdicts.findings_for(pub, audit)
    assert found["table2:after.p"] == ("inconsistent", "impossible")
    assert found["results:table2.after.p"] == ("consistent", "same")
    assert found["table1:t_stage.T1.pct"] == ("inconsistent", "bad %")
    assert "table1:t_stage.T1.n" not in found  # a percentage check is about the percentage


def test_topics_select_their_published_numbers():
    from analysis.paper.published import load_published

    pub = load_published()
    for topic, (keys, ids) in verdicts.TOPICS.items():
        sel = verdicts.select(topic, pub)
        assert len(sel), topic
        assert all(str(k).startswith(keys) or str(i).startswith(ids) for k, i in zip(sel["key"], sel["id"]))
    assert len(verdicts.select("all", pub)) == len(pub)
    with pytest.raises(ValueError, match="unknown topic"):
        verdicts.select("table9", pub)


@pytest.mark.slow
def test_table2_after_p_is_shown_beside_the_audit_statement_that_it_is_impossible():
    from analysis.study import tables

    ds = load_dataset(ROOT / "data" / "synthetic")
    p = registry.defaults()
    v = verdicts.table_verdicts("table2", tables.table2(ds, p), p)
    row = v[v["id"] == "table2:after.p"].iloc[0]
    assert row["published"] == pytest.approx(0.00036)
    assert row["reproduced"] == pytest.approx(tables.table2(ds, p).set_index("key").loc["table2.after.p", "value"])
    assert row["audit"] == "inconsistent" and "0.00036" in row["finding"]
    assert set(v["key"].str[:7]) == {"table2."}


# ------------------------------------------------------------------ explorer


@pytest.fixture(scope="module")
def mini():
    return load_dataset(MINI)


@pytest.mark.parametrize("endpoint", list(explore.ENDPOINTS))
@pytest.mark.parametrize("grouping", list(explore.GROUPINGS))
def test_explore_every_endpoint_and_grouping(mini, endpoint, grouping):
    ex = explore.explore(mini, endpoint, grouping)
    assert len(ex.results) == (2 if grouping == "both" else 1)
    assert ex.reading.startswith("Endpoint:") and "Mann-Whitney" in ex.method


@pytest.mark.parametrize("test", list(explore.TESTS))
@pytest.mark.parametrize("plot", list(explore.PLOTS))
def test_explore_every_test_and_plot(mini, test, plot):
    ex = explore.explore(mini, "ttp_tace", "group", test, plot)
    assert explore.TESTS[test] in ex.method and ex.figure.axes


def test_explore_uses_the_same_mann_whitney_as_the_tables(mini):
    from analysis.study import tables

    p = registry.defaults()
    ex = explore.explore(mini, "v1", "group", "mwu_r")
    assert ex.tests[0].p == tables.table2(mini, p).set_index("key").loc["table2.after.p", "value"]


def test_explore_refuses_unknown_choices(mini):
    with pytest.raises(ValueError, match="endpoint must be one of"):
        explore.explore(mini, endpoint="weight")


# ------------------------------------------------------------------ notebooks executed alone


def _execute(name: str, tmp_path: Path, **parameters) -> dict:
    import papermill as pm

    out = tmp_path / name
    pm.execute_notebook(str(NOTEBOOKS / name), str(out), parameters=parameters, kernel_name="tace-net",
                        progress_bar=False, cwd=str(ROOT))
    return json.loads(out.read_text(encoding="utf-8"))


def _shown_numbers(nb: dict) -> dict:
    shown: dict = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out.get("evalue")
            shown.update(out.get("metadata", {}).get(narrative.META, {}).get("numbers", {}))
    return shown


@pytest.fixture(scope="module")
def mini_numbers():
    from analysis.study.numbers import compute_numbers

    return compute_numbers(load_dataset(MINI), registry.defaults())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TABLE_NOTEBOOKS))
def test_notebook_run_alone_shows_the_numbers_of_compute_numbers(name, tmp_path, mini_numbers):
    shown = _shown_numbers(_execute(name, tmp_path, data_dir=str(MINI.relative_to(ROOT))))
    for prefix in TABLE_NOTEBOOKS[name]:
        assert any(k.startswith(prefix) for k in shown), f"{name} shows no {prefix}* number"
    for key, value in shown.items():
        assert key in mini_numbers, key
        expected = mini_numbers[key]
        if expected is None:
            assert value is None, key
        else:
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-12), key


def _r_reference(name: str) -> dict:
    """R's numbers of a test dataset: ``tests/r/fixtures/numbers_<name>.json`` (tests/r/dataset_numbers.R) and
    ``beyond_numbers_<name>.json`` (tests/r/beyond_numbers.R), written by R 4.2 from the dataset's files."""
    ref = {}
    for stem in ("numbers", "beyond_numbers"):
        part = json.loads((ROOT / "tests" / "r" / "fixtures" / f"{stem}_{name}.json").read_text(encoding="utf-8"))
        part.pop("_meta")
        ref.update(part)
    return ref


R_DATASETS = {"large": "tests/fixtures/numbers/large", "edge": "tests/fixtures/numbers/edge"}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", sorted(R_DATASETS))
@pytest.mark.parametrize("name", sorted(set(TABLE_NOTEBOOKS) - {"08_report.ipynb"}))
def test_notebook_run_alone_on_another_dataset_shows_r_numbers_for_that_dataset(name, dataset, tmp_path):
    """What the reviewer does: one table notebook, papermill, a fresh kernel, a dataset other than the one the
    notebook was written on. ``large`` has 55 patients per group (R's normal approximation with continuity
    correction between the groups), ``edge`` an empty subgroup, all-tied TTPs and a two-point regression (R's
    NA). Every number the notebook shows must be R's (1e-9 relative) or, where R gives NA, shown as none."""
    ref = _r_reference(dataset)
    shown = _shown_numbers(_execute(name, tmp_path, data_dir=R_DATASETS[dataset]))
    for prefix in TABLE_NOTEBOOKS[name]:
        assert any(k.startswith(prefix) for k in shown), f"{name} shows no {prefix}* number"
    bad = r_differences(shown, {key: ref[key] for key in shown})
    assert not bad, f"{name} on {dataset}: (key, shown, R) {bad}"


@pytest.mark.slow
def test_explore_notebook_executes_headless_with_default_choices(tmp_path):
    nb = _execute("explore.ipynb", tmp_path, data_dir=str(MINI.relative_to(ROOT)))
    kinds = [k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})]
    assert "image/png" in kinds and "text/markdown" in kinds
    text = json.dumps(nb)
    assert "Reading." in text and "Mann-Whitney" in text
