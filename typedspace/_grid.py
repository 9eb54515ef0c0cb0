"""Grids of multiples of a step ``q``: the arithmetic shared by the DSL and the parameter table.

A quantized leaf (``Uniform(0, 0.6, q=0.05)``) checks at construction that its grid is not
empty, and the table maps values onto the same grid; both use these functions, so what a
node accepts is exactly what the table can represent.  Pure arithmetic: no typedspace imports.
"""

from __future__ import annotations

import decimal
import math

#: Integers up to this magnitude are exact float64 values; beyond it neighbouring integers
#: (or neighbouring multiples of a step) are no longer distinct floats.  It bounds the ints an
#: integer leaf accepts and the number of steps of a grid, since the table holds both as floats.
EXACT_INT = 2**53

#: The most decimals numpy rounds a float to (``np.round(x, 309)`` multiplies by an infinite
#: ``10.0**309`` and gives NaN).
MAX_DECIMALS = 308


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


def float_axis(
    low: float, high: float, q: float | None, log: bool
) -> tuple[float, float, float, float]:
    """A bounded float leaf's end values and the interval ``[z_low, z_high]`` its internal
    coordinate is drawn from (of logarithms when ``log``).

    Without ``q`` both are ``[low, high]``.  With ``q`` the end values are the grid's first
    and last multiples inside the bounds, and the interval reaches half a step past each of
    them (never below a log leaf's positive low), so that the end points get the same mass
    as the inner points.

    >>> float_axis(0.01, 1.0, 0.25, log=False)
    (0.25, 1.0, 0.125, 1.125)
    """
    if q is None:
        first, last, lo, hi = low, high, low, high
    else:
        k_first, k_last = grid_steps(low, high, q)
        first, last = grid_value(k_first, q), grid_value(k_last, q)
        lo, hi = first - q / 2, last + q / 2
    if log:
        return first, last, math.log(max(lo, low)), math.log(hi)
    return first, last, lo, hi


def int_axis(low: int, high: int, log: bool) -> tuple[float, float]:
    """The interval an int leaf's internal coordinate is drawn from (of logarithms when
    ``log``): half a step past each end, so that every int gets its full share of mass.

    >>> int_axis(1, 4, log=False)
    (0.5, 4.5)
    """
    lo, hi = low - 0.5, high + 0.5
    return (math.log(lo), math.log(hi)) if log else (lo, hi)
