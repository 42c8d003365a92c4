"""Published vs reproduced: line up a run's ``numbers.json`` with the paper's numbers.

For every row of ``data/published/published.csv`` (see :mod:`analysis.paper.published`) :func:`compare`
gives the reproduced value, the difference and a verdict:

``exact``
    The reproduced value, rounded to the printed precision, equals the printed value: ``|reproduced
    - published| <= half a unit of the last printed digit`` (a tie counts as exact, whichever
    rounding rule the authors used). For a p-value printed as 0.00036 this is the printed two
    significant digits (half a unit of the 5th decimal). For a bound (``p <0.05``): the bound holds.
``close``
    Not exact, but ``|reproduced - published| <= max(one unit of the last printed digit, 5 % of
    |published|)`` (:data:`REL_TOL`). Counts (unit ``count``) have no tolerance: a count is exact
    or different.
``different``
    Neither.
``not reproduced``
    The paper prints a number the pipeline should recompute (``reproducible`` in published.csv),
    but ``numbers.json`` has no value for its key (missing, null or NaN) or it has no key.
``not applicable``
    Not something the pipeline computes: protocol settings, device properties (bead size),
    literature context, category boundaries, descriptive imaging findings.

For p-values (unit ``p``) the conclusion is checked too: ``published_significant`` (published p <
alpha; a printed bound ``p <b`` with ``b <= alpha`` counts as significant), ``reproduced_significant``
(reproduced p < alpha) and ``conclusion_holds`` (the two agree), with ``alpha = params['alpha']``.

A few published numbers have no ``numbers.json`` key but follow from keys (:data:`DERIVED`): the Table 1
percentages (count / ``n.patients`` × 100), the RECIST percentages (count / ``n.patients`` × 100,
the denominator that the printed percentages fit), and the progression count whose group is not
stated (``recist.group1.PD.n + recist.group2.PD.n``). The ``derivation`` column names the formula.

A sign-restored Table 4 entry whose sign the order LQ <= Me <= UQ does not force carries the other
coherent value in ``alt_value``; when the reproduced value fits that reading better, it is compared
with it and ``alt_reading`` is true (``published`` then shows the alternative value).

The Table 4 "Pairwise comparisons" p-values are recorded twice in published.csv (read as the
volume-change p and as the TTP p, rows linked by ``same_as``); both readings are compared, and the
``same_as`` column lets a reader see them side by side.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from analysis.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Relative tolerance of the ``close`` verdict (5 %), used together with one unit of the last printed digit.
REL_TOL = 0.05

#: The verdicts, in the order a reader meets them.
VERDICTS: tuple[str, ...] = ("exact", "close", "different", "not reproduced", "not applicable")

#: Columns of the comparison frame and of comparison.csv.
COLUMNS: tuple[str, ...] = (
    "id", "key", "where", "quantity", "unit", "printed", "relation", "decimals",
    "published", "reproduced", "difference", "verdict", "tolerance", "tolerance_rule",
    "alpha", "published_significant", "reproduced_significant", "conclusion_holds",
    "derivation", "same_as", "alt_reading",
)

_EPS = 1e-9

RULE_EXACT_ONLY = "count: exact or different (no tolerance)"
RULE_CLOSE = "close if |difference| <= max(1 unit of the last printed digit, 5% of |published|)"
RULE_BOUND = "printed bound: exact if the reproduced value satisfies it, else different"


def _percent_of_patients(count_key: str) -> tuple[str, Callable[[dict], float | None]]:
    """A derived row: ``100 * count / n.patients`` (formula text, function)."""
    def f(nums: dict) -> float | None:
        """The derived value from ``nums``; None when an input is missing."""
        n, total = _num(nums, count_key), _num(nums, "n.patients")
        if n is None or total is None or total == 0:
            return None
        return 100.0 * n / total

    return f"100 * {count_key} / n.patients", f


def _sum_of(*keys: str) -> tuple[str, Callable[[dict], float | None]]:
    """A derived row: the sum of ``keys`` (formula text, function)."""
    def f(nums: dict) -> float | None:
        """The derived value from ``nums``; None when an input is missing."""
        vals = [_num(nums, k) for k in keys]
        return None if any(v is None for v in vals) else float(sum(vals))

    return " + ".join(keys), f


#: Published rows without a ``numbers.json`` key that are derived from keys: id -> (formula text, function).
DERIVED: dict[str, tuple[str, Callable[[dict], float | None]]] = {
    **{f"table1:t_stage.T{i}.pct": _percent_of_patients(f"table1.t_stage.T{i}.n") for i in range(1, 5)},
    **{f"table1:primary_site.{s}.pct": _percent_of_patients(f"table1.primary_site.{s}.n")
       for s in ("pancreas", "small_intestine", "lung", "prostate")},
    **{f"results:recist.{g}.{c}.pct": _percent_of_patients(f"recist.{g}.{c}.n")
       for g, c in (("group1", "CR"), ("group1", "PR"), ("group2", "PR"), ("group1", "SD"), ("group2", "SD"))},
    "results:recist.PD.n": _sum_of("recist.group1.PD.n", "recist.group2.PD.n"),
}


def _num(nums: dict, key: str) -> float | None:
    """The value of ``key`` as a float; None when absent, null or NaN. Non-numbers are a UserError."""
    if key not in nums:
        return None
    v = nums[key]
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise UserError(f"numbers.json: key '{key}': expected a number or null, got {type(v).__name__} {v!r}")
    v = float(v)
    return None if math.isnan(v) else v


def verdict(published: float, reproduced: float | None, decimals: int, unit: str = "",
            relation: str = "=") -> tuple[str, float | None, str]:
    """Classify one reproduced value against one printed value.

    Parameters
    ----------
    published : float
        The printed value (sign restored where needed).
    reproduced : float or None
        The recomputed value; None or NaN means not reproduced.
    decimals : int
        Decimals printed (the printed precision).
    unit : str, optional
        ``"count"`` disables the ``close`` tolerance.
    relation : {'=', '<', '>'}
        ``'<'``/``'>'``: the article printed a bound, not a value.

    Returns
    -------
    (verdict, tolerance, rule) : tuple of (str, float or None, str)
        ``verdict`` is one of ``exact``, ``close``, ``different``, ``not reproduced``;
        ``tolerance`` the absolute tolerance of ``close`` (None for counts and bounds).

    Examples
    --------
    >>> verdict(0.31, 0.3149, 2, "p")[0]        # rounds to 0.31
    'exact'
    >>> verdict(0.31, 0.36, 2, "p")[0]          # 0.05 away: more than max(0.01, 5% of 0.31)
    'different'
    >>> verdict(300, 309, 0, "days")[:2]        # 5% of 300 = 15
    ('close', 15.0)
    >>> verdict(12, 13, 0, "count")[0]
    'different'
    """
    if reproduced is None or (isinstance(reproduced, float) and math.isnan(reproduced)):
        tol = None if unit == "count" or relation != "=" else max(10.0 ** -decimals, REL_TOL * abs(published))
        return "not reproduced", tol, RULE_BOUND if relation != "=" else (
            RULE_EXACT_ONLY if unit == "count" else RULE_CLOSE)
    if relation == "<":
        return ("exact" if reproduced < published else "different"), None, RULE_BOUND
    if relation == ">":
        return ("exact" if reproduced > published else "different"), None, RULE_BOUND
    diff = abs(reproduced - published)
    unit_last = 10.0 ** -decimals
    slack = _EPS * max(1.0, abs(published))
    if diff <= 0.5 * unit_last + slack:
        v = "exact"
    elif unit != "count" and diff <= max(unit_last, REL_TOL * abs(published)) + slack:
        v = "close"
    else:
        v = "different"
    if unit == "count":
        return v, None, RULE_EXACT_ONLY
    return v, max(unit_last, REL_TOL * abs(published)), RULE_CLOSE


def _significant(p: float | None, alpha: float, relation: str = "=") -> bool | None:
    """Is ``p`` significant at ``alpha`` (a printed bound counts only when it decides); None when unknown."""
    if p is None:
        return None
    if relation == "<":  # a printed bound p < b: significant at alpha when b <= alpha
        return True if p <= alpha else None
    if relation == ">":
        return False if p >= alpha else None
    return p < alpha


def compare(numbers: dict, published_df: "pd.DataFrame | None" = None,
            params: dict | None = None) -> "pd.DataFrame":
    """Published vs reproduced, one row per published number.

    Parameters
    ----------
    numbers : dict
        A flat ``numbers.json`` object (keys as in
        :data:`analysis.paper.published.KEY_PATTERNS` -> numbers or null); ``_meta`` and other
        non-key entries are ignored.
    published_df : pandas.DataFrame, optional
        From :func:`analysis.paper.published.load_published` (loaded when omitted).
    params : dict, optional
        Analysis parameters (:func:`analysis.params.resolve`); only ``alpha`` is used
        (default 0.05).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, sorted by ``id``: ``published`` and ``reproduced`` (float, NaN
        when absent), ``difference`` = reproduced - published, ``verdict`` (one of
        :data:`VERDICTS`), ``tolerance`` (absolute tolerance of ``close``; NaN when none applies),
        ``tolerance_rule``, and for p-values ``published_significant``, ``reproduced_significant``,
        ``conclusion_holds`` (object columns holding True/False/None), ``derivation`` (formula of a
        keyless derived row), ``same_as`` and ``alt_reading`` (bool: compared with ``alt_value``).

    Raises
    ------
    UserError
        A value in ``numbers`` that is needed is not a number (nor null).

    References
    ----------
    The published values: ``data/published/published.csv`` (``data/published/README.md``); the
    ``numbers.json`` keys: :data:`analysis.paper.published.KEY_PATTERNS`.

    Examples
    --------
    The abstract prints p = 0.57 and Table 3 prints 0.58; 0.5749 rounds to the first and lies within
    max(0.01, 5 % of 0.58) of the second:

    >>> df = compare({"table3.tace.p": 0.5749, "n.patients": 34})
    >>> df.set_index("id").loc[["abstract:table3.tace.p", "table3:tace.p"], "verdict"].tolist()
    ['exact', 'close']
    """
    import pandas as pd

    from analysis.paper.published import load_published

    pub = load_published() if published_df is None else published_df
    alpha = float((params or {}).get("alpha", 0.05))
    if not isinstance(numbers, dict):
        raise UserError(f"numbers: expected a JSON object of key -> number, got {type(numbers).__name__}")
    out: list[dict[str, Any]] = [_compare_row(row, numbers, alpha)
                                 for row in pub.sort_values("id").itertuples(index=False)]
    df = pd.DataFrame(out, columns=list(COLUMNS))
    for col in ("published_significant", "reproduced_significant", "conclusion_holds"):
        df[col] = df[col].astype(object)
    return df


def _compare_row(row, numbers: dict, alpha: float) -> dict[str, Any]:
    """One published row (a namedtuple of published.csv) against ``numbers``: one row of the comparison."""
    key, rid = row.key, row.id
    derivation = ""
    if key:
        computable = True
        reproduced = _num(numbers, key)
    elif rid in DERIVED:
        computable = True
        derivation, fn = DERIVED[rid]
        reproduced = fn(numbers)
    else:
        computable = False
        reproduced = None
    published = float(row.value)
    alt_reading = False
    if not computable:
        v = "not reproduced" if row.reproducible else "not applicable"
        tol, rule = None, ""
    else:
        v, tol, rule = verdict(published, reproduced, int(row.decimals), row.unit, row.relation)
        alt = float(row.alt_value)
        if v in ("close", "different") and not math.isnan(alt):
            v_alt, tol_alt, _ = verdict(alt, reproduced, int(row.decimals), row.unit, row.relation)
            if VERDICTS.index(v_alt) < VERDICTS.index(v):  # the other coherent sign fits better
                v, tol, published, alt_reading = v_alt, tol_alt, alt, True
    is_p = row.unit == "p" and computable
    pub_sig = _significant(float(row.value), alpha, row.relation) if is_p else None
    rep_sig = _significant(reproduced, alpha) if is_p else None
    holds = (pub_sig == rep_sig) if (pub_sig is not None and rep_sig is not None) else None
    return dict(
        id=rid, key=key, where=row.where, quantity=row.quantity, unit=row.unit, printed=row.printed,
        relation=row.relation, decimals=int(row.decimals), published=published,
        reproduced=math.nan if reproduced is None else reproduced,
        difference=math.nan if reproduced is None else reproduced - published,
        verdict=v, tolerance=math.nan if tol is None else tol, tolerance_rule=rule,
        alpha=alpha if is_p else math.nan,
        published_significant=pub_sig, reproduced_significant=rep_sig, conclusion_holds=holds,
        derivation=derivation, same_as=row.same_as, alt_reading=alt_reading,
    )


def _fmt(v: Any) -> str:
    """Deterministic text of one cell: floats with 10 significant digits, booleans lower-case."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        s = f"{v:.10g}"
        return "0" if s == "-0" else s
    return str(v)


