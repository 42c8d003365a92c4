"""Notebook display helpers for cached parts: the audit summarised, a figure shown from its PNG bytes."""

from __future__ import annotations


def audit_summary(audit):
    """Audit checks by verdict (a table with totals); text passes through unchanged."""
    import pandas as pd

    if isinstance(audit, str):
        return audit
    return pd.crosstab(audit["check"], audit["verdict"], margins=True, margins_name="total")


def audit_findings(audit, verdict: str = "inconsistent"):
    """The audit rows with one verdict (default: the published numbers that cannot all be true)."""
    if isinstance(audit, str):
        return audit
    return audit[audit["verdict"] == verdict].reset_index(drop=True)


def show_figure(figs: dict, name: str):
    """An IPython image of one figure (PNG bytes, so the notebook output is byte-stable).

    A figure skipped because its inputs are all missing (:func:`analysis.report.figures.skipped`)
    shows as a one-line note instead.
    """
    from IPython.display import Image, Markdown

    from analysis.report.figures import NEED_PROGRESSION
    from analysis.study.endpoints import NO_PROGRESSION_FILE

    if name not in figs and name in NEED_PROGRESSION:
        return Markdown(f"**{name}**: {NO_PROGRESSION_FILE} (figure skipped).")
    return Image(data=figs[name]["png"], format="png")
