"""Run every check, write ``audit.csv`` and the reviewer's report ``audit.md``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import UserError
from analysis.paper.audit.agreement import check_agreement
from analysis.paper.audit.criteria import check_criteria
from analysis.paper.audit.core import CHECKS, COLUMNS, VERDICTS, Finding, Pub
from analysis.paper.audit.granularity import check_granularity
from analysis.paper.audit.joint import check_joint
from analysis.paper.audit.moments import check_moments
from analysis.paper.audit.order import check_order
from analysis.paper.audit.percent import check_percent, rounding_step
from analysis.paper.audit.pvalues import check_p
from analysis.paper.audit.regression import check_regression
from analysis.paper.audit.reporting import check_reporting
from analysis.paper.audit.sums import check_sum
from analysis.paper.audit.timeline import check_timeline
from analysis.paper.published import load_published

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def run_audit(published: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Run every check on the published numbers (default: :func:`analysis.paper.published.load_published`).

    Parameters
    ----------
    published : pandas.DataFrame, optional
        A frame with the columns of ``load_published()`` (at least id, key, value, unit, printed,
        decimals; note, relation and alt_value are optional). Tests pass small frames.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per check, in a fixed order (check kind, then generation order).

    References
    ----------
    GRIM: Brown & Heathers 2017, Soc. Psychol. Personal. Sci. 8:363-369; GRIMMER: Anaya 2016, PeerJ
    Preprints 4:e2400; Mann-Whitney p: R ``wilcox.test``; quartiles: R ``quantile`` (type 7); the
    programmes: ``scipy.optimize.milp`` (HiGHS).

    Examples
    --------
    One percentage check on a hand-made value: 12 of 34 patients is 35.3 %, which prints as 35 %.

    >>> import pandas as pd
    >>> pub = pd.DataFrame({"id": ["figure1:n.patients", "table1:t_stage.T1.n", "table1:t_stage.T1.pct"],
    ...                     "key": ["n.patients", "", ""], "value": [34, 12, 35],
    ...                     "unit": ["count", "count", "percent"], "printed": ["34", "12 (35)", "12 (35)"],
    ...                     "decimals": [0, 0, 0]})
    >>> df = run_audit(pub)
    >>> df[["check", "where", "verdict"]].values.tolist()
    [['percent', 'table1 t_stage.T1', 'consistent']]
    >>> df.loc[0, "explanation"]
    '12 of 34 (all patients) rounds to the printed 35%.'
    """
    import pandas as pd

    pub = _pub(published)
    findings: list[Finding] = []
    for fn in (check_percent, check_sum, check_agreement, check_order, check_granularity, check_p,
               check_joint, check_moments, check_regression, check_timeline, check_criteria, check_reporting):
        findings.extend(fn(pub))
    order = {c: i for i, c in enumerate(CHECKS)}
    findings = sorted(enumerate(findings), key=lambda t: (order[t[1].check], t[0]))
    return pd.DataFrame([f.as_row() for _, f in findings], columns=COLUMNS)


_TITLES = {
    "percent": "Percentages vs counts", "sum": "Counts that must add up",
    "agreement": "Numbers printed more than once", "order": "Order and signs",
    "granularity": "Granularity of quartiles", "p_feasibility": "Can the Mann-Whitney p-values arise?",
    "joint_quartiles": "Group vs subgroup summaries together", "moments": "Mean, SD, minimum and maximum",
    "regression": "R² and the stated conclusion", "timeline": "Dates, intervals and schedules",
    "criteria": "Counts against the response criteria", "reporting": "Labels, tests, safety and funding",
}
_SUMMARY = (("inconsistent", "Proven impossible (no dataset can make these true)"),
            ("inconsistent under a stated reading", "Impossible under the natural reading (named in the explanation)"),
            ("tension", "Possible only under an unusual reading"))


def summary_lines(df: "pd.DataFrame") -> list[str]:
    """The one-screen summary that opens ``audit.md``: proven impossibilities, then reading-dependent ones,
    then tensions, one line each (where, printed, and the first sentence of the explanation).

    Parameters
    ----------
    df : pandas.DataFrame
        A frame from :func:`run_audit`.

    Returns
    -------
    list of str
        Markdown lines (a heading, then one bullet per flagged finding, grouped by verdict); empty headings
        are left out.

    References
    ----------
    As :func:`run_audit`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame([["sum", "results RECIST group2", "12 PR + 10 SD vs 19 patients", "22", "inconsistent",
    ...                     "Group 2 has 19 patients and 22 responses. More text."]], columns=COLUMNS)
    >>> for line in summary_lines(df)[2:5]:
    ...     print(line)
    ### Proven impossible (no dataset can make these true): 1
    <BLANKLINE>
    1. results RECIST group2: 12 PR + 10 SD vs 19 patients — Group 2 has 19 patients and 22 responses.
    """
    out = ["## Summary", ""]
    for verdict, title in _SUMMARY:
        sub = df[df["verdict"] == verdict]
        if sub.empty:
            continue
        out += [f"### {title}: {len(sub)}", ""]
        for i, (_, r) in enumerate(sub.iterrows(), 1):
            out.append(f"{i}. {r['where']}: {r['printed']} — {_first_sentence(str(r['explanation']))}")
        out.append("")
    return out


