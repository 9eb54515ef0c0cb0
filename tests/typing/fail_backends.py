"""sample/sample_many/decode used wrongly: every marked line must be a type error."""

from typedspace import IntUniform, Uniform, decode, sample, sample_many

x = Uniform(0.0, 1.0)


def check_types() -> None:
    """Never called: the checkers read these lines, running them would raise."""
    # Only spaces and plain dicts/lists of spaces can be sampled.
    sample(3)  # type: ignore[call-overload]
    sample("abc")  # type: ignore[call-overload]
    sample_many(x, "10")  # type: ignore[call-overload]
    sample(x, seed="0")  # type: ignore[call-overload]
    # The value has the space's type.
    a: int = sample(x)  # type: ignore[assignment]
    b: list[int] = sample_many(x, 3)  # type: ignore[arg-type]
    c: str = decode(IntUniform(1, 4), {"value": 2})  # type: ignore[assignment]
    # An assignment maps names to numbers.
    decode(x, {"value": "0.5"})  # type: ignore[dict-item]