def read_numbers(path: Path) -> dict:
    """Read a ``numbers.json`` file as a dict.

    Raises
    ------
    UserError
        Missing or unreadable file, invalid JSON (line and column named), or not a JSON object.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: column {exc.colno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object of key -> number, got {type(data).__name__}")
    return data


def write_comparison(numbers_json_path: Path, out_csv_path: Path, params: dict | None = None) -> "pd.DataFrame":
    """Compare a ``numbers.json`` with the published numbers and write ``comparison.csv``.

    The file is deterministic: rows sorted by ``id``, columns :data:`COLUMNS`, floats written with
    10 significant digits (``%.10g``), booleans as ``true``/``false``, empty cells for missing
    values, ``\\n`` line ends, UTF-8. It is written to a temporary file and moved into place.

    Parameters
    ----------
    numbers_json_path : Path
        A run's ``numbers.json``.
    out_csv_path : Path
        Where to write; the parent folder is created.
    params : dict, optional
        Analysis parameters (``alpha``).

    Returns
    -------
    pandas.DataFrame
        The comparison frame (as from :func:`compare`).

    Raises
    ------
    UserError
        ``numbers_json_path`` is missing, not JSON, or not a JSON object.

    References
    ----------
    ``data/published/published.csv`` (``data/published/README.md``).

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "numbers.json").write_text(json.dumps({"n.patients": 34}))
    >>> df = write_comparison(tmp / "numbers.json", tmp / "comparison.csv")
    >>> df.set_index("id").loc["figure1:n.patients", "verdict"]
    'exact'
    >>> (tmp / "comparison.csv").read_text().splitlines()[0].split(",")[:4]
    ['id', 'key', 'where', 'quantity']
    """
    numbers = read_numbers(Path(numbers_json_path))
    df = compare(numbers, None, params)
    to_csv(df, Path(out_csv_path))
    return df


def to_csv(df: "pd.DataFrame", out_csv_path: Path) -> None:
    """Write a frame from :func:`compare` as ``comparison.csv`` (the one writer of that file).

    Deterministic: rows sorted by ``id``, columns :data:`COLUMNS`, floats with 10 significant
    digits, booleans ``true``/``false``, empty cells for missing values, ``\\n`` line ends, UTF-8;
    written to ``<name>.tmp`` and moved into place.
    """
    out = Path(out_csv_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    frame = df.sort_values("id", kind="mergesort")[list(COLUMNS)]
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for rec in frame.itertuples(index=False):
            w.writerow([_fmt(v) for v in rec])
    tmp.replace(out)


def summary(df: "pd.DataFrame") -> dict[str, int]:
    """Number of rows per verdict (every verdict listed, zero included), e.g. for a report line."""
    counts = df["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}
