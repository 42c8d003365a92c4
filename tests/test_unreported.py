"""Shapiro-Wilk and Kruskal-Wallis frames (tests the paper's Methods name but never report).

Expected values are computed here independently of the code under test: the samples straight from
the fixture's CSV files (TTP = end_day - start_day) or from the per-patient endpoints (tested in
test_endpoints.py), W with ``scipy.stats.shapiro`` (single-precision quantiles: agrees with R to
~1e-10, so compared to 1e-6), H and p with ``scipy.stats.kruskal``, and R's documented behaviour of
``shapiro.test`` (an error for fewer than 3 values or all values identical: NaN with a note here).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import scipy.stats

from analysis.data import load_dataset
from analysis.paths import ROOT, TESTS
from analysis.study import endpoints
from analysis.study.unreported import kruskal_subgroups, normality

MINI = TESTS / "fixtures" / "mini"
EDGE = TESTS / "fixtures" / "numbers" / "edge"
SYNTHETIC = ROOT / "data" / "synthetic"


def _ttp(folder, setting):
    """TTP rows of one setting with group and timing, read from the CSV files."""
    pr = pd.read_csv(folder / "progression.csv")
    pat = pd.read_csv(folder / "patients.csv")
    pr = pr[pr["setting"] == setting].merge(pat[["patient_id", "group", "tace_timing"]], on="patient_id")
    pr["ttp"] = pr["end_day"] - pr["start_day"]
    return pr


@pytest.fixture(scope="module", params=[MINI, SYNTHETIC], ids=["mini", "synthetic"])
def case(request):
    ds = load_dataset(request.param)
    return request.param, endpoints.per_patient(ds), normality(ds, {}), kruskal_subgroups(ds, {})


def test_normality_has_a_row_per_table_2_to_4_sample(case):
    _, _, nt, _ = case
    # Table 2: V0, V1 x 2 groups; Table 3: chemo, tace x 2 groups; Table 4: dV, TTP x 4 subgroups
    assert list(nt["table"]) == ["table2"] * 4 + ["table3"] * 4 + ["table4"] * 8
    assert list(nt.columns[:7]) == ["table", "variable", "group", "timing", "n", "W", "p"]
    assert set(nt["timing"][nt["table"] == "table4"]) == {"immediate", "after_chemo"}


def test_normality_w_and_p_match_scipy_on_the_same_vectors(case):
    folder, pp, nt, _ = case
    samples = []
    for col in ("v0", "v1"):
        samples += [pp.loc[pp["group"] == g, col].dropna().to_numpy(float) for g in (1, 2)]
    for setting in ("chemo", "tace"):
        tr = _ttp(folder, setting)
        samples += [tr.loc[tr["group"] == g, "ttp"].to_numpy(float) for g in (1, 2)]
    tace = _ttp(folder, "tace")
    for frame, col in ((pp, "volume_change"), (tace, "ttp")):
        samples += [frame.loc[(frame["group"] == g) & (frame["tace_timing"] == s), col].dropna().to_numpy(float)
                    for g in (1, 2) for s in ("immediate", "after_chemo")]
    assert len(samples) == len(nt)
    for x, row in zip(samples, nt.to_dict("records")):
        assert row["n"] == x.size
        w, p = scipy.stats.shapiro(x)
        assert row["W"] == pytest.approx(w, abs=1e-6)
        assert row["p"] == pytest.approx(p, abs=1e-6)
        assert row["method"] == ("exact" if x.size == 3 else "Royston (1995) approximation")


def test_normality_of_three_values_is_exact():
    # n = 3: W = (x3 - x1)^2 / 2 / SS; for [1, 2, 4]: 4.5 / (14/3) = 27/28 (see analysis.stats.shapiro)
    from analysis import stats

    assert stats.shapiro([1, 2, 4]).statistic == pytest.approx(27 / 28, abs=1e-12)


def test_normality_gives_nan_with_a_note_where_r_shapiro_test_stops():
    # R: shapiro.test needs 3 to 5000 values and refuses all-identical values (an error);
    # the edge fixture has empty subgroups, a subgroup of 2 and an all-identical TTP sample
    nt = normality(load_dataset(EDGE), {})
    small = nt[nt["n"] < 3]
    assert len(small) and small["W"].isna().all() and small["p"].isna().all()
    assert small["note"].str.contains("between 3 and 5000").all()
    tied = nt[nt["note"].str.contains("identical")]
    assert len(tied) and tied["W"].isna().all() and (tied["n"] >= 3).all()
    assert (nt.loc[nt["note"] == "", "W"].between(0, 1)).all()


def test_kruskal_across_the_four_subgroups_matches_scipy(case):
    folder, pp, _, kw = case
    tace = _ttp(folder, "tace")
    assert list(kw["variable"]) == ["volume change V1 - V0, cm3", "time to progression after TACE, days"]
    for (frame, col), row in zip(((pp, "volume_change"), (tace, "ttp")), kw.to_dict("records")):
        subs = [frame.loc[(frame["group"] == g) & (frame["tace_timing"] == s), col].dropna().to_numpy(float)
                for g in (1, 2) for s in ("immediate", "after_chemo")]
        h, p = scipy.stats.kruskal(*subs)
        assert row["H"] == pytest.approx(h, rel=1e-12) and row["p"] == pytest.approx(p, rel=1e-12)
        assert row["df"] == 3 and row["n"] == sum(x.size for x in subs)
        assert row["ns"] == ";".join(str(x.size) for x in subs)
        assert row["method"] == "chi-squared approximation"


def test_kruskal_hand_value():
    # R: kruskal.test(list(c(1, 2), c(3, 4), c(5, 6))) -> chi-squared 32/7, df 2, p = exp(-16/7)
    from analysis import stats

    r = stats.kruskal([1, 2], [3, 4], [5, 6])
    assert r.statistic == pytest.approx(32 / 7, rel=1e-12) and r.p == pytest.approx(math.exp(-16 / 7), rel=1e-12)


def test_kruskal_leaves_out_empty_subgroups_and_says_so():
    kw = kruskal_subgroups(load_dataset(EDGE), {})
    for row in kw.to_dict("records"):
        names = row["groups"].split(";")
        assert "group1.after_chemo" not in names and "group1.after_chemo" in row["note"]
        assert row["df"] == len(names) - 1
        assert not math.isnan(row["H"]) and 0 <= row["p"] <= 1


def test_the_new_frames_are_not_in_numbers_json():
    from analysis import params
    from analysis.study import numbers

    text = numbers.dumps(numbers.compute_numbers(load_dataset(MINI), params.defaults()))
    assert "shapiro" not in text.lower() and "kruskal" not in text.lower()
