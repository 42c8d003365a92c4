"""R parity of the "beyond the paper" statistics (issue 14 items 1-4).

Reference values: ``tests/r/fixtures/beyond.json``, written by ``Rscript tests/r/beyond_fixtures.R``
(R 4.2.2, survival 3.5; the versions are stored in the fixture and checked below). Every number is
compared at 1e-9 relative tolerance (absolute 1e-12 where R's value is 0); R's NA/NaN must be NaN/None
here and vice versa.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.stats.agreement import cohens_kappa
from analysis.stats.multiplicity import bonferroni, holm_bonferroni
from analysis.stats.rmath import psignrank as _psignrank
from analysis.stats.rmath import pwilcox as _pwilcox
from analysis.stats.rmath import pnorm as _pnorm_r
from analysis.stats.rmath import qnorm as _qnorm_r
from analysis.stats.rmath import qsignrank as _qsignrank
from analysis.stats.rmath import qwilcox as _qwilcox
from analysis.stats.shift import (
    bootstrap_ratio_of_medians,
    hodges_lehmann_two_sample,
    rank_biserial,
    wilcoxon_paired_ci,
)
from analysis.stats.survival import (
    kaplan_meier,
    km_median,
    logrank_test,
    numbers_at_risk,
    survfit_km,
)

FIXTURE = Path(__file__).parent / "r" / "fixtures" / "beyond.json"
DATA = json.loads(FIXTURE.read_text())
REL, ABS = 1e-9, 1e-12


def vec(v):
    """jsonlite's auto_unbox writes length-1 vectors as scalars; null is R's NA."""
    a = v if isinstance(v, list) else [v]
    return np.array([math.nan if e is None else e for e in a], dtype=float)


def same(ours, r) -> bool:
    ours = math.nan if ours is None else float(ours)
    r = math.nan if r is None else float(r)
    if math.isnan(ours) or math.isnan(r):
        return math.isnan(ours) and math.isnan(r)
    if math.isinf(ours) or math.isinf(r):
        return ours == r
    return math.isclose(ours, r, rel_tol=REL, abs_tol=ABS)


def assert_same(ours, r, what):
    assert same(ours, r), f"{what}: python {ours!r} != R {r!r}"


def assert_vec(ours, r, what):
    o, rr = np.asarray(ours, dtype=float), vec(r)
    assert o.shape == rr.shape, f"{what}: length {o.shape} vs R {rr.shape}"
    for i, (a, b) in enumerate(zip(o, rr)):
        assert_same(a, b, f"{what}[{i}]")


def ids(cases):
    return [c["name"] for c in cases]


def test_fixture_from_r_4_2():
    assert DATA["r_version"].startswith("R version 4.2"), DATA["r_version"]
    assert DATA["survival_version"].startswith("3."), DATA["survival_version"]


# ---- signed rank and rank sum ---------------------------------------------------------------------


def check_shift_against_r(fn, case):
    """Run ``fn(x, y, conf_level, correct)`` on an R case; R stopped -> ValueError here."""
    x, y = vec(case["x"]), vec(case["y"])
    if "error" in case:
        with pytest.raises(ValueError):
            fn(x, y, case["conf_level"], case["correct"])
        return None
    r = fn(x, y, case["conf_level"], case["correct"])
    for key in ("p", "statistic", "estimate", "lower", "upper"):
        assert_same(getattr(r, key), case[key], f"{case['name']} {key}")
    assert_same(r.conf_level, case["r_conf_level"], f"{case['name']} conf.level")
    assert r.method == case["method"]
    if isinstance(case.get("estimate_name"), str):
        assert r.estimate_name == case["estimate_name"]
    return r


@pytest.mark.parametrize("case", DATA["paired"], ids=ids(DATA["paired"]))
def test_wilcoxon_paired_ci_matches_r(case):
    r = check_shift_against_r(wilcoxon_paired_ci, case)
    x, y = vec(case["x"]), vec(case["y"])
    assert r is None or (r.n1 == len(x) and r.n == int(np.sum(x - y != 0)))


def test_paired_cases_cover_both_branches():
    methods = {c.get("method") for c in DATA["paired"]}
    assert "Wilcoxon signed rank exact test" in methods
    assert "Wilcoxon signed rank test with continuity correction" in methods
    assert "Wilcoxon signed rank test" in methods  # correct = FALSE
    assert {len(vec(c["x"])) for c in DATA["paired"]} >= set(range(1, 61))


@pytest.mark.parametrize("case", DATA["two_sample"], ids=ids(DATA["two_sample"]))
def test_hodges_lehmann_two_sample_matches_r(case):
    if check_shift_against_r(hodges_lehmann_two_sample, case) is not None:
        x, y = vec(case["x"]), vec(case["y"])
        assert_same(rank_biserial(x, y), case["rank_biserial"], f"{case['name']} rank_biserial")


def test_rank_biserial_sign_and_pingouin():
    import pingouin as pg

    assert rank_biserial([10, 11, 12], [1, 2, 3]) == 1.0
    assert rank_biserial([1, 2, 3], [10, 11, 12]) == -1.0
    x, y = [3.1, 4.5, 2.2, 8.0, 5.5], [1.0, 2.5, 4.0, 3.3]
    rbc = float(pg.mwu(x, y)["RBC"].iloc[0])
    assert math.isclose(rank_biserial(x, y), rbc, rel_tol=1e-12)


def test_exact_quantile_functions_against_definitions():
    # qsignrank / qwilcox are the smallest q with P(V <= q) >= p (R's definition, fuzz 10 eps)
    for n in (1, 5, 12, 30):
        for p in (0.005, 0.025, 0.05, 0.5, 0.975):
            q = _qsignrank(p, n)
            assert _psignrank(q, n) >= p - 1e-12
            assert q == 0 or _psignrank(q - 1, n) < p
    for m, n in ((1, 1), (3, 4), (10, 7)):
        for p in (0.025, 0.05, 0.5, 0.9):
            q = _qwilcox(p, m, n)
            assert _pwilcox(q, m, n) >= p - 1e-12
            assert q == 0 or _pwilcox(q - 1, m, n) < p


def test_qnorm_port_is_bit_identical_to_r():
    q = DATA["qnorm"]
    for p, lo, up in zip(q["p"], q["lower"], q["upper"]):
        assert _qnorm_r(p) == lo and _qnorm_r(p, lower_tail=False) == up, p


def test_pnorm_port_is_bit_identical_to_r_in_every_branch_and_both_tails():
    """342 points of R 4.2.2's pnorm (beyond_fixtures.R section 7): both sides of every branch point of
    Cody's algorithm, the far tails where R returns denormals or 0, and random draws."""
    q = DATA["pnorm"]
    assert len(q["x"]) == 342
    for x, lo, up in zip(q["x"], q["lower"], q["upper"]):
        assert _pnorm_r(x) == lo and _pnorm_r(x, lower_tail=False) == up, x


