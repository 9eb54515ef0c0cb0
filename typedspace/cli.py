"""The ``typedspace`` command line: run, inspect and export studies, print spaces.

Errors a user can cause (a missing module, an attribute that is not a space, a missing
database ...) print one line and exit with status 2; tracebacks are for bugs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from typedspace.nodes import Space, as_space, space_of
from typedspace.pruners import MedianPruner, Patient, Pruner, SuccessiveHalving, WilcoxonPruner

if TYPE_CHECKING:
    from typedspace.run import Objectives

#: Warnings about damaged trials printed before the study itself, at most.
_MAX_WARNINGS = 5


class UsageError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def load_object(reference: str) -> Any:
    """The object named ``module:attribute`` (the module is imported from the current dir)."""
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"{reference!r} is not of the form module:attribute")
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise UsageError(f"cannot import module {module_name!r}: {error}") from error
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"module {module_name!r} has no attribute {attribute!r}")
        obj = getattr(obj, part)
    return obj


def load_space(reference: str) -> Space[Any]:
    obj = load_object(reference)
    if isinstance(obj, type) and attrs.has(obj):
        return space_of(obj)  # a @record class: its space
    if callable(obj) and not isinstance(obj, Space):
        try:
            obj = obj()  # a function returning the space
        except TypeError as error:
            raise UsageError(f"{reference} is not a space (calling it failed: {error})") from error
    if isinstance(obj, dict | list):
        obj = as_space(obj)
    if not isinstance(obj, Space):
        raise UsageError(f"{reference} is not a space (it is of type {type(obj).__name__})")
    return obj


def printable(text: str) -> str:
    r"""``text`` with control characters escaped: a name or label read from a database cannot
    move the cursor or recolour the terminal.

    >>> print(printable("ok\x1b[2Jgone"))
    ok\x1b[2Jgone
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _existing_db(path: str) -> str:
    if not Path(path).is_file():
        raise UsageError(f"no database at {path!r}")
    return path


def cmd_space(args: argparse.Namespace) -> None:
    space = load_space(args.space)
    if args.json:
        from typedspace import to_json

        print(to_json(space))
    else:
        from typedspace import pretty

        print(pretty(space))


def cmd_run(args: argparse.Namespace) -> None:
    from typedspace import optimize
    from typedspace.algorithms import GP, TPE, Algorithm, RandomSearch

    objective = load_object(args.objective)
    if not callable(objective):
        raise UsageError(f"{args.objective} is not callable")
    space = load_space(args.space)
    algorithms: dict[str, Algorithm | None] = {
        "auto": None,  # optimize picks by the budget: GP for a few dozen trials, else TPE
        "tpe": TPE(),
        "gp": GP(),
        "random": RandomSearch(),
    }
    algo = algorithms[args.algo]
    pruner = PRUNERS[args.pruner]
    objectives = None if args.objectives is None else parse_objectives(args.objectives)
    constraints = None
    if args.constraints is not None:
        constraints = load_object(args.constraints)
        if not callable(constraints):
            raise UsageError(f"{args.constraints} is not callable")
    # More than one worker: a process pool owned (and closed) by the run.
    executor = "processes" if args.workers > 1 else None
    options: dict[str, Any] = {
        "max_evals": args.max_evals,
        "seed": args.seed,
        "storage": args.storage,
        "study": args.study,
        "executor": executor,
        "max_pending": args.workers if executor else None,
        "timeout": args.timeout,
        "progress": None if not args.no_progress else False,
        "pruner": pruner,
        "constraints": constraints,
    }
    if objectives is None:
        result = optimize(objective, space, algo, **options)
    else:
        result = optimize(objective, space, algo, objectives=objectives, **options)
    finished = sum(1 for t in result.trials if t.state.finished)
    pruned = f", {len(result.pruned)} pruned" if result.pruned else ""
    print(
        f"study {args.study!r} in {args.storage}: {finished} trials{pruned} ({result.stop_reason})"
    )
    if result.pruned and not any(t.loss is not None for t in result.trials):
        from typedspace import NoSuccessfulTrial

        failed = f", {len(result.failed)} failed" if result.failed else ""
        raise NoSuccessfulTrial(f"no trial completed: {len(result.pruned)} pruned{failed}")
    if objectives is not None and len(objectives) > 1:
        front = sorted(t.number for t in result.pareto)
        print(
            f"Pareto front: {len(front)} trials ({', '.join(map(str, front[:20]))}"
            f"{', ...' if len(front) > 20 else ''}); `typedspace show` lists them"
        )
        return
    print(f"best loss {result.best_loss:.6g} (trial {result.best_trial.number})")
    print(f"best value: {result.best!r}")


def parse_objectives(text: str) -> Objectives:
    """``--objectives``: comma-separated field names, each optionally prefixed with ``min:``
    (the default) or ``max:``, in the order of the objective's output.

    >>> parse_objectives("error,max:accuracy").directions
    ('minimize', 'maximize')
    """
    from typedspace import maximize, minimize

    declared: Objectives | None = None
    for item in text.split(","):
        direction, sep, name = item.strip().rpartition(":")
        if sep and direction not in ("min", "max"):
            raise UsageError(f"--objectives: {item.strip()!r} must be NAME, min:NAME or max:NAME")
        if not name:
            raise UsageError(f"--objectives: an empty name in {text!r}")
        objective = maximize(name) if direction == "max" else minimize(name)
        declared = objective if declared is None else declared & objective
    assert declared is not None  # split always gives one item
    return declared


def _study(args: argparse.Namespace) -> Any:
    from typedspace import load_study, study_names

    try:
        study = load_study(_existing_db(args.storage), args.study)
    except KeyError:
        names = ", ".join(repr(printable(n)) for n in study_names(args.storage)) or "none"
        raise UsageError(
            f"no study named {printable(args.study)!r} in {args.storage} (its studies: {names}); "
            "choose one with --study"
        ) from None
    for line in study.misfits[:_MAX_WARNINGS]:
        print(f"typedspace: warning: {printable(line)}", file=sys.stderr)
    return study


def cmd_studies(args: argparse.Namespace) -> None:
    from typedspace import load_study, study_names

    names = study_names(_existing_db(args.storage))
    if not names:
        print(f"no studies in {args.storage}")
    for name in names:
        study = load_study(args.storage, name)
        records = study.records
        losses = [r.loss for r in records if r.loss is not None]
        best = f"best {min(losses):.6g}" if losses else "best -"
        if any(r.values is not None and r.loss is None for r in records):
            best = f"{len(records[0].values or ())} objectives" if records else best
        print(f"{printable(name)}\t{len(records)} trials\t{best}")


def _format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    def text(v: Any) -> str:
        return f"{v:.6g}" if isinstance(v, float) else ("" if v is None else printable(str(v)))

    cells = [[text(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def cmd_show(args: argparse.Namespace) -> None:
    study = _study(args)
    rows = study.to_dicts()
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    print(
        f"study {args.study!r}: {len(rows)} trials ("
        + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        + ")"
    )
    seed = "" if study.info.seed is None else f", seed {study.info.seed}"
    print(f"algorithm: {printable(study.info.algorithm)}{seed}")
    params = [k for k in rows[0] if k.startswith("params.")] if rows else []
    ok = sorted((r for r in rows if r["loss"] is not None), key=lambda r: r["loss"])[: args.top]
    pruned = [r for r in rows if r["state"] == "pruned"]
    if any(k.startswith("values.") for r in rows for k in r):
        print(_front_table(study, rows, params, args.top))
    elif ok:
        print(_format_table(ok, ["number", "loss", *params]))
    elif pruned:
        print("no completed trial yet")
    else:
        print("no finished trial yet")
    if pruned:
        print(_pruned_table(pruned, params, args.top))


def _front_table(
    study: Any, rows: Sequence[dict[str, Any]], params: Sequence[str], top: int
) -> str:
    """The Pareto front of a study with several objectives: its feasible OK trials that no
    other one dominates, by the first objective (at most ``top`` of them)."""
    from typedspace.algorithms._pareto import pareto_mask
    from typedspace.storage._study import objective_directions

    columns = [k for k in rows[0] if k.startswith("values.")] if rows else []
    done = [
        r
        for r in rows
        if r["state"] == "ok"
        and r.get("feasible", True)
        and all(r.get(c) is not None for c in columns)
    ]
    infeasible = sum(1 for r in rows if r["state"] == "ok" and not r.get("feasible", True))
    note = f"; {infeasible} infeasible trials left out" if infeasible else ""
    if not done:
        return f"no feasible completed trial yet{note}"
    signs = [
        -1.0 if d == "maximize" else 1.0 for d in objective_directions(study.info, len(columns))
    ]
    losses = [[s * r[c] for s, c in zip(signs, columns, strict=True)] for r in done]
    front = [r for r, keep in zip(done, pareto_mask(losses), strict=True) if keep]
    front.sort(key=lambda r: (signs[0] * r[columns[0]], r["number"]))
    names = [
        f"{c.removeprefix('values.')} ({'max' if s < 0 else 'min'})"
        for c, s in zip(columns, signs, strict=True)
    ]
    shown = front[:top]
    more = f", the first {len(shown)} shown" if len(shown) < len(front) else ""
    heading = f"Pareto front: {len(front)} trials{more}{note}"
    table = _format_table(
        [
            {
                "number": r["number"],
                **{n: r[c] for n, c in zip(names, columns, strict=True)},
                **{p: r[p] for p in params},
            }
            for r in shown
        ],
        ["number", *names, *params],
    )
    return heading + "\n" + table


def _pruned_table(pruned: Sequence[dict[str, Any]], params: Sequence[str], top: int) -> str:
    """The pruned trials that got furthest (then with the lowest value): where each stopped."""

    def furthest_first(r: dict[str, Any]) -> tuple[float, float, int]:
        if r["last_step"] is None:  # stopped before it reported anything
            return (math.inf, math.inf, r["number"])
        return (-r["last_step"], r["last_value"], r["number"])

    shown = sorted(pruned, key=furthest_first)[:top]
    more = f"; the {len(shown)} that got furthest" if len(shown) < len(pruned) else ""
    heading = f"\npruned trials ({len(pruned)}{more}), by the step each reached:"
    return heading + "\n" + _format_table(shown, ["number", "last_step", "last_value", *params])


def cmd_export(args: argparse.Namespace) -> None:
    study = _study(args)
    if args.format == "csv":
        if args.output:
            study.to_csv(args.output)
        else:
            study.to_csv(sys.stdout)
    else:
        text = json.dumps(study.to_dicts(), indent=2, default=str)
        if args.output:
            Path(args.output).write_text(text + "\n")
        else:
            print(text)


def cmd_plot(args: argparse.Namespace) -> None:
    try:
        from typedspace import plots
    except ImportError as error:
        raise UsageError(
            f"plots need matplotlib: pip install 'typedspace[plot]' ({error})"
        ) from error
    folder = Path(args.output).resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {args.output!r}: the folder {str(folder)!r} does not exist")
    study = _study(args)
    written = plots.write_report(study, args.output)
    for path in written:
        print(path)


def cmd_dashboard(args: argparse.Namespace) -> None:
    try:
        from typedspace.dashboard import make_server
        from typedspace.dashboard._server import run

        server = make_server(_existing_db(args.storage), args.host, args.port, refresh=args.refresh)
    except ImportError as error:
        raise UsageError(
            f"the dashboard needs plotly: pip install 'typedspace[dashboard]' ({error})"
        ) from error
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error}") from error
    run(server, args.storage)


#: ``run --pruner``: each pruner with its defaults (Hyperband needs the curve's length).
PRUNERS: dict[str, Pruner | None] = {
    "none": None,
    "median": MedianPruner(),
    "halving": SuccessiveHalving(),
    "patient": Patient(patience=5),
    "wilcoxon": WilcoxonPruner(),
}
STUDY_HELP = "the study's name in the file (default: %(default)s; `studies` lists them)"


def _positive(text: str) -> int:
    """An argparse type: an int of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    # The module docstring's first line, without reST markup (argparse prints it as it is).
    description = __doc__.splitlines()[0].replace("``", "")
    parser = argparse.ArgumentParser(prog="typedspace", description=description)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run (or resume) an optimization")
    run.add_argument("objective", help="module:function taking one configuration, returning a loss")
    run.add_argument(
        "space", help="module:attribute holding the space (or a function returning it)"
    )
    run.add_argument(
        "--max-evals",
        type=_positive,
        default=None,
        help="total trials of the study (default: 100, or no limit with --timeout)",
    )
    run.add_argument(
        "--storage", default="typedspace.db", help="SQLite file (default: %(default)s)"
    )
    run.add_argument("--study", default="default", help=STUDY_HELP)
    run.add_argument(
        "--algo",
        choices=["auto", "tpe", "gp", "random"],
        default="auto",
        help="search algorithm (default: auto, by the budget: GP for a few dozen trials, else TPE)",
    )
    run.add_argument(
        "--pruner",
        choices=sorted(PRUNERS),
        default="none",
        help="stop unpromising trials of an objective that takes a Report, with this pruner "
        "and its defaults (default: %(default)s)",
    )
    run.add_argument(
        "--objectives",
        default=None,
        help="several objectives: the fields of the objective's output (a record, mapping or "
        "tuple), comma-separated, each NAME, min:NAME or max:NAME (default: one loss)",
    )
    run.add_argument(
        "--constraints",
        default=None,
        help="module:function of the objective's output returning constraint values "
        "(<= 0 or True: satisfied)",
    )
    run.add_argument(
        "--workers", type=_positive, default=1, help="worker processes (default: %(default)s)"
    )
    run.add_argument("--seed", type=int, default=None)
    run.add_argument("--timeout", type=float, default=None, help="seconds")
    run.add_argument("--no-progress", action="store_true")
    run.set_defaults(handler=cmd_run)

    studies = sub.add_parser("studies", help="list the studies in a database")
    studies.add_argument("storage")
    studies.set_defaults(handler=cmd_studies)

    show = sub.add_parser("show", help="summary and best trials of a study")
    show.add_argument("storage")
    show.add_argument("--study", default="default", help=STUDY_HELP)
    show.add_argument(
        "--top", type=_positive, default=10, help="best trials to list (default: %(default)s)"
    )
    show.set_defaults(handler=cmd_show)

    export = sub.add_parser("export", help="export a study's trials")
    export.add_argument("storage")
    export.add_argument("--study", default="default", help=STUDY_HELP)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("-o", "--output", default=None, help="file (default: standard output)")
    export.set_defaults(handler=cmd_export)

    space = sub.add_parser("space", help="pretty-print a space (or its JSON)")
    space.add_argument("space", help="module:attribute: a space, a @record class or a function")
    space.add_argument("--json", action="store_true")
    space.set_defaults(handler=cmd_space)

    plot = sub.add_parser("plot", help="write plots of a study to PNG files")
    plot.add_argument("storage")
    plot.add_argument("--study", default="default", help=STUDY_HELP)
    plot.add_argument(
        "-o",
        "--output",
        default="report.png",
        help="base name: writes NAME-history.png, NAME-params.png, NAME-importance.png, "
        "and NAME-intermediate.png when trials reported intermediate values "
        "(default: %(default)s)",
    )
    plot.set_defaults(handler=cmd_plot)

    dashboard = sub.add_parser(
        "dashboard", help="a live page of the studies in a database, in the browser"
    )
    dashboard.add_argument("storage")
    dashboard.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this machine only; 0.0.0.0 lets "
        "other machines connect: the page has no login)",
    )
    dashboard.add_argument(
        "--port", type=int, default=8080, help="port (default: %(default)s; 0: any free port)"
    )
    dashboard.add_argument(
        "--refresh",
        type=float,
        default=2.0,
        help="seconds between the page's updates (default: %(default)s)",
    )
    dashboard.set_defaults(handler=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``typedspace`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except UsageError as error:
        print(f"typedspace: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (``| head``) stopped early: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a library error with a clear message (bad file, mismatch)
        from typedspace import NoSuccessfulTrial
        from typedspace.storage import StorageError, StudyMismatch

        if isinstance(error, StorageError | StudyMismatch | NoSuccessfulTrial | ValueError):
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"typedspace: error: {first}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
