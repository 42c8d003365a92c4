"""The data dictionary (Markdown), generated from the bundled schema ``data/schema/datapackage.json``;
:mod:`analysis.data.docs` writes it to ``data/DATA_DICTIONARY.md`` and into README.md."""

from __future__ import annotations

from analysis.data.problems import fmt_num
from analysis.data.schema import is_required, load_schema


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _allowed(f: dict) -> str:
    """The "allowed values" cell of a field: enum, booleans, range, pattern."""
    c = f.get("constraints", {})
    parts = []
    if "enum" in c:
        parts.append(", ".join(f"`{fmt_num(v)}`" for v in c["enum"])
                     + (" (any case)" if f.get("caseInsensitive") else ""))
    if f["type"] == "boolean":
        parts.append("true: " + ", ".join(f"`{v}`" for v in f.get("trueValues", ["true"]))
                     + "; false: " + ", ".join(f"`{v}`" for v in f.get("falseValues", ["false"])))
    lo = c.get("minimum")
    hi = c.get("maximum")
    if "exclusiveMinimum" in c:
        parts.append(f"> {fmt_num(c['exclusiveMinimum'])}")
    if lo is not None and hi is not None:
        parts.append(f"{fmt_num(lo)} to {fmt_num(hi)}")
    elif lo is not None:
        parts.append(f">= {fmt_num(lo)}")
    elif hi is not None:
        parts.append(f"<= {fmt_num(hi)}")
    if "pattern" in c:
        parts.append(f.get("patternHint") or f"pattern `{c['pattern']}`")
    return "; ".join(parts)


def _required(f: dict) -> str:
    """The "required" cell of a field: yes (never empty), a measurement (empty = a warning) or no."""
    if is_required(f):
        return "yes"
    return "no: measurement (empty = warning)" if f.get("measurement") else "no"


_GENERAL_RULES = [
    "- A dataset is a folder of UTF-8 CSV files with a header row and commas as separators (a byte-order mark "
    "and CRLF line ends are fine), or an Excel workbook (`.xlsx`) with one sheet per file, named like the file "
    "without `.csv` (`patients`, `procedures`, `imaging`, `progression`, `lesions`); a missing sheet is a "
    "missing file, other sheets are ignored with a warning, and problems name the sheet and the Excel row "
    "(`study.xlsx[imaging]:7: ...`). Cells Excel stores as dates are refused (calendar dates). Columns may come "
    "in any order; extra columns are kept. An empty cell is a missing value.",
    "- Two kinds of problems. Errors refuse the dataset (exit 1): an unreadable file, a wrong type, an unknown "
    "category, a duplicate or orphan key, an impossible value, an empty cell in a column marked required "
    "\"yes\", a broken rule across rows and files, an identifier. Warnings accept it (exit 0; `validate "
    "--strict` refuses it): missing measurements, i.e. an empty cell in a column marked \"measurement\", a "
    "measurement column left out, a patient without an exam before or after the first TACE or without a row in "
    "progression.csv, no progression.csv at all, and the other rules listed as warnings below. Each analysis "
    "then uses the patients that have what it needs.",
    "- The same problem in many rows of one column is one line with the count, the line ranges and the first "
    "values: `imaging.csv:2-53 (52 rows): new_lesions: 'Y', 'N': not a boolean; write true/false or yes/no`.",
    "- Numbers use a dot as the decimal separator; integers may be written `12` or `12.0`. Booleans may be "
    "written `true`/`false`, `TRUE`/`FALSE`, `True`/`False`, `yes`/`no`, `Yes`/`No` or `1`/`0` (the "
    "schema's `trueValues` / `falseValues`). Categories marked \"any case\" (the schema's custom field "
    "property `caseInsensitive`; no two of their values differ only by case) are accepted in any case and "
    "loaded in the spelling shown (`ct` -> `CT`, `f` -> `F`).",
    "- Times are integer day offsets from the patient's day 0 = the day liver metastases were first detected "
    "(negative = before). Calendar dates, names, record / phone / insurance numbers, e-mail and "
    "addresses are refused anywhere in a dataset.",
    "- A dataset may include a `datapackage.json` with metadata (`name`, `title`, `description`, "
    "`\"synthetic\": true`); the contract below is always the one enforced.",
    "- Check a dataset with `python -m analysis validate DATA` (a folder or an `.xlsx` workbook; exit 0 = "
    "accepted, warnings listed; 1 = every error listed; `--strict`: warnings count as errors).",
]


def _resource_section(res: dict) -> list[str]:
    """The Markdown lines of one file: heading, description, keys, rules and the column table."""
    schema = res["schema"]
    need = "required" if res.get("requiredFile", True) else "optional"
    out = ["", f"## {res['path']} ({need})", "", _md(res.get("description", "")), ""]
    keys = []
    if schema.get("primaryKey"):
        keys.append("Unique key: " + ", ".join(f"`{k}`" for k in schema["primaryKey"]) + ".")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        keys.append(f"{', '.join(f'`{k}`' for k in fk['fields'])} must exist in "
                    f"`{ref['resource']}.csv` ({', '.join(f'`{k}`' for k in ref['fields'])}).")
    if keys:
        out += [" ".join(keys), ""]
    if res.get("rules"):
        out += ["Rules across rows and files (errors):", ""] + [f"- {_md(r)}" for r in res["rules"]] + [""]
    if res.get("warnings"):
        out += ["Missing measurements across rows and files (warnings):", ""] + [
            f"- {_md(r)}" for r in res["warnings"]] + [""]
    if res.get("absentWarning"):
        out += [f"When the file is absent (a warning): {_md(res['absentWarning'])}.", ""]
    out += ["| column | type | unit | required | allowed values | description |",
            "|---|---|---|---|---|---|"]
    for f in schema["fields"]:
        out.append("| " + " | ".join([
            f"`{f['name']}`", f["type"], _md(f.get("unit", "")), _required(f),
            _md(_allowed(f)), _md(f.get("description", "")),
        ]) + " |")
    return out


def data_dictionary_markdown() -> str:
    """The data dictionary (Markdown), generated from the bundled schema. No trailing newline.

    Returns
    -------
    str
        A generator comment, the general rules, then per file its keys, rules across rows and files and a
        table of its columns (type, unit, required, allowed values, description).

    References
    ----------
    Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/): field ``type``,
    ``constraints`` (``required``, ``enum``, ``minimum``, ``maximum``, ``pattern``), ``trueValues`` /
    ``falseValues``, ``primaryKey`` and ``foreignKeys``; the contract's own properties ``measurement`` (may be
    empty: a warning), ``caseInsensitive`` (categories in any case), ``requiredFile``, ``absentWarning``,
    ``rules`` and ``warnings``. The generated text is ``data/DATA_DICTIONARY.md``.

    Examples
    --------
    >>> md = data_dictionary_markdown()
    >>> md.splitlines()[3]
    '# Data dictionary'
    >>> [line for line in md.splitlines() if line.startswith("## ")][:2]
    ['## patients.csv (required)', '## procedures.csv (required)']
    """
    pkg = load_schema()
    out = [
        "<!-- Generated from data/schema/datapackage.json; do not edit by hand.",
        "     Regenerate: python -m analysis datadict > data/DATA_DICTIONARY.md -->",
        "",
        "# Data dictionary",
        "",
        _md(pkg.get("description", "")),
        "",
        "General rules:",
        "",
        *_GENERAL_RULES,
    ]
    for res in pkg["resources"]:
        out += _resource_section(res)
    return "\n".join(out)
