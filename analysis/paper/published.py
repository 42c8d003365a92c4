"""The paper's own numbers: ``data/published/published.csv``, loaded, typed and validated.

Every number the article prints (abstract, Methods, Results, Discussion, Tables 1-4, figure captions)
is one row of ``published.csv``; ``data/published/README.md`` and ``datapackage.json`` describe the
columns. This module loads that file into a typed :class:`pandas.DataFrame`, refuses a file that
breaks the rules (every problem listed, as ``published.csv:LINE: column: value: message``) and offers
small look-up helpers.

Columns (in file order)
-----------------------
id
    Unique row name ``<where>:<path>``, e.g. ``table3:tace.group1.q1``, ``abstract:table3.tace.p``.
key
    The ``numbers.json`` key the value corresponds to (one of :data:`KEY_PATTERNS`; empty when there is none).
where
    Where the value is printed; one of :data:`WHERE`.
quantity
    Short human label.
value
    The number (float). Percentages as printed numbers (35 for 35 %). Minus signs lost in the
    article's text layer (Table 4 volume changes) are restored here, with a note.
unit
    One of :data:`UNITS`.
printed
    The printed text, as in the article's text layer with runs of white space collapsed to one space.
decimals
    Printed decimals of the value (int).
note
    Free text: disagreements, restorations, readings.
relation
    ``=`` (the value is printed), ``<`` or ``>`` (the article prints a bound, e.g. ``p <0.05``).
reproducible
    bool: the pipeline, given patient-level data, should recompute this number (False for protocol
    settings, device properties, literature context, category boundaries, descriptive findings).
same_as
    Id of the other row holding the same printed number under another key reading (Table 4 p-values).
alt_value
    float or NaN: the other coherent value when a restored sign is not forced by LQ <= Me <= UQ.

Examples
--------
>>> from analysis.paper.published import load_published, by_key
>>> df = load_published()
>>> by_key("table3.tace.p")["value"].tolist()   # abstract and Table 3 disagree; both are kept
[0.57, 0.58]
"""

from __future__ import annotations

import csv
import functools
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import UserError
from analysis.paths import PUBLISHED

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The published values file.
PUBLISHED_CSV = PUBLISHED / "published.csv"

#: Columns of published.csv, in file order.
COLUMNS: tuple[str, ...] = (
    "id", "key", "where", "quantity", "value", "unit", "printed", "decimals", "note",
    "relation", "reproducible", "same_as", "alt_value",
)

#: Allowed ``where`` values (sections of the article).
WHERE: tuple[str, ...] = (
    "abstract", "abstract_ru", "background", "methods", "results", "discussion",
    "table1", "table2", "table3", "table4", "figure1", "figure2", "figure3",
)

#: Allowed units.
UNITS: tuple[str, ...] = (
    "count", "percent", "p", "r2", "cm3", "cm", "mm", "um", "days", "weeks", "months", "years",
    "ratio", "fold", "tesla", "calendar_year", "calendar_month", "calendar_day",
)

#: Allowed relations between the printed text and ``value``.
RELATIONS: tuple[str, ...] = ("=", "<", ">")

_G = r"group[12]"
_S = r"(?:immediate|after_chemo)"
_Q = r"(?:median|q1|q3)"
#: The numbers.json key patterns (one regular expression per key family; the contract between
#: analysis.study.numbers, which emits the keys, and this file).
KEY_PATTERNS: tuple[str, ...] = (
    r"n\.patients",
    r"n\.tace",
    rf"n\.{_G}",
    rf"n\.{_G}\.{_S}",
    r"table1\.age\.(?:mean|sd|min|max)",
    r"table1\.t_stage\.T[1-4]\.n",
    r"table1\.primary_site\.(?:pancreas|small_intestine|lung|prostate|other|unknown)\.n",
    rf"table2\.(?:before|after)\.{_G}\.{_Q}",
    r"table2\.(?:before|after)\.p",
    rf"table3\.(?:chemo|tace)\.{_G}\.{_Q}",
    r"table3\.(?:chemo|tace)\.p",
    rf"table4\.{_G}\.{_S}\.(?:volume_change|ttp)\.{_Q}",
    rf"table4\.{_G}\.(?:volume_change|ttp)\.p",
    rf"regression\.{_G}\.(?:r2|slope|intercept|p|n)",
    rf"recist\.{_G}\.(?:CR|PR|SD|PD)\.n",
    # More keys in the same style: the rest of Table 1 and the Methods text.
    r"table1\.(?:liver_distribution|extrahepatic_disease|primary_resected|dx_to_liver_mets|liver_mets_to_tace)"
    r"\.[a-z0-9_]+\.(?:n|percent)",
    rf"n\.{_G}\.repeat_tace",
)
_KEY_RE = re.compile("|".join(f"(?:{p})" for p in KEY_PATTERNS))
_ID_RE = re.compile(r"[a-z0-9_]+:[A-Za-z0-9_.]+")
_NUM_RE = re.compile(r"-?\d+(?:\.\d+)?")


