"""Public classes show the path users import them from.

A class defined in ``typedspace.nodes._leaves`` and exported as ``typedspace.Uniform`` says
``typedspace.Uniform`` in tracebacks, ``repr(type(x))`` and pickles; the private module is an
implementation detail that may move.  Functions keep their defining module: their docstring
examples run in its namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def publish(module: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Set ``__module__`` of the classes ``names`` of ``namespace`` that are
    defined below ``module`` to ``module``.  Called by each public package's ``__init__``; the
    top-level package runs last, so a name exported there shows its shortest path.
    """
    for name in names:
        obj = namespace[name]
        if isinstance(obj, type) and obj.__module__.startswith(module + "."):
            obj.__module__ = module
