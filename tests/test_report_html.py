"""index.html and the figures: provenance never guessed as real, dataset text escaped, figures at 150 dpi."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from analysis.data import load_dataset
from analysis.paths import SYNTHETIC, TESTS
from analysis.report import figures
from analysis.data.provenance import dataset_provenance

MINI = TESTS / "fixtures" / "mini"


def _copy(src, dst, **meta):
    shutil.copytree(src, dst)
    pkg = json.loads((dst / "datapackage.json").read_text())
    for k in ("synthetic", "real"):
        pkg.pop(k, None)
    pkg.update(meta)
    (dst / "datapackage.json").write_text(json.dumps(pkg))
    return dst


def test_a_dataset_that_does_not_declare_itself_real_is_provenance_not_declared(tmp_path):
    assert dataset_provenance(_copy(MINI, tmp_path / "undeclared")) == "provenance not declared"
    assert dataset_provenance(_copy(MINI, tmp_path / "real", real=True)) == "real"
    assert dataset_provenance(_copy(MINI, tmp_path / "syn", synthetic=True, real=True)) == "synthetic"


def test_the_bundled_cohort_files_are_synthetic_whatever_the_folder_or_metadata_say(tmp_path):
    renamed = _copy(SYNTHETIC, tmp_path / "hospital_cohort_2021", real=True, title="Real patients")
    assert dataset_provenance(renamed) == "synthetic"


def test_an_undeclared_dataset_is_provenance_not_declared_in_the_overview_and_the_numbers(tmp_path):
    from analysis.params import resolve
    from analysis.study.numbers import compute_numbers
    from analysis.study.overview import compute_overview

    data = _copy(MINI, tmp_path / "undeclared")
    ds = load_dataset(data)
    assert ds.provenance == "provenance not declared" and ds.is_synthetic is False
    ov = compute_overview(data, "undeclared")
    assert "provenance not declared" in ov["statement"] and "real de-identified" not in ov["statement"]
    assert compute_numbers(ds, resolve())["_meta"]["is_synthetic"] is False
    real = load_dataset(_copy(MINI, tmp_path / "real", real=True))
    assert real.provenance == "real" and "real de-identified" in compute_overview(real.path, "real")["statement"]


def test_a_dataset_with_the_bundled_cohort_hashes_is_synthetic_whatever_its_metadata_say(tmp_path):
    from analysis.params import resolve
    from analysis.study.numbers import compute_numbers
    from analysis.study.overview import compute_overview

    ds = load_dataset(_copy(SYNTHETIC, tmp_path / "hospital_cohort_2021", real=True, title="Real patients"))
    assert ds.provenance == "synthetic" and ds.is_synthetic is True
    assert "SYNTHETIC" in compute_overview(ds.path, "hospital_cohort_2021", ds=ds)["statement"]
    assert compute_numbers(ds, resolve())["_meta"]["is_synthetic"] is True
    assert figures.SYNTHETIC_STAMP in [t.get_text() for t in figures.waterfall(ds).texts]


def _index_for(data_dir, tmp_path):
    from analysis.report import bundle
    from analysis.report.html import index_html

    res = bundle.compute(data_dir, {}, "test")
    (tmp_path / "out" / "tables").mkdir(parents=True)
    return index_html(tmp_path / "out", res, ["00_overview.ipynb"], [], audit=None)


def test_index_says_provenance_not_declared_and_escapes_the_dataset_title(tmp_path):
    evil = "<script>alert('x')</script>"
    data = _copy(MINI, tmp_path / "d", title=evil, description=f"desc {evil}")
    page = _index_for(data, tmp_path)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Provenance not declared." in page and "real de-identified" not in page


def test_figures_are_png_at_150_dpi_or_more_and_byte_identical_on_rerun():
    from PIL import Image

    ds = load_dataset(MINI)
    first = {n: figures.to_bytes(figures.draw(n, ds), "png") for n in figures.names(ds)}
    again = {n: figures.to_bytes(figures.draw(n, ds), "png") for n in figures.names(ds)}
    assert first == again
    for name, blob in first.items():
        dpi = Image.open(io.BytesIO(blob)).info["dpi"]
        assert min(dpi) >= 149.9, (name, dpi)  # PNG stores dots per metre: 150 dpi reads back as 149.9994


@pytest.mark.parametrize("synthetic", [True, False])
def test_a_figure_from_a_synthetic_cohort_says_so_on_the_figure(synthetic):
    ds = load_dataset(MINI)
    fig = figures.waterfall(ds, synthetic=synthetic)
    texts = [t.get_text() for t in fig.texts]
    assert (figures.SYNTHETIC_STAMP in texts) is synthetic
    assert figures.SYNTHETIC_STAMP in [t.get_text() for t in figures.regression(ds).texts]  # mini is synthetic


def test_the_figure_theme_is_seaborns_whitegrid_with_the_notebook_context():
    import seaborn as sns

    from analysis.report.figure_parts import NOTEBOOK_CONTEXT, WHITEGRID

    whitegrid = dict(sns.axes_style("whitegrid"))
    assert whitegrid.pop("image.cmap") == "rocket"  # the only key left out (no figure uses the default map)
    assert WHITEGRID == whitegrid
    assert NOTEBOOK_CONTEXT == dict(sns.plotting_context("notebook", font_scale=0.9))


def test_binder_postbuild_registers_the_kernel_the_notebooks_name():
    from analysis.paths import NOTEBOOKS, ROOT

    post = ROOT / "postBuild"
    assert post.is_file() and post.stat().st_mode & 0o111  # executable, as repo2docker requires
    kernels = {json.loads(p.read_text())["metadata"]["kernelspec"]["name"] for p in NOTEBOOKS.glob("*.ipynb")}
    assert kernels == {"tace-net"}
    assert "ipykernel install --sys-prefix --name tace-net" in post.read_text()


def test_a_long_table_shows_its_first_thousand_rows_in_the_index_and_the_markdown(tmp_path):
    # 1,001 rows: 1,000 shown (plus the header row) and one sentence; the CSV is the place for every row
    import types

    import pandas as pd

    from analysis.report.html import _tables_html
    from analysis.report.publish import markdown_table

    table = pd.DataFrame({"patient_id": [f"P{i:04d}" for i in range(1001)], "v0": range(1001)})
    res = types.SimpleNamespace(params={}, tables={"growth": table})
    page = "\n".join(_tables_html(res, tmp_path))
    assert page.count("<tr") == 1 + 1000
    assert "P0999" in page and "P1000" not in page
    assert "The first 1,000 of 1,001 rows." in page
    md = markdown_table(table, "growth.csv").splitlines()
    assert len(md) == 2 + 1000 + 2  # header, rule, 1,000 rows, blank line, the sentence
    assert md[-1] == "The first 1,000 of 1,001 rows; every row is in `growth.csv`."