def test_paired_missing_values_refused_unless_dropna():
    with pytest.raises(ValueError, match="missing"):
        wilcoxon_paired_ci([1, 2, np.nan], [0, 0, 0])
    r = wilcoxon_paired_ci([1, 2, np.nan, 4], [0, 0, 0, 0], dropna=True)
    assert r.n1 == 3


# ---- Kaplan-Meier, survdiff --------------------------------------------------------------------


@pytest.mark.parametrize("case", DATA["km"], ids=ids(DATA["km"]))
def test_survfit_km_matches_r(case):
    t, e = vec(case["time"]), np.atleast_1d(np.asarray(case["event"], dtype=bool))
    curve = survfit_km(t, e)
    assert_vec(curve["time"], case["r_time"], "time")
    assert_vec(curve["n_risk"], case["r_n_risk"], "n.risk")
    assert_vec(curve["n_event"], case["r_n_event"], "n.event")
    assert_vec(curve["n_censor"], case["r_n_censor"], "n.censor")
    assert_vec(curve["surv"], case["r_surv"], "surv")
    assert_vec(curve["lower"], case["r_lower"], "lower")
    assert_vec(curve["upper"], case["r_upper"], "upper")
    se_r = vec(case["r_std_err"])
    finite = np.isfinite(se_r) & (curve["surv"].to_numpy() > 0)
    assert_vec(curve["std_err"].to_numpy()[finite], se_r[finite].tolist(), "std.err")
    med = km_median(t, e)  # print(fit) / summary(fit)$table
    assert_same(med["median"], case["table_median"], "table median")
    assert_same(med["lower"], case["table_lcl"], "table 0.95LCL")
    assert_same(med["upper"], case["table_ucl"], "table 0.95UCL")
    q = km_median(t, e, rule="quantile")  # quantile(fit, 0.5)
    assert_same(q["median"], case["median"], "quantile median")
    assert_same(q["lower"], case["median_lower"], "quantile lower")
    assert_same(q["upper"], case["median_upper"], "quantile upper")
    assert numbers_at_risk(t, vec(case["at"])) == [int(v) for v in vec(case["n_risk_at"])]


