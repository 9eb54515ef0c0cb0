"""Objectives for the parallel tests, at module level so that worker processes can import them.

A value equal to ``KILL`` makes the objective kill its own worker process, the way an
out-of-memory kill or a crash in native code would; random proposals never hit it exactly,
so only the trials started with ``points_to_evaluate=[KILL]`` do.  ``segfaulting`` crashes
in native code on a whole range of points instead, so random proposals hit it.
"""

from __future__ import annotations

import ctypes
import faulthandler
import math
import multiprocessing
import os
import resource
import signal
import time

from typedspace import Outcome, Report

KILL = 0.5
EXIT = 0.25
INTERRUPT = 0.75
SLOW = 0.125
SEGFAULT_BELOW = 0.25


def square(x: float) -> float:
    """A tiny objective with its minimum at 0.3."""
    return (x - 0.3) ** 2


def square_with_pid(x: float) -> Outcome:
    """``square``, keeping the id of the process that evaluated it."""
    return Outcome(square(x), {"pid": os.getpid()})


def sleepy_square(x: float) -> float:
    """``square`` taking long enough that several trials overlap in a pool."""
    time.sleep(0.05)
    return square(x)


def deadly(x: float) -> float:
    """``sleepy_square``, except at ``KILL`` (SIGKILL to itself, after a moment: the trials
    submitted beside it are in the pool by then, even on a loaded machine), ``EXIT``
    (``os._exit``) and ``SLOW`` (1.5 s: started beside ``KILL``, it is still running when
    the killer dies, however the machine schedules the two)."""
    if x == SLOW:
        time.sleep(1.5)
    if x == KILL:
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)
    if x == EXIT:
        os._exit(1)
    return sleepy_square(x)


def _segfault() -> None:
    """Crash this process in native code (reading address 0), as a bug in C code would."""
    faulthandler.disable()  # pytest enables it: no traceback dump on stderr
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # and no core file
    ctypes.string_at(0)


def segfaulting(x: float) -> float:
    """``square`` after a short wait, except below ``SEGFAULT_BELOW``: a segmentation fault."""
    time.sleep(0.02)
    if x < SEGFAULT_BELOW:
        _segfault()
    return square(x)


def late_segfault(x: float) -> float:
    """``square`` after ``x`` seconds, except at ``KILL``: a segmentation fault after 0.3 s."""
    time.sleep(0.3 if x == KILL else x)
    if x == KILL:
        _segfault()
    return square(x)


def interrupting(x: float) -> float:
    """At ``INTERRUPT``, press Ctrl-C for the optimizing process (the pool's parent)."""
    if x == INTERRUPT:
        # The process that created the pool; os.getppid() would be the fork server under the
        # forkserver start method (the default from Python 3.14).
        parent = multiprocessing.parent_process()
        assert parent is not None and parent.pid is not None
        os.kill(parent.pid, signal.SIGINT)
        time.sleep(5.0)  # still running when the parent reacts: it must cancel this trial
    return sleepy_square(x)


EPOCHS = 8


def learning_curve(x: float, trial: Report) -> Outcome:
    """A learning curve whose level is ``x``: the smaller ``x``, the better at every epoch.
    Keeps the id of the process that evaluated it."""
    loss = math.inf
    for epoch in range(1, EPOCHS + 1):
        loss = x + 1.0 / epoch
        trial.report(epoch, loss)
    return Outcome(loss, {"pid": os.getpid()})
