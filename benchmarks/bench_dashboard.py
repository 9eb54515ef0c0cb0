"""How responsive ``typedspace dashboard`` stays on large studies, and whether it slows writers.

    .venv/bin/python benchmarks/bench_dashboard.py            # 1,000 and 10,000 trials (~5 min)
    .venv/bin/python benchmarks/bench_dashboard.py --quick    # 300 trials, a smoke test

For each size a study is written through the real storage (ask/tell on a SQLite file: 10% of
the trials report five intermediate values and are pruned, 2% fail with a traceback, the rest
complete; a conditional space of seven parameters), then:

* **data endpoint**: ``GET /api/study`` over HTTP (keep-alive, as the page polls): the first
  full answer of a fresh server, a full answer again, a poll when nothing changed, and a poll
  after one more trial was written by another connection; median of repeats, and bytes sent.
* **page**: headless Chromium (Debian's, as in the tests) opens the page: milliseconds from
  navigation start until the history plot, and until every plot on the screen, is drawn
  (``performance.mark``, which includes loading plotly.min.js and the data; the page draws
  plots only when they are on the screen), and how long a pass over those plots takes after a
  trial is added; in a 1400x1000 window and in one 6000 pixels high that shows every plot;
  median of three page loads.
* **writers**: two processes running ``optimize`` (random search, no sleep: the write path is
  all there is) on a new study of the 10,000-trial file, watched by nobody, by a client
  polling the data endpoint every 0.5 s (the dashboard's reads alone), or by the page
  polling every 0.5 s (the reads plus Chromium drawing on the same two CPUs); trials per
  second of the pair, the three in turn, several rounds.

Prints markdown; RESULTS-dashboard.md is one run of it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from typedspace import Choice, Cond, IntUniform, LogUniform, Optimizer, Uniform
from typedspace.algorithms import RandomSearch
from typedspace.dashboard import make_server
from typedspace.dashboard._server import DashboardServer
from typedspace.storage import SQLiteStorage

ROOT = Path(__file__).resolve().parent.parent
WRITER = ROOT / "tests" / "dashboard" / "writer.py"

SPACE = {
    "lr": LogUniform(1e-5, 1.0),
    "layers": IntUniform(1, 8),
    "act": Choice("relu", "gelu", "tanh"),
    "dropout": Uniform(0.0, 0.5),
    "opt": Cond(
        Choice("sgd", "adam"),
        {"sgd": {"momentum": Uniform(0.0, 0.99)}, "adam": {"beta1": Uniform(0.8, 0.999)}},
    ),
}


def write_study(path: Path, trials: int, study: str = "bench") -> float:
    """Write ``trials`` trials to ``study``; the seconds it took."""
    started = time.perf_counter()
    with SQLiteStorage(path) as storage:
        opt = Optimizer(SPACE, RandomSearch(), seed=0, storage=storage, study=study)
        for i in range(trials):
            add_trial(opt, i)
    return time.perf_counter() - started


def add_trial(opt: Optimizer[Any], i: int) -> None:
    trial = opt.ask()
    value = trial.value
    loss = (value["layers"] - 3) ** 2 / 10 + value["dropout"] + abs(value["lr"] - 0.01)
    if i % 10 == 5:
        for step in range(1, 6):
            opt.report(trial, step, loss + 1.0 / step)
        opt.tell_pruned(trial)
    elif i % 50 == 7:
        opt.tell_failure(trial, ValueError(f"diverged at trial {i}"))
    else:
        opt.tell(trial, loss)


@contextmanager
def serving(path: Path, refresh: float = 2.0) -> Iterator[DashboardServer]:
    server = make_server(path, port=0, refresh=refresh)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def timed_get(conn: http.client.HTTPConnection, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    conn.request("GET", url)
    body = conn.getresponse().read()
    return (time.perf_counter() - started) * 1000, body


def endpoint(path: Path, repeats: int) -> dict[str, Any]:
    """Milliseconds of the data endpoint (see the module docstring)."""
    out: dict[str, Any] = {}
    with serving(path) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=120)
        out["cold_ms"], body = timed_get(conn, "/api/study?name=bench")
        out["bytes"] = len(body)
        full = [timed_get(conn, "/api/study?name=bench")[0] for _ in range(repeats)]
        out["full_ms"] = statistics.median(full)
        data = json.loads(body)
        since = f"/api/study?name=bench&since={data['revision']}&epoch={data['epoch']}"
        out["idle_ms"] = statistics.median(timed_get(conn, since)[0] for _ in range(repeats * 4))
        out["studies_ms"] = statistics.median(
            timed_get(conn, "/api/studies")[0] for _ in range(repeats)
        )
        changed = []
        with SQLiteStorage(path) as storage:  # another connection, as another process
            opt = Optimizer(SPACE, RandomSearch(), seed=1, storage=storage, study="bench")
            for i in range(repeats):
                add_trial(opt, i * 10 + 1)
                # Reads the new rows from SQLite, recomputes the summary, sends the new trial.
                ms, body = timed_get(conn, since)
                changed.append(ms)
                answer = json.loads(body)
                assert not answer["full"] and len(answer["trials"]) == 1
                since = f"/api/study?name=bench&since={answer['revision']}&epoch={data['epoch']}"
        out["one_new_ms"] = statistics.median(changed)
        conn.close()
    return out


def chromium() -> webdriver.Chrome:
    os.environ["SE_OFFLINE"] = "true"
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(
        service=Service(executable_path="/usr/bin/chromedriver"), options=options
    )


def wait(driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], Any]) -> Any:
    return WebDriverWait(driver, 300, poll_frequency=0.05).until(condition)


_DRAWN = "return performance.getEntriesByName('typedspace:drawn')[0]?.startTime"
_HISTORY = "return performance.getEntriesByName('typedspace:history')[0]?.startTime"
_DATASET = "return {...document.body.dataset}"


def page(path: Path, driver: webdriver.Chrome, loads: int, height: int) -> dict[str, Any]:
    """Milliseconds from navigation start to the history plot and to every plot on the screen
    drawn (the table is drawn before the plots), and of one pass over those plots after a new
    trial, in a window ``height`` pixels high."""
    driver.set_window_size(1400, height)
    first, history, text, redraw = [], [], [], []
    steps: list[list[Any]] = []
    with serving(path, refresh=0.5) as server:
        with SQLiteStorage(path) as storage:
            opt = Optimizer(SPACE, RandomSearch(), seed=2, storage=storage, study="bench")
            for i in range(loads):
                driver.get("about:blank")
                driver.get(f"{server.url}#study=bench")
                first.append(float(wait(driver, lambda d: d.execute_script(_DRAWN))))
                history.append(float(driver.execute_script(_HISTORY)))
                data = driver.execute_script(_DATASET)
                text.append(float(data["renderMs"]))
                add_trial(opt, i * 10 + 2)
                wait(driver, _drawn_after(data["drawnRevision"]))
                data = driver.execute_script(_DATASET)
                redraw.append(float(data["plotMs"]))
                steps.append(json.loads(data["plotSteps"]))
        driver.get("about:blank")
    return {
        "first_ms": statistics.median(first),
        "history_ms": statistics.median(history),
        "text_ms": statistics.median(text),
        "redraw_ms": statistics.median(redraw),
        "steps": steps[-1],
    }


def _drawn_after(revision: str) -> Callable[[webdriver.Chrome], bool]:
    """Whether the page's plots show a revision after ``revision``."""

    def drawn(driver: webdriver.Chrome) -> bool:
        now = driver.execute_script("return document.body.dataset.drawnRevision")
        return bool(now != revision)

    return drawn


