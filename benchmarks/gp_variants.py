"""An experiment, not part of typedspace: our GP with a noise-aware incumbent.

``GP`` improves on the lowest (warped) loss observed.  With a noisy loss (a validation error
on 400 images) that is the luckiest trial's score, and expected improvement then looks for
points that could be as lucky.  ``NoisyIncumbentGP`` improves on the lowest *posterior mean*
at the completed trials' configurations instead (as BoTorch's noisy EI does in spirit): equal
where the fitted noise is negligible, more cautious where it is not.  The outcome is in ``RESULTS-pruning.md``: no better on any
problem of ``bench_pruning.py`` (10 seeds, validation or held-out), so it was not shipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from typedspace.algorithms._gp import GP, GPProposer
from typedspace.algorithms._gp_kernel import FloatArray, Posterior
from typedspace.backends._table import Assignment, ParamTable


class _Proposer(GPProposer):
    def model(
        self, pending: Sequence[Assignment]
    ) -> tuple[Posterior, float, FloatArray, FloatArray]:
        gp, best, centres, x = super().model(pending)
        if not pending:
            units = self._model_data()[0]  # the completed trials
            best = float(gp.predict(self.encoder.encode(units))[0].min())
        return gp, best, centres, x


@attrs.frozen
class NoisyIncumbentGP(GP):
    """``GP``, improving on the best posterior mean (see the module)."""

    def start(self, table: ParamTable, rng: np.random.Generator) -> GPProposer:
        return _Proposer(self, table, rng)
