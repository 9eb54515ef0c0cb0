"""The progress bar: one line redrawn in place when enabled, nothing at all when disabled."""

from __future__ import annotations

import io
import re

from typedspace.run._progress import ProgressBar


def test_enabled_bar_redraws_one_line_and_ends_it_on_close() -> None:
    stream = io.StringIO()
    bar = ProgressBar(10, enabled=True, stream=stream)
    bar.update(0, None)
    bar.update(5, 0.5)
    first, second = stream.getvalue().split("\r")[1:]
    assert re.fullmatch(r"\[ {24}\] 0/10  best -  \d+\.\ds", first)
    assert re.fullmatch(r"\[#{12} {12}\] 5/10  best 0\.5  \d+\.\ds", second)
    bar.close()
    assert stream.getvalue().endswith("s\n")
    assert stream.getvalue().count("\n") == 1


def test_bar_is_full_at_the_total_and_does_not_overflow() -> None:
    stream = io.StringIO()
    bar = ProgressBar(3, enabled=True, stream=stream)
    bar.update(4, 0.123456789)
    assert stream.getvalue().startswith("\r[" + "#" * 24 + "] 4/3  best 0.123457  ")


def test_disabled_bar_writes_nothing() -> None:
    stream = io.StringIO()
    for bar in (ProgressBar(10, enabled=False, stream=stream), ProgressBar(10, stream=stream)):
        # Without enabled=, a stream that is not a terminal (StringIO) disables the bar.
        assert not bar.enabled
        bar.update(5, 0.5)
        bar.close()
    assert stream.getvalue() == ""
