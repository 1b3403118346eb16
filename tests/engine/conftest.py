"""Engine tests need no Django and no database. The project runs pytest with
--import-mode=importlib, which does not put test directories on sys.path; add this one so the
plain helper module ``engine_factories`` imports the same way under every import mode."""

import os
import sys
from pathlib import Path

from ..conftest import IN_CI, deselect_folder

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """In CI's PostgreSQL pass of the whole suite, deselect these tests: the engine imports no
    Django (tests/test_architecture.py checks it) and reads no database, so the SQLite pass has
    already run them exactly as they would run here. Asked for on their own they always run."""
    if not (IN_CI and os.environ.get("DATABASE_URL", "").startswith("postgres")):
        return
    deselect_folder(config, items, HERE)
