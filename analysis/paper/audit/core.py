"""The audit's core: check kinds and verdicts, a finding, the look-up into the published values, number formats."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from analysis.paper.feasibility import rounding_interval

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CHECKS = ("percent", "sum", "agreement", "order", "granularity", "p_feasibility", "joint_quartiles",
          "moments", "regression", "timeline", "criteria", "reporting")
#: ``inconsistent``: no dataset can make the printed numbers true (proven); ``inconsistent under a stated
#: reading``: impossible under the natural reading the explanation names, possible under another one;
#: ``tension``: possible only under an unusual reading (named); ``consistent``; ``not checkable`` (the
#: explanation says what is missing). Most severe first.
VERDICTS = ("inconsistent", "inconsistent under a stated reading", "tension", "consistent", "not checkable")
PROVEN, READING, TENSION = VERDICTS[:3]
COLUMNS = ["check", "where", "printed", "recomputed", "verdict", "explanation"]

GROUPS = ("group1", "group2")
SUBGROUPS = ("immediate", "after_chemo")
SUB_LABEL = {"immediate": "TACE immediately", "after_chemo": "TACE after chemotherapy"}
STAT_PROB = {"q1": "0.25", "median": "0.5", "q3": "0.75"}

# Families of counts that partition the cohort (structure only: the numbers come from the file).
PARTITIONS = {
    "t_stage": "T stage",
    "primary_site": "primary site",
    "dx_to_liver_mets": "time from diagnosis to liver metastases",
    "liver_mets_to_tace": "time from liver metastases to TACE",
    "liver_distribution": "liver distribution",
    "extrahepatic": "liver-only vs extrahepatic disease",
    "primary_resected": "primary resected",
}
RESPONSES = ("CR", "PR", "SD", "PD")


@dataclass
class Finding:
    """One audit row: check kind, where, what is printed, what is recomputed, verdict, explanation."""

    check: str
    where: str
    printed: str
    recomputed: str
    verdict: str
    explanation: str

    def as_row(self) -> list[str]:
        """The finding as a list in the order of :data:`COLUMNS`."""
        return [self.check, self.where, self.printed, self.recomputed, self.verdict, self.explanation]



def collect(pub: "Pub", checks) -> list[Finding]:
    """The findings of ``checks`` (functions ``pub -> Finding | None``) in order, skipping those that return None."""
    return [f for f in (fn(pub) for fn in checks) if f is not None]


class Pub:
    """Look-ups into the published-values frame by row id."""

    def __init__(self, df: "pd.DataFrame"):
        """Index the rows of ``df`` by id."""
        self.df = df
        self.rows = {r["id"]: r for r in df.to_dict("records")}

    def has(self, rid: str) -> bool:
        """Is a row with this id printed?"""
        return rid in self.rows

    def val(self, rid: str) -> float | None:
        """The row's value (None when absent)."""
        r = self.rows.get(rid)
        return None if r is None else float(r["value"])

    def dec(self, rid: str) -> int:
        """The row's printed decimals."""
        return int(self.rows[rid]["decimals"])

    def text(self, rid: str, value: float | None = None) -> str:
        """The number as printed (with the restored sign): value formatted with its decimals."""
        v = self.val(rid) if value is None else value
        return fmt_num(v, self.dec(rid))

    def interval(self, rid: str, value: float | None = None) -> tuple[Fraction, Fraction]:
        """Closed interval of true values that print as the row's text (or ``value`` so formatted)."""
        return rounding_interval(self.text(rid, value))

    def alt(self, rid: str) -> float | None:
        """The row's alternative coherent value (None when there is none)."""
        r = self.rows.get(rid)
        if r is None:
            return None
        a = r.get("alt_value")
        return None if a is None or (isinstance(a, float) and math.isnan(a)) or a == "" else float(a)

    def ids(self, prefix: str = "", suffix: str = "") -> list[str]:
        """Ids starting with ``prefix`` and ending with ``suffix``, in file order."""
        return [i for i in self.rows if i.startswith(prefix) and i.endswith(suffix)]

    def n(self, *parts: str) -> int | None:
        """A sample size printed under key ``n.<parts>`` (any section; the first one found)."""
        key = ".".join(("n",) + parts)
        for rid in sorted(self.rows):
            r = self.rows[rid]
            if r.get("key") == key or rid.split(":", 1)[-1] == key:
                return int(round(float(r["value"])))
        return None

    def cell(self, prefix: str) -> dict[str, str]:
        """Ids of the median / q1 / q3 printed under ``prefix`` (e.g. ``table2:before.group1``)."""
        out = {}
        for stat in ("q1", "median", "q3"):
            rid = f"{prefix}.{stat}"
            if rid in self.rows:
                out[stat] = rid
        return out


def fmt_num(v: float, decimals: int) -> str:
    """``v`` with ``decimals`` decimals, never a negative zero."""
    s = f"{v:.{decimals}f}"
    return "0" if s in ("-0", "-0.0") and decimals == 0 else s


def fmt_p(p: float) -> str:
    """A p-value for an explanation: 4 decimals, scientific notation below 0.001."""
    if p >= 0.001:
        return f"{p:.4f}"
    return f"{p:.2e}"


def me_iqr(pub: Pub, cell: dict[str, str], values: dict[str, float] | None = None) -> str:
    """A cell as printed, ``median [LQ; UQ]`` (values override for sign readings)."""
    v = values or {}
    parts = {k: pub.text(rid, v.get(k)) for k, rid in cell.items()}
    return f"{parts.get('median', '?')} [{parts.get('q1', '?')}; {parts.get('q3', '?')}]"
