"""The set-up commands of the README: `make demo` installs only what the demo needs, and the
docs say what each extra leaves out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _planned_installs(target: str, tmp_path: Path) -> list[str]:
    """The pip installs `make <target>` would run on a fresh machine (a dry run)."""
    completed = subprocess.run(
        ["make", "--dry-run", "--always-make", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in completed.stdout.splitlines() if "pip install" in line]


def test_make_demo_installs_the_library_scikit_learn_and_matplotlib_only(tmp_path: Path) -> None:
    installs = _planned_installs("demo", tmp_path)
    packages = [re.search(r"-e '?\.(\[[^\]]*\])?'?", line) for line in installs]
    assert [m.group(1) for m in packages if m] == ["[sklearn,plot]"]  # what the demo imports
    assert not any(tool in "".join(installs) for tool in ("[test", "mkdocs", "pyright"))


def test_make_test_installs_the_test_tools(tmp_path: Path) -> None:
    assert any("-e '.[test]'" in line for line in _planned_installs("test", tmp_path))


def test_the_testing_guide_says_that_pytest_is_not_in_the_extra() -> None:
    guide = (ROOT / "docs/guide/testing.md").read_text(encoding="utf-8")
    assert "pip install 'typedspace[testing]' pytest" in guide


def test_the_demo_imports_only_what_make_demo_installs() -> None:
    """Every module examples/demo.py imports (in functions too) comes with Python, typedspace,
    or a package that `make demo` installs: a missing one failed on a fresh machine."""
    import ast
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = re.search(r"\.\[([^\]]*)\]", "".join(_planned_installs("demo", ROOT / ".unused")))
    assert extras is not None
    requirements = list(project["dependencies"])
    for extra in extras.group(1).split(","):
        requirements += project["optional-dependencies"][extra]
    installed = {re.split(r"[<>=\[ ;]", r)[0].lower().replace("-", "_") for r in requirements}
    module_of = {"scikit_learn": "sklearn"}  # distribution name -> import name
    allowed = {module_of.get(name, name) for name in installed} | {"typedspace"}
    tree = ast.parse((ROOT / "examples/demo.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {
        n.module
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and not n.level
    }
    # typedspace's optional parts import their extra's package.
    extra_of = {"typedspace.plots": "matplotlib", "typedspace.sklearn": "sklearn",
                "typedspace.testing": "hypothesis"}  # fmt: skip
    imported = {extra_of.get(".".join(n.split(".")[:2]), n.split(".")[0]) for n in names}
    missing = {m for m in imported if m not in allowed and m not in sys.stdlib_module_names}
    assert missing == set()
