"""Published | reproduced | verdict | audit finding, for the numbers of one table (the notebooks' comparison).

:func:`table_verdicts` selects the published numbers of one topic (:data:`TOPICS`: a table, the
regression, the RECIST counts, or ``"all"``), compares them with reproduced values through
:func:`analysis.paper.compare.compare` (same verdicts as ``comparison.csv``), and attaches what the
consistency audit (:func:`analysis.paper.audit.run_audit`) says about each printed number.

How an audit finding is matched to a published number
    Every audit row names where it looked in its ``where`` text, in one of two forms:
    ``"<section>[ vs|+ <section>]: <dotted name> ..."`` (e.g. ``"table2: table2.after.p (quartiles
    from table2)"``) or ``"<section>[ vs <section>] <words>"`` (e.g. ``"table1 t_stage.T1"``,
    ``"results RECIST group2"``). The words after the sections are joined with dots and lower-cased
    (``recist.group2``). A finding applies to a published number printed in one of those sections
    when that dotted name is the number's name (its id after the colon, or its numbers key) or a
    leading part of it. A percentage check applies to the percentage only. Of several findings the
    most severe is shown (inconsistent, then not checkable, then consistent); its explanation is
    the sentence in the ``finding`` column.

Caching
    The audit depends only on the published values and the audit code (it takes ~20 s: exact
    mixed-integer programmes). :func:`audit_results` keeps it in memory (``functools.lru_cache``) and
    on disk as ``.cache/audit/<hash>.csv``, the hash being SHA-256 over the bytes of
    ``data/published/*`` and of ``analysis/paper/**/*.py`` except this module (change either and it is recomputed).

Examples
--------
>>> _dotted("table2: table2.after.p (quartiles from table2)")
(('table2',), 'table2.after.p')
>>> _dotted("results RECIST group2")
(('results',), 'recist.group2')
>>> _dotted("abstract vs table3: table3.tace.p")
(('abstract', 'table3'), 'table3.tace.p')
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.paths import PUBLISHED, ROOT

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: topic -> (key prefixes, id prefixes) of the published numbers a notebook compares
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "overview": (("n.",), ("figure1:",)),
    "table1": (("table1.",), ("table1:",)),
    "table2": (("table2.",), ("table2:",)),
    "table3": (("table3.",), ("table3:",)),
    "table4": (("table4.",), ("table4:",)),
    "regression": (("regression.",), ()),
    "recist": (("recist.",), ("results:recist.",)),
}

#: columns of :func:`table_verdicts`
COLUMNS = ("key", "id", "where", "quantity", "printed", "published", "reproduced", "verdict",
           "conclusion_holds", "audit", "finding")

SEVERITY = {"inconsistent": 0, "not checkable": 1, "consistent": 2}
_SECTIONS = {"abstract", "methods", "results", "discussion", "background", "figure1", "figure2", "figure3",
             "table1", "table2", "table3", "table4"}
CACHE = ROOT / ".cache" / "audit"


def audit_hash() -> str:
    """SHA-256 over the published values and the code of :mod:`analysis.paper` (the audit's inputs)."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    files = sorted(PUBLISHED.glob("*")) + sorted(p for p in pkg.rglob("*.py") if p.name != "verdicts.py")
    for p in files:
        if p.is_file():
            h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _audit_cached(digest: str) -> pd.DataFrame:
    import pandas as pd

    from analysis.paper.audit import run_audit

    path = CACHE / f"{digest[:32]}.csv"
    if path.is_file():
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    df = run_audit()
    try:  # atomic: parallel notebooks may race; the loser's copy is identical
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except OSError:  # a read-only checkout still works, just slower
        pass
    return df.astype(str)


def audit_results() -> pd.DataFrame:
    """The consistency audit of the publication (columns of :data:`analysis.paper.audit.COLUMNS`), cached."""
    return _audit_cached(audit_hash()).copy()


def _dotted(where: str) -> tuple[tuple[str, ...], str]:
    """(sections, dotted name) named by an audit row's ``where`` text (see the module docstring)."""
    text = re.sub(r"\s*[\[(].*$", "", where.strip())
    if ":" in text:
        head, tail = text.split(":", 1)
        sections = tuple(s for s in re.split(r"\s+(?:vs|\+)\s+", head.strip()) if s)
        return sections, (tail.split() or [""])[0].lower()
    words = text.split()
    sections = []
    while words and (words[0] in _SECTIONS or (words[0] in ("vs", "+") and sections)):
        w = words.pop(0)
        if w in _SECTIONS:
            sections.append(w)
    return tuple(sections), ".".join(words).lower()


def _applies(sections, name, check, row) -> bool:
    if not name or row["where"] not in sections:
        return False
    if check == "percent" and row["unit"] != "percent":
        return False
    local = str(row["id"]).split(":", 1)[-1].lower()
    key = str(row["key"] or "").lower()
    if any(c == name or c.startswith(name + ".") for c in (local, key) if c):
        return True
    return set(name.split(".")) <= set(local.split("."))


def findings_for(published_rows: pd.DataFrame, audit: pd.DataFrame | None = None) -> dict[str, tuple[str, str]]:
    """Published id -> (audit verdict, explanation) of its most severe matching audit finding."""
    audit = audit_results() if audit is None else audit
    parsed = [(_dotted(r["where"]), r["check"], r["verdict"], r["explanation"]) for r in audit.to_dict("records")]
    out: dict[str, tuple[str, str]] = {}
    for row in published_rows.to_dict("records"):
        best = None
        for (sections, name), check, verdict, explanation in parsed:
            if _applies(sections, name, check, row):
                if best is None or SEVERITY.get(verdict, 3) < SEVERITY.get(best[0], 3):
                    best = (verdict, explanation)
        if best is not None:
            out[row["id"]] = best
    return out


def as_numbers(numbers: Any) -> dict:
    """A flat ``{key: value}`` from a numbers dict, a tidy frame (``key``, ``value``) or a list of them."""
    import pandas as pd

    if isinstance(numbers, dict):
        return numbers
    frames = numbers if isinstance(numbers, (list, tuple)) else [numbers]
    out: dict = {}
    for f in frames:
        if isinstance(f, dict):
            out.update(f)
        elif isinstance(f, pd.DataFrame):
            out.update({k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                        for k, v in zip(f["key"], f["value"])})
        else:
            raise TypeError(f"expected a dict or a tidy DataFrame, got {type(f).__name__}")
    return out


def select(topic: str, published: pd.DataFrame) -> pd.DataFrame:
    """The published rows of one topic (:data:`TOPICS`; ``"all"`` = every row)."""
    if topic == "all":
        return published
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; one of {', '.join(TOPICS)} or 'all'")
    keys, ids = TOPICS[topic]
    k = published["key"].fillna("").astype(str)
    i = published["id"].astype(str)
    mask = k.str.startswith(keys) | (i.str.startswith(ids) if ids else False)
    return published[mask]


def table_verdicts(topic: str, numbers: Any, params: dict | None = None) -> pd.DataFrame:
    """Every published number of ``topic`` beside the reproduced one, its verdict and the audit's finding.

    Parameters
    ----------
    topic : str
        ``overview``, ``table1`` ... ``table4``, ``regression``, ``recist`` or ``all``.
    numbers : dict or pandas.DataFrame or list
        Reproduced values: a ``numbers.json``-style dict, or the tidy frame(s) of
        :mod:`analysis.study.tables` (``key``/``value`` columns).
    params : dict, optional
        Analysis parameters; ``alpha`` judges the p-values' conclusions.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per published number, in published-file order:
        ``verdict`` from :func:`analysis.paper.compare.compare`; ``conclusion_holds`` (p-values:
        significant at alpha in the paper and here alike); ``audit`` the audit's verdict for this
        number (empty when no check is about it) and ``finding`` its explanation when not consistent.
    """
    import pandas as pd

    from analysis.paper.compare import compare
    from analysis.paper.published import load_published

    pub = select(topic, load_published())
    comp = compare(as_numbers(numbers), pub, params).set_index("id")
    found = findings_for(pub)
    rows = []
    for r in pub.to_dict("records"):
        c = comp.loc[r["id"]]
        audit, explanation = found.get(r["id"], ("", ""))
        rows.append(dict(key=r["key"] or "", id=r["id"], where=r["where"], quantity=r["quantity"],
                         printed=r["printed"], published=c["published"], reproduced=c["reproduced"],
                         verdict=c["verdict"], conclusion_holds=c["conclusion_holds"], audit=audit,
                         finding="" if audit == "consistent" else explanation))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def conclusions(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The p-value rows of a :func:`table_verdicts` frame: does each published conclusion hold at alpha?"""
    p = verdicts[verdicts["conclusion_holds"].notna()]
    return p[["id", "quantity", "published", "reproduced", "conclusion_holds", "audit"]].reset_index(drop=True)


def verdict_counts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Counts of verdicts per section where the number was printed (rows) and verdict (columns)."""
    t = verdicts.groupby(["where", "verdict"]).size().unstack(fill_value=0)
    t.loc["all"] = t.sum()
    return t


def audit_summary(audit: pd.DataFrame | None = None) -> pd.DataFrame:
    """Audit checks per kind (rows) and verdict (columns)."""
    audit = audit_results() if audit is None else audit
    t = audit.groupby(["check", "verdict"]).size().unstack(fill_value=0)
    t.loc["all"] = t.sum()
    return t


def impossible(audit: pd.DataFrame | None = None) -> pd.DataFrame:
    """The audit's inconsistent findings: printed numbers that cannot all be true at once."""
    audit = audit_results() if audit is None else audit
    bad = audit[audit["verdict"] == "inconsistent"]
    return bad[["check", "where", "printed", "explanation"]].reset_index(drop=True)
