"""Optimization quality: the best loss after N evaluations, per problem and optimizer.

Every (problem, optimizer, seed) run is independent and single-threaded; runs are spread over
``--jobs`` worker processes.  Each optimizer sees the same space, objective and seeds.

    .venv/bin/python benchmarks/bench_quality.py              # 20 seeds x 100 evaluations
    .venv/bin/python benchmarks/bench_quality.py --seeds 3 --problems branin hartmann6

Writes ``benchmarks/out/quality.json`` (every run's loss trace) and ``benchmarks/out/quality.md``
and prints the markdown.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from competitors import OPTIMIZERS, settings
from problems import PROBLEMS

OUT = Path(__file__).resolve().parent / "out"

Task = tuple[str, str, int, int]
"""(problem, optimizer, seed, evaluations)"""


def _init_worker() -> None:
    """One thread per worker: BLAS/OpenMP pools would fight over the two cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _run(task: Task) -> dict[str, Any]:
    problem, optimizer, seed, n = task
    start = time.perf_counter()
    losses = OPTIMIZERS[optimizer](PROBLEMS[problem], seed, n)
    return {
        "problem": problem,
        "optimizer": optimizer,
        "seed": seed,
        "seconds": time.perf_counter() - start,
        "losses": losses,
    }


def best_after(losses: Sequence[float], n: int) -> float:
    """The lowest finite loss among the first ``n`` trials (inf when there is none)."""
    finite = [x for x in losses[:n] if math.isfinite(x)]
    return min(finite) if finite else math.inf


def run(
    problems: Sequence[str],
    optimizers: Sequence[str],
    seeds: Sequence[int],
    evals: int,
    jobs: int,
) -> list[dict[str, Any]]:
    # The slow problem first, so the last tasks are short and the workers finish together.
    order = sorted(problems, key=lambda p: p != "svc_breast_cancer")
    tasks = [(p, o, s, evals) for p in order for s in seeds for o in optimizers]
    results: list[dict[str, Any]] = []
    start = time.perf_counter()

    def report(r: dict[str, Any]) -> None:
        results.append(r)
        elapsed = time.perf_counter() - start
        eta = elapsed / len(results) * (len(tasks) - len(results))
        best = best_after(r["losses"], evals)
        print(
            f"[{len(results):4d}/{len(tasks)} {elapsed:6.0f}s, ~{eta:4.0f}s left] "
            f"{r['problem']:<18} {r['optimizer']:<24} seed {r['seed']:2d}: "
            f"best {best:.4g} ({r['seconds']:.1f}s)",
            flush=True,
        )

    if jobs <= 1:
        _init_worker()
        for task in tasks:
            report(_run(task))
    else:
        with mp.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
            for r in pool.imap_unordered(_run, tasks):
                report(r)
    return results


def best_losses(results: Sequence[dict[str, Any]], evals: int) -> dict[tuple[str, str], np.ndarray]:
    """Each (problem, optimizer)'s best loss after ``evals`` trials, one per seed, by seed."""
    best: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for r in results:
        best.setdefault((r["problem"], r["optimizer"]), []).append(
            (r["seed"], best_after(r["losses"], evals))
        )
    return {key: np.array([b for _, b in sorted(runs)]) for key, runs in best.items()}


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def _ranks(means: Sequence[float]) -> list[float]:
    from scipy.stats import rankdata

    return [float(r) for r in rankdata(means)]


