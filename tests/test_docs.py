"""Documentation cannot rot: every code example in the docs and docstrings runs here.

* Markdown (``README.md`` and ``docs/**/*.md``): the ```` ```python ```` blocks of one file
  run in order in one namespace, like a notebook.  A ```` ```text ```` block right after a
  python block (only blank lines between) is that block's exact expected output.  A block
  whose info string is ``python no-run`` is shown but not run: keep those for text that
  genuinely cannot run.
* Docstrings: the ``>>>`` examples of every module of the ``typedspace`` package.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import pkgutil
import re
from pathlib import Path

import attrs
import pytest

import typedspace

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

# An opening fence with its info string, the body, and the closing fence.
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@attrs.frozen
class Block:
    """A python block of a markdown file, and the output it must print (None: unchecked)."""

    line: int
    code: str
    output: str | None


def python_blocks(text: str) -> list[Block]:
    """The runnable python blocks of a markdown text, each with its expected output."""
    blocks: list[Block] = []
    previous_end = -1
    for match in _FENCE.finditer(text):
        info = match.group(1).split()
        language = info[0] if info else ""
        follows_python = (
            bool(blocks) and previous_end >= 0 and not text[previous_end : match.start()].strip()
        )
        if language == "text" and follows_python and blocks[-1].output is None:
            blocks[-1] = attrs.evolve(blocks[-1], output=match.group(2))
        previous_end = -1
        if language == "python" and "no-run" not in info[1:]:
            line = text.count("\n", 0, match.start(2)) + 1
            blocks.append(Block(line, match.group(2), None))
            previous_end = match.end()
    return blocks


def test_blocks_are_found_with_their_outputs() -> None:
    text = (
        "intro\n```python\nx = 1\n```\nprose\n```text\nnot an output\n```\n"
        "```python no-run\n$ make demo\n```\n```python\nprint(x)\n```\n\n```text\n1\n```\n"
    )
    assert python_blocks(text) == [Block(3, "x = 1\n", None), Block(13, "print(x)\n", "1\n")]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples that write files (runs.db, plots) write them in a fresh directory.
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    for block in blocks:
        # Blank lines in front make tracebacks point at the markdown file's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, str(path), "exec"), namespace)
        if block.output is not None:
            assert printed.getvalue().rstrip() == block.output.rstrip(), (
                f"{path.name}:{block.line}: the printed output differs from the text block"
            )


def test_the_docs_have_examples() -> None:
    readme = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    guide = python_blocks((ROOT / "docs/guide/writing-spaces.md").read_text(encoding="utf-8"))
    assert readme
    assert len(guide) >= 10
    assert any(b.output is not None for b in guide)


def _modules() -> list[str]:
    found = pkgutil.walk_packages(typedspace.__path__, "typedspace.")
    # A ``__main__`` module does its work when imported: never import one here.
    return ["typedspace", *sorted(m.name for m in found if not m.name.endswith(".__main__"))]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    # Importing is safe: no module of the package does work at import (the demo and the CLI
    # run only under ``if __name__ == "__main__"``).
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()


EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_docstrings_run(path: Path) -> None:
    # The examples are scripts outside the package: load one as a module (its main part runs
    # only under ``if __name__ == "__main__"``) and run its docstring examples.
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    tests = doctest.DocTestFinder().find(module, module.__name__)
    for test in tests:
        runner.run(test, out=report.write)
    assert runner.tries > 0 and runner.failures == 0, report.getvalue()
