import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """Login throttles and sign-up limits live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()
