"""A one-line progress bar on stderr showing the best loss (no dependency needed)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws ``TPE [#####     ] 50/100  best 0.1234  12.3s`` in place (``TPE 50 trials  best
    ...`` without a total), led by ``label`` (the algorithm's name); silent when disabled."""

    def __init__(
        self,
        total: int | None,
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        label: str = "",
    ):
        self.stream = stream if stream is not None else sys.stderr
        # Off when the output is not a terminal (logs, CI, notebooks' captured stderr).
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.label = f"{label} " if label else ""
        self.start = time.monotonic()

    def update(self, done: int, best: float | None) -> None:
        if not self.enabled:
            return
        best_text = f"best {best:.6g}" if best is not None else "best -"
        elapsed = time.monotonic() - self.start
        if self.total is None:
            count = f"{done} trials"
        else:
            width = 24
            filled = width * min(done, self.total) // max(self.total, 1)
            count = "[" + "#" * filled + " " * (width - filled) + f"] {done}/{self.total}"
        self.stream.write(f"\r{self.label}{count}  {best_text}  {elapsed:.1f}s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
