"""Shared test helpers: where the real corpora are, and small article fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = REPO / "seeds" / "000_b7353cf5176a3d63.txt"


def corpora_dir() -> Path:
    """SEARCHAPP_CORPORA, or ../shared/corpora beside the repository (also when it is empty)."""
    return Path(os.environ.get("SEARCHAPP_CORPORA") or REPO.parent / "shared" / "corpora")


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = corpora_dir()
    if not path.is_dir():
        pytest.skip(f"the shared corpora are not here ({path}); set SEARCHAPP_CORPORA")
    return path
