"""Command-line interface: ``python -m analysis COMMAND`` (DESIGN §6).

Exit status: 0 success; 1 invalid input (dataset, file, parameter value found wrong while working);
2 usage error (unknown command, option or parameter). User mistakes print a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.errors import UserError


def _add_params(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--param", dest="params", action="append", default=[], metavar="NAME=VALUE",
                   help="set an analysis parameter (repeatable); see `python -m analysis params`")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Reproducible re-analysis of TACE with irinotecan microspheres for NET liver metastases.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help="check a dataset (folder or .xlsx workbook) against the contract; list "
                                        "every error and warning")
    p.add_argument("data_dir", metavar="DATA", nargs="?", help="the dataset folder or .xlsx workbook")
    p.add_argument("--data", dest="data_opt", metavar="DATA", help="the same, as an option")
    p.add_argument("--strict", action="store_true", help="warnings (missing measurements) refuse the dataset too")

    p = sub.add_parser("numbers", help="compute every number in-process (no notebooks) into a JSON file")
    p.add_argument("--data", required=True, metavar="DATA", help="the dataset folder or .xlsx workbook")
    p.add_argument("--out", required=True, metavar="FILE.json")
    _add_params(p)

    p = sub.add_parser("reproduce", help="run all notebooks on a dataset and write the full report")
    p.add_argument("--data", required=True, metavar="DATA", help="the dataset folder or .xlsx workbook")
    p.add_argument("--out", required=True, metavar="OUT_DIR")
    p.add_argument("--force", action="store_true", help="re-run every notebook even if nothing changed")
    p.add_argument("--jobs", type=int, default=None, help="notebooks at once, each in a fresh kernel (default: cores)")
    _add_params(p)

    p = sub.add_parser("compare", help="published vs reproduced: numbers.json -> comparison.csv")
    p.add_argument("--numbers", required=True, metavar="NUMBERS.json")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    _add_params(p)

    p = sub.add_parser("audit", help="consistency audit of the publication -> OUT_DIR/audit.csv, audit.md")
    p.add_argument("--out", required=True, metavar="OUT_DIR")

    p = sub.add_parser("synthesize", help="rebuild the synthetic cohort reconstructed from the paper")
    p.add_argument("--out", required=True, metavar="DATA_DIR")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled cohort's seed)")

    p = sub.add_parser("sensitivity", help="p-values over many cohorts reproducing the printed quartiles -> OUT_DIR")
    p.add_argument("--draws", type=int, default=10_000, metavar="N", help="number of cohorts drawn (default 10000)")
    p.add_argument("--out", required=True, metavar="OUT_DIR")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on this Dask scheduler (tcp://host:8786)")
    p.add_argument("--seed", type=int, default=20221027, help="root seed (default 20221027)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--jobs", type=int, default=None, help="local worker threads (default: number of cores)")

    p = sub.add_parser("notebooks",
                       help="re-execute the committed notebooks in place (outputs on the synthetic cohort)")

    p = sub.add_parser("datadict", help="print the data dictionary (Markdown) generated from the schema")

    sub.add_parser("params", help="list the analysis parameters, their types and defaults")
    return parser


def _validate(args: argparse.Namespace, overrides: dict) -> int:
    """``validate DATA [--strict]``: every error and warning; exit 1 on an error (or, strict, a warning)."""
    from analysis.data import validate_dir
    from analysis.errors import UsageError

    if (args.data_dir is None) == (args.data_opt is None):
        raise UsageError("validate: give the dataset once, as DATA or --data DATA")
    data = args.data_dir if args.data_dir is not None else args.data_opt
    problems = validate_dir(Path(data))
    warnings = [p for p in problems if p.is_warning]
    errors = problems if args.strict else [p for p in problems if not p.is_warning]
    for prob in problems:
        print(prob, file=sys.stderr)
    w = f"{len(warnings)} warning{'s' * (len(warnings) != 1)}"
    if errors:
        n = len(errors) - len(warnings) * args.strict
        strict = f", {w} refused by --strict" if args.strict and warnings else (f", {w}" if warnings else "")
        print(f"{data}: INVALID ({n} error{'s' * (n != 1)}{strict})", file=sys.stderr)
        return 1
    print(f"{data}: valid" + (f" ({w})" if warnings else ""))
    return 0


def _numbers(args: argparse.Namespace, overrides: dict) -> int:
    """``numbers``: write numbers.json for a dataset."""
    from analysis import params as params_mod
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers, write_numbers

    params = params_mod.resolve({**overrides, "data_dir": args.data})
    ds = load_dataset(Path(args.data))
    write_numbers(compute_numbers(ds, params), Path(args.out))
    print(f"wrote {args.out}")
    return 0


def _reproduce(args: argparse.Namespace, overrides: dict) -> int:
    """``reproduce``: the whole analysis into OUT (:func:`analysis.report.pipeline.reproduce`)."""
    from analysis import params as params_mod
    from analysis.report.pipeline import reproduce

    params = params_mod.resolve({**overrides, "data_dir": args.data, "out_dir": args.out})
    reproduce(Path(args.data), Path(args.out), params, force=args.force, jobs=args.jobs)
    return 0


def _compare(args: argparse.Namespace, overrides: dict) -> int:
    """``compare``: numbers.json against the published values, written as comparison.csv."""
    from analysis import params as params_mod
    from analysis.paper.compare import write_comparison

    params = params_mod.resolve(overrides)
    write_comparison(Path(args.numbers), Path(args.out), params)
    print(f"wrote {args.out}")
    return 0


def _audit(args: argparse.Namespace, overrides: dict) -> int:
    """``audit``: the consistency audit of the published numbers."""
    from analysis.paper.audit import write_audit

    write_audit(Path(args.out))
    return 0


def _synthesize(args: argparse.Namespace, overrides: dict) -> int:
    """``synthesize``: write the synthetic cohort."""
    from analysis.synth.cohort import synthesize

    synthesize(Path(args.out), seed=args.seed)
    return 0


def _sensitivity(args: argparse.Namespace, overrides: dict) -> int:
    """``sensitivity``: every published p-value rerun over cohorts drawn to reproduce the printed quartiles."""
    from analysis.report.sensitivity import run_command

    return run_command(args.draws, Path(args.out), args.scheduler, args.seed, args.alpha, args.jobs)


def _notebooks(args: argparse.Namespace, overrides: dict) -> int:
    """``notebooks``: re-execute the committed notebooks in place."""
    from analysis.report.refresh import refresh_notebooks

    refresh_notebooks()
    return 0


def _datadict(args: argparse.Namespace, overrides: dict) -> int:
    """``datadict``: print the data dictionary generated from the schema."""
    from analysis.data import data_dictionary_markdown

    print(data_dictionary_markdown())
    return 0


def _params(args: argparse.Namespace, overrides: dict) -> int:
    """``params``: list the analysis parameters, their types and defaults."""
    from analysis import params as params_mod

    for name, p in params_mod.PARAMS.items():
        print(f"{name:14s} {p.type.__name__:6s} default={p.default!r:18s} {p.help}")
    return 0


#: sub-command -> the function that runs it (each gets the parsed arguments and the ``-p`` overrides)
COMMANDS = {"validate": _validate, "numbers": _numbers, "reproduce": _reproduce, "compare": _compare,
            "audit": _audit, "synthesize": _synthesize, "sensitivity": _sensitivity, "notebooks": _notebooks,
            "datadict": _datadict, "params": _params}


def _run(args: argparse.Namespace) -> int:
    """Check the ``-p NAME=VALUE`` assignments, then run the sub-command (exit status)."""
    from analysis import params as params_mod

    overrides = params_mod.parse_assignments(getattr(args, "params", None))
    if args.command not in COMMANDS:
        raise AssertionError(args.command)
    return COMMANDS[args.command](args, overrides)


def _signal_name(signum: int) -> str:
    """``SIGTERM`` for 15, and so on."""
    import signal

    return signal.Signals(signum).name


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    from analysis.report.faults import Terminated, os_error_message, terminate_as_interrupt

    terminate_as_interrupt()  # SIGTERM / SIGHUP clean up like Ctrl-C
    try:
        return _run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Terminated as exc:
        print(f"stopped by {_signal_name(exc.signum)}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a read-only or vanished folder ...: one line, never a traceback
        out = getattr(args, "out", None)
        print(f"error: {os_error_message(exc, Path(out) if out and args.command == 'reproduce' else None)}",
              file=sys.stderr)
        return 1
