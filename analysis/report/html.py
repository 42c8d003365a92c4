"""OUT/index.html: one page linking every output and stating the dataset's provenance.

The page names the dataset, says whether it is the synthetic cohort, lists the SHA-256 of each
input file, the parameters and the package versions (from ``numbers.json``'s ``_meta``), and links
the rendered notebooks, executed notebooks, tables, figures, numbers.json and comparison.csv. It is
deterministic: no dates, no timings, paths relative to OUT.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.publish import MD_MAX_ROWS

if TYPE_CHECKING:
    from analysis.report.bundle import Results

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9rem; } td, th { padding: 0.2rem 0.6rem; border: 1px solid #ddd; }
code { font-size: 0.85rem; } .warn { background: #fff3cd; border: 1px solid #e0c46c; padding: 0.6rem 1rem; }
.ok { background: #e8f4ea; border: 1px solid #9cc9a4; padding: 0.6rem 1rem; }
figure { display: inline-block; margin: 0.5rem; } figure img { width: 22rem; border: 1px solid #ddd; }
.verdict { color: #fff; padding: 0.05rem 0.4rem; border-radius: 0.3rem; white-space: nowrap; }
tr.group th { text-align: left; background: #f0f0f0; } .nondefault { color: #b00020; font-weight: bold; }
"""


def _e(x) -> str:
    """HTML-escaped text."""
    return html.escape(str(x))


def _link(href: str, text: str | None = None) -> str:
    """A link (the text defaults to the address)."""
    return f'<a href="{_e(href)}">{_e(text or href)}</a>'


def _nondefault(params: dict) -> list[str]:
    """Names of the parameters that differ from the registry defaults (data_dir aside)."""
    from analysis.params import defaults

    d = defaults()
    return [k for k, v in sorted(params.items()) if k in d and d[k] != v and k != "data_dir"]


def _rows(pairs) -> str:
    return "\n".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in pairs)


