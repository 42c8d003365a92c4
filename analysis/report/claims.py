"""The claims of the paper for OUT/index.html: published, reproduced, verdict, the audit's finding linked.

:func:`claims_frame` puts every published number beside the reproduced one, grouped by table
(:data:`analysis.paper.verdicts.TOPICS`), with one of four verdicts (:data:`VERDICTS`);
:func:`claims_html` renders it and :func:`audit_html` renders the audit as a page whose rows are
anchors (``audit.html#audit-N``) the claims link to.
"""

from __future__ import annotations

import html
from typing import Any

#: verdict shown -> (CSS colour, meaning)
VERDICTS = {
    "holds": ("#1b7f3b", "reproduced: exact, or equal at the printed precision"),
    "differs": ("#b35c00", "reproduced, but not equal at the printed precision"),
    "impossible according to the audit": ("#b00020", "the printed numbers cannot all be true (the audit)"),
    "not reproducible from the data": ("#666666", "the dataset does not allow it to be computed"),
}

_GROUP_TITLES = {"overview": "Study population", "table1": "Table 1", "table2": "Table 2", "table3": "Table 3",
                 "table4": "Table 4", "regression": "Doubling-time regression", "recist": "RECIST response",
                 "other": "Other numbers in the text"}


def shown_verdict(compare_verdict: str, audit: str) -> str:
    """The verdict shown for one claim (:data:`VERDICTS`) from the comparison's and the audit's.

    Examples
    --------
    >>> shown_verdict("different", "inconsistent"), shown_verdict("close", ""), shown_verdict("not reproduced", "")
    ('impossible according to the audit', 'holds', 'not reproducible from the data')
    """
    if audit == "inconsistent":
        return "impossible according to the audit"
    if compare_verdict in ("exact", "close"):
        return "holds"
    if compare_verdict == "different":
        return "differs"
    return "not reproducible from the data"


def claims_frame(numbers: dict, params: dict, audit) -> Any:
    """Every published number: group, id, quantity, published, reproduced, verdict, finding, audit row.

    ``audit_row`` is the index of the audit row whose finding applies (-1 when none applies).
    """
    import pandas as pd

    from analysis.paper.verdicts import TOPICS, table_verdicts

    rows, seen = [], set()
    for topic in [*TOPICS, "other"]:
        t = table_verdicts("all" if topic == "other" else topic, numbers, params)
        t = t[~t["id"].isin(seen)]
        seen.update(t["id"])
        t.insert(0, "group", topic)
        rows.append(t)
    df = pd.concat(rows, ignore_index=True)
    df["shown"] = [shown_verdict(v, a) for v, a in zip(df["verdict"], df["audit"])]
    pairs = list(enumerate(zip(audit["verdict"], audit["explanation"])))
    index = {pair: i for i, pair in reversed(pairs)}  # the first audit row with that finding
    df["audit_row"] = [index.get((a, f), -1) if f else -1 for a, f in zip(df["audit"], df["finding"])]
    return df


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def claims_html(df) -> str:
    """The claims table (HTML), one header row per group; then the counts of each verdict."""
    e = html.escape
    parts = ['<table class="claims">\n<tr><th>number</th><th>published</th><th>reproduced</th><th>verdict</th>'
             "<th>audit finding</th></tr>"]
    for group, g in df.groupby("group", sort=False):
        parts.append(f'<tr class="group"><th colspan="5">{e(_GROUP_TITLES.get(group, group))}</th></tr>')
        for r in g.to_dict("records"):
            colour = VERDICTS[r["shown"]][0]
            finding = e(r["finding"] or "")
            if r["audit_row"] >= 0:
                finding = f'<a href="audit.html#audit-{r["audit_row"]}">{finding}</a>'
            parts.append(f"<tr><td>{e(str(r['quantity']))} <small><code>{e(str(r['id']))}</code></small></td>"
                         f"<td>{e(str(r['printed']))}</td><td>{e(_fmt(r['reproduced']))}</td>"
                         f'<td><span class="verdict" style="background:{colour}">{e(r["shown"])}</span></td>'
                         f"<td>{finding}</td></tr>")
    parts.append("</table>")
    counts = df["shown"].value_counts()
    parts.append("<h2>Counts</h2>\n<table>\n<tr><th>verdict</th><th>numbers</th><th>meaning</th></tr>")
    for v, (colour, meaning) in VERDICTS.items():
        parts.append(f'<tr><td><span class="verdict" style="background:{colour}">{e(v)}</span></td>'
                     f"<td>{int(counts.get(v, 0))}</td><td>{e(meaning)}</td></tr>")
    parts.append(f"<tr><td>all</td><td>{len(df)}</td><td></td></tr>\n</table>")
    return "\n".join(parts)


def audit_html(audit, css: str) -> str:
    """The publication audit as a page; row N has the anchor ``audit-N``; nothing is cut off."""
    e = html.escape
    cols = list(audit.columns)
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Publication audit</title>\n'
             f"<style>{css}</style>\n</head>\n<body>\n<h1>Consistency audit of the publication</h1>\n"
             '<p>Each row checks printed numbers against each other (no data needed). <a href="index.html">Back to '
             "the report</a>.</p>\n<table>\n<tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>"]
    for i, r in enumerate(audit.to_dict("records")):
        parts.append(f'<tr id="audit-{i}">' + "".join(f"<td>{e(str(r[c]))}</td>" for c in cols) + "</tr>")
    parts.append("</table>\n</body>\n</html>\n")
    return "\n".join(parts)
