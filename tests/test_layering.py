"""The package layering of docs/ARCHITECTURE.md, as import-linter enforces it in `make lint`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("campaigns", "contracts", "inbound", "templates", "workflows", "activities", "signals", "winback")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so it is the copy's imports that are checked.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and the contracts, to break on purpose."""
    for name in PACKAGES:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    done = lint_imports(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("activities/shortcut.py", "from workflows import sequence\n", "activities never import workflows"),
        ("activities/shortcut.py", "import winback.cli\n", "activities never import workflows"),
        ("campaigns/shortcut.py", "from contracts import ids\n", "campaigns imports nothing of ours"),
        ("contracts/shortcut.py", "from activities import store\n", "contracts import only campaigns"),
        ("workflows/shortcut.py", "from winback import settings\n", "workflows never import winback"),
        ("inbound/shortcut.py", "from activities import store\n", "inbound is pure"),
    ],
)
def test_an_upward_import_breaks_the_build(tree: Path, module: str, line: str, contract: str) -> None:
    (tree / module).write_text(f'"""An import that climbs a layer."""\n\n{line}')
    done = lint_imports(tree)
    assert done.returncode != 0
    assert f"{contract}" in done.stdout
    assert "BROKEN" in done.stdout
