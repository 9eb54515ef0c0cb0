"""Hyperopt's ``early_stop`` module: rules for ``fmin(..., early_stop_fn=...)``."""

from typedspace.hyperopt._early_stop import no_progress_loss

__all__ = ["no_progress_loss"]
