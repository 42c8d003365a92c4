"""Writing OUT safely: refuse dangerous folders, write the tables, carry over, swap the finished folder in."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from analysis.errors import UserError
from analysis.paths import ROOT
from analysis.report.run_keys import MANIFEST

#: top-level entries of OUT written by :func:`reproduce` (anything else found in OUT is carried over)
OUT_ENTRIES = ("notebooks", "html", "tables", "figures", "numbers.json", "comparison.csv", "index.html",
               "audit.html", ".cache")


def safe_out(out: Path, data_dir: Path | None = None) -> None:
    """Refuse output folders whose replacement would destroy something that is not a report."""
    r = out.resolve()
    if r == Path(r.anchor) or r == Path.home().resolve() or r == ROOT or ROOT.is_relative_to(r):
        raise UserError(f"{out}: refusing to use this folder as the output folder (choose e.g. reports/)")
    for own in ("analysis", "notebooks", "data", "tests", "bench", ".venv", ".git"):
        if (ROOT / own).resolve().is_relative_to(r) or r == (ROOT / own).resolve():
            raise UserError(f"{out}: is (or contains) the project's {own}/ folder; choose e.g. reports/")
    if data_dir is not None:
        d = Path(data_dir).resolve()
        if d == r or d.is_relative_to(r):
            raise UserError(f"{out}: contains the dataset {data_dir}; choose another output folder")
    if (r / ".git").exists():
        raise UserError(f"{out}: contains a .git folder; refusing to replace it")
    if r.exists() and not r.is_dir():
        raise UserError(f"{out}: exists and is not a folder")
    if r.is_dir() and not (r / MANIFEST).is_file():
        ours = [n for n in ("notebooks", "html", "tables", "figures") if (r / n).is_dir()]
        if ours:
            raise UserError(f"{out}: has {', '.join(n + '/' for n in ours)} but was not written by "
                            f"`reproduce` (no {MANIFEST.as_posix()}); refusing to replace them")


#: a text cell starting with one of these is a formula to a spreadsheet (=, +, -, @; tab and CR too)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)", re.I)


def csv_safe(frame):
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (CSV formula injection).

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (e.g. a column name
    ``=HYPERLINK(...)`` of a dataset, listed in the missingness table) gets a single quote in front, which
    Excel and LibreOffice show as text. Numbers stay numbers, also when written as text (``-0.5``); the
    column names are guarded the same way.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be written as CSV.

    Returns
    -------
    pandas.DataFrame
        The same table, with the dangerous text cells quoted.

    References
    ----------
    OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"column": ["=1+2", "@SUM(A1)", "age", "-", "-0.5"], "n": [1, -2, 3, 4, 5]})
    >>> csv_safe(df).to_csv(index=False, lineterminator="\\n").splitlines()
    ['column,n', "'=1+2,1", "'@SUM(A1),-2", 'age,3', "'-,4", '-0.5,5']
    """
    def guard(v):
        if isinstance(v, str) and v.startswith(_FORMULA_START) and not _NUMBER.fullmatch(v):
            return "'" + v
        return v

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(guard)
    out.columns = [guard(c) for c in out.columns]
    return out


#: Markdown is for reading: a longer table shows its first rows and names the CSV that holds every row
#: (pandas' ``to_markdown`` of 34,000 per-patient rows took 8 CPU-s and 19 MB that nobody reads).
MD_MAX_ROWS = 1000


def markdown_table(df, csv_name: str) -> str:
    """A table as Markdown (``DataFrame.to_markdown``): at most :data:`MD_MAX_ROWS` rows, then a line naming the CSV.

    Parameters
    ----------
    df : pandas.DataFrame
    csv_name : str
        The CSV file written beside it, with every row.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"n": [1, 2]}), "counts.csv"))
    |   n |
    |----:|
    |   1 |
    |   2 |
    >>> markdown_table(pd.DataFrame({"n": range(MD_MAX_ROWS + 1)}), "x.csv").splitlines()[-1]
    'The first 1,000 of 1,001 rows; every row is in `x.csv`.'
    """
    if len(df) <= MD_MAX_ROWS:
        return df.to_markdown(index=False)
    return (df.head(MD_MAX_ROWS).to_markdown(index=False)
            + f"\n\nThe first {MD_MAX_ROWS:,} of {len(df):,} rows; every row is in `{csv_name}`.")


def write_tables(res, tdir: Path) -> None:
    """OUT/tables: tidy CSV + display Markdown (:func:`markdown_table`) for each table, plus per-patient endpoints
    and data quality.

    The CSV files are guarded against spreadsheet formula injection (:func:`csv_safe`)."""
    import pandas as pd

    tdir.mkdir(parents=True, exist_ok=True)
    tidy = res.tidy

    def write(name: str, csv_df: pd.DataFrame, md_df: pd.DataFrame | None = None) -> None:
        csv_safe(csv_df).to_csv(tdir / f"{name}.csv", index=False, lineterminator="\n", float_format="%.10g")
        md = markdown_table(md_df if md_df is not None else csv_df, f"{name}.csv")
        (tdir / f"{name}.md").write_text(md + "\n", encoding="utf-8")

    for name in ("table1", "table2", "table3", "table4", "regression", "recist"):
        part = tidy[tidy["table"] == name] if name in set(tidy["table"]) else tidy.iloc[0:0]
        write(name, part.reset_index(drop=True), res.tables[name])
    write("counts", tidy[tidy["table"] == "n"].reset_index(drop=True))
    write("regression_sgr", res.tables["regression_sgr"])
    for name in ("effects", "multiplicity", "agreement"):  # beyond the paper (issue 14)
        write(name, res.tables[name])
    write("per_patient", res.per_patient)
    write("growth", res.tables["growth"])
    write("exclusions", res.tables["exclusions"])  # header only when nobody is left out of any analysis
    write("missingness", res.overview["missingness"])
    write("k_anonymity_classes", res.overview["equivalence_classes"])


def copy_previous(prev: Path, tmp: Path, rel: str) -> bool:
    """Copy ``rel`` from the previous OUT into the temporary folder; False when it is not there."""
    src = prev / rel
    if not src.is_file():
        return False
    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, tmp / rel)
    return True


def swap(tmp: Path, out: Path) -> None:
    """Replace OUT by the finished temporary folder (OUT's foreign entries were carried over)."""
    backup = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, backup)
    try:
        os.rename(tmp, out)
    except OSError:
        if backup.exists():
            os.rename(backup, out)
        raise
    if backup.exists():
        shutil.rmtree(backup, ignore_errors=True)

