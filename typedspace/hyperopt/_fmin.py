"""``fmin`` and ``space_eval`` with Hyperopt's signatures, on typedspace's ``Optimizer``.

The ``hp`` space is translated (``_translate``); an ask/tell loop runs the study in the
storage of the ``Trials`` object with Hyperopt's stopping rules and failure handling (result
dicts become losses, failures and extra data), appending each finished trial to ``Trials``
in Hyperopt's shapes.  With ``executor=``, ``typedspace.optimize`` runs the trials on the
workers (the objective wrapped, Hyperopt's rules given as its early stop).
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np

from typedspace.algorithms import Algorithm
from typedspace.backends._flatten import flatten
from typedspace.backends._table import CategoricalParam
from typedspace.errors import BudgetExhausted, DecodeError, InvalidReturnType, StatusFail
from typedspace.hyperopt._algos import resolve_algo
from typedspace.hyperopt._expr import Expr
from typedspace.hyperopt._translate import translate
from typedspace.hyperopt._trials import STATUS_OK, STATUS_STRINGS, Trials
from typedspace.nodes import Space
from typedspace.run import Optimizer, Outcome, optimize
from typedspace.run._progress import ProgressBar
from typedspace.storage import Storage
from typedspace.storage._records import Trial, TrialRecord, TrialState

__all__ = ["fmin", "space_eval"]


def _outcome(rval: object) -> Outcome:
    """The loss and extra data of what a Hyperopt objective returned; a failure status
    raises ``StatusFail`` (a failed trial, the run goes on), a malformed result
    ``InvalidReturnType`` (a bug: the run stops)."""
    if isinstance(rval, Real | np.number) and not isinstance(rval, complex):
        return Outcome(float(rval))
    if not isinstance(rval, Mapping):
        raise InvalidReturnType(
            f"the objective returned {rval!r:.200}: return a number (the loss) or a dict "
            "with 'loss' and 'status' (STATUS_OK or STATUS_FAIL)"
        )
    result = dict(rval)
    if "attachments" in result:
        raise InvalidReturnType(
            "the objective returned 'attachments': typedspace.hyperopt does not keep "
            "attachments; put JSON-friendly values in other keys of the result dict (they are "
            "kept with the trial, in trials.results) and write large objects to files"
        )
    status = result.get("status")
    if status not in STATUS_STRINGS:
        raise InvalidReturnType(
            f"the objective returned a result dict with status {status!r}: it must be one of "
            f"{', '.join(map(repr, STATUS_STRINGS))} (STATUS_OK with a 'loss', or STATUS_FAIL)"
        )
    if status != STATUS_OK:
        raise StatusFail(json.dumps(result, default=repr))
    try:
        loss = float(result.pop("loss"))
    except (KeyError, TypeError, ValueError):
        raise InvalidReturnType(
            f"the objective returned status 'ok' without a numeric 'loss': {rval!r:.200}"
        ) from None
    del result["status"]
    return Outcome(loss, extra=result)


class _Objective:
    """The user's objective, returning what ``optimize`` takes; with ``catch`` False the
    first exception is kept so that ``fmin`` re-raises it, as Hyperopt does."""

    def __init__(self, fn: Callable[[Any], Any], catch: bool) -> None:
        self.fn = fn
        self.catch = catch
        self.errors: list[BaseException] = []

    def __call__(self, value: Any) -> Outcome:
        try:
            rval = self.fn(value)
        except Exception as error:
            if not self.catch:
                self.errors.append(error)
            raise
        return _outcome(rval)


def _raised(trial: Trial[Any]) -> bool:
    """Whether the objective raised in ``trial`` (not a failure status or a NaN loss)."""
    error = trial.error
    return trial.state is TrialState.FAILED and not (
        error is not None and error.type in ("StatusFail", "InvalidLoss")
    )


class _Stop:
    """``optimize``'s early_stop: Hyperopt's ``early_stop_fn`` called with the ``Trials``,
    and, without ``catch_eval_exceptions``, a stop at the first trial whose objective raised."""

    def __init__(
        self,
        fn: Callable[..., Any] | None,
        trials: Trials,
        table: Any,
        catch: bool,
        start: int,
    ) -> None:
        self.fn = fn
        self.trials = trials
        self.table = table
        self.catch = catch
        self.start = start
        self.state: list[Any] = []
        self.raised: Trial[Any] | None = None

    def __call__(self, trials: Sequence[Trial[Any]], /) -> bool:
        if not self.catch:
            for trial in trials[self.start :]:
                if _raised(trial):
                    self.raised = trial
                    return True
        if self.fn is None:
            return False
        self.trials._load(trials, self.table)
        if not self.trials.trials:
            return False
        stop, state = self.fn(self.trials, *self.state)
        self.state = list(state) if state is not None else []
        return bool(stop)


def _seed(rstate: object) -> int | None:
    """A seed for the run from Hyperopt's ``rstate``: a numpy ``Generator`` (0.2.7), a
    ``RandomState`` (older), an int, or None ($HYPEROPT_FMIN_SEED, else unseeded)."""
    if rstate is None:
        env = os.environ.get("HYPEROPT_FMIN_SEED", "")
        return int(env) if env else None
    if isinstance(rstate, np.random.Generator):
        return int(rstate.integers(2**31 - 1))
    if isinstance(rstate, np.random.RandomState):
        return int(rstate.randint(2**31 - 1))
    if isinstance(rstate, int) and not isinstance(rstate, bool):
        return rstate
    raise TypeError(
        f"rstate must be a numpy Generator (np.random.default_rng(seed)), got {rstate!r}"
    )


def _annotated(fn: Callable[..., Any]) -> tuple[Callable[[Any], Any], dict[str, Any]]:
    """``space="annotated"``: the space from ``fn``'s annotations, and ``fn`` taking a dict."""
    try:  # a module with `from __future__ import annotations` holds them as strings
        annotations = dict(inspect.get_annotations(fn, eval_str=True))
    except Exception:
        annotations = dict(inspect.get_annotations(fn))
    annotations.pop("return", None)
    for name, value in annotations.items():
        if not isinstance(value, Expr):
            raise TypeError(
                f'space="annotated": the argument {name!r} of the objective is annotated with '
                f"{value!r}, not an hp expression (annotate every argument, e.g. "
                f'x: hp.uniform("x", -1, 1))'
            )
    return (lambda config: fn(**config)), dict(annotations)


