"""The tree passes the linters configured in pyproject.toml (ruff, mypy; the `dev` extra)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("tool, args", [("ruff", ["check", "."]), ("mypy", [])])
def test_the_tree_passes(tool, args):
    pytest.importorskip(tool, reason=f"{tool} comes with the dev extra: pip install -e '.[dev]'")
    done = subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
