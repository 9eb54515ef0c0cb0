"""The set-up commands of the README: `make demo` installs only what the demo needs, and the
docs say what each extra leaves out."""

from __future__ import annotations

import re
import subprocess
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


def test_make_demo_installs_the_library_and_scikit_learn_only(tmp_path: Path) -> None:
    installs = _planned_installs("demo", tmp_path)
    packages = [re.search(r"-e '?\.(\[[^\]]*\])?'?", line) for line in installs]
    assert [m.group(1) for m in packages if m] == ["[sklearn]"]
    assert not any(tool in "".join(installs) for tool in ("[test", "mkdocs", "pyright"))


def test_make_test_installs_the_test_tools(tmp_path: Path) -> None:
    assert any("-e '.[test]'" in line for line in _planned_installs("test", tmp_path))


def test_the_testing_guide_says_that_pytest_is_not_in_the_extra() -> None:
    guide = (ROOT / "docs/guide/testing.md").read_text(encoding="utf-8")
    assert "pip install 'typedspace[testing]' pytest" in guide
