"""Check kind ``reporting``: what the article says about its own results, funding and safety, set against its
numbers: labels, p-values shared by two endpoints, an untested headline, zero adverse events, funding."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, TENSION, Finding, Pub, collect, me_iqr

#: Confidence level of the interval around a proportion of zero events.
CONFIDENCE = 0.95


def zero_events_upper_bound(n: int, confidence: float = CONFIDENCE) -> float:
    """Upper end of the two-sided Clopper-Pearson interval for a proportion when 0 of ``n`` had the event.

    Parameters
    ----------
    n : int
        Number of trials (here: procedures), at least 1.
    confidence : float, optional
        Two-sided confidence level (default 0.95: the upper end is the one-sided 97.5 % bound).

    Returns
    -------
    float
        ``1 - ((1 - confidence) / 2) ** (1 / n)``, the closed form of the Clopper-Pearson upper limit
        ``Beta(1 - alpha/2; 1, n)`` at x = 0.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 1934;26:404-413. Hanley JA, Lippman-Hand A. If nothing goes wrong, is everything
    all right? JAMA 1983;249:1743-1745 (the "rule of three", 3/n, approximates the one-sided 95 % bound).

    Examples
    --------
    >>> round(zero_events_upper_bound(52), 4)
    0.0685
    """
    alpha = 1 - confidence
    return 1 - (alpha / 2) ** (1 / n)


def check_reporting(pub: Pub) -> list[Finding]:
    """Table 3's label vs the abstract, one p for two endpoints, the untested headline, zero adverse events
    and the funding statements.

    Parameters
    ----------
    pub : Pub
        The published values.

    Returns
    -------
    list of Finding
        One finding per check whose numbers are printed.

    References
    ----------
    The article's abstract, Tables 3-4, Results (adverse events) and declarations, as recorded in
    ``data/published/published.csv``; :func:`zero_events_upper_bound`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["results:adverse_events.n", "methods:n.tace"], "key": ["", "n.tace"],
    ...                    "value": [0, 52], "decimals": 0})
    >>> [(f.where, f.verdict) for f in check_reporting(Pub(df))]
    [('results adverse events', 'tension'), ('declarations funding vs competing interests', 'tension')]
    """
    return collect(pub, (_ttp_label, _one_p_two_endpoints, _headline_untested, _zero_adverse_events, _funding))


def _ttp_label(pub: Pub) -> Finding | None:
    """Table 3 labels its first TTP row 'before CHT'; the abstract calls the same numbers 'after chemotherapy'."""
    same = []
    for g in GROUPS:
        t3, ab = pub.cell(f"table3:chemo.{g}"), pub.cell(f"abstract:table3.chemo.{g}")
        if len(t3) == 3 and len(ab) == 3:
            same.append((g, me_iqr(pub, t3), all(pub.val(t3[k]) == pub.val(ab[k]) for k in t3)))
    if not same or not all(s for _, _, s in same):
        return None
    cells = "; ".join(f"group {g[-1]} {c}" for g, c, _ in same)
    return Finding("reporting", "table3 TTP label vs abstract", f"Table 3 'TTP before CHT': {cells}",
                   "same numbers, opposite labels", TENSION,
                   f"Table 3 labels the row 'TTP before CHT' (chemotherapy); the abstract reports the same "
                   f"numbers ({cells}) as the time to progression after chemotherapy. Both hold only if 'before "
                   f"CHT' means before the switch from chemotherapy to TACE, i.e. on chemotherapy.")


def _one_p_two_endpoints(pub: Pub) -> Finding | None:
    """Table 4 prints one p per group beneath two endpoints (volume change and TTP)."""
    ps = [(g, pub.val(f"table4:{g}.volume_change.p"), pub.val(f"table4:{g}.ttp.p")) for g in GROUPS]
    if any(a is None or b is None or a != b for _, a, b in ps):
        return None
    shown = ", ".join(f"group {g[-1]} p = {pub.text(f'table4:{g}.ttp.p')}" for g, _, _ in ps)
    return Finding("reporting", "table4 one p per group for two endpoints",
                   f"volume change and TTP; {shown}", "2 endpoints, 1 p each group", TENSION,
                   f"Table 4 compares TACE immediately vs after chemotherapy on two endpoints (volume change, "
                   f"TTP) but prints one p per group ({shown}), and the abstract gives the same two p for "
                   f"'volume reduction and progression-free time'. Possible only if both comparisons gave the same "
                   f"p or a single joint test was done; no test is named, and which endpoint each p belongs to "
                   f"cannot be told (the audit checks both readings under p_feasibility).")


def _headline_untested(pub: Pub) -> Finding | None:
    """The headline rise of TTP after TACE vs after chemotherapy has no test, p or interval."""
    if not pub.has("results:ttp_ratio.min"):
        return None
    lo, hi = pub.text("results:ttp_ratio.min"), pub.text("results:ttp_ratio.max")
    meds = "; ".join(f"group {g[-1]} {pub.text(f'table3:chemo.{g}.median')} -> {pub.text(f'table3:tace.{g}.median')}"
                     for g in GROUPS if pub.has(f"table3:chemo.{g}.median") and pub.has(f"table3:tace.{g}.median"))
    return Finding("reporting", "results headline TTP increase untested", f"{lo}–{hi} times; medians {meds} days",
                   "no test, p or interval printed", "not checkable",
                   f"The {lo}–{hi}-fold rise of TTP after TACE over TTP after chemotherapy (the abstract's main "
                   f"result) is stated without a test: missing are a paired comparison of the two TTPs in the same "
                   f"patients (e.g. Wilcoxon signed-rank, or a survival analysis of the paired times), its p and "
                   f"a confidence interval, and the per-patient data that would allow one.")


def _zero_adverse_events(pub: Pub) -> Finding | None:
    """Zero adverse events in the procedures: the exact upper confidence bound of the rate."""
    ae = pub.val("results:adverse_events.n")
    n = pub.n("tace")
    if ae is None or n is None or ae != 0:
        return None
    ub = zero_events_upper_bound(n)
    n_pat = pub.n("patients")
    per_pat = f"; per patient ({n_pat}) {100 * zero_events_upper_bound(n_pat):.1f} %" if n_pat else ""
    return Finding("reporting", "results adverse events", f"0 adverse events in {n} TACE",
                   f"rate 0 %, 95 % CI 0-{100 * ub:.1f} % (Clopper-Pearson, two-sided){per_pat}", TENSION,
                   f"No adverse event in {n} procedures: the exact two-sided 95 % Clopper-Pearson interval for the "
                   f"rate is 0 to {100 * ub:.1f} % (the one-sided 97.5 % bound 1 - 0.025^(1/{n})). Possible, but "
                   f"unusual for TACE, after which post-embolisation syndrome (pain, fever, nausea) and other "
                   f"events are commonly reported; the article names no grading system (e.g. CTCAE) and no "
                   f"follow-up window for adverse events.")


def _funding(pub: Pub) -> Finding | None:
    """'Supported by FMBA' (funding source) vs 'not supported by any external sources of funding'."""
    if not pub.has("methods:n.tace") and not pub.has("abstract:n.tace"):
        return None  # not this article's published values (the funding text carries no number)
    return Finding("reporting", "declarations funding vs competing interests",
                   "funding: Federal Medical and Biological Agency (FMBA) of Russia; competing interests: no "
                   "external funding", "two statements", TENSION,
                   "The funding section names the Federal Medical and Biological Agency of Russia (FMBA) and a "
                   "project as the study's support; the competing-interests section says the study had no external "
                   "funding. Both hold only if FMBA support counts as internal (the authors' centre belongs to "
                   "FMBA); the article does not say so.")