def _first_sentence(text: str) -> str:
    """The explanation up to its first full stop followed by a space (whole text if none)."""
    for k in range(len(text) - 1):
        if text[k] == "." and text[k + 1] == " " and not text[:k].endswith(("e.g", "i.e", "incl")):
            return text[:k + 1]
    return text


def _pub(published: "pd.DataFrame | None") -> Pub:
    """The published values (default: the article's) with the optional columns filled in."""
    if published is None:
        published = load_published()
    df = published.copy()
    for col, default in (("key", ""), ("note", ""), ("relation", "="), ("alt_value", float("nan"))):
        if col not in df.columns:
            df[col] = default
    df["key"] = df["key"].fillna("").astype(str)
    return Pub(df)


def audit_markdown(df: "pd.DataFrame", notes: tuple[str, ...] = ()) -> str:
    """The reviewer's report: a summary line, then one section (with a table) per check kind.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame from :func:`run_audit`.
    notes : tuple of str, optional
        Paragraphs printed after the summary (e.g. the detected rounding convention).

    Returns
    -------
    str
        Markdown, without a final newline.

    References
    ----------
    As :func:`run_audit`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame([["sum", "figure1 groups", "15 + 19 vs 34", "34", "consistent", "They add up."]],
    ...                   columns=COLUMNS)
    >>> audit_markdown(df).splitlines()[2]
    '**1 checks: 0 inconsistent, 0 inconsistent under a stated reading, 0 tension, 1 consistent, 0 not checkable.**'
    """
    counts = {v: int((df["verdict"] == v).sum()) for v in VERDICTS}
    lines = ["# Consistency audit of the published article", "",
             f"**{len(df)} checks: " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS) + ".**", ""]
    lines += summary_lines(df)
    for note in notes:
        lines += [note, ""]
    lines += ["## Verdicts", "",
              "Every number comes from `data/published/published.csv`. `inconsistent`: no dataset can produce the "
              "printed numbers (proven; bounds are exact unless the explanation says \"conservative\"). "
              "`inconsistent under a stated reading`: impossible under the reading the explanation states, possible "
              "under another. `tension`: possible only under an unusual reading, which the explanation names. "
              "`not checkable`: the explanation says what is missing. No verdict depends on the machine's speed "
              "(solvers have node limits, never time limits).", ""]
    for kind in CHECKS:
        sub = df[df["check"] == kind]
        if sub.empty:
            continue
        k_bad = int(sub["verdict"].isin(VERDICTS[:3]).sum())
        lines += [f"## {_TITLES[kind]} (`{kind}`): {len(sub)} checks, {k_bad} flagged", "",
                  "| where | printed | recomputed | verdict | explanation |", "|---|---|---|---|---|"]
        for _, r in sub.iterrows():
            cells = [str(r[c]).replace("|", "\\|").replace("\n", " ") for c in
                     ("where", "printed", "recomputed", "verdict", "explanation")]
            if r["verdict"] in VERDICTS[:3]:
                cells[3] = f"**{r['verdict']}**"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def write_audit(out_dir: str | Path, published: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Run the audit and write ``out_dir/audit.csv`` and ``out_dir/audit.md``; print where.

    Parameters
    ----------
    out_dir : str or Path
        Output folder, created when missing.
    published : pandas.DataFrame, optional
        As for :func:`run_audit` (default: the paper's published values).

    Returns
    -------
    pandas.DataFrame
        The audit frame (as from :func:`run_audit`).

    Raises
    ------
    UserError
        The output folder cannot be created.

    References
    ----------
    As :func:`run_audit`.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> pub = pd.DataFrame({"id": ["figure1:n.group1", "figure1:n.group2", "figure1:n.patients"],
    ...                     "key": ["n.group1", "n.group2", "n.patients"], "value": [15, 19, 34],
    ...                     "unit": "count", "printed": ["15", "19", "34"], "decimals": 0})
    >>> df = write_audit(tempfile.mkdtemp(), pub)   # doctest: +ELLIPSIS
    wrote .../audit.csv and .../audit.md (1 checks, 0 inconsistent)
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    df = run_audit(published)
    csv_path, md_path = out / "audit.csv", out / "audit.md"
    df.to_csv(csv_path, index=False, lineterminator="\n")
    step, why = rounding_step(_pub(published))
    notes = (f"Rounding convention of the article's percentages (detected from its own numbers): {why}; "
             f"percentages are checked {'to the nearest 5 %' if step == 5 else 'at their printed precision'}.",)
    md_path.write_text(audit_markdown(df, notes) + "\n", encoding="utf-8")
    n_bad = int((df["verdict"] == "inconsistent").sum())
    print(f"wrote {csv_path} and {md_path} ({len(df)} checks, {n_bad} inconsistent)")
    return df
