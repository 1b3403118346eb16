import uuid

import pytest


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    """Rate limits and login throttles live in the cache: each test counts under its own prefix.
    (Not cache.clear(): with Redis that would flush a database the Celery broker may share.)"""
    from portal.core import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"test-{uuid.uuid4().hex}")
