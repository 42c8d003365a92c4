"""analysis.paper.compare: verdicts on hand-made numbers dicts; the expected verdicts are worked out by hand
in the comments (printed precision, tolerance max(1 unit of the last digit, 5 %), alpha)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from analysis.paper.compare import COLUMNS, compare, summary, write_comparison
from analysis.errors import UserError
from analysis.paths import PUBLISHED, ROOT
from analysis.paper.published import load_published

HEADER = (PUBLISHED / "published.csv").read_text(encoding="utf-8").splitlines()[0]

# A small published file written by hand (same columns as data/published/published.csv).
ROWS = [
    "table3:chemo.p,table3.chemo.p,table3,p chemo,0.31,p,0.31a,2,,=,true,,",
    "table2:after.p,table2.after.p,table2,p after,0.00036,p,0.00036a,5,,=,true,,",
    "table3:tace.group1.median,table3.tace.group1.median,table3,TTP,300,days,300 [137; 344],0,,=,true,,",
    "table2:after.group1.median,table2.after.group1.median,table2,vol,23.54,cm3,23.54 [14.2; 24.8],2,,=,true,,",
    "results:recist.group2.PR.n,recist.group2.PR.n,results,PR,12,count,12 (35%),0,,=,true,,",
    "table4:group2.volume_change.p,table4.group2.volume_change.p,table4,p vc,0.046,p,p 0.009 0.046,3,,=,true,"
    "table4:group2.ttp.p,",
    "table4:group2.ttp.p,table4.group2.ttp.p,table4,p ttp,0.046,p,p 0.009 0.046,3,,=,true,"
    "table4:group2.volume_change.p,",
    "table4:group1.ttp.p,table4.group1.ttp.p,table4,p g1,0.009,p,p 0.009 0.046,3,,=,true,,",
    "results:table2.after.p,table2.after.p,results,p bound,0.05,p,(p <0.05),2,,<,true,,",
    "methods:bead_size.min,,methods,bead,200,um,200–400 μm,0,,=,false,,",
    "results:lesions.target.n,,results,target lesions,105,count,105 target,0,,=,true,,",
    "table1:t_stage.T1.pct,,table1,T1 %,10,percent,Т1: 10% (n=5),0,,=,true,,",
    "results:recist.PD.n,,results,PD,1,count,one patient,0,,=,true,,",
]


@pytest.fixture()
def pub(tmp_path):
    p = tmp_path / "published.csv"
    p.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return load_published(p)


def run(nums, pub, alpha=0.05):
    return compare(nums, pub, {"alpha": alpha}).set_index("id")


def test_exact_means_equal_after_rounding_to_the_printed_decimals(pub):
    # 0.3149 -> 0.31 and 0.3050 -> 0.31 (a tie counts as exact whichever rounding the authors used)
    assert run({"table3.chemo.p": 0.3149}, pub).loc["table3:chemo.p", "verdict"] == "exact"
    assert run({"table3.chemo.p": 0.3050}, pub).loc["table3:chemo.p", "verdict"] == "exact"
    # 23.544 -> 23.54 exact; 23.546 -> 23.55 not exact but |0.006| <= max(0.01, 1.177) -> close
    assert run({"table2.after.group1.median": 23.544}, pub).loc["table2:after.group1.median", "verdict"] == "exact"
    assert run({"table2.after.group1.median": 23.546}, pub).loc["table2:after.group1.median", "verdict"] == "close"


def test_small_p_uses_its_printed_significant_digits(pub):
    # printed 0.00036 (2 significant digits): 0.000364 rounds to 0.00036 -> exact
    assert run({"table2.after.p": 0.000364}, pub).loc["table2:after.p", "verdict"] == "exact"
    # 0.000366 rounds to 0.00037; |6e-6| <= max(1e-5, 5% of 3.6e-4 = 1.8e-5) -> close
    assert run({"table2.after.p": 0.000366}, pub).loc["table2:after.p", "verdict"] == "close"
    # 0.0004: |4e-5| > 1.8e-5 -> different
    assert run({"table2.after.p": 0.0004}, pub).loc["table2:after.p", "verdict"] == "different"


def test_close_uses_the_larger_of_one_unit_and_five_percent(pub):
    # 300 days: tolerance = max(1, 15) = 15; 309 -> close, 316 -> different, 300.4 -> exact
    df = run({"table3.tace.group1.median": 309}, pub)
    assert df.loc["table3:tace.group1.median", "verdict"] == "close"
    assert df.loc["table3:tace.group1.median", "tolerance"] == 15
    assert "5%" in df.loc["table3:tace.group1.median", "tolerance_rule"]
    assert run({"table3.tace.group1.median": 316}, pub).loc["table3:tace.group1.median", "verdict"] == "different"
    assert run({"table3.tace.group1.median": 300.4}, pub).loc["table3:tace.group1.median", "verdict"] == "exact"


def test_counts_have_no_tolerance(pub):
    df = run({"recist.group2.PR.n": 13}, pub)
    assert df.loc["results:recist.group2.PR.n", "verdict"] == "different"
    assert math.isnan(df.loc["results:recist.group2.PR.n", "tolerance"])
    assert run({"recist.group2.PR.n": 12}, pub).loc["results:recist.group2.PR.n", "verdict"] == "exact"


@pytest.mark.parametrize("nums", [{}, {"table3.chemo.p": None}, {"table3.chemo.p": float("nan")}],
                         ids=["missing", "null", "nan"])
def test_missing_null_or_nan_is_not_reproduced(pub, nums):
    df = run(nums, pub)
    assert df.loc["table3:chemo.p", "verdict"] == "not reproduced"
    assert math.isnan(df.loc["table3:chemo.p", "reproduced"])
    assert df.loc["table3:chemo.p", "conclusion_holds"] is None


def test_conclusion_flip_is_reported(pub):
    # printed 0.046 < 0.05; reproduced 0.051 >= 0.05 -> the published conclusion does not hold
    df = run({"table4.group2.volume_change.p": 0.051, "table4.group2.ttp.p": 0.03}, pub)
    vc, tt = df.loc["table4:group2.volume_change.p"], df.loc["table4:group2.ttp.p"]
    assert vc["published_significant"] is True and vc["reproduced_significant"] is False
    assert vc["conclusion_holds"] is False
    assert vc["verdict"] == "different"  # |0.005| > max(0.001, 0.0023)
    # the other reading of the same printed number: 0.03 < 0.05, conclusion holds though the value differs
    assert tt["conclusion_holds"] is True and tt["verdict"] == "different"
    assert vc["same_as"] == "table4:group2.ttp.p"


def test_conclusion_depends_on_alpha_from_params(pub):
    nums = {"table4.group1.ttp.p": 0.011}
    # alpha 0.05: 0.009 and 0.011 both significant; alpha 0.01: 0.009 significant, 0.011 not
    assert run(nums, pub, alpha=0.05).loc["table4:group1.ttp.p", "conclusion_holds"] is True
    df = run(nums, pub, alpha=0.01)
    assert df.loc["table4:group1.ttp.p", "conclusion_holds"] is False
    assert df.loc["table4:group1.ttp.p", "alpha"] == 0.01


def test_a_printed_bound_is_checked_as_a_bound(pub):
    ok = run({"table2.after.p": 0.001}, pub).loc["results:table2.after.p"]
    assert ok["verdict"] == "exact" and ok["published_significant"] is True and ok["conclusion_holds"] is True
    bad = run({"table2.after.p": 0.2}, pub).loc["results:table2.after.p"]
    assert bad["verdict"] == "different" and bad["conclusion_holds"] is False


def test_rows_without_key_are_not_applicable_or_not_reproduced(pub):
    df = run({}, pub)
    assert df.loc["methods:bead_size.min", "verdict"] == "not applicable"
    assert df.loc["results:lesions.target.n", "verdict"] == "not reproduced"


def test_derived_rows_use_their_documented_formula(pub):
    df = run({"n.patients": 34, "table1.t_stage.T1.n": 5, "recist.group1.PD.n": 0, "recist.group2.PD.n": 1}, pub)
    t1 = df.loc["table1:t_stage.T1.pct"]
    # 100 * 5 / 34 = 14.70588...; printed 10 -> |4.7| > max(1, 0.5) -> different
    assert t1["reproduced"] == pytest.approx(14.705882352941176)
    assert t1["verdict"] == "different"
    assert t1["derivation"] == "100 * table1.t_stage.T1.n / n.patients"
    assert df.loc["results:recist.PD.n", "reproduced"] == 1
    assert df.loc["results:recist.PD.n", "verdict"] == "exact"
    # one of the two summands missing -> not reproduced
    assert run({"recist.group1.PD.n": 0}, pub).loc["results:recist.PD.n", "verdict"] == "not reproduced"


def test_meta_is_ignored_and_a_non_number_is_a_user_error(pub):
    run({"_meta": {"dataset": "x"}, "table3.chemo.p": 0.31}, pub)
    with pytest.raises(UserError, match="table3.chemo.p"):
        run({"table3.chemo.p": "0.31"}, pub)


def test_output_has_one_row_per_published_number_sorted_by_id(pub):
    df = compare({}, pub, {"alpha": 0.05})
    assert tuple(df.columns) == COLUMNS
    assert df["id"].tolist() == sorted(r.split(",", 1)[0] for r in ROWS)
    assert sum(summary(df).values()) == len(ROWS)


def test_real_published_file_against_its_own_table_values():
    """Feed the tables' printed values back in: table rows are exact; the abstract's differing
    versions show up (hand: |134-137| = 3 <= max(1, 6.7) -> close; |342-432| = 90 -> different;
    |0.57-0.58| = 0.01 <= max(0.01, 0.0285) -> close)."""
    pub = load_published()
    tables = pub[pub["where"].isin(["table2", "table3", "table4", "figure1"]) & (pub["key"] != "")]
    nums = dict(zip(tables["key"], tables["value"]))
    df = compare(nums, pub, {"alpha": 0.05}).set_index("id")
    assert (df.loc[tables["id"], "verdict"] == "exact").all()
    assert df.loc["abstract:table3.tace.group1.q1", "verdict"] == "close"
    assert df.loc["abstract:table3.tace.group2.q3", "verdict"] == "different"
    assert df.loc["abstract:table3.tace.p", "verdict"] == "close"
    assert df.loc["abstract:table3.chemo.group1.median", "verdict"] == "exact"
    assert df.loc["methods:bead_size.min", "verdict"] == "not applicable"


def test_write_comparison_is_deterministic_and_formatted(tmp_path):
    nums = {"_meta": {"dataset": "mini"}, "table3.tace.p": 0.5749, "n.patients": 34,
            "table2.after.group1.median": 1 / 3}
    j = tmp_path / "numbers.json"
    j.write_text(json.dumps(nums), encoding="utf-8")
    a, b = tmp_path / "a" / "comparison.csv", tmp_path / "b.csv"
    write_comparison(j, a, {"alpha": 0.05})
    write_comparison(j, b, {"alpha": 0.05})
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    ids = [ln.split(",", 1)[0] for ln in lines[1:]]
    assert ids == sorted(ids)
    row = next(ln for ln in lines if ln.startswith("table2:after.group1.median,"))
    assert ",0.3333333333," in row          # %.10g
    row = next(ln for ln in lines if ln.startswith("table3:tace.p,"))
    # 0.58 and 0.5749 are both >= 0.05: neither significant, so the conclusion holds
    assert ",0.05,false,false,true," in row
    assert not list(tmp_path.glob("**/*.tmp"))


def test_write_comparison_names_the_line_of_invalid_json(tmp_path):
    j = tmp_path / "numbers.json"
    j.write_text('{\n  "n.patients": 34,\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"numbers.json:3: column 3: invalid JSON"):
        write_comparison(j, tmp_path / "c.csv", {"alpha": 0.05})


def test_cli_compare_writes_the_file_and_reports_user_errors_without_traceback(tmp_path):
    j = tmp_path / "numbers.json"
    j.write_text(json.dumps({"n.patients": 34}), encoding="utf-8")
    out = tmp_path / "comparison.csv"
    r = subprocess.run([sys.executable, "-m", "analysis", "compare", "--numbers", str(j), "--out", str(out),
                        "-p", "alpha=0.01"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.exists()
    r = subprocess.run([sys.executable, "-m", "analysis", "compare", "--numbers", str(tmp_path / "none.json"),
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr


def test_unforced_sign_is_matched_against_its_documented_alternative():
    """Table 4 '22.6 [51; 17]': UQ recorded as -17, +17 also ordered (alt_value). A reproduced +17.3
    rounds to +17 -> exact under the alternative reading; -17.3 -> exact under the recorded one."""
    pub = load_published()
    rid, key = "table4:group1.immediate.volume_change.q3", "table4.group1.immediate.volume_change.q3"
    alt = compare({key: 17.3}, pub, {"alpha": 0.05}).set_index("id").loc[rid]
    assert alt["verdict"] == "exact"
    assert bool(alt["alt_reading"]) is True
    assert alt["published"] == 17
    rec = compare({key: -17.3}, pub, {"alpha": 0.05}).set_index("id").loc[rid]
    assert rec["verdict"] == "exact" and not rec["alt_reading"]
    assert rec["published"] == -17
    # a forced sign has no alternative: +51 for the LQ stays different
    lq = compare({"table4.group1.immediate.volume_change.q1": 51}, pub, {"alpha": 0.05}).set_index("id")
    assert lq.loc["table4:group1.immediate.volume_change.q1", "verdict"] == "different"


def test_to_csv_writes_the_same_bytes_as_write_comparison(tmp_path):
    from analysis.paper.compare import to_csv

    nums = {"n.patients": 34, "table3.tace.p": 0.5749}
    j = tmp_path / "numbers.json"
    j.write_text(json.dumps(nums), encoding="utf-8")
    write_comparison(j, tmp_path / "a.csv", {"alpha": 0.05})
    df = compare(nums, None, {"alpha": 0.05})
    to_csv(df.sample(frac=1, random_state=1), tmp_path / "b.csv")   # order of the frame does not matter
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
