"""The static typing cases of tests/typing, checked the way a user's checker sees the package.

``make test`` already runs mypy and pyright over tests/typing with the repository's config.
These tests add what that run cannot show:

* outside the source tree (no mypy.ini, ``typedspace`` resolved from the installed package,
  not from the working directory) the pass cases still type-check;
* the ``py.typed`` marker is what makes an installed copy of the package typed;
* each marked line of the fail cases gives exactly one mypy error, with the marked code
  (``warn_unused_ignores`` only proves that *some* error of that code is on the line).
"""

from __future__ import annotations

import importlib.resources
import os
import re
import runpy
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

TYPING_DIR = Path(__file__).parent / "typing"
# The cases mypy must accept; the only_pyright_* files state pyright's differing inference.
PASS_FILES = sorted([*TYPING_DIR.glob("pass_*.py"), *TYPING_DIR.glob("only_mypy_*.py")])
FAIL_FILES = sorted(TYPING_DIR.glob("fail_*.py"))
IGNORE = re.compile(r"\s*# type: ignore\[([a-z-]+)\]\s*$")
ERROR = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+): error: .*  \[(?P<code>[a-z-]+)\]$")


def run_mypy(
    cwd: Path, *args: str, python: str | None = None, pythonpath: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m mypy --strict`` in ``cwd``: no project config applies there."""
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    command = [sys.executable, "-m", "mypy", "--strict", "--no-pretty", "--no-color-output"]
    command += ["--cache-dir", str(cwd / ".mypy_cache")]
    if python is not None:
        command += ["--python-executable", python]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def copy_cases(files: list[Path], into: Path) -> list[str]:
    into.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(f, into / f.name)
    return [f.name for f in files]


def test_the_case_files_exist() -> None:
    # A glob that matches nothing would make every test below vacuous.
    assert len(PASS_FILES) >= 4
    assert len(FAIL_FILES) >= 4


@pytest.mark.parametrize("path", sorted(TYPING_DIR.glob("*.py")), ids=lambda p: p.name)
def test_case_files_are_harmless_at_runtime(path: Path) -> None:
    # They only build spaces at import; the failing calls sit in functions nobody calls.
    runpy.run_path(str(path), run_name="typing_case")


@pytest.mark.slow
def test_pass_cases_check_outside_the_source_tree(tmp_path: Path) -> None:
    names = copy_cases(PASS_FILES, tmp_path)
    assert not (tmp_path / "typedspace").exists()
    result = run_mypy(tmp_path, "--verbose", *names)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Success: no issues found in {len(names)} source files" in result.stdout
    # mypy read typedspace from the installed package (the editable install's path entry),
    # which carries the PEP 561 marker.
    installed = Path(str(importlib.resources.files("typedspace")))
    assert (installed / "py.typed").is_file()
    parsed = re.search(r"Parsing (\S+) \(typedspace\)", result.stderr)
    assert parsed is not None, result.stderr[-2000:]
    source = Path(parsed.group(1)).resolve()
    assert source == (installed / "__init__.py").resolve()
    assert not source.is_relative_to(tmp_path.resolve())


def _environment_with_a_copy(root: Path, *, marker: bool) -> str:
    """A fresh interpreter whose only typedspace is a copy, with or without ``py.typed``.

    The copy's dependencies come from this interpreter's site-packages; the editable install's
    own path entry is not processed there (a .pth inside a .pth-added directory is ignored).
    """
    copy = root / "lib" / "typedspace"
    installed = Path(str(importlib.resources.files("typedspace")))
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__", "py.typed"))
    if marker:
        (copy / "py.typed").touch()
    venv.create(root / "env", with_pip=False)
    python = root / "env" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    entries = [str(root / "lib"), *site.getsitepackages()]
    (Path(purelib) / "typedspace_copy.pth").write_text("\n".join(entries) + "\n")
    return str(python)


CHECK = """\
from typing import assert_type
from typedspace import IntUniform, sample
assert_type(sample(IntUniform(1, 4)), int)
"""


@pytest.mark.slow
@pytest.mark.parametrize("marker", [False, True], ids=["without_py_typed", "with_py_typed"])
def test_the_py_typed_marker_makes_an_installed_copy_typed(tmp_path: Path, marker: bool) -> None:
    python = _environment_with_a_copy(tmp_path, marker=marker)
    work = tmp_path / "work"
    work.mkdir()
    (work / "check.py").write_text(CHECK)
    result = run_mypy(work, "check.py", python=python)
    if marker:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "missing library stubs or py.typed marker  [import-untyped]" in result.stdout


def expected_errors(path: Path) -> dict[int, str]:
    """Line number -> the error code its ``# type: ignore[code]`` names."""
    lines = path.read_text().splitlines()
    return {i: m.group(1) for i, line in enumerate(lines, 1) if (m := IGNORE.search(line))}


def test_every_fail_case_marks_errors() -> None:
    for path in FAIL_FILES:
        assert len(expected_errors(path)) >= 5, path.name


@pytest.mark.slow
def test_each_marked_line_gives_exactly_its_error(tmp_path: Path) -> None:
    expected: dict[tuple[str, int], str] = {}
    for path in FAIL_FILES:
        stripped = [IGNORE.sub("", line) for line in path.read_text().splitlines()]
        (tmp_path / path.name).write_text("\n".join(stripped) + "\n")
        expected |= {(path.name, n): code for n, code in expected_errors(path).items()}
    result = run_mypy(tmp_path, *sorted(p.name for p in FAIL_FILES))
    found: dict[tuple[str, int], list[str]] = {}
    for line in result.stdout.splitlines():
        if ": error: " in line:
            m = ERROR.match(line)
            assert m is not None, f"unparsed mypy error: {line}"
            found.setdefault((m["file"], int(m["line"])), []).append(m["code"])
    assert found == {where: [code] for where, code in expected.items()}, result.stdout
