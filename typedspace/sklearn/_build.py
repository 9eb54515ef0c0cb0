"""How the estimator spaces turn a dict of drawn parameters into a configured estimator.

Every estimator space is ``Map(Make(Cls), {"param": space, ...})``: the dict's keys name the
parameters (``C``, ``kernel.rbf.gamma``) and ``Make`` calls ``Cls(**params)`` when a value is
decoded.  Parameters that exist only in some configurations (an SVC's ``degree`` only for the
polynomial kernel) come from a ``Cond`` (built by ``switch``) whose branches are dicts:
``Make`` merges such a dict into the keyword arguments, so the estimator sees flat sklearn
parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeAlias, TypeVar

from typedspace.nodes import Cond, Const, Map, Space, finite_values

T = TypeVar("T")

#: A keyword argument of a space function: a space, or a constant that becomes ``Const``.
Param: TypeAlias = Space[T] | T


class Make(Generic[T]):
    """``Make(SVC, merge=("kernel",))(params)`` is ``SVC(**params)`` with the dicts under the
    ``merge`` keys merged in.

    A named, picklable callable (a lambda would neither print nor pickle): ``pretty`` shows it
    as the estimator's name, and process pools can ship the spaces that use it.

    >>> from sklearn.svm import SVC
    >>> Make(SVC, merge=("kernel",))({"C": 2.0, "kernel": {"kernel": "poly", "degree": 2}})
    SVC(C=2.0, degree=2, kernel='poly')
    """

    def __init__(
        self,
        cls: Callable[..., T],
        merge: tuple[str, ...] = (),
        adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.cls = cls
        self.merge = merge
        self.adapt = adapt
        self.__qualname__ = getattr(cls, "__name__", repr(cls))

    def __call__(self, params: dict[str, Any]) -> T:
        kwargs: dict[str, Any] = {}
        for key, value in params.items():
            if key in self.merge:
                kwargs.update(value)
            else:
                kwargs[key] = value
        if self.adapt is not None:
            kwargs = self.adapt(kwargs)
        return self.cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Make) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((Make, *self._key()))

    def _key(self) -> tuple[object, ...]:
        return (self.cls, self.merge, self.adapt)

    def __repr__(self) -> str:
        return f"Make({self.__qualname__})"


def estimator(
    cls: Callable[..., T],
    params: Mapping[str, object],
    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Space[T]:
    """The space of ``cls(**params)``: each value of ``params`` is a space or a constant, or a
    ``switch`` whose drawn dict of parameters is merged in."""
    merge = tuple(key for key, value in params.items() if isinstance(value, Switch))
    return Map(Make(cls, merge, adapt), {k: _unwrap(v) for k, v in params.items()})


class Switch:
    """What ``switch`` returns: a ``Cond`` of parameter dicts, merged by ``estimator``."""

    def __init__(self, cond: Space[dict[str, Any]]) -> None:
        self.cond = cond


def _unwrap(value: object) -> object:
    return value.cond if isinstance(value, Switch) else value


def switch(
    selector: Param[Any], branches: Callable[[Any], Mapping[str, object]], param: str
) -> Switch:
    """A ``Cond`` on ``selector`` whose branch for value ``v`` is ``{param: v, **branches(v)}``.

    The branches are built from the values the selector can take, so overriding the selector
    (``kernel="rbf"``, ``kernel=Choice("rbf", "poly")``) keeps only the matching branches.
    """
    space = selector if isinstance(selector, Space) else Const(selector)
    keys = finite_values(space)
    if keys is None:
        raise TypeError(f"{param}: expected a constant or a Choice of values, got {selector!r}")
    return Switch(Cond(space, {key: {param: key, **branches(key)} for key in keys}))
