"""Fixtures of the scenarios' tests: what cohorts are drawn from on the real files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.scenarios.real import Real, read_real


@pytest.fixture(scope="session")
def real(real_engine: sa.Engine) -> Real:
    """Read once per session from the shared real-data store (read-only)."""
    return read_real(real_engine)
