"""Check kind ``moments``: age mean, SD, minimum and maximum together (GRIM, GRIMMER, SD bounds)."""

from __future__ import annotations

import math

from analysis.paper.audit.core import READING, Finding, Pub
from analysis.paper.feasibility import grim_sums, grimmer_feasible, sd_range_given_extremes


def check_moments(pub: Pub) -> list[Finding]:
    """The mean against n whole numbers (GRIM), the SD against the mean and extremes (SD range, GRIMMER)."""
    out = []
    for rid in sorted(pub.ids(suffix=".mean")):
        pre = rid[:-5]
        sid, lid, hid = pre + ".sd", pre + ".min", pre + ".max"
        n = pub.n("patients")
        if n is None:
            continue
        mean_t = pub.text(rid)
        sums = grim_sums(mean_t, n)
        label = pre.replace(":", " ")
        if sums:
            out.append(Finding("moments", f"{label} mean (GRIM)", f"mean {mean_t}, n={n}",
                               f"totals {sums[0]}..{sums[-1]}", "consistent",
                               f"{n} whole numbers can have a mean that prints as {mean_t} (total {sums[0]})."))
        else:
            lo, hi = pub.interval(rid)
            below, above = math.floor(lo * n), math.ceil(hi * n)
            out.append(Finding("moments", f"{label} mean (GRIM)", f"mean {mean_t}, n={n}",
                               f"{below}/{n} = {below / n:.4f}; {above}/{n} = {above / n:.4f}", READING,
                               f"Reading: ages in whole years. Then no {n} integers have a mean that prints as "
                               f"{mean_t} (the nearest are {below / n:.{pub.dec(rid)}f} and "
                               f"{above / n:.{pub.dec(rid)}f}). Ages with decimals (which the dataset contract "
                               f"allows) can give it, so this is not a proof."))
        if pub.has(sid) and pub.has(lid) and pub.has(hid):
            m = pub.val(rid)
            lo, hi = pub.val(lid), pub.val(hid)
            sdlo, sdhi = sd_range_given_extremes(n, m, lo, hi)
            slo, shi = pub.interval(sid)
            ok = sdlo <= float(shi) and sdhi >= float(slo)
            grimmer = ""
            if sums and ok:
                good = [t for t in sums if grimmer_feasible(t, n, pub.text(sid))]
                grimmer = (f"; with whole-year ages an integer sum of squares fits ({len(good)} of {len(sums)} totals)"
                           if good else "; but no integer sum of squares fits (GRIMMER)")
            out.append(Finding("moments", f"{label} SD range", f"SD {pub.text(sid)}, mean {pub.text(rid)}, "
                               f"min {pub.text(lid)}, max {pub.text(hid)}, n={n}",
                               f"SD in [{sdlo:.2f}, {sdhi:.2f}]", "consistent" if ok else "inconsistent",
                               f"{n} values between {pub.text(lid)} and {pub.text(hid)} (each reached) with mean "
                               f"{pub.text(rid)} have an SD between {sdlo:.2f} and {sdhi:.2f}; "
                               f"{pub.text(sid)} {'fits' if ok else 'does not fit'}{grimmer}."))
    return out
