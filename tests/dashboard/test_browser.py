"""The dashboard in a real browser (headless Chromium): the page shows a study written by
``optimize`` with the right numbers, follows a running study without a reload, and shows
hostile text as text."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from typedspace import Choice, Uniform, optimize
from typedspace.dashboard._data import StudyFile
from typedspace.dashboard._server import DashboardServer
from typedspace.storage import TrialRecord, TrialState, load_study
from typedspace.storage._records import is_feasible

from ._browser import ARTIFACTS, finish, js, text_of, wait_for
from .conftest import HOSTILE_MESSAGE, HOSTILE_STUDY, serving

WRITER = Path(__file__).with_name("writer.py")


def open_study(page: webdriver.Chrome, server: DashboardServer, study: str, trials: int) -> None:
    page.get(f"{server.url}#study={study}")
    wait_for(
        page,
        lambda d: text_of(d, "table-count").endswith(f"of {trials} trials"),
        f"{trials} trials",
    )
    plots_drawn(page)


def click_study(page: webdriver.Chrome, name: str) -> None:
    """Click the study's link (the list is redrawn when a study's counts change: a link found
    just before may be gone, so try again)."""

    def clicked(d: webdriver.Chrome) -> bool:
        try:
            d.find_element(By.PARTIAL_LINK_TEXT, name).click()
        except StaleElementReferenceException:
            return False
        return True

    wait_for(page, clicked, f"a link to {name!r} to click")


def plots_drawn(page: webdriver.Chrome) -> None:
    """Wait until the plots show the data the page holds (they are drawn after the table)."""
    script = "const d = document.body.dataset; return d.drawnRevision === d.revision"
    wait_for(page, lambda d: js(d, script), "its plots")


def plot_data(page: webdriver.Chrome, element_id: str) -> list[dict[str, Any]]:
    """The traces plotly drew in the element (name, x, y, text)."""
    return list(
        js(
            page,
            "return document.getElementById(arguments[0]).data.map("
            "t => ({name: t.name ?? null, x: t.x, y: t.y, text: t.text ?? null}))",
            element_id,
        )
    )


def history_losses(page: webdriver.Chrome) -> list[float | None]:
    (trace,) = [t for t in plot_data(page, "plot-history") if t["name"] == "trial loss"]
    return list(trace["y"])


def shows_losses(losses: list[float | None]) -> Callable[[webdriver.Chrome], bool]:
    """Whether the history plot shows exactly ``losses``."""
    return lambda page: history_losses(page) == losses


def table_rows(page: webdriver.Chrome) -> list[dict[str, str]]:
    return list(
        js(
            page,
            "return [...document.querySelectorAll('#trials-body tr')].map(tr => "
            "Object.fromEntries([...tr.children].map(td => [td.dataset.key, td.textContent])))",
        )
    )


def test_the_page_shows_a_study_with_its_numbers(
    page: webdriver.Chrome, dashboard: DashboardServer, studies_db: Path
) -> None:
    study = load_study(studies_db, "mlp")
    records = study.records
    open_study(page, dashboard, "mlp", len(records))
    ok = [r for r in records if r.state is TrialState.OK]
    failed = [r for r in records if r.state is TrialState.FAILED]
    assert ok and failed

    # History: each completed trial's loss, the best so far, the failed trials marked.
    history = {t["name"]: t for t in plot_data(page, "plot-history")}
    assert history["trial loss"]["x"] == [r.number for r in ok]
    assert history["trial loss"]["y"] == [r.loss for r in ok]
    best = np.minimum.accumulate([float(r.loss or 0.0) for r in ok])
    assert history["best so far"]["y"] == pytest.approx(best.tolist(), rel=0, abs=0)
    assert history[f"failed ({len(failed)})"]["x"] == [r.number for r in failed]
    drawn = js(
        page,
        "return document.querySelectorAll('#plot-history .scatterlayer .trace')[0]"
        ".querySelectorAll('.point').length",
    )
    assert drawn == len(ok)  # the points are in the SVG, not only in plotly's data

    # Loss per parameter: only the trials where it is active, log axis for lr, labels.
    names = list(study.table.names) if study.table else []
    for i, name in enumerate(names):
        (trace,) = plot_data(page, f"plot-param-{i}")
        active = [r for r in ok if name in r.assignment]
        assert trace["x"] == [r.assignment[name] for r in active], name
        assert trace["y"] == [r.loss for r in active], name
    axis_type = "return document.getElementById(arguments[0])._fullLayout.xaxis.type"
    assert js(page, axis_type, f"plot-param-{names.index('lr')}") == "log"
    assert js(page, axis_type, f"plot-param-{names.index('layers')}") == "linear"
    ticks = js(
        page,
        "return [...document.querySelectorAll(`#${arguments[0]} .xtick text`)]"
        ".map(t => t.textContent)",
        f"plot-param-{names.index('act')}",
    )
    assert ticks == ["'relu'", "'gelu'"]
    momentum = sum(1 for r in ok if "opt.sgd.momentum" in r.assignment)
    assert 0 < momentum < len(ok)
    title = js(
        page,
        "return document.querySelector(`#${arguments[0]} .gtitle`).textContent",
        f"plot-param-{names.index('opt.sgd.momentum')}",
    )
    assert title == f"opt.sgd.momentum ({momentum} active)"

    # Importance, with the number of trials behind each score.
    (with_n,) = plot_data(page, "plot-importance")
    momentum_label = f"opt.sgd.momentum (n={momentum})"
    assert momentum_label in with_n["y"] and f"lr (n={len(ok)})" in with_n["y"]

    # Best configuration: the typed value's repr.
    best_record = study.best_record
    assert text_of(page, "best-repr") == repr(load_study(studies_db, "mlp").best_trial.value)
    assert text_of(page, "best-meta").startswith(f"trial {best_record.number}, loss ")
    assert "opt: one of 'sgd' | 'adam'" in text_of(page, "space")

    # The table: 50 rows a page, by number; sorted by a click on a column's header.
    rows = table_rows(page)
    assert [int(r["number"]) for r in rows] == [r.number for r in records][:50]
    for row, record in zip(rows, records, strict=False):
        assert row["state"] == record.state.value
        if record.loss is not None:
            assert float(row["loss"]) == pytest.approx(record.loss, rel=1e-5)
    page.find_element(By.CSS_SELECTOR, "th[data-key='loss']").click()
    by_loss = sorted(ok, key=lambda r: (r.loss, r.number))
    assert [int(r["number"]) for r in table_rows(page)][: len(ok)] == [r.number for r in by_loss]
    page.find_element(By.CSS_SELECTOR, "th[data-key='loss']").click()  # descending
    numbers = [int(r["number"]) for r in table_rows(page)]
    assert numbers[0] == by_loss[-1].number
    assert numbers[-len(failed) :] == [r.number for r in failed]  # no loss: last either way

    # Filtering: the failed trials, with their error and traceback.
    Select(page.find_element(By.ID, "state-filter")).select_by_visible_text("failed")
    rows = table_rows(page)
    assert [int(r["number"]) for r in rows] == [r.number for r in failed]
    summaries = page.find_elements(By.CSS_SELECTOR, "#trials-body details summary")
    assert [s.text for s in summaries] == [f"ValueError: {HOSTILE_MESSAGE}"] * len(failed)
    summaries[0].click()
    traceback = page.find_element(By.CSS_SELECTOR, "#trials-body details pre").text
    assert traceback.startswith("Traceback") and "ValueError" in traceback
    Select(page.find_element(By.ID, "state-filter")).select_by_visible_text("all")
    page.find_element(By.ID, "filter").send_keys("gelu")
    gelu = [r for r in records if r.assignment.get("act") == 1]
    assert {int(r["number"]) for r in table_rows(page)} == {r.number for r in gelu}
    assert js(page, "return window.__pwned") is None  # the hostile message ran nothing
    page.find_element(By.ID, "filter").clear()
    page.find_element(By.ID, "filter").send_keys(" ")  # every trial again, for the screenshot
    finish(page, "study")


def test_pruned_trials_show_their_learning_curves(
    page: webdriver.Chrome, dashboard: DashboardServer, studies_db: Path
) -> None:
    records = load_study(studies_db, "curves").records
    pruned = [r for r in records if r.state is TrialState.PRUNED]
    completed = [r for r in records if r.state is TrialState.OK]
    assert pruned and completed
    open_study(page, dashboard, "curves", len(records))
    assert js(page, "return document.getElementById('intermediate-section').hidden") is False
    curves = {t["name"]: t for t in plot_data(page, "plot-intermediate")}
    stops = curves["where pruned"]
    assert stops["x"] == [max(r.intermediate)[0] for r in pruned]
    assert stops["y"] == [max(r.intermediate)[1] for r in pruned]
    lines = curves[f"pruned ({len(pruned)})"]
    assert sum(1 for x in lines["x"] if x is None) == len(pruned)  # one curve each
    completed_line = curves[f"ok ({len(completed)})"]
    assert [y for y in completed_line["y"] if y is not None] == [
        v for r in completed for _, v in sorted(r.intermediate)
    ]
    history = {t["name"]: t for t in plot_data(page, "plot-history")}
    marked = history[f"pruned ({len(pruned)}): last reported value"]
    assert marked["x"] == [r.number for r in pruned]
    finish(page, "pruned")


def test_new_trials_appear_without_a_reload(page: webdriver.Chrome, tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    optimize(lambda c: 1.0, {"x": Uniform(0.0, 1.0)}, max_evals=1, storage=str(path), study="other")
    total = 30
    for server in serving(path, refresh=0.5):
        page.get(server.url)  # no study chosen: the page opens the first one
        wait_for(page, lambda d: text_of(d, "table-count") == "1 of 1 trials", "study 'other'")
        js(page, "window.__loaded_once = true")  # a reload would lose this
        writer = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), "live", str(total), "0.15"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(page, lambda d: "live" in text_of(d, "study-list"), "the new study")
            click_study(page, "live")
            seen: set[str] = set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                count = text_of(page, "table-count")
                seen.add(count)
                if count == f"{total} of {total} trials" and writer.poll() is not None:
                    break
                time.sleep(0.1)
            _, err = writer.communicate(timeout=60)
        finally:
            writer.kill()
        assert writer.returncode == 0, err
        # The page went through intermediate counts while the writer ran, on one load.
        assert len(seen) >= 3, seen
        assert js(page, "return window.__loaded_once") is True
        records = load_study(path, "live").records
        losses = [r.loss for r in records if r.state is TrialState.OK]
        assert len(losses) == total
        wait_for(
            page,
            shows_losses(losses),
            "every loss in the history plot",
        )
        finish(page, "live")


def test_hostile_names_and_messages_are_shown_as_text(
    page: webdriver.Chrome, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.db"
    label = "<b onmouseover='window.__pwned=4'>bold</b>"
    space = {"<i>p</i>": Uniform(0.0, 1.0), "k": Choice(label, "plain")}

    def objective(c: dict[str, Any]) -> float:
        if c["<i>p</i>"] > 0.5:
            raise RuntimeError(HOSTILE_MESSAGE)
        return float(c["<i>p</i>"])

    optimize(objective, space, max_evals=12, seed=1, storage=str(path), study=HOSTILE_STUDY)
    records = load_study(path, HOSTILE_STUDY).records
    failed = [r for r in records if r.state is TrialState.FAILED]
    assert failed
    for server in serving(path):
        page.get(server.url)
        wait_for(
            page,
            lambda d: text_of(d, "table-count") == f"{len(records)} of {len(records)} trials",
            "the study",
        )
        plots_drawn(page)
        link = js(page, "return document.querySelector('#study-list a').firstChild.textContent")
        assert link == HOSTILE_STUDY
        assert text_of(page, "study-name") == HOSTILE_STUDY
        summaries = js(
            page,
            "return [...document.querySelectorAll('#trials-body summary')].map(s => s.textContent)",
        )
        assert summaries == [f"RuntimeError: {HOSTILE_MESSAGE}"] * len(failed)
        # Plot labels show the characters too (plotly would read <b> and <i> as markup).
        ticks = js(
            page,
            "return [...document.querySelectorAll('#plot-param-1 .xtick text')]"
            ".map(t => t.textContent)",
        )
        assert ticks[1] == repr("plain") and ticks[0] == repr(label)[:13] + "…"
        title = js(page, "return document.querySelector('#plot-param-0 .gtitle').textContent")
        assert title.startswith("<i>p</i> (")
        assert (
            js(page, "return document.querySelectorAll('img, script:not([src]), b, i').length") == 0
        )
        assert js(page, "return window.__pwned") is None
        finish(page, "hostile")


@pytest.mark.slow
def test_two_writers_and_a_polling_page_meet_no_lock(
    page: webdriver.Chrome, tmp_path: Path
) -> None:
    """Two processes write one study while the page polls it every 0.5 s: neither writer
    meets "database is locked", the page never fails an update, and it ends up showing every
    trial.  (Trials per second with and without the page: benchmarks/bench_dashboard.py.)"""
    path = tmp_path / "shared.db"
    total = 120
    optimize(
        lambda c: 1.0, {"x": Uniform(0.0, 1.0)}, max_evals=1, storage=str(path), study="warmup"
    )
    for server in serving(path, refresh=0.5):
        page.get(f"{server.url}#study=shared")
        writers = [
            subprocess.Popen(
                [sys.executable, str(WRITER), str(path), "shared", str(total), "0.02"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        stale: list[str] = []
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and any(w.poll() is None for w in writers):
                status = js(
                    page,
                    "const s = document.getElementById('status');"
                    "return s.classList.contains('stale') ? s.textContent : null",
                )
                if status is not None:
                    stale.append(status)
                time.sleep(0.1)
            results = [w.communicate(timeout=60) for w in writers]
        finally:
            for w in writers:
                w.kill()
        for w, (_, err) in zip(writers, results, strict=True):
            assert w.returncode == 0 and "locked" not in err, err
        # The study did not exist when the page opened: it shows up by itself.
        wait_for(
            page,
            lambda d: text_of(d, "counts").startswith(f"{total} trials{total} ok"),
            "every trial completed",
        )
        # A failed update shows 'not updated: <why>' (only the study's absence at the start).
        assert [s for s in stale if "no study named" not in s] == []
        records = load_study(path, "shared").records
        assert len(records) == total and all(r.state is TrialState.OK for r in records)
        # The page asked for the study before the writers created it (404: no such study).
        finish(
            page,
            "two-writers",
            expected="name=shared&since=0&epoch= - Failed to load resource: the server responded with a status of 404",
        )


def test_plots_off_the_screen_are_drawn_when_scrolled_to(
    page: webdriver.Chrome, dashboard: DashboardServer, studies_db: Path
) -> None:
    page.set_window_size(1400, 700)  # pyright: ignore[reportUnknownMemberType]
    try:
        page.get(f"{dashboard.url}#study=mlp")
        drawn = "return document.getElementById(arguments[0]).dataset.drawn ?? null"
        wait_for(page, lambda d: js(d, drawn, "plot-history") is not None, "the history plot")
        revision = js(page, "return document.body.dataset.revision")
        assert js(page, drawn, "plot-importance") is None  # far below: not drawn yet
        js(page, "document.getElementById('plot-importance').scrollIntoView()")
        wait_for(page, lambda d: js(d, drawn, "plot-importance") == revision, "importance")
        (bars,) = plot_data(page, "plot-importance")
        assert len(bars["y"]) == len(load_study(studies_db, "mlp").table or ())
        finish(page, "scrolled")
    finally:
        page.set_window_size(1400, 2400)  # pyright: ignore[reportUnknownMemberType]


# -- several objectives ----------------------------------------------------------------------


def values_of(record: TrialRecord) -> tuple[float, ...]:
    assert record.values is not None, record
    return record.values


def front_of(path: Path, name: str) -> tuple[list[TrialRecord], list[TrialRecord]]:
    """The stored front of study ``name`` (by the first objective, as the page draws it) and
    the infeasible completed trials."""
    with StudyFile(path) as studies:
        numbers = studies.study(name)["pareto"]["front"]
    records = load_study(path, name).records
    front = [r for r in records if r.number in numbers]
    assert len(front) == len(numbers) > 0
    infeasible = [r for r in records if r.state is TrialState.OK and not is_feasible(r.constraints)]
    return front, infeasible


def test_the_pareto_front_of_two_objectives(page: webdriver.Chrome, pareto_db: Path) -> None:
    front, infeasible = front_of(pareto_db, "two")
    front.sort(key=lambda r: (values_of(r)[0], r.number))  # error is minimized
    records = load_study(pareto_db, "two").records
    feasible = [r for r in records if r.state is TrialState.OK and is_feasible(r.constraints)]
    assert infeasible
    for server in serving(pareto_db):
        open_study(page, server, "two", len(records))
        assert js(page, "return document.getElementById('pareto-section').hidden") is False
        traces = {t["name"]: t for t in plot_data(page, "plot-pareto")}
        line = traces[f"Pareto front ({len(front)})"]
        assert line["x"] == [r.values[0] for r in front if r.values]
        assert line["y"] == [r.values[1] for r in front if r.values]
        crosses = traces[f"infeasible ({len(infeasible)})"]
        assert sorted(crosses["x"]) == sorted(r.values[0] for r in infeasible if r.values)
        assert len(traces[f"feasible ({len(feasible) - len(front)})"]["x"]) + len(front) == len(
            feasible
        )
        # Drawn in the SVG: the front's points joined by one step line, grey crosses.
        drawn = js(
            page,
            "const traces = document.querySelectorAll('#plot-pareto .scatterlayer .trace');"
            "const last = traces[traces.length - 1];"
            "return [last.querySelectorAll('.point').length, last.querySelectorAll('.js-line').length,"
            " traces[1].querySelectorAll('.point').length]",
        )
        assert drawn == [len(front), 1, len(infeasible)]
        layout = "return document.getElementById('plot-pareto')._fullLayout"
        assert js(page, layout + ".xaxis.title.text") == "error (min)"
        assert js(page, layout + ".yaxis.title.text") == "accuracy (max)"
        assert js(page, layout + ".xaxis.type") == "linear"
        assert text_of(page, "pareto-note").startswith(
            f"{len(front)} of {len(feasible)} feasible completed trials are on the front"
        )
        # The history shows the hypervolume of the feasible front; the table, each objective.
        (volume, failed) = plot_data(page, "plot-history")
        with StudyFile(pareto_db) as studies:
            steps = studies.study("two")["pareto"]["hypervolume"]["steps"]
        assert volume["y"][: len(steps)] == [v for _, v in steps]
        assert failed["name"].startswith("failed (")
        assert text_of(page, "best-meta").startswith("several objectives have no single best")
        # In place of a best configuration: the front, by error, with values and parameters.
        lines = text_of(page, "best-repr").splitlines()
        assert [line.split(":")[0] for line in lines] == [f"trial {r.number}" for r in front]
        assert lines[0].split(": ", 1)[1].startswith("error=")
        assert volume["name"].startswith("hypervolume of the feasible front (reference: error = ")
        rows = {int(r["number"]): r for r in table_rows(page)}
        for r in records[:50]:
            assert rows[r.number]["front"] == ("front" if r in front else "")
            if r.values:
                assert float(rows[r.number]["values.0"]) == pytest.approx(r.values[0], rel=1e-5)
                assert rows[r.number]["feasible"] == ("yes" if is_feasible(r.constraints) else "no")
        assert js(page, "return window.__pwned") is None  # failed trials' hostile message
        ARTIFACTS.mkdir(exist_ok=True)
        page.find_element(By.ID, "pareto-section").screenshot(  # pyright: ignore[reportUnknownMemberType]
            str(ARTIFACTS / "pareto-section.png")
        )
        finish(page, "pareto")


def test_three_objectives_in_3d_and_four_as_parallel_coordinates(
    page: webdriver.Chrome, pareto_db: Path
) -> None:
    for server in serving(pareto_db):
        front, infeasible = front_of(pareto_db, "three")
        open_study(page, server, "three", len(load_study(pareto_db, "three").records))
        assert js(page, "return WEBGL") is True  # headless Chromium draws WebGL (SwiftShader)
        traces = {t["name"]: t for t in plot_data(page, "plot-pareto")}
        line = traces[f"Pareto front ({len(front)})"]
        assert sorted(line["x"]) == sorted(r.values[0] for r in front if r.values)
        assert len(traces[f"infeasible ({len(infeasible)})"]["x"]) == len(infeasible)
        kinds = js(page, "return document.getElementById('plot-pareto').data.map(t => t.type)")
        assert kinds == ["scatter3d"] * 3
        scene = "return document.getElementById('plot-pareto')._fullLayout.scene"
        assert js(page, scene + ".zaxis.title.text") == "latency (min)"
        assert js(page, "return document.querySelectorAll('#plot-pareto canvas').length") > 0
        finish(page, "pareto-3d")

        front, infeasible = front_of(pareto_db, "four")
        click_study(page, "four")
        wait_for(page, lambda d: text_of(d, "study-name") == "four", "the study 'four'")
        plots_drawn(page)
        (lines,) = js(
            page,
            "return document.getElementById('plot-pareto').data.map(t => "
            "({type: t.type, color: t.line.color, labels: t.dimensions.map(d => d.label)}))",
        )
        assert lines["type"] == "parcoords"
        assert lines["labels"] == ["error (min)", "accuracy (max)", "latency (min)", "size (min)"]
        assert lines["color"].count(1) == len(front) and lines["color"].count(0) == len(infeasible)
        # No hypervolume beyond 3 objectives: the history shows the first objective.
        history = plot_data(page, "plot-history")
        assert history[0]["name"] == "error per trial"
        ok = [r for r in load_study(pareto_db, "four").records if r.state is TrialState.OK]
        assert history[0]["y"] == [values_of(r)[0] for r in ok]
        finish(page, "pareto-4d")


def test_a_trial_of_another_process_joins_the_front_without_a_reload(
    page: webdriver.Chrome, tmp_path: Path
) -> None:
    path = tmp_path / "live-pareto.db"
    first = [sys.executable, str(WRITER), str(path), "mo", "4", "0", "pareto"]
    subprocess.run(first, check=True, capture_output=True)
    total = 24
    for server in serving(path, refresh=0.5):
        open_study(page, server, "mo", 4)
        js(page, "window.__loaded_once = true")  # a reload would lose this
        writer = subprocess.run(
            [sys.executable, str(WRITER), str(path), "mo", str(total), "0.02", "pareto"],
            capture_output=True,
            text=True,
        )
        assert writer.returncode == 0, writer.stderr
        front, _ = front_of(path, "mo")
        expected = sorted(values_of(r)[0] for r in front)

        def shows_front(d: webdriver.Chrome, expected: list[float] = expected) -> bool:
            traces = {t["name"]: t for t in plot_data(d, "plot-pareto")}
            shown = traces.get(f"Pareto front ({len(expected)})")
            drawn = sum(len(t["x"]) for t in traces.values())
            return shown is not None and sorted(shown["x"]) == expected and drawn == total

        wait_for(page, shows_front, f"the front of {total} trials")
        plots_drawn(page)
        assert js(page, "return window.__loaded_once") is True
        finish(page, "pareto-live")