def test_km_cases_cover_not_reached_and_flat():
    med = {c["name"]: c["table_median"] for c in DATA["km"]}
    assert med["median_not_reached"] is None
    assert med["flat_at_half"] == 2.5
    # the one case where print(fit) and quantile(fit) differ in survival 3.5
    case = next(c for c in DATA["km"] if c["name"] == "flat_at_half_censored_end")
    assert (case["table_median"], case["median"]) == (3, 4.5)


def test_survfit_km_agrees_with_existing_kaplan_meier():
    case = next(c for c in DATA["km"] if c["name"] == "censoring_and_ties")
    t, e = vec(case["time"]), np.asarray(case["event"], dtype=bool)
    old = kaplan_meier(t, e).iloc[1:]
    new = survfit_km(t, e)
    new = new[new["n_event"] > 0]
    assert np.allclose(old["survival"].to_numpy(), new["surv"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("case", DATA["logrank"], ids=ids(DATA["logrank"]))
def test_logrank_matches_survdiff(case):
    r = logrank_test(vec(case["time"]), vec(case["event"]).astype(bool), case["group"])
    assert_same(r["chisq"], case["chisq"], "chisq")
    assert r["df"] == case["df"]
    assert_same(r["p"], case["p"], "p")
    assert_vec(r["observed"], case["observed"], "observed")
    assert_vec(r["expected"], case["expected"], "expected")


# ---- p.adjust ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DATA["p_adjust"])
def test_holm_bonferroni_match_p_adjust(case):
    r = holm_bonferroni(vec(case["p"]))
    assert_vec(r["holm"], case["holm"], "holm")
    assert_vec(r["bonferroni"], case["bonferroni"], "bonferroni")
    assert_vec(bonferroni(vec(case["p"])), case["bonferroni"], "bonferroni()")


def test_holm_equals_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = [0.001, 0.2, 0.049, 0.5, 0.012, 0.9, 0.03]
    assert np.allclose(holm_bonferroni(p)["holm"], multipletests(p, method="holm")[1], rtol=1e-12)


# ---- kappa -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DATA["kappa"], ids=ids(DATA["kappa"]))
def test_cohens_kappa_matches_r(case):
    r = cohens_kappa(case["a"], case["b"], labels=case["labels"])
    for key in ("kappa", "se", "lower", "upper"):
        assert_same(r[key], case[key], f"{case['name']} {key}")
    if "vcd_kappa" in case:
        assert_same(r["kappa"], case["vcd_kappa"], "vcd::Kappa value")
        assert_same(r["se"], case["vcd_ase"], "vcd::Kappa ASE")


def test_kappa_when_one_rater_uses_one_category_is_zero_with_null_se_zero_and_no_warning():
    """Ratings of six patients: a = 5 SD + 1 PR, b = 6 SD (all one category).

    By hand: p_o = 5/6; margins a = (1/6 PR, 5/6 SD), b = (0, 1), so p_e = 5/6 and kappa = 0. The null SE of
    Fleiss, Cohen & Everitt (1969), sqrt(p_e + p_e^2 - sum a_i b_i (a_i + b_i)) / ((1 - p_e) sqrt(n)), has
    p_e + p_e^2 = 55/36 = (5/6)(1)(5/6 + 1): it is 0, and statsmodels' unused z = kappa / se0 is 0/0, which
    must not reach the user as a RuntimeWarning (seen in `python -m analysis numbers` on one group of mini).
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = cohens_kappa(["SD"] * 5 + ["PR"], ["SD"] * 6, labels=["CR", "PR", "SD", "PD"])
    assert r["kappa"] == pytest.approx(0.0, abs=1e-15)
    assert r["se0"] == pytest.approx(0.0, abs=1e-15)
    assert (r["p_observed"], r["p_expected"]) == (pytest.approx(5 / 6), pytest.approx(5 / 6))


# ---- bootstrap -------------------------------------------------------------------------------------


def test_bootstrap_ratio_of_medians_deterministic():
    rng = np.random.default_rng(5)
    x, y = rng.gamma(2, 100, 30), rng.gamma(2, 60, 30)
    a = bootstrap_ratio_of_medians(x, y, n_boot=2000, seed=7)
    b = bootstrap_ratio_of_medians(x, y, n_boot=2000, seed=7)
    c = bootstrap_ratio_of_medians(x, y, n_boot=2000, seed=8)
    assert a == b and a != c
    assert a["lower"] <= a["ratio"] <= a["upper"]
    assert math.isclose(a["ratio"], np.median(x) / np.median(y))


def test_bootstrap_constant_ratio():
    r = bootstrap_ratio_of_medians([3, 6, 9], [1, 2, 3], n_boot=100, seed=1)
    assert (r["ratio"], r["lower"], r["upper"], r["n_dropped"]) == (3.0, 3.0, 3.0, 0)
