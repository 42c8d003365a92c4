"""Sensitivity of the published p-values (issue 14 item 6): the sampler, the test over draws, the outputs, the CLI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analysis.paths import ROOT
from analysis.stats import mann_whitney, quantile
from analysis.synth.sampler import Cell, draw_cell, type7
from analysis.synth.sensitivity import (
    Comparison,
    chunk_pvalues,
    exact_p_table,
    mwu_p,
    published_comparisons,
    run_sensitivity,
    summarise_one,
    write_tables,
)

COMPARISONS = published_comparisons()
CELLS = sorted({c for comp in COMPARISONS for c in (comp.x, comp.y)}, key=lambda c: c.name)


def _files(d):
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the sampler


def test_the_published_comparisons_are_the_table_p_values():
    assert [c.id for c in COMPARISONS] == [
        "table2:after.p", "table2:before.p", "table3:chemo.p", "table3:chemo.p@after_chemo", "table3:tace.p",
        "table4:group1.ttp.p", "table4:group1.volume_change.p", "table4:group2.ttp.p",
        "table4:group2.volume_change.p"]
    sizes = {c.id: (c.x.n, c.y.n) for c in COMPARISONS}
    assert sizes["table2:before.p"] == (15, 19)
    assert sizes["table3:chemo.p@after_chemo"] == (8, 10)
    assert sizes["table4:group2.ttp.p"] == (9, 10)


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.name)
def test_every_draw_reproduces_the_printed_quartiles(cell):
    x = draw_cell(cell, np.random.default_rng(11), 1000)
    assert x.shape == (1000, cell.n)
    assert (np.diff(x, axis=1) >= 0).all()
    lo, hi = cell.limits()
    assert (x >= lo).all() and (x <= hi).all()
    probs = [p for _, p, _, _ in cell.stats]
    for row in x:
        q = quantile(row, probs, type=7)
        for (stat, _, value, dec), got in zip(cell.stats, q):
            assert round(float(got), dec) == value, (cell.name, stat, got, value)


def test_type7_positions_follow_hyndman_fan():
    assert type7(15, 0.25) == (3, 0.5)      # h = 4.5 (1-based): halfway x[4], x[5]
    assert type7(19, 0.5) == (9, 0.0)       # h = 10: pinned x[10]
    assert type7(10, 0.75) == (6, 0.75)     # h = 7.75


def test_a_layout_sharing_an_order_statistic_is_refused():
    cell = Cell("tiny", 6, (("q1", .25, 1.0, 0), ("median", .5, 2.0, 0), ("q3", .75, 3.0, 0)))
    with pytest.raises(ValueError, match="share an order statistic"):
        draw_cell(cell, np.random.default_rng(0), 2)


# ------------------------------------------------------------------ the test on every draw


def test_lookup_p_equals_mann_whitney_on_every_draw():
    rng = np.random.default_rng(5)
    for comp in COMPARISONS:
        x, y = draw_cell(comp.x, rng, 40), draw_cell(comp.y, rng, 40)
        p = mwu_p(x, y)
        for i in range(40):
            r = mann_whitney(x[i], y[i])
            assert r.method == "exact"
            assert p[i] == r.p, (comp.id, i)


def test_tied_draws_go_through_mann_whitney():
    x = np.array([[1.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    y = np.array([[2.0, 4.0, 5.0, 6.0], [4.0, 5.0, 6.0, 7.0]])
    p = mwu_p(x, y)
    assert p[0] == mann_whitney(x[0], y[0]).p            # tied: normal approximation, as R
    assert mann_whitney(x[0], y[0]).method != "exact"
    assert p[1] == pytest.approx(2 / 35)                 # W = 0: 2 / C(7, 3), by hand


def test_exact_table_by_hand():
    # n1 = 2, n2 = 3: the 10 rank sets of x give W = 0,1,2,2,3,3,4,4,5,6
    assert exact_p_table(2, 3).tolist() == pytest.approx([0.2, 0.4, 0.8, 1.0, 0.8, 0.4, 0.2])


def test_summary_of_a_hand_made_case():
    cell = Cell("c", 7, (("q1", .25, 1.0, 0), ("median", .5, 2.0, 0), ("q3", .75, 3.0, 0)))
    comp = Comparison("t:x.p", "x.p", "", cell, cell, 0.03, "0.03", 2)
    s = summarise_one(comp, np.array([0.6, 0.001, 0.2, 0.01, 0.03]), 0.05)
    # sorted 0.001, 0.01, 0.03, 0.2, 0.6; type 7: h = 4 q + 1
    assert s["p_q025"] == pytest.approx(0.001 + 0.1 * (0.01 - 0.001))   # h = 1.1
    assert s["p_q25"] == pytest.approx(0.01) and s["p_median"] == pytest.approx(0.03)
    assert s["p_q75"] == pytest.approx(0.2)
    assert s["p_q975"] == pytest.approx(0.2 + 0.9 * 0.4)                 # h = 4.9
    assert (s["p_min"], s["p_max"]) == (0.001, 0.6)
    assert s["share_below_alpha"] == 0.6 and s["share_at_or_above_alpha"] == pytest.approx(0.4)
    assert s["published_significant"] is True and s["share_same_conclusion"] == 0.6
    assert s["share_printed_p"] == 0.2                                   # only 0.03 prints as 0.03
    assert s["published_inside_range"] is True
    out = summarise_one(Comparison("t:y.p", "y.p", "", cell, cell, 0.0002, "0.0002", 4),
                        np.array([0.001, 0.5]), 0.05)
    assert out["published_inside_range"] is False and out["share_same_conclusion"] == 0.5


# ------------------------------------------------------------------ reproducibility


def test_draw_i_depends_only_on_seed_and_i():
    a = run_sensitivity(1200, seed=3, jobs=1, progress=False).pvalues
    b = run_sensitivity(700, seed=3, jobs=2, progress=False).pvalues
    assert np.array_equal(a[:700], b)
    tables = {(c.x.n, c.y.n): exact_p_table(c.x.n, c.y.n) for c in COMPARISONS}
    assert np.array_equal(chunk_pvalues(3, 1, COMPARISONS, tables)[:200], a[500:700])
    assert not np.array_equal(run_sensitivity(700, seed=4, jobs=1, progress=False).pvalues, b)


def test_same_seed_gives_identical_bytes(tmp_path):
    write_tables(run_sensitivity(600, seed=9, jobs=2, progress=False), tmp_path / "a")
    write_tables(run_sensitivity(600, seed=9, jobs=1, progress=False), tmp_path / "b")
    fa, fb = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(fa) == ["sensitivity.csv", "sensitivity.json", "sensitivity_draws.csv.gz"]
    assert fa == fb


@pytest.mark.slow
def test_same_seed_gives_identical_figure_bytes(tmp_path):
    from analysis.report.sensitivity import write_sensitivity

    write_sensitivity(run_sensitivity(300, seed=9, jobs=2, progress=False), tmp_path / "a")
    write_sensitivity(run_sensitivity(300, seed=9, jobs=1, progress=False), tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


@pytest.mark.slow
def test_dask_local_cluster_equals_the_local_run_byte_for_byte(tmp_path):
    from dask.distributed import LocalCluster

    write_tables(run_sensitivity(1500, seed=21, jobs=2, progress=False), tmp_path / "local")
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        res = run_sensitivity(1500, seed=21, scheduler=cluster.scheduler_address, progress=False)
    write_tables(res, tmp_path / "dask")
    assert _files(tmp_path / "local") == _files(tmp_path / "dask")


# ------------------------------------------------------------------ the command line


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "sensitivity", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_cli_unreachable_scheduler_is_one_line_exit_1(tmp_path):
    r = _cli("--draws", "10", "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot connect to the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert not (tmp_path / "o").exists()


def test_cli_bad_draws_is_a_user_error(tmp_path):
    r = _cli("--draws", "0", "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "--draws" in r.stderr


@pytest.mark.slow
def test_cli_writes_every_output(tmp_path):
    r = _cli("--draws", "600", "--out", str(tmp_path / "o"), "--seed", "2", "--alpha", "0.01")
    assert r.returncode == 0, r.stderr
    assert sorted(_files(tmp_path / "o")) == ["figures/sensitivity.png", "figures/sensitivity.svg",
                                              "sensitivity.csv", "sensitivity.json", "sensitivity_draws.csv.gz"]
    import json

    doc = json.loads((tmp_path / "o" / "sensitivity.json").read_text())
    assert doc["_meta"]["draws"] == 600 and doc["_meta"]["alpha"] == 0.01
    assert set(doc["comparisons"]) == {c.id for c in COMPARISONS}
