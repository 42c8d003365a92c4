"""Check kind ``regression``: R² against n and the stated conclusion."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, Finding, Pub
from analysis.paper.feasibility import regression_p_from_r2


def check_regression(pub: Pub) -> list[Finding]:
    """Each printed R² gives, with its group's n, a slope p that fits the stated conclusion."""
    out = []
    alpha = pub.val("methods:alpha") if pub.has("methods:alpha") else 0.05
    for rid in sorted(pub.ids()):
        r = pub.rows[rid]
        if r["unit"] != "r2":
            continue
        g = next((x for x in GROUPS if x in rid), None)
        n = pub.n(g) if g else None
        if n is None:
            continue
        r2 = pub.val(rid)
        p = regression_p_from_r2(r2, n)
        other = [x for x in GROUPS if x != g][0]
        p_other = regression_p_from_r2(r2, pub.n(other)) if pub.n(other) else float("nan")
        n_sig = next((m for m in range(3, 10000) if regression_p_from_r2(r2, m) < alpha), None)
        ok = p >= alpha and p_other >= alpha
        out.append(Finding("regression", f"{rid.split(':')[0]} {g} R²", f"R² = {pub.text(rid)}",
                           f"p = {p:.3f} with n={n} (p = {p_other:.3f} with n={pub.n(other)})",
                           "consistent" if ok else "inconsistent",
                           f"F(1, n−2) = R²(n−2)/(1−R²) gives p = {p:.3f} for n={n} (fewer points if some doubling "
                           f"times are undefined), not significant for either group size (significance would need "
                           f"n >= {n_sig}); this supports 'no linear relationship', and 'weak linear dependence' "
                           f"only as a description of a non-significant R²."))
    return out
