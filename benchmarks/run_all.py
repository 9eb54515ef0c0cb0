"""Run every benchmark and write ``benchmarks/RESULTS.md`` (``make bench`` runs this).

    .venv/bin/python benchmarks/run_all.py                  # the full run (about 30-40 min)
    .venv/bin/python benchmarks/run_all.py --quick          # a smoke test (about 2 min)
    .venv/bin/python benchmarks/run_all.py --only quality   # one section

The comparison benchmarks (``bench_quality.py``, ``bench_overhead.py``) are imported and run
here; the other benchmark scripts (``bench_sampling.py``, ``bench_tpe_overhead.py``,
``bench_storage.py``, ``bench_parallel.py``, ``bench_sklearn.py``) are run as subprocesses when they exist, and their
standard output (markdown) is included verbatim.  A missing or failing script is reported, not
fatal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _machine import cpu_model, git_commit, load_average

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OTHERS = [
    "bench_sampling.py",
    "bench_tpe_overhead.py",
    "bench_storage.py",
    "bench_parallel.py",
    "bench_sklearn.py",
]
SECTIONS = ["quality", "overhead", "others"]


def machine() -> list[str]:
    from competitors import versions

    libs = ", ".join(f"{k} {v}" for k, v in versions().items())
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- git commit: {git_commit()} (plus uncommitted changes, if any)",
        f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {platform.platform()}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- libraries: {libs}",
    ]


def run_other(script: str, timeout: float) -> str:
    path = HERE / script
    if not path.exists():
        return f"### {script}\n\n_Not present; skipped._\n"
    command = [sys.executable, str(path)]
    print(f"running {shlex.join(command)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"### {script}\n\n_Timed out after {timeout:.0f} s._\n"
    wall = time.perf_counter() - start
    head = f"### {script}\n\nCommand: `python benchmarks/{script}` ({wall:.0f} s"
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        return f"{head}, **failed with exit code {done.returncode}**)\n\n```\n{tail}\n```\n"
    return f"{head})\n\n{done.stdout.strip()}\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks and write RESULTS.md.")
    parser.add_argument("--quick", action="store_true", help="a fast smoke test, tiny budgets")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--seeds", type=int, default=None, help="quality: seeds per cell")
    parser.add_argument("--jobs", type=int, default=2, help="quality: worker processes")
    parser.add_argument(
        "--optimizers", nargs="+", default=None, help="quality: optimizers to run (default all)"
    )
    parser.add_argument(
        "--merge", nargs="+", default=[], metavar="JSON", help="quality: earlier runs to join"
    )
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--timeout", type=float, default=1800, help="per other script (s)")
    args = parser.parse_args(argv)

    import bench_overhead
    import bench_quality

    start = time.perf_counter()
    load_before = load_average()
    command = "python benchmarks/run_all.py" + (" " + shlex.join(argv) if argv else "")
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` (from the repository root; `make bench` runs the default).",
        "",
        *machine(),
        "",
    ]
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 20)
    if "quality" in args.only:
        quality_args = ["--seeds", str(seeds), "--jobs", str(args.jobs)]
        if args.quick:
            quality_args += ["--evals", "30"]
        if args.optimizers:
            quality_args += ["--optimizers", *args.optimizers]
        if args.merge:
            quality_args += ["--merge", *args.merge]
        print(f"bench_quality.py {shlex.join(quality_args)}", file=sys.stderr, flush=True)
        parts += [
            "## Optimization quality (bench_quality.py)",
            "",
            f"Command: `python benchmarks/bench_quality.py {shlex.join(quality_args)}`",
            "",
            bench_quality.main(quality_args),
        ]
    if "overhead" in args.only:
        overhead_args = ["--counts", "20", "50", "--window", "5"] if args.quick else []
        print(f"bench_overhead.py {shlex.join(overhead_args)}", file=sys.stderr, flush=True)
        parts += [
            "## Overhead per suggestion (bench_overhead.py)",
            "",
            "Command: `"
            + shlex.join(["python", "benchmarks/bench_overhead.py", *overhead_args])
            + "`",
            "",
            bench_overhead.main(overhead_args),
        ]
    if "others" in args.only:
        parts += ["## Other benchmarks", ""]
        parts += [run_other(s, args.timeout) for s in OTHERS]
    wall = time.perf_counter() - start
    parts += [
        "## Noise",
        "",
        f"Load average (1, 5, 15 min) before: {load_before}; after: {load_average()}.  The machine is "
        "shared with other jobs, so timings can be inflated by others' work; quality numbers "
        f"do not depend on timing.  Total wall time {wall / 60:.1f} min.",
        "",
    ]
    args.output.write_text("\n".join(parts))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