#: How the study is watched while the writers run.
WATCHERS = ("nobody", "HTTP poll", "page")


def writers(
    path: Path, driver: webdriver.Chrome, rounds: int, trials: int
) -> dict[str, list[float]]:
    """Trials per second of two writer processes, while nobody watches the study, while a
    client polls the dashboard's data endpoint every 0.5 s (the reads alone), and while the
    page polls it every 0.5 s (reads, plus Chromium drawing on the same two CPUs)."""
    rates: dict[str, list[float]] = {watcher: [] for watcher in WATCHERS}
    for r in range(rounds):
        for watcher in WATCHERS:
            study = f"writers-{r}-{WATCHERS.index(watcher)}"
            with serving(path, refresh=0.5) as server:
                stop = threading.Event()
                poller = threading.Thread(target=_poll, args=(server, study, stop), daemon=True)
                if watcher == "page":
                    driver.get(f"{server.url}#study={study}")
                elif watcher == "HTTP poll":
                    poller.start()
                started = time.perf_counter()
                procs = [
                    subprocess.Popen(
                        [sys.executable, str(WRITER), str(path), study, str(trials), "0"],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                    for _ in range(2)
                ]
                for proc in procs:
                    _, err = proc.communicate(timeout=600)
                    if proc.returncode != 0:
                        raise RuntimeError(f"a writer failed: {err}")
                seconds = time.perf_counter() - started
                stop.set()
                if poller.is_alive():
                    poller.join()
                driver.get("about:blank")
            rates[watcher].append(trials / seconds)
    return rates


def _poll(server: DashboardServer, study: str, stop: threading.Event) -> None:
    """Ask for the study's changes every 0.5 s, as the page does."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=60)
    revision, epoch = 0, ""
    while not stop.wait(0.5):
        _, body = timed_get(conn, f"/api/study?name={study}&since={revision}&epoch={epoch}")
        answer = json.loads(body)
        if "revision" in answer:  # (404 until a writer created the study)
            revision, epoch = answer["revision"], answer["epoch"]
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [300] if args.quick else [1_000, 10_000]
    started = time.perf_counter()
    print("# Dashboard responsiveness (issue 17)\n")
    print("`.venv/bin/python benchmarks/bench_dashboard.py`\n")
    load = os.getloadavg()
    print(f"- machine: {os.cpu_count()} CPUs, {platform.platform()}; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start")  # fmt: skip
    print(
        f"- Chromium: {subprocess.run(['/usr/bin/chromium', '--version'], capture_output=True, text=True).stdout.strip()}"
    )
    rows = []
    driver = chromium()
    try:
        with tempfile.TemporaryDirectory() as folder:
            for n in sizes:
                path = Path(folder) / f"study-{n}.db"
                write_seconds = write_study(path, n)
                api = endpoint(path, repeats=5)
                shown = page(path, driver, loads=3, height=1000)
                tall = page(path, driver, loads=3, height=6000)
                rows.append((n, write_seconds, api, (shown, tall), path.stat().st_size))
            rates = writers(Path(folder) / f"study-{sizes[-1]}.db", driver, rounds=4,
                            trials=100 if args.quick else 300)  # fmt: skip
    finally:
        driver.quit()
    print(f"- wall time {time.perf_counter() - started:.0f} s\n")
    print("## Data endpoint and page\n")
    print("### Data endpoint (`GET /api/study`, milliseconds, median)\n")
    print("| trials | file | first full answer | full answer again | poll, nothing new | "
          "poll, one new trial | `/api/studies` | JSON (full) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for n, _, api, _shown, size in rows:
        print(f"| {n:,} | {size / 1e6:.1f} MB | {api['cold_ms']:.0f} | {api['full_ms']:.0f} | "
              f"{api['idle_ms']:.1f} | {api['one_new_ms']:.1f} | {api['studies_ms']:.1f} | "
              f"{api['bytes'] / 1e6:.2f} MB |")  # fmt: skip
    print("\n### Page in headless Chromium (milliseconds, median of three loads)\n")
    print("| trials | window | history plot drawn | every plot on the screen drawn | "
          "text and table (one task) | pass over the plots after a new trial | "
          "that pass, plot by plot (ms of script) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for n, *_, shown_both, _size in rows:
        for window, shown in zip(("1400x1000", "1400x6000 (all plots)"), shown_both, strict=True):
            steps = ", ".join(f"{name} {ms}" for name, ms in shown["steps"] if ms)
            print(f"| {n:,} | {window} | {shown['history_ms']:.0f} | {shown['first_ms']:.0f} | "
                  f"{shown['text_ms']:.0f} | {shown['redraw_ms']:.0f} | {steps} |")  # fmt: skip
    print("\nWriting the studies (ask/tell, one commit per start, report and result): "
          + ", ".join(f"{n:,} trials in {s:.0f} s" for n, s, *_ in rows) + ".\n")  # fmt: skip
    print("## Two writers while the study is watched (trials per second of the pair)\n")
    print("| run | " + " | ".join(f"watched by: {w}" for w in WATCHERS) + " |")
    print("|---" * (len(WATCHERS) + 1) + "|")
    for i, row in enumerate(zip(*(rates[w] for w in WATCHERS), strict=True)):
        print(f"| {i + 1} | " + " | ".join(f"{x:.1f}" for x in row) + " |")
    print("| mean ± sd | " + " | ".join(
        f"{statistics.mean(rates[w]):.1f} ± {statistics.stdev(rates[w]) if len(rates[w]) > 1 else 0.0:.1f}"
        for w in WATCHERS) + " |")  # fmt: skip
    cells = []
    for w in WATCHERS:
        diffs = [x - y for x, y in zip(rates[w], rates["nobody"], strict=True)]
        se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else 0.0
        cells.append(f"{statistics.mean(diffs):+.1f} ± {se:.1f}")
    print("| paired difference to nobody, mean ± s.e. | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
