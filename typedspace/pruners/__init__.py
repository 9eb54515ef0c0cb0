"""Pruners: stop unpromising trials early, from the values they report as they run.

An objective that takes a second argument, a ``Report``, calls ``report(step, value)`` after
each epoch, fold or budget step; the study's pruner decides whether the trial goes on.  Every
pruner here is a small frozen value that decides from the trials' curves alone (see
``Pruner``), so any process running a trial of the study takes the same decision.
"""

from typedspace._exports import publish
from typedspace.pruners._base import Curve as Curve
from typedspace.pruners._base import Pruner as Pruner
from typedspace.pruners._base import Status as Status
from typedspace.pruners._base import Step as Step
from typedspace.pruners._halving import Hyperband as Hyperband
from typedspace.pruners._halving import SuccessiveHalving as SuccessiveHalving
from typedspace.pruners._pareto import ParetoPruner as ParetoPruner
from typedspace.pruners._pareto import VectorCurve as VectorCurve
from typedspace.pruners._patience import Patient as Patient
from typedspace.pruners._percentile import MedianPruner as MedianPruner
from typedspace.pruners._percentile import PercentilePruner as PercentilePruner
from typedspace.pruners._predictive import IfPredictive as IfPredictive
from typedspace.pruners._wilcoxon import WilcoxonPruner as WilcoxonPruner

__all__ = [
    "Curve",
    "Hyperband",
    "IfPredictive",
    "MedianPruner",
    "ParetoPruner",
    "Patient",
    "PercentilePruner",
    "Pruner",
    "Status",
    "Step",
    "SuccessiveHalving",
    "VectorCurve",
    "WilcoxonPruner",
]

publish("typedspace.pruners", globals(), __all__)
