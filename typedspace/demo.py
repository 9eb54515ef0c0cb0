"""A tour of typedspace on a realistic conditional space: ``python -m typedspace.demo``.

``demo_space()`` is the space of a small neural network's training configuration: the
optimizer is SGD or Adam, each with its own hyperparameters (active only when chosen), the
hidden layers' widths come from two parameters through ``Map``, plus an activation and dropout.
"""

from __future__ import annotations

from typedspace import (
    Choice,
    Cond,
    IntUniform,
    LogUniform,
    Map,
    Space,
    Uniform,
    param,
    pretty,
    record,
    sample_many,
    space_of,
)


@record
class SGD:
    """Stochastic gradient descent with momentum."""

    lr: float = param(LogUniform(1e-4, 1.0))
    momentum: float = param(Uniform(0.0, 0.99))
    nesterov: bool = param(Choice(False, True))


@record
class Adam:
    """Adam; a smaller learning-rate range than SGD's."""

    lr: float = param(LogUniform(1e-5, 1e-2))
    beta1: float = param(Uniform(0.8, 0.999))
    weight_decay: float = param(LogUniform(1e-6, 1e-2))


def layer_widths(depth: int, log2_width: int) -> tuple[int, ...]:
    """``depth`` hidden layers, the first ``2**log2_width`` wide, each next one half as wide.

    >>> layer_widths(3, 8)
    (256, 128, 64)
    """
    return tuple(max(1, (1 << log2_width) >> i) for i in range(depth))


#: The optimizer with its own hyperparameters.  The annotation tells mypy the union type of
#: the branches (without it, mypy would infer their join, ``object``).
OPTIMIZER: Space[SGD | Adam] = Cond(
    Choice("sgd", "adam"), {"sgd": space_of(SGD), "adam": space_of(Adam)}
)


@record
class TrainConfig:
    """Everything one training run needs."""

    optimizer: SGD | Adam = param(OPTIMIZER)
    hidden: tuple[int, ...] = param(Map(layer_widths, IntUniform(1, 4), IntUniform(5, 9)))
    activation: str = param(Choice("relu", "gelu", "tanh", weights=[2, 1, 1]))
    dropout: float = param(Uniform(0.0, 0.5, q=0.05))


def demo_space() -> Space[TrainConfig]:
    """The demo's search space.

    >>> from typedspace import sample
    >>> isinstance(sample(demo_space(), seed=0).optimizer, SGD | Adam)
    True
    """
    return space_of(TrainConfig)


def main() -> None:
    """Print the demo space and a few configurations drawn from it."""
    space = demo_space()
    print("The search space (each parameter's name is on the right):\n")
    print(pretty(space))
    print("\nFive configurations drawn from it (seed=0):\n")
    for config in sample_many(space, 5, seed=0):
        print(f"  {config}")


if __name__ == "__main__":
    main()
