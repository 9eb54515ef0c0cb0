"""Grids of multiples of a step ``q``: the arithmetic shared by the DSL and the parameter table.

A quantized leaf (``Uniform(0, 0.6, q=0.05)``) checks at construction that its grid is not
empty, and the table maps values onto the same grid; both use these functions, so what a
node accepts is exactly what the table can represent.  Pure arithmetic: no typedspace imports.
"""

from __future__ import annotations

import decimal
import math


def decimals_of(q: float) -> int:
    """The number of decimals in q as written (0.05 -> 2, 0.25 -> 2, 1.0 -> 0, 1/3 -> 16)."""
    exponent = decimal.Decimal(repr(q)).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def grid_value(k: int, q: float) -> float:
    """The ``k``-th multiple of ``q``, rounded to q's decimals (3 * 0.05 is 0.15, not
    0.15000000000000002), the value a quantized leaf takes.

    >>> grid_value(3, 0.05)
    0.15
    """
    return round(k * q, decimals_of(q)) + 0.0  # + 0.0: no -0.0


def grid_steps(low: float, high: float, q: float) -> tuple[int, int]:
    """The first and last multiples ``k`` with ``low <= grid_value(k, q) <= high``.

    Division is inexact (0.6 / 0.05 = 11.999999999999998), so a ratio within 1e-9 of an
    integer counts as that integer: ``Uniform(0, 0.6, q=0.05)`` reaches 0.6.  A multiple so
    found that still lies outside the bounds (0.0 for ``low=1e-16``) is left out.

    >>> grid_steps(0.0, 0.6, 0.05), grid_steps(1e-16, 1.0, 0.125)
    ((0, 12), (1, 8))
    """

    def near(x: float) -> float:
        nearest = round(x)
        return float(nearest) if abs(x - nearest) <= 1e-9 * max(1.0, abs(x)) else x

    first, last = math.ceil(near(low / q)), math.floor(near(high / q))
    if grid_value(first, q) < low:
        first += 1
    if grid_value(last, q) > high:
        last -= 1
    return first, last