def _dataset_meta(data_dir: str) -> dict:
    """The dataset's datapackage.json (title, description, ...) or {} (text from the dataset: escape it)."""
    import json

    from analysis.report.files import resolve_data_dir

    try:
        meta = json.loads((resolve_data_dir(data_dir) / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _provenance_box(res) -> str:
    """The provenance statement: synthetic, real (declared) or not declared (never guessed as real)."""
    from analysis.data.provenance import REAL_KIND, SYNTHETIC_KIND, dataset_provenance, describe

    kind = getattr(getattr(res, "dataset", None), "provenance", None)  # the loaded Dataset's, else the folder's
    kind = kind or dataset_provenance(res.data_dir, dict(res.sha256))
    css = {SYNTHETIC_KIND: "warn", REAL_KIND: "ok"}.get(kind, "warn")
    head = {SYNTHETIC_KIND: "Synthetic data.", REAL_KIND: "Real data."}.get(kind, "Provenance not declared.")
    extra = (" Agreement with the paper then shows only that the reconstruction matches the published numbers."
             if kind == SYNTHETIC_KIND else "")
    return (f'<p class="{css}"><strong>{_e(head)}</strong> Dataset <code>{_e(res.dataset_name)}</code> is '
            f"{_e(describe(kind))}.{_e(extra)}</p>")


def _params_table(params: dict) -> str:
    """The parameters, the non-default ones marked."""
    from analysis.params import defaults

    d = defaults()
    rows = []
    for k, v in sorted(params.items()):
        mark = ' <span class="nondefault">non-default</span>' if k in d and d[k] != v and k != "data_dir" else ""
        rows.append((f"<code>{_e(k)}</code>", f"<code>{_e(repr(v))}</code>{mark}"))
    return "<h2>Parameters</h2>\n<table>\n" + _rows(rows) + "\n</table>"


def _tables_html(res, out_dir: Path) -> list[str]:
    """Each display table as HTML (escaped), the quartile type in its header when it is not 7."""
    q = int(res.params.get("quantile_type", 7))
    qnote = f" (quartiles: type {q})" if q != 7 else ""
    parts = ["<h2>Tables</h2>"]
    for name, table in getattr(res, "tables", {}).items():
        if not hasattr(table, "to_html"):
            continue
        parts.append(f"<h3>{_e(name)}{_e(qnote)}</h3>")
        shown = table.head(MD_MAX_ROWS)  # as the Markdown: the CSV holds every row
        parts.append(shown.to_html(index=False, escape=True, na_rep="", border=0, classes="data"))
        if len(shown) < len(table):
            parts.append(f"<p>The first {len(shown):,} of {len(table):,} rows.</p>")
        if (out_dir / "tables" / f"{name}.csv").is_file():
            parts.append(f"<p>{_link(f'tables/{name}.csv', 'CSV (tidy)')}</p>")
    return parts


def index_html(out_dir: Path, res: Results, notebooks: list[str], figures: list[str], audit=None) -> str:
    """The HTML text of the index page for a finished output folder ``out_dir``: the claims first."""
    out_dir = Path(out_dir)
    meta = res.numbers.get("_meta", {})
    title = "TACE with irinotecan microspheres for NET liver metastases: reproduction report"
    dmeta = _dataset_meta(res.data_dir)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{_e(title)}</title>\n"
             f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{_e(title)}</h1>", _provenance_box(res)]
    if dmeta.get("title") or dmeta.get("description"):
        parts.append(f"<p><strong>{_e(dmeta.get('title', ''))}</strong> {_e(dmeta.get('description', ''))}</p>")
    nondefault = [k for k in _nondefault(res.params)]
    if nondefault:
        parts.append(f'<p class="warn">Non-default parameters: {_e(", ".join(nondefault))} (marked below).</p>')
    parts.append("<h2>The paper's claims, reproduced</h2>")
    if audit is not None:
        from analysis.report.claims import claims_frame, claims_html

        parts.append(claims_html(claims_frame(res.numbers, res.params, audit)))
        parts.append(f"<p>Every check of the publication: {_link('audit.html', 'the audit')} "
                     f"({_link('tables/audit.csv', 'CSV')}).</p>")
    parts.append("<h2>Dataset</h2>\n<table>\n" + _rows([
        ("name", f"<code>{_e(res.dataset_name)}</code>"),
        ("folder", f"<code>{_e(res.data_dir)}</code>"),
        ("patients", len(res.dataset.patients)),
        ("TACE procedures", len(res.dataset.procedures)),
    ]) + "\n</table>")
    parts.append("<h3>SHA-256 of the input files</h3>\n<table>\n" + _rows(
        (f"<code>{_e(f)}</code>", f"<code>{_e(h)}</code>") for f, h in sorted(res.sha256.items())) + "\n</table>")
    parts.append(_params_table(res.params))
    parts += _tables_html(res, out_dir)

    parts.append("<h2>Notebooks</h2>\n<p>In reading order: the rendered page, then the executed notebook.</p>\n<ol>")
    for name in notebooks:
        stem = Path(name).stem
        parts.append(f"<li>{_link(f'html/{stem}.html', stem)} ({_link(f'notebooks/{name}', 'ipynb')})</li>")
    parts.append("</ol>")
    parts.append("<h2>Files</h2>\n<ul>")
    parts.append(f"<li>{_link('numbers.json')}: every number, unrounded (the same file as "
                 "<code>python -m analysis numbers</code>)</li>")
    if (out_dir / "comparison.csv").is_file():
        parts.append(f"<li>{_link('comparison.csv')}: published vs reproduced, one row per number</li>")
    parts.append("</ul>")

    parts.append("<h2>Figures</h2>\n<div>")
    for f in figures:
        parts.append(f'<figure><a href="figures/{_e(f)}.svg"><img src="figures/{_e(f)}.png" alt="{_e(f)}"></a>'
                     f"<figcaption>{_e(f)} ({_link(f'figures/{f}.png', 'PNG')}, "
                     f"{_link(f'figures/{f}.svg', 'SVG')})</figcaption></figure>")
    parts.append("</div>")

    versions = meta.get("versions", {})
    if versions:
        parts.append("<h2>Software versions</h2>\n<table>\n" + _rows(
            (_e(k), f"<code>{_e(v)}</code>") for k, v in sorted(versions.items())) + "\n</table>")
    parts.append("<p>Generated by <code>python -m analysis reproduce</code>. Every number shown comes from the "
                 "package <code>analysis</code>; nothing is typed by hand.</p>\n</body>\n</html>\n")
    return "\n".join(parts)


def write_index(out_dir: Path, res: Results, notebooks: list[str], figures: list[str], audit=None) -> Path:
    """Write ``out_dir/index.html``, the page linking every output (see :func:`index_html`).

    Parameters
    ----------
    out_dir : Path
        The output folder being written (tables are listed from ``out_dir/tables``).
    res : analysis.report.bundle.Results
        The results bundle (dataset, SHA-256s, parameters, numbers with their ``_meta``).
    notebooks : list of str
        Notebook file names in reading order.
    figures : list of str
        Figure names (file stems in ``out_dir/figures``).

    Returns
    -------
    Path
        ``out_dir/index.html``.

    References
    ----------
    The output layout of ``python -m analysis reproduce`` (README, "Commands").

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(numbers={}, is_synthetic=True, dataset_name="mini", data_dir="tests/fixtures/mini",
    ...                       dataset=SimpleNamespace(patients=[1, 2, 3], procedures=[1, 2, 3, 4]),
    ...                       sha256={"patients.csv": "ab12"}, params={"alpha": 0.05}, comparison=None, tables={})
    >>> page = write_index(Path(tempfile.mkdtemp()), res, ["00_overview.ipynb"], ["waterfall"]).read_text()
    >>> "Synthetic data." in page, page.count("<li>"), page.count("<figure>")
    (True, 2, 1)
    """
    path = Path(out_dir) / "index.html"
    path.write_text(index_html(out_dir, res, notebooks, figures, audit), encoding="utf-8")
    if audit is not None:
        from analysis.report.claims import audit_html

        (Path(out_dir) / "audit.html").write_text(audit_html(audit, _CSS), encoding="utf-8")
    return path
