"""AutoClassifier with and without fold pruning at an equal wall-clock budget.

Datasets: breast cancer, wine, digits, each split 75/25 (stratified, ``random_state=0``).  Each
variant gets the same training set, the same search budget and the same seeds; the score is
test accuracy.  Each run is a fresh process, so no run inherits another's warm caches.

Variants (AutoClassifier's default 3-fold cross-validation):

* ``none``: ``pruner=None``, every trial evaluates its 3 folds;
* ``wilcoxon``: ``WilcoxonPruner()`` (p < 0.1): with 3 folds it can stop no trial before its
  last fold, so this measures what reporting costs;
* ``wilcoxon-0.3``: ``WilcoxonPruner(p_threshold=0.3)``: stops a trial after 2 folds when it
  is worse than the best completed trial on both.

    python benchmarks/bench_sklearn_pruning.py --budget 10 --seeds 5 \\
        --out benchmarks/RESULTS-sklearn-pruning.md
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

DATASETS = ("breast_cancer", "wine", "digits")
VARIANTS = ("none", "wilcoxon", "wilcoxon-0.3")


def load(name: str) -> tuple[Any, Any, Any, Any]:
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "digits": datasets.load_digits,
    }[name]
    X, y = loader(return_X_y=True)
    return tuple(train_test_split(X, y, test_size=0.25, stratify=y, random_state=0))


def pruner(variant: str) -> Any:
    from typedspace.pruners import WilcoxonPruner

    return {
        "none": None,
        "wilcoxon": WilcoxonPruner(),
        "wilcoxon-0.3": WilcoxonPruner(p_threshold=0.3),
    }[variant]


def one(dataset: str, variant: str, seed: int, budget: float) -> dict[str, Any]:
    """One run, in this process: test accuracy, trials, pruned trials, wall time."""
    from typedspace import TrialState
    from typedspace.sklearn import AutoClassifier

    warnings.simplefilter("ignore")
    X_train, X_test, y_train, y_test = load(dataset)
    start = time.perf_counter()
    model = AutoClassifier(time_budget=budget, seed=seed, pruner=pruner(variant))
    model.fit(X_train, y_train)
    trials = model.result_.trials
    return {
        "accuracy": float(model.score(X_test, y_test)),
        "cv": float(model.best_score_),
        "trials": len(trials),
        "pruned": sum(t.state is TrialState.PRUNED for t in trials),
        "seconds": time.perf_counter() - start,
    }


def mean_se(values: list[float]) -> str:
    m = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{m:.4f} ± {se:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--one", nargs=3, metavar=("DATASET", "VARIANT", "SEED"))
    args = parser.parse_args()
    if args.one:
        dataset, variant, seed = args.one
        print(json.dumps(one(dataset, variant, int(seed), args.budget)))
        return
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for dataset in DATASETS:
        for seed in range(args.seeds):
            for variant in VARIANTS:
                argv = [sys.executable, __file__, "--budget", str(args.budget), "--one"]
                done = subprocess.run(
                    [*argv, dataset, variant, str(seed)], capture_output=True, text=True
                )
                if done.returncode != 0:
                    sys.exit(f"{dataset} {variant} {seed} failed:\n{done.stderr}")
                run = json.loads(done.stdout.strip().splitlines()[-1])
                runs.setdefault((dataset, variant), []).append(run)
                print(dataset, variant, seed, run, file=sys.stderr, flush=True)
    text = report(runs, args.budget, args.seeds)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


def report(runs: dict[tuple[str, str], list[dict[str, Any]]], budget: float, seeds: int) -> str:
    lines = [
        "| dataset | variant | test accuracy | CV accuracy | trials | pruned | fit (s) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for dataset in DATASETS:
        for variant in VARIANTS:
            rs = runs[(dataset, variant)]
            lines.append(
                f"| {dataset} | {variant} | {mean_se([r['accuracy'] for r in rs])} "
                f"| {mean_se([r['cv'] for r in rs])} "
                f"| {statistics.fmean(r['trials'] for r in rs):.1f} "
                f"| {statistics.fmean(r['pruned'] for r in rs):.1f} "
                f"| {statistics.fmean(r['seconds'] for r in rs):.1f} |"
            )
    lines += [
        "",
        "Paired by dataset and seed, test accuracy of a variant minus `none`'s:",
        "",
        "| variant | difference (mean ± s.e.) | runs |",
        "| --- | --- | --- |",
    ]
    for variant in VARIANTS[1:]:
        diffs = [
            r["accuracy"] - base["accuracy"]
            for dataset in DATASETS
            for r, base in zip(runs[(dataset, variant)], runs[(dataset, "none")], strict=True)
        ]
        lines.append(f"| {variant} | {mean_se(diffs)} | {len(diffs)} |")
    header = f"budget {budget:g} s, seeds 0..{seeds - 1}, mean ± standard error over the seeds\n\n"
    return header + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
