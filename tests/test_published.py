"""The paper's numbers (data/published/): extraction spot-checked against the article, loader rules.

Expected values here come from reading the article (quoted snippets are checked to occur in its
text layer), from hand calculation shown in comments, or from DESIGN §7 itself — never from the
code under test.
"""

from __future__ import annotations

import itertools
import math
import re

import pytest

from analysis.errors import UserError
from analysis.paths import PUBLISHED, ROOT
from analysis.paper.published import COLUMNS, by_id, by_key, keyed, load_published

ARTICLE = ROOT.parent / "shared" / "paper" / "tace-irinotecan-net-2022.txt"
DESIGN = ROOT.parent / "shared" / "DESIGN.md"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.exists():
        pytest.skip("the article's text layer (../shared/paper/tace-irinotecan-net-2022.txt) is not present "
                    "next to this checkout; extraction spot-checks need it")
    return _norm(ARTICLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pub():
    return load_published()


# (id, value read from the article by hand, snippet of the article that prints it)
SPOT = [
    ("figure1:n.patients", 34, "tumors n=34"),
    ("figure1:n.group1.immediate", 7, "TACE immediately n=7"),
    ("figure1:n.group2.after_chemo", 10, "TACE at progression during CHT n=10"),
    ("abstract:n.tace", 52, "52 TACE with irinotecan"),
    ("table1:age.mean", 58.55, "58.55±12.5"),
    ("table1:age.sd", 12.5, "58.55±12.5"),
    ("table1:age.min", 29, "min 29"),
    ("table1:age.max", 82, "max 82"),
    ("table1:t_stage.T3.n", 14, "Т3: 45% (n=14)"),          # Cyrillic Т in the text layer
    ("table1:t_stage.T3.pct", 45, "Т3: 45% (n=14)"),
    ("table1:primary_site.small_intestine.n", 11, "Small intestine: 30% (n=11)"),
    ("table1:liver_mets_to_tace.gt_3_months.pct", 65, ">3 months — 65% (n=22)"),
    ("table1:dx_to_liver_mets.1_5y_to_6y.n", 9, "1.5–6 years — 35% (n=9)"),
    ("methods:liver_distribution.bilobar_multiple.pct", 75, "(n=25, 75%)"),
    ("methods:primary_resected.true.pct", 30, "removed in 18 (30%) patients"),
    ("methods:primary_resected.false.n", 16, "not removed in 16 (70%)"),
    ("methods:repeat_tace.group2.n", 6, "6 patients in group 2"),
    ("methods:bead_size.max", 400, "200–400 μm"),
    ("methods:followup.min", 1.5, "followup period was 1.5 years"),
    ("results:recist.group1.CR.pct", 3, "complete response was obtained in 1 (3%) patient of group 1"),
    ("results:recist.group2.PR.n", 12, "12 (35%) patients of group 2"),
    ("results:recist.group2.SD.pct", 30, "10 (30%) patients of group 2"),
    ("results:regression.group1.r2", 0.0265, "R2=0.0265 in group 1"),
    ("abstract:regression.group1.r2", 0.1085, "(R2=0.1085 and R2=0.0265 in groups 1 and 2)"),
    ("results:lesions.nontarget.n", 68, "68 nontarget foci"),
    ("results:lesions.large.stable_days.max", 240, "(180 to 240 days)"),
    ("table2:before.group1.q3", 122.8, "43.9 [35.6; 122.8] 26.5 [18.7; 85] 0.7511a"),
    ("table2:after.p", 0.00036, "21.8 [14.7; 56] 0.00036a"),
    ("table2:after.group1.median", 23.54, "23.54 [14.2; 24.8]"),
    ("table3:tace.group1.q1", 137, "300 [137; 344] 304 [240; 432] 0.58a"),
    ("table3:tace.group2.q3", 432, "300 [137; 344] 304 [240; 432] 0.58a"),
    ("abstract:table3.tace.group1.q1", 134, "up to 300 [134; 344] and 304 [240; 342] days"),
    ("abstract:table3.tace.group2.q3", 342, "up to 300 [134; 344] and 304 [240; 342] days"),
    ("abstract:table3.tace.p", 0.57, "(p=0.31 and p=0.57, respectively)"),
    ("table3:chemo.p", 0.31, "145 [89; 263] 0.31a"),
    ("table4:group1.immediate.ttp.q3", 637, "364 [344; 637] 137 [85; 210]"),
    ("table4:group2.after_chemo.ttp.median", 240, "308 [275; 567] 240 [220; 304]"),
    # sign restored: the article body prints "22.6 [51; 17]" (hyphen-minus dropped by the text layer)
    ("table4:group1.immediate.volume_change.median", -22.6, "22.6 [51; 17] 0.1 [16; 0.15]"),
    ("table4:group2.immediate.volume_change.q1", -30.4, "17.8 [30.4; 13.26] 0.2 [1; 1.1]"),
    ("table4:group1.ttp.p", 0.009, "Pairwise comparisons, p 0.009 0.046"),
    ("table4:group2.volume_change.p", 0.046, "Pairwise comparisons, p 0.009 0.046"),
    ("results:ttp_ratio.min", 2.5, "increased 2.5–3 times"),
]


def test_at_least_25_values_are_spot_checked():
    assert len(SPOT) >= 25


@pytest.mark.parametrize("row_id,value,snippet", SPOT, ids=[s[0] for s in SPOT])
def test_spot_checked_value_matches_the_article(article, pub, row_id, value, snippet):
    assert snippet in article, f"snippet not in the article: {snippet!r}"
    row = pub.set_index("id").loc[row_id]
    assert math.isclose(row["value"], value, rel_tol=0, abs_tol=1e-12)
    # the recorded printed text is itself in the article, and holds the unsigned number
    assert row["printed"] in article
    assert f"{abs(value):.{int(row['decimals'])}f}" in row["printed"]


def test_every_printed_text_occurs_in_the_article(article, pub):
    missing = [(r.id, r.printed) for r in pub.itertuples() if r.printed not in article]
    assert missing == []


# values printed in words: counts ("one", "No" adverse events) and calendar months ("February", "October")
_WORDS = {("count", 1): "one", ("count", 0): "No", ("calendar_month", 2): "February",
          ("calendar_month", 10): "October"}


def test_every_value_is_visible_in_its_printed_text(pub):
    """The unsigned value, written with its decimals, is a whole number token of `printed`."""
    bad = []
    for r in pub.itertuples():
        token = f"{abs(r.value):.{r.decimals}f}"
        if re.search(rf"(?<![\d.]){re.escape(token)}(?![\d]|\.\d)", r.printed):
            continue
        word = _WORDS.get((r.unit, int(r.value)))
        if word and re.search(rf"\b{word}\b", r.printed):
            continue
        bad.append((r.id, token, r.printed))
    assert bad == []


def test_loader_types_columns(pub):
    assert tuple(pub.columns) == COLUMNS
    assert str(pub["value"].dtype) == "float64"
    assert str(pub["decimals"].dtype) == "int64"
    assert str(pub["reproducible"].dtype) == "bool"
    assert str(pub["alt_value"].dtype) == "float64"
    assert pub["id"].is_unique


def test_loader_returns_a_copy_each_call():
    a = load_published()
    a.loc[0, "value"] = -999.0
    assert load_published().loc[0, "value"] != -999.0


def test_decimals_follow_the_printed_digits(pub):
    d = pub.set_index("id")["decimals"]
    assert d["table2:after.p"] == 5          # 0.00036
    assert d["table2:before.p"] == 4         # 0.7511
    assert d["table2:before.group2.q3"] == 0  # 85
    assert d["table2:after.group1.median"] == 2  # 23.54
    assert d["table4:group2.immediate.volume_change.q3"] == 2  # 13.26


# ------------------------------------------------------------------ Table 4 sign restoration

PRINTED_T4 = {  # as the text layer prints them (no signs)
    "group1.immediate": "22.6 [51; 17]",
    "group1.after_chemo": "0.1 [16; 0.15]",
    "group2.immediate": "17.8 [30.4; 13.26]",
    "group2.after_chemo": "0.2 [1; 1.1]",
}


def _ordered_sign_patterns(printed: str) -> list[tuple[float, float, float]]:
    """All sign choices of (Me, LQ, UQ) that satisfy LQ <= Me <= UQ (enumerated, 8 candidates)."""
    me, lq, uq = (float(x) for x in re.findall(r"[\d.]+", printed))
    out = []
    for sm, sl, su in itertools.product((1, -1), repeat=3):
        m, lo, hi = sm * me, sl * lq, su * uq
        if lo <= m <= hi:
            out.append((m, lo, hi))
    return out


@pytest.mark.parametrize("cell", sorted(PRINTED_T4))
def test_table4_restored_signs_are_ordered_and_explained(pub, cell):
    printed = PRINTED_T4[cell]   # as in the article (checked by test_every_printed_text_occurs_in_the_article)
    rows = {s: by_id(f"table4:{cell}.volume_change.{s}", pub) for s in ("median", "q1", "q3")}
    me, lq, uq = (rows[s]["value"] for s in ("median", "q1", "q3"))
    assert lq <= me <= uq
    coherent = _ordered_sign_patterns(printed)
    # hand check: in each of the four cells exactly two of the 8 sign patterns are ordered
    assert len(coherent) == 2
    assert (me, lq, uq) in coherent
    for _s, row in rows.items():
        assert row["printed"] == printed
        if row["value"] < 0:
            assert "sign restored" in row["note"].lower()
            assert "LQ <= Me <= UQ" in row["note"]
    # the other ordered pattern is the documented alternative (alt_value on the one unforced entry)
    other = next(c for c in coherent if c != (me, lq, uq))
    alts = {s: row["alt_value"] for s, row in rows.items() if not math.isnan(row["alt_value"])}
    assert len(alts) == 1
    (s_alt, v_alt), = alts.items()
    assert other[("median", "q1", "q3").index(s_alt)] == v_alt


def test_table4_recorded_readings_are_the_expected_ones(pub):
    got = {c: tuple(by_id(f"table4:{c}.volume_change.{s}", pub)["value"] for s in ("median", "q1", "q3"))
           for c in PRINTED_T4}
    assert got == {
        "group1.immediate": (-22.6, -51.0, -17.0),
        "group1.after_chemo": (-0.1, -16.0, 0.15),
        "group2.immediate": (-17.8, -30.4, -13.26),
        "group2.after_chemo": (-0.2, -1.0, 1.1),
    }


def test_no_negative_value_outside_table4_volume_changes(pub):
    neg = pub[pub["value"] < 0]
    assert set(neg["where"]) == {"table4"}
    assert neg["id"].str.contains("volume_change").all()


def test_every_quartile_triple_is_ordered(pub):
    """LQ <= Me <= UQ for every printed Me [LQ; UQ] (ids ending .median/.q1/.q3)."""
    med = pub[pub["id"].str.endswith(".median")]
    for r in med.itertuples():
        stem = r.id[: -len(".median")]
        q1, q3 = by_id(stem + ".q1", pub)["value"], by_id(stem + ".q3", pub)["value"]
        assert q1 <= r.value <= q3, stem


# ------------------------------------------------------------------ keys

def _design_key_regexes() -> list[re.Pattern]:
    """Key patterns parsed from the DESIGN §7 code block (an independent reading of the contract)."""
    if not DESIGN.exists():
        pytest.skip("../shared/DESIGN.md is not present next to this checkout")
    text = DESIGN.read_text(encoding="utf-8")
    sec = text.split("## 7.", 1)[1].split("## 8.", 1)[0]
    block = sec.split("```")[1]
    start = block.index("n.patients")
    subst = {
        "<g>": "group[12]", "<s>": "(?:immediate|after_chemo)", "<T1..T4>": "T[1-4]",
        "<site>": "(?:pancreas|small_intestine|lung|prostate|other|unknown)",  # DESIGN §3 primary_site
    }
    pats = []
    for line in block[start:].splitlines():
        line = line.split("(", 1)[0]
        for tok in line.split():
            tok = tok.replace("<T1..T4>", "<T>")  # the only placeholder that holds dots
            subst["<T>"] = subst["<T1..T4>"]
            segs = []
            for seg in tok.split("."):
                if seg in subst:
                    segs.append(subst[seg])
                elif "|" in seg:
                    segs.append("(?:" + "|".join(re.escape(x) for x in seg.split("|")) + ")")
                else:
                    segs.append(re.escape(seg))
            pats.append(re.compile(r"\.".join(segs)))
    return pats


def test_design_section7_parser_sees_every_key_family():
    pats = _design_key_regexes()
    assert len(pats) >= 20
    for k in ("n.group1.after_chemo", "table1.t_stage.T4.n", "table4.group2.immediate.volume_change.q3",
              "table4.group1.ttp.p", "regression.group2.r2", "recist.group1.PD.n", "table2.after.p"):
        assert any(p.fullmatch(k) for p in pats), k
    for k in ("table1.t_stage.T1.pct", "table4.group3.ttp.p", "n.group1.later"):
        assert not any(p.fullmatch(k) for p in pats), k


def test_every_key_used_is_a_design_section7_key_or_an_extra_key_the_pipeline_computes(pub):
    # DESIGN §7 welcomes more keys "in the same style"; a key outside §7 must be one that
    # compute_numbers really emits (checked on the bundled cohort), so compare can never chase a ghost.
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers
    from analysis.params import defaults
    from analysis.paths import SYNTHETIC

    pats = _design_key_regexes()
    extra = [k for k in sorted(set(keyed(pub)["key"])) if not any(p.fullmatch(k) for p in pats)]
    emitted = set(compute_numbers(load_dataset(SYNTHETIC), defaults()))
    assert [k for k in extra if k not in emitted] == []


def test_table_rows_carry_the_key_their_id_names(pub):
    for r in keyed(pub).itertuples():
        if r.where in ("table2", "table3"):
            assert r.key == f"{r.where}.{r.id.split(':', 1)[1]}"
        if r.where == "table4":
            assert r.key == f"table4.{r.id.split(':', 1)[1]}"


# ------------------------------------------------------------------ disagreements kept, ambiguities recorded

def test_abstract_and_table3_disagreements_are_both_kept(pub):
    def vals(key):
        return dict(by_key(key, pub)[["where", "value"]].values)

    assert vals("table3.tace.p") == {"abstract": 0.57, "table3": 0.58}
    assert vals("table3.tace.group1.q1") == {"abstract": 134.0, "table3": 137.0}
    assert vals("table3.tace.group2.q3") == {"abstract": 342.0, "table3": 432.0}
    assert vals("table3.chemo.p") == {"abstract": 0.31, "table3": 0.31}


def test_r2_group_swap_between_abstract_and_results_is_kept(pub):
    g1 = dict(by_key("regression.group1.r2", pub)[["where", "value"]].values)
    g2 = dict(by_key("regression.group2.r2", pub)[["where", "value"]].values)
    assert g1 == {"abstract": 0.1085, "results": 0.0265}
    assert g2 == {"abstract": 0.0265, "results": 0.1085}


def test_table4_pvalues_are_recorded_under_both_readings(pub):
    for src in ("table4:", "abstract:table4."):
        for g, p in (("group1", 0.009), ("group2", 0.046)):
            vc = by_id(f"{src}{g}.volume_change.p", pub)
            tt = by_id(f"{src}{g}.ttp.p", pub)
            assert vc["value"] == tt["value"] == p
            assert vc["same_as"] == tt["id"] and tt["same_as"] == vc["id"]
            assert "does not say" in vc["note"]


def test_table1_percentages_that_contradict_counts_are_kept_as_printed(pub):
    v = pub.set_index("id")["value"]
    # hand: 5/34 = 14.7 %, printed 10 %; 18/34 = 52.9 %, printed 30 %
    assert v["table1:t_stage.T1.n"] == 5 and v["table1:t_stage.T1.pct"] == 10
    assert v["methods:primary_resected.true.n"] == 18 and v["methods:primary_resected.true.pct"] == 30
    assert "kept as printed" in by_id("table1:t_stage.T1.pct", pub)["note"].lower()


def test_figure1_counts_add_up_as_printed(pub):
    v = pub.set_index("id")["value"]
    assert v["figure1:n.group1.immediate"] + v["figure1:n.group1.after_chemo"] == v["figure1:n.group1"] == 15
    assert v["figure1:n.group2.immediate"] + v["figure1:n.group2.after_chemo"] == v["figure1:n.group2"] == 19
    assert v["figure1:n.group1"] + v["figure1:n.group2"] == v["figure1:n.patients"] == 34


RU = [("abstract:table3.tace.p", "p=0,57"), ("abstract:table3.chemo.p", "p=0,31"),
      ("abstract:regression.group1.r2", "R2=0,1085"), ("abstract:n.tace", "выполнено 52 ТАХЭ"),
      ("abstract:table3.tace.group2.q3", "304 [240; 342]")]


@pytest.mark.parametrize("row_id,ru", RU)
def test_russian_abstract_agrees_and_is_quoted(article, pub, row_id, ru):
    assert ru in article
    note = by_id(row_id, pub)["note"]
    assert "Russian abstract" in note and ru.split("=")[-1].split()[-1] in note


def test_no_row_is_needed_for_the_russian_abstract(pub):
    assert (pub["where"] == "abstract_ru").sum() == 0


def test_not_applicable_rows_are_marked_not_reproducible(pub):
    r = pub.set_index("id")["reproducible"]
    assert not r["methods:bead_size.min"]
    assert not r["background:bead_swelling"]
    assert r["results:lesions.target.n"]
    assert r["table1:t_stage.T1.pct"]
    assert keyed(pub)["reproducible"].all()


# ------------------------------------------------------------------ schema and validation

def test_datapackage_describes_exactly_the_csv_columns_and_validates():
    import json

    from frictionless import validate

    pkg = json.loads((PUBLISHED / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f["name"] for f in pkg["resources"][0]["schema"]["fields"]]
    assert tuple(fields) == COLUMNS
    report = validate(str(PUBLISHED / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])[:5]


def test_readme_documents_every_column():
    text = (PUBLISHED / "README.md").read_text(encoding="utf-8")
    for col in COLUMNS:
        assert f"`{col}`" in text


def _write(tmp_path, lines):
    src = (PUBLISHED / "published.csv").read_text(encoding="utf-8").splitlines()
    p = tmp_path / "published.csv"
    p.write_text("\n".join([src[0], *lines]) + "\n", encoding="utf-8")
    return p


GOOD = "table3:tace.p,table3.tace.p,table3,p,0.58,p,0.58a,2,,=,true,,"


def test_loader_accepts_a_minimal_valid_file(tmp_path):
    df = load_published(_write(tmp_path, [GOOD]))
    assert df["value"].tolist() == [0.58]


def test_loader_lists_every_problem_with_line_and_column(tmp_path):
    p = _write(tmp_path, [
        GOOD,
        GOOD,                                                                   # line 3: duplicate id
        "table3:x.p,table3.tace.p,table9,p,0.5,p,0.5,2,,=,true,,",              # line 4: where, decimals
        "table2:y,not.a.key,table2,q,1,cm3,1,0,,=,true,,",                      # line 5: key
        "table4:z,,table4,q,-1,cm3,1,0,no reason,=,true,,",                      # line 6: sign w/o note
    ])
    with pytest.raises(UserError) as exc:
        load_published(p)
    msg = str(exc.value)
    assert "published.csv:3: id: 'table3:tace.p': duplicate id (first on line 2)" in msg
    assert "published.csv:4: where: 'table9'" in msg
    assert "published.csv:4: decimals: '2': value 0.5 is written with 1 decimals" in msg
    assert "published.csv:5: key: 'not.a.key'" in msg
    assert "published.csv:6: note:" in msg


def test_loader_rejects_a_missing_file(tmp_path):
    with pytest.raises(UserError, match="cannot read"):
        load_published(tmp_path / "nope.csv")


def test_loader_sees_an_edited_file_despite_the_cache(tmp_path):
    p = _write(tmp_path, [GOOD])
    assert load_published(p)["value"].tolist() == [0.58]
    p.write_text(p.read_text(encoding="utf-8").replace(",0.58,", ",0.57,") + "", encoding="utf-8")
    import os
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert load_published(p)["value"].tolist() == [0.57]
