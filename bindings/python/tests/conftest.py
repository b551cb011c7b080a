import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def shared_units_dir():
    """The official admin-unit lists in ../shared; tests skip when absent."""
    base = os.environ.get("TREEM_SHARED_DIR") or str(
        pathlib.Path(__file__).resolve().parents[3] / ".." / "shared")
    d = pathlib.Path(base) / "data" / "admin-units"
    if not (d / "units-before-2025-07-01.csv").exists():
        pytest.skip(f"shared/ data absent: {d}")
    return d
