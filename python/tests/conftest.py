"""Shared fixtures: the repository's folder (for its bundled models)."""
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def repository() -> Path:
    return REPOSITORY