def is_design_key(key: str) -> bool:
    """True if ``key`` matches one of the ``numbers.json`` key patterns (:data:`KEY_PATTERNS`).

    Parameters
    ----------
    key : str
        A candidate key such as ``"table3.tace.group1.q1"``.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_design_key("table4.group1.immediate.volume_change.q3")
    True
    >>> is_design_key("table1.t_stage.T1.pct")
    False
    """
    return bool(_KEY_RE.fullmatch(key))


def _problems(rows: list[dict[str, str]], header: list[str], fname: str) -> list[str]:
    """Every rule violation of the raw rows, as ``file:line: column: value: message``."""
    out: list[str] = []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [f"{fname}:1: header: {','.join(header)}: missing column(s) {', '.join(missing)}"]

    def bad(line: int, col: str, value: str, msg: str) -> None:
        """Record one problem."""
        out.append(f"{fname}:{line}: {col}: {value!r}: {msg}")

    seen: dict[str, int] = {}
    by_id: dict[str, dict[str, str]] = {}
    for i, row in enumerate(rows):
        line = i + 2
        rid = row["id"]
        if not _ID_RE.fullmatch(rid):
            bad(line, "id", rid, "expected '<where>:<name>' (lower-case where, letters/digits/_/. in the name)")
        elif rid in seen:
            bad(line, "id", rid, f"duplicate id (first on line {seen[rid]})")
        else:
            seen[rid] = line
            by_id[rid] = row
        _row_problems(row, line, bad)
    _same_as_problems(by_id, seen, bad)
    return out


def _row_problems(row: dict[str, str], line: int, bad) -> None:
    """The rules one row must keep on its own (every column but ``same_as``), reported through ``bad``."""
    rid, where, value, dec = row["id"], row["where"], row["value"], row["decimals"]
    if where not in WHERE:
        bad(line, "where", where, f"expected one of {', '.join(WHERE)}")
    elif _ID_RE.fullmatch(rid) and rid.split(":", 1)[0] != where:
        bad(line, "id", rid, f"id must start with its where value '{where}:'")
    if row["key"] and not is_design_key(row["key"]):
        bad(line, "key", row["key"], "not a numbers.json key (see KEY_PATTERNS in analysis.paper.published)")
    if not _NUM_RE.fullmatch(value):
        bad(line, "value", value, "expected a plain decimal number such as 12, -22.6 or 0.00036")
    if not dec.isdigit():
        bad(line, "decimals", dec, "expected a non-negative integer")
    elif _NUM_RE.fullmatch(value):
        shown = len(value.split(".")[1]) if "." in value else 0
        if shown != int(dec):
            bad(line, "decimals", dec, f"value {value} is written with {shown} decimals")
    if row["unit"] not in UNITS:
        bad(line, "unit", row["unit"], f"expected one of {', '.join(UNITS)}")
    if not row["printed"].strip():
        bad(line, "printed", row["printed"], "the printed text is required")
    if not row["quantity"].strip():
        bad(line, "quantity", row["quantity"], "a label is required")
    if row["relation"] not in RELATIONS:
        bad(line, "relation", row["relation"], f"expected one of {' '.join(RELATIONS)}")
    if row["reproducible"] not in ("true", "false"):
        bad(line, "reproducible", row["reproducible"], "expected true or false")
    elif row["key"] and row["reproducible"] != "true":
        bad(line, "reproducible", row["reproducible"], "a row with a key must be reproducible")
    alt = row["alt_value"]
    if alt and not _NUM_RE.fullmatch(alt):
        bad(line, "alt_value", alt, "expected empty or a plain decimal number")
    if alt and "sign restored" not in row["note"].lower() and "alternative" not in row["note"].lower():
        bad(line, "note", row["note"][:40], "a row with alt_value must explain the alternative in its note")
    if _NUM_RE.fullmatch(value) and value.startswith("-") and "sign restored" not in row["note"].lower():
        bad(line, "note", row["note"][:40], "a negative value must say 'Sign restored' and why")