def _points(points: object, space: Any) -> list[dict[str, float | int]]:
    if points is None:
        return []
    if not isinstance(points, list) or not all(isinstance(p, Mapping) for p in points):
        raise TypeError(
            "points_to_evaluate must be a list of dicts {label: value} (a choice's value is "
            f"the index of its option), got {points!r:.200}"
        )
    table = flatten(space).table
    assignments = []
    for point in points:
        unknown = sorted(set(point) - set(table.names))
        if unknown:
            raise ValueError(
                f"points_to_evaluate: {unknown[0]!r} is not a label of the space (labels: "
                f"{', '.join(table.names)})"
            )
        assignments.append({k: _unwrap(v) for k, v in point.items()})
    return assignments


def _unwrap(value: Any) -> Any:
    # Hyperopt's vals hold one-element lists; a point may be written that way.
    if isinstance(value, list | tuple) and len(value) == 1:
        return value[0]
    return value.item() if isinstance(value, np.generic) else value


class _Run:
    """One ``fmin`` call: the study, and the loop that runs it."""

    def __init__(
        self,
        fn: Callable[[Any], Any],
        typed: Space[Any],
        algorithm: Algorithm,
        trials: Trials,
        where: tuple[Storage, str],
        seed: int | None,
        max_evals: int | None,
        catch: bool,
        allow_space_change: bool,
    ) -> None:
        self.fn = fn
        self.typed = typed
        self.algorithm = algorithm
        self.trials = trials
        self.storage, self.study = where
        self.seed = seed
        self.max_evals = max_evals
        self.catch = catch
        self.allow_space_change = allow_space_change

    def inline(
        self,
        timeout: float | None,
        loss_threshold: float | None,
        early_stop_fn: Callable[..., Any] | None,
        points: list[dict[str, float | int]],
        progress: bool | None,
    ) -> None:
        """Ask, evaluate, tell, one trial at a time, with Hyperopt's stopping rules and
        failure handling (an exception is raised unless ``catch_eval_exceptions``)."""
        opt: Optimizer[Any] = Optimizer(
            self.typed,
            self.algorithm,
            seed=self.seed,
            storage=self.storage,
            study=self.study,
            max_trials=self.max_evals,
            allow_space_change=self.allow_space_change,
        )
        opt.reclaim_interrupted()
        table = opt.flat.table
        records = self.storage.trials(self.study)
        self.trials._load(records, table)
        done = [dict(r.assignment) for r in records if r.state is not TrialState.CANCELLED]
        # Counted here, not re-read per trial: the storage enforces max_evals across
        # processes (ask raises BudgetExhausted), so this count only decides when to stop.
        counted = len(done)
        for point in points:
            clean = table.validate(point)
            if clean not in done:  # a resumed study does not evaluate its points again
                opt.enqueue(clean)
                done.append(clean)
        losses = [r.loss for r in records if r.state is TrialState.OK and r.loss is not None]
        best = min(losses) if losses else None
        state: list[Any] = []
        bar = ProgressBar(self.max_evals, enabled=progress, label="fmin")
        start = time.monotonic()
        try:
            while not (
                (loss_threshold is not None and best is not None and best <= loss_threshold)
                or (timeout is not None and time.monotonic() - start >= timeout)
                or (self.max_evals is not None and counted >= self.max_evals)
            ):
                finished = self._one(opt)
                if finished is None:
                    break  # other processes took the rest of max_evals
                self.trials._add(finished, table)
                counted += finished.state is not TrialState.CANCELLED
                if finished.state is TrialState.OK and finished.loss is not None:
                    best = finished.loss if best is None else min(best, finished.loss)
                bar.update(counted, best)
                if early_stop_fn is not None and self.trials.trials:
                    stop, returned = early_stop_fn(self.trials, *state)
                    state = list(returned) if returned is not None else []
                    if stop:
                        break
        finally:
            bar.close()

    def _one(self, opt: Optimizer[Any]) -> Trial[Any] | TrialRecord | None:
        """Run one trial; raise what Hyperopt raises (the objective's exception unless
        ``catch``, a malformed result always)."""
        try:
            trial = opt.ask()
        except BudgetExhausted:
            return None
        except DecodeError as error:  # a scope function raised: the trial is stored as failed
            if not self.catch:
                raise error.__cause__ or error from None
            return self.storage.trials(self.study)[-1]  # its record (it has no value)
        try:
            rval = self.fn(trial.value)
        except KeyboardInterrupt:
            opt.cancel(trial, "interrupted (KeyboardInterrupt)")
            raise
        except Exception as error:
            finished = opt.tell_failure(trial, error)
            if not self.catch:
                self.trials._add(finished, opt.flat.table)
                raise
            return finished
        try:
            outcome = _outcome(rval)
        except StatusFail as failure:
            return opt.tell_failure(trial, failure)
        except InvalidReturnType as error:
            self.trials._add(opt.tell_failure(trial, error), opt.flat.table)
            raise
        return opt.tell(trial, outcome)

    def parallel(
        self,
        timeout: float | None,
        loss_threshold: float | None,
        early_stop_fn: Callable[..., Any] | None,
        points: list[dict[str, float | int]],
        progress: bool | None,
        executor: Any,
    ) -> None:
        """The trials on ``executor``'s workers, run by ``typedspace.optimize``."""
        objective = _Objective(self.fn, self.catch)
        known = (
            len(self.storage.trials(self.study)) if self.study in self.storage.study_names() else 0
        )
        table = flatten(self.typed).table
        stop = _Stop(early_stop_fn, self.trials, table, self.catch, known)
        result = optimize(
            objective,
            self.typed,
            self.algorithm,
            max_evals=self.max_evals,
            timeout=timeout,
            seed=self.seed,
            loss_threshold=loss_threshold,
            # Not asked when not needed: the rule reads every trial after each one.
            early_stop=stop if early_stop_fn or not self.catch or not self.max_evals else None,
            assignments_to_evaluate=points,
            catch=True,
            progress=progress,
            storage=self.storage,
            study=self.study,
            executor=executor,
            allow_space_change=self.allow_space_change,
        )
        self.trials._load(result.trials, result.table)
        if stop.raised is not None:
            if objective.errors:
                raise objective.errors[0]
            raise RuntimeError(f"trial {stop.raised.number}: {stop.raised.error}")


