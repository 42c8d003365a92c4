"""The published numbers the synthetic cohort aims at, and the readings chosen where the article is ambiguous.

The values come from :func:`analysis.paper.published.load_published` (data/published/published.csv), never
retyped here: for each numbers.json key the table entry is preferred over the text and the abstract
("tables over abstract"). Only the *choices* live here (which printed version of a number is aimed at,
and why), plus the categorical counts that numbers.json does not name as keys.

Readings (each is listed in the data card):

* Table 4 minus signs: the article's text layer lost them; the restored (negative) volume changes are
  the only coherent reading (each Me lies between its LQ and UQ only with the signs restored).
* Table 3 after-TACE quartiles: the table (137 and 432) over the abstract (134 and 342).
* Table 3 after-TACE p: the table (0.58) over the abstract (0.57).
* R²: the abstract (English and Russian) gives 0.1085 to group 1 and 0.0265 to group 2; the Results text
  swaps them. Two printings against one: the abstract's assignment is aimed at.
* Table 4 p (0.009 / 0.046): the article does not say whether it belongs to the volume change or to TTP;
  both are aimed at, and both are reported.
* RECIST at the first follow-up: group 2's printed counts (PR 12 + SD 10 = 22) exceed its 19 patients.
  The printed counts add up to 34 over both groups (CR 1, PR 17, SD 15, PD 1; percentages are of 34), so
  the totals and group 1's CR and PR and group 2's PR are kept: group 1 CR 1, PR 5, SD 9; group 2 PR 12,
  SD 6, PD 1 (the one progression). Group 1's SD (5) and group 2's SD (10) cannot then hold.
"""

from __future__ import annotations

# ---- keys aimed at (values are read from data/published) --------------------------------------------

GROUPS = ("group1", "group2")
SUBGROUPS = ("immediate", "after_chemo")
STATS = ("median", "q1", "q3")

QUARTILE_KEYS = (
    [f"table2.{w}.{g}.{s}" for w in ("before", "after") for g in GROUPS for s in STATS]
    + [f"table3.{w}.{g}.{s}" for w in ("chemo", "tace") for g in GROUPS for s in STATS]
    + [f"table4.{g}.{sg}.{e}.{s}" for g in GROUPS for sg in SUBGROUPS for e in ("volume_change", "ttp")
       for s in STATS]
)
P_KEYS = [
    "table2.before.p", "table2.after.p", "table3.chemo.p", "table3.tace.p",
    "table4.group1.volume_change.p", "table4.group1.ttp.p",
    "table4.group2.volume_change.p", "table4.group2.ttp.p",
]
R2_KEYS = ["regression.group1.r2", "regression.group2.r2"]
AGE_KEYS = ["table1.age.mean", "table1.age.sd", "table1.age.min", "table1.age.max"]

# where each kind of key is preferably read from (first found wins)
WHERE_PREFERENCE = ("table1", "table2", "table3", "table4", "figure1", "results", "methods", "abstract")
# R² is printed only in the abstract and in the Results text, which disagree: the abstract is aimed at
R2_PREFERENCE = ("abstract", "results")

# ---- categorical composition (Figure 1, Table 1, Methods text): keys of published.csv ------------------

# subgroup sizes, in the order group1 immediate, group1 after_chemo, group2 immediate, group2 after_chemo
SUBGROUP_KEYS = ("n.group1.immediate", "n.group1.after_chemo", "n.group2.immediate", "n.group2.after_chemo")

# RECIST at the first follow-up: the chosen reading (see module docstring)
RECIST_CHOICE = {
    "group1": {"CR": 1, "PR": 5, "SD": 9, "PD": 0},
    "group2": {"CR": 0, "PR": 12, "SD": 6, "PD": 1},
}

# ---- the same readings as short sentences for the data card ------------------------------------------

READINGS = [
    "Table 4 volume changes: the minus signs lost in the article's text layer are restored (negative = "
    "shrinkage); only then does each median lie between its quartiles.",
    "Table 3 after-TACE quartiles and p: the table (300 [137; 344], 304 [240; 432], p 0.58) is aimed at, not "
    "the abstract (134, 342, p 0.57).",
    "R²: the abstract (English and Russian) gives 0.1085 to group 1 and 0.0265 to group 2; the Results text "
    "swaps them. The abstract's assignment (printed twice) is aimed at.",
    "Table 4 p-values (0.009 group 1, 0.046 group 2): not said whether they belong to the volume change or "
    "to TTP; both readings are aimed at and reported.",
    "Table 3 TTP after chemotherapy: one chemotherapy row per patient treated with TACE after progression on "
    "chemotherapy (8 in group 1, 10 in group 2); patients treated immediately have no chemotherapy row "
    "before TACE.",
    "RECIST 1.1 at the first follow-up: group 2's printed PR 12 + SD 10 = 22 exceed its 19 patients, while "
    "all printed counts add up to 34 (CR 1, PR 17, SD 15, PD 1, percentages of 34). Kept: the totals, "
    "group 1 CR 1 and PR 5, group 2 PR 12, and one progression; so group 1 has SD 9 (printed 5) and group 2 "
    "SD 6 (printed 10) and the one PD.",
    "Ages: a mean of 58.55 for 34 patients is impossible with whole years (1990/34 = 58.53, 1991/34 = 58.56), "
    "so ages are stored with one decimal.",
    "Table 1 'time from liver metastases to TACE < 2 weeks' (12 patients) contradicts the Methods' baseline "
    "exam at least 14 days before TACE: the counts win, so for these 12 patients the baseline exam is the "
    "detection exam (day 0), 7-13 days before TACE. The other 22 have TACE more than 3 months after detection "
    "(the 18 treated after chemotherapy and 4 treated without chemotherapy after a longer work-up).",
    "Percentages printed in Table 1 and the Methods that contradict their counts are ignored (the counts win; "
    "see the audit).",
]

REALISM = [
    "Pseudonyms SYN-01 .. SYN-34 (cannot be mistaken for real identifiers); no names, no dates: every time "
    "is a day offset from the detection of liver metastases (day 0).",
    "Ages 29-82 years; sex M for prostate primaries, otherwise drawn at random.",
    "Tumour volume > 0 and well below the liver volume (liver 1100-2330 cm3).",
    "Exams every 70-105 days (10-15 weeks); an exam that shows progression may come earlier (at least 14 "
    "days after the previous one).",
    "Baseline exam 14-35 days before the first TACE (except the 12 '< 2 weeks' patients, see above); first "
    "follow-up 49-63 days (about 8 weeks) after it; no exam between TACE and the first follow-up.",
    "Every progression end_day is an exam day; chemotherapy starts after day 0 and its progression exam is "
    "the baseline exam before TACE.",
    "Repeat TACE (10 patients, 18 repeats, 2-4 procedures each) only after the progression after TACE; "
    "procedures numbered in day order; irinotecan 100 mg on 200-400 um microspheres; adverse event grade 0.",
    "Follow-up at least about 1.5 years after the first TACE, at most about 5 years.",
    "RECIST categories at the first follow-up go to the patients with the largest shrinkage (V1/V0) first; "
    "with 12 PR among group 2's 19 patients some PR patients have an almost unchanged total volume (diameters "
    "and volumes disagree, as the article itself notes for RECIST).",
]