def _same_as_problems(by_id: dict[str, dict[str, str]], seen: dict[str, int], bad) -> None:
    """Rows linked by ``same_as`` point at each other and hold the same printed value."""
    for rid, row in by_id.items():
        other = row["same_as"]
        if not other:
            continue
        line = seen[rid]
        if other not in by_id:
            bad(line, "same_as", other, "no row has this id")
        elif by_id[other]["same_as"] != rid:
            bad(line, "same_as", other, f"row {other} must point back to {rid}")
        elif by_id[other]["value"] != row["value"] or by_id[other]["printed"] != row["printed"]:
            bad(line, "same_as", other, "rows marked same_as must hold the same printed value")


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int) -> "pd.DataFrame":
    """Read, validate and type one published-values file (cached by path, mtime and size)."""
    import pandas as pd

    p = Path(path)
    fname = p.name
    try:
        with open(p, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = []
            for i, row in enumerate(reader):
                if None in row or any(v is None for v in row.values()):
                    raise UserError(f"{fname}:{i + 2}: expected {len(header)} fields per line")
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise UserError(f"{fname}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    problems = _problems(rows, header, fname)
    if problems:
        raise UserError(f"{path}: {len(problems)} problem(s) in the published values\n" + "\n".join(problems))
    df = pd.DataFrame(rows, columns=header)
    for col in df.columns:
        df[col] = df[col].astype(str)
    df["value"] = df["value"].astype(float)
    df["decimals"] = df["decimals"].astype("int64")
    df["reproducible"] = df["reproducible"].map({"true": True, "false": False}).astype(bool)
    df["alt_value"] = df["alt_value"].map(lambda s: float(s) if s else math.nan).astype(float)
    return df


def load_published(path: str | Path | None = None) -> "pd.DataFrame":
    """Load, type and validate the paper's published numbers.

    Parameters
    ----------
    path : str or Path, optional
        A published-values CSV; default ``data/published/published.csv`` of this repository.

    Returns
    -------
    pandas.DataFrame
        One row per printed number, columns :data:`COLUMNS` in file order. ``value`` and
        ``alt_value`` are float (``alt_value`` NaN when empty), ``decimals`` int64, ``reproducible``
        bool, every other column str (empty string when blank). The result is cached by path,
        modification time and size; each call returns a fresh copy, so callers may modify it.

    Raises
    ------
    UserError
        The file is missing or unreadable, or breaks a rule (unique ids, known ``where`` and
        ``unit`` values, known ``numbers.json`` keys, decimals matching the value, ...); every problem is listed
        as ``published.csv:LINE: column: value: message``.

    References
    ----------
    The article the values come from (see ``data/published/README.md``); column definitions in
    ``data/published/datapackage.json``.

    Examples
    --------
    >>> df = load_published()
    >>> row = df.set_index("id").loc["table3:tace.group1.q1"]
    >>> float(row["value"]), row["printed"], int(row["decimals"])
    (137.0, '300 [137; 344]', 0)
    """
    p = Path(path) if path is not None else PUBLISHED_CSV
    try:
        st = p.stat()
    except OSError as exc:
        raise UserError(f"{p}: cannot read the published values ({exc.strerror})") from None
    return _load_cached(str(p.resolve()), st.st_mtime_ns, st.st_size).copy()


def by_key(key: str, df: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """All published rows that correspond to one ``numbers.json`` key, sorted by id.

    Parameters
    ----------
    key : str
        A ``numbers.json`` key, e.g. ``"table3.tace.group2.q3"``.
    df : pandas.DataFrame, optional
        A frame from :func:`load_published`; loaded when omitted.

    Returns
    -------
    pandas.DataFrame
        Possibly empty; several rows when the number is printed more than once (abstract and table).

    References
    ----------
    The article (``data/published/README.md``): the abstract and Table 3 print Q3 of group 2 differently.

    Examples
    --------
    >>> by_key("table3.tace.group2.q3")[["id", "value"]].values.tolist()
    [['abstract:table3.tace.group2.q3', 342.0], ['table3:tace.group2.q3', 432.0]]
    """
    d = load_published() if df is None else df
    return d[d["key"] == key].sort_values("id").reset_index(drop=True)


def by_id(row_id: str, df: "pd.DataFrame | None" = None) -> "pd.Series":
    """One published row by its id.

    Parameters
    ----------
    row_id : str
        E.g. ``"table4:group1.immediate.volume_change.median"``.
    df : pandas.DataFrame, optional
        A frame from :func:`load_published`; loaded when omitted.

    Returns
    -------
    pandas.Series

    Raises
    ------
    KeyError
        No row has this id.

    Examples
    --------
    >>> float(by_id("table4:group1.immediate.volume_change.median")["value"])
    -22.6
    """
    d = load_published() if df is None else df
    hit = d[d["id"] == row_id]
    if hit.empty:
        raise KeyError(row_id)
    return hit.iloc[0]


def keyed(df: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """The rows that have a ``numbers.json`` key (what :mod:`analysis.paper.compare` checks against a run)."""
    d = load_published() if df is None else df
    return d[d["key"] != ""].reset_index(drop=True)


def where(section: str, df: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """The rows printed in one section (one of :data:`WHERE`), in file order.

    Raises
    ------
    ValueError
        ``section`` is not one of :data:`WHERE`.
    """
    if section not in WHERE:
        raise ValueError(f"unknown section {section!r}; expected one of {', '.join(WHERE)}")
    d = load_published() if df is None else df
    return d[d["where"] == section].reset_index(drop=True)


def keys() -> list[str]:
    """Sorted distinct ``numbers.json`` keys that the paper prints a value for."""
    return sorted(set(keyed()["key"]))