def tables(results: Sequence[dict[str, Any]], evals: int) -> str:
    """The markdown report: a summary (mean +- s.e. and rank) and per-problem details."""
    problems = list(dict.fromkeys(r["problem"] for r in results))
    problems.sort(key=list(PROBLEMS).index)
    optimizers = [o for o in OPTIMIZERS if any(r["optimizer"] == o for r in results)]
    best = best_losses(results, evals)
    secs = {
        (p, o): float(
            np.mean([r["seconds"] for r in results if (r["problem"], r["optimizer"]) == (p, o)])
        )
        for p, o in best
    }
    ranks = {p: dict(zip(optimizers, _ranks([best[p, o].mean() for o in optimizers]), strict=True))
             for p in problems}  # fmt: skip
    n_seeds = sorted({len(v) for v in best.values()})
    seed_range = f"{min(r['seed'] for r in results)}..{max(r['seed'] for r in results)}"

    lines = [
        f"Best loss after {evals} evaluations (lower is better; synthetic losses are regrets, "
        f"0 = global optimum), over {', '.join(map(str, n_seeds))} seeds ({seed_range}): "
        "mean ± standard error, and the rank of the mean within the problem (1 = best).",
        "",
        "| problem | " + " | ".join(optimizers) + " |",
        "|---|" + "---|" * len(optimizers),
    ]
    for p in problems:
        cells = []
        for o in optimizers:
            b = best[p, o]
            se = b.std(ddof=1) / math.sqrt(len(b)) if len(b) > 1 else math.nan
            cells.append(f"{_fmt(b.mean())} ± {_fmt(se)} (#{ranks[p][o]:g})")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    mean_rank = {o: float(np.mean([ranks[p][o] for p in problems])) for o in optimizers}
    lines.append("| **mean rank** | " + " | ".join(f"**{mean_rank[o]:.2f}**" for o in optimizers)
                 + " |")  # fmt: skip
    lines += ["", "Per problem: mean, median, standard error, rank, mean wall time of one run.", ""]
    for p in problems:
        lines += [
            f"**{p}** ({PROBLEMS[p].description})",
            "",
            "| optimizer | mean | median | s.e. | rank | s / run |",
            "|---|---|---|---|---|---|",
        ]
        for o in sorted(optimizers, key=lambda o: ranks[p][o]):
            b = best[p, o]
            se = b.std(ddof=1) / math.sqrt(len(b)) if len(b) > 1 else math.nan
            lines.append(
                f"| {o} | {_fmt(b.mean())} | {_fmt(float(np.median(b)))} | {_fmt(se)} "
                f"| {ranks[p][o]:g} | {secs[p, o]:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


OURS = "typedspace TPE"
#: Issue 3's target compares our TPE with these two, each with its library's defaults.
RIVALS = ("hyperopt TPE", "optuna TPE multivariate")


def target_check(results: Sequence[dict[str, Any]], evals: int) -> str:
    """Markdown: our TPE's mean rank among the default TPEs, and per problem whether its mean
    is within one of its standard errors of the better rival (or better)."""
    tpes = [OURS, *RIVALS]
    if not all(any(r["optimizer"] == o for r in results) for o in tpes):
        return ""
    best = best_losses(results, evals)
    problems = sorted({p for p, _ in best}, key=list(PROBLEMS).index)
    lines = [
        "",
        f"**Target check** ({OURS} against {' and '.join(RIVALS)}, their libraries' defaults):",
        "",
        "| problem | ours | better rival | difference | our s.e. | within one s.e. or better |",
        "|---|---|---|---|---|---|",
    ]
    ranks = []
    for p in problems:
        means = {o: float(best[p, o].mean()) for o in tpes}
        ranks.append(dict(zip(tpes, _ranks([means[o] for o in tpes]), strict=True)))
        rival = min(RIVALS, key=means.__getitem__)
        ours = best[p, OURS]
        se = float(ours.std(ddof=1) / math.sqrt(len(ours))) if len(ours) > 1 else math.nan
        diff = means[OURS] - means[rival]
        lines.append(
            f"| {p} | {_fmt(means[OURS])} | {_fmt(means[rival])} ({rival}) | {diff:+.3g} "
            f"| {_fmt(se)} | {'yes' if diff <= se else '**no**'} |"
        )
    mean_rank = {o: float(np.mean([r[o] for r in ranks])) for o in tpes}
    lines += [
        "",
        "Mean rank among these three TPEs: "
        + ", ".join(f"{o} {mean_rank[o]:.2f}" for o in tpes)
        + ".",
        "",
    ]
    return "\n".join(lines)


def merged_runs(paths: Sequence[str]) -> list[dict[str, Any]]:
    """The runs of earlier ``bench_quality`` outputs, later files winning a tie."""
    runs: dict[tuple[str, str, int], dict[str, Any]] = {}
    for path in paths:
        for r in json.loads(Path(path).read_text())["runs"]:
            runs[r["problem"], r["optimizer"], r["seed"]] = r
    return list(runs.values())


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=20, help="N seeds (default 20)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds start here (default 0)")
    parser.add_argument("--evals", type=int, default=100, help="evaluations per run")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument(
        "--optimizers", nargs="+", default=list(OPTIMIZERS), choices=list(OPTIMIZERS)
    )
    parser.add_argument(
        "--svc-seeds", type=int, default=None, help="fewer seeds for the sklearn task"
    )
    parser.add_argument(
        "--out", default="quality", help="name of the output files in benchmarks/out/"
    )
    parser.add_argument(
        "--merge",
        nargs="*",
        default=[],
        metavar="JSON",
        help="earlier outputs whose runs join this one's tables (this run wins a tie); "
        "optimizers are deterministic given the seed, so a run need not be repeated",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    problems = [p for p in args.problems if p != "svc_breast_cancer" or args.svc_seeds is None]
    results = run(problems, args.optimizers, seeds, args.evals, args.jobs)
    if args.svc_seeds is not None and "svc_breast_cancer" in args.problems:
        svc_seeds = list(range(args.first_seed, args.first_seed + args.svc_seeds))
        results += run(["svc_breast_cancer"], args.optimizers, svc_seeds, args.evals, args.jobs)
    wall = time.perf_counter() - start
    OUT.mkdir(exist_ok=True)
    # The raw runs are saved first, so nothing below can lose them.
    (OUT / f"{args.out}.json").write_text(
        json.dumps(
            {"argv": sys.argv[1:] if argv is None else list(argv), "wall": wall, "runs": results}
        )
    )
    merged = {(r["problem"], r["optimizer"], r["seed"]): r for r in merged_runs(args.merge)}
    merged.update({(r["problem"], r["optimizer"], r["seed"]): r for r in results})
    md = tables(list(merged.values()), args.evals)
    md += target_check(list(merged.values()), args.evals)
    for path in args.merge:
        earlier = json.loads(Path(path).read_text())
        md += f"\nRuns merged from `{path}`, made by `bench_quality.py {shlex.join(earlier['argv'])}`."
    md += "\n" if args.merge else ""
    md += (
        "\nSettings:\n\n" + "\n".join(f"- {s}" for s in settings()) + "\n\n"
        f"Wall time {wall / 60:.1f} min with {args.jobs} worker process(es), each run "
        "single-threaded.\n"
    )
    (OUT / f"{args.out}.md").write_text(md)
    return md


if __name__ == "__main__":
    print(main())
