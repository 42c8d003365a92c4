"""Input checks shared by every statistic: numbers in, NaN refused unless asked to drop.

Missing values: every statistic raises ``ValueError`` on NaN unless called with ``dropna=True``
(R's tests drop NA silently; this project never drops data silently). Private to
:mod:`analysis.stats`.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _to_float(x: Any, name: str) -> np.ndarray:
    """1-D float array; pandas nullable values (pd.NA) become NaN."""
    try:
        if hasattr(x, "to_numpy"):  # pandas Series / Index / extension arrays (Int64 with <NA>)
            a = x.to_numpy(dtype=float, na_value=np.nan)
        else:
            a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {str(x)[:80]!r}") from exc
    return a.ravel()


def _as_float_array(x: Any, name: str, dropna: bool) -> np.ndarray:
    """1-D float array without NaN: NaN raises ``ValueError`` unless ``dropna`` drops it."""
    a = _to_float(x, name)
    nan = np.isnan(a)
    if nan.any():
        if not dropna:
            raise ValueError(
                f"{name}: contains {int(nan.sum())} missing value(s) (NaN); remove them first "
                "or pass dropna=True (R drops NA silently; this project does not)"
            )
        a = a[~nan]
    return a


def _paired_arrays(x: Any, y: Any, label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays of equal length, and the mask of complete pairs."""
    xa = _to_float(x, "x")
    ya = _to_float(y, "y")
    if xa.size != ya.size:
        raise ValueError(f"{label}: x and y must have the same length (got {xa.size} and {ya.size})")
    return xa, ya, ~(np.isnan(xa) | np.isnan(ya))
