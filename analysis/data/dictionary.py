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
        parts.append(", ".join(f"`{fmt_num(v)}`" for v in c["enum"]))
    if f["type"] == "boolean":
        parts.append("`true`, `false`")
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


_GENERAL_RULES = [
    "- Files are UTF-8 CSV with a header row and commas as separators (a byte-order mark and CRLF line "
    "ends are fine). Columns may come in any order; extra columns are kept. An empty cell is a missing value.",
    "- Numbers use a dot as the decimal separator; integers may be written `12` or `12.0`. Booleans are "
    "written `true` or `false` (lower case).",
    "- Times are integer day offsets from the patient's day 0 = the day liver metastases were first detected "
    "(negative = before). Calendar dates, names, record / phone / insurance numbers, e-mail and "
    "addresses are refused anywhere in a dataset.",
    "- A dataset may include a `datapackage.json` with metadata (`name`, `title`, `description`, "
    "`\"synthetic\": true`); the contract below is always the one enforced.",
    "- Check a folder with `python -m analysis validate DIR` (exit 0 = valid, 1 = every problem listed).",
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
        out += ["Rules across rows and files:", ""] + [f"- {_md(r)}" for r in res["rules"]] + [""]
    out += ["| column | type | unit | required | allowed values | description |",
            "|---|---|---|---|---|---|"]
    for f in schema["fields"]:
        out.append("| " + " | ".join([
            f"`{f['name']}`", f["type"], _md(f.get("unit", "")), "yes" if is_required(f) else "no",
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
    ``constraints`` (``required``, ``enum``, ``minimum``, ``maximum``, ``pattern``), ``primaryKey`` and
    ``foreignKeys``. The generated text is ``data/DATA_DICTIONARY.md``.

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