def fmin(
    fn: Callable[..., Any],
    space: Any,
    algo: Any = None,
    max_evals: int | None = None,
    timeout: float | None = None,
    loss_threshold: float | None = None,
    trials: Trials | None = None,
    rstate: Any = None,
    allow_trials_fmin: bool = True,
    pass_expr_memo_ctrl: bool | None = None,
    catch_eval_exceptions: bool = False,
    verbose: bool = True,
    return_argmin: bool = True,
    points_to_evaluate: list[dict[str, Any]] | None = None,
    max_queue_len: int = 1,
    show_progressbar: bool = True,
    early_stop_fn: Callable[..., Any] | None = None,
    trials_save_file: str = "",
    *,
    storage: Storage | str | os.PathLike[str] | None = None,
    study: str | None = None,
    executor: Any = None,
    allow_space_change: bool = False,
) -> Any:
    """Minimize ``fn`` over the Hyperopt ``space``: Hyperopt's ``fmin``, run by typedspace's
    ``Optimizer`` with our TPE (``tpe.suggest``, the default) or random search.

    Returns Hyperopt's argmin (each label's value in the best trial, a choice's **index**;
    ``space_eval(space, argmin)`` gives the configuration), or with ``return_argmin=False``
    the best configuration itself.  ``max_evals`` counts every trial of ``trials`` (a reused
    ``Trials`` continues).  ``trials_save_file="study.db"`` (or ``storage=``) keeps the study
    in a SQLite file, each trial committed when it ends: the same call after a crash resumes
    it.  ``executor=`` runs trials in parallel (see ``typedspace.optimize``).  A study (a
    reused ``Trials``, a saved file) continues only with the space it was made with, unless
    ``allow_space_change=True``.

    Differences from Hyperopt: a non-finite loss is a failed trial; the objective returning
    ``attachments`` or a malformed result stops the run with ``InvalidReturnType``;
    ``pass_expr_memo_ctrl``, ``SparkTrials`` and ``MongoTrials`` are refused.

    >>> import numpy as np
    >>> from typedspace.hyperopt import fmin, hp, space_eval, tpe
    >>> space = {"x": hp.uniform("x", -5, 5), "act": hp.choice("act", ["relu", "tanh"])}
    >>> def loss(c):
    ...     return (c["x"] - 3) ** 2 + (c["act"] == "relu")
    >>> best = fmin(loss, space, tpe.suggest, max_evals=60, rstate=np.random.default_rng(0),
    ...             show_progressbar=False)
    >>> best["act"], space_eval(space, best)["act"], abs(best["x"] - 3) < 0.5
    (1, 'tanh', True)
    """
    if pass_expr_memo_ctrl:
        raise ValueError(
            "fmin: pass_expr_memo_ctrl is not supported by typedspace.hyperopt (there is no "
            "pyll memo); the objective receives the configuration"
        )
    if isinstance(space, str) and space == "annotated":
        fn, space = _annotated(fn)
    if trials is None:
        trials = Trials()
    elif not isinstance(trials, Trials):
        raise TypeError(
            f"fmin: trials must be a typedspace.hyperopt.Trials, got {type(trials).__module__}."
            f"{type(trials).__qualname__}; import Trials from typedspace.hyperopt"
        )
    if max_evals is None and timeout is None and loss_threshold is None and early_stop_fn is None:
        raise ValueError(
            "fmin: give max_evals (or a timeout, loss_threshold or early_stop_fn): without "
            "one the search would never end"
        )
    for name, value in (("timeout", timeout), ("loss_threshold", loss_threshold)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, Real)):
            raise TypeError(f"fmin: {name} must be None or a number, got {value!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"fmin: timeout must be None or a positive number, got {timeout!r}")
    typed = translate(space)
    run = _Run(
        fn,
        typed,
        resolve_algo(algo),
        trials,
        trials._bind(storage if storage is not None else trials_save_file or None, study),
        _seed(rstate),
        max_evals if max_evals is not None and max_evals < sys.maxsize else None,
        catch_eval_exceptions,
        allow_space_change,
    )
    progress = None if verbose and show_progressbar else False
    points = _points(points_to_evaluate, typed)
    if executor is None:
        run.inline(timeout, loss_threshold, early_stop_fn, points, progress)
    else:
        run.parallel(timeout, loss_threshold, early_stop_fn, points, progress, executor)
    if return_argmin:
        if not trials.trials:
            raise ValueError("There are no evaluation tasks, cannot return argmin of task losses.")
        return trials.argmin
    if trials.trials:
        return space_eval(space, trials.argmin)
    return None


def space_eval(space: Any, hp_assignment: Mapping[str, Any]) -> Any:
    """The configuration of ``space`` at ``hp_assignment`` (label -> value, a choice's
    value being the **index** of its option): what the objective received.

    >>> from typedspace.hyperopt import hp, space_eval
    >>> space = hp.choice("a", [("case 1", 1 + hp.lognormal("c1", 0, 1)), ("case 2", hp.uniform("c2", -10, 10))])
    >>> space_eval(space, {"a": 0, "c1": 1.0})
    ('case 1', 2.0)
    """
    flat = flatten(translate(space))
    assignment: dict[str, float | int] = {}
    for param in flat.table.params:
        if param.name in hp_assignment:
            value = _unwrap(hp_assignment[param.name])
            assignment[param.name] = int(value) if isinstance(param, CategoricalParam) else value
    try:
        return flat.decode(assignment)
    except ValueError as error:
        raise KeyError(f"space_eval: {error}") from None
